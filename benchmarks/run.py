"""Benchmark `aggregator run` against newsboat on a local corpus, and `publish` on a big database.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/run.py                 # everything, results in RESULTS.md
    .venv/bin/python benchmarks/run.py --feeds 50 --repeat 1 --skip-publish   # a quick look

What one run measures, as medians of ``--repeat`` alternating repetitions:

* a cold ``aggregator run`` (empty database and output) and a warm one (nothing changed);
* ``newsboat -x reload`` of the same feeds, cold (empty cache) and warm, with
  ``reload-threads`` equal to the aggregator's ``fetch.concurrency``;
* ``aggregator publish`` of a database of ``--publish-items`` items, into an empty output
  folder and again over its own output;
* peak resident memory of each (``/usr/bin/time -v``);
* one profiled cold and warm run (cProfile), the physical floor (latency x requests /
  concurrency), and bare lxml and feedparser parses of the same bytes.

The corpus is served on loopback addresses 127.0.0.2... only (see server.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml
from corpus import Corpus, build_corpus
from server import LoopbackFarm, Tally, loopback_ok

HERE = Path(__file__).resolve().parent
NOTES_MARK = "<!-- notes below this line are kept when run.py rewrites this file -->"
TIME = "/usr/bin/time"
NEWSBOAT = shutil.which("newsboat") or "/usr/bin/newsboat"
COMMAND_TIMEOUT = 900  # seconds: a hung command fails the benchmark instead of blocking it


# --- options -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark aggregator run/publish against newsboat on a local corpus.",
        epilog="Example: .venv/bin/python benchmarks/run.py --feeds 300 --latency 0.05",
    )
    add = parser.add_argument
    add("--feeds", type=int, default=300, help="feed sources (default 300)")
    add("--items", type=int, default=50, help="items per feed (default 50)")
    add("--html", type=int, default=20, help="HTML list sources (default 20)")
    add("--html-items", type=int, default=30, help="entries per HTML list page (default 30)")
    add(
        "--hosts",
        type=int,
        default=0,
        help="loopback addresses to serve on (default: one per source, as real sites are)",
    )
    add("--latency", type=float, default=0.05, help="seconds per request (default 0.05)")
    add("--concurrency", type=int, default=16, help="fetch.concurrency = reload-threads")
    add("--repeat", type=int, default=3, help="alternating repetitions (default 3)")
    add("--publish-items", type=int, default=100_000, help="items in the publish database")
    add("--seed", type=int, default=2026, help="corpus seed (default 2026)")
    add("--skip-newsboat", action="store_true", help="do not run newsboat")
    add("--skip-publish", action="store_true", help="do not build the big database")
    add("--skip-profile", action="store_true", help="no profiled runs")
    add("--workdir", type=Path, help="keep databases, outputs and profiles here")
    add("--results", type=Path, default=HERE / "RESULTS.md", help="the report to write")
    add("--no-results", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.hosts == 0:
        args.hosts = args.feeds + args.html
    for name in ("feeds", "items", "repeat", "concurrency", "hosts", "html_items"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.html < 0 or args.latency < 0 or args.publish_items < 1:
        parser.error("--html, --latency and --publish-items cannot be negative")
    if args.skip_newsboat is False and not Path(NEWSBOAT).exists():
        parser.error(
            "newsboat not found: install it (apt-get install newsboat) or pass --skip-newsboat"
        )
    return args


# --- running commands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mb: float
    stderr: str
    tally: Tally | None = None


def measured(
    command: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    farm: LoopbackFarm | None = None,
) -> Measure:
    """Run ``command`` under /usr/bin/time -v: wall seconds, peak RSS, stderr, server tally."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        prefix = [TIME, "-v", "-o", report.name] if Path(TIME).exists() else []
        if farm:
            farm.take_tally()
        started = time.perf_counter()
        done = subprocess.run(
            prefix + command,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        seconds = time.perf_counter() - started
        tally = farm.take_tally() if farm else None
        usage = Path(report.name).read_text()
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stderr[-3000:]}"
        )
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", usage)
    return Measure(seconds, int(peak.group(1)) / 1024 if peak else float("nan"), done.stderr, tally)


