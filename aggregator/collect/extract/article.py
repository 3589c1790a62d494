"""An article page to its sanitized body, its plain text and its publication date.

Everything the ``remove`` selectors match (sidebars, "à lire aussi" lists, share buttons) is
dropped before the body is read, so a payer named only in a sidebar never reaches the
classifier. Scripts, styles, ``noscript`` and templates are always dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
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


def parse_article(
    content: bytes,
    url: str,
    selectors: ArticleSelectors,
    headers: Mapping[str, str] | None = None,
) -> ArticleBody:
    """The first ``selectors.content`` match, minus ``selectors.remove``, sanitized."""
    for selector in (selectors.content, *selectors.remove, selectors.date):
        if selector:
            compile_selector(selector)
    page = decode_html(content, headers)
    soup = make_soup(page)
    base = page_base(soup, url)
    if compile_selector(selectors.content).select_one(soup) is None:
        raise ExtractError(f"selector `{selectors.content}` matched nothing on the page")
    # The configured date element is read before `remove` runs: a byline kept out of the
    # text (remove: [.meta]) may still be where the date is.
    configured = _configured_date(soup, selectors.date)
    for selector in selectors.remove:
        for node in compile_selector(selector).select(soup):
            node.decompose()
    body = compile_selector(selectors.content).select_one(soup)
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
