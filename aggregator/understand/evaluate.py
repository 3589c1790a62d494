"""Scoring the understanding stage on labelled sets, in memory.

A labelled set is a YAML file written by a careful reader::

    event: "what happened"
    incidents:
      I-viamedis-2024: {status: resolved, payers: [viamedis], kinds: [...], key: Viamedis}
    items:
      - {source, guid, url, title, date, body,
         labels: {story, payers, kinds, incidents}}

or a directory holding such files (``*.yaml``), or the older corpus layout (a directory with
``items.yaml`` and ``incidents.yaml``). Several items may share a story: the same article
seen at two places, which must become one item.

:func:`evaluate` runs dedupe, classification and grouping as the pipeline does, without a
store or the network, and :class:`Report` prints precision, recall and F1 per payer and per
kind, incident pairwise F1, spurious incidents, statuses, duplicate stories and wrong merges,
with every error and the rule behind it.

>>> report = evaluate([Path("tests/data/corpus/real")])  # doctest: +SKIP
>>> print(report.text())  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from aggregator.models import Classification, Incident
from aggregator.text.urls import link_key
from aggregator.understand.classify import Classifier
from aggregator.understand.dedupe import Candidate, DedupeIndex
from aggregator.understand.incidents import IncidentInput, group_incidents
from aggregator.understand.language import batched
from aggregator.understand.taxonomy import Taxonomy, load_taxonomy, own_notice_payers

UNKNOWN = "?"  # status of an incident label no file defines
FOLLOW_UP_CHARS = 3000  # as the pipeline: the opening of a body matches unnamed follow-ups


class LabelError(ValueError):
    """A labelled set that cannot be read: the message names the file and the entry."""


@dataclass(frozen=True)
class LabelledItem:
    source: str
    guid: str
    url: str
    title: str
    date: datetime
    body: str
    story: str
    payers: frozenset[str]
    kinds: frozenset[str]
    incidents: frozenset[str]
    where: str  # file name, for messages


@dataclass(frozen=True)
class LabelledIncident:
    id: str
    status: str
    payers: frozenset[str]


@dataclass(frozen=True)
class LabelledSet:
    items: tuple[LabelledItem, ...]
    incidents: Mapping[str, LabelledIncident]
    problems: tuple[str, ...] = ()  # inconsistencies of the labels themselves


# --- reading -----------------------------------------------------------------------------------


def load_labelled(paths: Iterable[Path]) -> LabelledSet:
    """Every labelled item and incident under the paths (files or directories)."""
    items: list[LabelledItem] = []
    incidents: dict[str, LabelledIncident] = {}
    for path in paths:
        for file, items_raw, incidents_raw in _documents(path):
            for key, value in (incidents_raw or {}).items():
                incidents[str(key)] = LabelledIncident(
                    str(key), str(value.get("status", "ongoing")), _set(value.get("payers"))
                )
            for index, raw in enumerate(items_raw or ()):
                items.append(_item(raw, f"{file.name} item {index}"))
    problems = []
    for item in items:
        for unknown in sorted(item.incidents - incidents.keys()):
            # Still scored as a pair label; its status is unknown, so not scored.
            problems.append(f"LABELS {item.where}: incident {unknown} is defined nowhere")
            incidents[unknown] = LabelledIncident(unknown, UNKNOWN, frozenset())
    return LabelledSet(tuple(items), incidents, tuple(problems))


def _documents(path: Path) -> Iterator[tuple[Path, Any, Any]]:
    if not path.exists():
        raise LabelError(f"{path}: no such file or directory")
    if path.is_dir() and (path / "items.yaml").exists():  # the older corpus layout
        incidents = _yaml(path / "incidents.yaml") if (path / "incidents.yaml").exists() else {}
        yield path / "items.yaml", _yaml(path / "items.yaml"), incidents
        return
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    for file in files:
        data = _yaml(file)
        if not isinstance(data, Mapping) or "items" not in data:
            raise LabelError(f"{file}: expected a mapping with 'items' (and 'incidents')")
        yield file, data["items"], data.get("incidents")


def _yaml(file: Path) -> Any:
    try:
        return yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise LabelError(f"{file}: {error}") from error


def _item(raw: Any, where: str) -> LabelledItem:
    try:
        labels = raw["labels"]
        date = raw["date"]
        date = date if isinstance(date, datetime) else datetime.fromisoformat(str(date))
        return LabelledItem(
            source=str(raw["source"]),
            guid=str(raw["guid"]),
            url=str(raw["url"]),
            title=str(raw["title"]),
            date=date,
            body=str(raw["body"]),
            story=str(labels["story"]),
            payers=_set(labels.get("payers")),
            kinds=_set(labels.get("kinds")),
            incidents=_set(labels.get("incidents")),
            where=where,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LabelError(f"{where}: missing or bad field ({error})") from error


def _set(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


def body_html(body: str) -> str:
    """The body as a feed would carry it: one <p> per blank-line separated paragraph."""
    blocks = [" ".join(p.split()) for p in body.strip().split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in blocks)


# --- understanding in memory --------------------------------------------------------------------


@dataclass
class Understood:
    """What the stage made of a labelled set: items (by the id of their first entry)."""

    verdicts: dict[str, Classification] = field(default_factory=dict)
    stories: dict[str, set[str]] = field(default_factory=dict)  # item id -> stories it holds
    items_of: dict[str, list[str]] = field(default_factory=dict)  # story -> item ids
    merges: dict[str, str] = field(default_factory=dict)  # entry -> item, with the rule
    titles: dict[str, str] = field(default_factory=dict)
    incidents: list[Incident] = field(default_factory=list)


def understand(labelled: LabelledSet, taxonomy: Taxonomy | None = None) -> Understood:
    """Dedupe, classify and group the labelled items, oldest first, as the pipeline does."""
    from aggregator.text.blocks import html_to_blocks

    taxonomy = taxonomy or load_taxonomy()
    classifier = Classifier(taxonomy)
    index = DedupeIndex(window=timedelta(days=10))
    result = Understood()
    inputs: list[IncidentInput] = []
    ordered = sorted(labelled.items, key=lambda i: (i.date, i.source, i.guid))
    texts = [html_to_blocks(body_html(item.body)) for item in ordered]
    # Every item read ahead, as the pipeline's workers do, its parses batched together.
    verdicts = batched(lambda n: classifier.classify(ordered[n].title, texts[n]), range(len(texts)))
    for n, item in enumerate(ordered):
        entry_id = f"{item.source}|{item.guid}|{n}"
        text = texts[n]
        candidate = Candidate(
            entry_id, item.source, item.guid, link_key(item.url), item.title, text, item.date
        )
        merge = index.match(candidate)
        if merge is not None:
            result.stories[merge.target].add(item.story)
            result.items_of.setdefault(item.story, []).append(merge.target)
            result.merges[entry_id] = f"{merge.target} ({merge.rule}, {merge.score:.2f})"
            continue
        index.add(candidate)
        verdict = _with_speaker(verdicts[n], classifier, item)
        result.verdicts[entry_id] = verdict
        result.stories[entry_id] = {item.story}
        result.items_of.setdefault(item.story, []).append(entry_id)
        result.titles[entry_id] = item.title
        if verdict.advisory:
            inputs.append(_incident_input(entry_id, item, verdict, text))
    result.incidents = group_incidents(inputs, {}, _namer(taxonomy), taxonomy.kind_label)
    return result


def _with_speaker(
    verdict: Classification, classifier: Classifier, item: LabelledItem
) -> Classification:
    """As the pipeline does for a payer's own source (here the source id names the payer):
    its notice is about that payer, named or not ("nos règlements", "nos portails")."""
    # A source id is lower case; a payer whose name is an everyday phrase is matched in
    # capitals only ("Carte Blanche"), as a source's display name would write it.
    name = item.source.replace("-", " ")
    speaker = classifier.payers_named(name) or classifier.payers_named(name.title())
    return replace(verdict, payers=own_notice_payers(verdict.payers, speaker))


def _incident_input(
    entry_id: str, item: LabelledItem, verdict: Classification, text: str
) -> IncidentInput:
    return IncidentInput(
        id=entry_id,
        date=item.date,
        title=item.title,
        payers=verdict.payers,
        kinds=verdict.kinds,
        organisations=verdict.organisations[:2],
        status=verdict.status,
        actions=verdict.actions,
        contacts=verdict.contacts,
        text=text[:FOLLOW_UP_CHARS],
    )


def _namer(taxonomy: Taxonomy) -> Any:
    def name(slug: str) -> str:
        if slug in taxonomy.payers:
            return taxonomy.payer_name(slug)
        return taxonomy.organisation_name(slug)

    return name


# --- scoring -----------------------------------------------------------------------------------


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: bool, got: bool) -> None:
        self.tp += gold and got
        self.fp += got and not gold
        self.fn += gold and not got

    def line(self, name: str) -> str:
        return (
            f"  {name:<26} P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}"
            f"  (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


@dataclass
class Report:
    """The scores of one evaluation, and every error found."""

    payers: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    kinds: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    pairs: Counts = field(default_factory=Counts)
    spurious: list[str] = field(default_factory=list)  # output incidents of no labelled one
    status_right: int = 0
    status_total: int = 0
    duplicates: list[str] = field(default_factory=list)
    wrong_merges: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    items: int = 0
    stories: int = 0

    @property
    def payer(self) -> Counts:
        return micro(self.payers.values())

    @property
    def kind(self) -> Counts:
        return micro(self.kinds.values())

    def text(self) -> str:
        lines = [
            f"{self.items} labelled items, {self.stories} stories",
            f"payers (micro): {self.payer.line('all').strip()}",
            *(self.payers[p].line(p) for p in sorted(self.payers)),
            f"kinds (micro): {self.kind.line('all').strip()}",
            *(self.kinds[k].line(k) for k in sorted(self.kinds)),
            f"incident pairs: {self.pairs.line('').strip()}",
            f"spurious incidents: {len(self.spurious)}",
            f"status right: {self.status_right}/{self.status_total}",
            f"duplicate stories: {len(self.duplicates)}, wrong merges: {len(self.wrong_merges)}",
            "",
            *self.errors,
        ]
        return "\n".join(lines)


def micro(counts: Iterable[Counts]) -> Counts:
    """Micro-averaged counts: the sum of per-label ones."""
    total = Counts()
    for c in counts:
        total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
    return total


def evaluate(paths: Sequence[Path], taxonomy: Taxonomy | None = None) -> Report:
    """Read the labelled sets under ``paths``, understand them, and score the result."""
    labelled = load_labelled(paths)
    return score(labelled, understand(labelled, taxonomy))


def score(labelled: LabelledSet, got: Understood) -> Report:
    report = Report()
    gold = {i.story: i for i in labelled.items}
    report.items, report.stories = len(labelled.items), len(gold)
    report.errors.extend(labelled.problems)
    _score_items(gold, got, report)
    incidents_of = _incidents_of(got)
    _score_pairs(gold, incidents_of, report)
    _score_incidents(labelled, gold, got, report)
    return report


def _score_items(gold: Mapping[str, LabelledItem], got: Understood, report: Report) -> None:
    for story, ids in sorted(got.items_of.items()):
        if len(set(ids)) > 1:
            report.duplicates.append(story)
            report.errors.append(f"DUPLICATE {story}: {len(set(ids))} items {sorted(set(ids))}")
    for item_id, stories in sorted(got.stories.items()):
        if len(stories) > 1:
            report.wrong_merges.append(item_id)
            merged = [e for e, t in got.merges.items() if t.startswith(item_id + " ")]
            report.errors.append(
                f"WRONG MERGE {item_id}: holds {sorted(stories)} (entries {merged})"
            )
    for story, expected in sorted(gold.items()):
        ids = sorted(set(got.items_of.get(story, ())))
        verdicts = [got.verdicts[i] for i in ids if i in got.verdicts]
        payers = frozenset(p for v in verdicts for p in v.payers)
        kinds = frozenset(k for v in verdicts for k in v.kinds)
        reasons = [r for v in verdicts for r in v.reasons]
        _tally(report.payers, expected.payers, payers, "PAYERS", story, expected, reasons, report)
        _tally(report.kinds, expected.kinds, kinds, "KINDS", story, expected, reasons, report)


def count_labels(table: dict[str, Counts], gold: AbstractSet[str], got: AbstractSet[str]) -> None:
    """One story's labels counted per label: expected (``gold``) against found (``got``)."""
    for label in gold | got:
        table.setdefault(label, Counts()).add(label in gold, label in got)


