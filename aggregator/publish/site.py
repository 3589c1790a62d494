"""The static site: one Jinja2 environment, French dates, links a phone can dial.

Pages are rendered from templates only (autoescaped); this module prepares the values they
show. Every internal link is relative (``root`` is "" or "../"), so output/ can be served
from any path, or opened from disk.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import jinja2

from aggregator.publish.feeds import FeedSpec, iso, paris

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "style.css"

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
CATEGORIES = {
    "press": "presse",
    "union": "syndicat",
    "payer": "organisme payeur",
    "authority": "autorité",
    "other": "autre",
}
STATUS = {"planned": "prévu", "ongoing": "en cours", "resolved": "résolu"}

NBSP, NNBSP = "\u00a0", "\u202f"  # no-break space; narrow no-break space
# French spacing: a space before ; ? ! (narrow) and : (full width) never breaks, nor the
# spaces inside « » and inside an hour ("16 h 05").
_SPACE_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]+([;?!])")
_SPACE_BEFORE_COLON = re.compile(r"[ \u00a0\u202f]+:")
_AFTER_OPENING_QUOTE = re.compile(r"«[ \u00a0\u202f]*")
_BEFORE_CLOSING_QUOTE = re.compile(r"[ \u00a0\u202f]*»")
_HOUR = re.compile(r"\b(\d{1,2}) h(?: (\d\d)\b)?")
# Fetch errors as the collector words them (English, for logs) -> French, for the pages.
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), french)
    for pattern, french in (
        (r"^HTTP 404\b", "page introuvable (HTTP 404) : l’adresse de la source a changé ?"),
        (r"^HTTP 410\b", "source supprimée par le site (HTTP 410)"),
        (r"^HTTP 40[13]\b", "accès refusé par le site (HTTP {code})"),
        (r"^HTTP 429\b", "le site demande de ralentir (HTTP 429)"),
        (r"^HTTP 5\d\d\b", "le site est en panne (HTTP {code})"),
        (r"^HTTP \d+", "réponse inattendue du site (HTTP {code})"),
        (r"^timed out after", "pas de réponse du site dans le délai"),
        (r"^disallowed by robots\.txt", "collecte interdite par le fichier robots.txt du site"),
        (r"^host not found", "nom de domaine introuvable"),
        (r"^connection refused", "connexion refusée par le serveur"),
        (r"^host unreachable", "serveur injoignable"),
        (r"^TLS error", "certificat ou chiffrement du site invalide"),
        (r"^(connection|network|transport)", "erreur réseau"),
        (r"^server (broke|closed)", "le serveur a coupé la réponse"),
        (r"^(too many redirects|redirect)", "redirections en boucle ou trop nombreuses"),
        (r"^response larger than", "réponse trop volumineuse"),
        (r"^the compressed body is corrupt", "réponse compressée illisible"),
        (r"^not a feed", "ce n’est pas un flux RSS ou Atom lisible"),
        (r"^selector .* matched nothing", "la page ne contient plus ce qui était attendu "
         "(le site a changé ? revoir les sélecteurs)"),
        (r"^invalid selector", "sélecteur invalide dans sources.yaml"),
        (r"^the page could not be parsed", "page illisible"),
    )
)  # fmt: skip

_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,80}", re.IGNORECASE)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9 .()\u00a0-]{3,25}")


# --- formatting ----------------------------------------------------------------------------


def french_day(value: date) -> str:
    """``lundi 29 janvier 2024``; the first of a month is ``1er``."""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{DAYS[value.weekday()]} {day} {MONTHS[value.month - 1]} {value.year}"


def french_date(value: datetime | None) -> str:
    """``lundi 29 janvier 2024 à 15 h 00``, on Paris time; "" for no date.

    Midnight sharp is how a date without a time ("12/11/2025") is stored: the day alone.

    >>> from datetime import UTC
    >>> french_date(datetime(2024, 1, 29, 14, 0, tzinfo=UTC))
    'lundi 29 janvier 2024 à 15\xa0h\xa000'
    >>> french_date(datetime(2024, 1, 28, 23, 0, tzinfo=UTC))
    'lundi 29 janvier 2024'
    """
    if value is None:
        return ""
    local = paris(value)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return french_day(local.date())
    return f"{french_day(local.date())} à {local.hour}{NBSP}h{NBSP}{local.minute:02d}"


def french_spacing(text: str) -> str:
    """Plain text with French no-break spaces (a filter on text, never on markup).

    >>> french_spacing("Attention : rappel ! « Viamedis » à 16 h 05")
    'Attention\xa0: rappel\u202f! «\xa0Viamedis\xa0» à 16\xa0h\xa005'
    """
    text = _SPACE_BEFORE_HIGH.sub(NNBSP + r"\1", text)
    text = _SPACE_BEFORE_COLON.sub(NBSP + ":", text)
    text = _AFTER_OPENING_QUOTE.sub("«" + NBSP, text)
    text = _BEFORE_CLOSING_QUOTE.sub(NBSP + "»", text)
    return _HOUR.sub(lambda m: m[1] + NBSP + "h" + (NBSP + m[2] if m[2] else ""), text)


def french_reason(error: str) -> str:
    """A fetch error, as the collector words it, in French for the pages; the original
    wording stays in ``aggregator status`` and the logs.

    >>> french_reason("HTTP 503 Service Unavailable after 3 attempts")
    'le site est en panne (HTTP 503)'
    """
    for pattern, french in _REASONS:
        if pattern.search(error):
            code = re.match(r"HTTP (\d+)", error)
            return french.format(code=code[1] if code else "")
    return "erreur inattendue"


def local_day(value: datetime) -> date:
    """The calendar day of an instant, on Paris time."""
    return paris(value).date()


def week_of(value: datetime) -> tuple[int, int]:
    """ISO (year, week) of an instant, on Paris time."""
    year, week, _ = paris(value).isocalendar()
    return year, week


def week_name(week: tuple[int, int]) -> str:
    """File stem of a week's digest: ``2024-W05``."""
    return f"{week[0]:04d}-W{week[1]:02d}"


