"""The store as understanding uses it: marks, pending entries, exact keys, the texts read
ahead, and one write of everything understood."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator import pipeline
from aggregator.understand import stage
from aggregator.models import Entry, Item, Mark, Merge, RawItem, Source
from aggregator.store.database import Store
from aggregator.understand.taxonomy import load_taxonomy

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


HOUR = timedelta(hours=1)


def _open(tmp_path: Path) -> Store:
    """A store whose sources table knows every source these tests save entries of."""
    store = Store(tmp_path / "a.db")
    store.sync_sources(
        [
            Source(id=name, name=name, type="feed", url=f"https://{name}.example/f")
            for name in ("press", "agence", "a", "b", "union", "quiet", "statut", "relais")
        ]
    )
    return store


def _understood(store: Store, entries: list[Entry]) -> None:
    """Mark entries as an earlier run would have: each founded an item of its own."""
    store.save_items(
        [Item(id=e.id, source=e.source, url=e.canonical_url, title=e.title) for e in entries]
    )
    store.mark_entries([Mark(e.id, e.id) for e in entries])


def _stored(tmp_path: Path, count: int) -> Store:
    store = _open(tmp_path)
    items = [_raw(n) for n in range(count)]
    with store.transaction():
        store.save_entries("press", items, [i.url for i in items], NOW)
    return store


def test_marks_go_to_a_table_of_their_own_and_leave_the_entries_rows_alone(
    tmp_path: Path,
) -> None:
    store = _stored(tmp_path, 30)
    pending = store.pending_entries()
    assert [e.published for e in pending] == sorted(e.published for e in pending)  # by date
    table_order = [row[0] for row in store.execute("SELECT id FROM entries ORDER BY rowid")]
    assert [e.id for e in pending] == table_order[::-1]

    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    with store.transaction():
        store.save_items([Item(id=pending[0].id, source="press", url="u", title="t")])
        store.mark_entries(
            [
                Mark(e.id, pending[0].id, Merge(pending[0].id, "near-duplicate", 0.9))
                for e in pending
            ]
        )
    store.db.conn.set_trace_callback(None)

    # An entry's row (its bodies) is written when it is seen, never again for its mark.
    assert not [s for s in statements if "entries SET" in s or "INTO entries" in s]
    marked = store.execute(
        "SELECT count(*) FROM entry_marks WHERE item_id = ? "
        "AND merge_rule = 'near-duplicate' AND merge_score = 0.9",
        (pending[0].id,),
    ).fetchone()[0]
    assert marked == 30
    assert store.pending_entries() == []
    assert store.understood_by_key([e.guid for e in pending], [])[0] == {
        e.guid: pending[0].id for e in pending
    }


def test_understanding_writes_items_and_marks_once_each_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Understanding computes, then the store writes: one statement for the items, one for
    the marks, every entry understood, in one transaction."""
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
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    report = pipeline.RunReport()
    assert pipeline.understand_and_store(store, load_taxonomy(None), report)
    store.db.conn.set_trace_callback(None)

    assert calls == [("items", 620), ("marks", 620)]
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    assert report.new_items == 620
    assert store.execute("SELECT count(*) FROM items").fetchone()[0] == 620
    assert store.pending_entries() == []


def _copy(number: int) -> RawItem:
    """An agency's copy of _raw(number), a minute later: its own guid, the same page."""
    original = _raw(number)
    return RawItem(
        guid=f"agence-{number}",
        url=original.url + "?utm_source=agence",  # the same canonical URL
        title=original.title,
        content=original.content,
        published=original.published + timedelta(minutes=1),  # type: ignore[operator]
    )


def test_entries_folded_by_guid_or_url_are_not_read_ahead(tmp_path: Path) -> None:
    store = _stored(tmp_path, 3)
    with store.transaction():  # entry 0 is understood already: an item exists
        first = store.pending_entries()[-1]
        assert first.guid.endswith("/0")
        _understood(store, [first])
    copies = [_copy(0), _copy(1), _copy(2)]
    with store.transaction():
        store.save_entries("agence", copies, [i.url.split("?")[0] for i in copies], NOW)
        # The same guid, but a bare number: unique in its own feed only.
        numbered = [RawItem(guid="812", url=f"https://ex.org/{n}", title="t") for n in (1, 2)]
        store.save_entries("a", numbered[:1], [numbered[0].url], NOW)
        store.save_entries("b", numbered[1:], [numbered[1].url], NOW)
    pending = store.pending_entries()
    read = stage.ExactKeys.read(store, pending).to_read(pending)
    # The copy of an understood entry, and the later of each pair sharing a page, are
    # folded by URL: their texts are never read. Each "812" is an entry of its own.
    names = sorted(e.guid for e in read)
    assert names == ["812", "812", "https://example.org/a/1", "https://example.org/a/2"]


