"""The worker pool that parses and classifies on every core: results, errors, crashes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aggregator.understand import stage
from aggregator import workers as workers_module
from aggregator.errors import ExtractError
from aggregator.models import Entry
from aggregator.understand.classify import Classifier
from aggregator.understand.taxonomy import load_taxonomy
from aggregator.workers import Workers


def _pid(_: object = None) -> int:
    return os.getpid()


def _refuse(message: str) -> None:
    raise ExtractError(message)


def _die(_: object = None) -> None:
    os._exit(3)


def test_calls_run_in_another_process_and_errors_come_back_as_they_were() -> None:
    async def main() -> tuple[int, str]:
        with Workers(2) as workers:
            pid = await workers.call(_pid)
            with pytest.raises(ExtractError) as caught:
                await workers.call(_refuse, "selector `article` matched nothing")
            return pid, str(caught.value)

    pid, message = asyncio.run(main())
    assert pid != os.getpid()
    assert message == "selector `article` matched nothing"


class _Unpicklable:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = __import__("threading").Lock()  # pickle refuses it: only a fork passes it


def _shared_pid(_: object = None) -> tuple[int, int]:
    value = workers_module.shared()
    return value.pid, os.getpid()


def test_a_shared_object_reaches_forked_workers_unpickled_and_is_let_go() -> None:
    value = _Unpicklable()
    with Workers(2) as workers:
        workers.share(value)
        future = workers.submit(_shared_pid)
        assert future is not None
        owner, worker = future.result()
        assert owner == os.getpid() and worker != os.getpid()
        with pytest.raises(RuntimeError):
            workers.share(object())  # too late: the workers are forked
    with pytest.raises(RuntimeError):
        workers_module.shared()  # only workers are given it, never this process


def test_without_workers_calls_run_inline() -> None:
    async def main() -> int:
        with Workers(0) as workers:
            assert workers.submit(_pid) is None
            return await workers.call(_pid)

    assert asyncio.run(main()) == os.getpid()


def test_a_dying_worker_fails_its_call_only_and_the_pool_recovers() -> None:
    async def main() -> tuple[str, list[int]]:
        with Workers(2) as workers:
            with pytest.raises(ExtractError) as caught:
                await workers.call(_die)
            after = await asyncio.gather(*(workers.call(_pid) for _ in range(4)))
            return str(caught.value), list(after)

    message, pids = asyncio.run(main())
    assert "parser process died" in message
    assert all(pid != os.getpid() for pid in pids)


def _entries(count: int) -> list[Entry]:
    texts = [
        ("Viamedis : cyberattaque, le tiers payant suspendu", "Appelez le 0 800 12 34 56."),
        ("Almerys rétablit ses services", "Le service est rétabli depuis ce matin."),
        ("Vaccination antigrippale : la campagne démarre", "Rien à voir avec un incident."),
    ]
    return [
        Entry(
            id=f"e{n}",
            source="press",
            guid=f"https://ex.fr/{n}",
            url=f"https://ex.fr/{n}",
            canonical_url=f"https://ex.fr/{n}",
            title=texts[n % 3][0],
            summary=texts[n % 3][1],
            content="",
            published=None,
            updated=None,
            first_seen=None,
        )
        for n in range(count)
    ]


def test_analysis_ahead_in_workers_equals_analysis_inline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stage, "ANALYSIS_BATCH", 4)
    classifier = Classifier(load_taxonomy())
    entries = _entries(30)
    with Workers(2) as workers:
        analyses = stage.Analyses(classifier, workers, entries)
        # Every entry is planned for a worker, but only LOOKAHEAD batches start at once.
        assert len(analyses._places) == 30
        assert len(analyses._futures) == stage.Analyses.LOOKAHEAD
        # Each worker's first batch is smaller, so that matching starts sooner.
        assert [len(chunk) for chunk in analyses._chunks[:3]] == [1, 1, 4]
        ahead = [analyses.of(e) for e in entries]
        assert all(f is None for n, f in analyses._futures.items() if n < 7)  # let go
    inline = [stage.analyse(classifier, e.title, e.summary) for e in entries]
    assert ahead == inline
    assert ahead[0].classification.payers == ("viamedis",)
    assert ahead[0].fingerprint.short  # a one-line body is compared whole, not by shingles


def test_analysis_without_workers_reads_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no workers, each batch of entries is analysed when its first entry is asked
    for (its parses together), and only that batch is kept."""
    monkeypatch.setattr(stage, "ANALYSIS_BATCH", 4)
    classifier = Classifier(load_taxonomy())
    entries = _entries(10)
    batches: list[int] = []
    real = stage.analyse_all

    def counting(classifier, batch):  # type: ignore[no-untyped-def]
        batches.append(len(batch))
        return real(classifier, batch)

    monkeypatch.setattr(stage, "analyse_all", counting)
    with Workers(0) as workers:
        analyses = stage.Analyses(classifier, workers, entries)
        inline = [analyses.of(e) for e in entries]
        assert len(analyses._inline) == 1  # the last batch alone
    assert batches == [4, 4, 2]
    assert inline == [stage.analyse(classifier, e.title, e.summary) for e in entries]


