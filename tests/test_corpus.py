"""The labelled corpus through the real pipeline: feeds on 127.0.0.1, two runs of the CLI.

Round 1 serves every source's feed (and the article pages of the source that needs them);
round 2 serves the same feeds with a few entries edited in place (same guid, same URL).
The outputs are scored against the labels of ``tests/data/corpus``; each failing assertion
prints which story went wrong, what was expected and what was published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus_tools import (
    Corpus,
    CorpusServer,
    OutIncident,
    OutItem,
    Score,
    config_yaml,
    load_corpus,
    membership_problems,
    read_output,
    score,
    served_url,
    site_files,
    understand_in_memory,
    url_key,
)

from aggregator.cli import cli

# End-to-end: each test runs the whole pipeline (a real server, the CLI, or a subprocess).
pytestmark = pytest.mark.slow

PAYER_F1 = 0.95
KIND_F1 = 0.85
PAIR_F1 = 0.85


@dataclass(frozen=True)
class Run:
    corpus: Corpus
    base: str
    first: tuple[list[OutItem], list[OutIncident]]
    second: tuple[list[OutItem], list[OutIncident]]
    score: Score


def _invoke(workdir: Path) -> None:
    result = CliRunner().invoke(
        cli,
        # --all: the second round reads every source again, due or not
        ["run", "--all", "--config", str(workdir / "sources.yaml"), "--db",
         str(workdir / "a.db"), "--output", str(workdir / "out")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    corpus = load_corpus()
    workdir = tmp_path_factory.mktemp("corpus")
    with CorpusServer() as server:
        base = server.base_url
        (workdir / "sources.yaml").write_text(config_yaml(corpus, base), encoding="utf-8")
        server.files = site_files(corpus, base, 1)
        _invoke(workdir)
        first = read_output(workdir / "out")
        server.files = site_files(corpus, base, 2)
        _invoke(workdir)
        second = read_output(workdir / "out")
    result = score(corpus, *second, base=base)
    print(result.report())
    yield Run(corpus, base, first, second, result)


def test_corpus_is_consistent_and_large_enough() -> None:
    corpus = load_corpus()
    assert len(corpus.records) >= 50
    assert len({r.source for r in corpus.records}) >= 6
    assert corpus.edited(), "the corpus must hold edited entries for round 2"
    labelled = {i for r in corpus.records for i in r.labels.incidents}
    assert labelled == set(corpus.incidents)


def test_every_story_is_published_exactly_once(run: Run) -> None:
    s = run.score
    good = not (s.lost or s.duplicated or s.merged or s.unmatched)
    assert good, s.report()


def test_payers_match_the_labels(run: Run) -> None:
    good = run.score.payers.f1 >= PAYER_F1
    assert good, run.score.report()


def test_incident_kinds_match_the_labels(run: Run) -> None:
    good = run.score.kinds.f1 >= KIND_F1
    assert good, run.score.report()


def test_stories_of_one_incident_are_grouped_together(run: Run) -> None:
    good = run.score.pairs.f1 >= PAIR_F1
    assert good, run.score.report()


def test_every_labelled_incident_has_the_right_status(run: Run) -> None:
    good = not run.score.status_errors
    assert good, run.score.report()


def test_every_labelled_incident_carries_its_payers(run: Run) -> None:
    good = not run.score.incident_payer_errors
    assert good, run.score.report()


def test_incidents_give_the_number_to_call_once(run: Run) -> None:
    good = not run.score.contact_errors
    assert good, run.score.report()


def test_feed_and_incidents_json_agree_on_membership(run: Run) -> None:
    problems = membership_problems(*run.second)
    assert not problems, "\n".join(problems)


def _item_of(items: list[OutItem], key: str) -> OutItem:
    found = [i for i in items if key in {url_key(u) for u in (i.url, *i.also_at)}]
    assert len(found) == 1, f"{key}: {len(found)} items"
    return found[0]


def _edited_keys(run: Run) -> list[tuple[str, str]]:
    """(story, URL key) of every entry edited in round 2."""
    return [
        (r.labels.story, url_key(served_url(r, run.corpus.source(r.source), run.base)))
        for r in run.corpus.edited()
    ]


def test_an_edited_entry_updates_its_item_in_place_when_the_item_shows_it(run: Run) -> None:
    # The corpus's sources are served locally, so none is on the site of the pages it links
    # to: an item shows the entry that founded it, and only that entry's edits change it;
    # a copy's edits (another feed carrying the same article) stay the copy's.
    edits = {r.labels.story: r for r in run.corpus.edited()}
    taken = 0
    for story, key in _edited_keys(run):
        before, after = _item_of(run.first[0], key), _item_of(run.second[0], key)
        assert after.id == before.id, f"{story}: the edit changed the item id"
        if before.source == edits[story].source:
            assert after.title == edits[story].title, f"{story}: the edited title was not taken"
            assert after.date_modified, f"{story}: no date_modified after an edit"
            taken += 1
        else:
            assert after.title == before.title, f"{story}: a copy's edit rewrote the item"
    assert taken, "no edit of an item's own entry in the corpus"


def test_entries_served_again_unchanged_are_left_alone(run: Run) -> None:
    edited = {_item_of(run.second[0], key).id for _, key in _edited_keys(run)}
    before = {i.id: i for i in run.first[0]}
    changed = [
        f"{i.id} {i.title!r}: date_modified {before[i.id].date_modified} -> {i.date_modified}, "
        f"payers {sorted(before[i.id].payers)} -> {sorted(i.payers)}, "
        f"kinds {sorted(before[i.id].kinds)} -> {sorted(i.kinds)}"
        for i in run.second[0]
        if i.id in before
        and i.id not in edited
        and (i.date_modified, i.payers, i.kinds)
        != (before[i.id].date_modified, before[i.id].payers, before[i.id].kinds)
    ]
    assert len(run.second[0]) == len(run.first[0]), "round 2 added or dropped items"
    assert not changed, "items changed although their entries did not:\n" + "\n".join(changed)


def test_a_payer_speaking_of_itself_is_tagged_with_its_own_name(run: Run) -> None:
    # "Reprise de nos services" on Viamedis's own feed never says "Viamedis": the
    # source's name does. The same first-person wording in the press names nobody.
    own = [i for i in run.second[0] if i.title == "Reprise de nos services"]
    assert len(own) == 1
    assert own[0].payers == {"viamedis"}
    assert own[0].incidents, "the payer's own 'service is back' joined no incident"


def test_understand_modules_alone_publish_each_story_once() -> None:
    """Dedupe, classify and grouping straight from the corpus, no fetch, store or publish."""
    corpus = load_corpus()
    result = score(corpus, *understand_in_memory(corpus))
    good = not (result.lost or result.duplicated or result.merged or result.unmatched)
    assert good, result.report()


def _perfect(corpus: Corpus, base: str) -> list[OutItem]:
    """One output item per story, carrying exactly its labels."""
    items = {}
    for r in corpus.records:
        if r.labels.story not in items:
            items[r.labels.story] = OutItem(
                id=r.labels.story,
                url=served_url(r, corpus.source(r.source), base),
                title=r.title,
                payers=r.labels.payers,
                kinds=r.labels.kinds,
                incidents=r.labels.incidents,
            )
    return list(items.values())


def test_the_scorer_sees_duplicates_merges_and_wrong_labels() -> None:
    corpus = load_corpus()
    base = "http://127.0.0.1:8000/"
    perfect = _perfect(corpus, base)
    clean = score(corpus, perfect, [], base)
    assert clean.payers.f1 == clean.kinds.f1 == clean.pairs.f1 == 1.0
    assert not (clean.lost or clean.duplicated or clean.merged or clean.unmatched)
    first, second, *rest = perfect
    merged = replace(first, also_at=(second.url,), payers=first.payers | {"msa"})
    copy = replace(rest[0], id="copy", url=rest[0].url + "?utm_source=rss")
    broken = score(corpus, [merged, *rest, copy], [], base)
    assert broken.merged == [merged.id]
    assert broken.duplicated == [rest[0].id]
    assert broken.payers.fp >= 1
    assert any("WRONG MERGE" in line for line in broken.lines)
