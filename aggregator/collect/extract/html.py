"""HTML list pages to items, through the CSS selectors of a source's ``list:`` block.

The helpers here (soup, selectors, links, dates, text) serve ``article.py`` too.

>>> page = b'<article><h2><a href="/n/1">Viamedis en panne</a></h2></article>'
>>> sel = ListSelectors(item="article", title="h2", link="h2 a")
>>> parse_list(page, "https://ex.fr/actus/", sel).items[0].url
'https://ex.fr/n/1'
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache

import lxml.html
import soupsieve
from bs4 import BeautifulSoup, Tag
from bs4.builder import ParserRejectedMarkup
from bs4.element import CData, NavigableString
from lxml import etree
from markupsafe import Markup

from aggregator.collect.extract.dates import parse_date
from aggregator.collect.extract.encoding import decode_html
from aggregator.errors import ExtractError
from aggregator.models import ListSelectors, ParsedPage, RawItem
from aggregator.text.sanitize import NO_HTML, clean_html, one_line, safe_url

__all__ = [
    "compile_selector",
    "date_of",
    "decode_html",
    "explain_list",
    "first_match",
    "link_of",
    "make_soup",
    "page_base",
    "page_url",
    "parse_list",
    "sanitized",
    "shorten",
    "text_of",
    "unique_items",
]

# Never content: dropped from every page before anything is read from it.
ALWAYS_DROPPED = ("script", "style", "noscript", "template")
# Elements that separate words when a page is read as text.
_BREAKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
}  # fmt: skip
_DATE_ATTRIBUTES = ("datetime", "content", "title")
# Real article bodies nest a few levels; see ``sanitized``.
MAX_DEPTH = 64
# A fragment that is a whole document: a doctype, or <html>, <head> or <body> first.
_DOCUMENT_START = re.compile(
    r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\b|html\b|head\b|body\b)", re.I | re.S
)
# libxml2 silently drops everything from the 256th nesting level to the end of the fragment;
# a cheap pre-pass brings deeper markup under this level first.
_PARSER_DEPTH = 200
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}  # fmt: skip
_SELF_ENDING = {"p", "li", "dt", "dd", "option", "tr", "td", "th"}  # a new one ends the last
# Each element costs BeautifulSoup about 500 bytes: a 10 MB page of empty tags would take
# gigabytes. Real pages, even long lists, have a few tens of thousands.
MAX_TAGS = 200_000
# A title selector that catches a whole block must not make a 5,000-character headline.
MAX_TITLE = 300
_SHOWN = 80


# --- helpers shared with article.py ------------------------------------------------------


def make_soup(content: bytes | str, headers: Mapping[str, str] | None = None) -> BeautifulSoup:
    """The parsed page (bytes, or text already decoded), without scripts and styles."""
    text = content if isinstance(content, str) else decode_html(content, headers)
    if text.count("<") > MAX_TAGS:
        raise ExtractError(
            f"the page has more than {MAX_TAGS:,} tags, far more than any real page; not parsed"
        )
    try:
        soup = BeautifulSoup(text, "lxml")
    except (ParserRejectedMarkup, ValueError, LookupError) as exc:
        raise ExtractError(f"the page could not be parsed as HTML: {exc}") from None
    for node in soup.find_all(ALWAYS_DROPPED):
        node.decompose()
    return soup


@lru_cache(maxsize=256)
def compile_selector(selector: str) -> soupsieve.SoupSieve:
    """A compiled CSS selector, or ExtractError naming it and saying what is wrong."""
    try:
        return soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExtractError(f"invalid selector `{selector}`: {reason}") from None


def page_base(soup: BeautifulSoup, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` if usable, else the page."""
    base = soup.find("base", href=True)
    href = base.get("href") if isinstance(base, Tag) else None
    return (page_url(href, url) if isinstance(href, str) else None) or url


def page_url(href: str | None, base: str | None = None) -> str | None:
    """``safe_url`` for what must be a web page (an item's link): http and https only.

    A ``mailto:`` link is safe to show but is no article a reader can open.
    """
    url = safe_url(href, base)
    return url if url and url.lower().startswith(("http://", "https://")) else None


def first_match(node: Tag, selector: str) -> Tag | None:
    """The first element under ``node`` the selector matches, else ``node`` if it matches.

    The fallback lets ``link: a`` work when the item itself is the ``<a>``.
    """
    compiled = compile_selector(selector)
    found = compiled.select_one(node)
    if found is None and compiled.match(node):
        return node
    return found


def link_of(node: Tag) -> str | None:
    """The href of a link element, of its first link inside, or of a link wrapping it."""
    candidates = [node, node.find("a", href=True), node.find_parent("a", href=True)]
    for candidate in candidates:
        href = candidate.get("href") if isinstance(candidate, Tag) else None
        if isinstance(href, str) and href.strip():
            return href
    return None


