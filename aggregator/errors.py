"""The project's exceptions.

AggregatorError            anything the project raises on purpose
├── ConfigError            sources.yaml is wrong: names the file, the source and the key
├── ExtractError           a page or feed gave nothing usable ("selector `article` matched nothing")
├── StoreError             the database cannot be opened or written
├── LockError              another run holds the database
└── PublishError           output/ cannot be written
"""

from __future__ import annotations


class AggregatorError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(AggregatorError):
    def __init__(self, path: str, message: str, source: str | None = None, key: str | None = None):
        self.path, self.source, self.key, self.message = path, source, key, message
        where = path
        if source:
            where += f": source '{source}'"
        if key:
            where += f": key '{key}'"
        super().__init__(f"{where}: {message}")


class ExtractError(AggregatorError):
    """A page or a feed could not be turned into items; the message is for humans."""


class StoreError(AggregatorError):
    pass


class LockError(AggregatorError):
    pass


class PublishError(AggregatorError):
    pass


# Characters of an exception's message kept in a failure reason.
REASON_CHARS = 160


def failure_reason(stage: str, error: BaseException) -> str:
    """One line for status: where it broke and what Python said, shortened."""
    said = " ".join(str(error).split())
    if len(said) > REASON_CHARS:
        said = said[: REASON_CHARS - 1] + "…"
    name = type(error).__name__
    return f"failed while {stage}: {name}: {said}" if said else f"failed while {stage}: {name}"
