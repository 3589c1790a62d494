"""The quick feed reader (extract/feedfast) agrees with feedparser, or stands aside.

Every document below is read twice, by ``parse_feed`` as it runs (the quick reader for
plain feeds) and with ``quick=False`` (feedparser for all), and the two pages must be
equal, errors included. Generated feeds mix what makes feeds tricky: escaped markup,
CDATA, mis-decoded UTF-8, Windows-1252 controls, relative and odd links, permalink
guids, dates in several languages, repeated, unknown and nested elements.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregator.collect.extract import feed as feed_module
from aggregator.collect.extract.feedfast import read_plain_feed
from aggregator.errors import ExtractError
from aggregator.models import ParsedPage

ROOT = Path(__file__).parent.parent
URL = "https://echo-officine.example/flux/rss.xml"
HEADERS = {"content-type": "application/rss+xml"}


def both(document: bytes, url: str = URL) -> tuple[object, object]:
    def read(quick: bool) -> ParsedPage | str:
        try:
            return feed_module.parse_feed(document, url, HEADERS, quick=quick)
        except ExtractError as exc:
            return f"error: {exc}"

    return read(True), read(False)


def is_quick(document: bytes, url: str = URL) -> bool:
    data, _ = feed_module._prepared(document, url, HEADERS)
    return read_plain_feed(data, url) is not None


def documents() -> list[Path]:
    found = [
        path
        for folder in ("tests/data", "aggregator/demo_data")
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file() and path.suffix in (".xml", ".rss", ".atom", ".rdf")
    ]
    return found + sorted((ROOT / "tests/data/hostile").glob("*"))


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_stored_document_reads_the_same_both_ways(path: Path) -> None:
    quick, slow = both(path.read_bytes())
    assert quick == slow


def test_the_demo_and_benchmark_feeds_take_the_quick_path_and_agree() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import build_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    corpus = build_corpus(feeds=12, items=20, html=0)
    feeds = [corpus.files[s.path] for s in corpus.sources if s.type == "feed"]
    assert feeds
    for document in feeds:
        assert is_quick(document)  # RSS 2.0, Atom and RSS 1.0 as sites write them
        quick, slow = both(document)
        assert quick == slow
        assert isinstance(quick, ParsedPage) and len(quick.items) >= 15
    sites = ROOT / "aggregator/demo_data/sites"
    assert is_quick((sites / "gazette/rss.xml").read_bytes())
    assert is_quick((sites / "officine-actu/feed/index.xml").read_bytes())  # WordPress-like
    assert not is_quick((sites / "alerte-cyber/flux/actualites.xml").read_bytes())  # xml:base


PLAIN_RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>Panne</title><link>https://ex.fr/a</link>%s</item></channel></rss>"
)


@pytest.mark.parametrize(
    "extra",
    [
        b"<media:title xmlns:media='http://search.yahoo.com/mrss/'>Autre</media:title>",
        b"<title>Second titre</title>",
        b"<description>a <b>b</b></description>",
        b"<source url='https://ex.fr/'>Source</source>",
        b"<pubDate>bientot</pubDate>",
    ],
)
def test_what_the_quick_reader_cannot_vouch_for_goes_to_feedparser(extra: bytes) -> None:
    assert is_quick(PLAIN_RSS % b"")
    document = PLAIN_RSS % extra
    assert not is_quick(document)
    quick, slow = both(document)
    assert quick == slow


def test_declarations_and_xml_base_go_to_feedparser() -> None:
    doctype = PLAIN_RSS.replace(b"<rss", b'<!DOCTYPE rss [<!ENTITY e "x">]><rss', 1) % b""
    based = PLAIN_RSS.replace(b"<channel>", b'<channel xml:base="https://b.fr/">') % b""
    xhtml = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>urn:x:1</id>'
        b'<link href="https://ex.fr/1"/><title>x</title><content type="xhtml">'
        b'<div xmlns="http://www.w3.org/1999/xhtml"><p>X</p></div></content></entry></feed>'
    )
    for document in (doctype, based, xhtml):
        assert not is_quick(document)
        quick, slow = both(document)
        assert quick == slow


# --- generated feeds -------------------------------------------------------------------------

TEXTS = [
    "Panne Viamedis : les officines en mode dégradé",
    "AT&amp;T et l'&amp;eacute;t&amp;eacute;",
    '&lt;b&gt;Gras&lt;/b&gt; puis &lt;a href="/lien"&gt;lien&lt;/a&gt;',
    "<![CDATA[<p>Bonjour <a href='../relatif'>lien</a> &amp; <img src=x onerror=alert(1)></p>]]>",
    "   espaces \n autour \t ",
    "",
    "Ã©tÃ© rÃ©parÃ©",  # UTF-8 read as Latin-1 once
    "guillemets &#x92;anglais&#x92; et tiret &#150; cp1252",
    "a &lt; b &gt; c",
    "insécable\u00a0: oui",
    "emoji 💊 et 中文",
    "Ã",
    "<![CDATA[texte brut sans balise]]>",
    "&lt;p&gt;Paragraphe &amp;amp; suite&lt;/p&gt;",
]
LINKS = [
    "https://ex.fr/a",
    "/rel/chemin",
    "rel",
    "",
    "  https://ex.fr/espaces  ",
    "https://ex.fr/a?x=1&amp;y=2",
    "https://ex.fr/a?x=1&amp;amp;y=2&amp;z;",
    "mailto:a@ex.fr",
    "javascript:alert(1)",
    "//cdn.ex.fr/x",
    "http://ex.fr/été",
    "https:///triple",
]
GUIDS = ["https://ex.fr/g/1", "812", "tag:ex.fr,2026:1", "/relatif/3", "", "urn:uuid:1-2"]
PERMALINK = [None, "true", "false", "True"]
DATES = [
    "Tue, 03 Mar 2026 10:00:00 +0100",
    "2026-03-03T10:00:00+01:00",
    "2026-03-03",
    "3 mars 2026",
    "lun., 03 mars 2026 10:00:00 +0100",
    "demain",
    "",
    "2026-13-45T99:00:00Z",
    "Tue, 03 Mar 2026 10:00:00 GMT",
]
IGNORED = [
    "<category>Tiers payant</category>",
    "<author>redaction@ex.fr (Rédaction)</author>",
    "<comments>https://ex.fr/c</comments>",
    '<enclosure url="https://ex.fr/a.mp3" type="audio/mpeg" length="1"/>',
    "<dc:creator>Rédaction</dc:creator>",
    "<media:title>Titre média</media:title>",
    "<category><b>x</b></category>",
]

texts = st.sampled_from(TEXTS)
maybe = st.booleans()


@st.composite
def rss_item(draw: st.DrawFn) -> str:
    parts = []
    if draw(maybe):
        parts.append(f"<title>{draw(texts)}</title>")
    if draw(maybe):
        parts.append(f"<link>{draw(st.sampled_from(LINKS))}</link>")
    if draw(maybe):
        flag = draw(st.sampled_from(PERMALINK))
        attr = f' isPermaLink="{flag}"' if flag else ""
        parts.append(f"<guid{attr}>{draw(st.sampled_from(GUIDS))}</guid>")
    if draw(maybe):
        parts.append(f"<description>{draw(texts)}</description>")
    if draw(maybe):
        parts.append(f"<content:encoded>{draw(texts)}</content:encoded>")
    for tag in ("pubDate", "dc:date", "dcterms:modified"):
        if draw(st.integers(0, 3)) == 0:
            parts.append(f"<{tag}>{draw(st.sampled_from(DATES))}</{tag}>")
    if draw(st.integers(0, 4)) == 0:
        parts.append(draw(st.sampled_from(IGNORED)))
    if draw(st.integers(0, 6)) == 0 and parts:
        parts.append(draw(st.sampled_from(parts)))  # a repeated element
    order = draw(st.permutations(parts))
    return "<item>" + "".join(order) + "</item>"


@st.composite
def rss_feed(draw: st.DrawFn) -> bytes:
    items = "".join(draw(st.lists(rss_item(), min_size=1, max_size=4)))
    title = f"<title>{draw(texts)}</title>" if draw(maybe) else ""
    version = draw(st.sampled_from(['version="2.0"', 'version="0.92"', ""]))
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f"<rss {version} xmlns:content='http://purl.org/rss/1.0/modules/content/' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:dcterms='http://purl.org/dc/terms/' "
        "xmlns:media='http://search.yahoo.com/mrss/'>"
        f"<channel>{title}{items}</channel></rss>"
    ).encode()


@st.composite
def atom_entry(draw: st.DrawFn) -> str:
    def construct(tag: str) -> str:
        kind = draw(st.sampled_from([None, "text", "html", "xhtml", "HTML"]))
        attr = f' type="{kind}"' if kind else ""
        return f"<{tag}{attr}>{draw(texts)}</{tag}>"

    parts = []
    for tag in ("title", "summary", "content"):
        if draw(maybe):
            parts.append(construct(tag))
    if draw(maybe):
        parts.append(f"<id>{draw(st.sampled_from(GUIDS))}</id>")
    for _ in range(draw(st.integers(0, 3))):
        rel = draw(st.sampled_from([None, "alternate", "self", "enclosure", "related"]))
        kind = draw(st.sampled_from([None, None, "text/html", "application/pdf"]))
        attrs = f' href="{draw(st.sampled_from(LINKS))}"'
        attrs += f' rel="{rel}"' if rel else ""
        attrs += f' type="{kind}"' if kind else ""
        parts.append(f"<link{attrs}/>")
    for tag in ("published", "updated"):
        if draw(maybe):
            parts.append(f"<{tag}>{draw(st.sampled_from(DATES))}</{tag}>")
    if draw(st.integers(0, 4)) == 0:
        parts.append("<author><name>Rédaction</name><email>r@ex.fr</email></author>")
    if draw(st.integers(0, 6)) == 0 and parts:
        parts.append(draw(st.sampled_from(parts)))
    return "<entry>" + "".join(draw(st.permutations(parts))) + "</entry>"


@st.composite
def atom_feed(draw: st.DrawFn) -> bytes:
    entries = "".join(draw(st.lists(atom_entry(), min_size=1, max_size=4)))
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{draw(texts)}</title><id>urn:feed</id>{entries}</feed>"
    ).encode()


@st.composite
def rdf_feed(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(1, 3))):
        about = draw(st.sampled_from([*GUIDS, None]))
        attr = f' rdf:about="{about}"' if about is not None else ""
        parts = [f"<title>{draw(texts)}</title>"]
        if draw(maybe):
            parts.append(f"<link>{draw(st.sampled_from(LINKS))}</link>")
        if draw(maybe):
            parts.append(f"<description>{draw(texts)}</description>")
        if draw(maybe):
            parts.append(f"<dc:date>{draw(st.sampled_from(DATES))}</dc:date>")
        items.append(f"<item{attr}>" + "".join(draw(st.permutations(parts))) + "</item>")
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<channel rdf:about="https://ex.fr/"><title>R</title><link>https://ex.fr/</link></channel>'
        + "".join(items)
        + "</rdf:RDF>"
    ).encode()


EXAMPLES = int(os.environ.get("FEEDFAST_EXAMPLES", "400"))  # raise it to hunt locally


@pytest.mark.slow
@settings(max_examples=EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(rss_feed(), atom_feed(), rdf_feed()), st.sampled_from([URL, "https://b.fr/x/"]))
@example(  # an Atom entry with only a rel="self" link: its id is its link
    b'<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title><id>urn:feed</id><entry>'
    b'<id>https://ex.fr/g/1</id><link href="https://ex.fr/a" rel="self"/></entry></feed>',
    URL,
)
def test_generated_feeds_read_the_same_both_ways(document: bytes, url: str) -> None:
    quick, slow = both(document, url)
    assert quick == slow


@settings(max_examples=100)
@given(st.one_of(rss_feed(), atom_feed(), rdf_feed()))
def test_the_quick_reader_takes_most_generated_feeds(document: bytes) -> None:
    # Not a proof of speed, a guard against a quick reader that declines everything.
    # Counted over the examples through a module-level tally.
    _TALLY.append(is_quick(document))


_TALLY: list[bool] = []


def test_the_tally_shows_the_quick_path_in_use() -> None:
    test_the_quick_reader_takes_most_generated_feeds()
    assert len(_TALLY) >= 50 and sum(_TALLY) >= len(_TALLY) // 5


@pytest.mark.slow
@given(
    st.one_of(
        st.from_regex(
            r"(https?|ftp)://{0,5}[a-z0-9.:\[\]@-]{0,20}(/[a-z0-9%?=&#./;-]{0,20})?", fullmatch=True
        ),
        st.from_regex(r"[a-z0-9./?#&=%;-]{0,25}", fullmatch=True),
    ),
    st.sampled_from(["", URL, "http://autre.example/a/b?c=d", "https://x.example"]),
)
@settings(max_examples=300, deadline=None)
@example("https://0/?", URL)
@example("http:////a.fr/b", URL)
@example("../b/./c", URL)
@example("http://[::1/", URL)
def test_links_are_joined_as_feedparser_joins_them(href: str, base: str) -> None:
    from xml.sax.saxutils import escape

    document = (PLAIN_RSS % b"").replace(b"https://ex.fr/a", escape(href).encode())
    quick, slow = both(document, base or URL)
    assert quick == slow
