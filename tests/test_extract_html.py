"""parse_list, explain_list and decode_html on list pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.collect.extract.html import decode_html, explain_list, parse_list
from aggregator.errors import ExtractError
from aggregator.models import ListSelectors

DATA = Path(__file__).parent / "data" / "extract"
PAGE_URL = "https://union-officines.example/presse/communiques/"
SELECTORS = ListSelectors(
    item="article.communique",
    title="h2",
    link="h2",  # an <h2> holding the <a>, or held by it: both give the link
    date="p.meta",
    summary=".extrait",
    next="a.next",
)


def list_page() -> bytes:
    return (DATA / "list.html").read_bytes()


def test_list_items_in_page_order_with_absolute_links_through_base() -> None:
    page = parse_list(list_page(), PAGE_URL, SELECTORS)
    assert [item.url for item in page.items] == [
        # relative to <base href>, not to the page URL
        "https://union-officines.example/presse/2024/cyberattaque-operateur-consignes/",
        "https://union-officines.example/presse/2024/avance-de-tresorerie/",
        "https://union-officines.example/presse/2024/retour-normale/",
    ]
    assert all(item.guid == item.url for item in page.items)
    assert page.title == "Communiqués de presse | Union des officines"


def test_list_titles_are_plain_one_line_text() -> None:
    titles = [item.title for item in parse_list(list_page(), PAGE_URL, SELECTORS).items]
    assert titles == [
        "Cyberattaque d’un opérateur : nos consignes",
        "Avance de trésorerie : la demande de l’Union",  # no-break space folded
        "Retour à la normale des portails",
    ]


def test_list_items_without_title_or_safe_link_are_skipped() -> None:
    titles = [item.title for item in parse_list(list_page(), PAGE_URL, SELECTORS).items]
    assert "Communiqué sans lien" not in titles and "Lien piégé" not in titles


def test_list_dates_from_datetime_attribute_or_french_text() -> None:
    first, second, third = parse_list(list_page(), PAGE_URL, SELECTORS).items
    assert first.published == datetime.fromisoformat("2024-01-29T18:00:00+01:00")
    assert second.published == datetime.fromisoformat("2024-02-02T00:00:00+01:00")
    assert third.published == datetime.fromisoformat("2024-08-12T09:30:00+02:00")


def test_list_summary_is_sanitized_with_absolute_links() -> None:
    first, second, _ = parse_list(list_page(), PAGE_URL, SELECTORS).items
    assert "Changez le mot de passe" in first.summary
    assert 'href="https://union-officines.example/conseils/mots-de-passe/"' in first.summary
    assert "voler" not in first.summary and "<script" not in first.summary
    assert "onmouseover" not in second.summary


def test_list_next_page_is_resolved_and_scripts_are_not_content() -> None:
    page = parse_list(list_page(), PAGE_URL, SELECTORS)
    assert page.next_url == "https://union-officines.example/presse/page/2/"
    # the article written by document.write() in a <script> is not an item
    assert all("piege" not in item.url for item in page.items)


def test_list_without_next_selector_has_no_next_page() -> None:
    selectors = ListSelectors(item="article.communique", title="h2", link="h2")
    assert parse_list(list_page(), PAGE_URL, selectors).next_url is None


def test_next_link_to_the_same_page_is_ignored() -> None:
    page = b'<ul><li><a href="/a">A</a></li></ul><a class="next" href="">suite</a>'
    selectors = ListSelectors(item="li", title="a", link="a", next="a.next")
    assert parse_list(page, "https://a.example/liste", selectors).next_url is None


def test_item_that_is_itself_the_link() -> None:
    page = b'<a class="carte" href="/n/1">Premier</a> <a class="carte" href="/n/2">Second</a>'
    selectors = ListSelectors(item="a.carte", title="a", link="a")
    page_items = parse_list(page, "https://a.example/", selectors).items
    assert [(i.title, i.url) for i in page_items] == [
        ("Premier", "https://a.example/n/1"),
        ("Second", "https://a.example/n/2"),
    ]


def test_a_title_selector_catching_a_whole_block_is_cut_short() -> None:
    page = ("<article><a href='/n'>" + "Très long texte. " * 100 + "</a></article>").encode()
    item = parse_list(page, "https://a.example/", ListSelectors("article", "a", "a")).items[0]
    assert len(item.title) <= 300 and item.title.endswith("Très long…")


def test_a_story_listed_twice_gives_one_item() -> None:
    page = b"""<section><h3><a href="/une">A la une</a></h3></section>
    <section><h3><a href="https://a.example/une">A la une (rappel)</a></h3></section>"""
    selectors = ListSelectors(item="section", title="h3", link="h3 a")
    page_items = parse_list(page, "https://a.example/", selectors).items
    assert [i.title for i in page_items] == ["A la une"]


def test_table_rows_as_items() -> None:
    page = """<table class="alertes"><thead><tr><th>Date</th><th>Alerte</th></tr></thead><tbody>
    <tr><td class="date">06/02/2024</td><td class="titre"><a href="alerte-12">Faille critique
    dans un logiciel d'officine</a></td></tr>
    <tr><td class="date">08/02/2024</td><td class="titre"><a href="alerte-13">Rançongiciel :
    indicateurs</a></td></tr></tbody></table>""".encode()
    selectors = ListSelectors(item="table.alertes tbody tr", title="td.titre", link="td.titre a",
                              date="td.date")  # fmt: skip
    page_items = parse_list(page, "https://cert.example/alertes/", selectors).items
    assert page_items[0].title == "Faille critique dans un logiciel d'officine"
    assert page_items[1].url == "https://cert.example/alertes/alerte-13"
    assert page_items[1].published == datetime.fromisoformat("2024-02-08T00:00:00+01:00")


# --- errors ----------------------------------------------------------------------------------


def test_item_selector_matching_nothing_names_the_selector() -> None:
    selectors = ListSelectors(item="div.post-card", title="h2", link="h2 a")
    with pytest.raises(ExtractError, match=r"^selector `div\.post-card` matched nothing"):
        parse_list(list_page(), PAGE_URL, selectors)


def test_items_all_lacking_title_or_link_is_an_error_naming_both_selectors() -> None:
    selectors = ListSelectors(item="article.communique", title="h4", link="h2")
    with pytest.raises(ExtractError, match=r"matched 5 elements.*`h4`.*`h2`"):
        parse_list(list_page(), PAGE_URL, selectors)


@pytest.mark.parametrize("field", ["item", "title", "link", "date", "summary", "next"])
def test_invalid_selector_is_an_extract_error_naming_it(field: str) -> None:
    values = {"item": "article", "title": "h2", "link": "h2 a", field: "a[href"}
    selectors = ListSelectors(**values)
    with pytest.raises(ExtractError, match=r"^invalid selector `a\[href`: .+"):
        parse_list(list_page(), PAGE_URL, selectors)


def test_pseudo_element_selector_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="invalid selector `h2::before`"):
        parse_list(list_page(), PAGE_URL, ListSelectors(item="article", title="h2::before",
                                                        link="a"))  # fmt: skip


# --- explain_list ----------------------------------------------------------------------------


def test_explain_list_counts_and_shows_first_matches() -> None:
    lines = explain_list(list_page(), PAGE_URL, SELECTORS)
    assert lines == [
        "item `article.communique`: 5 matches",
        'title `h2`: found in 5 of 5 items; first: "Cyberattaque d’un opérateur : nos consignes"',
        "link `h2`: found in 5 of 5 items; first: "
        "https://union-officines.example/presse/2024/cyberattaque-operateur-consignes/",
        'date `p.meta`: found in 4 of 5 items; first: "Publication : 29 janvier 2024" '
        "-> 2024-01-29T18:00:00+01:00",
        'summary `.extrait`: found in 2 of 5 items; first: "Changez le mot de passe de votre '
        'messagerie (méthode)."',
        "next `a.next`: 1 match; first: https://union-officines.example/presse/page/2/",
    ]


def test_explain_list_when_item_matches_nothing_counts_over_the_page() -> None:
    selectors = ListSelectors(item="li.actu", title="h2", link="h2 a", date="time")
    lines = explain_list(list_page(), PAGE_URL, selectors)
    assert lines[0] == "item `li.actu`: 0 matches"
    assert lines[1].startswith("title `h2`: 5 matches on the whole page (no items to look in)")
    assert lines[3].endswith("-> 2024-01-29T18:00:00+01:00")


def test_explain_list_reports_bad_selectors_and_unusable_links() -> None:
    selectors = ListSelectors(item="article.communique", title="h2[", link="h2 a", date="h2")
    lines = explain_list(list_page(), PAGE_URL, selectors)
    assert lines[1].startswith("title `h2[`: invalid selector `h2[`: ")
    assert lines[3].endswith("-> not a date")
    page = b'<ul><li><a href="javascript:x()">piege</a></li></ul>'
    lines = explain_list(page, PAGE_URL, ListSelectors(item="li", title="a", link="a"))
    assert lines[2] == "link `a`: found in 1 of 1 items; first: no usable href ('javascript:x()')"


# --- decoding --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"content-type": "text/html"},
        {"content-type": "text/html; charset=utf-8"},  # the server lies
        {"Content-Type": "text/html; charset=ISO-8859-1"},
    ],
)
def test_windows_1252_page_labelled_only_in_meta_or_mislabelled(
    headers: dict[str, str] | None,
) -> None:
    page = (DATA / "page-windows-1252.html").read_bytes()
    selectors = ListSelectors(item="li.actu", title="h3", link="h3 a", date=".date",
                              summary=".chapo")  # fmt: skip
    first, second = parse_list(page, "https://union.example/actus/", selectors, headers).items
    assert first.title == "Reprise des paiements : l’opérateur rattrape son retard"
    assert "régularisés d’ici à vendredi" in first.summary
    assert second.title == "Un numéro vert pour les pharmacies d’Île-de-France"
    assert second.published == datetime.fromisoformat("2024-02-01T10:05:00+01:00")


@pytest.mark.parametrize(
    ("content", "headers", "expected"),
    [
        # UTF-8 served as ISO-8859-1 by a default server configuration
        ("<p>Évreux – 5 €</p>".encode(), {"content-type": "text/html; charset=iso-8859-1"},
         "<p>Évreux – 5 €</p>"),
        # the header is right, the meta is wrong
        ('<meta charset="utf-8"><p>Sète</p>'.encode("cp1252"),
         {"content-type": "text/html; charset=windows-1252"}, '<meta charset="utf-8"><p>Sète</p>'),
        # no label at all: legacy French text
        ("<p>Pharmacie de l’Église</p>".encode("cp1252"), None, "<p>Pharmacie de l’Église</p>"),
        # a byte order mark beats every label
        (b"\xef\xbb\xbf<p>\xc3\xa9t\xc3\xa9</p>",
         {"content-type": "text/html; charset=windows-1252"}, "<p>été</p>"),
        ("<p>hiver</p>".encode("utf-16"), None, "<p>hiver</p>"),
        # ISO-8859-15 is not windows-1252: € sits elsewhere
        ('<meta charset="iso-8859-15"><p>10 €</p>'.encode("iso-8859-15"), None,
         '<meta charset="iso-8859-15"><p>10 €</p>'),
        # unknown or dangerous labels are ignored
        ("<p>Café</p>".encode(), {"content-type": "text/html; charset=x-inconnu"}, "<p>Café</p>"),
        (b"<p>+ADw-script+AD4-</p>", {"content-type": "text/html; charset=utf-7"},
         "<p>+ADw-script+AD4-</p>"),
    ],
)  # fmt: skip
def test_decode_html(content: bytes, headers: dict[str, str] | None, expected: str) -> None:
    assert decode_html(content, headers) == expected


# --- arbitrary input -------------------------------------------------------------------------

_HTMLISH = st.lists(
    st.sampled_from(
        [
            b"<article>",
            b"</article>",
            b"<h2>",
            b"</h2>",
            b'<a href="',
            b'">',
            b"</a>",
            b"<time datetime='2024-13-99'>",
            b"30 janvier 2024",
            b"<base href='javascript:x'>",
            b"<base href='//autre.example/'>",
            b"../",
            b"\x00",
            b"\xe9",
            b"\xff\xfe",
            b"<script>",
            b"<meta charset='utf-16'>",
            b"&#0;",
            b"&amp;",
            b"<a class=next href='?p=2'>",
            b"]]>",
        ]
    ),
    max_size=40,
).map(b"".join)


@given(st.one_of(st.binary(max_size=2000), _HTMLISH))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_list_raises_only_extract_error(content: bytes) -> None:
    selectors = ListSelectors(item="article", title="h2", link="h2", date="time", next="a.next")
    try:
        page = parse_list(content, "https://a.example/liste/", selectors)
    except ExtractError:
        return
    for item in page.items:
        assert item.url.startswith(("http://", "https://")) and item.title
    assert explain_list(content, "https://a.example/liste/", selectors)
