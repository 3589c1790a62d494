"""Bytes of an HTML page to text, right even when the server and the page disagree.

Order of trust: a byte order mark; then valid UTF-8 (legacy 8-bit French text is almost
never valid UTF-8 by accident, while servers often label UTF-8 pages ISO-8859-1); then each
declared charset (HTTP header, then ``<meta>``) that decodes the bytes cleanly; then
windows-1252, the usual legacy encoding of French pages. A label counts only when it is
one of the WHATWG Encoding Standard's (the labels browsers accept, through webencodings):
so ISO-8859-1 and ASCII are read as windows-1252, whose extra characters (’ œ € …) French
text uses, and the names of Python's other codecs (base64, rot13, zlib, punycode,
"undefined"…), which turn bytes into something else than text or raise, are no labels.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

import webencodings
from bs4.dammit import EncodingDetector

FALLBACK = "windows-1252"
_CHARSET = re.compile(r"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def header_charset(headers: Mapping[str, str] | None) -> str | None:
    """The charset of a Content-Type header, if it names one."""
    if not headers:
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else None


def decode_html(content: bytes, headers: Mapping[str, str] | None = None) -> str:
    """The text of an HTML page.

    >>> decode_html("Pharmacie d'Évreux".encode("cp1252"), {"content-type": "text/html"})
    "Pharmacie d'Évreux"
    """
    data, bom = EncodingDetector.strip_byte_order_mark(content)
    if bom:
        return data.decode(bom, errors="replace")
    declared = [header_charset(headers), _meta_charset(data)]
    if _is_utf8(data) and not any(_is_wide(name) for name in declared):
        return data.decode("utf-8")
    for name in declared:
        text = _try_decode(data, name)
        if text is not None:
            return text
    return data.decode(FALLBACK, errors="replace")


def _meta_charset(data: bytes) -> str | None:
    try:
        return EncodingDetector.find_declared_encoding(data, is_html=True)
    except (ValueError, LookupError):
        return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def web_codec(name: str | None) -> str | None:
    """The Python codec of a WHATWG encoding label, or None when it is no such label
    (or names the "replacement" encoding, which decodes nothing usable).

    >>> web_codec("ISO-8859-1"), web_codec("base64")
    ('cp1252', None)
    """
    if not name:
        return None
    encoding = webencodings.lookup(name)
    if encoding is None or encoding.name == "replacement":
        return None
    try:
        codec = codecs.lookup(encoding.codec_info.name)
    except LookupError:
        return None
    return codec.name


def _is_wide(name: str | None) -> bool:
    """Encodings whose bytes may well be valid UTF-8 too, so a UTF-8 check settles nothing."""
    codec = web_codec(name)
    return codec is not None and codec.startswith(("utf-16", "utf-32"))


def _try_decode(data: bytes, name: str | None) -> str | None:
    codec = web_codec(name)
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError):  # UnicodeError: some codecs raise no finer error
        return None