def _tally(
    table: dict[str, Counts],
    gold: frozenset[str],
    got: frozenset[str],
    what: str,
    story: str,
    item: LabelledItem,
    reasons: Sequence[str],
    report: Report,
) -> None:
    count_labels(table, gold, got)
    if gold == got:
        return
    report.errors.append(
        f"{what} {story} [{item.where}] {item.title!r}: expected {sorted(gold)} got {sorted(got)}"
    )
    for label in sorted(got - gold):
        why = [r for r in reasons if f":{label} " in r] or ["(no rule recorded)"]
        report.errors.extend(f"    extra {label}: {r}" for r in why)


def _incidents_of(got: Understood) -> dict[str, set[str]]:
    """Story -> output incident ids of the items holding it."""
    by_item: dict[str, set[str]] = defaultdict(set)
    for incident in got.incidents:
        for member in incident.items:
            by_item[member].add(incident.id)
    return {
        story: set().union(*(by_item.get(i, set()) for i in ids))
        for story, ids in got.items_of.items()
    }


def incident_pairs(
    labelled: Mapping[str, AbstractSet[str]], got: Mapping[str, AbstractSet[str]]
) -> tuple[Counts, list[tuple[str, str, bool]]]:
    """Incident pairwise scoring over every pair of stories (story -> incident ids): whether
    the labels have them share an incident against whether the output does. The counts, and
    the pairs that disagree as (a, b, whether they should share), in order."""
    counts = Counts()
    wrong = []
    names = sorted(labelled)
    for n, a in enumerate(names):
        for b in names[n + 1 :]:
            expected = bool(labelled[a] & labelled[b])
            found = bool(got.get(a, set()) & got.get(b, set()))
            counts.add(expected, found)
            if expected != found:
                wrong.append((a, b, expected))
    return counts, wrong


