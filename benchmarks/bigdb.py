"""A large database for ``aggregator publish``, written through aggregator.store.database.

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

from corpus import EPOCH, Story, Writer, _html_body

from aggregator.config import load_config
from aggregator.models import Entry, Item, Merge, RawItem
from aggregator.understand.stage import regroup
from aggregator.store.database import Store, entry_id
from aggregator.understand.taxonomy import load_taxonomy
from aggregator.understand.dedupe import canonical_url

SPAN_DAYS = 365
DUPLICATE_SHARE = 0.05
BATCH = 10_000


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
            store.replace_incidents(regroup(store, load_taxonomy(config.taxonomy)))
        incidents = len(store.all_incidents())
    return BigDb(db_path, items, entries, incidents, time.perf_counter() - started)


@dataclass(frozen=True)
class _Sighting:
    source: str
    raw: RawItem
    canonical: str
    merged_into: str | None  # the item a duplicate is folded into; None for a founding entry


def _store_batch(store: Store, stories: list[Story], sources: list[str], rng: random.Random) -> int:
    """Store each story as its founding entry and item, some with one merged duplicate."""
    sightings: dict[str, list[_Sighting]] = {}
    items: list[Item] = []
    for story in stories:
        source = rng.choice(sources)
        url = f"https://{source}.example/actualites/{story.slug}.html"
        raw = RawItem(url, url, story.title, story.summary, _html_body(story), story.date)
        founding = _Sighting(source, raw, canonical_url(url), None)
        sightings.setdefault(source, []).append(founding)
        item_id = entry_id(source, url)
        items.append(_item(item_id, founding, story))
        if rng.random() < DUPLICATE_SHARE:
            other = rng.choice(sources)
            copy_url = f"https://{other}.example/reprise/{story.slug}?utm_source=rss"
            copy = RawItem(copy_url, copy_url, story.title, story.summary, raw.content, story.date)
            duplicate = _Sighting(other, copy, canonical_url(copy_url), item_id)
            sightings.setdefault(other, []).append(duplicate)
    store.save_items(items)
    # One save_entries call per source, as the pipeline stores one source's outcome at once.
    for source, group in sightings.items():
        seen = max(s.raw.published or EPOCH for s in group)
        store.save_entries(source, [s.raw for s in group], [s.canonical for s in group], seen)
        marks = []
        for s in group:
            eid = entry_id(source, s.raw.guid)
            entry = Entry(eid, source, s.raw.guid, s.raw.url, s.canonical, s.raw.title)
            merge = Merge(s.merged_into, "near-duplicate", 0.93) if s.merged_into else None
            marks.append((entry, s.merged_into or eid, merge))
        store.mark_entries(marks)
    return sum(len(group) for group in sightings.values())


def _item(item_id: str, sighting: _Sighting, story: Story) -> Item:
    return Item(
        id=item_id,
        source=sighting.source,
        url=sighting.canonical,
        title=story.title,
        content_html=sighting.raw.content,
        summary=story.summary,
        date_published=story.date,
        first_seen=story.date,
        payers=story.payers,
        kinds=story.kinds,
    )
