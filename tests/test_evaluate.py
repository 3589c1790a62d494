"""`aggregator evaluate` on the labelled corpora: the scores reached are a floor.

The thresholds are what the understanding stage reaches on the sets written here; a change
that lowers one fails. The CLI prints every error with the rule that fired.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.understand.evaluate import evaluate
from aggregator.understand.taxonomy import own_notice_payers

CORPUS = Path(__file__).parent / "data" / "corpus"
REAL = CORPUS / "real"


def test_the_old_corpus_scores_at_its_floor() -> None:
    report = evaluate([CORPUS])
    assert report.payer.f1 >= 0.95
    assert report.kind.f1 >= 0.99
    assert report.pairs.f1 >= 0.99
    assert not report.spurious
    assert report.status_right == report.status_total
    assert not report.duplicates and not report.wrong_merges


# The whole real corpus classified (about 40 s of one core): end to end, so `slow`; while
# working, `aggregator evaluate tests/data/corpus/real` prints the same figures and errors.
@pytest.mark.slow
def test_the_real_events_corpus_scores_at_its_floor() -> None:
    report = evaluate([REAL])
    # Reached on 548 items: payers 0.950, kinds 0.895, pairs 0.951, 0 spurious, statuses
    # 56 of 62 (before this work: payers 0.74, kinds 0.68-0.70, 36 spurious incidents). The
    # items written in other voices since session 21 (s21-* to s34-*.yaml; from s22 on by
    # writers who had not read the rules) lower the figures when they come: what they
    # still misread is what the rules do not read yet. On 854 items, at the first reading
    # of s34: payers 0.939, kinds 0.872, pairs 0.895, 6 spurious, statuses 78 of 95. On
    # 926 items, at the first reading of s35 (72 items, alone: payers 0.950, kinds 0.807,
    # 2 spurious, statuses 6 of 10): payers 0.941, kinds 0.866, pairs 0.887, 7 spurious,
    # statuses 86 of 105, and one wrong merge (two updates of one status page, whose links
    # differ only by their fragment, were one item: see text.urls.link_key). On 1,004
    # items, at the first reading of s36 (78 items on payers' and pharmacies' own troubles;
    # alone: payers 0.953, kinds 0.696 and 0.625 for its two halves, 3 spurious): payers
    # 0.943, kinds 0.859, pairs 0.898, 10 spurious, statuses 89 of 110. On 1,076 items, at
    # the first reading of s37 (72 items: national press at length, institutions in their
    # own register; taken after all of session 24's rules; alone: payers 0.933, kinds 0.744
    # with a precision of 0.644, pairs 0.852, 3 spurious, statuses 4 of 4): payers 0.942,
    # kinds 0.850, pairs 0.900, 11 spurious, statuses 94 of 114. On 1,217 items, at the
    # first readings of s38 (71 items: software vendors, groupements, pharmacists' posts,
    # regional press, interviews; alone: payers 1.000, kinds 0.757, 1 spurious, one wrong
    # merge: a status page's resolution at its incident's link, see dedupe.same_feed_update)
    # and s39 (70 items: episodes told by many voices under several names; alone: payers
    # 0.968, kinds 0.779, pairs 0.620, 2 spurious): payers 0.946, kinds 0.845, pairs 0.898,
    # 9 spurious, statuses 101 of 126. On 1,363 items, at the first readings of s40 (70
    # items: five real episodes abroad told by many outlets up to their aftermath, with
    # same-name traps; alone: payers 0.500 on 3 tags, kinds 0.824, pairs 0.246 with a
    # recall of 0.140, statuses 2 of 5) and s41 (76 items: digests, joint union
    # communiqués rewritten by each union, status pages, alerts, forums; alone: payers
    # 0.862, kinds 0.753, 3 spurious, statuses 4 of 10, 7 duplicate stories): payers 0.940
    # to 0.944, kinds 0.850 to 0.852, pairs 0.851 (s40) and 0.896 (s41), 8 and 10 spurious.
    # On 1,507 items, at the first readings of s42 (72 items: the French trade press on
    # French incidents, 26 of them already in the corpus; alone: payers 0.884, kinds 0.806,
    # 1 spurious) and s43 (72 items: three ordinary weeks of 2023, two thirds routine news
    # of agencies, payers, unions; alone: payers 1.000, kinds 0.727, pairs precision 0.312):
    # payers 0.939, kinds 0.845, pairs 0.857 (precision 0.883), 10 spurious, statuses 108 of
    # 144. Read after every rule of this session but their own. On 1,936 items, at the
    # first readings of six batches of session 26 (each alone): s45 (74 items: payers' own
    # news, their incidents in indirect words, homonyms; payers 0.877, kinds 0.594, pairs
    # 0.261, statuses 4 of 9) and s46 (76 items: posts, SMS, status pages in English and
    # French, titles alone; payers 0.750, kinds 0.542, pairs 0.274, one duplicate: a
    # forwarded SMS, see dedupe's closing rule), read before any rule; s44 (71 items: press
    # articles on real episodes; payers 0.925, kinds 0.786, 3 spurious) read after s46's
    # rules; s49 (70 items: incidents told by their consequences, in everyday and literary
    # words; payers 0.605, kinds 0.437, pairs 0.000, statuses 0 of 7); s47 (68 items: real
    # incidents of 2013-2025 as the press told them; payers 0.718, kinds 0.755, pairs 0.476,
    # 1 spurious) and s48 (70 items: digests; payers 0.865, kinds 0.794, statuses 3 of 11),
    # read after every other rule of the session. With them: payers 0.916, kinds 0.838,
    # pairs 0.852 (precision 0.897), 9 spurious, statuses 133 of 189; then 0.840, 0.855
    # (precision 0.903), 9, 134 once an unnamed attack no longer followed payments late.
    # On 2,073 items, at the first readings of s50 (71 items: four months of 2018 from 33
    # sites, two thirds ordinary news naming organisations in passing; payers 0.939, kinds
    # 0.765, pairs 0.464 with a precision of 0.419: an unnamed flood follow-up and a planned
    # maintenance drawn into other incidents) and s51 (66 items: agencies, regulators and
    # institutions; payers 0.636, kinds 0.742, pairs 0.596), read after every rule of the
    # session but two maintenance wordings: payers 0.913, kinds 0.836, pairs 0.847
    # (precision 0.890), 11 spurious, statuses 142 of 208; 143 once a maintenance announced
    # no longer joined an incident under way of its payer. On 2,208 items, at the first
    # readings of s52 (70 items: three months of 2021 from 36 sites; payers 0.941, kinds
    # 0.714 with a precision of 0.641, pairs 0.417, statuses 5 of 6) and s53 (65 items:
    # payers in the trade press, 2015-2025; payers 0.883, kinds 0.727 with a precision of
    # 0.609, pairs 0.933, 1 spurious), read after every other rule of the session: payers
    # 0.912, kinds 0.832, pairs 0.847 (precision 0.879), 11 spurious, statuses 155 of 220.
    # On 2,503 items (session 27), at the first readings of s54 (75 items: software vendors'
    # banners and status pages, groupements, unions' bulletins, wholesalers' notices,
    # pharmacists' forum threads; payers 0.893, kinds 0.760, pairs 0.318, 1 spurious,
    # statuses 4 of 7) and s55 (76 items: how episodes unfold and end in the regional and
    # general press of 2016-2020; payers 0.863, kinds 0.476, pairs 0.381, statuses 2 of
    # 12), read after every rule of session 26 and one of 27, then s57 (72 items: short
    # formats, posts, status pages in English; payers 0.842, kinds 0.696, pairs 0.511, 1
    # spurious, statuses 3 of 7) and s56 (72 items: the other health trades and the
    # networks; payers 0.962, kinds 0.809, pairs 0.873, 2 spurious, statuses 4 of 6), read
    # after the rules written for s54 and s55: payers 0.915, kinds 0.830, pairs 0.837
    # (precision 0.886), 13 spurious, statuses 167 of 252. On 2,649 items, at the first
    # readings of s58 (71 items: the national general press of 2022-2025; payers 0.920,
    # kinds 0.823 with a precision of 0.763, pairs 0.965, 2 spurious, statuses 3 of 4) and
    # s59 (75 items: a pharmacy team's own e-mails, chats and handover notes; payers 0.741,
    # kinds 0.639, pairs 0.413, 3 spurious, statuses 0 of 6), read after every other rule of
    # the session: payers 0.913, kinds 0.830, pairs 0.832 with a precision of 0.864 (names
    # that shared only a common word, "Santé", chained incidents across years); 0.844
    # (precision 0.890) once such words no longer join names; 15 spurious, statuses 178 of
    # 262. On 2,763 items, at the first readings of s60 (59 items: the payers' and
    # operators' own notices and status pages; payers 0.959, kinds 0.835, pairs 0.857, 5
    # spurious: payers saying another's trouble does not concern them, statuses 9 of 10)
    # and s61 (55 items: long-form trade weeklies; payers 0.852, kinds 0.758, pairs 0.600,
    # 2 spurious, statuses 3 of 9), read after every rule of the session: payers 0.914,
    # kinds 0.829, pairs 0.843 (precision 0.880), 21 spurious, statuses 191 of 281.
    # On 3,140 items (session 28), at the first readings of six batches (each alone), s62
    # (60 items: regulators and agencies and the press reporting them; payers 0.958, kinds
    # 0.699, pairs 0.723, statuses 6 of 8), s63 (67 items: follow-ups and endings; payers
    # 0.933, kinds 0.761, pairs 0.716, statuses 4 of 7) and s64 (67 items: patients' and
    # mutuelles' members' voices; payers 0.874, kinds 0.836, pairs 0.821, 1 spurious,
    # statuses 7 of 11), read after session 27's rules; s65 (60 items: spoken French, radio
    # and podcasts; payers 0.889, kinds 0.768, pairs 0.757, 3 spurious, statuses 6 of 9), s66
    # (61 items: live blogs and wires; payers 0.923, kinds 0.905, pairs 0.891, 1 spurious,
    # statuses 5 of 5) and s67 (62 items: digests and newsletters; payers 0.681, kinds
    # 0.831, pairs 0.706, statuses 3 of 11), read after the rules written for s62-s64:
    # payers 0.918, kinds 0.831, pairs 0.840 (precision 0.868: unnamed follow-ups of
    # another place drawn into the Viamedis attack), 21 spurious, statuses 228 of 332; then
    # pairs 0.851 (precision 0.893), statuses 225, once a label of capitalised words the
    # incident never names keeps a follow-up out (incidents._labelled_apart). On 3,277
    # items, at the first readings of s68 (74 items: feed excerpts, a title and a cut
    # description; payers 0.953, kinds 0.836, pairs 0.757, 2 spurious, statuses 8 of 10) and
    # s69 (63 items: overseas France and Corsica; payers 0.533, the overseas funds of the
    # Assurance Maladie unknown by name, kinds 0.818, pairs 0.270, statuses 6 of 11), read
    # after every other rule of the session: payers 0.922, kinds 0.834, pairs 0.849
    # (precision 0.892), 23 spurious, statuses 243 of 353; 21 spurious once civilities and a
    # regulation's name no longer key incidents; pairs 0.851 (precision 0.896) once a payer
    # named after "alors que" is another's story set beside the item's.
    # The targets (0.97, 0.92, 0.95, none spurious, every status) are not reached.
    # Grouping and dedupe alone (once tests/test_events.py's): pairs precision 0.947 on
    # 317 items, 0.939 at the first reading of 743, 0.929 on 822 once an SMS guide no longer
    # tagged the Assurance Maladie for its lures' words, 0.917 at the first reading of 854,
    # 0.916 on 1,004, 0.914 on 1,076, 0.922 at the first reading of 1,217, 0.842 at s40's
    # (a follow-up drawn into the incident with the most reports; see incidents._follow),
    # 0.913 on 1,363, 0.883 at the first readings of 1,507 (an unnamed fraud campaign
    # followed a platform migration; see _Group.followed_by), 0.904 after. One evaluation
    # serves every floor: it classifies the whole corpus.
    assert report.payer.f1 >= 0.915, report.text()  # 0.922 on 3,277 items
    assert report.kind.f1 >= 0.828, report.text()  # 0.834 on 3,277 items
    assert report.pairs.f1 >= 0.843, report.text()  # 0.851 on 3,277 items
    assert report.pairs.precision >= 0.885, report.text()  # 0.896 on 3,277 items
    assert len(report.spurious) <= 22, report.text()  # 21 on 3,277 items (session 28)
    assert report.status_right >= 238, report.text()  # 243 of 353
    assert not report.wrong_merges and not report.duplicates, report.text()


def test_the_command_prints_scores_and_every_error(tmp_path: Path) -> None:
    labelled = tmp_path / "set.yaml"
    labelled.write_text(
        """