def _score_pairs(
    gold: Mapping[str, LabelledItem], got: Mapping[str, set[str]], report: Report
) -> None:
    labelled = {story: item.incidents for story, item in gold.items()}
    report.pairs, wrong = incident_pairs(labelled, got)
    for a, b, expected in wrong:
        why = "apart, should share" if expected else "share, should not"
        report.errors.append(
            f"INCIDENT PAIR {a} / {b}: {why} "
            f"(labels {sorted(gold[a].incidents)} / {sorted(gold[b].incidents)}, "
            f"got {sorted(got.get(a, ()))} / {sorted(got.get(b, ()))})"
        )


class Grouped(Protocol):
    """An output incident as scoring sees it: its id and the ids of the items it holds."""

    @property
    def id(self) -> str: ...

    @property
    def items(self) -> Sequence[str]: ...


G = TypeVar("G", bound=Grouped)


def incident_members(
    incidents: Iterable[Grouped], stories_of: Mapping[str, Iterable[str]]
) -> dict[str, set[str]]:
    """Each output incident's stories, by its id: those of the items it holds (item ->
    stories in ``stories_of``)."""
    return {i.id: {s for item in i.items for s in stories_of.get(item, ())} for i in incidents}


def best_incident(
    incidents: Iterable[G], members: Mapping[str, AbstractSet[str]], stories: AbstractSet[str]
) -> G | None:
    """The output incident a labelled one is matched to: the one holding most of its
    ``stories``, then fewest others, the first of equals; None when none holds any."""
    best = max(
        incidents,
        key=lambda i: (len(members[i.id] & stories), -len(members[i.id] - stories)),
        default=None,
    )
    return best if best is not None and members[best.id] & stories else None


