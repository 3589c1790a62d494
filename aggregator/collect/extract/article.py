"""An article page to its sanitized body, its plain text and its publication date.

Everything the ``remove`` selectors match (sidebars, "à lire aussi" lists, share buttons) is
dropped before the body is read, so a payer named only in a sidebar never reaches the
classifier. Scripts, styles, ``noscript`` and templates are always dropped.

Without a ``content`` selector, or when it matches nothing (a redesign), trafilatura finds
the page's main text: paragraphs, lists and headings kept as blocks, menus, banners, share
bars, comments, related posts and link lists left out. Its HTML goes through the same
sanitizer as a selected body. ``ArticleBody.via`` says which way the body was found.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from aggregator.collect.extract.dates import parse_date
from aggregator.collect.extract.html import (
    compile_selector,
    date_of,
    decode_html,
    make_soup,
    page_base,
    sanitized,
    text_of,
)
from aggregator.errors import ExtractError
from aggregator.models import ArticleBody, ArticleSelectors
from aggregator.text.sanitize import one_line

# Where pages state their publication date when no `date` selector is configured, most
# reliable first: Open Graph / schema.org metadata, then a <time> in the body.
_DATE_METAS = (
    'meta[property="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="article:published_time"]',
    'meta[name="date"]',
    'meta[name="DC.date.issued" i]',
    'meta[name="dcterms.created" i]',
)
_JSON_LD = re.compile(
    r"""<script[^>]*type\s*=\s*["']?application/ld\+json[^>]*>(.*?)</script""",
    re.IGNORECASE | re.DOTALL,
)
# schema.org graphs are shallow; a bound keeps a hostile one from recursing deep.
_JSON_DEPTH = 8
# trafilatura drops a teaser box's link list but may keep its heading as a block of its own,
# or an inline teaser whole; a block that says only one of these labels beside its links is
# page chrome, never the article's text.
_CHROME_LABELS = re.compile(
    r"(?:(?:[àa] )?lire (?:aussi|également|egalement)|voir aussi|[àa] la une|sur le même sujet"
    r"|articles? (?:similaires|liés|associés)|nos articles|partager(?: cet article)?"
    r"|dans la même rubrique|les plus lus)\s*[:.…]?",
    re.IGNORECASE,
)
_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "strong", "b")


def parse_article(
    content: bytes,
    url: str,
    selectors: ArticleSelectors,
    headers: Mapping[str, str] | None = None,
) -> ArticleBody:
    """The first ``selectors.content`` match, minus ``selectors.remove``, sanitized; the
    main-content extractor's body when no selector is configured or it matches nothing."""
    for selector in (selectors.content, *selectors.remove, selectors.date):
        if selector:
            compile_selector(selector)
    page = decode_html(content, headers)
    soup = make_soup(page)
    base = page_base(soup, url)
    wanted = compile_selector(selectors.content) if selectors.content else None
    matched = wanted is not None and wanted.select_one(soup) is not None
    # The configured date element is read before `remove` runs: a byline kept out of the
    # text (remove: [.meta]) may still be where the date is.
    configured = _configured_date(soup, selectors.date)
    for selector in selectors.remove:
        for node in compile_selector(selector).select(soup):
            node.decompose()
    if wanted is None or not matched:
        return _extracted(soup, base, configured, page, selectors.content)
    body = wanted.select_one(soup)
    if body is None:
        raise ExtractError(
            f"selector `{selectors.content}` matched only inside what `remove` drops "
            f"({', '.join(selectors.remove)})"
        )
    return ArticleBody(
        content=sanitized(str(body), base),
        text=text_of(body),
        published=configured or _fallback_date(soup, body, page),
    )