def aggregator(*args: str) -> list[str]:
    return [sys.executable, "-m", "aggregator", *args]


def clean_env(home: Path) -> dict[str, str]:
    """No proxy may capture loopback traffic; newsboat gets a HOME of its own; Python may
    keep the bytecode of our modules, as in any installed copy (see compile_modules)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["HOME"] = str(home)
    env["NO_PROXY"] = env["no_proxy"] = "*"
    return env


def compile_modules() -> None:
    """Compile the package's bytecode once, as pip does when it installs a package: a
    machine that sets PYTHONDONTWRITEBYTECODE (as some containers do) would otherwise make
    every measured run compile our modules from source again (~0.07 s of each start)."""
    import aggregator

    package = Path(aggregator.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file's (mtime in ns, size): equal snapshots mean nothing was rewritten."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in folder.rglob("*")
        if p.is_file()
    }


def last_run_statuses(db: Path) -> dict[str, int]:
    """Status counts of the fetch_log rows of the latest run (they share its start time)."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT COALESCE(status, 'error'), count(*) FROM fetch_log "
            "WHERE time = (SELECT max(time) FROM fetch_log) GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return {str(status): count for status, count in rows}


def summary_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("sources:")]
    return lines[-1] if lines else stderr.strip().splitlines()[-1] if stderr.strip() else ""


# --- the benchmark ---------------------------------------------------------------------------


@dataclass
class Runs:
    """Every measurement of one kind, in the order taken."""

    measures: list[Measure] = field(default_factory=list)

    def add(self, measure: Measure) -> Measure:
        self.measures.append(measure)
        return measure

    @property
    def median(self) -> float:
        return statistics.median(m.seconds for m in self.measures) if self.measures else 0.0

    @property
    def peak_mb(self) -> float:
        return max((m.peak_mb for m in self.measures), default=0.0)

    @property
    def spread(self) -> str:
        return ", ".join(f"{m.seconds:.2f}" for m in self.measures)


