"""parse_date: ISO 8601, RFC 822 and the ways French sites write dates."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.collect.extract.dates import parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French prose, as list pages and article headers write it
        ("Publié le 30/01/2024", "2024-01-30T00:00:00+01:00"),
        ("30/01/2024 à 14h30", "2024-01-30T14:30:00+01:00"),
        ("1 février 2024", "2024-02-01T00:00:00+01:00"),
        ("1er février 2024", "2024-02-01T00:00:00+01:00"),
        ("lundi 29 janvier 2024 à 15h", "2024-01-29T15:00:00+01:00"),
        ("29 janv. 2024", "2024-01-29T00:00:00+01:00"),
        ("Publication : 27 mai 2020", "2020-05-27T00:00:00+02:00"),
        ("Mis à jour le 2 février 2024 à 10:05", "2024-02-02T10:05:00+01:00"),
        ("MIS A JOUR LE 2 FEVRIER 2024 A 10:05", "2024-02-02T10:05:00+01:00"),
        ("publie le 15 aout 2024", "2024-08-15T00:00:00+02:00"),
        ("Le 5 août 2024, 8 h 05", "2024-08-05T08:05:00+02:00"),
        ("jeu. 12 déc. 2024 - 18:45:30", "2024-12-12T18:45:30+01:00"),
        ("3 sept. 2024", "2024-09-03T00:00:00+02:00"),
        ("le 3 septembre 2024 à 15 heures", "2024-09-03T15:00:00+02:00"),
        # a number after the date is not a time unless it reads as one
        ("30 janvier 2024 12 hôpitaux", "2024-01-30T00:00:00+01:00"),
        ("30 janvier 2024 : 12 hôpitaux", "2024-01-30T00:00:00+01:00"),
        ("Publié le 23/05/17", "2017-05-23T00:00:00+02:00"),
        ("12.03.2024", "2024-03-12T00:00:00+01:00"),
        ("2024/03/12", "2024-03-12T00:00:00+01:00"),
        ("Publié\xa0le\u202f1er\xa0juillet\xa02024", "2024-07-01T00:00:00+02:00"),
        # the first date in the text wins
        ("Publié le 30/01/2024, mis à jour le 02/02/2024", "2024-01-30T00:00:00+01:00"),
        ("Le 4 mars 2024 (article du 1er mars 2024)", "2024-03-04T00:00:00+01:00"),
        # explicit zones are kept as written
        ("30 janvier 2024 14:30 UTC", "2024-01-30T14:30:00+00:00"),
        ("30 janvier 2024 à 14h30 +05:30", "2024-01-30T14:30:00+05:30"),
        # ISO 8601 / RFC 3339
        ("2024-01-30T09:12:00+01:00", "2024-01-30T09:12:00+01:00"),
        ("2024-07-30T09:12:00Z", "2024-07-30T09:12:00+00:00"),
        ("2024-07-30T09:12:00.123456789-04:00", "2024-07-30T09:12:00.123456-04:00"),
        ("2024-07-30 09:12", "2024-07-30T09:12:00+02:00"),
        ("2024-01-30", "2024-01-30T00:00:00+01:00"),
        # RFC 822, as RSS pubDate
        ("Tue, 30 Jan 2024 09:12:00 +0100", "2024-01-30T09:12:00+01:00"),
        ("Tue, 30 Jan 2024 09:12:00 GMT", "2024-01-30T09:12:00+00:00"),
        ("Tue, 30 Jan 2024 09:12:00 -0000", "2024-01-30T09:12:00+00:00"),
        ("Mon, 15 Jul 2024 18:45:00 EDT", "2024-07-15T18:45:00-04:00"),
        ("30 Jan 2024 09:12 CET", "2024-01-30T09:12:00+01:00"),
        ("January 30, 2024", "2024-01-30T00:00:00+01:00"),
        # years outside any plausible range are still read: the pipeline clamps
        ("2099-01-01", "2099-01-01T00:00:00+01:00"),
        ("1er janvier 1970", "1970-01-01T00:00:00+01:00"),
    ],
)
def test_parse_date_reads_the_formats_sites_use(text: str, expected: str) -> None:
    found = parse_date(text)
    assert found is not None
    assert found.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "offset_hours"),
    [
        ("30 mars 2024 à 12h", 1),  # the day before the spring change
        ("31 mars 2024 à 12h", 2),
        ("26 octobre 2024 à 12h", 2),
        ("27 octobre 2024 à 12h", 1),  # the day of the autumn change
        ("15 juillet 2024", 2),
        ("15 décembre 2024", 1),
    ],
)
def test_a_date_without_zone_is_paris_time_with_summer_time(text: str, offset_hours: int) -> None:
    found = parse_date(text)
    assert found is not None
    assert found.utcoffset() == timedelta(hours=offset_hours)


def test_default_zone_can_be_chosen_and_a_bad_one_falls_back_to_paris() -> None:
    new_york = parse_date("1 mai 2024 à 9h", "America/New_York")
    assert new_york is not None and new_york.utcoffset() == timedelta(hours=-4)
    fallback = parse_date("1 mai 2024 à 9h", "Nowhere/Invalid")
    assert fallback is not None and fallback.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "hier",
        "Publié il y a 3 heures",
        "12",
        "2024",
        "30/02/2024",  # no such day
        "32 janvier 2024",
        "29 janvier",  # no year: guessing it would be wrong half the time
        "version 1.2.3",
        "Tel. 01 23 45 67 89",
        "2024-13-45T99:99:99",
    ],
)
def test_parse_date_gives_none_when_there_is_no_date(text: str | None) -> None:
    assert parse_date(text) is None


def test_an_impossible_time_after_a_date_keeps_the_date() -> None:
    assert parse_date("30/01/2024 à 99h99") == datetime.fromisoformat("2024-01-30T00:00:00+01:00")
    assert parse_date("30/01/2024 à 23h59") == datetime.fromisoformat("2024-01-30T23:59:00+01:00")


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_parse_date_never_raises(text: str) -> None:
    found = parse_date(text)
    assert found is None or found.tzinfo is not None


@given(
    st.text(alphabet="0123456789/-.:hT+Z àlejanvierfévmaiaoûtdc,er", max_size=60),
)
@settings(max_examples=400, deadline=None)
def test_parse_date_never_raises_on_date_like_text(text: str) -> None:
    found = parse_date(text)
    assert found is None or found.utcoffset() is not None


def test_parse_date_is_fast_enough_for_thousands_of_items() -> None:
    samples = ["lundi 29 janvier 2024 à 15h", "2024-07-30T09:12:00+02:00", "x" * 1500]
    start = time.perf_counter()
    for _ in range(1000):
        for sample in samples:
            parse_date(sample)
    assert time.perf_counter() - start < 1.5
