"""The SQLite store: schema, migrations and every read and write of the database."""

from aggregator.store.database import Store

__all__ = ["Store"]