def date_of(node: Tag) -> datetime | None:
    """A date from a machine-readable attribute (``<time datetime>``), else from the text."""
    holders = [node, node.select_one("[datetime]")]
    for holder in holders:
        if not isinstance(holder, Tag):
            continue
        for name in _DATE_ATTRIBUTES:
            value = holder.get(name)
            found = parse_date(value) if isinstance(value, str) else None
            if found is not None:
                return found
    return parse_date(text_of(node))


def sanitized(fragment: str, base: str) -> Markup:
    """``clean_html`` of a scraped fragment, its nesting first cut to ``MAX_DEPTH`` levels.

    The HTML parser under nh3 takes time quadratic in nesting depth: 100,000 nested
    ``<div>`` would hold the pipeline for minutes. What lies deeper is kept as text.
    """
    return clean_html(_shallow(_body_of(fragment)), base)


def _body_of(fragment: str) -> str:
    """A whole HTML document given as a fragment (a feed's description holding
    ``<html><head>…<body>…``) reduced to what its body holds: its head (title, styles,
    metadata) is not the item's text, and a document without a body has none."""
    if not _DOCUMENT_START.match(fragment):
        return fragment
    if fragment.count("<") > _PARSER_DEPTH:
        fragment = _cap_depth(fragment, _PARSER_DEPTH)
    try:
        document = lxml.html.document_fromstring(
            fragment.encode("utf-8", "replace"), parser=lxml.html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError):
        return ""
    body = document.find("body")
    if body is None:
        return ""
    return "".join(_serialize(node) for node in [body.text or "", *body])


def _shallow(fragment: str) -> str:
    if fragment.count("<") <= MAX_DEPTH:  # too few tags to nest that deep
        return fragment
    if fragment.count("<") > _PARSER_DEPTH:
        fragment = _cap_depth(fragment, _PARSER_DEPTH)
    try:
        # Bytes, so that an XML declaration in the text cannot make lxml refuse it.
        root = lxml.html.fragment_fromstring(
            fragment.encode("utf-8", "replace"),
            create_parent="div",
            parser=lxml.html.HTMLParser(encoding="utf-8"),
        )
    except (etree.ParserError, ValueError, AssertionError):  # lxml asserts on odd documents
        return fragment
    deep = _elements_at_depth(root, MAX_DEPTH)
    if not deep:
        return fragment
    for element in deep:
        etree.strip_tags(element, "*")
    return "".join(_serialize(node) for node in [root.text or "", *root])


def _cap_depth(fragment: str, limit: int) -> str:
    """Tags nested deeper than ``limit`` removed, their text kept.

    A tokenizer with a stack of open elements, not a parser: it knows that a new ``<p>``
    or ``<li>`` closes the previous one and that a closing tag closes what it encloses;
    whatever comes out, nh3 sanitizes.
    """
    stack: list[str] = []
    open_count: Counter[str] = Counter()

    def keep(match: re.Match[str]) -> str:
        closing, raw_name, self_closing = match.groups()
        name = raw_name.lower()
        if self_closing or name in _VOID:
            return match.group(0) if len(stack) < limit else ""
        if closing:
            if not open_count[name]:
                return ""  # closes nothing: every parser ignores it
            index = len(stack) - 1
            while stack[index] != name:  # from the top: what it passes, it closes
                index -= 1
            for closed in stack[index:]:
                open_count[closed] -= 1
            del stack[index:]
            return match.group(0) if index < limit else ""
        if name in _SELF_ENDING and stack and stack[-1] == name:
            open_count[stack.pop()] -= 1
        stack.append(name)
        open_count[name] += 1
        return match.group(0) if len(stack) <= limit else ""

    return _TAG.sub(keep, fragment)


def _elements_at_depth(root: lxml.html.HtmlElement, depth: int) -> list[etree._Element]:
    """Elements ``depth`` levels under ``root`` that have children of their own."""
    level: list[etree._Element] = [root]
    for _ in range(depth):
        level = [child for element in level for child in element]
    return [element for element in level if len(element)]


def _serialize(node: str | etree._Element) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    return str(lxml.html.tostring(node, encoding="unicode"))


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_of(node: Tag) -> str:
    """The readable text of an element on one line, words kept apart at block boundaries."""
    parts: list[str] = []
    for element in node.descendants:
        if isinstance(element, Tag):
            if element.name in _BREAKS:
                parts.append(" ")
        elif type(element) in (NavigableString, CData):
            parts.append(str(element))
    return one_line("".join(parts))


# --- list pages ------------------------------------------------------------------------------


