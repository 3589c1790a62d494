"""A large database for ``aggregator publish``, written through aggregator.store.

Stories come from the corpus writer (a year of them, one in ten an advisory); each becomes
an entry and an item, as the pipeline would store them, and about one in twenty also has a
merged duplicate from another source (its URL shows up in ``also_at``). Tags come from what
the writer wrote rather than from the classifier: the point is to time publishing, not to
classify 100,000 texts. Incidents are then grouped by the pipeline's own regrouping.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from aggregator.classify import load_taxonomy
from corpus import EPOCH, Story, Writer, _html_body

from aggregator.config import load_config
from aggregator.dedupe import canonical_url
from aggregator.models import Entry, Item, Merge, RawItem
from aggregator.pipeline import _regroup
from aggregator.store import Store, entry_id

SPAN_DAYS = 365
DUPLICATE_SHARE = 0.05
BATCH = 2000


@dataclass(frozen=True)
class BigDb:
    path: Path
    items: int
    entries: int
    incidents: int
    seconds: float


def build_big_db(
    db_path: Path, config_path: Path, items: int, seed: int = 7, advisory_share: float = 0.1
) -> BigDb:
    """Write ``items`` items (and their entries and incidents) into a fresh database."""
    started = time.perf_counter()
    db_path.unlink(missing_ok=True)
    config = load_config(config_path)
    source_ids = [s.id for s in config.sources]
    writer = Writer(seed, advisory_share, SPAN_DAYS)
    rng = random.Random(seed)
    step = timedelta(days=SPAN_DAYS) / max(1, items)
    entries = 0
    with Store(db_path) as store:
        store.sync_sources(config.sources)
        for start in range(0, items, BATCH):
            stories = [
                writer.story(EPOCH - step * n) for n in range(start, min(items, start + BATCH))
            ]
            with store.transaction():
                entries += _store_batch(store, stories, source_ids, rng)
        with store.transaction():
            store.replace_incidents(_regroup(store, load_taxonomy(config.taxonomy)))
        incidents = len(store.all_incidents())
    return BigDb(db_path, items, entries, incidents, time.perf_counter() - started)


def _store_batch(store: Store, stories: list[Story], sources: list[str], rng: random.Random) -> int:
    """Store each story as its founding entry and item, some with one merged duplicate."""
    written = 0
    for story in stories:
        source = rng.choice(sources)
        url = f"https://{source}.example/actualites/{story.slug}.html"
        raw = RawItem(
            guid=url,
            url=url,
            title=story.title,
            summary=story.summary,
            content=_html_body(story),
            published=story.date,
        )
        founding = _save_entry(store, source, raw, story, None)
        written += 1
        store.save_item(_item(founding, source, raw, story))
        if rng.random() < DUPLICATE_SHARE:
            other = rng.choice(sources)
            copy_url = f"https://{other}.example/reprise/{story.slug}?utm_source=rss"
            copy = RawItem(copy_url, copy_url, story.title, story.summary, raw.content, story.date)
            _save_entry(store, other, copy, story, Merge(founding, "near-duplicate", 0.93))
            written += 1
    return written


def _save_entry(store: Store, source: str, raw: RawItem, story: Story, merge: Merge | None) -> str:
    canonical = canonical_url(raw.url)
    store.save_entries(source, [raw], [canonical], story.date)
    eid = entry_id(source, raw.guid)
    entry = Entry(eid, source, raw.guid, raw.url, canonical, raw.title)
    store.mark_entry(entry, merge.target if merge else eid, merge)
    return eid


def _item(item_id: str, source: str, raw: RawItem, story: Story) -> Item:
    return Item(
        id=item_id,
        source=source,
        url=canonical_url(raw.url),
        title=raw.title,
        content_html=raw.content,
        summary=raw.summary,
        date_published=story.date,
        first_seen=story.date,
        payers=story.payers,
        kinds=story.kinds,
    )