@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    corpus: Corpus
    farm: LoopbackFarm
    runs: dict[str, Runs] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)

    def runs_of(self, name: str) -> Runs:
        return self.runs.setdefault(name, Runs())

    @property
    def config(self) -> Path:
        return self.work / "sources.yaml"

    def write_inputs(self) -> None:
        """The aggregator's sources.yaml and newsboat's urls and config."""
        sources = [
            {
                "id": s.id,
                "name": s.name,
                "type": s.type,
                "url": self.farm.url(s.host, s.path),
                "category": s.category,
                **({"list": LIST_SELECTORS} if s.type == "html" else {}),
            }
            for s in self.corpus.sources
        ]
        config = {
            "site": {
                "title": "Banc d'essai",
                "base_url": "https://example.org/veille/",
                "language": "fr",
                "max_items": 100,
            },
            # Politeness is off on purpose: the farm's hosts are local and expect no delay.
            "fetch": {
                "per_host_delay": 0,
                "concurrency": self.args.concurrency,
                "user_agent": "aggregator-bench/1 (+https://example.org/veille/)",
            },
            "sources": sources,
        }
        self.config.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
        feeds = [self.farm.url(s.host, s.path) for s in self.corpus.sources if s.type == "feed"]
        (self.work / "urls").write_text("\n".join(feeds) + "\n")
        (self.work / "newsboat.conf").write_text(
            f'reload-threads {self.args.concurrency}\nuser-agent "newsboat-bench/1"\n'
        )
        (self.work / "home").mkdir(exist_ok=True)

    def aggregator_pair(self) -> None:
        """A cold run on an empty database, then a warm run with nothing changed."""
        db, out = self.work / "agg.db", self.work / "out"
        for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            path.unlink(missing_ok=True)
        shutil.rmtree(out, ignore_errors=True)
        # --all: the warm run asks every source again (not only those due), as newsboat does.
        command = aggregator(
            "run", "--all", "--config", str(self.config), "--db", str(db), "--output", str(out)
        )
        env = clean_env(self.work / "home")
        cold = self.runs_of("aggregator cold").add(measured(command, env, farm=self.farm))
        self.facts["cold summary"] = summary_line(cold.stderr)
        if cold.tally:
            self.facts["cold requests"] = _tally_text(cold.tally)
        before = snapshot(out)
        time.sleep(0.05)  # mtimes have ns resolution, but be sure a rewrite would show
        warm = self.runs_of("aggregator warm").add(measured(command, env, farm=self.farm))
        self.facts["warm summary"] = summary_line(warm.stderr)
        statuses = last_run_statuses(db)
        changed = sorted(k for k, v in snapshot(out).items() if before.get(k) != v)
        self._check_warm(statuses, changed, warm.tally, len(before))

    def _check_warm(
        self, statuses: dict[str, int], changed: list[str], tally: Tally | None, files: int
    ) -> None:
        all_304 = set(statuses) == {"304"}
        self.checks["warm fetch_log statuses"] = f"{'PASS' if all_304 else 'FAIL'}: {statuses}"
        self.checks["warm output rewritten"] = (
            f"{'PASS' if not changed else 'FAIL'}: {len(changed)} of {files} files changed"
            + (f" ({', '.join(changed[:5])}...)" if changed else "")
        )
        if tally is not None:
            feeds = tally.requests - tally.robots
            ok = tally.conditional == feeds and tally.by_status.get(200, 0) == tally.robots
            self.checks["warm robots.txt from the database"] = (
                f"{'PASS' if not tally.robots else 'FAIL'}: {tally.robots} robots.txt requests"
            )
            self.checks["warm requests conditional"] = (
                f"{'PASS' if ok else 'FAIL'}: {_tally_text(tally)}"
            )

    def newsboat_pair(self) -> None:
        cache = self.work / "newsboat.db"
        for path in self.work.glob("newsboat.db*"):
            path.unlink()
        command = [
            NEWSBOAT,
            "-u",
            str(self.work / "urls"),
            "-c",
            str(cache),
            "-C",
            str(self.work / "newsboat.conf"),
            "-x",
            "reload",
        ]
        env = clean_env(self.work / "home")
        cold = self.runs_of("newsboat cold").add(measured(command, env, farm=self.farm))
        # newsboat 2.21 keeps a feed's validators only from its second reload on (upstream
        # issue newsboat#2734): the second reload is unconditional, the third is the warm one.
        second = self.runs_of("newsboat 2nd reload (unconditional)").add(
            measured(command, env, farm=self.farm)
        )
        warm = self.runs_of("newsboat warm").add(measured(command, env, farm=self.farm))
        for name, measure in (("cold", cold), ("2nd reload", second), ("warm", warm)):
            if measure.tally:
                self.facts[f"newsboat {name} requests"] = _tally_text(measure.tally)
        with sqlite3.connect(cache) as conn:
            count = conn.execute("SELECT count(*) FROM rss_item").fetchone()[0]
        self.facts["newsboat items stored"] = str(count)


LIST_SELECTORS = {
    "item": "article",
    "title": "h2",
    "link": "h2 a",
    "date": "time",
    "summary": ".excerpt",
}


def _tally_text(tally: Tally) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in tally.by_status.items())
    return (
        f"{tally.requests} requests ({tally.robots} robots.txt), {tally.conditional} "
        f"conditional; statuses {{{statuses}}}; {tally.bytes_sent / 1e6:.1f} MB sent"
    )


