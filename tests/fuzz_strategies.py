"""Hypothesis strategies for hostile HTTP answers, as a fuzzer at the pipeline's edge sends them.

A hostile site (``hostile_sites``) is a few scripted answers on one raw server: the source
URL (``/src``), where it redirects or paginates to (``/src/b``), its article pages
(``/art/``) and its robots.txt. Each answer (``Answer``) is a status line, headers and a
body, rendered to the exact bytes sent (``Answer.render``):

* status: the usual ones, redirects, client and server errors, and any three digits
  (``099``, ``600``, ``999``), sometimes after a ``100 Continue`` or ``103 Early Hints``;
* headers: ``Retry-After`` in every form (seconds, HTTP-dates past and far, negative,
  fractional, huge, Unicode digits, Latin-1 bytes, garbage), ``Content-Type`` with odd and
  special charset labels (``rot13``, ``base64``, ``undefined``, ``utf-7`` ...),
  ``Content-Encoding`` lists (stacked gzip and deflate for real, brotli, zstd and unknown
  ones as labels over bytes they do not describe), ``Location`` loops and internal targets,
  ``Content-Length`` that lies (short, long, twice, garbage, absent, chunked);
* bodies from a grammar of RSS 2.0, Atom, RSS 1.0 (RDF) and HTML list and article pages,
  whose fields mix French text, entities, markup escaped once to three times, CDATA,
  nesting, script payloads and whole HTML documents; a few items or many; encoded in
  UTF-8, UTF-16, UTF-32, Latin-1 or cp1252, declared rightly or not.

Placeholders in the generated text are filled in at render time, when the ports are known:
``{base}`` (this hostile server), ``{secret}`` (an internal service nobody configured, which
must never be asked), ``{secret_port}``.
"""

from __future__ import annotations

import gzip
import html
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from hypothesis import strategies as st

# --- text: what goes into a title, a summary, a body --------------------------------------------

WORDS = [
    "Tiers payant",
    "Almerys",
    "Viamedis",
    "incident de télétransmission",
    "rupture SESAM-Vitale",
    "carte Vitale",
    "Œuvre sociale",
    "ÇA MARCHE",
    "mutuelle",
    "√∞",
    "😀",
    "\u202eRTL\u202c",
    "zero\u200bwidth",
    "é",
    "l'Assurance Maladie",
]
PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    '<a href="javascript:alert(3)">clic</a>',
    "<svg onload=alert(4)><circle/></svg>",
    '<iframe src="javascript:alert(5)"></iframe>',
    "<body onload=alert(6)>",
    "<style>*{background:url(javascript:alert(7))}</style>",
    '<a href="jav&#x09;ascript:alert(8)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(9)">x</a>',
    '<object data="data:text/html,&lt;script&gt;alert(10)&lt;/script&gt;"></object>',
    "javascript:alert(11)",
    '<math><mi xlink:href="javascript:alert(12)">x</mi></math>',
    '<form action="javascript:alert(13)"><input type=submit></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(14)">',
    '<base href="javascript:alert(15)//">',
    "<<script>script>alert(16)<</script>/script>",
    "<scr<script>ipt>alert(17)</script>",
    "<!--<script>-->alert(18)<!--</script>-->",
    '<div style="x:expression(alert(19))" onclick="alert(20)">div</div>',
    '<p title="</p><script>alert(21)</script>">t</p>',
    '<noscript><p title="</noscript><img src=x onerror=alert(22)>"></noscript>',
    '<a href=" &#14;  javascript:alert(23)">lead</a>',
    "<template><script>alert(24)</script></template>",
]
HTML_DOCUMENT = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Dans le titre</title>"
    "<script>alert('doc')</script><link rel=stylesheet href='javascript:alert(25)'></head>"
    "<body onload=\"alert('body')\"><h1>Un document entier</h1><p>Paragraphe "
    "<b>gras</b>.</p><iframe src='//evil.example/'></iframe></body></html>"
)
# Other shapes of "a whole document": empty, head only, frames, XHTML, a doctype alone.
HTML_DOCUMENTS = [
    HTML_DOCUMENT,
    "<!DOCTYPE html>",
    "<html></html>",
    "<html><head><title>seul</title><script>alert(30)</script></head></html>",
    "<html><head></head><frameset><frame src='javascript:alert(31)'></frameset></html>",
    "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body "
    "onload='alert(32)'>x</body></html>",
    "<!-- rien -->",
    "<body>",
    "</html>",
    "<html><head><meta charset='undefined'></head><body>é</body></html>",
    "<html><head><base href='javascript:alert(33)//'></head><body><a href='y'>"
    "lien</a></body></html>",
    "<html>" * 50 + "profond",
]
ENTITIES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&#39;",
    "&#60;script&#62;",
    "&#x3C;",
    "&nbsp;",
    "&eacute;",
    "&hellip;",
    "&#0;",
    "&#xD800;",
    "&#1114112;",
    "&#xFFFE;",
    "&bogus;",
    "&",
    "&#",
    "&#x;",
    "&amp;lt;script&amp;gt;alert(26)&amp;lt;/script&amp;gt;",
    "&lt;img src=x onerror=alert(27)&gt;",
    "&#x26;lt;script&#x26;gt;",
]
CONTROLS = ["\x00", "\x08", "\x0b", "\x1b[31m", "\x7f", "\x85", "\ufeff", "\ufffe", "\r\n"]


