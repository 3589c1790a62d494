"""Sanitizing of everything that comes from the web: HTML, URLs and plain text.

Scraped HTML goes through nh3 (ammonia) with an allow-list before it is stored and again
before it is published. Only http, https and mailto URLs survive, whatever their encoding.

Text and HTML are two types: ``str`` is text, :class:`markupsafe.Markup` is HTML. Only
:func:`clean_html` (untrusted markup, sanitized) and :func:`escape_text` (text, escaped)
make a ``Markup``; every HTML field of the models, the store and the feeds is typed so.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from urllib.parse import unquote, urljoin, urlsplit

import nh3
from markupsafe import Markup, escape

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
# The HTML of no content.
NO_HTML = Markup("")
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
    return _safe_url(url, base)


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


def clean_html(fragment: str | None, base_url: str | None = None) -> Markup:
    """Sanitized HTML: allowed tags and attributes only, safe absolute URLs only.

    The only way from untrusted markup to :class:`Markup`, the type of every HTML field
    (see the module docstring of ``aggregator.models``).

    >>> clean_html('<p onclick="x()">Hi<script>alert(1)</script></p>')
    Markup('<p>Hi</p>')
    """
    if not fragment:
        return NO_HTML
    text = clean_text(fragment)
    if _is_plain_text(text):
        # No tag, no reference: HTML reads it as the text it is, bar the byte-order mark
        # a parser drops from the start of its input.
        return Markup(text.removeprefix(_BOM).strip())
    if base_url:
        text = _absolutize(text, base_url)
    # Removing a disallowed element can leave a tree that HTML cannot express
    # (``<p><object></p>`` becomes a paragraph inside a paragraph), which reads
    # back differently. Clean until the output reads back as itself, so
    # publishing the stored HTML again never changes it.
    cleaned = _clean_once(text)
    for _ in range(_MAX_CLEAN_PASSES):
        if cleaned == text:
            break
        text, cleaned = cleaned, _clean_once(cleaned)
    return Markup(cleaned)


def stored_html(value: str | None) -> Markup:
    """HTML read back from the database, whose HTML columns hold only what
    :func:`clean_html` wrote (the store's writes take ``Markup`` alone). Publishing still
    sanitizes it again before it goes into any feed."""
    return Markup(value or "")


def escape_text(text: str) -> Markup:
    """Plain text as HTML that shows it as it is: the only way from text to :class:`Markup`.

    >>> escape_text("<script>&amp;")
    Markup('&lt;script&gt;&amp;amp;')
    """
    return escape(clean_text(text))


def _is_plain_text(text: str) -> bool:
    """Text that holds no markup and no character reference: nothing for nh3 to do."""
    return "<" not in text and "&" not in text


_MAX_CLEAN_PASSES = 4


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


# Where a browser breaks the line: the start and end of a block, a <br>. Their text must not
# run together ("<li>Viamedis</li><li>Almerys</li>" is two names, not "ViamedisAlmerys").
_BLOCK_EDGE = re.compile(
    r"<(?=/?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul)[\t\n\x0c\r />])",
    re.IGNORECASE,
)


def html_to_text(fragment: str | None) -> str:
    """The readable text of an HTML fragment, white space folded: its tags dropped, its
    character references decoded, once.

    >>> html_to_text("<p>Viamedis</p><p>&lt;b&gt; en panne</p>")
    'Viamedis <b> en panne'
    """
    if not fragment:
        return ""
    text = clean_text(fragment)  # a lone surrogate would make nh3 raise
    if _is_plain_text(text):
        return one_line(text.removeprefix(_BOM))
    text = _BLOCK_EDGE.sub(" <", text)  # a space before: text, never a tag, so parsers agree
    return one_line(html.unescape(_strip_tags(text)))


def text_without_tags(text: str | None) -> str:
    """Plain text minus whatever an HTML reader would take for a tag or a comment, on one
    line; nothing decoded (``&lt;`` stays these four characters).

    For text fields that some readers render as HTML (RSS titles, JSON Feed strings): text
    is not markup, but text shaped like a tag is dropped rather than shown to them.

    >>> text_without_tags("Viamedis <script>alert(1)</script>&lt;b&gt; en panne")
    'Viamedis &lt;b&gt; en panne'
    """
    text = clean_text(text)
    for _ in range(_MAX_CLEAN_PASSES):
        if "<" not in text:
            break
        # The text escaped then parsed as HTML by nh3: its references stay text, its
        # tag-shaped runs go. Dropping a tag can join two halves of another ("<<b>i>"),
        # hence the loop, until nothing changes.
        stripped = html.unescape(_strip_tags(text.replace("&", "&amp;")))
        if stripped == text:
            break
        text = stripped
    else:
        text = text.replace("<", "")
    return one_line(text)


def _strip_tags(text: str) -> str:
    """nh3's HTML (escaped text, every tag and comment gone, script and style contents
    with them)."""
    return nh3.clean(text, tags=set(), attributes={}, strip_comments=True)
