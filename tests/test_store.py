"""The store as understanding and a run use it: batch writes and their order, the texts read
ahead, the write-ahead log, and what a run sets up around its steps (the garbage collector's
settings, the classifier compiled while collecting)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator import pipeline
from aggregator.models import Entry, Item, Merge, RawItem, Source
from aggregator.store.database import Store
from aggregator.understand.classify import load_taxonomy

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


def _open(tmp_path: Path) -> Store:
    """A store whose sources table knows every source these tests save entries of."""
    store = Store(tmp_path / "a.db")
    store.sync_sources(
        [
            Source(id=name, name=name, type="feed", url=f"https://{name}.example/f")
            for name in ("press", "agence", "a", "b", "union", "quiet")
        ]
    )
    return store


def _understood(store: Store, entries: list[Entry]) -> None:
    """Mark entries as an earlier run would have: each founded an item of its own."""
    store.save_items(
        [Item(id=e.id, source=e.source, url=e.canonical_url, title=e.title) for e in entries]
    )
    store.mark_entries([(e, e.id, None) for e in entries])


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
            [(e, pending[0].id, Merge(pending[0].id, "near-duplicate", 0.9)) for e in pending]
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


def test_understanding_writes_items_and_marks_once_each_after_matching(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More entries than the old batch of 500: one statement for the items, one for the
    marks, and every entry understood. The marks go first: publishing reads them (merged
    copies' addresses) before the items are written (see pipeline.understand)."""
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

    assert calls == [("marks", 620), ("items", 620)]
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
    read = pipeline.ExactKeys(store, pending).to_read(pending)
    # The copy of an understood entry, and the later of each pair sharing a page, are
    # folded by URL: their texts are never read. Each "812" is an entry of its own.
    names = sorted(e.guid for e in read)
    assert names == ["812", "812", "https://example.org/a/1", "https://example.org/a/2"]


def test_keys_are_looked_up_only_once_something_has_been_understood(tmp_path: Path) -> None:
    store = _stored(tmp_path, 30)  # a first run: entries saved, none understood yet
    keys = [f"https://example.org/a/{n}" for n in range(30)]
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    assert store.understood_by_key(keys, keys) == ({}, {})
    assert len(statements) == 1  # one look at the table, no lookup of 60 keys
    store.db.conn.set_trace_callback(None)
    assert pipeline.understand(store, load_taxonomy(None), pipeline.RunReport())
    guids, urls = store.understood_by_key(keys[:2], keys[:2])
    assert set(guids) == set(urls) == set(keys[:2])
    assert guids[keys[0]] == urls[keys[0]] != guids[keys[1]]


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
    analyse = pipeline.analyse

    def logged(classifier: object, title: str, html: str) -> object:
        with log.open("a") as out:  # appended to by every worker process
            out.write(title + "\n")
        return analyse(classifier, title, html)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "analyse", logged)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")
    report = pipeline.RunReport()
    pipeline.understand(store, load_taxonomy(None), report)

    analysed = log.read_text().splitlines()
    assert len(analysed) == 600 and len(set(analysed)) == 600
    assert report.new_items == 600
    rules = dict(
        store.execute("SELECT merge_rule, count(*) FROM entry_marks GROUP BY 1").fetchall()
    )
    assert rules == {None: 600, "url": 300}


def _quiet_config(tmp_path: Path) -> Path:
    """A configuration whose one source is disabled: a run with nothing to fetch."""
    config_file = tmp_path / "sources.yaml"
    config_file.write_text(
        "sources:\n  - {id: quiet, name: Quiet, type: feed, url: 'http://127.0.0.1:9/', "
        "enabled: false}\n",
        encoding="utf-8",
    )
    return config_file


def test_a_run_collects_garbage_in_batches_and_restores_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from aggregator.config import load_config

    config_file = _quiet_config(tmp_path)
    seen: list[tuple[tuple[int, ...], int]] = []
    understand = pipeline.understand

    def watched(*args: object) -> bool:
        seen.append((gc.get_threshold(), gc.get_freeze_count()))
        return understand(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "understand", watched)
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    pipeline.run(load_config(config_file), Store(tmp_path / "a.db"), None)
    ((thresholds, frozen),) = seen
    assert thresholds == pipeline.RUN_GC_THRESHOLDS != before
    assert frozen > 10_000  # what existed before the run is left out of collections
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def _bulk(store: Store, rows: int) -> None:
    with store.transaction():
        store.execute_many(
            "INSERT INTO meta (key, value) VALUES (?, ?)",
            [(f"k{n}", "x" * 2000) for n in range(rows)],
        )


