"""Command line: options -> library calls; library errors -> messages and exit codes.

Exit status: 0 the run completed (some sources may have failed); 1 every source failed, or
the database or output could not be written, or another run holds the lock; 2 usage and
configuration errors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from aggregator import __version__
from aggregator.errors import AggregatorError, ConfigError, LockError
from aggregator.lock import run_lock
from aggregator.models import Config, Item, SourceStatus

if TYPE_CHECKING:
    from aggregator.collect.schedule import Plan

log = logging.getLogger("aggregator")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UsageFailure(click.ClickException):
    exit_code = 2


class RunFailure(click.ClickException):
    exit_code = 1


Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _path_option(flag: str, dest: str, default: str, what: str, folder: bool = False) -> Decorator:
    kind = click.Path(file_okay=not folder, dir_okay=folder)
    return click.option(flag, dest, default=default, show_default=True, type=kind, help=what)


DB = _path_option("--db", "db_path", "aggregator.db", "The SQLite database.")


def common(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command shares."""
    options = [
        _path_option("--config", "config_path", "sources.yaml", "The sources file."),
        DB,
        _path_option("--output", "output", "output", "Where the site and feeds go.", folder=True),
        click.option("-v", "--verbose", count=True, help="More detail on stderr (-vv: debug)."),
        click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def setup_logging(verbose: int, quiet: bool) -> None:
    level = (
        logging.ERROR if quiet else [logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)]
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger("aggregator")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def load(config_path: str) -> Config:
    from aggregator.config import load_config

    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from None


@contextmanager
def errors_to_exits() -> Iterator[None]:
    """Project errors become one-line messages; the exit status says which kind."""
    try:
        yield
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from None
    except (LockError, AggregatorError) as exc:
        raise RunFailure(str(exc)) from None
    except sqlite3.Error as exc:  # the store words its own; this is a last resort
        raise RunFailure(f"database error: {exc}") from None
    except OSError as exc:
        raise RunFailure(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")) from None


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="aggregator")
def cli() -> None:
    """Veille tiers payant: collect, deduplicate, tag and group the advisories a French
    community pharmacist needs, and publish them as feeds and a static site.

    Example: aggregator run --config sources.yaml --output output/
    """


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Callable[[str], None] | None]:
    if not enabled or total == 0:
        yield None
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task("fetching", total=total)
        yield lambda source_id: bar.update(task, advance=1, description=source_id)


def _run(
    config_path: str,
    db_path: str,
    output: str | None,
    verbose: int,
    quiet: bool,
    wait: float,
    only: Sequence[str] | None = None,
    due_only: bool = False,
) -> None:
    setup_logging(verbose, quiet)
    config = load(config_path)
    from aggregator.pipeline import run
    from aggregator.store.database import Store

    show_bar = sys.stderr.isatty() and not quiet
    with errors_to_exits(), run_lock(db_path, wait), Store(db_path, _busy(wait)) as store:
        enabled = [s for s in config.sources if s.enabled]
        if due_only and show_bar:  # the bar counts what this run fetches
            from aggregator.collect.schedule import due_sources
            from aggregator.store.database import utcnow

            enabled = due_sources(store, enabled, utcnow())[0]
        with _progress(len(enabled), show_bar) as progress:
            report = run(config, store, Path(output) if output else None, only, progress, due_only)
        in_a_row = {s.id: s.consecutive_failures for s in store.source_statuses()}
    _report_failures(report.failures, in_a_row, quiet)
    if not quiet:
        click.echo(report.summary(), err=True)
    if report.every_source_failed():
        raise RunFailure("every source failed; see `aggregator status`")


# A quiet run (cron) reports a source's first failure, then every this many in a row.
REMIND_EVERY = 10


def _report_failures(
    failures: Sequence[tuple[str, str]], in_a_row: dict[str, int], quiet: bool
) -> None:
    from aggregator.publish.health import worth_reporting

    for source_id, reason in failures:
        count = in_a_row.get(source_id, 1)
        if quiet and not worth_reporting(count, REMIND_EVERY):
            continue
        again = f" ({count} failures in a row)" if count > 1 else ""
        click.echo(f"{source_id}: {reason}{again}", err=True)


