"""A lock beside the database so that two overlapping runs never interleave.

The lock is an ``flock`` on ``<db>.lock``: the kernel releases it when the process dies,
even by ``kill -9``, so a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aggregator.errors import LockError


@contextmanager
def run_lock(db_path: str | Path, wait: float = 0.0) -> Iterator[None]:
    """Hold the database's lock, waiting up to ``wait`` seconds for another run to finish."""
    lock_path = Path(f"{db_path}.lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held for the whole block
    except OSError as exc:
        raise LockError(f"cannot create the lock file {lock_path}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(handle)
                    raise LockError(
                        f"another run{holder} is using {db_path}; waited {wait:g} s. "
                        "Try again later, or raise --wait."
                    ) from None
                time.sleep(0.2)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _holder(handle: object) -> str:
    try:
        pid = Path(getattr(handle, "name", "")).read_text().strip()
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
