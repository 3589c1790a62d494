"""The labelled evaluation corpus: loading, serving as feeds, reading outputs, scoring.

The corpus (``tests/data/corpus/``) is ground truth written as a careful reader would label
it. This module turns it into RSS feeds served on 127.0.0.1, writes a sources.yaml for them,
reads what the pipeline published, and scores it against the labels:

* every story (one article as a reader sees it) must be published exactly once;
* payers and incident kinds: micro-averaged precision/recall/F1 over (story, label) pairs;
* incidents: pairwise F1 over pairs of stories that share an incident, and the status of
  each labelled incident (mapped to the output incident holding most of its stories).

``python tests/corpus_tools.py`` scores the corpus in memory, straight through the
understand modules (dedupe, classify, incidents), without fetching or publishing.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

import yaml

if __name__ == "__main__":  # run as a script: this checkout's aggregator, installed or not
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aggregator.understand.evaluate import (
    Counts,
    best_incident,
    count_labels,
    incident_members,
    incident_pairs,
    micro,
)

CORPUS_DIR = Path(__file__).parent / "data" / "corpus"


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    story: str
    payers: frozenset[str]
    kinds: frozenset[str]
    incidents: frozenset[str]


@dataclass(frozen=True)
class Record:
    """One entry as its source serves it."""

    source: str
    guid: str
    url: str
    title: str
    date: datetime
    body: str
    labels: Labels
    round: int = 1
    updated: datetime | None = None
    summary: str = ""
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusSource:
    id: str
    name: str
    category: str
    feed_path: str
    article_pages: bool = False
    public_prefix: str = ""


@dataclass(frozen=True)
class LabelledIncident:
    id: str
    status: str
    payers: frozenset[str]
    contacts: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Corpus:
    sources: tuple[CorpusSource, ...]
    records: tuple[Record, ...]
    incidents: Mapping[str, LabelledIncident]

    @property
    def stories(self) -> dict[str, Labels]:
        return {r.labels.story: r.labels for r in self.records}

    def source(self, source_id: str) -> CorpusSource:
        return next(s for s in self.sources if s.id == source_id)

    def edited(self) -> list[Record]:
        return [r for r in self.records if r.round > 1]

    def served(self, round_: int) -> list[Record]:
        """The records each feed carries in a round: the latest version of each entry."""
        latest: dict[tuple[str, str], Record] = {}
        for record in self.records:
            if record.round <= round_:
                key = (record.source, record.guid)
                if key not in latest or record.round >= latest[key].round:
                    latest[key] = record
        return list(latest.values())


def _frozen(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(values or ())


def _date(value: Any) -> datetime:
    date = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if date.tzinfo is None:
        raise ValueError(f"corpus date without a time zone: {value}")
    return date


def _record(raw: Mapping[str, Any]) -> Record:
    labels = raw["labels"]
    return Record(
        source=raw["source"],
        guid=str(raw["guid"]),
        url=raw["url"],
        title=raw["title"],
        date=_date(raw["date"]),
        body=raw["body"],
        labels=Labels(
            story=labels["story"],
            payers=_frozen(labels.get("payers")),
            kinds=_frozen(labels.get("kinds")),
            incidents=_frozen(labels.get("incidents")),
        ),
        round=int(raw.get("round", 1)),
        updated=_date(raw["updated"]) if raw.get("updated") else None,
        summary=raw.get("summary", ""),
        related=tuple(raw.get("related") or ()),
    )


def load_corpus(directory: Path = CORPUS_DIR) -> Corpus:
    """Read the corpus files and check they agree with themselves."""
    feeds = yaml.safe_load((directory / "feeds.yaml").read_text(encoding="utf-8"))
    items = yaml.safe_load((directory / "items.yaml").read_text(encoding="utf-8"))
    incidents = yaml.safe_load((directory / "incidents.yaml").read_text(encoding="utf-8"))
    corpus = Corpus(
        sources=tuple(CorpusSource(**s) for s in feeds["sources"]),
        records=tuple(_record(r) for r in items),
        incidents={
            key: LabelledIncident(
                key, value["status"], _frozen(value.get("payers")), _frozen(value.get("contacts"))
            )
            for key, value in incidents.items()
        },
    )
    problems = corpus_problems(corpus)
    if problems:
        raise ValueError("inconsistent corpus:\n" + "\n".join(problems))
    return corpus


def corpus_problems(corpus: Corpus) -> list[str]:
    """Contradictions inside the corpus itself (labels, sources, URLs)."""
    problems = []
    source_ids = {s.id for s in corpus.sources}
    by_story: dict[str, Labels] = {}
    by_key: dict[str, str] = {}
    for r in corpus.records:
        where = f"{r.source} {r.guid}"
        if r.source not in source_ids:
            problems.append(f"{where}: unknown source")
        first = by_story.setdefault(r.labels.story, r.labels)
        if first != r.labels:
            problems.append(f"{where}: labels differ from other records of {r.labels.story}")
        for incident in r.labels.incidents:
            if incident not in corpus.incidents:
                problems.append(f"{where}: unknown incident {incident}")
        key = url_key(r.url)
        if by_key.setdefault(key, r.labels.story) != r.labels.story:
            problems.append(f"{where}: URL shared with story {by_key[key]}")
    return problems


# --- serving -------------------------------------------------------------------------------------


def url_key(url: str) -> str:
    """A loose spelling of a URL, for matching outputs to records (never to decide merges).

    Scheme, host mirrors (www, static2, prod), query, fragment and trailing slash are
    dropped: corpus URLs never differ by those alone unless they are the same article.
    """
    parts = urlsplit(url.strip())
    labels = (parts.hostname or "").lower().split(".")
    while len(labels) > 2 and re.fullmatch(r"www\d*|static\d*|prod|m|amp", labels[0]):
        labels = labels[1:]
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return ".".join(labels) + port + parts.path.rstrip("/")


def served_url(record: Record, source: CorpusSource, base: str) -> str:
    """The URL a feed links to: article pages of local sources live on the test server."""
    if source.article_pages and record.url.startswith(source.public_prefix):
        return f"{base}{source.id}/{record.url[len(source.public_prefix) :]}"
    return record.url


def article_path(record: Record, source: CorpusSource) -> str:
    return f"{source.id}/{record.url[len(source.public_prefix) :]}"


def paragraphs(body: str) -> list[str]:
    """Blank-line separated paragraphs, each joined onto one line."""
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]


def body_html(body: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs(body))


def _rss_item(record: Record, source: CorpusSource, base: str) -> str:
    link = served_url(record, source, base)
    parts = [
        f"<title>{escape(record.title)}</title>",
        f"<link>{escape(link)}</link>",
        f'<guid isPermaLink="false">{escape(record.guid)}</guid>',
        f"<pubDate>{format_datetime(record.date)}</pubDate>",
    ]
    if record.updated:
        parts.append(f"<atom:updated>{record.updated.isoformat()}</atom:updated>")
    if source.article_pages:
        parts.append(f"<description>{escape(record.summary)}</description>")
    else:
        summary = record.summary or paragraphs(record.body)[0]
        parts.append(f"<description>{escape(summary)}</description>")
        parts.append(f"<content:encoded>{escape(body_html(record.body))}</content:encoded>")
    return "<item>" + "".join(parts) + "</item>"


def rss_feed(source: CorpusSource, records: Sequence[Record], base: str) -> bytes:
    """One RSS 2.0 document holding the source's records, newest first."""
    items = sorted((r for r in records if r.source == source.id), key=lambda r: r.date)
    body = "\n".join(_rss_item(r, source, base) for r in reversed(items))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>'
        f"<title>{escape(source.name)}</title>"
        f"<link>{escape(base + source.feed_path)}</link>"
        "<description>Corpus d'évaluation</description><language>fr</language>\n"
        f"{body}\n</channel></rss>\n"
    ).encode()


