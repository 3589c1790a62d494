"""Faults outside the sources end in one line and the right exit status, never a traceback.

A database held locked by another program past ``--wait``, a database that cannot grow (a
real SQLITE_FULL, from ``PRAGMA max_page_count``), and numbers in sources.yaml that are no
numbers at all (``.inf``, ``.nan``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply, one_feed_config

from aggregator.cli import cli
from aggregator.store import database


def feed(base: str, count: int) -> bytes:
    items = "".join(
        f"<item><title>Note {n}</title><link>{base}/note/{n}</link>"
        f"<description>{'Texte assez long pour remplir des pages. ' * 40}</description></item>"
        for n in range(count)
    )
    return f"<rss version='2.0'><channel><title>T</title>{items}</channel></rss>".encode()


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[Path]:
    with LocalServer() as server:
        server.route("/feed.xml", Reply(200, feed(server.base, 200)))
        config = one_feed_config(server.url("/feed.xml"), "press")
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
        yield tmp_path


def invoke(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli,
        [*args, "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip


def one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("command", ["run", "publish"])
def test_a_database_held_locked_by_another_program_ends_in_one_line(
    configured: Path, command: str
) -> None:
    assert invoke(configured, "run").exit_code == 0  # the database exists, with its tables
    holder = sqlite3.connect(configured / "a.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a write lock, held like a database browser would
        holder.execute("INSERT INTO meta (key, value) VALUES ('held', 'yes')")
        result = invoke(configured, command, "--wait", "0")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1
    line = one_line(result.output)
    assert "database is locked" in line and "--wait" in line


def test_a_full_disk_at_commit_ends_in_one_line(
    configured: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = database.Store.__init__

    def small(self: database.Store, *args: Any, **kwargs: Any) -> None:
        opened(self, *args, **kwargs)
        (pages,) = self.conn.execute("PRAGMA page_count").fetchone()
        self.conn.execute(f"PRAGMA max_page_count = {pages + 3}")  # no room for the entries

    monkeypatch.setattr(database.Store, "__init__", small)
    result = invoke(configured, "run")
    assert result.exit_code == 1
    line = one_line(result.output)
    assert "database or disk is full" in line and "free some space" in line
    with sqlite3.connect(configured / "a.db") as conn:  # nothing half-written
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


NON_FINITE = [".inf", "-.inf", ".nan", ".NaN", "+.Inf"]
NUMERIC_KEYS = ["fetch.timeout", "fetch.per_host_delay", "fetch.backoff", "fetch.max_retry_after",
                "fetch.max_crawl_delay", "fetch.source_seconds", "fetch.run_seconds",
                "fetch.concurrency", "fetch.max_bytes", "fetch.retries", "fetch.max_item_html",
                "site.max_items", "pages"]  # fmt: skip


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("key", NUMERIC_KEYS)
def test_a_non_finite_number_is_a_configuration_error(tmp_path: Path, key: str, value: str) -> None:
    section, _, name = key.rpartition(".")
    top = f"{section}: {{{name}: {value}}}\n" if section else ""
    source = f"    {name}: {value}\n" if not section else ""
    (tmp_path / "sources.yaml").write_text(
        top + "sources:\n  - id: s1\n    name: S\n    type: html\n"
        "    url: https://ex.fr/\n    category: union\n"
        "    list: {item: article, title: h2, link: h2 a}\n" + source,
        "utf-8",
    )
    result = invoke(tmp_path, "run")
    assert result.exit_code == 2, result.output
    assert f"key '{key}'" in one_line(result.output)