def run_fetch_benchmark(bench: Bench) -> None:
    """Alternate the tools so that neither always runs on a warmer machine."""
    for rep in range(bench.args.repeat):
        order: list[Callable[[], None]] = [bench.aggregator_pair]
        if not bench.args.skip_newsboat:
            order.append(bench.newsboat_pair)
        if rep % 2:
            order.reverse()
        for step in order:
            step()
        print(
            f"repetition {rep + 1}/{bench.args.repeat}: "
            + "; ".join(f"{k} {r.measures[-1].seconds:.2f} s" for k, r in bench.runs.items()),
            flush=True,
        )


# --- publish ---------------------------------------------------------------------------------


def publish_label(args: argparse.Namespace, phase: str) -> str:
    return f"publish {args.publish_items:,} items {phase}".replace(",", " ")


def run_publish_benchmark(bench: Bench) -> None:
    from bigdb import build_big_db

    db = bench.work / "big.db"
    built = build_big_db(db, bench.config, bench.args.publish_items)
    bench.facts["publish database"] = (
        f"{built.items} items, {built.entries} entries, {built.incidents} incidents, "
        f"{db.stat().st_size / 1e6:.0f} MB, built in {built.seconds:.1f} s through "
        "aggregator.store.database"
    )
    print(bench.facts["publish database"], flush=True)
    out = bench.work / "big-out"
    command = aggregator(
        "publish", "--config", str(bench.config), "--db", str(db), "--output", str(out)
    )
    env = clean_env(bench.work / "home")
    for rep in range(bench.args.repeat):
        shutil.rmtree(out, ignore_errors=True)
        cold = bench.runs_of(publish_label(bench.args, "cold")).add(measured(command, env))
        bench.facts["publish cold summary"] = cold.stderr.strip().splitlines()[-1]
        warm = bench.runs_of(publish_label(bench.args, "warm")).add(measured(command, env))
        bench.facts["publish warm summary"] = warm.stderr.strip().splitlines()[-1]
        print(
            f"publish {rep + 1}/{bench.args.repeat}: cold {cold.seconds:.2f} s, "
            f"warm {warm.seconds:.2f} s",
            flush=True,
        )
    files = [p for p in out.rglob("*") if p.is_file()]
    bench.facts["publish output"] = (
        f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB"
    )


# --- where the time goes ---------------------------------------------------------------------

# (file, function, label), from a run in one process (AGGREGATOR_WORKERS=0), so the CPU
# time of every stage is seen. cProfile cannot follow time through the event loop (coroutine
# frames are suspended and resumed), so collect is shown as the CPU time of the per-source
# coroutine, Collector.collect, not as the wall time of asyncio.run.
STAGES = (
    ("aggregator/pipeline.py", "<module>", "start-up: import the pipeline"),
    ("understand/taxonomy.py", "load_taxonomy", "start-up: load and compile the taxonomy"),
    ("collect/stage.py", "collect", "collect: fetch + extract, CPU (Collector.collect)"),
    ("feed.py", "parse_feed", "  extract feeds (parse_feed)"),
    ("html.py", "parse_list", "  extract HTML lists (parse_list)"),
    ("store/database.py", "save_collected", "collect: store entries (Store.save_collected)"),
    ("aggregator/pipeline.py", "understand_and_store", "understand: dedupe, classify, incidents"),
    ("understand/stage.py", "_dedupe_index", "  dedupe index of known items"),
    ("understand/stage.py", "analyse", "  text, classification, fingerprint (analyse)"),
    ("understand/classify.py", "classify_and_read", "    of which classification"),
    ("understand/language.py", "parse", "    of which spaCy parses (language.parse)"),
    ("understand/dedupe.py", "fingerprint", "    of which dedupe.fingerprint"),
    ("understand/dedupe.py", "match", "  near-duplicate matching (DedupeIndex.match)"),
    ("understand/stage.py", "regroup", "  incidents (regroup)"),
    ("store/database.py", "apply_understood", "  store what understanding changed"),
    ("aggregator/pipeline.py", "publish_output", "publish: feeds and site"),
    ("store/database.py", "all_items", "  load items (Store.all_items)"),
    ("aggregator/publish/build.py", "publish", "  build and write files"),
)