def escaped(level: int) -> Callable[[str], str]:
    def apply(text: str) -> str:
        for _ in range(level):
            text = html.escape(text, quote=False)
        return text

    return apply


def _nested(depth: int, tag: str, closed: bool) -> Callable[[str], str]:
    return lambda text: f"<{tag}>" * depth + text + (f"</{tag}>" * depth if closed else "")


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


piece = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(PAYLOADS),
    st.sampled_from(ENTITIES),
    st.sampled_from(CONTROLS),
    st.sampled_from(HTML_DOCUMENTS),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=20),
)
# A payload escaped once, twice or three times: the text says "<script>" to a reader who
# unescapes it that many times, and must reach no HTML field as markup.
escaped_piece = st.builds(
    lambda level, text: escaped(level)(text), st.integers(1, 3), st.sampled_from(PAYLOADS)
)
nested_piece = st.builds(
    lambda depth, tag, closed, text: _nested(depth, tag, closed)(text),
    st.integers(1, 300),
    st.sampled_from(["div", "b", "p", "span", "table", "ul", "a", "font"]),
    st.booleans(),
    st.sampled_from(WORDS + PAYLOADS),
)
fragments = st.lists(st.one_of(piece, escaped_piece, nested_piece), max_size=5).map("".join)

# How a fragment is put into XML: as is (perhaps not well-formed), escaped once, or CDATA.
xml_field = st.builds(
    lambda mode, text: mode(text),
    st.sampled_from([lambda t: t, lambda t: html.escape(t, quote=False), _cdata]),
    fragments,
)

# --- links and dates ---------------------------------------------------------------------------

INTERNAL_TARGETS = [
    "{secret}/secret",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:{secret_port}/secret",
    "http://localhost:{secret_port}/secret",
    "http://2130706433:{secret_port}/secret",
    "http://[::ffff:127.0.0.1]:{secret_port}/secret",
    "http://127.1:{secret_port}/secret",
    "http://10.0.0.1/",
    "http://[fd00:ec2::254]/",
]
links = st.one_of(
    st.integers(0, 50).map(lambda n: f"{{base}}/art/{n}"),
    st.integers(0, 50).map(lambda n: f"/art/{n}?x=1&amp;y=2"),
    st.sampled_from(INTERNAL_TARGETS),
    st.sampled_from(
        [
            "javascript:alert(28)",
            "",
            " ",
            "data:text/html,<script>",
            "//",
            "http://",
            "file:///etc/passwd",
            "https://bonne-source.example/articles/1",
            "mailto:x@example.org",
            "http://[::1",
            "{base}/art/%ZZ",
            "\x00",
        ]
    ),
)
OLD_DATE = "Mon, 01 Mar 2021 09:00:00 GMT"
dates = st.one_of(
    st.sampled_from(
        [
            "Mon, 01 Jan 2099 00:00:00 GMT",
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Tue, 31 Feb 2026 25:61:61 +9999",
            "0000-00-00",
            "9999-12-31T23:59:59Z",
            "2026-13-45",
            "-1",
            "hier",
            "",
            "Sat, 05 Dec 2026 10:00:00 +0100",
            "2026-12-05T08:00:00+01:00",
            "1e400",
            "Fri, 29 Nov 2024 09:30:00 GMT",
        ]
    ),
    st.text(max_size=12),
)

