"""RSS 2.0 and Atom (feedgen), JSON Feed 1.1 (json) and OPML (lxml) from cleaned items.

Every date written is one the data holds, never the clock: an unchanged run gives
byte-identical feeds. Items reach this module through :func:`clean_item`, which runs the
sanitizers once more (defence in depth) and drops every unsafe URL.

HTML-typed fields (Atom ``content``/``summary`` of type html, RSS ``description`` and
``content:encoded``, JSON Feed ``content_html``) are written from :class:`Markup` only: the
sanitizer's output, or a text escaped by it (:func:`body_html`). Text fields are written as
text, never decoded again.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import Markup

from aggregator.models import Item
from aggregator.text.sanitize import (
    clean_html,
    clean_text,
    escape_text,
    html_to_text,
    one_line,
    safe_url,
    text_without_tags,
)

PARIS = ZoneInfo("Europe/Paris")
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "aggregator"
# The date of a feed with no dated item: fixed, so that an empty feed never changes either.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNTITLED = "(sans titre)"
SUMMARY_CHARS = 400
_IRI = re.compile(r"(?:https?|urn|tag):[^\s<>\"{}|\\^`]+")
_SCRIPT_SCHEME = re.compile(r"(?:java|vb|live)\s*script\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class FeedSpec:
    """One logical feed, published as ``<path>.xml``, ``<path>.atom`` and ``<path>.json``."""

    path: str  # relative to output/, without extension: "feed", "payers/viamedis"
    title: str
    description: str
    page: str  # relative path of the HTML page this feed mirrors: "index.html"
    # The JSON Feed's path when it is not ``<path>.json`` (incidents.json is taken by the
    # list of incidents the contract names, so that feed is incidents-feed.json).
    json_path: str = ""

    @property
    def json_file(self) -> str:
        return self.json_path or self.path + ".json"


@dataclass(frozen=True)
class Labels:
    """Display names of the two vocabularies."""

    payer: Callable[[str], str]
    kind: Callable[[str], str]


# --- items ---------------------------------------------------------------------------------


def paris(value: datetime) -> datetime:
    """The same instant on Paris time; a naive datetime is taken as Paris time already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=PARIS)
    return value.astimezone(PARIS)


