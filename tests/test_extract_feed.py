"""parse_feed: RSS 2.0, Atom 1.0, RDF, legacy encodings, non-feeds and hostile XML."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.collect.extract.feed import parse_feed
from aggregator.errors import ExtractError
from aggregator.models import ParsedPage, RawItem

DATA = Path(__file__).parent / "data" / "extract"
HOSTILE = sorted((DATA / "hostile").glob("*.xml"))
FEED_URL = "https://echo-officine.example/flux/rss.xml"


def parse(name: str, url: str = FEED_URL, headers: dict[str, str] | None = None) -> ParsedPage:
    return parse_feed((DATA / name).read_bytes(), url, headers)


def by_title(page: ParsedPage, start: str) -> RawItem:
    return next(item for item in page.items if item.title.startswith(start))


# --- RSS 2.0 ---------------------------------------------------------------------------------


def test_rss2_entries_with_ids_links_and_titles() -> None:
    page = parse("rss2.xml")
    assert page.title == "L'Écho de l'officine & des territoires"
    first = page.items[0]
    assert first.guid == "echo-1042"
    assert first.url == "https://echo-officine.example/2024/01/panne-service-droits/"
    # HTML in a title is flattened to its text
    assert first.title == "Panne du service de droits : les officines en mode dégradé"


def test_rss2_relative_links_resolve_against_the_feed_url() -> None:
    page = parse("rss2.xml", url="https://autre-hote.example/flux/")
    assert page.items[0].url == "https://autre-hote.example/2024/01/panne-service-droits/"
    assert 'href="https://autre-hote.example/dossiers/tiers-payant/"' in page.items[0].summary


def test_rss2_summary_and_content_are_sanitized() -> None:
    item = parse("rss2.xml").items[0]
    assert "Depuis lundi après-midi" in item.summary
    assert "Demandez l'attestation papier" in item.content
    for html in (item.summary, item.content):
        assert "<script" not in html and "onclick" not in html and "onerror" not in html
        assert "javascript:" not in html and "alert" not in html
    assert 'src="https://echo-officine.example/img/comptoir.jpg"' in item.content


def test_rss2_dates_keep_their_offset_and_updated_is_not_invented() -> None:
    page = parse("rss2.xml")
    winter = page.items[0]
    summer = by_title(page, "Garde d'été")
    assert winter.published == datetime.fromisoformat("2024-01-30T09:12:00+01:00")
    assert winter.published is not None and winter.published.utcoffset() is not None
    assert str(winter.published.utcoffset()) == "1:00:00"
    assert summer.published is not None and str(summer.published.utcoffset()) == "2:00:00"
    assert winter.updated is None  # the feed gives no modification date


def test_rss2_unusable_links_are_skipped_and_repeats_kept_once() -> None:
    page = parse("rss2.xml")
    assert all(not item.url.startswith("javascript") for item in page.items)
    assert [i.url for i in page.items].count(
        "https://echo-officine.example/2024/07/garde-ete/"
    ) == 1
    assert len(page.items) == 3


def test_rss2_entry_without_title_is_named_after_its_text() -> None:
    item = by_title(parse("rss2.xml"), "Brève sans titre")
    assert item.url == item.guid == "https://echo-officine.example/breves/3310"
    assert item.title.endswith("…") and len(item.title) <= 120
    assert "<" not in item.title
    assert item.published == datetime.fromisoformat("2024-02-02T10:05:00+01:00")


# --- Atom 1.0 and RDF ------------------------------------------------------------------------


def test_atom_entries_with_xml_base_and_text_constructs() -> None:
    page = parse("atom.xml", url="https://alertes-cyber.example/fr/flux.atom")
    assert page.title == "Alertes cyber santé"
    first = page.items[0]
    assert first.guid == "tag:alertes-cyber.example,2024:alerte-17"
    assert first.url == "https://alertes-cyber.example/fr/alertes/faux-courriels-ameli-pro"
    assert first.title == "Hameçonnage : faux courriels « ameli pro » < à ignorer"
    # a text summary is escaped, not read as markup
    assert first.summary == "Des messages imitent le portail &amp; demandent vos identifiants."
    assert 'href="https://alertes-cyber.example/fr/conseils/signaler"' in first.content
    assert first.published == datetime.fromisoformat("2024-02-06T08:30:00+01:00")
    assert first.updated == datetime.fromisoformat("2024-02-07T12:00:00+01:00")


def test_relative_links_in_content_follow_the_entry_xml_base() -> None:
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry xml:base="https://autre.example/dossiers/"><id>tag:x,2024:1</id>'
        b'<title>Panne</title><link href="panne"/>'
        b'<content type="html">&lt;a href="consignes"&gt;consignes&lt;/a&gt;</content>'
        b"</entry></feed>"
    )
    item = parse_feed(feed, "https://site.example/flux.atom").items[0]
    assert item.url == "https://autre.example/dossiers/panne"
    assert 'href="https://autre.example/dossiers/consignes"' in item.content


def test_atom_entry_with_only_updated_uses_it_as_publication_date() -> None:
    item = by_title(parse("atom.xml"), "Intrusion chez un opérateur")
    assert item.published == item.updated == datetime.fromisoformat("2024-08-05T16:20:00+02:00")
    assert "<strong>usurpés</strong>" in item.content


def test_atom_entry_without_any_link_is_skipped() -> None:
    titles = [item.title for item in parse("atom.xml").items]
    assert "Entrée sans lien, à identifiant opaque" not in titles
    assert len(titles) == 2


def test_rdf_entries_and_dc_dates() -> None:
    page = parse("rdf.rdf", url="https://observatoire-tp.example/index.rdf")
    assert page.title == "Observatoire du tiers payant"
    assert [i.url for i in page.items] == [
        "https://observatoire-tp.example/releves/2024-05",
        "https://observatoire-tp.example/releves/2024-11",
    ]
    may, november = page.items
    assert may.published == datetime.fromisoformat("2024-05-27T14:00:00+02:00")
    # a dc:date with no zone is Paris time (winter: +01:00)
    assert november.published == datetime.fromisoformat("2024-11-29T09:00:00+01:00")


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"content-type": "application/rss+xml"},
        {"Content-Type": "text/xml"},
        {"content-type": "application/xml; charset=utf-8"},  # a lying server
    ],
)
def test_windows_1252_feed_declared_in_the_prolog(headers: dict[str, str] | None) -> None:
    page = parse("rss-windows-1252.xml", headers=headers)
    assert page.title == "Syndicat régional des pharmaciens – communiqués"
    item = page.items[0]
    assert item.title == "Opérateur à l’arrêt : nos consignes aux confrères"
    assert "prévenez votre banque" in item.summary
    assert "1 200 € par officine — œuvrons" in item.summary


# --- not feeds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "headers", "reason"),
    [
        (b"", None, "empty"),
        (b"   \n", None, "empty"),
        ((DATA / "photo.jpg").read_bytes(), {"content-type": "image/jpeg"}, "binary"),
        ((DATA / "photo.jpg").read_bytes(), None, "binary"),
        ((DATA / "list.html").read_bytes(), {"content-type": "text/html"}, "HTML page"),
        ((DATA / "list.html").read_bytes(), None, "HTML page"),
        (b"Service temporairement indisponible", {"content-type": "text/plain"}, "no RSS"),
        (b'{"items": []}', {"content-type": "application/json"}, "no RSS"),
        (b"<?xml version='1.0'?><urlset><url><loc>https://a.example/</loc></url></urlset>", None,
         "no RSS"),
    ],
)  # fmt: skip
def test_what_is_not_a_feed_raises_extract_error(
    content: bytes, headers: dict[str, str] | None, reason: str
) -> None:
    with pytest.raises(ExtractError, match=f"^not a feed: .*{reason}"):
        parse_feed(content, FEED_URL, headers)


def test_an_html_page_error_names_the_feed_it_advertises() -> None:
    page = (
        b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/feed/"></head><body>Accueil</body></html>'
    )
    with pytest.raises(ExtractError, match=r"advertises: https://echo-officine\.example/feed/"):
        parse_feed(page, "https://echo-officine.example/", {"content-type": "text/html"})


def test_bytes_that_look_like_a_file_path_are_not_opened() -> None:
    # feedparser opens a file when handed a path; parse_feed must only ever read the bytes.
    with pytest.raises(ExtractError, match="not a feed"):
        parse_feed(b"/etc/passwd", FEED_URL)
    feed = DATA / "rss2.xml"
    with pytest.raises(ExtractError, match="not a feed"):
        parse_feed(str(feed).encode(), FEED_URL)


def test_control_characters_are_cleaned_from_ids_and_titles() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>T</title><item><title>Panne&#x1b; g\xc3\xa9n\xc3'
        b"\xa9rale</title><guid isPermaLink='false'> id-\x7f42 </guid><link>https://a.example/p"
        b"</link></item></channel></rss>"
    )
    item = parse_feed(feed, FEED_URL).items[0]
    assert item.guid == "id-42"
    assert item.title == "Panne générale"


def test_an_empty_but_valid_feed_gives_no_items() -> None:
    page = parse_feed(b'<rss version="2.0"><channel><title>Vide</title></channel></rss>', FEED_URL)
    assert page.items == [] and page.title == "Vide"


# --- hostile XML: one file per case ----------------------------------------------------------


@pytest.mark.parametrize("path", HOSTILE, ids=[p.name for p in HOSTILE])
def test_hostile_feed_is_harmless(path: Path) -> None:
    start = time.perf_counter()
    try:
        page = parse_feed(path.read_bytes(), "https://piege.example/flux.xml")
    except ExtractError:
        page = ParsedPage(items=[])
    assert time.perf_counter() - start < 2.0
    out = repr(page)
    assert "root:" not in out  # nothing of /etc/passwd
    assert len(out) < 10 * path.stat().st_size + 10_000  # no entity expansion
    assert "lollollol" not in out and "aaaaaaaaaaaaaaaaaaaa" not in out
    assert "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" not in out
    for item in page.items:
        for html in (item.title, item.summary, item.content, item.url):
            lowered = html.lower()
            assert "<script" not in lowered and "onerror" not in lowered
            assert "onload" not in lowered and "<iframe" not in lowered
            assert "javascript:" not in lowered.replace("https://piege.example/javascript:", "")
            assert not item.url.startswith(("data:", "javascript:"))


def test_hostile_cases_cover_entity_expansion_and_external_entities() -> None:
    names = {p.name for p in HOSTILE}
    assert {"billion-laughs.xml", "xxe-file.xml", "quadratic-blowup.xml"} <= names


def test_deeply_nested_feed_content_costs_linear_time() -> None:
    body = "<div>" * 30_000 + "texte" + "</div>" * 30_000
    feed = (
        '<rss version="2.0"><channel><title>t</title><item><title>Profond</title>'
        f"<link>https://a.example/p</link><description><![CDATA[{body}]]></description>"
        "</item></channel></rss>"
    ).encode()
    start = time.perf_counter()
    page = parse_feed(feed, FEED_URL)
    assert time.perf_counter() - start < 3.0
    assert page.items[0].title == "Profond"


def test_harmless_entity_declarations_still_work() -> None:
    feed = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY eacute "&#233;">\n]>\n'
        b'<rss version="2.0"><channel><title>Caf&eacute;</title>'
        b"<item><title>Pr&eacute;parateurs</title><link>https://a.example/p</link></item>"
        b"</channel></rss>"
    )
    page = parse_feed(feed, FEED_URL)
    assert page.title == "Café"
    assert page.items[0].title == "Préparateurs"


# --- arbitrary input -------------------------------------------------------------------------

_XMLISH = st.lists(
    st.sampled_from(
        [
            b"<?xml version='1.0' encoding='utf-8'?>",
            b"<rss version='2.0'>",
            b"<channel>",
            b"<item>",
            b"</item>",
            b"<title>",
            b"</title>",
            b"<link>",
            b"</link>",
            b"<feed xmlns='http://www.w3.org/2005/Atom'>",
            b"<entry>",
            b"<link href='",
            b"'/>",
            b"<pubDate>",
            b"<!DOCTYPE rss [<!ENTITY a 'b'>]>",
            b"&a;",
            b"&#0;",
            b"\xff\xfe",
            b"https://a.example/x",
            b"javascript:alert(1)",
            b"30 janvier 2024",
            b"<![CDATA[",
            b"]]>",
            b"\x00",
            "é".encode("cp1252"),
        ]
    ),
    max_size=30,
).map(b"".join)


@given(st.one_of(st.binary(max_size=2000), _XMLISH))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_feed_raises_only_extract_error(content: bytes) -> None:
    try:
        page = parse_feed(content, FEED_URL, {"content-type": "application/rss+xml"})
    except ExtractError as exc:
        assert str(exc).startswith("not a feed")
        return
    for item in page.items:
        assert item.url.startswith(("http://", "https://"))
        assert item.published is None or item.published.tzinfo is not None