def article_page(record: Record) -> bytes:
    """A WordPress-like article page: the body, then an "A lire aussi" box the body excludes."""
    related = "".join(f"<li><a href={quoteattr('#')}>{escape(t)}</a></li>" for t in record.related)
    aside = f'<aside class="related"><h3>À lire aussi</h3><ul>{related}</ul></aside>'
    return (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
        f"<title>{escape(record.title)}</title></head><body><article>"
        f"<h1>{escape(record.title)}</h1>"
        f'<time class="published" datetime="{record.date.isoformat()}">'
        f"{record.date:%d/%m/%Y}</time>"
        f'<div class="entry-content">{body_html(record.body)}{aside if record.related else ""}'
        f"</div></article>{aside}</body></html>"
    ).encode()


def site_files(corpus: Corpus, base: str, round_: int) -> dict[str, tuple[bytes, str]]:
    """Every path the test server answers in a round: feeds and article pages."""
    records = corpus.served(round_)
    files: dict[str, tuple[bytes, str]] = {}
    for source in corpus.sources:
        files[source.feed_path] = (rss_feed(source, records, base), "application/rss+xml")
        if source.article_pages:
            for record in records:
                if record.source == source.id:
                    path = article_path(record, source)
                    files[path] = (article_page(record), "text/html; charset=utf-8")
    return files