DUE_ONLY = click.option(
    "--due/--all",
    "due_only",
    default=False,
    help="--due: fetch only the sources that are due (the cron line every 5 minutes; see "
    "`aggregator status`); --all (default): every enabled source.",
)
WAIT = click.option(
    "--wait",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for another run, or another program, using the database.",
)
# A run's own threads take turns on the database briefly: never wait less than this.
MIN_BUSY_WAIT = 2.0


def _busy(wait: float) -> float:
    return max(wait, MIN_BUSY_WAIT)


@cli.command(context_settings=CONTEXT)
@common
@WAIT
@DUE_ONLY
def run(
    config_path: str,
    db_path: str,
    output: str,
    verbose: int,
    quiet: bool,
    wait: float,
    due_only: bool,
) -> None:
    """Fetch every enabled source (--due: only those due), process, publish.
    The cron entry point: with --due each source is polled at its own pace, so run it often.

    Example: aggregator run --due -q --config sources.yaml --output output/
    """
    _run(config_path, db_path, output, verbose, quiet, wait, due_only=due_only)


@cli.command(context_settings=CONTEXT)
@common
@WAIT
@DUE_ONLY
def fetch(
    config_path: str,
    db_path: str,
    output: str,
    verbose: int,
    quiet: bool,
    wait: float,
    due_only: bool,
) -> None:
    """Fetch and process every enabled source (--due: only those due); no publishing.

    Example: aggregator fetch --due --config sources.yaml
    """
    _run(config_path, db_path, None, verbose, quiet, wait, due_only=due_only)


@cli.command(context_settings=CONTEXT)
@common
@WAIT
def publish(
    config_path: str, db_path: str, output: str, verbose: int, quiet: bool, wait: float
) -> None:
    """Rebuild the output folder from the database alone; never touches the network.

    Example: aggregator publish --output output/
    """
    setup_logging(verbose, quiet)
    config = load(config_path)
    from aggregator.pipeline import publish_output
    from aggregator.store.database import Store
    from aggregator.understand.taxonomy import load_taxonomy

    if not Path(db_path).exists():
        raise RunFailure(f"no database at {db_path}; run `aggregator run` first")
    with errors_to_exits(), run_lock(db_path, wait), Store(db_path, _busy(wait)) as store:
        report = publish_output(config, store, Path(output), load_taxonomy(config.taxonomy))
    if not quiet:
        click.echo(
            f"files: {len(report.written)} written, {report.unchanged} unchanged, "
            f"{len(report.removed)} removed",
            err=True,
        )


@cli.command(context_settings=CONTEXT)
@common
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--check",
    is_flag=True,
    help="For monitoring: print one line and exit 1 when a source keeps failing or "
    "nothing succeeded for hours, 0 otherwise.",
)
@click.option(
    "--max-failures",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="With --check: failures in a row allowed to a source.",
)
@click.option(
    "--max-hours",
    default=6.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="With --check: hours without any successful fetch.",
)
def status(
    config_path: str,
    db_path: str,
    output: str,
    verbose: int,
    quiet: bool,
    as_json: bool,
    check: bool,
    max_failures: int,
    max_hours: float,
) -> None:
    """One row per source: last success, last error, consecutive failures, items.

    Example: aggregator status --json; for monitoring: aggregator status --check
    """
    from aggregator.collect.schedule import planned
    from aggregator.store.database import Store

    config = load(config_path)
    with errors_to_exits(), Store(db_path) as store:
        store.sync_sources(config.sources)
        statuses = store.source_statuses([s.id for s in config.sources])
        plans = planned(store)
        alerts = _alerts_status(store) if config.notify else None
    if check:
        _check(statuses, max_failures, max_hours)
    if as_json:
        data: dict[str, object] = {"sources": [_status_dict(s, plans) for s in statuses]}
        if alerts is not None:
            data["alerts"] = alerts
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(_status_table(statuses, plans))
    if alerts is not None:
        line = f"alerts: {alerts['pending']} waiting, {alerts['given_up']} given up"
        if alerts["last_error"]:
            line += f"; last error: {alerts['last_error']}"
        click.echo(line)


