"""The whole pipeline against a local site: incremental runs, broken sources, exit codes, locks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.demo import DemoServer
from aggregator.lock import run_lock

# End-to-end: each test runs the whole pipeline (a real server, the CLI, or a subprocess).
pytestmark = pytest.mark.slow

SITE = Path(__file__).parent / "data" / "site"


def config_text(base: str, extra_sources: str = "", delay: float = 0.0) -> str:
    return f"""
site: {{title: Test, base_url: "https://example.org/veille/", max_items: 50}}
fetch: {{per_host_delay: {delay}, timeout: 5, retries: 0, user_agent: "aggregator-test/1 (+https://example.org/)"}}
sources:
  - id: press
    name: Officine Hebdo
    type: feed
    url: {base}press/feed.xml
    category: press
    article: {{content: div.entry-content, remove: [aside, .related]}}
  - id: union
    name: Syndicat
    type: html
    url: {base}union/index.html
    category: union
    list: {{item: article, title: h2, link: h2 a, date: .date, summary: .excerpt, next: a.next}}
    pages: 3
{extra_sources}
"""


def broken_source(base: str) -> str:
    """A source whose feed answers 404, to append to config_text."""
    return f"""
  - id: broken
    name: Broken
    type: feed
    url: {base}missing/feed.xml
"""


@pytest.fixture
def site(tmp_path: Path) -> Iterator[DemoServer]:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    with DemoServer(root) as server:
        yield server


def invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, result.output


def fetch_log(tmp_path: Path) -> list[tuple[str, int | None]]:
    with sqlite3.connect(tmp_path / "a.db") as conn:
        return conn.execute("SELECT url, status FROM fetch_log ORDER BY id").fetchall()


def feed_items(tmp_path: Path) -> list[dict[str, object]]:
    data = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))
    items: list[dict[str, object]] = data["items"]
    return items


def test_run_twice_stores_each_item_once_and_second_run_is_conditional(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    code, output = invoke(tmp_path, "run")
    assert code == 0, output
    first = fetch_log(tmp_path)
    items = feed_items(tmp_path)
    assert len(items) == 5  # 2 feed items + 3 communiqués over two pages
    assert len({item["id"] for item in items}) == 5
    article_fetches = [url for url, _ in first if "/articles/" in url]
    assert len(article_fetches) == 2  # each new item's page once

    code, output = invoke(tmp_path, "run", "--all")
    assert code == 0, output
    second = fetch_log(tmp_path)[len(first) :]
    assert second, "the second run fetched nothing"
    assert all(status == 304 for _, status in second), second
    assert not [url for url, _ in second if "/articles/" in url]
    assert "0 new entries" in output
    assert [i["id"] for i in feed_items(tmp_path)] == [i["id"] for i in items]
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 5


def test_article_bodies_drop_sidebars_and_tag_only_the_article(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    assert invoke(tmp_path, "run")[0] == 0
    items = {i["title"]: i for i in feed_items(tmp_path)}
    attack = items["Viamedis victime d'une cyberattaque : le service de droits hors service"]
    advisory = attack["_advisory"]
    assert isinstance(advisory, dict)
    assert advisory["payers"] == ["viamedis"]  # Almerys and Kalixia sit in sidebars only
    assert "cyberattack" in advisory["incident_kinds"]
    assert "0805 62 00 10" in advisory["contacts"]
    assert "utm_source" not in str(attack["url"])
    assert "Almerys" not in str(attack["content_html"])
    fees = items["Honoraires de dispensation : ce qui change au 1er mars"]
    assert fees["tags"] == []


def test_one_broken_source_never_stops_the_others(tmp_path: Path, site: DemoServer) -> None:
    broken = f"""
  - id: broken
    name: Broken
    type: feed
    url: {site.base_url}missing/feed.xml
  - id: not-a-feed
    name: Not a feed
    type: feed
    url: {site.base_url}union/index.html
"""
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url, broken), encoding="utf-8")
    code, output = invoke(tmp_path, "run")
    assert code == 0
    assert "broken: HTTP 404" in output
    assert "not-a-feed: " in output
    assert "sources: 2 ok, 2 failed" in output
    assert len(feed_items(tmp_path)) == 5
    code, output = invoke(tmp_path, "status", "--json")
    rows = {row["id"]: row for row in json.loads(output)["sources"]}
    assert rows["broken"]["last_error"] == "HTTP 404"
    assert rows["broken"]["consecutive_failures"] == 1
    assert rows["press"]["consecutive_failures"] == 0 and rows["press"]["items"] == 2
    code, table = invoke(tmp_path, "status")
    assert code == 0 and "broken" in table and "HTTP 404" in table


def test_every_source_failing_exits_1(tmp_path: Path, site: DemoServer) -> None:
    text = f"""
