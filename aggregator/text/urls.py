"""Canonical URLs: one spelling per page, so that the same article reached by two links
(tracking parameters, another host alias of the same site, a trailing slash, escapes) is
recognised as one. Items keep their links as published; canonical forms only serve to
find repeats."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

from aggregator.text.sanitize import clean_text

# Exact names of query parameters that only say where a click came from.
TRACKING_PARAMS = frozenset(
    {
        "xtor",
        "xts",
        "xtref",
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "__hssc",
        "__hstc",
        "__hsfp",
        "hsctatracking",
        "igshid",
        "_ga",
        "_gl",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "cmpid",
        "ncid",
        "sr_share",
        "ref_src",
        "ref_url",
        "phpsessid",
        "jsessionid",
        "sessionid",
    }
)
# Prefixes of tracking parameter names: Google/Urchin, AT Internet, Piwik, Matomo, Webtrends,
# comScore, Vero.
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "piwik_", "mtm_", "matomo_", "wt.", "ns_", "vero_")
# "ref", "source" and friends are sometimes real parameters; they are dropped only when their
# value names a channel rather than a record.
CHANNEL_PARAMS = frozenset({"ref", "source", "src", "from", "origin", "origine", "provenance"})
CHANNEL_VALUES = frozenset(
    {
        "rss",
        "feed",
        "atom",
        "newsletter",
        "nl",
        "email",
        "mail",
        "e-mail",
        "twitter",
        "x",
        "facebook",
        "fb",
        "linkedin",
        "instagram",
        "social",
        "share",
        "partage",
        "homepage",
        "home",
        "accueil",
        "google",
        "gnews",
        "push",
        "app",
        "widget",
    }
)
# A leading host label that names a mirror of the same site rather than another site:
# www, www2, m (mobile), mobile, amp, prod, static1..N.
_ALIASES = r"(?:www\d*|m|mobile|amp|prod|static\d*)"
_ALIAS_LABEL = re.compile(rf"^{_ALIASES}$")
_DEFAULT_PORTS = {"80", "443"}
# A URL every rule below leaves as it is: https, a lower-case ASCII host that is no alias,
# no port, a path of unreserved characters with no empty, dot or trailing segment, no
# query, no fragment (and not ending in /amp, checked apart). Its last host label is no
# number: a host ending in one is an IPv4 address, which w3lib >= 2.6 spells in full
# ("127.1" -> "127.0.0.1"), as browsers do. tests/test_properties.py holds it to the full
# canonicalisation.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NAME_LABEL = r"(?![0-9]+/|0x[0-9a-f]*/)" + _LABEL
_SEGMENT = r"(?!\.\.?(?:/|$))[A-Za-z0-9._~-]+"
_ALREADY_CANONICAL = re.compile(
    rf"https://(?!{_ALIASES}\.){_LABEL}(?:\.{_LABEL})*\.{_NAME_LABEL}"
    rf"/(?:{_SEGMENT}(?:/{_SEGMENT})*)?"
)


def canonical_url(url: str) -> str:
    """The one spelling of a URL that every copy of the same page shares.

    RFC normalisation (percent-escapes, dot segments, IDNA host, sorted query) comes from
    ``w3lib.url.canonicalize_url``; on top of it: https for http, no credentials, no default
    port, no fragment, no tracking parameters, host aliases of one site collapsed, no
    trailing slash, no AMP suffix. Never raises; garbage in gives a best-effort string.

    >>> canonical_url("http://www.example.org/a/?utm_source=rss&b=2&a=1#top")
    'https://example.org/a?a=1&b=2'
    """
    if not isinstance(url, str):
        return ""
    current = clean_text(url).strip()
    if _ALREADY_CANONICAL.fullmatch(current) and not current.lower().endswith("/amp"):
        return current  # what most feeds link to; the passes would give it back
    return _canonical_passes(current)


def link_key(url: str, canonical: str | None = None) -> str:
    """What two links must share to lead to one item: the canonical URL (given, or made),
    and the link's fragment when it names a numbered part of the page. A status page or a
    live page links each of its updates to one page ("…/incidents/42#maj-2"): two entries,
    not one. A fragment with no digit ("#top", "#comments") or a parameter in it
    ("#xtor=RSS-3", tracking) is no part.

    >>> link_key("https://status.example.org/incidents/42#maj-2")
    'https://status.example.org/incidents/42#maj-2'
    >>> link_key("http://www.example.org/a/#xtor=RSS-3")
    'https://example.org/a'
    """
    page = canonical_url(url) if canonical is None else canonical
    fragment = url.partition("#")[2] if isinstance(url, str) else ""
    if page and _PART.fullmatch(fragment):
        return f"{page}#{fragment}"
    return page


_PART = re.compile(r"(?=[^#]*\d)[A-Za-z0-9._~:-]{1,80}")  # no "=", "&", "/" nor "?"


def without_tracking(url: str) -> str:
    """The URL as its source published it, minus tracking parameters (utm_*, xtor,
    fbclid...): what pages and feeds link to, since the canonical form (https forced,
    www. dropped, no trailing slash) may be an address the site never served.

    >>> without_tracking("http://www.example.org/a/?utm_source=rss&b=2&xtor=RSS-1#top")
    'http://www.example.org/a/?b=2#top'
    """
    text = clean_text(url).strip() if isinstance(url, str) else ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return text
    if not parts.query:
        return text
    return urlunsplit(parts._replace(query=_query(parts.query)))


def published_on(url: str, site: str) -> bool:
    """Whether ``url`` lives on the site at ``site`` (a source's address): the same host and
    port, or a host under it, mirrors of one site (www, m...) aside.

    >>> published_on("https://viamedis.fr/actu/1", "https://www.viamedis.fr/feed/")
    True
    >>> published_on("https://viamedis.fr/actu/1", "https://www.relais.example/feed/")
    False
    """
    try:
        page, home = urlsplit(canonical_url(url)), urlsplit(canonical_url(site))
        page_port, home_port = page.port, home.port
    except ValueError:
        return False
    if not page.hostname or not home.hostname or page_port != home_port:
        return False
    return page.hostname == home.hostname or page.hostname.endswith("." + home.hostname)


def _canonical_passes(current: str) -> str:
    # One pass settles any real URL; garbage may need another before it stops changing,
    # and the result must be a fixed point (stored URLs are canonicalised again later).
    for _ in range(3):
        following = _canonical_once(current)
        if following == current:
            break
        current = following
    return current


def _canonical_once(raw: str) -> str:
    if not raw:
        return ""
    if raw.startswith("//"):
        raw = "https:" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return raw
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in ("http", "https") or host is None or not _plausible_host(host):
        return raw
    try:
        rebuilt = urlunsplit(
            (
                "https",
                _netloc(host, parts.port),
                _path(parts.path),
                _query(parts.query),
                "",
            )
        )
        canonical = _w3lib_canonicalize(rebuilt)
    except ValueError:  # an impossible port, an invalid IPv6 literal, an IDNA failure
        return raw
    return _strip_trailing_slash(canonical)


def _plausible_host(hostname: str) -> bool:
    """A host name a browser could resolve: no spaces, slashes or quotes, not only dots."""
    if not hostname.strip("."):
        return False
    return not any(ch in hostname for ch in ' \\/<>"{}|^`%')


def _netloc(hostname: str, port: int | None) -> str:
    host = hostname.lower().rstrip(".")
    labels = host.split(".")
    # Keep at least two labels, so "www.example" never becomes a bare top-level domain.
    while len(labels) > 2 and _ALIAS_LABEL.match(labels[0]):
        labels = labels[1:]
    host = ".".join(labels)
    if ":" in host:  # an IPv6 literal lost its brackets in urlsplit
        host = f"[{host}]"
    if port is not None and str(port) not in _DEFAULT_PORTS:
        return f"{host}:{port}"
    return host


def _path(path: str) -> str:
    # Session ids glued to a segment (";jsessionid=...") identify a visitor, not a page.
    path = re.sub(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", "", path, flags=re.IGNORECASE)
    # AMP copies live at ".../slug/amp"; a path made of "/amp" alone is left alone.
    segments = path.split("/")
    while len(segments) > 1 and segments[-1] == "":
        segments.pop()
    if len(segments) > 2 and segments[-1].lower() == "amp":
        segments.pop()
    return "/".join(segments) or "/"


def _query(query: str) -> str:
    if not query:
        return ""
    # Pairs are kept as written (w3lib normalises them next): decoding and re-encoding here
    # would garble values that are not UTF-8.
    kept = []
    for pair in query.split("&"):
        name, _, value = pair.partition("=")
        if pair and not _is_tracking(unquote_plus(name), unquote_plus(value)):
            kept.append(pair)
    return "&".join(kept)


def _is_tracking(name: str, value: str) -> bool:
    key = name.strip().lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES):
        return True
    if key == "amp" and value.strip().lower() in ("", "1", "true"):
        return True  # WordPress AMP plugin: "?amp" or "?amp=1"
    return key in CHANNEL_PARAMS and value.strip().lower() in CHANNEL_VALUES


def _strip_trailing_slash(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = parts.query
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))
