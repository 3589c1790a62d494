"""Writing output/ safely: atomic per file, and only when the bytes change.

A file is written beside its target, flushed to disk, then renamed over it, so a reader (or a
crash) only ever sees the old complete file or the new complete file. A file whose bytes are
already right is not touched at all, so an unchanged run changes no byte and no mtime.

Nothing is written or deleted outside the output folder: a folder under it that is a
symbolic link (a checkout may hold one) is refused rather than written through, and
stale-file removal deletes only files whose folder resolves inside the output folder (the
output folder itself may be a link: it is where the operator said to write).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from aggregator.errors import PublishError

# Temporary files are named so that a later run can tell its own leftovers (after a crash or
# a kill) from anything else a host keeps in output/.
TEMP_PREFIX = ".aggregator-"


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _target(root: Path, relative: str) -> Path:
    parts = PurePosixPath(relative).parts
    # Names come from data (slugs, ids); refuse anything that could leave output/.
    if not parts or any(p in ("", ".", "..") or "\\" in p for p in parts) or relative[0] == "/":
        raise PublishError(f"refusing to write outside the output folder: {relative!r}")
    return root.joinpath(*parts)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file renamed over it."""
    fd, temp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes 0600; a static host must read the file
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


class OutputWriter:
    """Writes files under ``root`` and remembers what it wrote, kept and was asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: list[str] = []
        self.unchanged = 0
        self.produced: set[str] = set()

    def write(self, relative: str, data: bytes) -> bool:
        """Write one file unless it already holds ``data``; True when bytes changed."""
        if relative in self.produced:
            raise PublishError(f"two outputs want the same file: {relative}")
        path = _target(self.root, relative)
        self._refuse_linked_folders(relative)
        self.produced.add(relative)
        if _same_bytes(path, data):
            self.unchanged += 1
            return False
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except OSError as error:
            raise PublishError(f"cannot write {path}: {error.strerror or error}") from error
        self.written.append(relative)
        return True

    def _refuse_linked_folders(self, relative: str) -> None:
        folder = self.root
        for part in PurePosixPath(relative).parts[:-1]:
            folder = folder / part
            if folder.is_symlink():
                raise PublishError(
                    f"{folder} is a symbolic link; refusing to write through it, outside "
                    f"the output folder. Replace it with a real folder."
                )

    def remove_stale(self, folders: Iterable[str]) -> list[str]:
        """Delete files under ``folders`` that this run did not produce, and our leftovers.

        Dotfiles a host may keep there (``.htaccess``) stay; so does anything outside
        ``folders`` except this writer's own temporary files.
        """
        removed = [p for p in self._files("") if _is_temp(p)]
        for folder in folders:
            removed += [
                p
                for p in self._files(folder)
                if p not in self.produced and (_is_temp(p) or not _is_dotfile(p))
            ]
        for relative in removed:
            if not self._inside(relative):
                raise PublishError(
                    f"{self.root / relative} is not inside the output folder (a folder on its "
                    f"way is a symbolic link); not removed"
                )
            try:
                (self.root / relative).unlink()
            except OSError as error:
                raise PublishError(f"cannot remove {self.root / relative}: {error}") from error
        return removed

    def _inside(self, relative: str) -> bool:
        """Whether the file's folder resolves inside the output folder (the file itself may
        be a link: removing it removes the link, not its target)."""
        home = self.root.resolve()
        return (self.root / relative).parent.resolve().is_relative_to(home)

    def _files(self, folder: str) -> list[str]:
        directory = self.root / folder if folder else self.root
        if folder and directory.is_symlink():
            return []  # never listed, so nothing in its target is ever removed
        if not directory.is_dir():
            return []
        prefix = f"{folder}/" if folder else ""
        return [prefix + p.name for p in sorted(directory.iterdir()) if p.is_file()]


def _is_dotfile(relative: str) -> bool:
    return PurePosixPath(relative).name.startswith(".")


def _is_temp(relative: str) -> bool:
    name = PurePosixPath(relative).name
    return name.startswith(TEMP_PREFIX) and name.endswith(".tmp")