def parse_list(
    content: bytes,
    url: str,
    selectors: ListSelectors,
    headers: Mapping[str, str] | None = None,
) -> ParsedPage:
    """One item per ``selectors.item`` match that has both a title and a safe link."""
    for selector in _selectors(selectors).values():
        compile_selector(selector)
    soup = make_soup(content, headers)
    base = page_base(soup, url)
    nodes = compile_selector(selectors.item).select(soup)
    if not nodes:
        raise ExtractError(f"selector `{selectors.item}` matched nothing on the page")
    items = unique_items(filter(None, (_list_item(node, base, selectors) for node in nodes)))
    if not items:
        raise ExtractError(
            f"selector `{selectors.item}` matched {len(nodes)} elements, but none had both "
            f"a title (`{selectors.title}`) and a usable link (`{selectors.link}`)"
        )
    return ParsedPage(
        items=items, next_url=_next_url(soup, base, url, selectors), title=_title(soup)
    )


def _selectors(selectors: ListSelectors) -> dict[str, str]:
    """The configured selectors by field name, in the order of sources.yaml."""
    names = ("item", "title", "link", "date", "summary", "next")
    return {name: value for name in names if (value := getattr(selectors, name))}


def _list_item(node: Tag, base: str, selectors: ListSelectors) -> RawItem | None:
    title_node = first_match(node, selectors.title)
    link_node = first_match(node, selectors.link)
    title = shorten(text_of(title_node), MAX_TITLE) if title_node is not None else ""
    href = link_of(link_node) if link_node is not None else None
    url = page_url(href, base)
    if not title or not url:
        return None
    date_node = first_match(node, selectors.date) if selectors.date else None
    summary_node = first_match(node, selectors.summary) if selectors.summary else None
    return RawItem(
        guid=url,
        url=url,
        title=title,
        summary=sanitized(str(summary_node), base) if summary_node is not None else NO_HTML,
        published=date_of(date_node) if date_node is not None else None,
    )


def unique_items(items: Iterable[RawItem]) -> list[RawItem]:
    """Items in order, each guid once (lists repeat a featured story, feeds an entry)."""
    seen: set[str] = set()
    unique = []
    for item in items:
        if item.guid not in seen:
            seen.add(item.guid)
            unique.append(item)
    return unique


def _next_url(soup: BeautifulSoup, base: str, url: str, selectors: ListSelectors) -> str | None:
    if not selectors.next:
        return None
    node = compile_selector(selectors.next).select_one(soup)
    found = page_url(link_of(node), base) if node is not None else None
    return found if found and found != url else None


def _title(soup: BeautifulSoup) -> str | None:
    if soup.title is None:
        return None
    return text_of(soup.title) or None


# --- explaining selectors to a human ---------------------------------------------------------


def explain_list(
    content: bytes,
    url: str,
    selectors: ListSelectors,
    headers: Mapping[str, str] | None = None,
) -> list[str]:
    """What each selector finds on the page, as lines for ``aggregator check``.

    Never raises for a bad selector: the line says what is wrong with it.
    """
    try:
        soup = make_soup(content, headers)
    except ExtractError as exc:
        return [str(exc)]
    base = page_base(soup, url)
    lines = []
    nodes: list[Tag] = []
    for name, selector in _selectors(selectors).items():
        try:
            compile_selector(selector)
        except ExtractError as exc:
            lines.append(f"{name} `{selector}`: {exc}")
            continue
        if name == "item":
            nodes = compile_selector(selector).select(soup)
            lines.append(f"item `{selector}`: {_count(len(nodes))}")
        elif name == "next" or not nodes:
            # Without items, a page-wide count still shows whether the selector is right.
            found = compile_selector(selector).select(soup)
            where = "" if name == "next" else " on the whole page (no items to look in)"
            lines.append(
                f"{name} `{selector}`: {_count(len(found))}{where}{_first(name, found, base)}"
            )
        else:
            found = [m for node in nodes if (m := first_match(node, selector)) is not None]
            lines.append(
                f"{name} `{selector}`: found in {len(found)} of {len(nodes)} items"
                f"{_first(name, found, base)}"
            )
    return lines


def _count(number: int) -> str:
    return f"{number} match" if number == 1 else f"{number} matches"


def _first(name: str, found: list[Tag], base: str) -> str:
    """How the first match reads for its field: a link's URL, a date's value, else its text."""
    if not found:
        return ""
    node = found[0]
    if name in ("link", "next"):
        href = link_of(node)
        resolved = safe_url(href, base)
        return f"; first: {resolved}" if resolved else f"; first: no usable href ({href!r})"
    text = shorten(text_of(node), _SHOWN)
    if name == "date":
        date = date_of(node)
        return f'; first: "{text}" -> {date.isoformat() if date else "not a date"}'
    return f'; first: "{text}"'