# The CLI called inside the profiler without click's sys.exit, so that the stats are written
# after every frame has returned.
PROFILED_RUN = """
import cProfile, sys
from aggregator.cli import cli
profile = cProfile.Profile()
try:
    profile.runcall(cli.main, args=sys.argv[2:], prog_name="aggregator", standalone_mode=False)
finally:
    profile.dump_stats(sys.argv[1])
"""


def profile_runs(bench: Bench) -> None:
    """One cold and one warm run under cProfile, outside the timed repetitions."""
    db, out = bench.work / "prof.db", bench.work / "prof-out"
    for path in bench.work.glob("prof.db*"):
        path.unlink()
    shutil.rmtree(out, ignore_errors=True)
    # One process: the parsing and analysis that worker processes do in a timed run are
    # then in the profile too (a profiler sees only its own process).
    env = {**clean_env(bench.work / "home"), "AGGREGATOR_WORKERS": "0"}
    for phase in ("cold", "warm"):
        target = bench.work / f"profile-{phase}.pstats"
        args = ["run", "--all", "--config", str(bench.config), "--db", str(db)]
        args += ["--output", str(out)]
        command = [sys.executable, "-c", PROFILED_RUN, str(target), *args]
        measured(command, env, farm=bench.farm)
        bench.facts[f"profile {phase}"] = str(target)


TICK = 0.1  # seconds between two samples of the busy cores


def busy_cores(command: list[str], env: dict[str, str]) -> tuple[list[float], str] | None:
    """Run ``command``, sampling how many of the machine's cores are busy every TICK s
    (from /proc/stat: the whole machine, the corpus server included); the samples and the
    command's stderr. None where /proc/stat cannot be read."""
    stat = Path("/proc/stat")
    if not stat.is_file():
        return None

    def sample() -> tuple[int, int]:
        values = [int(v) for v in stat.read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # all time, idle and iowait

    cores = os.cpu_count() or 1
    busy: list[float] = []
    with tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=err)
        last = sample()
        while process.poll() is None:
            time.sleep(TICK)
            now = sample()
            total, idle = now[0] - last[0], now[1] - last[1]
            last = now
            busy.append(cores * (1 - idle / total) if total else 0.0)
        err.seek(0)
        stderr = err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{stderr}")
    return busy, stderr


def timeline(bench: Bench) -> str:
    """Busy cores over one more cold run, and the stages it logged (``run -v``)."""
    db, out = bench.work / "timeline.db", bench.work / "timeline-out"
    for path in bench.work.glob("timeline.db*"):
        path.unlink()
    shutil.rmtree(out, ignore_errors=True)
    args = ("run", "-v", "--config", str(bench.config), "--db", str(db), "--output", str(out))
    sampled = busy_cores(aggregator(*args), clean_env(bench.work / "home"))
    if sampled is None:
        return ""
    busy, stderr = sampled
    stages = re.findall(r"(\w+) took ([\d.]+ s)", stderr)
    return "\n".join(
        [
            f"Busy cores over one more cold run, every {TICK:g} s (the whole machine, the "
            "corpus server included; tenths of a core, so 10 is one core busy):",
            "",
            "```",
            *_wrapped([f"{round(10 * b):d}" for b in busy], 30),
            "```",
            "",
            "Stages as that run logged them: "
            + (", ".join(f"{name} {took}" for name, took in stages) or "none logged")
            + ".",
            "",
            "",
        ]
    )


def _wrapped(words: list[str], per_line: int) -> list[str]:
    return [" ".join(words[i : i + per_line]) for i in range(0, len(words), per_line)]


