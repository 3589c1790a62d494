"""Dates as French sites, feeds and HTML attributes write them, to timezone-aware datetimes.

The standard library does the strict formats: ``email.utils`` reads RFC 822 (RSS
``pubDate``) and ``datetime.fromisoformat`` reads ISO 8601 / RFC 3339. French prose dates
("Publié le 1er février 2024 à 14h30") go through one focused regular expression and a
month table: no library is both fast and right on them, and the pipeline parses thousands.

A date with no zone is taken in ``default_tz`` (Europe/Paris), so summer dates get +02:00
and winter dates +01:00. Years are not range-checked here; the pipeline clamps.

>>> parse_date("Publié le 30/01/2024 à 14h30").isoformat()
'2024-01-30T14:30:00+01:00'
>>> parse_date("Mis à jour le 2 juillet 2024").isoformat()
'2024-07-02T00:00:00+02:00'
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/Paris"
# Date elements are short; capping the text keeps a hostile page from costing much.
MAX_TEXT = 2000
# Dates outside these years are no publication date: year 1 or 9999 cannot even be turned
# into UTC, and the stages after this one do arithmetic on dates. A future date inside
# the range is kept; the pipeline sets it to the fetch time.
MIN_YEAR, MAX_YEAR = 1900, 2999

# Accent-free, lower-case month names and abbreviations, French then English.
MONTHS: dict[str, int] = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "january": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "february": 2,
    "feb": 2,
    "mars": 3,
    "mar": 3,
    "march": 3,
    "avril": 4,
    "avr": 4,
    "april": 4,
    "apr": 4,
    "mai": 5,
    "may": 5,
    "juin": 6,
    "june": 6,
    "jun": 6,
    "juillet": 7,
    "juil": 7,
    "july": 7,
    "jul": 7,
    "aout": 8,
    "august": 8,
    "aug": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "september": 9,
    "octobre": 10,
    "oct": 10,
    "october": 10,
    "novembre": 11,
    "nov": 11,
    "november": 11,
    "decembre": 12,
    "dec": 12,
    "december": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))

_ISO = re.compile(
    r"(?<!\d)(\d{4}-\d{2}-\d{2})"
    r"(?:[t ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?\d*)?)"
    r"(\s*(?:z|[+-]\d{2}(?::?\d{2})?))?)?(?![\d])"
)
_DAY_FIRST = re.compile(r"(?<![\d.,/-])(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?![\d/])")
_YEAR_FIRST = re.compile(r"(?<![\d.,/-])(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?![\d/])")
_DAY_MONTH = re.compile(
    rf"(?<![\w])(\d{{1,2}})(?:er|re|st|nd|rd|th|e|°)?[\s.-]*({_MONTH})(?![a-z])\.?[\s,.-]*"
    r"(\d{4})(?!\d)"
)
_MONTH_DAY = re.compile(
    rf"(?<![a-z])({_MONTH})(?![a-z])\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)"
)
# What may follow a date: "à 14h30", ", 15 h", "- 10:05:12", "at 9:12 GMT", "14h30 +02:00".
_TIME = re.compile(
    r"\s*(?:[,-]\s*)?(?:a|at|vers|des)?\s*(\d{1,2})\s*(?:h(?:eures?)?(?![a-z])|:)\s*(\d{2})?"
    r"(?:\s*(?::|min)\s*(\d{2}))?(?:\s*(?:s|sec)\b)?"
    r"(?:\s*(?:(?:utc|gmt|z)(?![a-z])\s*)?(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?"
)
_RFC822 = re.compile(rf"^(?:[a-z]{{3}},?\s*)?\d{{1,2}}\s+(?:{_MONTH})\s+\d{{2,4}}\s+\d")
_UTC_MARK = re.compile(r"(?:[+-]0000|\bgmt|\but|\bz)\s*$")


@lru_cache(maxsize=4096)  # a pure function, asked twice of each feed date
def parse_date(text: str | None, default_tz: str = DEFAULT_TZ) -> datetime | None:
    """The first date written in ``text``, timezone-aware; None when there is none.

    Never raises: anything that is not a date gives None.
    """
    if not text:
        return None
    try:
        return plausible(_parse(_normalize(text[:MAX_TEXT]), _zone(default_tz)))
    except (ValueError, OverflowError, TypeError, IndexError):
        # Out-of-range fields ("31/02/2024", "25h70") or a wild RFC 822 string.
        return None


def plausible(date: datetime | None) -> datetime | None:
    """The date when it can be a publication date (years MIN_YEAR to MAX_YEAR), else None."""
    if date is None or not MIN_YEAR <= date.year <= MAX_YEAR:
        return None
    return date


def _normalize(text: str) -> str:
    """Lower case, accents dropped, non-breaking and odd spaces made plain spaces."""
    plain = unicodedata.normalize("NFKD", text)
    if not plain.isascii():  # no ASCII character is a combining mark
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.lower().split())


@lru_cache(maxsize=32)
def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return ZoneInfo(DEFAULT_TZ)


def _parse(text: str, zone: tzinfo) -> datetime | None:
    if _RFC822.match(text):
        found = _rfc822(text, zone)
        if found is not None:
            return found
    candidates = [
        match
        for pattern in (_ISO, _DAY_FIRST, _YEAR_FIRST, _DAY_MONTH, _MONTH_DAY)
        if (match := pattern.search(text)) is not None
    ]
    # The first date in reading order wins: "publié le ..., mis à jour le ...".
    for match in sorted(candidates, key=lambda m: m.start()):
        found = _from_match(match, text, zone)
        if found is not None:
            return found
    return None


def _rfc822(text: str, zone: tzinfo) -> datetime | None:
    try:
        found = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if found.tzinfo is None:
        # "-0000" means UTC with no known local zone; a name email.utils does not know
        # (CET, CEST...) is most likely the sites' own French time.
        return found.replace(tzinfo=UTC if _UTC_MARK.search(text) else zone)
    return found


def _from_match(match: re.Match[str], text: str, zone: tzinfo) -> datetime | None:
    pattern = match.re
    if pattern is _ISO:
        return _from_iso(match, text, zone)
    groups = match.groups()
    if pattern is _DAY_FIRST:
        day, month, year = int(groups[0]), int(groups[1]), _year(groups[2])
    elif pattern is _YEAR_FIRST:
        year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
    elif pattern is _DAY_MONTH:
        day, month, year = int(groups[0]), MONTHS[groups[1]], int(groups[2])
    else:
        month, day, year = MONTHS[groups[0]], int(groups[1]), int(groups[2])
    date = datetime(year, month, day)
    return _with_time(date, text[match.end() :], zone)


def _year(text: str) -> int:
    """Two-digit years are this century's: sites write "30/01/24" for 2024."""
    return int(text) + 2000 if len(text) == 2 else int(text)


