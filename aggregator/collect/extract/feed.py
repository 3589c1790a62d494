"""RSS, Atom and RDF feeds to items, through feedparser.

feedparser only ever sees the fetched bytes, wrapped in a stream: given a ``str`` or
``bytes`` it may treat them as a URL to fetch or a file path to open. Entity declarations
that could blow up or reach outside the document are removed before it parses.

>>> entry = b"<item><title>A</title><link>/a</link></item>"
>>> feed = b'<rss version="2.0"><channel>' + entry + b"</channel></rss>"
>>> parse_feed(feed, "https://ex.fr/feed/").items[0].url
'https://ex.fr/a'
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8
from markupsafe import Markup

from aggregator.collect.extract.dates import parse_date, plausible
from aggregator.collect.extract.encoding import decode_html, header_charset, web_codec
from aggregator.collect.extract.feedfast import read_plain_feed
from aggregator.collect.extract.html import MAX_TITLE, page_url, sanitized, shorten, unique_items
from aggregator.errors import ExtractError
from aggregator.models import ParsedPage, RawItem
from aggregator.text.sanitize import (
    NO_HTML,
    clean_text,
    escape_text,
    html_to_text,
    text_without_tags,
)

# Titles shown when an entry has none: the start of its text.
TITLE_FROM_TEXT = 120
# The prolog is everything before the first element; an entity declaration there.
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECL = re.compile(rb"""<!ENTITY\s(?:[^>"']|"[^"]*"|'[^']*')*>""")
# The only declarations kept: a short literal or one character reference, which cannot
# amplify the document nor point outside it (feeds declare &nbsp; and friends this way).
_HARMLESS_ENTITY = re.compile(rb"""<!ENTITY\s+\w+\s+(?:"(?:&#x?\w+;|[^&%"<]{0,8})")\s*>""")
# Numeric references to what no text can hold, which make feedparser crash: UTF-16
# surrogates (alone or paired) and numbers past U+10FFFF.
_NUMERIC_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
# The encoding pseudo-attribute of an XML declaration (ASCII-compatible documents only).
_XML_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*["']([^"']{0,40})["']""")
_FEED_LINK = re.compile(
    rb"""<link\b[^>]*\btype=["']?application/(?:rss|atom)\+xml[^>]*>""", re.IGNORECASE
)
_HREF = re.compile(rb"""\bhref=["']?([^"'\s>]+)""", re.IGNORECASE)


def parse_feed(
    content: bytes, url: str, headers: Mapping[str, str] | None = None, *, quick: bool = True
) -> ParsedPage:
    """The entries of an RSS, Atom or RDF document; ExtractError when it is none of them.

    A plain, well-formed feed is read quickly from an lxml tree (``feedfast``), any other
    through feedparser; ``quick=False`` sends every document to feedparser.
    """
    try:
        data, response = _prepared(content, url, headers)
        utf8 = response.get("content-type") == _UTF8_LABEL
        plain = read_plain_feed(data, url) if quick and utf8 else None
        result = None if plain is not None else _feedparser(data, response)
    except Exception as exc:  # a third-party parser fed hostile bytes: fail this source only
        raise ExtractError(f"not a feed: the feed parser failed ({exc!r})") from None
    if plain is not None:
        entries, title = plain
    else:
        assert result is not None
        if not result.get("version") and not result.get("entries"):
            raise ExtractError(f"not a feed: {_why_not_a_feed(content, url, headers, result)}")
        entries, title = result.get("entries", []), result.get("feed", {}).get("title")
    items = unique_items(item for entry in entries if (item := _item(entry, url)) is not None)
    return ParsedPage(items=items, title=html_to_text(title) or None)


_UTF8_LABEL = "application/xml; charset=utf-8"


def _prepared(
    content: bytes, url: str, headers: Mapping[str, str] | None
) -> tuple[bytes, dict[str, str]]:
    """The document in UTF-8 (when its encoding is known), defused, and the headers to
    read it with."""
    response = {k.lower(): v for k, v in (headers or {}).items()}
    # feedparser resolves relative links against Content-Location: the address fetched.
    response["content-location"] = url
    data, response = _as_utf8(content, response)
    data = _NUMERIC_REFERENCE.sub(_drop_impossible, data)
    return _defuse(data), response


def _feedparser(data: bytes, response: dict[str, str]) -> feedparser.FeedParserDict:
    # nh3 sanitizes and absolutizes every fragment afterwards (see _html); feedparser's
    # own sanitizer and URI resolver would do the same work a second time, slowly.
    return feedparser.parse(
        io.BytesIO(data),
        response_headers=response,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


def _as_utf8(content: bytes, response: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The document as feedparser would decode it, re-encoded in UTF-8 and labelled so.

    Decoding first lets ``_defuse`` see declarations hidden by UTF-16, UTF-32 or EBCDIC.
    """
    outcome: dict[str, Any] = {}
    label = header_charset(response)
    if _wide_label_on_narrow_bytes(content, response) or (label and not web_codec(label)):
        media_type = response.get("content-type", "").split(";")[0]
        response = {**response, "content-type": media_type or "application/xml"}
    content = _XML_ENCODING.sub(_web_label_only, content, count=1)
    try:
        data = convert_to_utf8(dict(response), content, outcome)
    except (UnicodeError, LookupError):  # a codec that raises where feedparser expects not
        return decode_html(content).encode("utf-8"), {**response, "content-type": _UTF8_LABEL}
    if not outcome.get("encoding") or not isinstance(data, bytes):
        return content, response
    return data, {**response, "content-type": _UTF8_LABEL}


def _web_label_only(match: re.Match[bytes]) -> bytes:
    """An XML declaration's encoding kept only when it is a web encoding's label: Python
    has codecs (base64, rot13, zlib, "undefined"…) that turn bytes into no text at all."""
    label = match.group(2).decode("ascii", "replace")
    return match.group(0) if web_codec(label) else match.group(1)


def _wide_label_on_narrow_bytes(content: bytes, response: Mapping[str, str]) -> bool:
    """A UTF-16 or UTF-32 label on bytes without a NUL: a server's mistake, not the encoding.

    Markup in those encodings has a NUL beside every ASCII character, starting with ``<``.
    """
    label = (header_charset(response) or "").lower().replace("_", "-")
    return (
        label.startswith(("utf-16", "utf16", "utf-32", "utf32")) and b"\x00" not in content[:1024]
    )


def _drop_impossible(match: re.Match[bytes]) -> bytes:
    """A character reference kept, or dropped when no character has that number."""
    digits = (match.group(1) or match.group(2)).lstrip(b"0") or b"0"
    if len(digits) > 8:  # past U+10FFFF whatever the base, and too long to convert cheaply
        return b""
    number = int(digits, 16) if match.group(1) else int(digits)
    return b"" if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF else match.group(0)


def _defuse(content: bytes) -> bytes:
    """The document without entity declarations that could expand or load anything."""
    start = _FIRST_ELEMENT.search(content)
    end = start.start() if start else len(content)
    prolog = content[:end]
    if b"<!ENTITY" not in prolog:
        return content

    def keep_harmless(match: re.Match[bytes]) -> bytes:
        return match.group(0) if _HARMLESS_ENTITY.fullmatch(match.group(0)) else b""

    return _ENTITY_DECL.sub(keep_harmless, prolog) + content[end:]


def _why_not_a_feed(
    content: bytes, url: str, headers: Mapping[str, str] | None, result: Any
) -> str:
    content_type = (
        next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), "")
        .split(";")[0]
        .strip()
    )
    label = f" ({content_type})" if content_type else ""
    if not content.strip():
        return "the response is empty"
    if b"\x00" in content[:1024] or content_type.startswith(("image/", "audio/", "video/")):
        return f"the response is binary data{label}"
    if "html" in content_type or _HTML_START.match(content[:4096]):
        return f"the response is an HTML page{label}{_feed_hint(content, url)}"
    problem = result.get("bozo_exception")
    detail = f" (the XML parser said: {problem})" if problem else ""
    return f"no RSS, Atom or RDF document found{label}{detail}"


def _feed_hint(content: bytes, url: str) -> str:
    """The page's own advertised feeds, which are likely what the source should point at."""
    links = []
    for tag in _FEED_LINK.findall(content[:200_000]):
        href = _HREF.search(tag)
        found = page_url(href.group(1).decode("utf-8", "replace"), url) if href else None
        if found and found not in links:
            links.append(found)
    return f"; this page advertises: {', '.join(links[:3])}" if links else ""


def _item(entry: Any, feed_url: str) -> RawItem | None:
    """One entry as a RawItem, or None when it has no usable link."""
    entry_id = clean_text(_text(entry.get("id"))).strip()
    url = page_url(_link(entry), feed_url) or page_url(entry_id)
    if not url:
        # An entry with no link but an opaque id ("tag:", "urn:uuid:") has nothing a reader
        # can open, and a made-up URL would make dedupe merge unrelated entries.
        return None
    summary = _html(entry.get("summary"), entry.get("summary_detail"), feed_url)
    content = _longest_content(entry.get("content"), feed_url)
    published = _date(entry, "published") or _date(entry, "created")
    updated = _date(entry, "updated")
    return RawItem(
        guid=entry_id or url,
        url=url,
        title=_title(entry, summary or content),
        summary=summary,
        content=content,
        # Atom requires <updated> only and RSS 1.0 has only dc:date: the best date there is.
        published=published or updated,
        updated=updated,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _link(entry: Any) -> str | None:
    """The entry's main link: feedparser's pick, else the first link with an href."""
    link = _text(entry.get("link"))
    if link.strip():
        return link
    for candidate in entry.get("links") or []:
        href = _text(candidate.get("href")) if isinstance(candidate, Mapping) else ""
        if href.strip() and candidate.get("rel", "alternate") in ("alternate", "self"):
            return href
    return None


def _html(value: object, detail: object, base: str) -> Markup:
    """Sanitized HTML of a text construct, escaping it first when it is plain text."""
    text = _text(value)
    if _is_text(detail):
        return escape_text(text)
    # Relative links inside the fragment resolve against its xml:base, when it has one.
    own = _text(detail.get("base")) if isinstance(detail, Mapping) else ""
    return sanitized(text, page_url(own, base) or base if own else base)


def _is_text(detail: object) -> bool:
    """Whether the parser read a construct as plain text (Atom ``type="text"``, an RSS
    field without markup) rather than HTML: its value is then text, decoded already."""
    return isinstance(detail, Mapping) and detail.get("type") == "text/plain"


def _longest_content(contents: object, base: str) -> Markup:
    if not isinstance(contents, list):
        return NO_HTML
    blocks = [c for c in contents if isinstance(c, Mapping) and _text(c.get("value"))]
    if not blocks:
        return NO_HTML
    longest = max(blocks, key=lambda c: len(_text(c.get("value"))))
    return _html(longest.get("value"), longest, base)


def _title(entry: Any, body: Markup) -> str:
    """Plain one-line title; an untitled entry (allowed in RSS) gets the start of its text."""
    raw = _text(entry.get("title"))
    # Decoded once, by whichever reading the parser chose: text stays as the feed's XML
    # gave it ("&lt;b&gt;" in a plain title is those characters) but for runs shaped like
    # tags, which no title needs; HTML loses its markup and its references are decoded.
    title = text_without_tags(raw) if _is_text(entry.get("title_detail")) else html_to_text(raw)
    if title:
        return shorten(title, MAX_TITLE)
    return shorten(html_to_text(body), TITLE_FROM_TEXT)


def _date(entry: Any, key: str) -> datetime | None:
    """The raw date string with its own offset; feedparser's UTC tuple when we can't read it."""
    # dict.get: feedparser's own get() answers `updated` with `published` when it is missing.
    found = parse_date(_text(dict.get(entry, key)))
    if found is not None:
        return found
    parsed = dict.get(entry, f"{key}_parsed")
    try:
        return plausible(datetime.fromtimestamp(calendar.timegm(parsed), UTC)) if parsed else None
    except (TypeError, ValueError, OverflowError, OSError):
        return None
