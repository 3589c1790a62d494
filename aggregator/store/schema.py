"""The database's tables, views and full-text index, made and migrated by sqlite-utils.

Tables (foreign keys in brackets, so that Datasette links a row to its neighbours):
    sources         one row per configured source, with its health
    http_state      ETag / Last-Modified per fetched URL
    fetch_log       one row per HTTP exchange [source -> sources]
    entries         one row per (source, guid) sighting, as extracted [source -> sources]
    pending_entries entries not yet understood [entry_id -> entries]
    items           one row per story a reader sees [source -> sources]
    entry_marks     the item each entry was folded into, and why [entry_id -> entries,
                    item_id -> items]
    incidents       incidents with their status
    item_incidents  which items tell which incident [item_id -> items, incident_id -> incidents]
    meta            small facts about the database (generation, last publish)
    article_failures article pages that failed, to be fetched again [entry_id -> entries,
                    source -> sources]
    poll_schedule   when each source is due next, and why (collect/schedule.py)
    robots          robots.txt per origin, with its validators (collect/robots.py)
    notify_state    what was last announced of each incident (notify/outbox.py)
    outbox          alerts to send, sent or given up, per target (notify/outbox.py)
    items_fts       full-text index over the items' title, summary and body, kept in step by
                    triggers

Views: ``failures_by_source`` (how often and how lately each source failed) and
``merged_entries`` (every entry folded into another's item, with both titles and the rule).

The version of the schema is SQLite's ``user_version``: 0 for a database written before
marks had tables of their own, 1 for hand-written SQL without foreign keys or full-text
index (its ``sources`` may have the ``notes`` column hand-written SQL added), 2 for this
module before ``sources.notes`` (the budgets a source hit) and ``article_failures``, 3
before the tables of the schedule, robots.txt files and alerts were made here (they were
made by the modules that use them, as they are now), 4 before the index that polling reads
each source's newest entries through, 5 since.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from sqlite_utils.db import Table

log = logging.getLogger("aggregator")

SCHEMA_VERSION = 5
# Diacritics folded, so that "securite" finds "sécurité", as a French reader types.
FTS_COLUMNS = ("title", "summary", "content_html")
FTS_TOKENIZER = "unicode61 remove_diacritics 2"

TEXT, INTEGER, REAL = str, int, float


@dataclass(frozen=True)
class TableSpec:
    """One table: its columns in order (name -> Python type, as sqlite-utils takes them),
    its primary key, and its constraints."""

    columns: dict[str, type]
    pk: str | tuple[str, ...]
    not_null: frozenset[str] = frozenset()
    defaults: dict[str, Any] = field(default_factory=dict)
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other table, other column)


TABLES: dict[str, TableSpec] = {
    "sources": TableSpec(
        columns={
            "id": TEXT, "name": TEXT, "type": TEXT, "url": TEXT, "category": TEXT,
            "enabled": INTEGER, "last_success": TEXT, "last_error": TEXT, "last_error_at": TEXT,
            "consecutive_failures": INTEGER, "gone": INTEGER, "notes": TEXT,
        },
        pk="id",
        not_null=frozenset({"consecutive_failures", "gone"}),
        defaults={"consecutive_failures": 0, "gone": 0},
    ),
    "http_state": TableSpec(
        columns={
            "url": TEXT, "etag": TEXT, "last_modified": TEXT, "status": INTEGER, "checked": TEXT,
        },
        pk="url",
    ),
    "fetch_log": TableSpec(
        columns={
            "id": INTEGER, "source": TEXT, "url": TEXT, "time": TEXT, "status": INTEGER,
            "bytes": INTEGER, "duration": REAL, "error": TEXT,
        },
        pk="id",
        foreign_keys=(("source", "sources", "id"),),
    ),
    "entries": TableSpec(
        columns={
            "id": TEXT, "source": TEXT, "guid": TEXT, "url": TEXT, "canonical_url": TEXT,
            "title": TEXT, "summary": TEXT, "content": TEXT, "published": TEXT, "updated": TEXT,
            "first_seen": TEXT, "last_seen": TEXT, "content_hash": TEXT,
        },
        pk="id",
        not_null=frozenset({"source", "guid"}),
        foreign_keys=(("source", "sources", "id"),),
    ),
    "pending_entries": TableSpec(
        columns={"entry_id": TEXT},
        pk="entry_id",
        foreign_keys=(("entry_id", "entries", "id"),),
    ),
    "items": TableSpec(
        columns={
            "id": TEXT, "source": TEXT, "url": TEXT, "title": TEXT, "content_html": TEXT,
            "summary": TEXT, "date_published": TEXT, "date_modified": TEXT, "first_seen": TEXT,
            "sort_ts": REAL, "payers": TEXT, "kinds": TEXT, "organisations": TEXT,
            "actions": TEXT, "contacts": TEXT, "status": TEXT, "advisory": INTEGER,
        },
        pk="id",
        not_null=frozenset({"advisory"}),
        defaults={"advisory": 0},
        foreign_keys=(("source", "sources", "id"),),
    ),
    "entry_marks": TableSpec(
        columns={"entry_id": TEXT, "item_id": TEXT, "merge_rule": TEXT, "merge_score": REAL},
        pk="entry_id",
        not_null=frozenset({"item_id"}),
        foreign_keys=(("entry_id", "entries", "id"), ("item_id", "items", "id"),),
    ),
    "incidents": TableSpec(
        columns={
            "id": TEXT, "title": TEXT, "payers": TEXT, "kinds": TEXT, "organisations": TEXT,
            "status": TEXT, "started": TEXT, "updated": TEXT, "resolved": TEXT, "items": TEXT,
            "actions": TEXT, "contacts": TEXT,
        },
        pk="id",
    ),
    "item_incidents": TableSpec(
        columns={"item_id": TEXT, "incident_id": TEXT},
        pk=("item_id", "incident_id"),
        not_null=frozenset({"item_id", "incident_id"}),
        foreign_keys=(("item_id", "items", "id"), ("incident_id", "incidents", "id"),),
    ),
    "meta": TableSpec(columns={"key": TEXT, "value": TEXT}, pk="key"),
    "article_failures": TableSpec(
        columns={
            "entry_id": TEXT, "source": TEXT, "url": TEXT, "attempts": INTEGER, "error": TEXT,
            "at": TEXT,
        },
        pk="entry_id",
        not_null=frozenset({"source", "attempts"}),
        foreign_keys=(("entry_id", "entries", "id"), ("source", "sources", "id")),
    ),
    # Read and written by collect/schedule.py, collect/robots.py and notify/outbox.py.
    "poll_schedule": TableSpec(
        columns={
            "source": TEXT, "url": TEXT, "next_due": TEXT, "interval": REAL, "reason": TEXT,
        },
        pk="source",
    ),
    "robots": TableSpec(
        columns={
            "origin": TEXT, "body": TEXT, "etag": TEXT, "last_modified": TEXT, "fetched": TEXT,
        },
        pk="origin",
    ),
    "notify_state": TableSpec(
        columns={
            "incident_id": TEXT, "status": TEXT, "actions": TEXT, "contacts": TEXT,
            "updated": TEXT,
        },
        pk="incident_id",
    ),
    "outbox": TableSpec(
        columns={
            "id": INTEGER, "target": TEXT, "incident_id": TEXT, "change": TEXT, "title": TEXT,
            "body": TEXT, "created": TEXT, "sent": TEXT, "attempts": INTEGER,
            "last_error": TEXT,
        },
        pk="id",
        not_null=frozenset({"target", "incident_id", "change", "title", "body", "created"}),
        defaults={"attempts": 0},
    ),
}  # fmt: skip

# name: (table, columns, unique)
INDEXES = {
    "entries_guid": ("entries", ["guid"], False),
    "entries_canonical": ("entries", ["canonical_url"], False),
    # Polling reads each source's newest entries (collect/schedule.py) after every run.
    "entries_source_seen": ("entries", ["source", "first_seen"], False),
    "entry_marks_item": ("entry_marks", ["item_id"], False),
    "items_sort": ("items", ["sort_ts"], False),
    "items_advisory": ("items", ["advisory"], False),
    # Deleting an incident looks up the links to it (the foreign key's check).
    "item_incidents_incident": ("item_incidents", ["incident_id"], False),
    # One alert per target, incident and change (notify/outbox.py).
    "idx_outbox_target_incident_id_change": ("outbox", ["target", "incident_id", "change"], True),
}

VIEWS = {
    "failures_by_source": """
