"""Publish: write output/ from the database alone (no network), or nothing when nothing
the pages show changed since the last publish to that folder.

Reads items, incidents and source health from the store, renders (see build.py), writes
the files, and has the store record what was published (a digest of what the outputs are
made of, and the files written), so that the next run can tell whether to render at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import aggregator
from aggregator.models import Config, SourceStatus
from aggregator.publish.build import PublishInput, PublishReport, publish
from aggregator.publish.site import local_day
from aggregator.store.database import Store

log = logging.getLogger("aggregator")
ROOT = Path(aggregator.__file__).parent


def publish_output(
    config: Config,
    store: Store,
    output: Path,
    payer_name: Callable[[str], str],
    kind_label: Callable[[str], str],
    skip_unchanged: bool = False,
    payers: Sequence[str] = (),
) -> PublishReport:
    """Write output/ from the database. With ``skip_unchanged`` (as ``run`` does), render
    nothing when nothing the pages show changed since the last publish to that folder.
    ``payers``: every payer of the taxonomy, each given its page and feeds ahead."""
    sources = store.source_statuses([s.id for s in config.sources])
    state = publish_state(config, store.generation(), sources)
    if skip_unchanged:
        last, files = store.last_publish(output)
        if last == state and files and all((output / f).is_file() for f in files):
            log.info("publish: nothing changed since the last publish to %s", output)
            return PublishReport((), len(files), (), tuple(files))
    data = PublishInput(
        site=config.site,
        items=store.all_items(),
        incidents=store.all_incidents(),
        sources=sources,
        payer_name=payer_name,
        kind_label=kind_label,
        payers=payers,
    )
    report = publish(output, data)
    store.record_publish(output, state, report.files)
    return report


def publish_state(config: Config, generation: int, sources: Sequence[SourceStatus]) -> str:
    """A digest of everything the outputs are made of, short of reading every item: the
    generation of items and incidents, the site options and taxonomy override, source
    health as sources.html shows it, and the templates, styles and taxonomy shipped."""

    def success(s: SourceStatus) -> str | None:
        if s.last_success is None:
            return None
        # sources.html shows a healthy source's day and a failing source's minute.
        return str(local_day(s.last_success) if not s.consecutive_failures else s.last_success)

    health = [
        [s.id, s.name, s.url, s.category, s.enabled, s.gone, s.items, s.consecutive_failures,
         s.last_error, str(s.last_error_at), success(s), s.articles_waiting,
         s.articles_given_up]
        for s in sources
    ]  # fmt: skip
    facts = {
        # The stored generation was a string: kept so, an unchanged site is not rewritten.
        "generation": str(generation) if generation else None,
        "site": repr(config.site),
        "taxonomy": repr(config.taxonomy),
        "health": health,
        "code": _shipped_digest(),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()


def _shipped_digest() -> str:
    """The version and the shipped files that shape the outputs (templates, style, taxonomy)."""
    digest = hashlib.sha256(aggregator.__version__.encode())
    for folder in ("publish/templates", "publish/static"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
    digest.update((ROOT / "understand" / "taxonomy.yaml").read_bytes())
    return digest.hexdigest()
