"""Delay from an item's publication to its alert, under a cron line every 5 minutes.

Usage (from the repository root, with the project's virtualenv):

    .venv/bin/python benchmarks/alert_delay.py                         # 30 sources, 2 days
    .venv/bin/python benchmarks/alert_delay.py --sources 6 --hours 6 --incidents 1   # a quick look

A simulated world: sources that publish ordinary news a few times a day (payers' own sites
less often), and incidents: a payer's site announces an outage, two to four press sites
follow within hours, and the payer announces the end a few hours later. The clock is
simulated: every 5 simulated minutes the script serves what was published by then (one
loopback host per source, as real sources each have their own, see server.py) and makes
one ``aggregator run`` at that time (``pipeline.run(due_only=True, now=...)``, as cron
would), with a ``notify:`` JSON webhook on 127.0.0.1 that notes at which simulated time each
alert arrived. It reports, over the items that must raise an alert (an incident's opening
and its end), the median and 90th percentile of the delay from publication to alert, and
the requests the sources received against fetching every source at every run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
CRON = timedelta(minutes=5)
# Runs go on this long after the last publication, so that the last items can be alerted.
DRAIN = timedelta(hours=1)
OPENED, RESOLVED = "Nouvel incident", "Incident résolu"  # the alerts' headlines
PAYERS = ["Viamedis", "Almerys", "iSanté", "Santéclair", "Kalixia", "Itelis", "Actil", "Cetip"]
NEWS = [
    ("Avenant conventionnel : ce qui change pour les honoraires", "Les syndicats ont signé."),
    ("Formation continue : les nouvelles sessions", "Les inscriptions sont ouvertes."),
    ("Vaccination à l'officine : bilan de la campagne", "Le nombre d'actes progresse."),
    ("Préparations magistrales : un guide actualisé", "Le guide est disponible en ligne."),
]


# --- the measure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One item of the simulated world; ``alert`` is the headline it must raise, if any."""

    source: int
    title: str
    text: str
    date: datetime
    payer: str | None = None
    alert: str | None = None


@dataclass(frozen=True)
class Received:
    """One alert as the webhook got it, at a simulated time."""

    at: datetime
    title: str


def alert_delays(
    items: Sequence[Published], alerts: Sequence[Received]
) -> tuple[list[float], list[Published]]:
    """Seconds from each alerting item's publication to the first alert with its headline
    and payer received at or after it; and the items no alert answered."""
    delays, missed = [], []
    for item in items:
        if item.alert is None or item.payer is None:
            continue
        answers = [
            a.at
            for a in alerts
            if a.at >= item.date and a.title.startswith(item.alert) and item.payer in a.title
        ]
        if answers:
            delays.append((min(answers) - item.date).total_seconds())
        else:
            missed.append(item)
    return delays, missed


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


# --- the simulated world -------------------------------------------------------------------


@dataclass
class World:
    start: datetime
    end: datetime
    items: list[Published] = field(default_factory=list)
    payer_sources: int = 0

    def feed(self, source: int, now: datetime, keep: int = 30) -> bytes:
        """The source's RSS feed as it stands at ``now``: its newest ``keep`` items."""
        shown = sorted(
            (i for i in self.items if i.source == source and i.date <= now),
            key=lambda i: i.date,
            reverse=True,
        )[:keep]
        base = f"https://source{source}.example/"
        entries = "".join(
            f"<item><title>{escape(i.title)}</title><link>{base}{_slug(i)}</link>"
            f"<guid>{base}{_slug(i)}</guid><description>{escape(i.text)}</description>"
            f"<pubDate>{format_datetime(i.date)}</pubDate></item>"
            for i in shown
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Source {source}</title><link>{base}</link><description>s</description>"
            f"{entries}</channel></rss>"
        ).encode()


def _slug(item: Published) -> str:
    return f"{int(item.date.timestamp())}-{zlib.crc32(item.title.encode()):08x}"


def build_world(
    rng: random.Random, sources: int, start: datetime, length: timedelta, incidents: int
) -> World:
    """Ordinary news for every source (from ten days before the start, so each has a
    rhythm), and ``incidents`` outages, each on a payer of its own with its own site."""
    world = World(start, start + length, payer_sources=min(incidents, len(PAYERS), sources - 1))
    for source in range(sources):
        per_day = 0.5 if source < world.payer_sources else rng.uniform(1, 6)
        moment = start - timedelta(days=10)
        while True:
            moment += timedelta(days=rng.expovariate(per_day))
            if moment >= world.end:
                break
            title, text = rng.choice(NEWS)
            world.items.append(Published(source, f"{title} ({moment:%d/%m %H:%M})", text, moment))
    for number in range(world.payer_sources):
        _incident(world, rng, number, sources)
    return world


def _incident(world: World, rng: random.Random, number: int, sources: int) -> None:
    """A payer's outage: its opening on its own site, follow-ups in the press, its end."""
    payer = PAYERS[number]
    latest = max(world.start + timedelta(hours=1), world.end - timedelta(hours=9))
    opened = world.start + (latest - world.start) * rng.random() + timedelta(minutes=30)
    world.items.append(
        Published(
            number,
            f"{payer} : panne du portail, le tiers payant est suspendu",
            f"Le portail de {payer} est indisponible. "
            "Les pharmaciens doivent suspendre le tiers payant complémentaire.",
            opened,
            payer,
            OPENED,
        )
    )
    press = list(range(world.payer_sources, sources))
    for source in rng.sample(press, min(len(press), rng.randint(2, 4))):
        when = opened + timedelta(minutes=rng.uniform(15, 240))
        world.items.append(
            Published(
                source,
                f"{payer} : la panne se poursuit ({when:%H:%M})",
                f"Le portail de {payer} reste indisponible. "
                "Les pharmaciens doivent suspendre le tiers payant.",
                when,
                payer,
            )
        )
    ended = opened + timedelta(hours=rng.uniform(3, 8))
    world.items.append(
        Published(
            number,
            f"{payer} : le service est rétabli, reprise du tiers payant",
            f"Le portail de {payer} fonctionne de nouveau. "
            "Les pharmaciens peuvent reprendre le tiers payant complémentaire.",
            ended,
            payer,
            RESOLVED,
        )
    )