def instant(value: datetime) -> float:
    """Seconds since the epoch; a naive datetime is Paris time, never the host's zone."""
    return (value if value.tzinfo else value.replace(tzinfo=PARIS)).timestamp()


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with its offset, to the second, on Paris time."""
    return paris(value).isoformat(timespec="seconds") if value else None


def plain(text: str | None) -> str:
    """One line of a text field as it is published: text shaped like a tag is dropped (some
    readers render titles as HTML), and nothing is decoded (``&lt;`` stays as it is).

    >>> plain("Viamedis <script>alert(1)</script>&lt;en panne&gt;\\x00")
    'Viamedis &lt;en panne&gt;'
    """
    if not text:
        return ""
    return unscript(text_without_tags(text)).strip()


def html_text(fragment: Markup) -> str:
    """The readable text of an HTML field, as :func:`plain` publishes text."""
    return plain(html_to_text(fragment))


def unscript(text: str) -> str:
    """``text`` without any ``javascript:``-like token, even as plain words.

    Readers turn URL-looking text into links, so a script URL must not survive even as
    text. Repeated until stable, so that removing one cannot join the halves of another.
    """
    while ":" in text and _SCRIPT_SCHEME.search(text):
        text = _SCRIPT_SCHEME.sub("", text)
    return text


def clean_fragment(fragment: str) -> Markup:
    """Stored HTML sanitized once more on its way out (defence in depth), without even the
    text of a script URL (a reader may turn it into a link)."""
    cleaned = clean_html(fragment)
    for _ in range(_MAX_UNSCRIPT):
        if not _SCRIPT_SCHEME.search(cleaned):
            break
        cleaned = clean_html(unscript(cleaned))  # the sanitizer may decode another one
    return cleaned


_MAX_UNSCRIPT = 4


def body_html(item: Item) -> Markup:
    """What a feed shows of a cleaned item as HTML: its body, else its summary, else its
    title as text (escaped: a title is never markup, whatever it looks like)."""
    return item.content_html or item.summary or escape_text(item.title)


def texts(values: Iterable[str]) -> tuple[str, ...]:
    """Each value as :func:`plain` text, empty ones dropped."""
    return tuple(text for text in map(plain, values) if text)


def link(url: str) -> str | None:
    """``url`` when it is a safe http(s) URL, else None."""
    return safe_url(clean_text(url))


def _urls(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(url for url in map(link, values) if url)


def _slugs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(text for text in map(one_line, values) if text)


def clean_item(item: Item, html: bool = True) -> Item:
    """The item with every text cleaned, HTML sanitized again, unsafe URLs dropped ("").

    With ``html=False`` the stored HTML is kept as is, for pages that only ever show its
    plain text (:func:`summary_text`), never the markup.
    """
    # Built field by field rather than with dataclasses.replace (three times as slow), and
    # empty lists (most are) left as they are: publishing cleans every item once or twice.
    source = _plain_name(item.source)
    return Item(
        id=one_line(item.id),
        source=source,
        url=link(item.url) or "",
        title=plain(item.title) or UNTITLED,
        content_html=clean_fragment(item.content_html) if html else item.content_html,
        summary=clean_fragment(item.summary) if html else item.summary,
        date_published=item.date_published,
        date_modified=item.date_modified,
        first_seen=item.first_seen,
        payers=_slugs(item.payers) if item.payers else (),
        kinds=_slugs(item.kinds) if item.kinds else (),
        organisations=_slugs(item.organisations) if item.organisations else (),
        incidents=_slugs(item.incidents) if item.incidents else (),
        also_at=_urls(item.also_at) if item.also_at else (),
        actions=texts(item.actions) if item.actions else (),
        contacts=texts(item.contacts) if item.contacts else (),
        status=item.status,
        source_name=_plain_name(item.source_name) or source,
    )


@functools.lru_cache(maxsize=4096)
def _plain_name(name: str) -> str:
    """:func:`plain` of a source's id or name, which every item of the source repeats."""
    return plain(name)


