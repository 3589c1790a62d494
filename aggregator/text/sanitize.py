"""Sanitizing of everything that comes from the web: HTML, URLs and plain text.

Scraped HTML goes through nh3 (ammonia) with an allow-list before it is stored and again
before it is published. Only http, https and mailto URLs survive, whatever their encoding.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
}
SAFE_SCHEMES = {"http", "https", "mailto"}
# C0 and C1 controls except tab, newline and carriage return; lone surrogates; the two
# non-characters XML forbids.
_INVALID_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TABS_AND_NEWLINES = re.compile(r"[\t\n\r]")
_BOM = "\ufeff"  # dropped by HTML parsers when it starts their input, kept elsewhere
# A script scheme anywhere in a URL, even in the path of an http one (a feed's
# ``jav&#x61;script:`` link resolved as relative): never a page worth linking, and it
# trips the filters and readers that grep for it.
_SCRIPT_SCHEME = re.compile(r"(?:java|vb|live)script:|data:text/html")


def clean_text(text: str | None) -> str:
    """Plain text safe for XML and HTML: control characters and lone surrogates removed.

    >>> clean_text("Viamedis\\x00 en\\x1bpanne")
    'Viamedis enpanne'
    """
    if not text:
        return ""
    return _INVALID_CHARS.sub("", text)


def one_line(text: str | None) -> str:
    """Clean text with every run of white space folded to one space (titles)."""
    # str.split() splits on exactly the characters regex \s matches (every code point
    # checked by a test), and several times faster than a substitution.
    return " ".join(clean_text(text).split())


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """The absolute URL if its scheme is http, https or mailto, else None.

    Entities, percent-encoding, control characters and spaces inside the scheme are
    decoded first, so ``jav&#x61;script:`` and ``java\\tscript:`` are caught too.

    >>> safe_url("/a?b=1", "https://example.org/x/")
    'https://example.org/a?b=1'
    >>> safe_url("jav&#x61;script:alert(1)") is None
    True
    """
    if not url:
        return None
    if is_plain_url(url):
        return url
    return _safe_url(url, base)


def is_plain_url(url: str) -> bool:
    """An absolute http(s) URL with nothing to decode, no scheme to disguise and nothing
    that resolving it (``urljoin`` against any base) would change: an empty query, which
    ``urljoin`` drops, excepted."""
    return _PLAIN_URL.fullmatch(url) is not None and not url.endswith("?")


# An absolute http(s) URL in characters that no decoding step, browser or urljoin would
# change (no entity, percent sign, space, colon past the scheme but a port's, or dot
# segment): most links in most feeds, which need none of the work below.
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]{1,5})?(?:/(?!\.)[A-Za-z0-9_~=+,?-]*(?:\.[A-Za-z0-9_~=+,?-]+)*)*/?"
)


def _safe_url(url: str, base: str | None) -> str | None:
    # Browsers drop every ASCII tab and newline from a URL, wherever they are.
    raw = _TABS_AND_NEWLINES.sub("", clean_text(_unescape(url))).strip()
    probe = _probe(raw)
    if ":" in probe.split("/", 1)[0] and not probe.startswith(("http:", "https:", "mailto:")):
        return None
    if _SCRIPT_SCHEME.search(probe):
        return None
    if base:
        try:
            raw = urljoin(base, raw)
        except ValueError:
            return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme.lower() not in SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return raw.replace(" ", "%20").replace('"', "%22").replace("<", "%3C").replace(">", "%3E")


def _unescape(text: str, also: Callable[[str], str] = str) -> str:
    """Entities (and ``also``) decoded until nothing changes: a twice-escaped ``&amp;#58;``
    is a colon one step later, and ``safe_url`` must give the same answer on its own output.
    """
    for _ in range(4):
        decoded = also(html.unescape(text))
        if decoded == text:
            break
        text = decoded
    return text


def _probe(text: str) -> str:
    """What a browser might end up reading: spaces and controls dropped, entities and %xx
    decoded."""
    text = _unescape(text, unquote)
    if text.isprintable():  # then its only white space is U+0020
        text = text.replace(" ", "")
    else:
        text = "".join(ch for ch in text if not ch.isspace() and ch.isprintable())
    return unicodedata.normalize("NFKC", text).lower()


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        return safe_url(value)
    if _SCRIPT_SCHEME.search(_probe(value)):
        return None  # harmless in a title, but no script URL is published, even as a tooltip
    return value


def clean_html(fragment: str | None, base_url: str | None = None) -> str:
    """Sanitized HTML: allowed tags and attributes only, safe absolute URLs only.

    >>> clean_html('<p onclick="x()">Hi<script>alert(1)</script></p>')
    '<p>Hi</p>'
    """
    if not fragment:
        return ""
    text = clean_text(fragment)
    if not _SANITIZER_CHANGES.search(text):
        # Plain text: the sanitizer would give it back as it is, bar the byte-order mark
        # an HTML parser drops from the start of its input.
        return text.removeprefix(_BOM).strip()
    written = _as_sanitizer_writes(text)
    if written is not None:
        return written.strip()  # what the sanitizer would write, without its parse (4x slower)
    if base_url:
        text = _absolutize(text, base_url)
    # Removing a disallowed element can leave a tree that HTML cannot express
    # (``<p><object></p>`` becomes a paragraph inside a paragraph), which reads
    # back differently. Clean until the output reads back as itself, so
    # publishing the stored HTML again never changes it.
    cleaned = _clean_once(text)
    if cleaned == text:
        return cleaned  # already what the sanitizer writes: a second pass would give it back
    for _ in range(_MAX_CLEAN_PASSES):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


_MAX_CLEAN_PASSES = 4
# What the sanitizer changes in text without markup: markup itself, entities, carriage
# returns (to line feeds) and no-break spaces (to &nbsp;). A text with none of them comes
# out of it unchanged (tests/test_properties.py holds this against nh3).
_SANITIZER_CHANGES = re.compile("[<>&\r\u00a0]")


# Markup that the sanitizer writes back character for character: allowed tags without
# attributes, each where an HTML parser leaves it (nested in order, no block inside a
# paragraph, a heading or phrasing, list items right inside lists and nowhere else), and
# text with nothing the serializer escapes or a parser changes ("&nbsp;" and the three
# references it writes itself aside). Paragraphs of text, as most feeds' bodies are, or
# with emphasis, lists and quotes. tests/test_properties.py holds it to nh3.
_PHRASING = frozenset(
    {"abbr", "b", "cite", "code", "del", "em", "i", "ins", "kbd", "q", "s", "small", "span"}
    | {"strong", "sub", "sup", "time", "u"}
)
_FLOW = frozenset({"p", "blockquote", "ul", "ol", "hr", "h2", "h3", "h4", "h5", "h6"})
_SHAPED_TOKEN = re.compile(
    r"<(/?)([a-z][a-z0-9]*)>|[^<>&\x00-\x08\x0b-\x1f\x7f\u00a0\ufeff]+|&(?:amp|lt|gt|nbsp);"
)
_BLANK = re.compile(r"[ \t\n]*")


# References to ordinary characters ("&#x27;", "&#8217;", "&quot;"), which feeds use a lot:
# the sanitizer writes the characters themselves.
_REFERENCE = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|(quot|apos));")
_NAMED = {"quot": '"', "apos": "'"}


def _as_sanitizer_writes(text: str) -> str | None:
    """``text`` as the sanitizer would write it, when that is known without parsing it:
    markup in its shape (see _sanitizer_shaped), once any reference to an ordinary
    character is decoded. None otherwise."""
    if "&" in text and _REFERENCE.search(text):
        unknown = False

        def character(match: re.Match[str]) -> str:
            nonlocal unknown
            decimal, hexadecimal, name = match.groups()
            if name:
                return _NAMED[name]
            code = int(decimal) if decimal else int(hexadecimal, 16)
            if _ordinary(code):
                return chr(code)
            unknown = True  # a parser's own rules for it: left to the sanitizer
            return match.group()

        text = _REFERENCE.sub(character, text)
        if unknown:
            return None
    return text if _sanitizer_shaped(text) else None


def _ordinary(code: int) -> bool:
    """A character that an HTML parser reads from its reference as it is, and that the
    sanitizer writes as itself: no control, markup character, no-break space,
    surrogate or non-character."""
    if code < 0x20:
        return code in (0x09, 0x0A)
    return not (
        code in (0x26, 0x3C, 0x3E, 0xA0, 0xFEFF)
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
        or code > 0x10FFFF
    )


def _sanitizer_shaped(text: str) -> bool:
    """Whether the sanitizer would give ``text`` back unchanged but for the white space
    around it (see above): checked by a walk over its tags, several times faster."""
    opened: list[str] = []
    position, end = 0, len(text)
    while position < end:
        token = _SHAPED_TOKEN.match(text, position)
        if token is None:
            return False
        position = token.end()
        name = token.group(2)
        parent = opened[-1] if opened else ""
        if name is None:  # text or a reference: not straight inside a list
            if parent in ("ul", "ol") and not _BLANK.fullmatch(token.group()):
                return False
        elif token.group(1):  # an end tag, of the element opened last
            if name != parent:
                return False
            opened.pop()
        else:
            if parent in ("ul", "ol"):
                allowed = name == "li"
            elif name in _FLOW:
                allowed = parent in ("", "blockquote", "li")
            else:
                allowed = name == "br" or name in _PHRASING
            if not allowed:
                return False
            if name not in ("br", "hr"):
                opened.append(name)
    return not opened


def _clean_once(text: str) -> str:
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    ).strip()


_URL_ATTR = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _absolutize(fragment: str, base_url: str) -> str:
    def repl(match: re.Match[str]) -> str:
        absolute = safe_url(match.group(3), base_url)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{html.escape(absolute or '', quote=True)}{quote}"

    return _URL_ATTR.sub(repl, fragment)


# Tags whose removal is all an HTML parser would do with them when keeping only the text:
# no raw-text content (script, style, textarea...), no table (whose stray text a parser moves
# before it), no pre (whose first line break it drops). Attribute values double-quoted
# only, as the sanitizer writes them: a single quote or a stray one sends the fragment to
# nh3. White space is HTML's own.
_NOT_TEXT_KEEPING = {"caption", "pre", "table", "tbody", "td", "tfoot", "th", "thead", "tr"}
_TEXT_KEEPING_TAG = re.compile(
    r"</?(?:"
    + "|".join(sorted(ALLOWED_TAGS - _NOT_TEXT_KEEPING, key=lambda n: (-len(n), n)))
    + r")(?=[\t\n\x0c\r />])(?:[^<>\"']|=\"[^\"]*\")*>",
    re.IGNORECASE,
)
# The references the sanitizer itself writes, which every HTML parser reads alike.
_PLAIN_REFERENCE = re.compile("&(?:amp|lt|gt|quot|apos|nbsp|#39);")
# Where a browser breaks the line: the start and end of a block, a <br>. Their text must not
# run together ("<li>Viamedis</li><li>Almerys</li>" is two names, not "ViamedisAlmerys").
_BLOCK_EDGE = re.compile(
    r"<(?=/?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul)[\t\n\x0c\r />])",
    re.IGNORECASE,
)


def html_to_text(fragment: str | None) -> str:
    """The readable text of an HTML fragment, white space folded."""
    if not fragment:
        return ""
    text = clean_text(fragment)  # a lone surrogate would make nh3 raise
    if "<" not in text and "&" not in text:
        # No markup, no entity: nothing for the parser to do but drop a leading BOM.
        return one_line(text.removeprefix(_BOM))
    text = _BLOCK_EDGE.sub(" <", text)  # a space before: text, never a tag, so parsers agree
    # HTML as the sanitizer writes it (what stored items hold) needs no parser either:
    # its tags go, its few references are decoded. Anything else goes through nh3.
    # tests/test_properties.py holds this shortcut to nh3's own answer.
    stripped = _TEXT_KEEPING_TAG.sub("", text.removeprefix(_BOM))
    if "<" in stripped or "&" in _PLAIN_REFERENCE.sub("", stripped):
        stripped = nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
    return one_line(html.unescape(stripped))
