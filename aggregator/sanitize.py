"""Sanitizing of everything that comes from the web: HTML, URLs and plain text.

Scraped HTML goes through nh3 (ammonia) with an allow-list before it is stored and again
before it is published. Only http, https and mailto URLs survive, whatever their encoding.
"""

from __future__ import annotations

import html
import re
import unicodedata
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
_SPACES = re.compile(r"\s+")


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
    return _SPACES.sub(" ", clean_text(text)).strip()


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
    raw = clean_text(html.unescape(url)).strip()
    # What a browser would see as the scheme: drop every space and control, decode %xx.
    probe = unquote("".join(ch for ch in raw if not ch.isspace() and ch.isprintable()))
    probe = unicodedata.normalize("NFKC", probe).lower()
    if ":" in probe.split("/", 1)[0] and not probe.startswith(("http:", "https:", "mailto:")):
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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        return safe_url(value)
    return value


def clean_html(fragment: str | None, base_url: str | None = None) -> str:
    """Sanitized HTML: allowed tags and attributes only, safe absolute URLs only.

    >>> clean_html('<p onclick="x()">Hi<script>alert(1)</script></p>')
    '<p>Hi</p>'
    """
    if not fragment:
        return ""
    text = clean_text(fragment)
    if base_url:
        text = _absolutize(text, base_url)
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


def html_to_text(fragment: str | None) -> str:
    """The readable text of an HTML fragment, white space folded."""
    if not fragment:
        return ""
    stripped = nh3.clean(fragment, tags=set(), attributes={}, strip_comments=True)
    return one_line(html.unescape(stripped))