class CorpusServer:
    """A threaded HTTP server on 127.0.0.1 answering from a swappable dict of files."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests.append(self.path)
                found = owner.files.get(urlsplit(self.path).path.lstrip("/"))
                if found is None:
                    self.send_error(404)
                    return
                content, kind = found
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> CorpusServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def config_yaml(corpus: Corpus, base: str) -> str:
    """A sources.yaml in the contract's schema, pointing every source at the test server."""
    sources = []
    for s in corpus.sources:
        entry: dict[str, Any] = {
            "id": s.id,
            "name": s.name,
            "type": "feed",
            "url": base + s.feed_path,
            "category": s.category,
        }
        if s.article_pages:
            entry["article"] = {
                "content": "div.entry-content",
                "remove": ["aside", ".related"],
                "date": "time.published",
            }
        sources.append(entry)
    config = {
        "site": {
            "title": "Corpus d'évaluation",
            "base_url": "https://example.org/veille/",
            "language": "fr",
            "max_items": 1000,
        },
        "fetch": {"per_host_delay": 0, "respect_robots": False, "timeout": 10, "retries": 0},
        "sources": sources,
    }
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


# --- outputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutItem:
    id: str
    url: str
    title: str
    payers: frozenset[str]
    kinds: frozenset[str]
    incidents: frozenset[str]
    also_at: tuple[str, ...] = ()
    date_modified: str | None = None
    source: str = ""  # the source the item is credited to (its content's)


@dataclass(frozen=True)
class OutIncident:
    id: str
    status: str
    payers: frozenset[str]
    items: tuple[str, ...]
    contacts: tuple[str, ...] = ()


def read_output(out: Path) -> tuple[list[OutItem], list[OutIncident]]:
    """The items of feed.json and the incidents of incidents.json."""
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    items = []
    for raw in feed["items"]:
        extra = raw.get("_advisory", {})
        items.append(
            OutItem(
                id=raw["id"],
                url=raw.get("url", ""),
                title=raw.get("title", ""),
                payers=_frozen(extra.get("payers")),
                kinds=_frozen(extra.get("incident_kinds")),
                incidents=_frozen(extra.get("incidents")),
                also_at=tuple(extra.get("also_at") or ()),
                date_modified=raw.get("date_modified"),
                source=extra.get("source", ""),
            )
        )
    data = json.loads((out / "incidents.json").read_text(encoding="utf-8"))
    incidents = [
        OutIncident(
            i["id"],
            i["status"],
            _frozen(i.get("payers")),
            tuple(i.get("items") or ()),
            tuple(i.get("contacts") or ()),
        )
        for i in data["incidents"]
    ]
    return items, incidents