SCRIPT = """
import asyncio, sys, time
from aggregator.workers import Workers, start_fork_server

FROM_SERVER = sys.argv[1] == "server"

def nap(_):
    time.sleep(60)

async def main():
    if FROM_SERVER:
        assert start_fork_server([])
    with Workers(2, from_fork_server=FROM_SERVER) as workers:
        tasks = [asyncio.ensure_future(workers.call(nap, n)) for n in range(2)]
        await asyncio.sleep(1)
        pids = [p.pid for p in workers._pool._processes.values()]
        print(" ".join(map(str, pids)), flush=True)
        await asyncio.gather(*tasks)

if __name__ == "__main__":  # workers from the fork server import this module
    asyncio.run(main())
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, ProcessLookupError):  # gone between open and read
        return False
    return state != "Z"


@pytest.mark.parametrize("start", ["fork", "server"])
def test_workers_die_with_a_killed_parent(tmp_path: Path, start: str) -> None:
    # A worker outliving a kill -9 of its run would keep the database lock's descriptor;
    # one started by the fork server (not the run's child) must die with the run too.
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script), start], stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = [pid for pid in pids if _alive(pid)]
    for pid in survivors:  # leave no process behind, even when the test fails
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not survivors


def test_the_worker_count_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from aggregator.workers import default_workers

    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    assert Workers().size == 0
    monkeypatch.setenv("AGGREGATOR_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("AGGREGATOR_WORKERS", "1")  # one worker process, as said
    assert default_workers() == 1
    monkeypatch.setenv("AGGREGATOR_WORKERS", "many")  # not a number: one per core
    cores = len(os.sched_getaffinity(0))
    assert default_workers() == (0 if cores < 2 else min(cores, 8))


def test_start_forks_every_worker_at_once() -> None:
    # Forked before the run opens its sockets, so no worker holds one of them.
    with Workers(2) as workers:
        workers.start()
        assert workers._pool is not None
        processes = list(workers._pool._processes.values())  # type: ignore[attr-defined]
        assert len(processes) == 2 and all(p.is_alive() for p in processes)


PRELOADED = """
import sys
from aggregator.models import Entry
from aggregator.understand import language, stage
from aggregator.understand.classify import Classifier
from aggregator.workers import Workers, start_fork_server

def model_loaded():
    return language._nlp.cache_info().currsize

if __name__ == "__main__":
    stage.ANALYSIS_BATCH = 2
    assert start_fork_server(["aggregator.understand.preloaded"])
    texts = [
        ("Viamedis en panne", "Le portail de Viamedis est inaccessible depuis ce matin."),
        ("Almerys : retour à la normale", "L'accès au portail a été restauré dans la nuit."),
        ("Rien", "La réunion annuelle aura lieu en mars."),
    ] * 3
    entries = [
        Entry(id=f"e{n}", source="press", guid=f"g{n}", url=f"https://ex.fr/{n}",
              canonical_url=f"https://ex.fr/{n}",
              title=title, summary=body, content="", published=None, updated=None,
              first_seen=None)
        for n, (title, body) in enumerate(texts)
    ]
    classifier = Classifier()
    with Workers(1, from_fork_server=True) as workers:
        # A worker has the model before its first entry.
        assert workers.submit(model_loaded).result() == 1
    with Workers(2, from_fork_server=True) as workers:
        analyses = stage.Analyses(classifier, workers, entries)
        ahead = [analyses.of(e) for e in entries]
        assert language._nlp.cache_info().currsize == 0  # never loaded in this process
    inline = [stage.analyse(classifier, e.title, e.summary) for e in entries]
    assert ahead == inline, (ahead, inline)
    print("ok", ahead[1].classification.status)
"""


@pytest.mark.slow
def test_workers_from_the_fork_server_start_with_the_model(tmp_path: Path) -> None:
    """The language model loads once, in the fork server, while collecting goes on; the
    analysis workers it starts have it from their first entry and analyse as inline."""
    script = tmp_path / "preloaded.py"
    script.write_text(textwrap.dedent(PRELOADED), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "resolved"]


def test_the_model_starts_loading_once_entries_are_enough_for_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While collecting, the fork server starts (preloading the model) only once the new
    entries are enough to be shared out to analysis workers, and only where there are
    workers: a run of a few entries analyses them in its own process."""
    started: list[list[str]] = []
    monkeypatch.setattr(stage, "start_fork_server", started.append)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")
    stage.prepare(stage.ANALYSIS_BATCH - 1)
    assert started == []
    stage.prepare(stage.ANALYSIS_BATCH)
    assert started == [["aggregator.understand.preloaded"]]
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    stage.prepare(10 * stage.ANALYSIS_BATCH)
    assert len(started) == 1