def _stats(path: Path) -> pstats.Stats:
    return pstats.Stats(str(path))


def _find(stats: pstats.Stats, file_part: str, name: str) -> tuple[int, float, float]:
    """(calls, own seconds, cumulative seconds) of the heaviest function so named and placed.

    The heaviest, not the sum: asyncio.run and Runner.run share a name and a file, and
    summing a caller with its callee would count the same time twice.
    """
    found = (0, 0.0, 0.0)
    for (filename, _line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == name and filename.endswith(file_part) and ct > found[2]:
            found = (nc, tt, ct)
    return found


def profile_tables(bench: Bench) -> str:
    cold = _stats(Path(bench.facts["profile cold"]))
    warm = _stats(Path(bench.facts["profile warm"]))
    wall = cold.total_tt  # type: ignore[attr-defined]
    lines = [
        f"Profiled cold run: {wall:.1f} s under cProfile, in one process (AGGREGATOR_WORKERS=0, "
        "so the work that timed runs spread over worker processes is seen here, one stage "
        "after another; profiling also slows Python-heavy code about twofold: the shares are "
        "what matter). Shares are of that total; the waiting for the network is the rest.",
        "",
        "| stage | calls | cumulative s | share |",
        "|---|---:|---:|---:|",
    ]
    for file_part, name, label in STAGES:
        calls, _own, total = _find(cold, file_part, name)
        if calls:
            lines.append(f"| {label} | {calls} | {total:.2f} | {100 * total / wall:.0f} % |")
    lines += ["", "Top 15 functions by own time (cold run):", "", "```"]
    lines += _top(cold, 15)
    lines += ["```", ""]
    reparsed = sum(_find(warm, f, n)[0] for f, n, _ in STAGES if n.startswith("parse_"))
    bench.checks["warm run parses nothing"] = (
        f"{'PASS' if reparsed == 0 else 'FAIL'}: parse_feed/parse_list called {reparsed} times "
        "in the profiled warm run"
    )
    return "\n".join(lines)


def _top(stats: pstats.Stats, count: int) -> list[str]:
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:count]  # type: ignore[attr-defined]
    lines = [f"{'own s':>8} {'cum s':>8} {'calls':>9}  function"]
    for (filename, line, func), (_cc, nc, tt, ct, _callers) in rows:
        where = _short(filename)
        lines.append(f"{tt:8.2f} {ct:8.2f} {nc:9d}  {func} ({where}:{line})")
    return lines


def _short(filename: str) -> str:
    for marker in ("site-packages/", "/aggregator/", "lib/python3"):
        if marker in filename:
            return (
                filename.split(marker, 1)[1]
                if marker != "/aggregator/"
                else ("aggregator/" + filename.split(marker, 1)[1])
            )
    return filename


def bare_parses(corpus: Corpus, repeat: int) -> dict[str, float]:
    """Seconds to parse every corpus body with lxml alone, and feeds with feedparser alone."""
    import feedparser
    from lxml import etree
    from lxml import html as lxml_html

    feeds = [body for path, body in corpus.files.items() if path.endswith(".xml")]
    pages = [body for path, body in corpus.files.items() if path.endswith(".html")]

    def lxml_all() -> None:
        for body in feeds:
            etree.fromstring(body)
        for body in pages:
            lxml_html.fromstring(body)

    def feedparser_all() -> None:
        for body in feeds:
            feedparser.parse(body)

    return {
        "lxml": _median_time(lxml_all, repeat),
        "feedparser": _median_time(feedparser_all, max(1, min(repeat, 2))),
    }