def _check(statuses: Sequence[SourceStatus], max_failures: int, max_hours: float) -> NoReturn:
    from datetime import UTC, datetime

    from aggregator.publish.health import watch_problem

    problem = watch_problem(statuses, datetime.now(UTC), max_failures, max_hours)
    ok = [s for s in statuses if s.enabled and not s.gone and not s.consecutive_failures]
    if problem is None:
        click.echo(f"OK: {len(ok)} of {len(statuses)} sources answered at their last fetch")
        sys.exit(0)
    click.echo(f"PROBLEM: {problem}")
    sys.exit(1)


def _alerts_status(store: Any) -> dict[str, object]:
    from aggregator.notify import outbox_status

    outbox = outbox_status(store)
    return {
        "pending": outbox.pending,
        "given_up": outbox.given_up,
        "last_error": outbox.last_error,
        "last_sent": outbox.last_sent,
    }


def _status_dict(s: SourceStatus, plans: Mapping[str, Plan]) -> dict[str, object]:
    plan = plans.get(s.id)
    return {
        "id": s.id,
        "name": s.name,
        "url": s.url,
        "category": s.category,
        "enabled": s.enabled,
        "last_success": s.last_success.isoformat() if s.last_success else None,
        "last_error": s.last_error,
        "last_error_at": s.last_error_at.isoformat() if s.last_error_at else None,
        "consecutive_failures": s.consecutive_failures,
        "items": s.items,
        "gone": s.gone,
        "articles_waiting": s.articles_waiting,
        "articles_given_up": s.articles_given_up,
        "notes": s.notes,
        # None: never fetched, so due at the next run
        "next_due": plan.next_due.isoformat() if plan else None,
        "poll_interval": plan.interval if plan else None,
        "poll_reason": plan.reason if plan else None,
    }


def _status_table(statuses: Sequence[SourceStatus], plans: Mapping[str, Plan]) -> str:
    header = ("source", "last success", "last error", "failures", "items", "next due",
              "notes", "articles failed")  # fmt: skip
    rows = [header]
    for s in statuses:
        success = s.last_success.strftime("%Y-%m-%d %H:%M") if s.last_success else "never"
        error = s.last_error or "" if s.consecutive_failures else ""
        flag = "" if s.enabled else " (disabled)"
        if s.gone:
            flag += " (gone)"
        plan = plans.get(s.id)
        due = plan.next_due.strftime("%Y-%m-%d %H:%M") if plan else "next run"
        failures, items = str(s.consecutive_failures), str(s.items)
        notes = (s.notes or "")[:60]
        articles = ""
        if s.articles_waiting or s.articles_given_up:
            articles = f"{s.articles_waiting} to retry, {s.articles_given_up} given up"
        rows.append((s.id + flag, success, error[:60], failures, items, due, notes, articles))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@DB
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=1),
    help="At most this many items.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of lines.")
def search(query: str, db_path: str, limit: int, as_json: bool) -> None:
    """Full-text search over the stored items: every word of QUERY, with or without its
    accents, in the title, summary or body; newest first, with date, source, title, link.

    Example: aggregator search "viamedis panne"
    """
    from aggregator.store.database import Store

    if not query.strip():
        raise UsageFailure("QUERY is empty: give at least one word to look for")
    if not Path(db_path).is_file():
        raise UsageFailure(f"{db_path}: no such database (run `aggregator run` first, or --db)")
    with errors_to_exits(), Store(db_path) as store:
        items = store.search(query, limit=limit)
    if as_json:
        found = [_search_dict(item) for item in items]
        click.echo(json.dumps({"items": found}, ensure_ascii=False, indent=2))
        return
    for item in items:
        date = item.date.strftime("%Y-%m-%d") if item.date else "????-??-??"
        click.echo(f"{date}  {item.source}  {item.title}  {item.url}")


def _search_dict(item: Item) -> dict[str, object]:
    return {
        "id": item.id,
        "date": item.date.isoformat() if item.date else None,
        "source": item.source,
        "source_name": item.source_name,
        "title": item.title,
        "url": item.url,
        "payers": list(item.payers),
        "kinds": list(item.kinds),
    }


