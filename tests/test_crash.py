"""Crash safety: a run killed with SIGKILL during classification or during publishing, then a
normal run, ends exactly where an uninterrupted run ends.

No production hook picks the moment: a large feed makes classification long enough to be
caught (the feed is stored, no entry is processed yet), and a database of many items spread
over years makes publishing write hundreds of files (some are there, not all). Each test
checks that the kill did land in the stage it names, so a pass is never luck.
(SIGKILL during fetching is tested in test_pipeline.py.)
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.demo import DemoServer

# End-to-end: each test runs the whole pipeline (a real server, the CLI, or a subprocess).
pytestmark = pytest.mark.slow

ITEMS = 2500
_VOCABULARY = (
    "pharmacie officine tiers payant remboursement délai facture télétransmission carte vitale "
    "mutuelle complémentaire organisme assuré patient ordonnance dispensation honoraires "
    "grossiste livraison rupture stock médicament vaccin campagne grippe dépistage entretien "
    "syndicat négociation convention avenant tarif marge génériques biosimilaires substitution "
    "logiciel éditeur mise à jour sécurité sauvegarde réseau serveur messagerie courriel "
    "région département commune rural urbain garde astreinte nuit dimanche férié titulaire "
    "adjoint préparateur étudiant formation diplôme stage inspection contrôle qualité audit"
)
WORDS = _VOCABULARY.split(" ")
# A few items name a payer and an incident, so incidents are grouped too.
INCIDENTS = [
    "Viamedis signale une panne de son service de droits en ligne",
    "Almerys annonce des retards de paiement aux pharmacies",
    "Cyberattaque chez Kalixia : le tiers payant est suspendu",
]


def story(number: int) -> tuple[str, str]:
    """A title and a body of distinct words, so no two stories look like duplicates."""
    pick = random.Random(number)
    title = f"Note {number} : " + " ".join(pick.sample(WORDS, 5))
    body = " ".join(pick.sample(WORDS, 40))
    if number % 100 == 0:
        title, body = f"{INCIDENTS[number // 100 % 3]} ({number})", INCIDENTS[number // 100 % 3]
    return title, body


def big_feed() -> str:
    """ITEMS items, one a day going back years: hundreds of weekly digest pages."""
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    items = []
    for number in range(ITEMS):
        title, body = story(number)
        date = (start - timedelta(days=number)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        link = f"https://gros-site.example/notes/{number}"
        items.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{date}</pubDate><description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Gros site</title>{''.join(items)}</channel></rss>"
    )


CONFIG = """
site: {{title: Test, base_url: "https://example.org/veille/", max_items: 50}}
fetch: {{per_host_delay: 0, timeout: 10, retries: 0, max_items_per_document: 5000}}
sources:
  - {{id: gros, name: Gros site, type: feed, url: "{base}feed.xml", category: press}}
"""


@dataclass(frozen=True)
class Outcome:
    """What a finished run left behind, in a form two runs can be compared by."""

    items: set[str]
    entries: int
    incidents: set[str]
    files: set[str]
    feed_ids: list[str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    root = tmp_path_factory.mktemp("site")
    (root / "feed.xml").write_text(big_feed(), encoding="utf-8")
    with DemoServer(root) as server:
        yield server


def start(work: Path) -> subprocess.Popen[bytes]:
    command = [
        *(sys.executable, "-m", "aggregator", "run", "--config", str(work / "sources.yaml")),
        *("--db", str(work / "a.db"), "--output", str(work / "out")),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def run_to_end(work: Path) -> None:
    child = start(work)
    _, err = child.communicate(timeout=240)
    assert child.returncode == 0, err.decode()


def prepare(work: Path, site: DemoServer) -> Path:
    work.mkdir()
    (work / "sources.yaml").write_text(CONFIG.format(base=site.base_url), encoding="utf-8")
    return work


def query(db: Path, sql: str) -> int:
    """One number from the database, read-only, while another process may be writing."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return -1  # not created yet, or busy


def kill_when(
    child: subprocess.Popen[bytes], ready: Callable[[], bool], limit: float = 120
) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        assert child.poll() is None, "the run ended before the moment to kill it"
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)  # our own child, by its pid
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL


def outcome(work: Path) -> Outcome:
    db, out = work / "a.db", work / "out"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM pending_entries").fetchone()[0] == 0
        items = {row[0] for row in conn.execute("SELECT id FROM items")}
        entries = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        incidents = {row[0] for row in conn.execute("SELECT id FROM incidents")}
    files = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    for name in files:
        assert not name.endswith(".tmp"), f"a half-written file was left: {name}"
        path = out / name
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix in (".xml", ".atom", ".opml"):
            ElementTree.parse(path)
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    return Outcome(items, entries, incidents, files, [item["id"] for item in feed["items"]])


@pytest.fixture(scope="module")
def reference(site: DemoServer, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The uninterrupted run every killed run is compared with."""
    work = prepare(tmp_path_factory.mktemp("crash") / "reference", site)
    run_to_end(work)
    return outcome(work)


def test_the_uninterrupted_run_is_a_fair_reference(reference: Outcome) -> None:
    assert reference.entries == ITEMS
    assert len(reference.items) >= ITEMS - 20  # the incident stories may merge, not the rest
    assert reference.incidents
    assert len(reference.files) > 200  # a digest per week, among others
    assert len(reference.feed_ids) == 50


def test_sigkill_during_classification_then_a_run_loses_nothing(
    site: DemoServer, reference: Outcome, tmp_path: Path
) -> None:
    work = prepare(tmp_path / "killed", site)
    db = work / "a.db"
    child = start(work)
    # The feed is stored (its entries are there) and nothing is understood yet.
    kill_when(
        child,
        lambda: (
            query(db, "SELECT count(*) FROM entries") == ITEMS
            and query(db, "SELECT count(*) FROM items") == 0
        ),
    )
    assert query(db, "SELECT count(*) FROM pending_entries") == ITEMS
    assert query(db, "SELECT count(*) FROM items") == 0, "killed too late: classification was done"
    assert not (work / "out" / "feed.json").exists()
    run_to_end(work)
    assert outcome(work) == reference


def test_sigkill_during_publishing_then_a_run_loses_nothing(
    site: DemoServer, reference: Outcome, tmp_path: Path
) -> None:
    work = prepare(tmp_path / "killed", site)
    out = work / "out"

    def some_files_written() -> bool:
        return out.is_dir() and sum(1 for p in out.rglob("*") if p.is_file()) >= 20

    child = start(work)
    kill_when(child, some_files_written)
    written = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert len(written - reference.files) + len(reference.files - written) > 0, (
        "killed too late: publishing was complete"
    )
    run_to_end(work)
    assert outcome(work) == reference