event: test
incidents:
  I-1: {status: ongoing, payers: [viamedis], kinds: [outage]}
items:
  - {source: a, guid: "1", url: "https://a.example/1", title: "Viamedis en panne",
     date: "2024-01-29T15:00:00+01:00", body: "Le portail est inaccessible.",
     labels: {story: S-1, payers: [viamedis], kinds: [outage], incidents: [I-1]}}
  - {source: b, guid: "2", url: "https://b.example/2", title: "Prix des génériques",
     date: "2024-01-30T10:00:00+01:00", body: "Les prix baissent en décembre.",
     labels: {story: S-2, payers: [almerys], kinds: [], incidents: []}}
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["evaluate", str(labelled)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "payers (micro)" in result.output and "incident pairs" in result.output
    assert "PAYERS S-2" in result.output and "expected ['almerys'] got []" in result.output


def test_a_broken_labelled_set_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("items: [{source: a}]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml item 0" in result.output


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Calendrier de nos virements d'été", "Nos règlements du 15 août seront émis le lendemain."),
        ("Nouvelle version de notre portail", "Notre espace professionnel change d'adresse lundi."),
        ("Mise en garde", "Nos équipes ne vous demanderont jamais votre mot de passe."),
    ],
)
def test_a_payer_s_own_notice_is_about_that_payer(tmp_path: Path, title: str, body: str) -> None:
    """A notice on a payer's own source carries the payer, named or not, incident or not."""
    lines = ["event: test", "incidents: {}", "items:"]
    for n, (source, payers) in enumerate([("itelis-actus", "[itelis]")]):
        lines += [
            f"  - source: {source}",
            f'    guid: "g{n}"',
            f"    url: https://example.org/{n}",
            f'    title: "{title}"',
            '    date: "2024-05-02T10:00:00+02:00"',
            "    body: |",
            f"      {body}",
            f"    labels: {{story: S-{n}, payers: {payers}, kinds: [], incidents: []}}",
        ]
    (tmp_path / "own.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = evaluate([tmp_path])
    assert report.payer.f1 == 1.0, report.text()
    assert own_notice_payers((), ("itelis",)) == ("itelis",)
    assert own_notice_payers(("kalixia",), ("itelis",)) == ("itelis", "kalixia")