# --- scoring ------------------------------------------------------------------------------------


# Precision, recall and F1, incident pairs and the matching of a labelled incident to an output
# one are the evaluator's (aggregator.understand.evaluate): the same measures as `aggregator
# evaluate`, read here from what the pipeline published.


def _micro(pairs: Iterable[tuple[frozenset[str], frozenset[str]]]) -> Counts:
    """Micro-averaged counts over (story, label) pairs, from each story's (expected, found)."""
    table: dict[str, Counts] = {}
    for gold, got in pairs:
        count_labels(table, gold, got)
    return micro(table.values())


@dataclass
class Score:
    payers: Counts
    kinds: Counts
    pairs: Counts
    lost: list[str] = field(default_factory=list)  # stories published nowhere
    duplicated: list[str] = field(default_factory=list)  # stories published more than once
    merged: list[str] = field(default_factory=list)  # items holding several stories
    unmatched: list[str] = field(default_factory=list)  # items matching no record
    status_errors: list[str] = field(default_factory=list)
    incident_payer_errors: list[str] = field(default_factory=list)
    contact_errors: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # readable mismatches

    def report(self) -> str:
        head = [
            f"payers: {self.payers.line('').strip()}",
            f"kinds:  {self.kinds.line('').strip()}",
            f"incident pairs: {self.pairs.line('').strip()}",
            f"stories lost: {len(self.lost)}, duplicated: {len(self.duplicated)}, "
            f"wrongly merged items: {len(self.merged)}, unmatched items: {len(self.unmatched)}",
            f"incident status errors: {len(self.status_errors)}, "
            f"payer errors: {len(self.incident_payer_errors)}, "
            f"contact errors: {len(self.contact_errors)}",
        ]
        return "\n".join([*head, "", *self.lines])


def _names(values: Iterable[str]) -> str:
    return "[" + ", ".join(sorted(values)) + "]"


class _Matcher:
    """Output items to stories, by URL (the item's own and its also_at)."""

    def __init__(self, corpus: Corpus, base: str) -> None:
        self.story_of: dict[str, str] = {}
        for r in corpus.records:
            url = served_url(r, corpus.source(r.source), base)
            self.story_of[url_key(url)] = r.labels.story

    def stories(self, item: OutItem) -> set[str]:
        urls = [item.url, *item.also_at]
        return {self.story_of[k] for k in map(url_key, urls) if k in self.story_of}


def score(
    corpus: Corpus, items: Sequence[OutItem], incidents: Sequence[OutIncident], base: str = ""
) -> Score:
    """Compare what was published with the labels."""
    stories = corpus.stories
    matcher = _Matcher(corpus, base)
    items_of: dict[str, list[OutItem]] = {s: [] for s in stories}
    story_of_item: dict[str, set[str]] = {}
    lines: list[str] = []
    result = Score(Counts(), Counts(), Counts())
    for item in items:
        found = matcher.stories(item)
        story_of_item[item.id] = found
        for story in found:
            items_of[story].append(item)
        if not found:
            result.unmatched.append(item.id)
            lines.append(f"UNMATCHED item {item.id} {item.url!r} {item.title!r}")
        elif len(found) > 1:
            result.merged.append(item.id)
            lines.append(f"WRONG MERGE item {item.id} {item.title!r} holds {_names(found)}")
    for story, held in items_of.items():
        if not held:
            result.lost.append(story)
            lines.append(f"LOST {story}: no published item")
        elif len(held) > 1:
            result.duplicated.append(story)
            titles = "; ".join(f"{i.id} {i.url}" for i in held)
            lines.append(f"DUPLICATE {story}: {len(held)} items: {titles}")
    result.payers = _micro(_compare(stories, items_of, "payers", lines))
    result.kinds = _micro(_compare(stories, items_of, "kinds", lines))
    result.pairs = _pair_score(stories, items_of, lines)
    result.status_errors = _status_errors(
        corpus, incidents, story_of_item, lines, result.incident_payer_errors, result.contact_errors
    )
    result.lines = lines
    return result


