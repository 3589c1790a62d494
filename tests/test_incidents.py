"""Grouping advisory items into incidents: keys, windows, status, stable ids, titles."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.models import Incident, StatusSignal
from aggregator.understand.incidents import IncidentInput, group_incidents

NAMES = {
    "viamedis": "Viamedis",
    "almerys": "Almerys",
    "sp-sante": "SP Santé",
    "cerp": "CERP",
    "ocp": "OCP",
    "cetip": "Cetip",
    "resopharma": "Résopharma",
}
LABELS = {
    "cyberattack": "Cyberattaque",
    "data-breach": "Fuite de données",
    "outage": "Panne",
    "payment-disruption": "Retard de paiement",
    "tiers-payant-suspension": "Suspension du tiers payant",
    "phishing": "Hameçonnage",
    "supply-disruption": "Livraisons perturbées",
}
START = datetime(2024, 1, 29, 15, 0, tzinfo=UTC)


def item(
    id: str,
    day: float,
    *,
    payers: tuple[str, ...] = ("viamedis",),
    kinds: tuple[str, ...] = ("cyberattack",),
    organisations: tuple[str, ...] = (),
    status: StatusSignal | None = None,
    actions: tuple[str, ...] = (),
    contacts: tuple[str, ...] = (),
) -> IncidentInput:
    # The title names what the item is about, as a report of the event does.
    about = " et ".join(NAMES.get(k, k) for k in (payers or organisations))
    return IncidentInput(
        id=id,
        date=START + timedelta(days=day),
        title=(f"Incident {id} : {about}" if about else f"Incident {id}")
        + (" : service rétabli" if status == "resolved" else ""),
        payers=payers,
        kinds=kinds,
        organisations=organisations,
        status=status,
        actions=actions,
        contacts=contacts,
    )


def group(
    items: Sequence[IncidentInput], previous: Mapping[str, Sequence[str]] | None = None
) -> list[Incident]:
    return group_incidents(
        items, previous or {}, lambda s: NAMES.get(s, s), lambda k: LABELS.get(k, k)
    )


def by_payer(incidents: list[Incident], payer: str) -> list[Incident]:
    return [i for i in incidents if i.payers and i.payers[0] == payer]


def previous_of(incidents: list[Incident]) -> dict[str, list[str]]:
    """What the store would hand back on the next run: item id -> incident ids."""
    memberships: dict[str, list[str]] = {}
    for incident in incidents:
        for item_id in incident.items:
            memberships.setdefault(item_id, []).append(incident.id)
    return memberships


def test_items_of_one_payer_form_one_incident_oldest_first() -> None:
    incidents = group(
        [
            item("c", 3, kinds=("tiers-payant-suspension",)),
            item("a", 0, kinds=("cyberattack", "outage")),
            item("b", 1, kinds=("phishing",)),
        ]
    )
    assert len(incidents) == 1
    incident = incidents[0]
    assert incident.items == ("a", "b", "c")
    assert incident.payers == ("viamedis",)
    assert incident.started == START and incident.updated == START + timedelta(days=3)
    assert incident.kinds == ("cyberattack", "outage", "tiers-payant-suspension", "phishing")
    assert incident.status == "ongoing" and incident.resolved is None


def test_two_payers_are_two_incidents_and_a_shared_item_belongs_to_both() -> None:
    incidents = group(
        [
            item("v1", 0, payers=("viamedis",)),
            item("a1", 6, payers=("almerys",), kinds=("cyberattack", "data-breach")),
            item("cnil", 9, payers=("viamedis", "almerys"), kinds=("data-breach",)),
        ]
    )
    viamedis, almerys = by_payer(incidents, "viamedis"), by_payer(incidents, "almerys")
    assert len(viamedis) == 1 and len(almerys) == 1
    assert viamedis[0].items == ("v1", "cnil")
    assert almerys[0].items == ("a1", "cnil")
    assert viamedis[0].id != almerys[0].id
    assert viamedis[0].payers == ("viamedis",)  # the shared note does not make it Almerys'


def test_items_beyond_the_window_start_a_new_incident() -> None:
    # The window runs from the incident's last item: 21 days is in, a minute more is out.
    incidents = group([item("a", 0), item("b", 20), item("c", 41), item("d", 62.001)])
    assert sorted(i.items for i in incidents) == [("a", "b", "c"), ("d",)]


def test_supply_trouble_is_not_the_same_incident_as_a_cyberattack() -> None:
    incidents = group(
        [
            item("attack", 0, payers=(), organisations=("cerp",), kinds=("cyberattack",)),
            item("orders", 1, payers=(), organisations=("cerp",), kinds=("supply-disruption",)),
            item("later", 2, payers=(), organisations=("cerp",), kinds=("outage",)),
        ]
    )
    assert sorted(i.items for i in incidents) == [("attack", "later"), ("orders",)]
    assert all(i.payers == () and i.organisations == ("cerp",) for i in incidents)


def test_items_with_neither_payer_nor_organisation_form_no_incident() -> None:
    assert group([item("a", 0, payers=())]) == []


def test_a_payer_merely_named_forms_no_incident() -> None:
    assert group([item("a", 0, kinds=())]) == []


def test_resolved_then_reopened_by_an_explicit_failure() -> None:
    items = [
        item("attack", 0, kinds=("cyberattack", "outage")),
        item("back", 14, kinds=(), status="resolved"),
    ]
    [incident] = group(items)
    assert incident.status == "resolved"
    assert incident.resolved == START + timedelta(days=14)
    assert incident.items == ("attack", "back")

    down = dataclasses.replace(
        item("down", 16, kinds=("outage",), status="failure"),
        title="Viamedis : le portail de nouveau en panne",
    )
    [reopened] = group([*items, down])
    assert reopened.status == "ongoing" and reopened.resolved is None
    assert reopened.items == ("attack", "back", "down")


def test_a_recap_naming_the_attack_does_not_reopen_a_resolved_incident() -> None:
    [incident] = group(
        [
            item("attack", 0),
            item("back", 10, kinds=(), status="resolved"),
            item("recap", 12, kinds=("cyberattack", "data-breach")),
        ]
    )
    assert incident.items == ("attack", "back", "recap")
    assert incident.status == "resolved"


def test_a_resolution_only_item_joins_but_never_founds() -> None:
    lone = group([item("back", 0, kinds=(), status="resolved")])
    assert lone == []
    too_late = group([item("attack", 0), item("back", 30, kinds=(), status="resolved")])
    assert [i.items for i in too_late] == [("attack",)]
    assert too_late[0].status == "ongoing"


def test_a_resolution_joins_the_most_recently_updated_incident_of_its_key() -> None:
    incidents = group(
        [
            item("orders", 0, payers=(), organisations=("cerp",), kinds=("supply-disruption",)),
            item("attack", 1, payers=(), organisations=("cerp",), kinds=("cyberattack",)),
            item("back", 2, payers=(), organisations=("cerp",), kinds=(), status="resolved"),
        ]
    )
    resolved = [i for i in incidents if i.status == "resolved"]
    assert [i.items for i in resolved] == [("attack", "back")]


def test_a_failure_without_kind_founds_an_incident() -> None:
    [incident] = group([item("down", 0, kinds=(), status="failure")])
    assert incident.id == "2024-01-29-viamedis-incident"
    assert incident.title == "Viamedis : incident"


def test_new_id_is_date_key_and_first_kind() -> None:
    [incident] = group([item("a", 0, payers=("almerys",), kinds=("outage", "cyberattack"))])
    assert incident.id == "2024-01-29-almerys-cyberattack"


def test_id_is_stable_when_a_later_item_arrives() -> None:
    first = group([item("a", 0, kinds=("outage",))])
    later = group(
        [item("a", 0, kinds=("outage",)), item("b", 3, kinds=("cyberattack",))],
        previous_of(first),
    )
    assert [i.id for i in later] == [first[0].id]


def test_id_is_stable_when_an_earlier_item_is_backfilled() -> None:
    first = group([item("b", 2, kinds=("outage",)), item("c", 4)])
    assert first[0].id == "2024-01-31-viamedis-outage"
    backfilled = group(
        [item("a", 0, kinds=("cyberattack",)), item("b", 2, kinds=("outage",)), item("c", 4)],
        previous_of(first),
    )
    assert [i.id for i in backfilled] == ["2024-01-31-viamedis-outage"]
    assert backfilled[0].items == ("a", "b", "c")
    assert backfilled[0].started == START


def test_a_previous_id_of_another_key_is_not_borrowed() -> None:
    # Last run, the regulator's note was tagged Viamedis only; now it names Almerys too.
    previous = {"v1": ["2024-01-29-viamedis-cyberattack"]}
    previous["cnil"] = ["2024-01-29-viamedis-cyberattack"]
    again = group([item("v1", 0), item("cnil", 2, payers=("viamedis", "almerys"))], previous)
    ids = {i.payers[0]: i.id for i in again}
    assert ids == {
        "viamedis": "2024-01-29-viamedis-cyberattack",
        "almerys": "2024-01-31-almerys-cyberattack",
    }


def test_a_key_that_prefixes_another_does_not_borrow_its_ids() -> None:
    names = {"mut": "Mut", "mut-sante": "Mut Santé"}
    first = group([item("x", 0, payers=("mut-sante",))])
    again = group_incidents(
        [item("x", 0, payers=("mut", "mut-sante"))],
        previous_of(first),
        names.__getitem__,
        LABELS.__getitem__,
    )
    ids = {i.payers[0]: i.id for i in again}
    assert ids["mut-sante"] == first[0].id
    assert ids["mut"] == "2024-01-29-mut-cyberattack"


def test_when_a_group_splits_the_id_goes_to_the_items_that_shared_it_most() -> None:
    previous = {"a": ["old-viamedis"], "b": ["2024-01-29-viamedis-cyberattack"]}
    previous["c"] = ["2024-01-29-viamedis-cyberattack"]
    incidents = group([item("a", 0), item("b", 1), item("c", 2)], previous)
    assert [i.id for i in incidents] == ["2024-01-29-viamedis-cyberattack"]
    split = group(
        [item("a", 0), item("b", 30), item("c", 31)],
        {"a": ["2024-01-29-viamedis-cyberattack"], "b": ["2024-01-29-viamedis-cyberattack"],
         "c": ["2024-01-29-viamedis-cyberattack"]},
    )  # fmt: skip
    ids = {i.items: i.id for i in split}
    assert ids[("b", "c")] == "2024-01-29-viamedis-cyberattack"
    assert ids[("a",)] == "2024-01-29-viamedis-cyberattack-2"


def test_ids_are_unique_when_two_groups_would_share_one() -> None:
    incidents = group(
        [
            item("a", 0, payers=(), organisations=("cerp",), kinds=("cyberattack",)),
            item("b", 0.1, payers=(), organisations=("cerp",), kinds=("supply-disruption",)),
            item("c", 0.2, payers=(), organisations=("cerp",), kinds=("cyberattack",)),
            item("d", 40, payers=(), organisations=("cerp",), kinds=("cyberattack",)),
        ]
    )
    ids = [i.id for i in incidents]
    assert len(ids) == len(set(ids)) == 3
    for incident_id in ids:
        assert incident_id.replace("-", "").isalnum() and incident_id == incident_id.lower()


def test_the_id_date_is_the_day_in_paris() -> None:
    late = IncidentInput(
        "late",
        datetime(2024, 1, 29, 23, 30, tzinfo=UTC),  # 00:30 on the 30th in Paris
        "Viamedis : panne",
        ("viamedis",),
        ("outage",),
        (),
        None,
        (),
        (),
    )
    [incident] = group([late])
    assert incident.id == "2024-01-30-viamedis-outage"


def test_ids_are_ascii_slugs_even_for_odd_keys() -> None:
    [incident] = group([item("a", 0, payers=("Mutuelle Générale!",))])
    assert incident.id == "2024-01-29-mutuelle-generale-cyberattack"


def test_title_names_the_key_and_the_dominant_kinds() -> None:
    [incident] = group(
        [
            item("a", 0, kinds=("cyberattack", "outage")),
            item("b", 1, kinds=("outage",)),
            item("c", 2, kinds=("phishing",)),
            item("d", 3, kinds=("cyberattack",)),
        ]
    )
    assert incident.title == "Viamedis : cyberattaque et panne"


def test_title_keeps_acronyms_and_uses_organisation_names() -> None:
    [incident] = group(
        [item("a", 0, payers=(), organisations=("resopharma",), kinds=("outage",))],
    )
    assert incident.title == "Résopharma : panne"


def test_actions_and_contacts_are_merged_without_repeats_in_order() -> None:
    [incident] = group(
        [
            item("a", 0, actions=("changer les mots de passe",), contacts=("0805 62 00 10",)),
            item(
                "b",
                1,
                actions=("prévenir la banque", "Changer  les mots de passe"),
                contacts=("0805 62 00 10", "support@exemple.fr"),
            ),
        ]
    )
    assert incident.actions == ("changer les mots de passe", "prévenir la banque")
    assert incident.contacts == ("0805 62 00 10", "support@exemple.fr")


def test_incidents_come_newest_update_first() -> None:
    incidents = group(
        [item("v", 0), item("a", 5, payers=("almerys",)), item("s", 2, payers=("x",))]
    )
    assert [i.items for i in incidents] == [("a",), ("s",), ("v",)]


def test_input_order_does_not_change_the_result() -> None:
    items = [
        item(str(n), n * 0.5, kinds=("outage",) if n % 2 else ("cyberattack",)) for n in range(9)
    ]
    assert group(items) == group(list(reversed(items)))


@pytest.mark.parametrize("naive_first", [True, False])
def test_naive_dates_are_read_as_paris_time_without_error(naive_first: bool) -> None:
    naive = IncidentInput(
        "n", datetime(2024, 1, 30, 10, 0), "t", ("viamedis",), ("outage",), (), None, (), ()
    )
    items = [naive, item("a", 0)] if naive_first else [item("a", 0), naive]
    [incident] = group(items)
    assert incident.items == ("a", "n")


def test_grouping_many_items_is_fast() -> None:
    payers = [f"payer-{n}" for n in range(50)]
    items = [
        item(f"i{n}", n * 0.01, payers=(payers[n % 50], payers[(n * 7) % 50]))
        for n in range(20_000)
    ]
    started = time.perf_counter()
    incidents = group(items)
    assert time.perf_counter() - started < 5
    assert sum(len(i.items) for i in incidents) >= 20_000


ITEMS = st.lists(
    st.builds(
        item,
        st.uuids().map(lambda u: u.hex[:8]),
        st.floats(min_value=0, max_value=120, allow_nan=False),
        payers=st.lists(st.sampled_from(["viamedis", "almerys", "sp-sante"]), max_size=2).map(
            tuple
        ),
        kinds=st.lists(st.sampled_from(sorted(LABELS)), max_size=2).map(tuple),
        organisations=st.lists(st.sampled_from(["cerp", "resopharma"]), max_size=1).map(tuple),
        status=st.sampled_from([None, None, "resolved", "failure"]),
    ),
    max_size=30,
    unique_by=lambda i: i.id,
)


@settings(max_examples=150, deadline=None)
@given(ITEMS)
def test_invariants_of_any_grouping(items: list[IncidentInput]) -> None:
    incidents = group(items)
    ids = [i.id for i in incidents]
    assert len(ids) == len(set(ids))
    dates = {i.id: i.date for i in items}
    for incident in incidents:
        assert incident.items, "no empty incident"
        timeline = [dates[x] for x in incident.items]
        assert timeline == sorted(timeline)
        assert (incident.started, incident.updated) == (timeline[0], timeline[-1])
        assert (incident.status == "resolved") == (incident.resolved is not None)
    placed = {x for incident in incidents for x in incident.items}
    for i in items:
        if (i.kinds or i.status == "failure") and (i.payers or i.organisations):
            assert i.id in placed, "an item with news always finds or founds an incident"
        if not (i.kinds or i.status):
            assert i.id not in placed


@settings(max_examples=100, deadline=None)
@given(ITEMS)
def test_regrouping_with_the_previous_run_keeps_every_id(items: list[IncidentInput]) -> None:
    first = group(items)
    again = group(list(reversed(items)), previous_of(first))
    assert sorted(i.id for i in again) == sorted(i.id for i in first)
    assert {i.id: i.items for i in again} == {i.id: i.items for i in first}


@settings(max_examples=150, deadline=None)
@given(ITEMS, st.randoms(use_true_random=False))
def test_the_same_items_in_any_order_give_the_same_incidents(
    items: list[IncidentInput], random: object
) -> None:
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert group(shuffled) == group(items)


# --- follow-ups that name nobody ----------------------------------------------------------

STRIKE = (
    "Grève chez un grossiste : livraisons perturbées",
    "Un mouvement social des chauffeurs-livreurs perturbe les livraisons de la CERP dans les "
    "agences de l'Ouest ; des commandes urgentes sont retardées et les tournées réduites.",
)
STRIKE_OVER = (
    "Grève levée : les livraisons reprennent dans l'Ouest",
    "Le mouvement des chauffeurs-livreurs a pris fin après un accord salarial ; les tournées "
    "du grossiste-répartiteur et les commandes reprennent dans les agences de Bretagne.",
)
SHORTAGE_OVER = (
    "Amoxicilline : les tensions d'approvisionnement se résorbent",
    "Les laboratoires ont augmenté leur production de suspensions buvables pédiatriques ; "
    "l'Agence du médicament lève les recommandations de dispensation à l'unité.",
)


def told(
    id: str,
    day: float,
    story: tuple[str, str],
    *,
    organisations: tuple[str, ...] = (),
    status: StatusSignal | None = None,
    kinds: tuple[str, ...] = ("supply-disruption",),
) -> IncidentInput:
    return IncidentInput(
        id=id,
        date=START + timedelta(days=day),
        title=story[0],
        payers=(),
        kinds=kinds,
        organisations=organisations,
        status=status,
        actions=(),
        contacts=(),
        text=story[1],
    )


def test_a_follow_up_naming_nobody_joins_and_resolves_the_incident_it_continues() -> None:
    strike = told("a", 0, STRIKE, organisations=("cerp",), status="failure")
    over = told("b", 2, STRIKE_OVER, status="resolved")
    [incident] = group([strike, over])
    assert incident.items == ("a", "b")
    assert incident.status == "resolved"


def test_an_unnamed_item_about_another_story_of_the_same_kind_stays_out() -> None:
    strike = told("a", 0, STRIKE, organisations=("cerp",), status="failure")
    shortage_over = told("b", 2, SHORTAGE_OVER, status="resolved")
    [incident] = group([strike, shortage_over])
    assert incident.items == ("a",)
    assert incident.status == "ongoing"


def test_an_item_labelled_with_another_name_is_no_follow_up() -> None:
    """The same words, but a title whose label names someone the incident never names:
    another story ("Change Healthcare : ..." beside a Viamedis outage), which stays out;
    the same item with a label the incident's reports name, or a place, follows."""
    strike = told("a", 0, STRIKE, organisations=("cerp",), status="failure")
    words = STRIKE_OVER[1]
    elsewhere = told("b", 2, ("Bruneau Logistique : les livraisons reprennent", words))
    assert sorted(i.items for i in group([strike, elsewhere])) == [("a",), ("b",)]
    same = told("c", 2, ("CERP : les livraisons reprennent", words), status="resolved")
    place = told("d", 2, ("À Rennes, les livraisons reprennent", words), status="resolved")
    [incident] = group([strike, same])
    assert incident.items == ("a", "c")
    [incident] = group([strike, place])
    assert incident.items == ("a", "d")