def test_deferred_checkpoints_leave_the_log_to_a_checkpoint_on_another_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    path = tmp_path / "a.db"
    store = Store(path)
    # As SQLite does by default: a large commit copies the log into the file at once.
    _bulk(store, 3000)
    assert path.stat().st_size > 5_000_000

    later = Store(tmp_path / "b.db")
    threads: list[str] = []
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        threads.append(self.name)
        original(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    with later.deferred_checkpoints():
        _bulk(later, 3000)
        assert (tmp_path / "b.db").stat().st_size < 1_000_000  # all of it still in the log
        assert later.execute("SELECT count(*) FROM meta").fetchone()[0] == 3000
        later.checkpoint_behind()
    # Waited for on the way out; automatic checkpoints are back.
    assert threads == ["checkpoint"]
    assert (tmp_path / "b.db").stat().st_size > 5_000_000
    assert later.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    later.close()
    reopened = Store(tmp_path / "b.db")
    assert reopened.execute("SELECT count(*) FROM meta").fetchone()[0] == 3000


def test_a_checkpoint_that_cannot_be_done_is_left_for_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aggregator.store.database as store_module

    store = Store(tmp_path / "a.db")

    def refuse(*args: object, **kwargs: object) -> None:
        raise store_module.sqlite3.OperationalError("database is locked")

    with store.deferred_checkpoints():
        _bulk(store, 10)
        monkeypatch.setattr(store_module.sqlite3, "connect", refuse)
        store.checkpoint_behind()  # the thread's failure is its own: nothing raised here
    monkeypatch.undo()
    store.close()
    assert Store(tmp_path / "a.db").execute("SELECT count(*) FROM meta").fetchone()[0] == 10


def test_a_run_restores_automatic_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aggregator.config import load_config

    config_file = _quiet_config(tmp_path)
    store = Store(tmp_path / "a.db")
    seen: list[int] = []
    understand = pipeline.understand

    def watched(*args: object) -> bool:
        seen.append(store.execute("PRAGMA wal_autocheckpoint").fetchone()[0])
        return understand(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "understand", watched)
    pipeline.run(load_config(config_file), store, None)
    assert seen == [0]
    assert store.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000


def test_a_run_compiles_its_classifier_while_collecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from aggregator.config import load_config
    from aggregator.understand.classify import Classifier
    from aggregator.workers import Workers

    events: list[str] = []
    built: list[Classifier] = []
    init = Classifier.__init__

    def watched_init(self: Classifier, *args: object, **kwargs: object) -> None:
        events.append(f"classifier built on {threading.current_thread().name}")
        init(self, *args, **kwargs)  # type: ignore[arg-type]
        built.append(self)

    start = Workers.start

    def watched_start(self: Workers) -> None:
        start(self)
        events.append("workers forked")

    given: list[object] = []
    understand = pipeline.understand

    def watched_understand(*args: object) -> bool:
        given.append(args[3])
        return understand(*args)  # type: ignore[arg-type]

    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")  # whatever the machine's cores
    monkeypatch.setattr(Classifier, "__init__", watched_init)
    monkeypatch.setattr(Workers, "start", watched_start)
    monkeypatch.setattr(pipeline, "understand", watched_understand)
    config_file = _quiet_config(tmp_path)
    quiet = config_file.read_text(encoding="utf-8").replace("enabled: false", "enabled: true")
    config_file.write_text("fetch: {retries: 0}\n" + quiet, encoding="utf-8")
    report = pipeline.run(load_config(config_file), Store(tmp_path / "a.db"), None)
    assert report.sources_failed == 1  # nothing listens on port 9: collected all the same
    # Started once the workers were forked (a thread is not copied into them), and the
    # one compiled there is the one understanding uses.
    assert events[:2] == ["workers forked", "classifier built on prepare"]
    assert len(built) == 1 and given == built


def test_a_classifier_that_could_not_be_prepared_ahead_is_compiled_when_needed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aggregator.understand.classify import Classifier

    attempts: list[int] = []
    init = Classifier.__init__

    def flaky(self: Classifier, *args: object, **kwargs: object) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise MemoryError("no room on that thread")
        init(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Classifier, "__init__", flaky)
    ahead = pipeline._Ahead(load_taxonomy(None))
    ahead.start()
    classifier = ahead.classifier()
    assert isinstance(classifier, Classifier) and len(attempts) == 2


def test_without_workers_a_run_starts_no_thread_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from aggregator.config import load_config

    started: list[str] = []
    original = threading.Thread.start

    def start(self: threading.Thread) -> None:
        started.append(self.name)
        original(self)

    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")  # a profiler's view: one process, one thread
    monkeypatch.setattr(threading.Thread, "start", start)
    config_file = _quiet_config(tmp_path)
    quiet = config_file.read_text(encoding="utf-8").replace("enabled: false", "enabled: true")
    config_file.write_text("fetch: {retries: 0}\n" + quiet, encoding="utf-8")
    store = _open(tmp_path)
    with store.transaction():  # something to understand, so the checkpoint would be due
        store.save_entries("quiet", [_raw(1)], [_raw(1).url], NOW)
    report = pipeline.run(load_config(config_file), store, None)
    assert report.new_items == 1
    assert not {"prepare", "checkpoint", "store"} & set(started)


def test_entries_collect_inserted_are_taken_from_memory_exactly_as_stored(
    tmp_path: Path,
) -> None:
    """Understanding takes the entries a run just inserted from memory instead of reading
    them back: the same entries, in the same order, with their table rows; pending entries
    it did not insert (an interrupted run's, this run's edits) are read as before."""
    from zoneinfo import ZoneInfo

    store = _open(tmp_path)
    paris = ZoneInfo("Europe/Paris")
    left = [_raw(n) for n in range(100, 103)]  # an interrupted run left these pending
    known = _raw(200)
    with store.transaction():
        store.save_entries("union", left, [i.url for i in left], NOW)
        store.save_entries("press", [known], [known.url], NOW)
    with store.transaction():  # understood by an earlier run
        _understood(store, [e for e in store.pending_entries() if e.source == "press"])
    fresh: list[tuple[object, ...]] = []
    new = [_raw(n) for n in range(20)] + [
        RawItem(guid="urn:x:1", url="https://example.org/b", title="Sans corps", summary=""),
        RawItem(
            guid="urn:x:2",
            url="https://example.org/c",
            title="Heure de Paris",
            summary="<p>Résumé</p>",
            published=datetime(2026, 7, 1, 9, 30, 15, 250, tzinfo=paris),
            updated=datetime(2026, 7, 2, 10, 0, tzinfo=paris),
        ),
    ]
    edited = RawItem(known.guid, known.url, known.title + " (mis à jour)", content="<p>Neuf</p>")
    with store.transaction():
        assert store.save_entries("press", new + [edited], [i.url for i in new] + [known.url],
                                  NOW, fresh=fresh) == (len(new), 1)  # fmt: skip
    assert len(fresh) == len(new)  # inserted ones only, not the edit

    read_back = store.pending_entries()
    taken = store.pending_entries(fresh)
    assert len(read_back) == len(new) + len(left) + 1
    assert taken == read_back
    assert [(e.published, str(e.published and e.published.tzinfo)) for e in taken] == [
        (e.published, str(e.published and e.published.tzinfo)) for e in read_back
    ]
    # Taken from memory indeed: a body changed behind the store's back shows only when read.
    store.execute("UPDATE entries SET content = 'autre' WHERE guid = ?", (new[0].guid,))
    by_guid = {e.guid: e.content for e in store.pending_entries(fresh)}
    assert by_guid[new[0].guid] == new[0].content
    assert {e.guid: e.content for e in store.pending_entries()}[new[0].guid] == "autre"
    # An entry understood since is no longer pending, whatever memory holds.
    store.execute(
        "DELETE FROM pending_entries WHERE entry_id = ?",
        (taken[[e.guid for e in taken].index(new[1].guid)].id,),
    )
    assert new[1].guid not in {e.guid for e in store.pending_entries(fresh)}


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
    assert store.understood_by_key([], ["https://echo-officine.example/a/1"])[1] == {
        "https://echo-officine.example/a/1": dict((i, item) for i, item, _, _ in old)[merged]
    }
    store.close()

    again = Store(path)  # opened again: nothing moved twice
    assert again.execute("SELECT count(*) FROM entry_marks").fetchone()[0] == len(marks)
    report = pipeline.RunReport()
    assert pipeline.understand(again, load_taxonomy(None), report)
    assert again.pending_entries() == [] and report.new_items == 1
    assert again.get_item(edit.id).title == "Viamedis : service rétabli"  # type: ignore[union-attr]