# --- documents ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    guid: str
    date: str
    summary: str
    body: str


items = st.builds(
    Item,
    title=xml_field,
    link=links,
    guid=st.one_of(links, st.text(max_size=10)),
    date=dates,
    summary=xml_field,
    body=xml_field,
)


def _x(link: str) -> str:
    """A link inside XML text or an attribute: ampersands and quotes escaped."""
    return html.escape(link, quote=True)


def rss(entries: list[Item], declared: str) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    body = "".join(
        f"<item><title>{i.title}</title><link>{_x(i.link)}</link><guid>{_x(i.guid)}</guid>"
        f"<pubDate>{i.date}</pubDate><description>{i.summary}</description>"
        f"<content:encoded>{i.body}</content:encoded></item>"
        for i in entries
    )
    return (
        f'{head}<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Flux hostile</title><link>{{base}}/</link>{body}</channel></rss>"
    )


def atom(entries: list[Item], declared: str, kinds: tuple[str, str]) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""

    def typed(tag: str, kind: str, text: str) -> str:
        if kind == "xhtml":
            text = f'<div xmlns="http://www.w3.org/1999/xhtml">{text}</div>'
        return f'<{tag} type="{kind}">{text}</{tag}>'

    body = "".join(
        f'<entry>{typed("title", kinds[0], i.title)}<link href="{_x(i.link)}"/>'
        f"<id>{_x(i.guid)}</id><updated>{i.date}</updated>{typed('summary', kinds[1], i.summary)}"
        f"{typed('content', kinds[1], i.body)}</entry>"
        for i in entries
    )
    return (
        f'{head}<feed xmlns="http://www.w3.org/2005/Atom"><title>Flux hostile</title>'
        f"<id>{{base}}/</id>{body}</feed>"
    )


def rdf(entries: list[Item], declared: str) -> str:
    head = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    body = "".join(
        f'<item rdf:about="{_x(i.link)}"><title>{i.title}</title><link>{_x(i.link)}</link>'
        f"<description>{i.summary}</description><dc:date>{i.date}</dc:date></item>"
        for i in entries
    )
    return (
        f'{head}<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="{{base}}/"><title>Flux hostile</title></channel>{body}</rdf:RDF>'
    )


def list_page(entries: list[Item], declared: str, next_link: str) -> str:
    meta = f'<meta charset="{declared}">' if declared else ""
    body = "".join(
        f'<li class="item"><a href="{_x(i.link)}">{i.title}</a><p class="summary">{i.summary}'
        f'</p><time datetime="{_x(i.date)}">{i.date}</time></li>'
        for i in entries
    )
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>Liste</title></head><body><ul>{body}</ul>"
        f'<a class="next" href="{_x(next_link)}">suite</a></body></html>'
    )


def article_page(text: str, declared: str) -> str:
    meta = f'<meta charset="{declared}">' if declared else ""
    return (
        f"<html><head>{meta}</head><body><aside>à lire aussi</aside>"
        f'<div class="content">{text}</div><time class="published">{text[:40]}</time>'
        "</body></html>"
    )


# --- encodings ---------------------------------------------------------------------------------

CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "iso-8859-15"]
# Labels that Python's codec registry knows but that are not text encodings, or that it
# treats specially (``undefined`` always raises, ``rot13`` maps str to str): each drawn as
# often as all the ordinary labels together, since a decoder only trips on them.
SPECIAL_LABELS = [
    "rot13",
    "rot_13",
    "base64",
    "hex",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "idna",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-7",
    "undefined",
    "mbcs",
    "oem",
    "cp65001",
    "utf_8_sig",
    "tactis",
    "string_escape",
]
ODD_LABELS = [
    "x-user-defined",
    "utf_32_be",
    "bogus-charset",
    "",
    '"utf-8"',
    "utf-8; q=1",
    "UTF-16",
    "ascii",
    "latin-1\x00",
    "utf-8\u00e9",
    "iso-2022-jp",
    "gb18030",
]
labels = st.one_of(
    st.sampled_from(CODECS), st.sampled_from(SPECIAL_LABELS), st.sampled_from(ODD_LABELS)
)