def _compare(
    stories: Mapping[str, Labels],
    items_of: Mapping[str, list[OutItem]],
    what: str,
    lines: list[str],
) -> Iterator[tuple[frozenset[str], frozenset[str]]]:
    for story, labels in sorted(stories.items()):
        gold: frozenset[str] = getattr(labels, what)
        got = frozenset().union(*(getattr(i, what) for i in items_of[story]))
        if gold != got:
            title = items_of[story][0].title if items_of[story] else "(lost)"
            lines.append(
                f"{what.upper()} {story} {title!r}: expected {_names(gold)} got {_names(got)}"
                f" (missing {_names(gold - got)}, extra {_names(got - gold)})"
            )
        yield gold, got


def _pair_score(
    stories: Mapping[str, Labels], items_of: Mapping[str, list[OutItem]], lines: list[str]
) -> Counts:
    got = {s: frozenset().union(*(i.incidents for i in items_of[s])) for s in stories}
    labelled = {story: labels.incidents for story, labels in stories.items()}
    counts, wrong = incident_pairs(labelled, got)
    for a, b, should_share in wrong:
        why = "apart but should share" if should_share else "share but should not"
        lines.append(
            f"INCIDENT PAIR {a}-{b} {why} an incident "
            f"(labels {_names(stories[a].incidents)} / {_names(stories[b].incidents)})"
        )
    return counts


def _status_errors(
    corpus: Corpus,
    incidents: Sequence[OutIncident],
    story_of_item: Mapping[str, set[str]],
    lines: list[str],
    payer_errors: list[str],
    contact_errors: list[str],
) -> list[str]:
    members = incident_members(incidents, story_of_item)
    errors = []
    for label, expected in sorted(corpus.incidents.items()):
        gold = {s for s, lab in corpus.stories.items() if label in lab.incidents}
        best = best_incident(incidents, members, gold)
        if best is None:
            errors.append(label)
            lines.append(f"STATUS {label}: no output incident holds any of {_names(gold)}")
            continue
        overlap = members[best.id] & gold
        if len(overlap) * 2 <= len(gold):
            lines.append(
                f"SPLIT {label}: best output incident {best.id} holds only {_names(overlap)} "
                f"of {_names(gold)}"
            )
        if best.status != expected.status:
            errors.append(label)
            lines.append(
                f"STATUS {label} (output {best.id}): expected {expected.status} got {best.status}"
            )
        digits = [re.sub(r"\D", "", c.replace("+33", "0")) for c in best.contacts]
        missing = [c for c in sorted(expected.contacts) if c not in best.contacts]
        twice = sorted({d for d in digits if d and digits.count(d) > 1})
        if missing or twice:
            contact_errors.append(label)
            lines.append(
                f"CONTACTS {label} (output {best.id}): missing {missing}, "
                f"same number spelled several ways {twice}, got {list(best.contacts)}"
            )
        if best.payers != expected.payers:
            payer_errors.append(label)
            lines.append(
                f"INCIDENT PAYERS {label} (output {best.id}): expected "
                f"{_names(expected.payers)} got {_names(best.payers)}"
            )
    return errors


def membership_problems(items: Sequence[OutItem], incidents: Sequence[OutIncident]) -> list[str]:
    """Where feed.json's ``_advisory.incidents`` and incidents.json's ``items`` disagree."""
    problems = []
    known = {i.id for i in items}
    listed = {(item, i.id) for i in incidents for item in i.items}
    for item_id, incident_id in sorted(listed):
        if item_id not in known:
            problems.append(f"incident {incident_id} lists item {item_id}, absent from feed.json")
    claimed = {(i.id, incident) for i in items for incident in i.incidents}
    for item_id, incident_id in sorted(claimed - listed):
        problems.append(f"item {item_id} names incident {incident_id}, which does not list it")
    for item_id, incident_id in sorted(listed - claimed):
        if item_id in known:
            problems.append(f"incident {incident_id} lists item {item_id}, which does not name it")
    return problems