def week_span(week: tuple[int, int]) -> str:
    """``du lundi 29 janvier au dimanche 4 février 2024``."""
    monday = date.fromisocalendar(week[0], week[1], 1)
    sunday = date.fromisocalendar(week[0], week[1], 7)
    first = french_day(monday)
    if monday.year == sunday.year:
        first = first.rsplit(" ", 1)[0]
    return f"du {first} au {french_day(sunday)}"


def file_name(key: str) -> str:
    """A file stem for a slug or an id: itself when plainly safe, else a stable hash."""
    if _SAFE_NAME.fullmatch(key):
        return key
    return "x-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def contact_href(contact: str) -> str | None:
    """A ``tel:`` or ``mailto:`` link for a phone number or an email address, else None.

    >>> contact_href("0805 62 00 10")
    'tel:+33805620010'
    """
    text = contact.strip()
    if _EMAIL.fullmatch(text):
        return "mailto:" + text
    if not _PHONE.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        return "tel:+" + digits
    if len(digits) == 10 and digits.startswith("0"):
        return "tel:+33" + digits[1:]
    if 3 <= len(digits) <= 6:
        return "tel:" + digits  # short numbers (3237, 15): dialled as they are
    return None


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page to render: its template, path, title and the feeds it offers."""

    template: str
    path: str  # relative to output/: "payers/viamedis.html"
    title: str
    feeds: Sequence[FeedSpec] = ()


def root_of(path: str) -> str:
    """The relative prefix from a page back to output/: "" or "../"."""
    return "../" * path.count("/")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of this process, whose templates, once compiled, serve
    every later publish (and the digest workers forked from it)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        fr_date=french_date,
        fr_day=french_day,
        local_day=local_day,
        iso=iso,
        contact_href=contact_href,
        typo=french_spacing,
        reason=french_reason,
    )
    return env


def compile_templates() -> None:
    """Compile every page template now: a run does it on a thread while it collects, so
    that publishing (and each worker it forks) finds them ready."""
    env = environment()
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)


class SiteRenderer:
    """Renders pages with the shared Jinja2 environment and this site's names."""

    def __init__(
        self, site_title: str, payer_name: Callable[[str], str], kind_label: Callable[[str], str]
    ) -> None:
        self.env = environment()
        # Templates read globals when they render, not when they are compiled: setting
        # them here serves this site's pages (one publish at a time per process).
        self.env.globals.update(
            site_title=site_title,
            payer_name=payer_name,
            kind_label=kind_label,
            file_name=file_name,
            week_name=week_name,
            week_span=week_span,
            categories=CATEGORIES,
            status_label=STATUS,
        )

    def render(self, page: Page, **context: object) -> bytes:
        """The page as UTF-8 bytes."""
        template = self.env.get_template(page.template)
        text = template.render(
            page_title=page.title, feeds=page.feeds, root=root_of(page.path), **context
        )
        return text.encode("utf-8")


def stylesheet() -> bytes:
    """The site's CSS, copied to output/style.css."""
    return STYLESHEET.read_bytes()