def test_a_long_incident_s_many_reports_do_not_outweigh_the_one_a_follow_up_continues() -> None:
    # Taken together, the reports of a long episode elsewhere share many words with
    # anything; the follow-up shares its details with one report of its own story.
    strike = told("a", 0, STRIKE, organisations=("cerp",), status="failure")
    snow = [
        (
            "Intempéries : l'OCP adapte ses tournées",
            "Les agences de Bretagne réduisent les tournées à cause de la neige.",
        ),
        (
            "OCP : un accord avec les transporteurs",
            "Un accord salarial a été trouvé pour les transporteurs face à la neige.",
        ),
        (
            "Neige : les commandes de l'OCP reprennent",
            "Les commandes reprennent lentement dans l'Ouest, le grossiste-répartiteur rassure.",
        ),
    ]
    episode = [
        told(f"s{n}", 0.5 + n / 10, story, organisations=("ocp",), status="failure")
        for n, story in enumerate(snow)
    ]
    over = told("b", 2, STRIKE_OVER, status="resolved")
    incidents = {i.items[0]: i for i in group([strike, *episode, over])}
    assert incidents["a"].items == ("a", "b") and incidents["a"].status == "resolved"
    assert "b" not in incidents["s0"].items


def test_an_unnamed_follow_up_with_two_fitting_incidents_joins_neither() -> None:
    first = told("a", 0, STRIKE, organisations=("cerp",), status="failure")
    other = (STRIKE[0], STRIKE[1].replace("la CERP", "l'OCP"))
    second = told("b", 1, other, organisations=("ocp",), status="failure")
    over = told("c", 2, STRIKE_OVER, status="resolved")
    incidents = group([first, second, over])
    assert sorted(i.items for i in incidents) == [("a",), ("b",)]
    assert all(i.status == "ongoing" for i in incidents)