# --- in memory: the understand modules without store, fetch or publish ---------------------------


def understand_in_memory(corpus: Corpus, base: str = "") -> tuple[list[OutItem], list[OutIncident]]:
    """Dedupe, classify and group the corpus directly, as the pipeline would, in two rounds.

    Provisional scoring path for when the CLI cannot run yet. It reads each record's body
    (an article page's sidebar is not there: extraction is not exercised).
    """

    from aggregator.understand.classify import Classifier
    from aggregator.understand.taxonomy import load_taxonomy
    from aggregator.understand.dedupe import Candidate, DedupeIndex, canonical_url
    from aggregator.understand.incidents import IncidentInput, group_incidents

    taxonomy = load_taxonomy({})
    classifier = Classifier(taxonomy)
    index = DedupeIndex(window=timedelta(days=10))
    items: dict[str, dict[str, Any]] = {}
    item_of_entry: dict[tuple[str, str], str] = {}

    def entry_key(r: Record) -> tuple[str, str]:
        return (r.source, r.guid)

    def classify(r: Record) -> dict[str, Any]:
        text = "\n\n".join(paragraphs(r.body))
        verdict = classifier.classify(r.title, text)
        return {"verdict": verdict, "title": r.title, "date": r.date}

    for round_ in (1, 2):
        batch = [r for r in corpus.records if r.round == round_]
        for r in sorted(batch, key=lambda r: (r.date, r.source, r.guid)):
            url = canonical_url(served_url(r, corpus.source(r.source), base))
            known = item_of_entry.get(entry_key(r))
            if known is not None:  # an edit of an entry already understood
                if known == f"{r.source}|{r.guid}":
                    items[known].update(classify(r), modified=r.updated or r.date)
                continue
            text = "\n\n".join(paragraphs(r.body))
            candidate = Candidate(
                f"{r.source}|{r.guid}", r.source, r.guid, url, r.title, text, r.date
            )
            merge = index.match(candidate)
            if merge is not None:
                item_of_entry[entry_key(r)] = merge.target
                items[merge.target]["also_at"].append(url)
                continue
            index.add(candidate)
            item_of_entry[entry_key(r)] = candidate.id
            items[candidate.id] = {"url": url, "also_at": [], "modified": None, **classify(r)}

    inputs = [
        IncidentInput(
            id=key,
            date=value["date"],
            title=value["title"],
            payers=value["verdict"].payers,
            kinds=value["verdict"].kinds,
            organisations=value["verdict"].organisations,
            status=value["verdict"].status,
            actions=value["verdict"].actions,
            contacts=value["verdict"].contacts,
        )
        for key, value in items.items()
        if value["verdict"].advisory
    ]
    grouped = group_incidents(inputs, {}, str, str)
    incidents_of: dict[str, set[str]] = {}
    for incident in grouped:
        for member in incident.items:
            incidents_of.setdefault(member, set()).add(incident.id)
    out_items = [
        OutItem(
            id=key,
            url=value["url"],
            title=value["title"],
            payers=frozenset(value["verdict"].payers),
            kinds=frozenset(value["verdict"].kinds),
            incidents=frozenset(incidents_of.get(key, ())),
            also_at=tuple(value["also_at"]),
            date_modified=value["modified"].isoformat() if value["modified"] else None,
        )
        for key, value in items.items()
    ]
    out_incidents = [
        OutIncident(i.id, i.status, frozenset(i.payers), tuple(i.items), i.contacts)
        for i in grouped
    ]
    return out_items, out_incidents


def main() -> int:
    corpus = load_corpus()
    items, incidents = understand_in_memory(corpus)
    print(score(corpus, items, incidents).report())
    counts = Counter(r.source for r in corpus.records)
    print(f"\n{len(corpus.records)} records, {len(corpus.stories)} stories, {dict(counts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