def _from_iso(match: re.Match[str], text: str, zone: tzinfo) -> datetime | None:
    day, clock, offset = match.groups()
    if clock is None:
        return _with_time(datetime.fromisoformat(day), text[match.end() :], zone)
    clock = re.sub(r"([.,]\d{1,6})\d*$", r"\1", clock)  # nanoseconds: keep microseconds
    found = datetime.fromisoformat(f"{day}T{clock}{(offset or '').strip().upper()}")
    return found if found.tzinfo is not None else found.replace(tzinfo=zone)


def _with_time(date: datetime, rest: str, zone: tzinfo) -> datetime:
    """The date with the time of day written right after it, if any, in its zone."""
    match = _TIME.match(rest)
    if match is None or (match.group(2) is None and "h" not in match.group(0)):
        return date.replace(tzinfo=zone)
    hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        date = date.replace(
            hour=int(hour), minute=int(minute or 0), second=min(int(second or 0), 59)
        )
    except ValueError:  # "à 25h70" is no time of day, but the date before it stands
        return date.replace(tzinfo=zone)
    if sign and int(off_h) < 24 and int(off_m or 0) < 60:
        delta = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        return date.replace(tzinfo=timezone(-delta if sign == "-" else delta))
    if re.search(r"(?:utc|gmt|z)(?![a-z])", match.group(0)):
        return date.replace(tzinfo=UTC)
    return date.replace(tzinfo=zone)