def test_an_unnamed_follow_up_needs_a_kind_and_reach() -> None:
    strike = told("a", 5, STRIKE, organisations=("cerp",), status="failure")
    no_kind = told("b", 6, STRIKE_OVER, status="resolved", kinds=())
    too_late = told("c", 5 + 22, STRIKE_OVER, status="resolved")
    too_early = told("d", 5 - 4, STRIKE_OVER, status="resolved")
    other_family = told("e", 6, STRIKE_OVER, status="resolved", kinds=("outage",))
    [incident] = group([strike, no_kind, too_late, too_early, other_family])
    assert incident.items == ("a",)
    assert incident.status == "ongoing"


def test_an_unnamed_item_dated_just_before_the_first_named_report_is_not_lost() -> None:
    """A wire story that names nobody may come out hours before the one naming the key."""
    early = told("d", 4.5, STRIKE, status="failure")
    strike = told("a", 5, STRIKE, organisations=("cerp",), status="failure")
    [incident] = group([strike, early])
    assert incident.items == ("d", "a")
    assert incident.started == early.date


def test_kind_families_and_order_come_from_the_taxonomy() -> None:
    """incidents.py holds no kind vocabulary of its own: taxonomy.yaml's `family:` and order."""
    from aggregator.understand import incidents
    from aggregator.understand.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    slugs = tuple(k.slug for k in taxonomy.kind_entries)
    assert incidents.kind_order() == slugs
    for slug in slugs:
        assert incidents._families([slug]) == {taxonomy.family(slug)}
    assert not hasattr(incidents, "SERVICE_FAMILY")


