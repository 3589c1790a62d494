"""parse_article: the body of an article page, minus sidebars, scripts and "à lire aussi"."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.collect.extract.article import parse_article
from aggregator.errors import ExtractError
from aggregator.models import ArticleSelectors

DATA = Path(__file__).parent / "data" / "extract"
URL = "https://echo-officine.example/2024/07/point-sur-la-panne/"
SELECTORS = ArticleSelectors(
    content="div.entry-content", remove=(".a-lire-aussi", ".partage"), date="time.entry-date"
)


def article() -> bytes:
    return (DATA / "article.html").read_bytes()


def test_body_without_removed_blocks() -> None:
    body = parse_article(article(), URL, SELECTORS)
    assert "Le service de vérification des droits" in body.text
    assert "Numéro d’assistance : 0800 00 00 00." in body.text
    # the "à lire aussi" block names another payer: it must not reach the classifier
    assert "Almerys" not in body.text and "Almerys" not in body.content
    assert "Partager" not in body.text
    # the sidebar outside the body is not part of it either
    assert "Kalixia" not in body.text


def test_without_remove_the_reading_list_stays() -> None:
    body = parse_article(article(), URL, ArticleSelectors(content="div.entry-content"))
    assert "Almerys" in body.text


def test_scripts_styles_and_noscript_are_always_dropped() -> None:
    body = parse_article(article(), URL, ArticleSelectors(content="div.entry-content"))
    for text in (body.content, body.text):
        assert "document.cookie" not in text and "window.location" not in text
        assert "traceur.example" not in text
        assert "color: red" not in text


def test_content_is_sanitized_with_absolute_links() -> None:
    body = parse_article(article(), URL, SELECTORS)
    assert "onclick" not in body.content
    assert 'href="https://echo-officine.example/dossiers/panne/"' in body.content
    assert "<strong>l’opérateur Oxalis</strong>" in body.content
    assert not body.content.startswith("<div")  # the container itself is not allowed HTML


def test_text_keeps_words_of_adjacent_paragraphs_apart() -> None:
    page = b"<div class='c'><p>premier</p><p>second</p><ul><li>un</li><li>deux</li></ul></div>"
    body = parse_article(page, URL, ArticleSelectors(content="div.c"))
    assert body.text == "premier second un deux"


def test_date_from_the_configured_selector() -> None:
    body = parse_article(article(), URL, SELECTORS)
    assert body.published == datetime.fromisoformat("2024-07-16T08:15:00+02:00")


def test_date_from_page_metadata_when_no_selector() -> None:
    page = article().replace(b'class="entry-date" datetime="2024-07-16T08:15:00+02:00"', b"")
    body = parse_article(page, URL, ArticleSelectors(content="div.entry-content"))
    assert body.published == datetime.fromisoformat("2024-07-16T08:15:00+02:00")


def test_date_from_json_ld_when_there_is_no_meta_tag() -> None:
    page = b"""<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@graph": [{"@type": "WebSite", "name": "Echo"}, {"@type": "NewsArticle",
    "datePublished": "2024-02-12T07:45:00+01:00"}]}</script>
    <script type="application/ld+json">{ pas du json</script></head>
    <body><div class="c"><p>Texte.</p><time datetime="2023-01-01">ancien</time></div>"""
    body = parse_article(page, URL, ArticleSelectors(content="div.c"))
    assert body.published == datetime.fromisoformat("2024-02-12T07:45:00+01:00")
    assert "schema.org" not in body.text


def test_date_from_a_time_in_the_body_when_there_is_no_metadata() -> None:
    page = b"""<div class="c"><p>Mis en ligne le <time datetime="2024-01-29T15:00">29 janvier
    </time></p><p>Texte.</p></div>"""
    body = parse_article(page, URL, ArticleSelectors(content="div.c"))
    assert body.published == datetime.fromisoformat("2024-01-29T15:00:00+01:00")


def test_date_from_french_text_of_the_configured_selector() -> None:
    page = """<p class="date">Publié le 2 février 2024 à 10h05</p>
    <div class="c"><p>Texte.</p></div>""".encode()
    selectors = ArticleSelectors(content="div.c", date="p.date")
    assert parse_article(page, URL, selectors).published == datetime.fromisoformat(
        "2024-02-02T10:05:00+01:00"
    )


def test_a_broken_date_selector_falls_back_to_metadata() -> None:
    selectors = ArticleSelectors(content="div.entry-content", date="span.introuvable")
    body = parse_article(article(), URL, selectors)
    assert body.published == datetime.fromisoformat("2024-07-16T08:15:00+02:00")


def test_configured_date_is_read_even_inside_a_removed_byline() -> None:
    page = """<div class="c"><p class="meta">Publié le 30/01/2024 à 17h45</p>
    <p>Texte de l'article.</p></div>""".encode()
    selectors = ArticleSelectors(content="div.c", remove=(".meta",), date=".meta")
    body = parse_article(page, URL, selectors)
    assert body.published == datetime.fromisoformat("2024-01-30T17:45:00+01:00")
    assert body.text == "Texte de l'article."


def test_no_date_anywhere_gives_none() -> None:
    page = b"<div class='c'><p>Sans date.</p></div>"
    assert parse_article(page, URL, ArticleSelectors(content="div.c")).published is None


def test_a_page_with_no_article_text_at_all_is_an_extract_error_naming_both_paths() -> None:
    page = b"<html><body><nav><a href='/'>Accueil</a></nav></body></html>"
    both = r"^selector `div\.corps` matched nothing and the main-content extractor found no"
    with pytest.raises(ExtractError, match=both):
        parse_article(page, URL, ArticleSelectors(content="div.corps"))
    with pytest.raises(ExtractError, match=r"^the main-content extractor found no article"):
        parse_article(page, URL, ArticleSelectors())


def test_content_removed_by_remove_is_explained() -> None:
    # The selector matches, but only inside what `remove` drops: a configuration mistake
    # to report, not a page to hand to the extractor.
    selectors = ArticleSelectors(content=".a-lire-aussi", remove=("aside",))
    with pytest.raises(ExtractError, match="matched only inside what `remove` drops"):
        parse_article(article(), URL, selectors)


@pytest.mark.parametrize(
    "selectors",
    [
        ArticleSelectors(content="div["),
        ArticleSelectors(content="div", remove=("aside", ":is(")),
        ArticleSelectors(content="div", date="time >"),
    ],
)
def test_invalid_selectors_are_extract_errors(selectors: ArticleSelectors) -> None:
    with pytest.raises(ExtractError, match=r"^invalid selector `"):
        parse_article(article(), URL, selectors)


def test_windows_1252_article_page() -> None:
    page = (DATA / "page-windows-1252.html").read_bytes()
    body = parse_article(page, URL, ArticleSelectors(content="ul.actus", remove=(".date",)))
    assert "l’opérateur rattrape son retard" in body.text
    assert "Île-de-France" in body.text
    assert "Publié le" not in body.text


@pytest.mark.slow
@pytest.mark.parametrize("opening", ["<div>", "<ul><li>", "<blockquote>"])
def test_deep_nesting_costs_linear_time(opening: str) -> None:
    # The sanitizer's parser is quadratic in depth: 30,000 levels of <ul><li> take it 6 s
    # unflattened, 8 times what 10,000 take. Growth is what is checked, not seconds, so a
    # slow or busy machine does not fail it: three times the depth must cost well under
    # nine times the time. CPU seconds of this process, so other processes sharing the
    # machine do not count.
    def seconds(depth: int) -> float:
        page = f"<body>{opening * depth}<p>Fin de la page piégée.</p></body>".encode()
        start = time.process_time()
        body = parse_article(page, URL, ArticleSelectors(content="body"))
        assert "Fin de la page piégée." in body.text
        return time.process_time() - start

    shallow = min(seconds(10_000) for _ in range(2))
    deep = min(seconds(30_000) for _ in range(2))
    assert deep < 5.5 * shallow, (shallow, deep)
    assert deep < 20


def test_nesting_beyond_the_limit_is_flattened_to_its_text() -> None:
    page = (
        "<div class='c'><p>Début.</p>"
        + "<blockquote>" * 100
        + "<a href='/cite'>la source</a> &amp; la suite"
        + "</blockquote>" * 100
        + "</div>"
    ).encode()
    body = parse_article(page, URL, ArticleSelectors(content="div.c"))
    assert 60 <= body.content.count("<blockquote>") <= 64
    assert "la source &amp; la suite" in body.content  # the text stays, the deep link goes
    assert body.text.endswith("la source & la suite")


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_article_raises_only_extract_error(content: bytes) -> None:
    try:
        body = parse_article(content, URL, ArticleSelectors(content="body", remove=("aside",)))
    except ExtractError:
        return
    assert "<script" not in body.content