@dataclass(frozen=True)
class Body:
    """A document and how it is turned into the bytes sent."""

    text: str = ""
    codec: str = "utf-8"
    codings: tuple[str, ...] = ()  # Content-Encoding names, in the order applied
    raw: bytes | None = None  # bytes that are no document at all
    cut: float = 1.0  # keep this fraction of the encoded bytes (a truncated document)

    def render(self, places: Mapping[str, str]) -> bytes:
        if self.raw is not None:
            data = self.raw
        else:
            text = self.text
            for name, value in places.items():
                text = text.replace("{" + name + "}", value)
            data = text.encode(self.codec, errors="xmlcharrefreplace")
        data = data[: int(len(data) * self.cut)] if self.cut < 1 else data
        for coding in self.codings:
            data = _encode(coding, data)
        return data


def _encode(coding: str, data: bytes) -> bytes:
    """Apply a content coding for real when it is one we can make; otherwise the label lies."""
    name = coding.strip().lower()
    if name in ("gzip", "x-gzip"):
        return gzip.compress(data, mtime=0)
    if name == "deflate":
        return zlib.compress(data)
    return data


document_kinds = st.sampled_from(["rss", "atom", "rdf", "list", "article"])


@st.composite
def bodies(draw: st.DrawFn, kind: str | None = None, many: bool = True) -> Body:
    """A document of ``kind`` (or of any kind), encoded and perhaps compressed."""
    kind = kind or draw(document_kinds)
    codec = draw(st.sampled_from(CODECS))
    declared = draw(st.one_of(st.just(codec), labels, st.just("")))
    count = draw(st.integers(0, 12) | (st.integers(200, 1500) if many else st.integers(0, 3)))
    if count > 12:
        # Many items: plain ones, so that size stays bounded, and dated years ago, so that
        # they do not push the control source's items out of the newest published.
        entry = draw(items)
        entries = [
            Item(f"{entry.title[:40]} {n}", f"{{base}}/art/{n}", f"g{n}", OLD_DATE, "court", "")
            for n in range(count)
        ]
    else:
        entries = draw(st.lists(items, max_size=count, min_size=count))
    if kind == "rss":
        text = rss(entries, declared)
    elif kind == "atom":
        kinds = (draw(st.sampled_from(["text", "html", "xhtml"])),) * 2
        text = atom(entries, declared, kinds)  # type: ignore[arg-type]
    elif kind == "rdf":
        text = rdf(entries, declared)
    elif kind == "list":
        text = list_page(entries, declared, draw(st.sampled_from(["/src/b", *INTERNAL_TARGETS])))
    else:
        text = article_page(draw(fragments), declared)
    raw = draw(st.none() | st.none() | st.none() | st.binary(max_size=200))
    cut = draw(st.sampled_from([1.0, 1.0, 1.0, 0.5, 0.9]))
    return Body(text, codec, draw(codings), raw, cut)


# Stacked codings: real gzip and deflate layers (up to many), and labels for codings the
# client never asked for (brotli, zstd, compress) or that do not exist.
codings = st.one_of(
    st.just(()),
    st.lists(st.sampled_from(["gzip", "deflate", "x-gzip", "identity"]), max_size=3).map(tuple),
    st.lists(st.sampled_from(["gzip", "deflate"]), min_size=4, max_size=30).map(tuple),
    st.lists(
        st.sampled_from(["br", "zstd", "compress", "bogus", "GZIP", "", "gzip", "deflate"]),
        min_size=1,
        max_size=5,
    ).map(tuple),
)

# --- headers -----------------------------------------------------------------------------------