CERP_DOWN = (
    "CERP : le portail de commande inaccessible",
    "Le portail de commande en ligne de la CERP reste inaccessible aux pharmaciens depuis sa "
    "migration de samedi ; les commandes urgentes passent par téléphone.",
)
CERP_ATTACKED = (
    "CERP : le portail de commande visé par une cyberattaque",
    "Le portail de commande en ligne de la CERP a subi une cyberattaque samedi ; les "
    "commandes urgentes des pharmaciens passent par téléphone.",
)


def test_an_unnamed_fraud_campaign_follows_an_attack_not_an_outage() -> None:
    # A campaign alone is the wake of an attack or a leak, not of a migration under way.
    outage = told("a", 0, CERP_DOWN, organisations=("cerp",), status="failure", kinds=("outage",))
    lure = told(
        "b",
        1,
        (
            "Gare aux faux messages",
            "De faux messages invitent les pharmaciens à se reconnecter au portail de commande "
            "en ligne après sa migration de samedi pour débloquer leurs commandes urgentes.",
        ),
        kinds=("phishing",),
    )
    assert sorted(i.items for i in group([outage, lure])) == [("a",)]
    attack = told(
        "c", 0, CERP_ATTACKED, organisations=("cerp",), status="failure", kinds=("cyberattack",)
    )
    [incident] = group([attack, lure])
    assert incident.items == ("c", "b")