def _extracted(
    soup: BeautifulSoup,
    base: str,
    configured: datetime | None,
    page: str,
    missed: str | None,
) -> ArticleBody:
    """The page's main text by trafilatura, tuned for precision: no comments, no tables
    (link tables pass its link-density test), no images; links kept, resolved by the
    sanitizer. The page given has already lost what ``remove`` drops; ``missed``: the
    ``content`` selector that matched nothing on it, if one is configured."""
    # Imported here: it takes some 0.15 s, which every run and worker would pay at start
    # even when every source has a working selector.
    import trafilatura

    try:
        found = trafilatura.extract(
            str(soup), url=base, output_format="html", favor_precision=True,
            include_comments=False, include_tables=False, include_images=False,
            include_links=True, include_formatting=True, deduplicate=False,
        )  # fmt: skip
    except Exception as exc:  # a third-party parser's surprise on one page: that page only
        raise ExtractError(f"the main-content extractor failed: {type(exc).__name__}") from None
    body = _without_chrome_labels(make_soup(found or "")).body
    # Only links (a menu the extractor fell back on) is no article text.
    if body is None or not _text_beside_links(body):
        why = f"selector `{missed}` matched nothing and " if missed else ""
        raise ExtractError(f"{why}the main-content extractor found no article text")
    return ArticleBody(
        content=sanitized("".join(str(node) for node in body.contents), base),
        text=text_of(body),
        published=configured or _fallback_date(soup, body, page),
        via="missed" if missed else "extractor",
    )


def _without_chrome_labels(soup: BeautifulSoup) -> BeautifulSoup:
    # The page's <h1> is the headline the item already has as its title.
    for node in soup.find_all("h1"):
        node.decompose()
    for node in soup.find_all(_BLOCKS):
        if not node.decomposed and _CHROME_LABELS.fullmatch(_text_beside_links(node)):
            node.decompose()
    return soup


def _text_beside_links(node: Tag) -> str:
    """A block's text outside its links: "Lire aussi <a>…</a>" reads "Lire aussi"."""
    return one_line(
        " ".join(str(text) for text in node.find_all(string=True) if text.find_parent("a") is None)
    )


def extractor_notes(vias: Iterable[str]) -> list[str]:
    """The status notes of a run's article pages: how many bodies the main-content
    extractor gave, and on how many the configured selector matched nothing."""
    count = Counter(vias)
    found = count["extractor"] + count["missed"]
    if not found:
        return []
    missed = f", `article.content` matched nothing on {count['missed']}" if count["missed"] else ""
    pages = f"{found} page{'s' if found > 1 else ''}"
    return [f"body without selector (main-content extractor): {pages}{missed}"]


def _configured_date(soup: BeautifulSoup, selector: str | None) -> datetime | None:
    node = compile_selector(selector).select_one(soup) if selector else None
    return date_of(node) if node is not None else None


def _fallback_date(soup: BeautifulSoup, body: Tag, page: str) -> datetime | None:
    """The page metadata's date (meta tags, then JSON-LD), else a ``<time>`` in the body.

    Used when no date selector is configured, or when a site redesign broke it.
    """
    for meta in _DATE_METAS:
        node = compile_selector(meta).select_one(soup)
        value = node.get("content") if node is not None else None
        found = parse_date(value) if isinstance(value, str) else None
        if found is not None:
            return found
    found = _json_ld_date(page)
    if found is not None:
        return found
    time = body.find("time", attrs={"datetime": True})
    return date_of(time) if isinstance(time, Tag) else None


def _json_ld_date(page: str) -> datetime | None:
    """The first schema.org ``datePublished`` of the page's JSON-LD blocks."""
    for block in _JSON_LD.findall(page):
        try:
            data = json.loads(block)
        except (ValueError, RecursionError):
            continue
        for value in _values_of(data, "datePublished", _JSON_DEPTH):
            found = parse_date(value)
            if found is not None:
                return found
    return None


def _values_of(data: object, key: str, depth: int) -> Iterator[str]:
    """Every string value of ``key`` in nested JSON, breadth before depth at each level."""
    if depth <= 0:
        return
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str):
            yield value
        children: list[object] = list(data.values())
    elif isinstance(data, list):
        children = list(data)
    else:
        return
    for child in children:
        yield from _values_of(child, key, depth - 1)