RETRY_AFTER = [
    b"0",
    b"1",
    b"2",
    b"120",
    b"-1",
    b"1.5",
    b" 3 ",
    b"99999999999999999999",
    b"Thu, 01 Jan 1970 00:00:00 GMT",
    b"Fri, 31 Dec 9999 23:59:59 GMT",
    b"Mon, 32 Foo 2020 99:99:99 GMT",
    b"Wed, 21 Oct 2015 07:28:00",
    b"soon",
    b"",
    b"0x10",
    b"inf",
    b"nan",
    b"1e9",
    "\uff12".encode(),
    "²".encode(),
    b"\xff\xfe\xfd",
    b"\xc3\xa9",
    b"1" * 400,
    b"Sun, 06 Nov 1994 08:49:37 GMT, 5",
]
MEDIA_TYPES = [
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "text/html",
    "application/xhtml+xml",
    "application/json",
    "image/jpeg",
    "text/plain",
    "",
    "garbage",
    "application/octet-stream",
    "multipart/x-mixed-replace;boundary=x",
]
LOCATIONS = [
    "/src/b",
    "/src",
    "{base}/src",
    "{base}/src/b#frag",
    "?page=2",
    "/art/1",
    *INTERNAL_TARGETS,
    "javascript:alert(29)",
    "file:///etc/passwd",
    "",
    "//",
    "http://",
    "https://127.0.0.1:{secret_port}/secret",
    "ftp://example.org/",
    "http://[::1",
    "/" + "x" * 3000,
]

header_value = st.one_of(
    st.binary(max_size=30).filter(lambda b: b"\r" not in b and b"\n" not in b),
    st.sampled_from([b"", b"\xff" * 10, b"a" * 6000, b"\x00"]),
)


@st.composite
def headers(draw: st.DrawFn) -> tuple[tuple[bytes, bytes], ...]:
    found: list[tuple[bytes, bytes]] = []
    media = draw(st.sampled_from(MEDIA_TYPES))
    if media or draw(st.booleans()):
        charset = draw(st.none() | labels)
        value = media if charset is None else f"{media}; charset={charset}"
        found.append((b"Content-Type", value.encode("utf-8")))
    if draw(st.booleans()):
        found.append((b"Retry-After", draw(st.sampled_from(RETRY_AFTER))))
    if draw(st.integers(0, 3)) == 0:
        found.append((b"Location", draw(st.sampled_from(LOCATIONS)).encode()))
    for name in draw(
        st.lists(
            st.sampled_from(
                [
                    b"Set-Cookie",
                    b"ETag",
                    b"Last-Modified",
                    b"Content-Type",
                    b"X-Odd",
                    b"Vary",
                    b"Content-Disposition",
                ]
            ),
            max_size=3,
        )
    ):
        found.append((name, draw(header_value)))
    return tuple(found)


# --- answers -----------------------------------------------------------------------------------