sources:
  - {{id: a, name: A, type: feed, url: "{site.base_url}nothing-here.xml"}}
fetch: {{per_host_delay: 0, retries: 0}}
"""
    (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
    code, output = invoke(tmp_path, "run")
    assert code == 1
    assert "every source failed" in output
    assert "Traceback" not in output


def test_publish_needs_no_network_and_twice_changes_nothing(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    assert invoke(tmp_path, "run")[0] == 0
    site.__exit__(None, None, None)  # no network from here on
    out = tmp_path / "out"
    shutil.rmtree(out)
    code, output = invoke(tmp_path, "publish")
    assert code == 0, output
    snapshot = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert (out / "index.html").exists() and (out / "incidents.json").exists()
    code, output = invoke(tmp_path, "publish")
    assert code == 0 and "0 written" in output
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    assert after == snapshot


def test_second_run_waits_for_the_lock_then_gives_up_with_status_1(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    with run_lock(tmp_path / "a.db"):
        started = time.monotonic()
        code, output = invoke(tmp_path, "run", "--wait", "1")
        waited = time.monotonic() - started
    assert code == 1
    assert "another run" in output and "Traceback" not in output
    assert waited >= 1.0
    assert invoke(tmp_path, "run", "--wait", "0")[0] == 0


def _aggregator(tmp_path: Path, *args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "aggregator", *args, "--config",
               str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"), "--output",
               str(tmp_path / "out")]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_two_overlapping_processes_never_interleave(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    with DemoServer(root, latency=0.3) as server:
        (tmp_path / "sources.yaml").write_text(config_text(server.base_url), encoding="utf-8")
        first = _aggregator(tmp_path, "run")
        time.sleep(0.5)
        second = _aggregator(tmp_path, "run", "--wait", "0")
        _, err = second.communicate(timeout=60)
        assert second.returncode == 1
        assert b"another run" in err
        _, err = first.communicate(timeout=120)
        assert first.returncode == 0, err


def test_sigkill_in_the_middle_of_a_run_loses_nothing(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    with DemoServer(root, latency=0.4) as server:
        (tmp_path / "sources.yaml").write_text(config_text(server.base_url), encoding="utf-8")
        victim = _aggregator(tmp_path, "run")
        time.sleep(1.5)  # some requests answered, some not
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        survivor = _aggregator(tmp_path, "run")
        _, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM pending_entries").fetchone()[0] == 0
    assert len(feed_items(tmp_path)) == 5
    assert b"sources: 2 ok, 0 failed" in err


def test_summary_line_verbosity_and_no_progress_bar_off_a_terminal(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    code, output = invoke(tmp_path, "run", "-v")
    assert code == 0
    lines = output.strip().splitlines()
    assert lines[-1].startswith("sources: 2 ok, 0 failed; 5 new entries (5 new items, 0 updated)")
    assert "files: " in lines[-1] and " written" in lines[-1]
    assert any(line.startswith("INFO press: ok") for line in lines)
    assert "\r" not in output and "fetching" not in output  # no progress bar in cron mail
    code, output = invoke(tmp_path, "run", "-q", "--all")
    assert code == 0 and output == ""
    code, output = invoke(tmp_path, "run", "--all")
    [line] = output.strip().splitlines()
    assert line.startswith(
        "sources: 2 ok, 0 failed; 0 new entries (0 new items, 0 updated); "
        "incidents: 0 new, 0 updated; files: 0 written, 0 removed; 0 not due; next due "
    )


def test_sources_page_shows_what_status_shows(tmp_path: Path, site: DemoServer) -> None:
    broken = broken_source(site.base_url)
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url, broken), encoding="utf-8")
    assert invoke(tmp_path, "run")[0] == 0
    page = (tmp_path / "out" / "sources.html").read_text(encoding="utf-8")
    _, output = invoke(tmp_path, "status", "--json")
    for row in json.loads(output)["sources"]:
        assert row["name"] in page
    assert "HTTP 404" in page


def test_check_prints_what_each_selector_matched_and_stores_nothing(
    tmp_path: Path, site: DemoServer
) -> None:
    bad = f"""
  - id: empty-list
    name: Empty
    type: html
    url: {site.base_url}union/index.html
    list: {{item: div.nothing, title: h2, link: a}}