def test_an_unnamed_attack_is_no_sequel_of_an_outage() -> None:
    # An attack reported without a name starts a story: it does not follow an incident of
    # another kind of its family in reach (an outage, payments late), whatever words they
    # share; it follows an attack.
    outage = told("a", 0, CERP_DOWN, organisations=("cerp",), status="failure", kinds=("outage",))
    attack = told(
        "b",
        1,
        (
            "Attaque informatique : le portail de commande en ligne visé",
            "Le portail de commande en ligne a subi une attaque informatique samedi ; les "
            "commandes urgentes des pharmaciens passent par téléphone.",
        ),
        status="failure",
        kinds=("cyberattack", "outage"),
    )
    assert sorted(i.items for i in group([outage, attack])) == [("a",)]
    first = told(
        "c",
        0,
        CERP_ATTACKED,
        organisations=("cerp",),
        status="failure",
        kinds=("cyberattack", "outage"),
    )
    [incident] = group([first, attack])
    assert incident.items == ("c", "b")


def test_a_maintenance_announced_is_no_part_of_an_incident_under_way() -> None:
    # Payments late at one of the payer's funds, then a maintenance of its portal announced
    # for the next week: two events of one key, two incidents.
    late = IncidentInput(
        id="a",
        date=START,
        title="Assurance Maladie : les paiements d'une caisse en retard",
        payers=("assurance-maladie",),
        kinds=("payment-disruption",),
        organisations=(),
        status="failure",
        actions=(),
        contacts=(),
        text="Les virements de la caisse primaire sont en retard depuis lundi.",
    )
    maintenance = IncidentInput(
        id="b",
        date=START + timedelta(days=5),
        title="Assurance Maladie : maintenance des téléservices la nuit du 15 décembre",
        payers=("assurance-maladie",),
        kinds=("outage",),
        organisations=(),
        status="planned",
        actions=(),
        contacts=(),
        text="Les téléservices seront indisponibles de 22 h à 6 h pour une maintenance.",
    )
    assert sorted(i.items for i in group([late, maintenance])) == [("a",), ("b",)]