# --- the webhook ---------------------------------------------------------------------------


class Webhook:
    """A JSON webhook on 127.0.0.1 that notes each alert with the simulated time it came; it
    answers while in server.serving(hook.server)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)  # set by the simulation before each run
        self.received: list[Received] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
                hook.received.append(Received(hook.now, str(body.get("title", ""))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Silent."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"


# --- the simulation ------------------------------------------------------------------------


@dataclass
class Outcome:
    delays: list[float]
    missed: list[Published]
    requests: int
    robots: int
    runs: int
    sources: int


def simulate(args: argparse.Namespace, work: Path) -> Outcome:
    import yaml
    from server import LoopbackFarm, loopback_ok, make_resources, serving

    from aggregator.config import load_config_text
    from aggregator.pipeline import run
    from aggregator.store import Store

    # Start at the real time so that alerts pass the "news older than two days" rule.
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    start -= timedelta(minutes=start.minute % 5)
    world = build_world(
        random.Random(args.seed), args.sources, start, timedelta(hours=args.hours), args.incidents
    )
    paths = [f"/source{n}/feed.xml" for n in range(args.sources)]
    hosts = args.sources if loopback_ok(args.sources) else 1
    hook = Webhook()
    with LoopbackFarm({}, hosts=hosts, latency=0.0) as farm, serving(hook.server):
        config = {
            "site": {"title": "Banc d'essai", "base_url": "https://example.org/veille/"},
            "fetch": {"per_host_delay": 0, "retries": 0, "timeout": 10},
            "notify": [{"url": hook.url}],
            "sources": [
                {
                    "id": f"s{n}",
                    "name": f"Source {n}",
                    "type": "feed",
                    "url": farm.url(n, path),
                    # The first sources are payers' own sites, configured as such.
                    "category": "payer" if n < world.payer_sources else "press",
                }
                for n, path in enumerate(paths)
            ],
        }
        cfg = load_config_text(yaml.safe_dump(config, allow_unicode=True))
        runs = 0
        with Store(work / "alerts.db") as store:
            now = start
            while now <= world.end + DRAIN:
                files = {path: world.feed(n, now) for n, path in enumerate(paths)}
                farm.resources = make_resources(files, int(now.timestamp()))
                hook.now = now
                run(cfg, store, None, due_only=True, now=now)
                runs += 1
                if args.verbose:
                    print(f"{now:%d/%m %H:%M}: {len(hook.received)} alerts", file=sys.stderr)
                now += CRON
        tally = farm.take_tally()
    published = [item for item in world.items if item.date <= world.end]
    delays, missed = alert_delays(published, hook.received)
    return Outcome(delays, missed, tally.requests, tally.robots, runs, args.sources)


def report(outcome: Outcome, args: argparse.Namespace) -> str:
    every_run = outcome.runs * outcome.sources
    lines = [
        f"## Publication to alert ({args.sources} sources, {args.hours} h simulated, "
        f"{args.incidents} incidents, cron every 5 min, seed {args.seed})",
        "",
        f"- alerting items: {len(outcome.delays) + len(outcome.missed)}, "
        f"answered by an alert: {len(outcome.delays)}",
    ]
    if outcome.delays:
        minutes = [d / 60 for d in outcome.delays]
        lines += [
            f"- delay from publication to alert: median {statistics.median(minutes):.1f} min, "
            f"90th percentile {percentile(minutes, 0.9):.1f} min, max {max(minutes):.1f} min",
        ]
    lines += [
        f"- requests to the sources: {outcome.requests} over {outcome.runs} runs "
        f"({outcome.robots} robots.txt), against {every_run} feed requests if every run "
        "fetched every source",
    ]
    lines += [f"- no alert for: {m.title} ({m.date:%d/%m %H:%M})" for m in outcome.missed]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Publication-to-alert delay under a cron line every 5 minutes.",
        epilog="Example: .venv/bin/python benchmarks/alert_delay.py --sources 6 --hours 6",
    )
    add = parser.add_argument
    add("--sources", type=int, default=30, help="feed sources (default 30)")
    add("--hours", type=int, default=48, help="simulated hours (default 48)")
    add("--incidents", type=int, default=4, help="payer outages (default 4, at most 8)")
    add("--seed", type=int, default=2026, help="seed of the simulated world")
    add("--results", type=Path, help="also append the report to this file")
    add("--verbose", action="store_true", help="one line per simulated run")
    add("--workdir", type=Path, help="keep the database here")
    args = parser.parse_args(argv)
    if args.sources < 2 or args.hours < 1:
        parser.error("--sources must be at least 2 and --hours at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # One process: the runs are short and many, and forking workers for each would dominate.
    os.environ.setdefault("AGGREGATOR_WORKERS", "0")
    sys.path.insert(0, str(HERE))
    with tempfile.TemporaryDirectory(prefix="alert-delay-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        text = report(simulate(args, work), args)
    print(text)
    if args.results:
        with args.results.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