COMMON = [
    200,
    200,
    200,
    200,
    203,
    204,
    206,
    301,
    302,
    303,
    304,
    307,
    308,
    400,
    401,
    403,
    404,
    410,
    429,
    451,
    500,
    502,
    503,
    504,
]
INTERIM = [
    b"",
    b"",
    b"",
    b"HTTP/1.1 100 Continue\r\n\r\n",
    b"HTTP/1.1 103 Early Hints\r\nLink: </x.css>; rel=preload\r\n\r\n",
]
LENGTHS = [
    "exact",
    "exact",
    "exact",
    "none",
    "short",
    "long",
    "twice",
    "garbage",
    "chunked",
    "bad-chunks",
]


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, rendered to exact bytes once the ports are known."""

    status: int = 200
    reason: bytes = b"OK"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: Body = field(default_factory=Body)
    length: str = "exact"
    interim: bytes = b""

    def render(self, places: Mapping[str, str]) -> bytes:
        data = self.body.render(places)
        lines = [self.interim + b"HTTP/1.1 %03d %s" % (self.status, self.reason)]
        for name, value in self.headers:
            text = value
            for key, place in places.items():
                text = text.replace(b"{" + key.encode() + b"}", place.encode())
            lines.append(name + b": " + text)
        if self.body.codings:
            lines.append(b"Content-Encoding: " + ", ".join(self.body.codings).encode())
        lines += self._length_lines(len(data))
        lines.append(b"Connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n" + self._framed(data)

    def _length_lines(self, size: int) -> list[bytes]:
        return {
            "exact": [b"Content-Length: %d" % size],
            "none": [],
            "short": [b"Content-Length: %d" % (size // 2)],
            "long": [b"Content-Length: %d" % (size + 1000)],
            "twice": [b"Content-Length: %d" % size, b"Content-Length: %d" % (size + 7)],
            "garbage": [b"Content-Length: 12abc"],
            "chunked": [b"Transfer-Encoding: chunked"],
            "bad-chunks": [b"Transfer-Encoding: chunked"],
        }[self.length]

    def _framed(self, data: bytes) -> bytes:
        if self.length == "chunked":
            return b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data) if data else b"0\r\n\r\n"
        if self.length == "bad-chunks":
            return b"zz\r\n" + data
        return data


@st.composite
def answers(draw: st.DrawFn, kind: str | None = None, many: bool = True) -> Answer:
    status = draw(st.sampled_from(COMMON) | st.integers(0, 999))
    return Answer(
        status=status,
        reason=draw(st.sampled_from([b"OK", b"", b"Whatever", b"\xff\xfe odd", b"x" * 500])),
        headers=draw(headers()),
        body=draw(bodies(kind, many)),
        length=draw(st.sampled_from(LENGTHS)),
        interim=draw(st.sampled_from(INTERIM)),
    )


@dataclass(frozen=True)
class HostileSite:
    """What one hostile source serves, and how sources.yaml describes it."""

    type: str  # feed | html
    first: Answer  # /src
    second: Answer  # /src/b: where redirects and pagination lead
    article: Answer | None  # /art/: the pages of its items, when `article:` is configured
    robots: Answer  # /robots.txt
    pages: int

    def routes(self, places: Mapping[str, str]) -> dict[str, bytes]:
        found = {
            "/src": self.first.render(places),
            "/src/b": self.second.render(places),
            "/robots.txt": self.robots.render(places),
        }
        if self.article is not None:
            found["/art/"] = self.article.render(places)
        return found

    def source(self, sid: str, base: str) -> dict[str, object]:
        entry: dict[str, object] = {
            "id": sid,
            "name": f"Source {sid}",
            "type": self.type,
            "url": f"{base}/src",
            "category": "other",
        }
        if self.type == "html":
            entry["list"] = {
                "item": "li.item",
                "title": "a",
                "link": "a",
                "summary": "p.summary",
                "date": "time",
                "next": "a.next",
            }
            entry["pages"] = self.pages
        if self.article is not None:
            entry["article"] = {
                "content": "div.content",
                "remove": ["aside"],
                "date": "time.published",
            }
        return entry


robots_answers = st.one_of(
    st.just(Answer(404, b"Not Found", body=Body("no"))),
    st.builds(
        lambda text, delay: Answer(200, body=Body(f"User-agent: *\n{text}\nCrawl-delay: {delay}")),
        st.sampled_from(["Disallow:", "Disallow: /nothing", "Allow: /", "\x00\xff"]),
        st.sampled_from(["0", "0.1", "1", "-5", "nan", "inf", "1e9", "x"]),
    ),
    answers("article", many=False),
)


@st.composite
def hostile_sites(draw: st.DrawFn) -> HostileSite:
    kind = draw(st.sampled_from(["feed", "feed", "html"]))
    doc = draw(st.sampled_from(["rss", "atom", "rdf"])) if kind == "feed" else "list"
    first = draw(answers(doc))
    # Most first answers are a 200 with a document, so that extraction is reached as often
    # as the protocol edge.
    if draw(st.integers(0, 2)) > 0:
        first = Answer(200, b"OK", first.headers, first.body, first.length, first.interim)
    with_article = draw(st.booleans())
    many = (
        first.body.raw is None
        and first.body.text.count("<item")
        + first.body.text.count("<entry")
        + first.body.text.count('class="item"')
        > 12
    )
    return HostileSite(
        type=kind,
        first=first,
        second=draw(answers(doc, many=False)),
        # Many items, each with its article page to fetch, would be a budget test (the run's
        # article budget belongs to another part); keep article pages to few items.
        article=draw(answers("article", many=False)) if with_article and not many else None,
        robots=draw(robots_answers),
        pages=draw(st.integers(1, 3)),
    )
