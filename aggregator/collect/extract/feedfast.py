"""A quick reading of plain, well-formed feeds, giving what feedparser would give.

feedparser reads any feed, however broken, through Python callbacks on every element:
on a first run over hundreds of feeds it is the largest single cost of a run. Most feeds
are plain, well-formed RSS 2.0, Atom 1.0 or RSS 1.0. For those, this module reads the
few entry fields the aggregator uses from an lxml tree, the way feedparser maps them
(which element feeds which key, whitespace, relative links, the mis-decoded UTF-8 and
Windows-1252 repairs feedparser applies to every text), with its own code for the repairs
and the standard library's urljoin (feedparser's helpers are private).

It only answers when it is sure to agree with feedparser: anything unusual (a DTD,
``xml:base``, an element it does not know inside an entry, markup where text belongs,
repeated fields, XHTML or base64 content, a date it cannot read, a document lxml would
not parse strictly) makes :func:`read_plain_feed` return None, and the caller hands the
document to feedparser. tests/test_feedfast.py holds both readers to the same result.

Why not another library: fastfeedparser (the fast parser on PyPI) was tried and gives
different answers where it matters here: it took a numeric ``<guid>`` for a date, reads
Atom ``type="text"`` summaries as markup, and fills a missing body from the summary.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from aggregator.collect.extract.dates import parse_date

# The C1 controls and the Windows-1252 characters they usually stand for, as feedparser maps
# them (the five bytes Windows-1252 leaves undefined stay as they are).
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
# feedparser drops the slashes after "scheme://" beyond two before joining a link.
_EXTRA_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+,\-.]*://)/*")

ATOM = "{http://www.w3.org/2005/Atom}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
RSS1 = "{http://purl.org/rss/1.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"

# Entry children read, and the feedparser key each feeds. Dates are read as text.
_RSS_FIELDS = {
    "title": "title",
    "link": "link",
    "guid": "id",
    "description": "summary",
    CONTENT + "encoded": "content",
    "pubDate": "published",
    DC + "date": "updated",
    DCTERMS + "modified": "updated",
    DCTERMS + "issued": "published",
    DCTERMS + "created": "created",
}
_RSS1_FIELDS = {
    RSS1 + "title": "title",
    RSS1 + "link": "link",
    RSS1 + "description": "summary",
    CONTENT + "encoded": "content",
    DC + "date": "updated",
    DCTERMS + "modified": "updated",
    DCTERMS + "issued": "published",
    DCTERMS + "created": "created",
}
_ATOM_FIELDS = {
    ATOM + "title": "title",
    ATOM + "id": "id",
    ATOM + "summary": "summary",
    ATOM + "content": "content",
    ATOM + "published": "published",
    ATOM + "updated": "updated",
}
# Entry children that feed nothing the aggregator reads, when they hold text only.
_IGNORED_TEXT = {
    "author",
    "category",
    "comments",
    "enclosure",
    DC + "creator",
    DC + "subject",
    DC + "language",
    DC + "rights",
    "{http://purl.org/rss/1.0/modules/slash/}comments",
    "{http://wellformedweb.org/CommentAPI/}commentRss",
    ATOM + "category",
    ATOM + "rights",
}
_PERSON = {ATOM + "author", ATOM + "contributor"}
_PERSON_PARTS = {ATOM + "name", ATOM + "email", ATOM + "uri"}
_DATES = ("published", "updated", "created")
_TEXT_TYPES = {"text": "text/plain", "html": "text/html"}
_LINK_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
# A tag or a reference, as far as HTML could read one: "AT&T" too, not "Santé & social".
_MARKUP_LIKE = re.compile(r"<|&#?\w")

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)


class _Decline(Exception):
    """The document is not plain enough: feedparser reads it."""


def read_plain_feed(data: bytes, url: str) -> tuple[list[dict[str, Any]], str] | None:
    """The entries (as feedparser-shaped dicts) and title of a plain feed, or None.

    ``data`` must be UTF-8 (as ``feed._as_utf8`` makes it); ``url`` is the address the
    feed came from, against which relative links resolve.
    """
    if b"xml:base" in data or b"<!DOCTYPE" in data:
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        return _read(root, url)
    except Exception:  # _Decline, or a shape nobody foresaw: feedparser reads it instead
        return None


def _read(root: etree._Element, url: str) -> tuple[list[dict[str, Any]], str]:
    docinfo = root.getroottree().docinfo
    if (docinfo.encoding or "").lower() not in ("utf-8", "utf8"):
        raise _Decline
    if root.tag == "rss" and root.get("version") in ("2.0", "0.91", "0.92"):
        channels = [c for c in root if c.tag == "channel"]
        if len(channels) != 1 or len(root) != 1:
            raise _Decline
        channel = channels[0]
        items = [c for c in channel if c.tag == "item"]
        if sum(1 for _ in root.iter("item")) != len(items):
            raise _Decline
        title = _channel_title(channel, "title")
        return [_rss_entry(item, url, _RSS_FIELDS) for item in items], title
    if root.tag == ATOM + "feed":
        entries = [c for c in root if c.tag == ATOM + "entry"]
        if sum(1 for _ in root.iter(ATOM + "entry")) != len(entries):
            raise _Decline
        title = _channel_title(root, ATOM + "title")
        return [_atom_entry(entry, url) for entry in entries], title
    if root.tag == RDF + "RDF":
        channels = [c for c in root if c.tag == RSS1 + "channel"]
        items = [c for c in root if c.tag == RSS1 + "item"]
        if len(channels) != 1 or sum(1 for _ in root.iter(RSS1 + "item")) != len(items):
            raise _Decline
        title = _channel_title(channels[0], RSS1 + "title")
        return [_rss_entry(item, url, _RSS1_FIELDS) for item in items], title
    raise _Decline


def _channel_title(channel: etree._Element, tag: str) -> str:
    titles = [c for c in channel if c.tag == tag]
    if len(titles) > 1 or any(c.tag == ATOM + "title" and c.get("type") for c in titles):
        raise _Decline
    return _text(titles[0]) if titles else ""


def _text(element: etree._Element) -> str:
    """An element's text as feedparser stores it: stripped and repaired."""
    if len(element):  # markup where text belongs: feedparser has its own ways
        raise _Decline
    return _repair((element.text or "").strip())