@cli.command(context_settings=CONTEXT)
@common
@click.option("--test", "test", is_flag=True, help="Send a test message to every target.")
def notify(
    config_path: str, db_path: str, output: str, verbose: int, quiet: bool, test: bool
) -> None:
    """Send the alerts waiting in the outbox, or a test message to every `notify:` target.

    Example: aggregator notify --test
    """
    setup_logging(verbose, quiet)
    config = load(config_path)
    if not config.notify:
        raise UsageFailure(f"{config_path}: no `notify:` targets; see the README's Alerts section")
    from aggregator import notify as notifying

    if test:
        failed = 0
        for result in notifying.send_test(config.notify):
            click.echo(
                f"{'ok' if result.ok else 'ÉCHEC'}  {result.target}"
                + (f"  ({result.error})" if result.error else "")
            )
            failed += not result.ok
        if failed:
            raise RunFailure(f"{failed} of {len(config.notify)} targets could not be reached")
        return
    from aggregator.store.database import Store

    with errors_to_exits(), run_lock(db_path, 60), Store(db_path) as store:
        report = notifying.send_pending(store, config.notify)
    click.echo(f"alerts: {report.sent} sent, {report.failed} failed", err=True)
    if report.failed:
        raise RunFailure("; ".join(report.errors[:3]))


@cli.command(context_settings=CONTEXT)
@click.argument("source_id")
@common
def check(
    source_id: str, config_path: str, db_path: str, output: str, verbose: int, quiet: bool
) -> None:
    """Fetch one source and print what would be extracted; stores nothing.

    Example: aggregator check uspo
    """
    setup_logging(verbose, quiet)
    config = load(config_path)
    source = next((s for s in config.sources if s.id == source_id), None)
    if source is None:
        known = ", ".join(s.id for s in config.sources)
        raise UsageFailure(f"{config_path}: no source with id '{source_id}'; known: {known}")
    from aggregator.collect.checker import check_source

    with errors_to_exits():
        ok = asyncio.run(check_source(config, source, click.echo))
    if not ok:
        raise RunFailure(f"{source_id}: nothing could be extracted (see above)")


@cli.command(context_settings=CONTEXT)
@click.option(
    "--output",
    "output",
    default="output",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where the site and feeds go.",
)
@click.option(
    "--db",
    "db_path",
    default=None,
    type=click.Path(dir_okay=False),
    help="Keep the demo database here (default: a temporary file).",
)
@click.option("-v", "--verbose", count=True, help="More detail on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
def demo(output: str, db_path: str | None, verbose: int, quiet: bool) -> None:
    """Serve the bundled sample sites on 127.0.0.1 and run the whole pipeline on them.

    Example: aggregator demo --output /tmp/veille && xdg-open /tmp/veille/index.html
    """
    from aggregator.demo import DemoServer, demo_config_text

    with tempfile.TemporaryDirectory(prefix="aggregator-demo-") as tmp, DemoServer() as server:
        config_file = Path(tmp) / "sources.yaml"
        config_file.write_text(demo_config_text(server.base_url), encoding="utf-8")
        _run(str(config_file), db_path or str(Path(tmp) / "demo.db"), output, verbose, quiet, 0)
    index = (Path(output) / "index.html").resolve()
    click.echo(f"Demo published to {Path(output).resolve()}/")
    click.echo(
        f"Open file://{index} in a browser, or serve it: python -m http.server -d {output} 8000"
    )


@cli.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--errors/--no-errors", default=True, show_default=True, help="List every error.")
def evaluate(paths: tuple[str, ...], errors: bool) -> None:
    """Score the understanding stage on labelled sets (YAML files or directories).

    Prints precision, recall and F1 per payer and per kind, incident pairwise F1,
    spurious incidents, statuses, duplicate stories and wrong merges, then every error
    with the rule that fired. Runs in memory: no database, no network.

    Example: aggregator evaluate tests/data/corpus/real
    """
    from aggregator.understand.evaluate import LabelError
    from aggregator.understand.evaluate import evaluate as run_evaluation

    try:
        report = run_evaluation([Path(p) for p in paths])
    except LabelError as error:
        raise UsageFailure(str(error)) from error
    text = report.text()
    click.echo(text if errors else text.split("\n\n", 1)[0])


def main(argv: Sequence[str] | None = None) -> None:
    """The ``aggregator`` command: runs one command line and exits with its status."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="aggregator")
    except KeyboardInterrupt:
        click.echo("interrupted; the next run finishes the work", err=True)
        sys.exit(130)