SELECT s.id AS source, s.name, s.consecutive_failures, s.last_success, s.last_error_at,
       s.last_error, count(f.id) AS failed_fetches, max(f.time) AS last_failed_fetch
FROM sources s LEFT JOIN fetch_log f ON f.source = s.id AND f.error IS NOT NULL
GROUP BY s.id
ORDER BY s.consecutive_failures DESC, failed_fetches DESC, s.id""",
    "merged_entries": """
SELECT m.entry_id, e.source AS entry_source, e.title AS entry_title, e.url AS entry_url,
       m.merge_rule, m.merge_score, m.item_id, i.source AS item_source, i.title AS item_title,
       i.url AS item_url
FROM entry_marks m JOIN entries e ON e.id = m.entry_id JOIN items i ON i.id = m.item_id
WHERE m.entry_id != m.item_id
ORDER BY e.first_seen, m.entry_id""",
}


def user_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def prepare(db: sqlite_utils.Database) -> None:
    """Make the schema of a new database, or bring an older one to SCHEMA_VERSION in place.

    The tables, indexes and views are made or changed in one transaction, so two processes
    opening the same old file migrate it once; the full-text index follows (sqlite-utils
    commits while making it), and is checked every time the database is opened.
    """
    if user_version(db) < SCHEMA_VERSION:
        conn = db.conn
        # Rebuilding a table under enforced foreign keys would check every row twice.
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(db) < SCHEMA_VERSION:  # another process may have done it meanwhile
                _migrate_tables(db)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        _report_orphans(db)
    _ensure_full_text(db)
    db.conn.execute("PRAGMA foreign_keys=ON")


def _migrate_tables(db: sqlite_utils.Database) -> None:
    if user_version(db) == 0 and "item_id" in Table(db, "entries").columns_dict:
        _move_marks_out_of_entries(db)
    for name, spec in TABLES.items():
        table = Table(db, name)
        if not table.exists():
            _create(db, name, spec)
            continue
        _add_missing_columns(table, spec)
        if _needs_rebuild(table, spec):
            _rebuild(table, spec)
    _name_unknown_sources(db)
    for index, (table_name, columns, unique) in INDEXES.items():
        Table(db, table_name).create_index(
            columns, index_name=index, unique=unique, if_not_exists=True
        )
    for view, sql in VIEWS.items():
        db.create_view(view, sql.strip(), replace=True)


def _create(db: sqlite_utils.Database, name: str, spec: TableSpec) -> None:
    # Database.create_table rather than Table.create, which commits on its own.
    db.create_table(
        name,
        spec.columns,
        pk=spec.pk,
        not_null=spec.not_null,
        defaults=spec.defaults,
        foreign_keys=list(spec.foreign_keys),
    )


def _move_marks_out_of_entries(db: sqlite_utils.Database) -> None:
    """Version 0 kept each entry's item and the pending flag in the entries' own columns."""
    for name in ("entry_marks", "pending_entries"):
        if not Table(db, name).exists():
            db.create_table(name, TABLES[name].columns, pk=TABLES[name].pk)
    db.execute(
        "INSERT OR IGNORE INTO entry_marks (entry_id, item_id, merge_rule, merge_score) "
        "SELECT id, item_id, merge_rule, merge_score FROM entries WHERE item_id IS NOT NULL"
    )
    db.execute(
        "INSERT OR IGNORE INTO pending_entries (entry_id) "
        "SELECT id FROM entries WHERE processed = 0"
    )
    db.execute("DROP INDEX IF EXISTS entries_item")
    db.execute("DROP INDEX IF EXISTS entries_pending")


def _add_missing_columns(table: Table, spec: TableSpec) -> None:
    """Columns the schema gained since the database was written, added empty (by plain
    ALTER TABLE: ``Table.add_column`` may commit on its own)."""
    names = {"TEXT": TEXT, "INTEGER": INTEGER, "REAL": REAL}
    present = table.columns_dict
    for column, kind in spec.columns.items():
        if column not in present:
            sql_type = next(name for name, python in names.items() if python is kind)
            table.db.execute(f"ALTER TABLE [{table.name}] ADD COLUMN [{column}] {sql_type}")


def _foreign_keys(table: Table) -> set[tuple[str, str, str]]:
    return {(fk.column, fk.other_table, fk.other_column) for fk in table.foreign_keys}


def _needs_rebuild(table: Table, spec: TableSpec) -> bool:
    return list(table.columns_dict) != list(spec.columns) or _foreign_keys(table) != set(
        spec.foreign_keys
    )


def _rebuild(table: Table, spec: TableSpec) -> None:
    """Drop the columns no longer used and add the foreign keys, with sqlite-utils'
    ``transform`` (a new table, the rows copied, the old one dropped): its statements run
    in the caller's transaction, as ``Table.transform`` would commit on its own."""
    dead = [c for c in table.columns_dict if c not in spec.columns]
    if "WITHOUT ROWID" in (table.schema or "").upper():
        _copy_into_new_table(table, spec)
        return
    existing = _foreign_keys(table)
    for sql in table.transform_sql(
        drop=set(dead),
        not_null=set(spec.not_null),
        add_foreign_keys=[k for k in spec.foreign_keys if k not in existing] or None,
        column_order=[c for c in spec.columns if c in table.columns_dict],
    ):
        table.db.execute(sql)
    if dead:
        log.info("database: %s lost its unused columns %s", table.name, ", ".join(dead))