def _repair(text: str) -> str:
    # feedparser, reading UTF-8, undoes text that was UTF-8 decoded as Latin-1, then maps
    # the C1 controls to the Windows-1252 characters they usually stand for.
    if text.isascii():
        return text  # nothing to undo, no C1 control
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_CP1252) if _C1.search(text) else text


def _join(url: str, href: str) -> str:
    try:
        return urljoin(url, _EXTRA_SLASHES.sub(r"\1", href))
    except ValueError:  # an unbalanced IPv6 bracket: feedparser gives no link
        return ""


def _children(item: etree._Element, fields: dict[str, str]) -> dict[str, etree._Element]:
    found: dict[str, etree._Element] = {}
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            raise _Decline
        if tag in fields:
            if tag in found:
                raise _Decline  # a repeated field: which one wins depends on feedparser
            found[tag] = child
        elif tag in _IGNORED_TEXT:
            if len(child):
                raise _Decline
        elif tag in _PERSON:
            if any(part.tag not in _PERSON_PARTS or len(part) for part in child):
                raise _Decline
        elif tag != ATOM + "link":
            raise _Decline
    return found


def _rss_entry(item: etree._Element, url: str, fields: dict[str, str]) -> dict[str, Any]:
    if any(k.startswith(ATOM) for k in (c.tag for c in item if isinstance(c.tag, str))):
        raise _Decline
    entry: dict[str, Any] = {}
    about = item.get(RDF + "about")
    if about:
        entry["id"] = about
    found = _children(item, fields)
    summary_from_content = None
    for tag, child in found.items():
        key = fields[tag]
        value = _text(child)
        if key == "id":
            permalink = _attribute(child, "ispermalink", "true") == "true"
            if permalink and value:
                value = _join(url, value)
            entry["id"] = value  # feedparser also makes it the link; _item does the same
        elif key == "title" and _MARKUP_LIKE.search(value):
            # feedparser guesses whether such a title is text or HTML, and the guess
            # decides how it is decoded (see feed._title): its reading is the one kept.
            raise _Decline
        elif key == "link":
            if value:
                value = _join(url, value)
            entry["link"] = _LINK_ENTITY.sub(r"&\1", value.replace("&amp;", "&"))
        elif key == "summary":
            entry["summary"] = value
            entry["summary_detail"] = {"type": "text/html", "base": url}
        elif key == "content":
            entry["content"] = [{"type": "text/html", "base": url, "value": value}]
            summary_from_content = value
        else:
            entry[key] = value
    return _finished(entry, summary_from_content)


def _attribute(element: etree._Element, name: str, default: str) -> str:
    """An attribute by its name in any case, as feedparser lowercases attribute names."""
    for key, value in element.attrib.items():
        if isinstance(key, str) and key.lower() == name:
            return str(value)
    return default


def _atom_entry(node: etree._Element, url: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    found = _children(node, _ATOM_FIELDS)
    summary_from_content = None
    for tag, child in found.items():
        key = _ATOM_FIELDS[tag]
        if key in ("title", "summary", "content"):
            kind = _TEXT_TYPES.get((child.get("type") or "text").lower())
            if kind is None or child.get("src") is not None or child.get("mode") is not None:
                raise _Decline  # XHTML, another media type, out-of-line or base64 content
            value = _text(child)
            if key == "title":
                entry["title"] = value
                entry["title_detail"] = {"type": kind}
            elif key == "summary":
                entry["summary"] = value
                entry["summary_detail"] = {"type": kind, "base": url}
            else:
                entry["content"] = [{"type": kind, "base": url, "value": value}]
                summary_from_content = value
        elif key == "id":
            value = _text(child)
            entry["id"] = _join(url, value) if value else value
        else:
            entry[key] = _text(child)
    links = []
    for link in (c for c in node if c.tag == ATOM + "link"):
        if len(link):
            raise _Decline
        rel = link.get("rel") or "alternate"
        kind = link.get("type")
        href = link.get("href") or link.get("url") or link.get("uri")
        if href is None or (kind is not None and kind.lower() not in ("text/html", "html")):
            raise _Decline
        links.append({"rel": rel, "href": _join(url, href.strip()) if href.strip() else ""})
    alternates = [link for link in links if link["rel"] == "alternate"]
    if len(alternates) > 1:
        raise _Decline
    if alternates:
        entry["link"] = alternates[0]["href"]
    elif "id" in entry:  # feedparser's link, ahead of any rel="self" link
        entry["link"] = entry["id"]
    entry["links"] = links
    return _finished(entry, summary_from_content)


def _finished(entry: dict[str, Any], summary_from_content: str | None) -> dict[str, Any]:
    # Without a summary, feedparser copies the body's text into it.
    if "summary" not in entry and summary_from_content is not None:
        entry["summary"] = summary_from_content
    # feedparser reads some dates the aggregator's own reader does not; those documents
    # go to feedparser, whose reading is the fallback.
    for key in _DATES:
        value = entry.get(key)
        if value and parse_date(value) is None:
            raise _Decline
    return entry
