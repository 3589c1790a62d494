"""The store's batch writes: what they write, and in which order they write it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator import pipeline
from aggregator.classify import load_taxonomy
from aggregator.models import Merge, RawItem
from aggregator.store import Store

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _raw(number: int) -> RawItem:
    # Dated backwards: the last saved is the oldest, so date order is the reverse of the
    # order the rows sit in the table.
    return RawItem(
        guid=f"https://example.org/a/{number}",
        url=f"https://example.org/a/{number}",
        title=f"Note {number} sur la facturation",
        content=f"<p>Texte {number} : la télétransmission des feuilles de soins.</p>",
        published=NOW - timedelta(hours=number),
    )


def _stored(tmp_path: Path, count: int) -> Store:
    store = Store(tmp_path / "a.db")
    items = [_raw(n) for n in range(count)]
    with store.transaction():
        store.save_entries("press", items, [i.url for i in items], NOW)
    return store


def test_marks_are_written_in_table_order_whatever_order_they_come_in(tmp_path: Path) -> None:
    store = _stored(tmp_path, 30)
    pending = store.pending_entries()
    assert [e.published for e in pending] == sorted(e.published for e in pending)  # by date
    table_order = [row[0] for row in store.execute("SELECT id FROM entries ORDER BY rowid")]
    assert [e.id for e in pending] == table_order[::-1]
    assert all(e.row is not None for e in pending)

    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    with store.transaction():
        store.mark_entries(
            [(e, pending[0].id, Merge(pending[0].id, "near-duplicate", 0.9)) for e in pending]
        )
    store.db.conn.set_trace_callback(None)

    updated = [s.rsplit("'", 2)[1] for s in statements if s.startswith("UPDATE entries")]
    assert updated == table_order
    marked = store.execute(
        "SELECT count(*) FROM entries WHERE processed = 1 AND item_id = ? "
        "AND merge_rule = 'near-duplicate' AND merge_score = 0.9",
        (pending[0].id,),
    ).fetchone()[0]
    assert marked == 30
    assert store.pending_entries() == []


def test_understanding_writes_items_and_marks_once_each_after_matching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More entries than the old batch of 500: one statement for the items, one for the
    marks, and every entry understood."""
    store = _stored(tmp_path, 620)
    calls: list[tuple[str, int]] = []
    save_items, mark_entries = Store.save_items, Store.mark_entries

    def counted_items(self: Store, items: list) -> None:  # type: ignore[type-arg]
        calls.append(("items", len(items)))
        save_items(self, items)

    def counted_marks(self: Store, marks: list) -> None:  # type: ignore[type-arg]
        calls.append(("marks", len(marks)))
        mark_entries(self, marks)

    monkeypatch.setattr(Store, "save_items", counted_items)
    monkeypatch.setattr(Store, "mark_entries", counted_marks)
    report = pipeline.RunReport()
    assert pipeline.understand(store, load_taxonomy(None), report)

    assert calls == [("items", 620), ("marks", 620)]
    assert report.new_items == 620
    assert store.execute("SELECT count(*) FROM items").fetchone()[0] == 620
    assert store.pending_entries() == []
