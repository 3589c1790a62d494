"""An article page to its sanitized body, its plain text and its publication date.

Everything the ``remove`` selectors match (sidebars, "à lire aussi" lists, share buttons) is
dropped before the body is read, so a payer named only in a sidebar never reaches the
classifier. Scripts, styles, ``noscript`` and templates are always dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bs4 import BeautifulSoup, Tag

from aggregator.errors import ExtractError
from aggregator.extract.dates import parse_date
from aggregator.extract.html import compile_selector, date_of, make_soup, page_base, text_of
from aggregator.models import ArticleBody, ArticleSelectors
from aggregator.sanitize import clean_html

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
    soup = make_soup(content, headers)
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
        content=clean_html(str(body), base),
        text=text_of(body),
        published=configured or _fallback_date(soup, body),
    )


def _configured_date(soup: BeautifulSoup, selector: str | None) -> datetime | None:
    node = compile_selector(selector).select_one(soup) if selector else None
    return date_of(node) if node is not None else None


def _fallback_date(soup: BeautifulSoup, body: Tag) -> datetime | None:
    """The page metadata's date, else that of a ``<time>`` in the body.

    Used when no date selector is configured, or when a site redesign broke it.
    """
    for meta in _DATE_METAS:
        node = compile_selector(meta).select_one(soup)
        value = node.get("content") if node is not None else None
        found = parse_date(value) if isinstance(value, str) else None
        if found is not None:
            return found
    time = body.find("time", attrs={"datetime": True})
    return date_of(time) if isinstance(time, Tag) else None