def summary_text(item: Item) -> str:
    """Plain-text summary of a cleaned item: its summary, else the start of its body."""
    text = html_text(item.summary) or html_text(item.content_html)
    if len(text) <= SUMMARY_CHARS:
        return text
    cut = text[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def sort_key(item: Item) -> tuple[bool, float, str]:
    """Newest first, undated last, ties broken by id: ``sorted(items, key=sort_key)``."""
    date = item.date
    if date is None:
        return (True, 0.0, item.id)
    return (False, -instant(date), item.id)


def newest_date(items: Iterable[Item]) -> datetime:
    """The latest publication or modification among ``items``; EPOCH when none is dated."""
    dates = [paris(d) for i in items for d in (i.date, i.date_modified) if d is not None]
    return max(dates, default=EPOCH)


# --- RSS and Atom --------------------------------------------------------------------------


def _absolute(base_url: str, relative: str) -> str:
    return base_url + relative


def _entry(
    fg: FeedGenerator, item: Item, fallback: datetime, base_url: str, labels: Labels
) -> None:
    entry = fg.add_entry(order="append")
    entry.id(item.id)
    entry.title(item.title)
    if item.url:
        entry.link(href=item.url, rel="alternate")
    # Atom needs content or an alternate link; a title alone still makes a readable entry.
    entry.content(body_html(item), type="html")
    if item.summary and item.content_html:
        entry.summary(item.summary, type="html")
    date = paris(item.date) if item.date else fallback
    modified = paris(item.date_modified) if item.date_modified else date
    if item.date:
        entry.published(date)  # an undated item gets no made-up publication date
    entry.updated(max(date, modified))
    if item.source_name:
        entry.author(name=item.source_name)
    for slug in item.payers:
        entry.category(term=slug, label=labels.payer(slug), scheme=base_url + "payers/")
    for kind in item.kinds:
        entry.category(term=kind, label=labels.kind(kind), scheme=base_url + "kinds/")


def _generator(
    spec: FeedSpec, items: Sequence[Item], base_url: str, language: str, labels: Labels
) -> FeedGenerator:
    updated = newest_date(items)
    fg = FeedGenerator()
    fg.id(_absolute(base_url, spec.path + ".atom"))
    fg.title(spec.title)
    fg.subtitle(spec.description)
    fg.description(spec.description)
    fg.language(language)
    fg.author(name=spec.title)
    fg.generator(GENERATOR)
    fg.updated(updated)
    fg.lastBuildDate(updated)
    for item in items:
        _entry(fg, item, updated, base_url, labels)
    return fg


def atom_id(item_id: str) -> str:
    """The Atom id of an item: its id when already an IRI, else a URN around it.

    Atom requires an IRI where RSS takes any string; the URN is as stable as the id.

    >>> atom_id("3f9c0a")
    'urn:aggregator:item:3f9c0a'
    """
    if _IRI.fullmatch(item_id):
        return item_id
    return "urn:aggregator:item:" + quote(item_id, safe="-._~!$&'()*+,;=:@/")


def _links(fg: FeedGenerator, spec: FeedSpec, base_url: str, extension: str, kind: str) -> None:
    fg.link(
        [
            {"href": _absolute(base_url, spec.path + extension), "rel": "self", "type": kind},
            {"href": _absolute(base_url, spec.page), "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )


def rss_and_atom(
    spec: FeedSpec, items: Sequence[Item], base_url: str, language: str, labels: Labels
) -> tuple[bytes, bytes]:
    """The RSS 2.0 and Atom 1.0 documents of ``items`` (cleaned, already in feed order)."""
    fg = _generator(spec, items, base_url, language, labels)
    _links(fg, spec, base_url, ".xml", "application/rss+xml")
    rss: bytes = fg.rss_str(pretty=True)
    _links(fg, spec, base_url, ".atom", "application/atom+xml")
    for entry in fg.entry():
        entry.id(atom_id(entry.id()))
    atom: bytes = fg.atom_str(pretty=True)
    return rss, atom


# --- JSON Feed -----------------------------------------------------------------------------


def _json_item(item: Item) -> dict[str, object]:
    data: dict[str, object] = {"id": item.id}
    if item.url:
        data["url"] = item.url
    data["title"] = item.title
    if item.content_html or item.summary:
        data["content_html"] = body_html(item)
    else:
        data["content_text"] = item.title
    summary = summary_text(item)
    if summary:
        data["summary"] = summary
    if item.date:
        data["date_published"] = iso(item.date)
    if item.date_modified:
        data["date_modified"] = iso(item.date_modified)
    if item.source_name:
        data["authors"] = [{"name": item.source_name}]
    data["tags"] = list(item.tags)
    data["_advisory"] = {
        "source": item.source,
        "payers": list(item.payers),
        "incident_kinds": list(item.kinds),
        "incidents": list(item.incidents),
        "also_at": list(item.also_at),
        "actions": list(item.actions),
        "contacts": list(item.contacts),
    }
    return data


def json_feed(spec: FeedSpec, items: Sequence[Item], base_url: str, language: str) -> bytes:
    """The JSON Feed 1.1 document of ``items`` (cleaned, already in feed order)."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": spec.title,
        "description": spec.description,
        "home_page_url": _absolute(base_url, spec.page),
        "feed_url": _absolute(base_url, spec.json_file),
        "language": language,
        "items": [_json_item(item) for item in items],
    }
    return dump_json(document)


def dump_json(document: object) -> bytes:
    """Deterministic, readable UTF-8 JSON (non-ASCII kept as is, ending with a newline)."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- OPML ----------------------------------------------------------------------------------


def opml(title: str, groups: Sequence[tuple[str, Sequence[FeedSpec]]], base_url: str) -> bytes:
    """An OPML 2.0 list of the RSS version of every feed, one outline group per heading."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for heading, specs in groups:
        parent = body if not heading else etree.SubElement(body, "outline", text=heading)
        for spec in specs:
            etree.SubElement(
                parent,
                "outline",
                type="rss",
                text=spec.title,
                title=spec.title,
                xmlUrl=_absolute(base_url, spec.path + ".xml"),
                htmlUrl=_absolute(base_url, spec.page),
            )
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data
