"""CPU-bound work (parsing feeds and pages) on every core, off the event loop.

feedparser, BeautifulSoup and nh3 hold the interpreter while they work: run inline, one
large feed stalls every download in flight, and a run uses one core of several. A
``Workers`` pool runs such pure functions in worker processes and hands their results
back to the event loop.

Workers are forked, so they start in milliseconds with the parent's modules already
imported; they ignore Ctrl-C (the parent handles it and shuts them down) and die with the parent
(on Linux), so a killed run leaves no worker holding the database lock. A worker that
dies (a parser crashing on a hostile document, the kernel's OOM killer) breaks the pool:
the call is retried once in a fresh pool, so the other sources in flight are not lost,
and a call that breaks that pool too fails with an ExtractError for its source alone.
On a single core, or where fork is unavailable, calls simply run inline.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import forkserver
from typing import Any, TypeVar

from aggregator.errors import ExtractError

T = TypeVar("T")
log = logging.getLogger("aggregator")

MAX_WORKERS = 8


def default_workers() -> int:
    """One worker per core the process may use, at most MAX_WORKERS; 0 means inline.

    The environment variable AGGREGATOR_WORKERS sets the number instead: 0 runs everything
    in the calling process (as a profiler or a one-core container may want), N forks N
    workers (at most MAX_WORKERS).
    """
    wanted = os.environ.get("AGGREGATOR_WORKERS", "").strip()
    if wanted.isdigit():
        return min(int(wanted), MAX_WORKERS)
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, MAX_WORKERS)


# Whether this process started the fork server (see start_fork_server): the server and
# what it preloaded last as long as the process.
_fork_server_started = False
_PR_SET_PDEATHSIG = 1
# In a worker process only: what its pool was given (see Workers.share), set when the
# worker starts. The parent process never sets it.
_given: object = None


def shared() -> Any:
    """In a worker: the object its pool was given with :meth:`Workers.share`."""
    if _given is None:
        raise RuntimeError("a worker task that needs a shared object, started without one")
    return _given


def start_fork_server(modules: Sequence[str]) -> bool:
    """Start multiprocessing's fork server now, importing ``modules`` into it, for a later
    ``Workers(from_fork_server=True)``: a slow import (a language model) is then paid once,
    in a process of its own while the caller does other work, not once per worker when
    they start. False where there is no fork server (the pool then forks as usual).

    Safe at any time: the server is spawned (a fresh interpreter that inherits no socket
    or lock), and it exits with this process."""
    global _fork_server_started
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    if not _fork_server_started:
        multiprocessing.get_context("forkserver").set_forkserver_preload(list(modules))
        forkserver.ensure_running()
        _fork_server_started = True
    return True


def stop_fork_server() -> None:
    """Stop the fork server :func:`start_fork_server` started, once its workers are done,
    and wait for it: what it holds (a language model) is freed before the next stage, and
    it is counted among this process's children (peak memory included). multiprocessing
    offers no public call for it; ``_stop`` is the one its own tests use."""
    global _fork_server_started
    if _fork_server_started:
        forkserver._forkserver._stop()  # type: ignore[attr-defined]
        _fork_server_started = False


def _worker_start(run: int, given: object, forked: bool) -> None:
    global _given
    # Forked from the run (``forked``): ``given`` is the run's object as it is, never
    # pickled; from the fork server, a pickled copy.
    _given = given
    # Ctrl-C reaches the whole process group; the run decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker must not outlive its run (kill -9 from cron's timeout): a forked one holds
    # copies of the run's descriptors, the database lock among them, and the next run
    # would wait on a lock nobody uses; any would go on working for nobody.
    if forked:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
        if os.getppid() != run:  # the run died before the line above took effect
            os._exit(1)
    else:
        # The fork server is the worker's parent, not the run: watch the run itself.
        threading.Thread(target=_exit_with, args=(run,), daemon=True).start()


def _exit_with(run: int) -> None:
    """Wait for process ``run`` to end, then end this process."""
    try:
        handle = os.pidfd_open(run)
    except ProcessLookupError:
        os._exit(1)
    except (OSError, AttributeError):  # no pidfd (an old kernel): look every second
        while _alive(run):
            time.sleep(1)
        os._exit(1)
    select.select([handle], [], [])  # readable once the process has ended
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Workers:
    """A lazily started process pool; use as a context manager."""

    def __init__(self, workers: int | None = None, from_fork_server: bool = False) -> None:
        """``from_fork_server``: start the workers from the fork server when
        :func:`start_fork_server` started it (with what it preloads), else by forking."""
        self.size = default_workers() if workers is None else workers
        if "fork" not in multiprocessing.get_all_start_methods():
            self.size = 0
        self._fork_server = from_fork_server and _fork_server_started
        self._pool: ProcessPoolExecutor | None = None
        self._generation = 0
        self._shared: object = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Fork the workers now, before the caller opens sockets they would inherit (a
        socket a worker holds is not closed when the parent closes it)."""
        if self.size:
            self._executor().submit(os.getpid).result()

    def share(self, value: object) -> None:
        """Give the workers ``value`` (a compiled classifier, a publish build) to read with
        :func:`shared`: forked workers inherit it as it is, unpickled. Call it before the
        first task, as workers already forked would not see it."""
        if self._pool is not None:
            raise RuntimeError("share() must come before the workers start")
        self._shared = value

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._shared = None

    def _executor(self) -> ProcessPoolExecutor:
        # Workers fork on the pool's first task, and again for a pool replaced after a
        # crash: each is given the shared object as it starts.
        if self._pool is None:
            method = "forkserver" if self._fork_server else "fork"
            self._pool = ProcessPoolExecutor(
                max_workers=self.size,
                mp_context=multiprocessing.get_context(method),
                initializer=_worker_start,
                initargs=(os.getpid(), self._shared, not self._fork_server),
            )
            self._generation += 1
        return self._pool

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker (or inline when there is no pool)."""
        if self.size == 0:
            return function(*args)
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            pool = self._executor()
            generation = self._generation
            try:
                return await loop.run_in_executor(pool, function, *args)
            except BrokenProcessPool:
                if generation == self._generation:  # the first caller to notice replaces it
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = None
                log.warning("a parser process died (attempt %d)", attempt)
        raise ExtractError("the parser process died while reading this document")

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T] | None:
        """Start ``function(*args)`` in a worker; None when there is no pool (run it inline)."""
        if self.size == 0:
            return None
        try:
            return self._executor().submit(function, *args)
        except BrokenProcessPool:
            self.close()
            return None