def test_updates_of_one_page_in_one_feed_are_read_not_folded_by_url(tmp_path: Path) -> None:
    # A status page's entries under other guids at one link: each text is read, as
    # dedupe compares them by text (an update is an item of its own, a repeat merges).
    store = _open(tmp_path)
    page = "https://statut.example.fr/incidents/42"
    updates = [
        RawItem(guid=f"maj-{n}", url=page, title=f"Mise à jour {n}", published=NOW + n * HOUR)
        for n in (1, 2)
    ]
    relayed = RawItem(guid="r-1", url=page, title="t", published=NOW + 3 * HOUR)
    with store.transaction():
        store.save_entries("statut", updates, [page, page], NOW)
        store.save_entries("relais", [relayed], [page], NOW)
    pending = store.pending_entries()
    read = stage.ExactKeys.read(store, pending).to_read(pending)
    assert sorted(e.guid for e in read) == ["maj-1", "maj-2"]  # the relay's copy folds


def test_keys_are_looked_up_only_once_something_has_been_understood(tmp_path: Path) -> None:
    store = _stored(tmp_path, 30)  # a first run: entries saved, none understood yet
    keys = [f"https://example.org/a/{n}" for n in range(30)]
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    assert store.understood_by_key(keys, keys) == ({}, {})
    assert len(statements) == 1  # one look at the table, no lookup of 60 keys
    store.db.conn.set_trace_callback(None)
    assert pipeline.understand_and_store(store, load_taxonomy(None), pipeline.RunReport())
    guids, urls = store.understood_by_key(keys[:2], keys[:2])
    assert set(guids) == set(urls) == set(keys[:2])
    assert guids[keys[0]] == urls[keys[0]][0] != guids[keys[1]]
    assert urls[keys[0]][1:] == ("press", keys[0])  # the source and guid seen at the link


def test_understanding_analyses_only_the_texts_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With workers: 300 agency copies of 300 of 600 stories are folded by URL, and no
    process analyses them; the 600 others are analysed once each."""
    store = _stored(tmp_path, 600)
    copies = [_copy(n) for n in range(0, 600, 2)]
    with store.transaction():
        store.save_entries("agence", copies, [i.url.split("?")[0] for i in copies], NOW)
    log = tmp_path / "analysed.log"
    analyse = stage.analyse

    def logged(classifier: object, title: str, html: str) -> object:
        with log.open("a") as out:  # appended to by every worker process
            out.write(title + "\n")
        return analyse(classifier, title, html)  # type: ignore[arg-type]

    monkeypatch.setattr(stage, "analyse", logged)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")
    report = pipeline.RunReport()
    pipeline.understand_and_store(store, load_taxonomy(None), report)

    analysed = log.read_text().splitlines()
    assert len(analysed) == 600 and len(set(analysed)) == 600
    assert report.new_items == 600
    rules = dict(
        store.execute("SELECT merge_rule, count(*) FROM entry_marks GROUP BY 1").fetchall()
    )
    assert rules == {None: 600, "url": 300}


def _bulk(store: Store, rows: int) -> None:
    with store.transaction():
        store.execute_many(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(f"k{n}", "x" * 2000) for n in range(rows)],
        )


def test_a_database_from_before_marks_had_tables_is_moved_over_once(tmp_path: Path) -> None:
    """Marks and the pending list move from the entries' own columns to their tables when
    an older database is opened; understanding then goes on where the old run left off."""
    import shutil
    import sqlite3

    from aggregator.store.database import SCHEMA_VERSION

    path = tmp_path / "old.db"
    shutil.copy(Path(__file__).parent / "data" / "store" / "version-0.db", path)
    with sqlite3.connect(path) as raw:
        old = raw.execute(
            "SELECT id, item_id, merge_rule, processed FROM entries ORDER BY id"
        ).fetchall()
    store = Store(path)
    assert store.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert not {"entries_item", "entries_pending"} & indexes
    marks = store.execute("SELECT entry_id, item_id, merge_rule FROM entry_marks").fetchall()
    assert sorted(marks) == sorted((i, item, rule) for i, item, rule, _ in old if item)
    pending = store.pending_entries()
    assert sorted(e.id for e in pending) == sorted(i for i, _, _, done in old if not done)
    edit = next(e for e in pending if e.item_id is not None)
    assert edit.changed and edit.item_id == edit.id and edit.title == "Viamedis : service rétabli"
    merged = next(i for i, _, rule, _ in old if rule == "url")
    items = {item.id: item for item in store.all_items()}
    assert merged not in items and dict((i, item) for i, item, _, _ in old)[merged] in items
    found = store.understood_by_key([], ["https://echo-officine.example/a/1"])[1]
    assert list(found) == ["https://echo-officine.example/a/1"]
    assert found["https://echo-officine.example/a/1"][0] == dict(
        (i, item) for i, item, _, _ in old
    )[merged]
    store.close()

    again = Store(path)  # opened again: nothing moved twice
    assert again.execute("SELECT count(*) FROM entry_marks").fetchone()[0] == len(marks)
    report = pipeline.RunReport()
    assert pipeline.understand_and_store(again, load_taxonomy(None), report)
    assert again.pending_entries() == [] and report.new_items == 1
    assert again.get_item(edit.id).title == "Viamedis : service rétabli"  # type: ignore[union-attr]
