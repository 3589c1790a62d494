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
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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


_PR_SET_PDEATHSIG = 1
# In a worker process only: what its pool was given (see Workers.share), set when the
# worker starts. The parent process never sets it.
_given: object = None


def shared() -> Any:
    """In a worker: the object its pool was given with :meth:`Workers.share`."""
    if _given is None:
        raise RuntimeError("a worker task that needs a shared object, started without one")
    return _given


def _worker_start(parent: int, given: object) -> None:
    global _given
    # Forked: ``given`` is the parent's object as it is, never pickled.
    _given = given
    # Ctrl-C reaches the whole process group; the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker holds copies of the parent's descriptors, the database lock among them:
    # if the parent is killed (kill -9 from cron's timeout), its workers must go too, or
    # the next run would wait on a lock nobody uses.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


class Workers:
    """A lazily started process pool; use as a context manager."""

    def __init__(self, workers: int | None = None) -> None:
        self.size = default_workers() if workers is None else workers
        if "fork" not in multiprocessing.get_all_start_methods():
            self.size = 0
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
            self._pool = ProcessPoolExecutor(
                max_workers=self.size,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(os.getpid(), self._shared),
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
