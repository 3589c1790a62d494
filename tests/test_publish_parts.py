"""The publish stage's small parts: French dates, contact links, file names, atomic writes."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.errors import PublishError
from aggregator.models import Item
from aggregator.publish.feeds import clean_item, iso, link, plain, sort_key, summary_text
from aggregator.publish.site import (
    contact_href,
    file_name,
    french_date,
    root_of,
    week_name,
    week_of,
    week_span,
)
from aggregator.publish.write import OutputWriter
from aggregator.text.sanitize import clean_html, clean_text, safe_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 29, 14, 0, tzinfo=UTC), "lundi 29 janvier 2024 à 15 h 00"),
        (datetime(2024, 2, 1, 8, 5, tzinfo=UTC), "jeudi 1er février 2024 à 9 h 05"),
        (datetime(2024, 8, 15, 22, 30, tzinfo=UTC), "vendredi 16 août 2024 à 0 h 30"),
        (datetime(2023, 12, 31, 23, 59, tzinfo=UTC), "lundi 1er janvier 2024 à 0 h 59"),
        (datetime(2024, 3, 31, 10, 0), "dimanche 31 mars 2024 à 10 h 00"),  # naive: Paris
        (datetime(2024, 5, 8, 12, 0, tzinfo=timezone(timedelta(hours=-4))),
         "mercredi 8 mai 2024 à 18 h 00"),
        # Midnight sharp in Paris is a date that came without a time: the day alone.
        (datetime(2025, 11, 11, 23, 0, tzinfo=UTC), "mercredi 12 novembre 2025"),
        (datetime(2025, 11, 12, 0, 0, 1, tzinfo=UTC), "mercredi 12 novembre 2025 à 1 h 00"),
    ],
)  # fmt: skip
def test_french_date_is_paris_time_in_words(value: datetime, expected: str) -> None:
    # The spaces inside an hour never break ("16 h" at a line's end, "05" on the next).
    assert french_date(value).replace("\u00a0h\u00a0", " h ") == expected
    assert " h " not in french_date(value)


def test_no_date_is_an_empty_string() -> None:
    assert french_date(None) == ""
    assert iso(None) is None


def test_iso_dates_carry_the_paris_offset_of_their_season() -> None:
    assert iso(datetime(2024, 1, 29, 14, 0, tzinfo=UTC)) == "2024-01-29T15:00:00+01:00"
    assert iso(datetime(2024, 7, 1, 6, 30, 15, 999, tzinfo=UTC)) == "2024-07-01T08:30:15+02:00"
    assert iso(datetime(2024, 7, 1, 8, 30)) == "2024-07-01T08:30:00+02:00"


@pytest.mark.parametrize(
    ("value", "week", "name"),
    [
        (datetime(2024, 1, 29, 14, 0, tzinfo=UTC), (2024, 5), "2024-W05"),
        (datetime(2021, 1, 3, 12, 0, tzinfo=UTC), (2020, 53), "2020-W53"),
        (datetime(2024, 12, 30, 9, 0, tzinfo=UTC), (2025, 1), "2025-W01"),
        (datetime(2024, 2, 4, 23, 30, tzinfo=UTC), (2024, 6), "2024-W06"),  # Monday in Paris
    ],
)
def test_iso_weeks_on_paris_time(value: datetime, week: tuple[int, int], name: str) -> None:
    assert week_of(value) == week
    assert week_name(week) == name


def test_week_span_names_both_ends() -> None:
    assert week_span((2024, 5)) == "du lundi 29 janvier au dimanche 4 février 2024"
    assert week_span((2025, 1)) == "du lundi 30 décembre 2024 au dimanche 5 janvier 2025"


@pytest.mark.parametrize(
    ("contact", "href"),
    [
        ("0805 62 00 10", "tel:+33805620010"),
        ("08 05 62 00 10", "tel:+33805620010"),
        ("08.05.62.00.10", "tel:+33805620010"),
        ("+33 805 62 00 10", "tel:+33805620010"),
        ("3237", "tel:3237"),
        ("aide@operateur.example.fr", "mailto:aide@operateur.example.fr"),
        ("numéro vert", None),
        ("javascript:alert(1)", None),
        ('a@b.fr" onclick="x', None),
        ("12345678901234", None),
    ],
)
def test_contact_links_dial_or_mail_only_what_they_should(contact: str, href: str | None) -> None:
    assert contact_href(contact) == href


@pytest.mark.parametrize(
    ("key", "safe"),
    [("viamedis", True), ("2024-01-29-viamedis-cyberattack", True), ("sp-sante", True),
     ("../../etc/passwd", False), ("a/b", False), (".hidden", False), ("", False),
     ("é", False), ("x" * 200, False)],
)  # fmt: skip
def test_file_names_keep_plain_slugs_and_hash_the_rest(key: str, safe: bool) -> None:
    name = file_name(key)
    assert (name == key) is safe
    assert "/" not in name and not name.startswith(".") and 0 < len(name) <= 81
    assert file_name(key) == name  # stable


def test_root_of_climbs_back_to_output() -> None:
    assert root_of("index.html") == ""
    assert root_of("payers/viamedis.html") == "../"


def test_plain_text_drops_markup_controls_and_script_urls_and_decodes_nothing() -> None:
    assert plain("Panne <b>Almerys</b>\x00 &amp; co") == "Panne Almerys &amp; co"
    assert plain("&lt;script&gt;alert(1)&lt;/script&gt;") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert plain("a <script>alert(1)</script>b") == "a b"
    assert plain("javajavascript:script:alert(1)") == "alert(1)"
    assert plain("Tarif < 5 € : ok") == "Tarif < 5 € : ok"
    assert plain(None) == ""


def test_clean_item_drops_unsafe_urls_and_keeps_safe_ones() -> None:
    item = Item(
        id="x1",
        source="s",
        url=" jav\tascript:alert(1)",
        title="",
        content_html=clean_html(
            '<p>ok<a href="javascript:x">l</a><img src="https://i.example/a.png" alt=""></p>'
        ),
        also_at=("https://ok.example/1", "vbscript:x", "data:text/html,<b>"),
    )
    cleaned = clean_item(item)
    assert cleaned.url == ""
    assert cleaned.title == "(sans titre)"
    assert cleaned.also_at == ("https://ok.example/1",)
    assert (
        "javascript" not in cleaned.content_html
        and "https://i.example/a.png" in cleaned.content_html
    )


def test_clean_item_keeps_every_field_that_is_already_clean() -> None:
    # clean_item builds the item field by field: one it forgot would take its default.
    when = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    values: dict[str, object] = {
        "id": "i1",
        "source": "press-1",
        "url": "https://a.example/1",
        "title": "Viamedis en panne",
        "content_html": "<p>Le portail est <strong>indisponible</strong>.</p>",
        "summary": "<p>Le portail est indisponible.</p>",
        "date_published": when,
        "date_modified": when + timedelta(hours=1),
        "first_seen": when + timedelta(hours=2),
        "payers": ("viamedis",),
        "kinds": ("outage",),
        "organisations": ("ars",),
        "incidents": ("inc-1",),
        "also_at": ("https://b.example/2",),
        "actions": ("Noter les dossiers",),
        "contacts": ("0805 10 51 90",),
        "status": "failure",
        "source_name": "La presse",
    }
    assert set(values) == {f.name for f in dataclasses.fields(Item)}
    item = Item(**values)  # type: ignore[arg-type]
    assert clean_item(item) == item
    assert clean_item(item, html=False) == item
    # Dirty values of each kind are cleaned, and the source stands in for a missing name.
    dirty = dataclasses.replace(
        item,
        source="press\x00-1",
        title="<b>Viamedis</b>\n en\tpanne",
        kinds=("outage\n", ""),
        actions=("Noter <i>les</i> dossiers",),
        source_name="",
    )
    cleaned = clean_item(dirty)
    assert (cleaned.source, cleaned.title, cleaned.kinds) == ("press-1", item.title, ("outage",))
    assert (cleaned.actions, cleaned.source_name) == (item.actions, "press-1")


def test_summary_text_falls_back_to_the_body_and_is_bounded() -> None:
    body = "<p>" + "mot " * 500 + "</p>"
    text = summary_text(Item(id="x", source="s", url="", title="t", content_html=body))
    assert text.endswith(" …") and len(text) <= 402 and "<" not in text


def test_undated_items_sort_last_and_ties_break_by_id() -> None:
    when = datetime(2024, 1, 1, tzinfo=UTC)
    items = [
        Item(id="b", source="s", url="", title="", date_published=when),
        Item(id="c", source="s", url="", title=""),
        Item(id="a", source="s", url="", title="", date_published=when),
        Item(id="d", source="s", url="", title="", first_seen=when + timedelta(seconds=1)),
    ]
    assert [i.id for i in sorted(items, key=sort_key)] == ["d", "a", "b", "c"]


# --- OutputWriter -------------------------------------------------------------------------


def test_writer_writes_only_changed_bytes(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    assert writer.write("a/b.txt", b"un")
    path = tmp_path / "a" / "b.txt"
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    again = OutputWriter(tmp_path)
    assert not again.write("a/b.txt", b"un")
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert again.write("a/c.txt", b"deux") and again.unchanged == 1
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.txt", "c.txt"]
    assert oct(path.stat().st_mode & 0o777) == "0o644"


@pytest.mark.parametrize("bad", ["../evil.html", "/etc/evil", "a/../../evil", ""])
def test_writer_refuses_paths_outside_output(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PublishError):
        OutputWriter(tmp_path / "out").write(bad, b"x")


def test_writer_refuses_to_write_one_file_twice(tmp_path: Path) -> None:
    writer = OutputWriter(tmp_path)
    writer.write("x.txt", b"1")
    with pytest.raises(PublishError, match="same file"):
        writer.write("x.txt", b"2")


def test_stale_files_go_only_from_managed_folders(tmp_path: Path) -> None:
    (tmp_path / "payers").mkdir()
    (tmp_path / "payers" / "old.html").write_bytes(b"old")
    (tmp_path / "payers" / ".aggregator-old.html.abc.tmp").write_bytes(b"half")
    (tmp_path / "payers" / ".htaccess").write_bytes(b"host")
    (tmp_path / ".aggregator-index.html.xyz.tmp").write_bytes(b"half")
    (tmp_path / ".well-known.tmp").write_bytes(b"someone else's")
    (tmp_path / "notes.txt").write_bytes(b"mine")
    writer = OutputWriter(tmp_path)
    writer.write("payers/new.html", b"new")
    removed = writer.remove_stale(["payers", "kinds"])
    assert sorted(removed) == [
        ".aggregator-index.html.xyz.tmp",
        "payers/.aggregator-old.html.abc.tmp",
        "payers/old.html",
    ]
    assert (tmp_path / "notes.txt").read_bytes() == b"mine"
    assert (tmp_path / ".well-known.tmp").is_file()
    assert sorted(p.name for p in (tmp_path / "payers").iterdir()) == [".htaccess", "new.html"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(),
        st.from_regex(r"https?://[a-z0-9.-]{1,12}(:[0-9]{1,5})?/[ -~]{0,30}", fullmatch=True),
        st.from_regex(r"(?i)\s*(java|vb)\s*script\s*:[ -~]{0,10}", fullmatch=True),
    )
)
def test_the_fast_url_check_agrees_with_safe_url(url: str) -> None:
    assert link(url) == safe_url(clean_text(url))