def _median_time(func: Callable[[], None], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- the report ------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import feedparser
    import httpx
    import lxml

    import aggregator

    cpu = "unknown"
    ram = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    newsboat = "not installed"
    if Path(NEWSBOAT).exists():
        newsboat = subprocess.run(
            [NEWSBOAT, "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()[0]
    commit = subprocess.run(
        ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}, "
        f"{ram} RAM",
        "system": platform.platform(),
        "versions": f"aggregator {aggregator.__version__} (commit {commit or '?'}), Python "
        f"{platform.python_version()}, {newsboat}, feedparser {feedparser.__version__}, lxml "
        f"{lxml.__version__}, httpx {httpx.__version__}, SQLite {sqlite3.sqlite_version}",
        "peak memory": f"{TIME} -v" if Path(TIME).exists() else "not measured (no /usr/bin/time)",
    }


def report(bench: Bench, parses: dict[str, float], profile: str) -> str:
    a = bench.args
    runs = bench.runs
    requests = len(bench.corpus.sources)
    floor = a.latency * requests / a.concurrency
    lines = [
        "# Benchmark results",
        "",
        "Written by `benchmarks/run.py`; rerun it to refresh. Command: "
        f"`.venv/bin/python benchmarks/run.py --feeds {a.feeds} --items {a.items} --html "
        f"{a.html} --latency {a.latency} --concurrency {a.concurrency} --repeat {a.repeat}`.",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in machine().items()],
        "",
        "## Setup",
        "",
        f"- Corpus (seed {a.seed}): {a.feeds} feeds of {a.items} items (RSS 2.0, Atom, RSS 1.0) "
        f"and {a.html} HTML list pages of {a.html_items} entries; {bench.corpus.stories} "
        f"stories, {bench.corpus.advisories} of them advisories about Viamedis, Almerys, "
        f"iSanté or Assurance Maladie; {bench.corpus.syndicated} feed items repeat an agency "
        f"story carried by other feeds; "
        f"{sum(map(len, bench.corpus.files.values())) / 1e6:.1f} MB uncompressed.",
        f"- Served on {a.hosts} loopback addresses (127.0.0.2 and up; one per source unless "
        "--hosts says otherwise) by benchmarks/server.py: "
        f"{a.latency * 1000:.0f} ms before each answer, strong ETag, Last-Modified, 304, gzip.",
        f"- aggregator: `fetch: {{concurrency: {a.concurrency}, per_host_delay: 0}}`. The "
        "politeness delay (0.5 s by default) is off because every host is local; on real "
        "sites it stays on, and with one request at a time per host it is the host count, "
        "not the CPU, that bounds a run.",
        f"- newsboat: `reload-threads {a.concurrency}`, the same feeds (not the HTML pages: "
        "newsboat cannot read them).",
        f"- Each figure is the median of {a.repeat} repetitions; the tools alternate order "
        "between repetitions; a cold run starts from an empty database/cache and output.",
        "",
        "## Results",
        "",
        "| measurement | median s | all runs (s) | peak RSS MB |",
        "|---|---:|---|---:|",
    ]
    for name, r in runs.items():
        lines.append(f"| {name} | {r.median:.2f} | {r.spread} | {r.peak_mb:.0f} |")
    lines += ["", "Ratios aggregator / newsboat (below 1: the aggregator is faster):", ""]
    ratios = ratio_lines(runs)
    lines += ratios or ["- newsboat not run"]
    lines += [
        "",
        "## Physical limits",
        "",
        f"- Latency floor of a cold run: {a.latency * 1000:.0f} ms x {requests} requests / "
        f"{a.concurrency} in flight = {floor:.2f} s (plus one robots.txt per host for the "
        "aggregator; newsboat fetches none).",
        f"- Bare lxml parse of the same bytes ({a.feeds} feeds + {a.html} pages): "
        f"{parses['lxml']:.2f} s. feedparser alone on the feeds: {parses['feedparser']:.2f} s.",
        "",
        "## Targets",
        "",
        *target_lines(bench),
        "",
        "## Checks",
        "",
        *[f"- {k}: {v}" for k, v in bench.checks.items()],
        "",
        "## Details",
        "",
        *[f"- {k}: {v}" for k, v in bench.facts.items() if not k.startswith("profile ")],
        "",
        "## Where the time goes",
        "",
        profile or "(profile skipped)",
        "",
        NOTES_MARK,
    ]
    return "\n".join(lines) + "\n"


def ratio_lines(runs: dict[str, Runs]) -> list[str]:
    lines = []
    for phase in ("cold", "warm"):
        ours, theirs = runs.get(f"aggregator {phase}"), runs.get(f"newsboat {phase}")
        if ours and theirs and theirs.median:
            lines.append(
                f"- {phase}: {ours.median:.2f} s / {theirs.median:.2f} s = "
                f"**{ours.median / theirs.median:.2f}**"
            )
    return lines


def target_lines(bench: Bench) -> list[str]:
    runs = bench.runs

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    lines = []
    ours, theirs = runs.get("aggregator cold"), runs.get("newsboat cold")
    if ours and theirs:
        lines.append(
            f"- Cold run no slower than newsboat's cold reload: "
            f"{ours.median:.2f} s vs {theirs.median:.2f} s, "
            f"{verdict(ours.median <= theirs.median)}"
        )
    ours, theirs = runs.get("aggregator warm"), runs.get("newsboat warm")
    if ours and theirs:
        checked = all(v.startswith("PASS") for v in bench.checks.values())
        lines.append(
            f"- Warm run no slower than newsboat's warm reload, conditional, nothing "
            f"parsed or rewritten: {ours.median:.2f} s vs {theirs.median:.2f} s, "
            f"checks {'passed' if checked else 'FAILED'}: "
            f"{verdict(ours.median <= theirs.median and checked)}"
        )
    publish = runs.get(publish_label(bench.args, "cold"))
    if publish:
        lines.append(
            f"- Publish of {bench.args.publish_items} items under 30 s: "
            f"{publish.median:.2f} s, {verdict(publish.median < 30)}"
        )
    cold = runs.get("aggregator cold")
    if cold:
        lines.append(
            f"- Peak memory of a cold run under 300 MB: {cold.peak_mb:.0f} MB, "
            f"{verdict(cold.peak_mb < 300)}"
        )
    return lines


def write_results(path: Path, text: str) -> None:
    """Replace the measured part and keep the hand-written notes after the marker."""
    notes = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if NOTES_MARK in old:
            notes = old.split(NOTES_MARK, 1)[1].lstrip("\n")
    path.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")


# --- main ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not loopback_ok(args.hosts):
        print("cannot bind 127.0.0.2 and up on this machine; try --hosts 1", file=sys.stderr)
        return 2
    if not Path(TIME).exists():
        print(
            f"{TIME} missing (apt-get install time): peak memory will not be measured",
            file=sys.stderr,
        )
    work = args.workdir or Path(tempfile.mkdtemp(prefix="aggregator-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    compile_modules()
    corpus = build_corpus(args.feeds, args.items, args.html, args.html_items, args.hosts, args.seed)
    print(
        f"corpus: {len(corpus.files)} files, {corpus.stories} stories; work in {work}", flush=True
    )
    try:
        with LoopbackFarm(corpus.files, args.hosts, args.latency) as farm:
            bench = Bench(args, work, corpus, farm)
            bench.write_inputs()
            run_fetch_benchmark(bench)
            profile = ""
            if not args.skip_profile:
                profile_runs(bench)
                profile = timeline(bench) + profile_tables(bench)
        if not args.skip_publish:
            run_publish_benchmark(bench)
        parses = bare_parses(corpus, args.repeat)
        text = report(bench, parses, profile)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
        # A failed command ends the benchmark: half a set of figures would mislead.
        print(f"benchmark stopped: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    print(f"benchmark took {time.perf_counter() - started:.0f} s", file=sys.stderr)
    if not args.no_results:
        write_results(args.results, text)
        print(f"written to {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