def _copy_into_new_table(table: Table, spec: TableSpec) -> None:
    """``transform`` copies the rowid, which a WITHOUT ROWID table (entry_marks and
    pending_entries at version 1) has not: such a table is renamed, made again as the
    schema says, filled from the old one, and the old one dropped."""
    db, name = table.db, table.name
    kept = ", ".join(f"[{c}]" for c in spec.columns if c in table.columns_dict)
    db.execute(f"ALTER TABLE [{name}] RENAME TO [{name}_old]")
    _create(db, name, spec)
    db.execute(f"INSERT INTO [{name}] ({kept}) SELECT {kept} FROM [{name}_old]")
    db.execute(f"DROP TABLE [{name}_old]")


def _name_unknown_sources(db: sqlite_utils.Database) -> None:
    """Rows of a source that has no row of its own (written by hand, or by tests of old)
    get one, disabled and named by its id, so that their foreign keys hold."""
    for table in ("fetch_log", "entries", "items"):
        db.execute(
            "INSERT OR IGNORE INTO sources (id, name, enabled) "
            f"SELECT DISTINCT source, source, 0 FROM [{table}] "
            "WHERE source IS NOT NULL AND source NOT IN (SELECT id FROM sources)"
        )


def _report_orphans(db: sqlite_utils.Database) -> None:
    """Rows of an older database pointing at nothing are kept, and said."""
    orphans = db.execute("PRAGMA foreign_key_check").fetchall()
    if orphans:
        tables = sorted({row[0] for row in orphans})
        log.warning(
            "database: %d rows point at rows that do not exist (in %s); kept as they are",
            len(orphans),
            ", ".join(tables),
        )


def _ensure_full_text(db: sqlite_utils.Database) -> None:
    items = Table(db, "items")
    triggers = {t.name for t in items.triggers}
    if items.detect_fts() and {"items_ai", "items_ad", "items_au"} <= triggers:
        return
    try:
        items.enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZER, replace=True)
    except sqlite3.OperationalError:
        # Another process made it between the check and here.
        if not items.detect_fts():
            raise