def _score_incidents(
    labelled: LabelledSet, gold: Mapping[str, LabelledItem], got: Understood, report: Report
) -> None:
    members = incident_members(got.incidents, got.stories)
    matched: set[str] = set()
    for label, expected in sorted(labelled.incidents.items()):
        stories = {s for s, item in gold.items() if label in item.incidents}
        if not stories or expected.status == UNKNOWN:
            continue
        report.status_total += 1
        best = best_incident(got.incidents, members, stories)
        if best is None:
            report.errors.append(
                f"MISSED INCIDENT {label}: no output incident holds {sorted(stories)}"
            )
            continue
        matched.add(best.id)
        status = _shown_status(best)
        if status == expected.status:
            report.status_right += 1
        else:
            report.errors.append(
                f"STATUS {label} ({best.id}): expected {expected.status} got {status}"
            )
    for incident in got.incidents:
        labels = {x for s in members[incident.id] for x in gold[s].incidents}
        if incident.id not in matched and not labels & labelled.incidents.keys():
            report.spurious.append(incident.id)
            report.errors.append(
                f"SPURIOUS INCIDENT {incident.id} {incident.title!r}: stories "
                f"{sorted(members[incident.id])}"
            )


def _shown_status(incident: Incident) -> str:
    return str(incident.status)
