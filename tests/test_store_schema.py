"""The schema as sqlite-utils makes it: foreign keys, full-text index, operator views, and an
existing database from the previous version migrated in place."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from aggregator.errors import StoreError
from aggregator.models import Source
from aggregator.store.database import SCHEMA_VERSION, Store

DATA = Path(__file__).parent / "data" / "store"
LINKS = {
    ("fetch_log", "source", "sources", "id"),
    ("entries", "source", "sources", "id"),
    ("pending_entries", "entry_id", "entries", "id"),
    ("items", "source", "sources", "id"),
    ("entry_marks", "entry_id", "entries", "id"),
    ("entry_marks", "item_id", "items", "id"),
    ("item_incidents", "item_id", "items", "id"),
    ("item_incidents", "incident_id", "incidents", "id"),
    ("article_failures", "entry_id", "entries", "id"),
    ("article_failures", "source", "sources", "id"),
}
DEAD_ENTRY_COLUMNS = {"item_id", "merge_rule", "merge_score", "processed"}


def _links(path: Path) -> set[tuple[str, str, str, str]]:
    db = sqlite_utils.Database(path)
    found = {
        (fk.table, fk.column, fk.other_table, fk.other_column)
        for table in db.tables
        for fk in table.foreign_keys
    }
    db.close()
    return found


def _rows(path: Path, table: str, columns: str = "*") -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.execute(f"SELECT {columns} FROM {table}").fetchall(), key=repr)


def test_a_new_database_links_entries_items_and_incidents(tmp_path: Path) -> None:
    Store(tmp_path / "a.db").close()
    assert _links(tmp_path / "a.db") == LINKS
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert db["items"].detect_fts() == "items_fts"  # type: ignore[union-attr]
    assert {"failures_by_source", "merged_entries"} <= set(db.view_names())
    assert not DEAD_ENTRY_COLUMNS & set(db["entries"].columns_dict)


def test_a_row_pointing_at_nothing_is_refused_at_commit(tmp_path: Path) -> None:
    """Within a transaction rows come in any order; at the commit every link must hold."""
    with Store(tmp_path / "a.db") as store:
        with pytest.raises(StoreError, match="FOREIGN KEY"), store.transaction():
            store.execute(
                "INSERT INTO item_incidents (item_id, incident_id) VALUES ('nothing', 'none')"
            )
        assert store.execute("SELECT count(*) FROM item_incidents").fetchone()[0] == 0


@pytest.mark.parametrize("tables", [["entries", "entry_marks"], ["items", "item_incidents"]])
def test_a_database_of_the_previous_version_is_migrated_in_place(
    tmp_path: Path, tables: list[str]
) -> None:
    """version-1.db was written by the code before this schema (hand-written SQL, no links,
    no full-text index): every row is kept, the dead columns go, the links and the index
    come, and understanding goes on where that version left off."""
    path = tmp_path / "old.db"
    shutil.copy(DATA / "version-1.db", path)
    kept_columns = {
        "entries": "id, source, guid, url, canonical_url, title, summary, content, published, "
        "updated, first_seen, last_seen, content_hash",
        "entry_marks": "entry_id, item_id, merge_rule, merge_score",
        "items": "*",
        "item_incidents": "*",
    }
    before = {t: _rows(path, t, kept_columns[t]) for t in tables}
    others = ("sources", "http_state", "fetch_log", "incidents", "pending_entries", "meta")
    before_others = {t: _rows(path, t) for t in others}
    old_source_columns = ", ".join(sqlite_utils.Database(path)["sources"].columns_dict)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1

    with Store(path) as store:
        assert store.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.execute("PRAGMA foreign_key_check").fetchall() == []
        pending = store.pending_entries()
        assert [e.title for e in pending] == [
            "Viamedis : service rétabli",
            "Rappel : campagne de vaccination",
        ]
        assert [i.title for i in store.search("cyberattaque")] == [
            "Almerys : cyberattaque en cours"
        ]
    assert {t: _rows(path, t) for t in tables} == before
    after = {t: _rows(path, t, old_source_columns if t == "sources" else "*") for t in others}
    assert after == before_others
    assert _rows(path, "sources", "notes") == [(None,), (None,)]  # a column added empty
    assert _links(path) == LINKS
    assert not DEAD_ENTRY_COLUMNS & set(sqlite_utils.Database(path)["entries"].columns_dict)

    schema = _rows(path, "sqlite_master", "type, name, sql")
    Store(path).close()  # opened again: nothing to do
    assert _rows(path, "sqlite_master", "type, name, sql") == schema


def test_the_views_say_which_sources_fail_and_why_entries_were_merged(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(DATA / "version-1.db", path)
    with Store(path) as store:
        failures = list(store.db.query("SELECT * FROM failures_by_source"))
        merged = list(store.db.query("SELECT * FROM merged_entries"))
    assert [(f["source"], f["failed_fetches"], f["last_error"]) for f in failures] == [
        ("viamedis", 1, "HTTP 503"),
        ("echo", 0, None),
    ]
    (merge,) = merged
    assert merge["merge_rule"] == "url" and merge["merge_score"] == 1.0
    assert merge["entry_source"] == "viamedis" and merge["item_source"] == "echo"
    assert merge["entry_title"] == "Viamedis : panne du portail"
    assert merge["item_title"] == "Viamedis : panne du portail de tiers payant"


def test_a_database_without_source_notes_gets_the_column(tmp_path: Path) -> None:
    """Version 2 had no ``sources.notes`` (the budgets a source hit): it is added in place,
    and the budgets a run notes are kept and read back."""
    path = tmp_path / "v2.db"
    with Store(path) as store:
        store.sync_sources([Source(id="s", name="S", type="feed", url="https://ex.fr/f",
                                   category="press")])  # fmt: skip
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE sources DROP COLUMN notes")
        conn.execute("PRAGMA user_version = 2")
    with Store(path) as store:
        assert store.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        with store.transaction():
            store.record_source("s", datetime.now(UTC), notes=["article pages: 30 of 40"])
        (status,) = store.source_statuses()
    assert status.notes == "article pages: 30 of 40" and status.name == "S"


def test_the_tables_of_the_schedule_robots_and_alerts_are_the_schema_s(tmp_path: Path) -> None:
    """They were made by the modules that use them, on first use; a database made then
    (without them, or with them as those modules made them) is brought to one schema."""
    made_here = ("poll_schedule", "robots", "notify_state", "outbox")
    Store(tmp_path / "new.db").close()
    new = sqlite_utils.Database(tmp_path / "new.db")
    assert set(made_here) <= set(new.table_names())
    path = tmp_path / "v3.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:
        for table in made_here:
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 3")
    Store(path).close()
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    with sqlite3.connect(path) as old, sqlite3.connect(tmp_path / "new.db") as fresh:
        assert old.execute(schema).fetchall() == fresh.execute(schema).fetchall()
    with sqlite3.connect(path) as conn:  # one alert per target, incident and change
        row = ("t", "i", "opened", "T", "B", "2026-01-01")
        insert = ("INSERT INTO outbox (target, incident_id, change, title, body, created) "
                  "VALUES (?, ?, ?, ?, ?, ?)")  # fmt: skip
        conn.execute(insert, row)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(insert, row)


def test_a_database_of_two_versions_ago_is_migrated_too(tmp_path: Path) -> None:
    """version-0.db kept marks in the entries' own columns and its sources had no rows:
    the marks move to their table and the sources get rows, so every link holds."""
    path = tmp_path / "old.db"
    shutil.copy(DATA / "version-0.db", path)
    with sqlite3.connect(path) as conn:
        old = conn.execute("SELECT id, item_id, merge_rule, processed FROM entries").fetchall()
    with Store(path) as store:
        assert store.execute("PRAGMA foreign_key_check").fetchall() == []
        marks = store.execute("SELECT entry_id, item_id, merge_rule FROM entry_marks").fetchall()
        assert sorted(marks) == sorted((i, item, rule) for i, item, rule, _ in old if item)
        pending = {e.id for e in store.pending_entries()}
        assert pending == {i for i, _, _, done in old if not done}
        assert {s[0] for s in store.execute("SELECT id FROM sources")} == {"press", "union"}


def test_the_schedule_reads_a_source_s_newest_entries_through_an_index(tmp_path: Path) -> None:
    """After every run the schedule reads each polled source's newest entries: without an
    index on (source, first_seen) each read scans every entry (seconds on a warm run)."""
    path = tmp_path / "a.db"
    Store(path).close()
    with sqlite3.connect(path) as conn:  # a database of the version before the index
        conn.execute("DROP INDEX entries_source_seen")
        conn.execute("PRAGMA user_version = 4")
    Store(path).close()
    plan = sqlite3.connect(path).execute(
        "EXPLAIN QUERY PLAN SELECT published, first_seen FROM entries WHERE source = ? "
        "ORDER BY first_seen DESC LIMIT 25",
        ("flux",),
    ).fetchall()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX entries_source_seen" in details
    assert "TEMP B-TREE" not in details