"""
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url, bad), encoding="utf-8")
    code, output = invoke(tmp_path, "check", "union")
    assert code == 0, output
    assert "item `article`" in output and "2 match" in output
    assert "Cyberattaque Viamedis : nos consignes" in output
    assert "next page" in output
    code, output = invoke(tmp_path, "check", "press")
    assert code == 0 and "2 items" in output and "article step" in output
    code, output = invoke(tmp_path, "check", "empty-list")
    assert code == 1
    assert "selector `div.nothing` matched nothing" in output
    assert not (tmp_path / "a.db").exists()


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def test_a_run_with_nothing_new_renders_nothing_but_repairs_and_follows_health(
    tmp_path: Path, site: DemoServer
) -> None:
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(tmp_path, "run")[0] == 0
    before = _snapshot(out)
    code, output = invoke(tmp_path, "run", "-v")
    assert code == 0 and "publish: nothing changed since the last publish" in output
    assert _snapshot(out) == before  # not even rewritten with the same bytes
    # A file lost from the output is written again by the next run.
    (out / "feed.xml").unlink()
    code, output = invoke(tmp_path, "run", "-v")
    assert code == 0 and "nothing changed since the last publish" not in output
    assert (out / "feed.xml").read_bytes() == before["feed.xml"][0]
    # A source that starts failing changes what sources.html says, with no new item.
    broken = broken_source(site.base_url)
    (tmp_path / "sources.yaml").write_text(config_text(site.base_url, broken), encoding="utf-8")
    invoke(tmp_path, "run")
    assert "HTTP 404" in (out / "sources.html").read_text(encoding="utf-8")
    # And `publish` always renders: it is how to rebuild output/ on purpose.
    code, output = invoke(tmp_path, "publish", "-v")
    assert code == 0 and "nothing changed" not in output


def _collect(tmp_path: Path, store_path: str) -> tuple[object, object]:
    import asyncio

    from aggregator import pipeline
    from aggregator.config import load_config
    from aggregator.store.database import Store

    store = Store(store_path)
    report = pipeline.RunReport()
    config = load_config(tmp_path / "sources.yaml")
    asyncio.run(pipeline.collect_and_store(config, store, report))
    return store, report


def test_a_failure_to_store_stops_the_collection_with_the_store_error(
    tmp_path: Path, site: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aggregator.errors import StoreError
    from aggregator.store.database import Store

    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")

    def full(*_: object) -> None:
        raise StoreError("database a.db: database or disk is full")

    monkeypatch.setattr(Store, "save_collected", full)
    with pytest.raises(StoreError, match="disk is full"):
        _collect(tmp_path, str(tmp_path / "a.db"))
    code, output = invoke(tmp_path, "run")  # through the command line: a message, not a trace
    assert code != 0 and "disk is full" in output and "Traceback" not in output


def test_the_command_exits_with_the_status_its_command_set(tmp_path: Path) -> None:
    from aggregator import cli as cli_module

    statuses = []
    for argv in (["--version"], ["status", "--config", str(tmp_path / "missing.yaml")]):
        with pytest.raises(SystemExit) as ended:
            cli_module.main(argv)
        statuses.append(ended.value.code)
    assert statuses == [0, 2]


def test_a_long_output_reaches_the_reader_whole_before_the_process_ends(tmp_path: Path) -> None:
    sources = "".join(
        f"  - {{id: s{n}, name: Source {n}, type: feed, url: 'http://127.0.0.1:9/{n}'}}\n"
        for n in range(2000)
    )
    (tmp_path / "sources.yaml").write_text("sources:\n" + sources, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "aggregator", "status", "--json", "--config",
         str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db")],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)["sources"]
    assert len(done.stdout) > 500_000 and len(listed) == 2000
    assert listed[-1]["id"] == "s1999"
    assert not (tmp_path / "a.db-wal").exists()  # the database was closed cleanly
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("SELECT count(*) FROM sources").fetchone()[0] == 2000


def test_fetching_does_not_load_publishing(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {id: quiet, name: Quiet, type: feed, url: 'http://127.0.0.1:9/', "
        "enabled: false}\n",
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from aggregator import cli\n"
        "try:\n"
        f"    cli.main(['fetch', '--config', {str(tmp_path / 'sources.yaml')!r}, "
        f"'--db', {str(tmp_path / 'a.db')!r}])\n"
        "except SystemExit as done:\n"
        "    print('aggregator.publish.build' in sys.modules, done.code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().split() == ["False", "0"]


def test_sources_collected_together_are_stored_in_one_transaction_each_whole(
    tmp_path: Path,
) -> None:
    """What several sources gave is written in one transaction (every commit rewrites the
    index pages the entries touch); each source's entries, exchanges and health are all
    there, a failed source's failure too."""
    from datetime import UTC, datetime

    from aggregator.models import Collected, FetchResult, RawItem, Source
    from aggregator.store.database import Store

    store = Store(tmp_path / "a.db")
    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    names = [f"s{number:02d}" for number in range(40)]
    sources = [Source(id=n, name=n, type="feed", url=f"https://{n}.example/f") for n in names]
    store.sync_sources(sources)
    results = []
    for source in sources:
        items = tuple(RawItem(guid=f"{source.url}/{k}", url=f"{source.url}/{k}", title=f"T {k}")
                      for k in range(5))  # fmt: skip
        exchange = FetchResult(url=source.url, final_url=source.url, status=200, etag='"1"')
        results.append(Collected(source, items, tuple(i.url for i in items), (exchange,)))
    failed = FetchResult(url="https://s00.example/f", final_url="", status=503, error="HTTP 503")
    results[0] = Collected(sources[0], exchanges=(failed,), error="HTTP 503")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    saved = store.save_collected(results, now)
    assert (saved.new, saved.updated) == (195, 0) and list(saved.results) == results
    store.conn.set_trace_callback(None)
    assert statements.count("BEGIN IMMEDIATE") == statements.count("COMMIT") == 1
    per_source = dict(store.execute("SELECT source, count(*) FROM entries GROUP BY 1").fetchall())
    assert per_source == {name: 5 for name in names[1:]}
    health = {s.id: s for s in store.source_statuses()}
    assert health["s00"].last_error == "HTTP 503" and health["s00"].consecutive_failures == 1
    assert all(health[n].last_success == now for n in names[1:])
    assert store.validators("https://s01.example/f") == ('"1"', None)
    assert len(store.pending_entries()) == 195


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_run_publishes_what_publish_alone_makes_of_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a run publishes is, byte for byte, what `aggregator publish` makes of the
    database afterwards, on a first run and on a later one that edits an item and brings a
    copy of another (merged: "also at")."""
    from aggregator.demo import _packaged_sites, demo_config_text

    root = tmp_path / "site"
    shutil.copytree(Path(str(_packaged_sites())), root)
    with DemoServer(root) as server:
        config = tmp_path / "sources.yaml"
        config.write_text(demo_config_text(server.base_url), encoding="utf-8")

        def both() -> tuple[dict[str, bytes], dict[str, bytes]]:
            code, output = invoke(tmp_path, "run", "--all")  # the edited feed, due or not
            assert code == 0, output
            again = tmp_path / "again"
            shutil.rmtree(again, ignore_errors=True)
            result = CliRunner().invoke(
                cli,
                ["publish", "--config", str(config), "--db", str(tmp_path / "a.db"),
                 "--output", str(again)],
                catch_exceptions=False,
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            return _files(tmp_path / "out"), _files(again)

        first, published = both()
        assert first == published
        assert any(name.startswith("incidents/") for name in first)

        feed = root / "gazette" / "rss.xml"
        text = feed.read_text(encoding="utf-8")
        text = text.replace(
            "Aucune date de fin du mouvement n'est annoncée.", "Le mouvement a cessé mardi."
        )
        start = text.index("<item>", text.index("almerys-fuite-donnees-cnil") - 400)
        copy = text[start : text.index("</item>", start) + len("</item>")]
        copy = copy.replace("20442 at gazette", "20499 at gazette").replace(
            "almerys-fuite-donnees-cnil.html", "almerys-fuite-donnees-cnil-copie.html"
        )
        feed.write_text(text.replace("<item>", copy + "\n    <item>", 1), encoding="utf-8")
        second, published = both()
        assert second == published
        assert second != first
        items = json.loads(second["feed.json"])["items"]
        edited = next(i for i in items if "grossiste" in i["title"].lower())
        assert "cessé mardi" in edited["content_html"]
        assert b"almerys-fuite-donnees-cnil-copie.html" in second["feed.json"]  # also at
        assert len(items) == len(json.loads(first["feed.json"])["items"])  # merged, not new


def test_a_publish_that_fails_to_start_leaves_the_understanding_committed(
    tmp_path: Path, site: DemoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aggregator.errors import PublishError
    from aggregator.publish import build

    def failing(output: Path, data: object) -> NoReturn:
        raise PublishError("cannot render the output: a test says no")

    (tmp_path / "sources.yaml").write_text(config_text(site.base_url), encoding="utf-8")
    monkeypatch.setattr(build, "start", failing)
    code, output = invoke(tmp_path, "run")
    assert code != 0 and "a test says no" in output
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM pending_entries").fetchone()[0] == 0
    monkeypatch.undo()
    code, output = invoke(tmp_path, "run")  # nothing new to understand: publishes all the same
    assert code == 0, output
    assert len(feed_items(tmp_path)) == 5
