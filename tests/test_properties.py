"""Property-based tests of what faces hostile input: the sanitizer, the extractors, URLs, dates.

The extractor tests beside each module already throw random bytes at them; these build
*structured* hostile documents (real feeds and pages whose fields carry scripts, handlers and
disguised script URLs) so that the parsers get past the first tag, and check what comes out:
only ExtractError is ever raised, and nothing that could run survives.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import unquote

import lxml.html
import nh3
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aggregator.collect.extract.article import parse_article
from aggregator.collect.extract.dates import parse_date
from aggregator.collect.extract.feed import parse_feed
from aggregator.collect.extract.html import parse_list
from aggregator.errors import ExtractError
from aggregator.models import ArticleSelectors, ListSelectors, RawItem
from aggregator.text import sanitize, urls
from aggregator.text.sanitize import clean_html, clean_text, one_line, safe_url
from aggregator.understand.dedupe import canonical_url

BASE = "https://exemple.fr/actus/"
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACTIVE_TAGS = {"script", "iframe", "frame", "object", "embed", "applet", "form", "base",
               "style", "svg", "math", "meta", "link", "input", "button", "textarea"}  # fmt: skip
UNSAFE = re.compile(r"(?:java|vb|live)script:|data:", re.IGNORECASE)
INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# --- building blocks of hostile markup ---------------------------------------------------------

SCHEMES = st.sampled_from(["javascript", "vbscript", "livescript", "data"])


@st.composite
def disguised(draw: st.DrawFn, scheme: str | None = None) -> str:
    """A script URL the way attackers write it: mixed case, entities, %xx, spaces, controls."""
    name = scheme or draw(SCHEMES)
    parts = []
    for char in name + ":":
        form = draw(st.integers(0, 6))
        if form == 1:
            char = char.upper()
        elif form == 2:
            char = f"&#{ord(char)};"
        elif form == 3:
            char = f"&#x{ord(char):x};"
        elif form == 4:
            char = f"%{ord(char):02X}"
        elif form == 5:
            char = draw(st.sampled_from(["\t", "\n", "\r", "&Tab;", "&NewLine;"])) + char
        parts.append(char)
    lead = draw(st.sampled_from(["", " ", "\x01", "\x00", "&#32;", "\u200b"]))
    payload = "text/html,<script>alert(1)</script>" if name == "data" else "alert(1)"
    return lead + "".join(parts) + payload


URLS = st.one_of(
    disguised(),
    st.sampled_from(["https://exemple.fr/a", "/relatif", "mailto:x@exemple.fr", "#ancre", ""]),
    st.text(max_size=20),
)
TAGS = st.sampled_from(["p", "a", "img", "div", "script", "iframe", "svg", "form", "style",
                        "object", "embed", "math", "table", "span", "details", "base",
                        "noscript", "template", "meta", "input", "button", "video"])  # fmt: skip
ATTRIBUTES = st.sampled_from(["href", "src", "onclick", "onerror", "OnLoad", "style", "title",
                              "action", "formaction", "srcset", "xlink:href", "data", "poster",
                              "background", "lowsrc", "onmouseover"])  # fmt: skip
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["alert(1)", "<", ">", "&", '"', "'", "]]>", "<!--", "-->", "</p>", "&lt;script&gt;"]
)


@st.composite
def element(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(TAGS)
    attributes = "".join(
        f" {name}={quote}{value.replace(quote, '')}{quote}"
        for name, value, quote in draw(
            st.lists(st.tuples(ATTRIBUTES, URLS, st.sampled_from(['"', "'"])), max_size=3)
        )
    )
    children = draw(
        st.lists(TEXT if depth > 2 else st.one_of(TEXT, element(depth + 1)), max_size=3)
    )
    closing = draw(st.sampled_from([f"</{tag}>", ""]))
    return f"<{tag}{attributes}>{''.join(children)}{closing}"


FRAGMENTS = st.lists(st.one_of(element(), TEXT), max_size=5).map("".join)


def dangers(markup: str) -> list[str]:
    """Active elements, handler attributes and script URLs of an HTML fragment, parsed."""
    if "<" not in markup:
        return []
    found = []
    root = lxml.html.fragment_fromstring(markup, create_parent="div")
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag.lower() in ACTIVE_TAGS:
            found.append(node.tag)
        for name, value in node.attrib.items():
            probe = "".join(
                ch for ch in html.unescape(value) if ch.isprintable() and not ch.isspace()
            )
            if name.lower().startswith("on") or UNSAFE.search(probe):
                found.append(f"{node.tag} {name}={value!r}")
    return found


def assert_safe_item(item: RawItem) -> None:
    assert safe_url(item.url) == item.url and item.url.startswith(("http://", "https://"))
    for fragment in (item.summary, item.content):
        assert dangers(fragment) == [], fragment
        assert "<script" not in fragment.lower()
    assert item.title == one_line(item.title) and len(item.title) <= 300
    for date in (item.published, item.updated):
        assert date is None or date.tzinfo is not None


# --- sanitizer ---------------------------------------------------------------------------------


@pytest.mark.slow
@given(FRAGMENTS)
@settings(max_examples=400, deadline=None)
def test_clean_html_output_holds_nothing_that_runs(fragment: str) -> None:
    out = clean_html(fragment, BASE)
    assert dangers(out) == [], out
    assert not INVALID_CHARS.search(out)


@pytest.mark.slow
@given(FRAGMENTS)
@example("<p><OBJECT></p>")  # removing the object left a paragraph inside a paragraph
@settings(max_examples=200, deadline=None)
def test_clean_html_is_stable_when_run_again(fragment: str) -> None:
    # Publishing sanitizes stored HTML a second time: that pass must not change it.
    once = clean_html(fragment, BASE)
    assert clean_html(once, BASE) == once


@given(disguised(), st.sampled_from([None, BASE]))
@settings(max_examples=500)
def test_safe_url_refuses_every_disguise_of_a_script_url(url: str, base: str | None) -> None:
    assert safe_url(url, base) is None


@given(st.one_of(st.text(max_size=60), URLS), st.sampled_from([None, BASE, "not a url"]))
@settings(max_examples=500)
def test_safe_url_gives_only_web_urls_with_nothing_to_break_an_attribute(
    url: str, base: str | None
) -> None:
    out = safe_url(url, base)
    if out is None:
        return
    assert out.lower().startswith(("http://", "https://", "mailto:"))
    assert not re.search(r"[ \t\n\r\"<>]", out)
    assert safe_url(out) == out  # publishing checks stored URLs again: same answer
    assert not UNSAFE.search(
        re.sub(r"[\s\x00-\x1f]", "", html.unescape(out)).replace("data:image", "")
    )


def test_a_script_scheme_inside_an_http_url_is_refused() -> None:
    # feedparser resolves the link ``jav&#x61;script:alert(1)`` as relative; decoding the
    # entity then gives an http URL with a script scheme in its path.
    assert safe_url("https://exemple.fr/jav&#x61;script:alert(1)") is None
    assert safe_url("/x/vbscript%3Amsgbox(1)", BASE) is None
    assert safe_url("https://exemple.fr/script-de-paie") == "https://exemple.fr/script-de-paie"


@pytest.mark.slow
def test_one_line_folds_exactly_what_a_regex_calls_white_space() -> None:
    # one_line folds with str.split(); every code point must agree with regex \s.
    spaces = re.compile(r"\s+")
    for code in range(0x110000):
        text = " a{0}{0}b{0}".format(chr(code))
        assert one_line(text) == spaces.sub(" ", clean_text(text)).strip(), hex(code)


@given(st.text(max_size=200))
def test_clean_text_and_one_line_leave_only_xml_safe_characters(text: str) -> None:
    assert not INVALID_CHARS.search(clean_text(text))
    line = one_line(text)
    assert "\n" not in line and "\r" not in line and line == line.strip()


# Text with every kind of character but markup: what the sanitizers' fast path for plain
# text sees. Whitespace, no-break spaces, carriage returns and accents are drawn often.
PLAIN = st.text(
    st.one_of(
        st.characters(blacklist_characters="<&"),
        st.sampled_from(["\r", "\u00a0", " ", "\n", "\t", "é", ">", "\u2028", "\ufeff"]),
    ),
    max_size=60,
)


@given(PLAIN, st.sampled_from([None, BASE]))
@settings(max_examples=1000)
@example("\ufeffx", None)
@example("\ufeff\ufeff x", None)
def test_plain_text_fast_path_reads_as_the_sanitizer_output(text: str, base: str | None) -> None:
    # clean_html and html_to_text skip nh3 for text with no tag and no reference: the
    # HTML they give must read as the same text as nh3's.
    cleaned = clean_text(text)
    through_nh3 = nh3.clean(cleaned, tags=set(), attributes={}, strip_comments=True)
    assert one_line(clean_html(text, base)) == one_line(html.unescape(through_nh3))
    assert sanitize.html_to_text(text) == one_line(html.unescape(through_nh3))


# French words with every accent, ligature and apostrophe, beside any character at all.
FOLDABLE = st.lists(
    st.one_of(
        st.characters(blacklist_categories=["Cs"]),
        st.sampled_from(list("éèêëàâäîïôöûüùçÉÈÊÀÇŒœÆæß'’ʼ‘`´-–—_ ﬁſİK²Ａ𝓐ᴬⅫⒶ\n\t\u0301")),
        st.sampled_from(["Viamedis", "l'Assurance", "rétabli", "hors-service", "cœur"]),
    ),
    max_size=40,
).map("".join)


@pytest.mark.slow
@given(FOLDABLE, FOLDABLE)
@settings(max_examples=1500)
@example("Cœur", "Æther ß ẞ")
@example("Lʼincident", "lʼautre")
@example("", "𝓐ᴬ")
@example("", "\u0345")
def test_the_classifier_reads_the_words_dedupe_would(title: str, text: str) -> None:
    # Analysis takes dedupe's words from the classifier's folding when it says they agree:
    # they must, and the fingerprint must be the one dedupe computes alone.
    from aggregator.understand.classify import Classifier
    from aggregator.understand.dedupe import fingerprint, normalise_text

    classification, words = Classifier().classify_and_read(title, text)
    assert classification == Classifier().classify(title, text)
    if words is not None:
        assert words == (normalise_text(title).split(), normalise_text(text).split())
        assert fingerprint(title, text, words) == fingerprint(title, text)


@pytest.mark.slow
@given(FOLDABLE, FOLDABLE)
@settings(max_examples=1000)
@example("L'`’", "d’œuvre l'an ` –")
def test_the_classifier_folds_and_splits_as_its_regexes_would(title: str, text: str) -> None:
    # fold_flagged replaces apostrophes with str.replace before its substitution, and _Doc
    # splits the folded text with str.translate: both as the plain regex passes would.
    from aggregator.text import folding
    from aggregator.understand import classify
    from aggregator.understand.matching import WORD

    def fold_by_substitution(value: str) -> tuple[str, bool]:
        apart = folding._PUNCT.sub(folding._replacement, value)
        decomposed = unicodedata.normalize("NFKD", apart)
        if folding._MARKS_ASIDE.search(decomposed) is None:
            plain = not folding._FOLDS_APART.search(value)
            return decomposed.encode("ascii", "ignore").decode("ascii"), plain
        return folding._NON_ASCII.sub(" ", folding._MARKS.sub("", decomposed)), False

    assert folding.fold_flagged(title) == fold_by_substitution(title)
    assert folding.fold_flagged(text) == fold_by_substitution(text)
    doc = classify._Doc(classify.Classifier().rules, title.replace("\n", " "), text)
    assert doc.text.isascii()
    assert doc.title_words == WORD.findall(doc.text, 0, doc.title_end)
    assert doc.body_words == WORD.findall(doc.text, doc.title_end + 1)


def test_every_character_the_classifier_calls_plain_reads_as_dedupe_reads_it() -> None:
    # The words are taken as plain only for text made of the Latin blocks and general
    # punctuation; check each of those characters alone and among letters.
    from aggregator.understand.classify import Classifier
    from aggregator.understand.dedupe import normalise_text

    classifier, plain = Classifier(), 0
    for code in [*range(0x250), *range(0x2000, 0x2070)]:
        for text in ("{}", "a{}b", "É{}x", "{0}{0}"):
            text = text.format(chr(code))
            words = classifier.classify_and_read("", text)[1]
            if words is not None:
                plain += 1
                assert words[1] == normalise_text(text).split(), hex(code)
    assert plain > 1500  # most of them are plain


def test_the_classifier_reads_french_text_in_one_pass() -> None:
    # The shortcut must apply to ordinary French text, or it saves nothing.
    from aggregator.understand.classify import Classifier

    title, text = "L'Assurance Maladie : œuvre rétablie", "Le téléservice ADRi est à nouveau…"
    assert Classifier().classify_and_read(title, text)[1] == (
        ["l", "assurance", "maladie", "oeuvre", "retablie"],
        ["le", "teleservice", "adri", "est", "a", "nouveau"],
    )
    assert Classifier().classify_and_read("Ελλάδα", text)[1] is None


def _text_through_nh3(fragment: str) -> str:
    spaced = sanitize._BLOCK_EDGE.sub(" <", clean_text(fragment))
    # Text never carries a script scheme (sanitize.without_script_schemes), nh3 aside.
    text = html.unescape(nh3.clean(spaced, tags=set(), attributes={}, strip_comments=True))
    return one_line(sanitize.without_script_schemes(text))


# Markup as the sanitizer writes it and as it never would: the tags of the shortcut and
# their near misses, every way of quoting, references of all kinds, stray brackets.
MARKUP_BITS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<br>",
        "<br/>",
        "<b>",
        "</b>",
        "<blockquote>",
        "<pre>",
        "</pre>",
        "<table>",
        "<tr>",
        "<td>",
        "</td>",
        "<textarea>",
        "<script>",
        "</script>",
        "<style>",
        "<!--",
        "-->",
        '<a href="x">',
        '<a href="x>y">',
        "<a href='x>y'>",
        '<a title=x"y>',
        '<a title= "v">',
        '<img src="i" alt="alt">',
        "<P CLASS=x>",
        "<p\x0c>",
        "<p\xa0>",
        "<pre>\n",
        "<xmp>",
        "&amp;",
        "&lt;",
        "&gt;",
        "&quot;",
        "&nbsp;",
        "&#39;",
        "&apos;",
        "&eacute;",
        "&amp",
        "&#0;",
        "&#x80;",
        "&#xFDD0;",
        "&notit;",
        "<",
        ">",
        "&",
        '"',
        "'",
        "=",
        " ",
        "\n",
        "\r",
        "texte",
        "é",
    ]  # fmt: skip
)
HTMLISH = st.lists(st.one_of(MARKUP_BITS, TEXT), max_size=25).map("".join)


@pytest.mark.slow
@given(st.one_of(HTMLISH, FRAGMENTS))
@settings(max_examples=1500, deadline=None)
@example("<table><tr><td>x</td></tr>stray</table>")
@example("<pre>\nligne</pre>")
@example('<a title=x"y>texte<b class="z">')
@example("\ufeff<b>x</b>")
@example("<b>\ufeffx</b>")
@example("\ufeff\ufeff&amp;")
def test_html_to_text_gives_what_nh3_gives(fragment: str) -> None:
    # On any fragment and on what the sanitizer makes of it.
    assert sanitize.html_to_text(fragment) == _text_through_nh3(fragment)
    cleaned = clean_html(fragment)
    assert sanitize.html_to_text(cleaned) == _text_through_nh3(cleaned)


@pytest.mark.slow
@given(st.from_regex(urls._ALREADY_CANONICAL, fullmatch=True))
@settings(max_examples=1000)
@example("https://a.example/x/AMP")
@example("https://xn--a.example/x")
@example("https://www.a.example/x")
@example("https://0.0/")  # a host ending in a number is an IPv4 address (w3lib >= 2.6)
@example("https://a.0x7f/x")
def test_urls_taken_as_canonical_are_what_the_full_rules_give(url: str) -> None:
    assert canonical_url(url) == urls._canonical_passes(url)


@pytest.mark.slow
@given(
    st.one_of(
        URLS,
        st.from_regex(r"(https?:)?//[a-zA-Z0-9.-]{1,20}(:\d{1,5})?(/[a-zA-Z0-9._~;=%-]{0,8}){0,4}/?"
                      r"(\?[a-z_]{1,6}=[a-z0-9]{0,4})?(#\w*)?", fullmatch=True),
    )
)  # fmt: skip
@settings(max_examples=1000)
def test_canonical_url_agrees_with_its_full_rules(url: str) -> None:
    assert canonical_url(url) == urls._canonical_passes(clean_text(url).strip())


def test_text_on_either_side_of_a_block_edge_stays_apart() -> None:
    from aggregator.understand.classify import Classifier
    from aggregator.understand.stage import analyse

    body = "<ul><li>Viamedis</li><li>Almerys</li></ul><p>En panne</p><h3>Que faire</h3>rien<br>ici"
    assert sanitize.html_to_text(body) == "Viamedis Almerys En panne Que faire rien ici"
    assert (
        sanitize.html_to_text("ré<b>tabli</b> <em>hier</em>") == "rétabli hier"
    )  # inline: one word
    verdict = analyse(Classifier(), "Tiers payant : deux opérateurs touchés", clean_html(body))
    assert verdict.classification.payers == ("viamedis", "almerys")


@given(st.text(max_size=40))
@settings(max_examples=500)
def test_the_url_probe_drops_exactly_white_space_and_unprintable_characters(text: str) -> None:
    expected = "".join(ch for ch in sanitize._unescape(text, unquote) if ch.isprintable())
    expected = "".join(ch for ch in expected if not ch.isspace())
    assert sanitize._probe(text) == unicodedata.normalize("NFKC", expected).lower()


def test_html_to_text_survives_a_lone_surrogate() -> None:
    assert sanitize.html_to_text("a\ud800b <b>c</b>") == "ab c"
    assert sanitize.html_to_text("\udfff") == ""


# --- extractors on structured hostile documents ------------------------------------------------


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]&gt;") + "]]>"


@st.composite
def rss(draw: st.DrawFn) -> bytes:
    items = []
    for _ in range(draw(st.integers(0, 4))):
        title = draw(st.one_of(TEXT, FRAGMENTS))
        link = draw(URLS)
        body = draw(FRAGMENTS)
        date = draw(st.one_of(st.text(max_size=30), st.just("Fri, 31 Dec 9999 23:59:59 GMT")))
        guid = draw(st.one_of(URLS, st.just("")))
        items.append(
            f"<item><title>{cdata(title)}</title><link>{html.escape(link)}</link>"
            f"<guid>{html.escape(guid)}</guid><pubDate>{html.escape(date)}</pubDate>"
            f"<description>{cdata(body)}</description></item>"
        )
    text = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
        f"{''.join(items)}</channel></rss>"
    )
    return text.encode("utf-8", "surrogatepass")


@pytest.mark.slow
@given(rss())
@SLOW
def test_parse_feed_on_hostile_entries_gives_only_safe_items(document: bytes) -> None:
    try:
        page = parse_feed(document, BASE)
    except ExtractError:
        return
    for item in page.items:
        assert_safe_item(item)


@st.composite
def atom(draw: st.DrawFn) -> bytes:
    entries = "".join(
        f"<entry><title type='html'>{html.escape(draw(FRAGMENTS))}</title>"
        f'<id>{html.escape(draw(URLS))}</id><link href="{html.escape(draw(URLS))}"/>'
        f"<content type='html'>{html.escape(draw(FRAGMENTS))}</content>"
        f"<updated>{html.escape(draw(st.text(max_size=25)))}</updated></entry>"
        for _ in range(draw(st.integers(1, 3)))
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{entries}</feed>'.encode(
        "utf-8", "surrogatepass"
    )


@pytest.mark.slow
@given(atom())
@SLOW
def test_parse_feed_on_hostile_atom_gives_only_safe_items(document: bytes) -> None:
    try:
        page = parse_feed(document, BASE)
    except ExtractError:
        return
    for item in page.items:
        assert_safe_item(item)


# Right, wrong, empty and invalid selectors alike.
SELECTORS = st.sampled_from(["article", "h2", "h2 a", "a", "p", ".x", "time", "li", "a[href]",
                             "div > p", "::before", "a[", "h2 >", "", ":has(", "*"])  # fmt: skip


@st.composite
def list_page(draw: st.DrawFn) -> bytes:
    articles = "".join(
        f"<article><h2><a href=\"{html.escape(draw(URLS))}\" onclick='x()'>{draw(FRAGMENTS)}</a>"
        f"</h2><p>{draw(FRAGMENTS)}</p><time>{html.escape(draw(st.text(max_size=20)))}</time></article>"
        for _ in range(draw(st.integers(0, 4)))
    )
    return f"<html><body>{articles}{draw(FRAGMENTS)}</body></html>".encode("utf-8", "surrogatepass")


@pytest.mark.slow
@given(list_page(), SELECTORS, SELECTORS, SELECTORS)
@SLOW
def test_parse_list_with_any_selectors_gives_safe_items_or_extract_error(
    page: bytes, item: str, title: str, link: str
) -> None:
    selectors = ListSelectors(item=item, title=title, link=link, date="time", summary="p")
    try:
        parsed = parse_list(page, BASE, selectors)
    except ExtractError:
        return
    for found in parsed.items:
        assert_safe_item(found)
    assert parsed.next_url is None


@pytest.mark.slow
@given(list_page(), SELECTORS, st.lists(SELECTORS, max_size=2), st.one_of(st.none(), SELECTORS))
@SLOW
def test_parse_article_with_any_selectors_gives_a_safe_body_or_extract_error(
    page: bytes, content: str, remove: list[str], date: str | None
) -> None:
    selectors = ArticleSelectors(content=content, remove=tuple(remove), date=date or None)
    try:
        body = parse_article(page, BASE, selectors)
    except ExtractError:
        return
    assert dangers(body.content) == []
    assert not INVALID_CHARS.search(body.text)
    assert body.published is None or body.published.tzinfo is not None


# --- canonical URLs and dates ------------------------------------------------------------------


@given(st.one_of(URLS, st.text(max_size=40)))
@settings(max_examples=300)
def test_canonical_url_of_a_safe_url_stays_a_safe_web_url(url: str) -> None:
    safe = safe_url(url, BASE)
    if safe is None or safe.startswith("mailto:"):
        return
    canonical = canonical_url(safe)
    assert canonical.startswith(("http://", "https://")), canonical
    assert safe_url(canonical) is not None


AWARE = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
OFFSETS = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(AWARE, OFFSETS)
@settings(max_examples=300)
def test_parse_date_reads_back_iso_and_rfc822_to_the_same_instant(
    when: datetime, zone: timezone
) -> None:
    local = when.astimezone(zone)
    assert parse_date(local.isoformat()) == when
    assert parse_date(format_datetime(local)) == when
    assert parse_date(f"Publié le {local.isoformat()}") == when


def test_dangers_helper_sees_what_it_must() -> None:
    # The checker itself must not be blind, or every test above passes for nothing.
    assert dangers('<a href="jav&#x61;script:x()">a</a>')
    assert dangers("<p onclick=x()>a</p>") and dangers("<svg></svg>")
    assert not dangers('<p title="onclick=x()">onerror=1 javascript</p>')


@given(
    st.one_of(
        st.from_regex(
            r"\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d(:[0-5]\d)?([+-][01]\d:[0-5]\d|Z)", fullmatch=True
        ),
        st.from_regex(r"[0-3]?\d (janvier|mars|décembre) \d{1,4}", fullmatch=True),
        st.sampled_from(
            ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-12:00", "1 janvier 0001"]
        ),
    )
)
@settings(max_examples=400)
def test_parse_date_gives_only_dates_the_pipeline_can_compute_with(text: str) -> None:
    # Dedupe windows and sorting convert to UTC and add days: year 1 at +01:00 cannot.
    found = parse_date(text)
    if found is not None:
        assert found.astimezone(UTC) - timedelta(days=366) < found + timedelta(days=366)
