"""Incidents as events (DOMAIN.md, "What an incident is" and "Status").

An incident opens only from an item that reports an event; keys are an operator with its
networks, a non-payer organisation or a group named without a proper name; the same items
in any order give the same incidents; statuses are planned, ongoing, resolved, and stale.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.models import STALE_AFTER, Incident, StatusSignal
from aggregator.understand.incidents import IncidentInput, group_incidents

START = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
REAL = Path(__file__).parent / "data" / "corpus" / "real"


def news(
    id: str,
    day: float,
    title: str,
    text: str = "",
    *,
    payers: tuple[str, ...] = (),
    kinds: tuple[str, ...] = ("outage",),
    organisations: tuple[str, ...] = (),
    status: StatusSignal | None = None,
) -> IncidentInput:
    return IncidentInput(
        id=id,
        date=START + timedelta(days=day),
        title=title,
        payers=payers,
        kinds=kinds,
        organisations=organisations,
        status=status,
        actions=(),
        contacts=(),
        text=text,
    )


def group(items: Sequence[IncidentInput], now: datetime | None = None) -> list[Incident]:
    return group_incidents(items, {}, str, str, now=now or START + timedelta(days=1))


def members(incidents: Sequence[Incident]) -> list[tuple[str, ...]]:
    return sorted(i.items for i in incidents)


# --- what opens an incident ---------------------------------------------------------------------

REPORT = news(
    "report",
    0,
    "Viamedis : le portail des droits inaccessible depuis ce matin",
    "Les officines ne peuvent plus consulter les droits des assurés sur le portail.",
    payers=("viamedis",),
    status="failure",
)


@pytest.mark.parametrize(
    "title, text",
    [
        # A belief or a rumour, and a denial: nothing is known to have happened.
        (
            "Panne informatique : certains ont cru à une cyberattaque chez Viamedis",
            "Le ralentissement venait d'une mise à jour, selon l'opérateur.",
        ),
        (
            "Rumeur de piratage chez Viamedis : rien ne le prouve",
            "Des messages circulent sur les réseaux sociaux depuis hier soir.",
        ),
        (
            "Non, Viamedis n'a pas été piraté",
            "L'opérateur dément toute intrusion dans ses systèmes d'information.",
        ),
        # A sanction for an episode past.
        (
            "Viamedis sanctionné : trois millions d'euros d'amende après le piratage",
            "Le régulateur reproche à l'opérateur piraté l'absence d'authentification forte.",
        ),
        # A call for vigilance in general.
        (
            "Fin d'année : vigilance sur les faux courriels au nom de Viamedis",
            "Chaque hiver, des escrocs imitent les opérateurs pour obtenir des virements.",
        ),
        # A training announced, a flaw to patch.
        (
            "Webinaire jeudi : rançongiciels et hameçonnage, protéger son officine",
            "Inscriptions ouvertes ; l'intervenant reviendra sur l'attaque contre Viamedis.",
        ),
        (
            "Vulnérabilités critiques dans une passerelle VPN : appliquez le correctif",
            "Une compromission est possible ; Viamedis et les établissements sont invités à "
            "mettre à jour.",
        ),
        # A scenario, "si" elided before "il" too.
        (
            "Et s'il y avait un nouveau Viamedis ?",
            "Après la fermeture des portails de Viamedis, nous avons refait les comptes.",
        ),
        (
            "Et si le portail de Viamedis tombait un lundi matin ?",
            "Un cabinet a simulé la trésorerie d'une officine privée de ses règlements.",
        ),
        # Advice in general, prevention, a yearly review.
        (
            "Cyberattaques : les bons réflexes pour protéger votre officine",
            "Viamedis, Almerys et l'Assurance Maladie rappellent quelques règles simples.",
        ),
        (
            "Observatoire des incidents de sécurité : le bilan de l'année",
            "Les opérateurs comme Viamedis figurent parmi les structures concernées.",
        ),
    ],
)
def test_a_hypothesis_a_denial_or_advice_opens_no_incident(title: str, text: str) -> None:
    stance = news("s", 0, title, text, payers=("viamedis",), kinds=("cyberattack",))
    assert group([stance]) == []


@pytest.mark.parametrize(
    "title, text",
    [
        # Anticipation: what might happen, not what did.
        (
            "Été : l'Assurance Maladie redoute une vague d'escroqueries",
            "L'institution anticipe une hausse des faux messages à son nom pendant les congés.",
        ),
        (
            "Fraude : l'Assurance Maladie met en garde les assurés",
            "Des escrocs pourraient se faire passer pour ses agents pendant l'été. Aucune "
            "campagne particulière n'est signalée à ce stade.",
        ),
        # A past event recalled in the opening of a story about something else.
        (
            "Cybersécurité : cinq habitudes à prendre au comptoir",
            "La cyberattaque dont l'Assurance Maladie a été la cible l'an dernier a servi "
            "d'électrochoc. Mais c'est l'officine elle-même qui s'expose chaque jour.",
        ),
        # Other news of the payer, whatever a sentence further down made a tagger see.
        (
            "L'application carte Vitale ouverte à tous les assurés",
            "Depuis ce mardi, l'Assurance Maladie permet à tous d'activer la carte Vitale "
            "sur leur téléphone, avec une identité numérique.",
        ),
    ],
)
def test_anticipation_a_recall_or_other_news_opens_no_incident(title: str, text: str) -> None:
    item = news("x", 0, title, text, payers=("assurance-maladie",), kinds=("phishing",))
    assert group([item]) == []


def test_advice_about_a_campaign_happening_now_reports_it() -> None:
    advice = news(
        "x",
        0,
        "Faux SMS de carte Vitale : les bons réflexes",
        "Une campagne de SMS usurpant l'Assurance Maladie est actuellement signalée en "
        "nombre. Ne cliquez pas sur le lien.",
        payers=("assurance-maladie",),
        kinds=("phishing",),
    )
    [incident] = group([advice])
    assert incident.items == ("x",)


def test_a_payer_named_only_deep_in_another_story_opens_no_incident() -> None:
    body = (
        "La nouvelle convention fixe les honoraires de dispensation pour les trois années à "
        "venir et revoit la rémunération des missions de prévention, des entretiens et des "
        "bilans partagés de médication, ainsi que les tarifs des gardes et des astreintes. "
        "Les syndicats ont obtenu une revalorisation des astreintes de nuit. "
        "En 2024 déjà, la cyberattaque contre Viamedis avait rappelé la fragilité du tiers "
        "payant complémentaire."
    )
    recalled = news(
        "r", 0, "La convention pharmaceutique signée", body, payers=("viamedis",), kinds=("outage",)
    )
    assert group([recalled]) == []


@pytest.mark.parametrize("org", ["cnil", "anssi", "ordre", "ars"])
def test_an_agency_or_the_order_merely_quoted_opens_no_incident(org: str) -> None:
    quoted = news(
        "q",
        0,
        "Rançongiciels : les laboratoires de biologie dans le viseur",
        "Interrogée, l'agence rappelle ses recommandations aux structures de santé.",
        organisations=(org,),
        kinds=("cyberattack",),
    )
    assert [i.organisations[:1] for i in group([quoted])] != [(org,)]


def test_an_item_reporting_the_event_opens_it() -> None:
    [incident] = group([REPORT])
    assert incident.items == ("report",) and incident.status == "ongoing"


# --- keys -----------------------------------------------------------------------------------------


def test_an_operator_and_the_networks_it_runs_are_one_incident_with_one_status() -> None:
    items = [
        news(
            "cetip",
            0,
            "Cetip : les paiements aux officines interrompus",
            "Les virements de tiers payant ne partent plus depuis vendredi.",
            payers=("cetip",),
            kinds=("payment-disruption",),
            status="failure",
        ),
        news(
            "isante",
            1,
            "iSanté : pas de virement depuis vendredi",
            "Les pharmaciens adhérents au réseau iSanté attendent leurs règlements.",
            payers=("isante",),
            kinds=("payment-disruption",),
            status="failure",
        ),
        news(
            "spsante",
            3,
            "SP Santé : les paiements ont repris",
            "Les virements en retard sont partis ce lundi, annonce le réseau.",
            payers=("sp-sante", "cetip"),
            kinds=("payment-disruption",),
            status="resolved",
        ),
    ]
    [incident] = group(items)
    assert incident.items == ("cetip", "isante", "spsante")
    assert incident.payers == ("cetip", "isante", "sp-sante")
    assert incident.status == "resolved"


def test_two_operators_attacked_a_week_apart_are_two_incidents_sharing_the_notice() -> None:
    viamedis = news(
        "v",
        0,
        "Viamedis victime d'une cyberattaque",
        "L'opérateur a coupé ses portails.",
        payers=("viamedis",),
        kinds=("cyberattack",),
    )
    almerys = news(
        "a",
        7,
        "Almerys signale à son tour une intrusion",
        "Des données d'assurés ont été consultées.",
        payers=("almerys",),
        kinds=("cyberattack", "data-breach"),
    )
    notice = news(
        "cnil",
        9,
        "Violations de données chez Viamedis et Almerys : la CNIL enquête",
        "La Commission a ouvert des contrôles chez les deux opérateurs.",
        payers=("viamedis", "almerys"),
        kinds=("data-breach",),
        organisations=("cnil",),
    )
    incidents = group([notice, almerys, viamedis])
    assert members(incidents) == [("a", "cnil"), ("v", "cnil")]


def test_a_non_payer_organisation_keys_its_own_incident() -> None:
    items = [
        news(
            "w1",
            0,
            "Cyberattaque chez CERP Bretagne Atlantique : livraisons suspendues",
            "Le répartiteur a coupé son système d'information.",
            organisations=("cerp",),
            kinds=("cyberattack", "supply-disruption"),
            status="failure",
        ),
        news(
            "w2",
            2,
            "CERP BA : les commandes passent à nouveau",
            "Les livraisons reprennent dans toutes les agences.",
            organisations=("cerp",),
            kinds=("supply-disruption",),
            status="resolved",
        ),
    ]
    [incident] = group(items)
    assert incident.organisations[0] == "cerp" and incident.payers == ()
    assert incident.status == "resolved"


@pytest.mark.parametrize(
    "title",
    ["MSA Auvergne : c'est rentré", "Paiements MSA : c'est réglé"],
)
def test_a_return_said_at_the_end_of_a_title_closes_the_incident(title: str) -> None:
    """A return whose words end the title, with no kind of its own, is read where the title
    ends as the classifier reads it, and closes the payer's incident."""
    items = [
        news(
            "m1",
            0,
            "MSA : aucun règlement depuis lundi",
            "Les factures adressées à la caisse ne sont plus réglées.",
            payers=("msa",),
            kinds=("payment-disruption",),
            status="failure",
        ),
        news(
            "m2",
            9,
            title,
            "Pour nos clients de la région, le compte est bon.",
            payers=("msa",),
            kinds=(),
            status="resolved",
        ),
    ]
    [incident] = group(items, now=START + timedelta(days=10))
    assert incident.items == ("m1", "m2")
    assert incident.status == "resolved"


def test_a_title_of_advice_in_general_joins_no_incident_its_body_recalls() -> None:
    """A training or advice in general ("Webinaire : après une cyberattaque, comment
    redémarrer ?") that recalls the attack of the month in its body is no news of it; advice
    whose title names the payer hit is ("Fuite chez Viamedis : les bons réflexes")."""
    attack = news(
        "v1",
        0,
        "Viamedis victime d'une cyberattaque",
        "L'opérateur a coupé ses portails après une intrusion.",
        payers=("viamedis",),
        kinds=("cyberattack",),
        status="failure",
    )
    webinar = news(
        "w",
        3,
        "Webinaire : après une cyberattaque, comment redémarrer ?",
        "L'intrusion de ce mois chez Viamedis a rappelé à chacun que personne n'est à l'abri.",
        payers=("viamedis",),
        kinds=("cyberattack",),
    )
    advice = news(
        "a",
        4,
        "Cyberattaque chez Viamedis : les bons réflexes",
        "Changez vos mots de passe et méfiez-vous des faux messages.",
        payers=("viamedis",),
        kinds=("cyberattack",),
    )
    [incident] = group([attack, webinar, advice], now=START + timedelta(days=5))
    assert incident.items == ("v1", "a")


def test_a_follow_up_labelled_with_a_place_its_incident_never_names_stays_out() -> None:
    """An unnamed report whose title opens with a label of capitalised words the incident
    never writes ("États-Unis : ...") is about somewhere else, whatever words of billing and
    payments it shares with the incident; one labelled with the incident's place joins."""
    text = (
        "Les pharmacies peuvent de nouveau facturer les mutuelles après la cyberattaque, "
        "mais les paiements des complémentaires restent bloqués et la trésorerie souffre."
    )
    viamedis = news(
        "v",
        0,
        "Viamedis : facturation des mutuelles bloquée après la cyberattaque",
        text,
        payers=("viamedis",),
        kinds=("cyberattack", "payment-disruption"),
        status="failure",
    )
    abroad = news(
        "u",
        2,
        "États-Unis : les pharmacies retrouvent la facturation",
        text,
        kinds=("cyberattack", "payment-disruption"),
        status="failure",
    )
    incidents = group([viamedis, abroad], now=START + timedelta(days=3))
    assert members(incidents) == [("v",)]
    place = news(
        "p1",
        0,
        "Saint-Affrique : un câble arraché, le centre-ville sans téléphone",
        "La pharmacie du centre-ville de Saint-Affrique ne peut plus télétransmettre.",
        status="failure",
    )
    later = news(
        "p2",
        1,
        "Saint-Affrique : la ligne est revenue",
        "La pharmacie du centre-ville télétransmet de nouveau depuis ce matin.",
        status="resolved",
    )
    assert members(group([place, later], now=START + timedelta(days=2))) == [("p1", "p2")]


def test_a_group_named_without_a_proper_name_is_the_key() -> None:
    """No organisation the taxonomy knows: the place or name the titles share is the key."""
    items = [
        news(
            "r1",
            0,
            "La Réunion : les répartiteurs bloqués par les barrages",
            "Les grossistes-répartiteurs de l'île ne peuvent plus livrer les officines.",
            kinds=("supply-disruption",),
            status="failure",
        ),
        news(
            "r2",
            2,
            "Barrages à La Réunion : les officines livrées au compte-gouttes",
            "Les tournées des répartiteurs restent perturbées.",
            kinds=("supply-disruption",),
            status="failure",
        ),
        news(
            "other",
            1,
            "Grève des transporteurs en Bretagne : livraisons retardées",
            "Les tournées des grossistes sont réduites dans le Finistère.",
            kinds=("supply-disruption",),
            status="failure",
        ),
    ]
    incidents = group(items)
    assert members(incidents) == [("other",), ("r1", "r2")]
    reunion = next(i for i in incidents if "r1" in i.items)
    assert "reunion" in reunion.id


def test_an_unnamed_follow_up_arriving_before_the_named_report_joins_it() -> None:
    shared = "le répartiteur coupe son informatique après une intrusion, livraisons suspendues"
    unnamed = news(
        "u",
        -0.2,
        "Un répartiteur de l'Ouest coupe son informatique",
        f"Dans l'Ouest, {shared}, commandes bloquées.",
        kinds=("cyberattack",),
    )
    named = news(
        "n",
        0,
        "Cyberattaque chez CERP Bretagne Atlantique",
        f"CERP Bretagne Atlantique : {shared}, commandes bloquées.",
        organisations=("cerp",),
        kinds=("cyberattack",),
    )
    [incident] = group([named, unnamed])
    assert incident.items == ("u", "n")


def test_an_incident_named_first_keeps_its_name_when_a_commentator_s_report_comes() -> None:
    """A report naming the hospital comes first; hours later an agency's report, keyed on
    the agency (its title makes it the subject), names the hospital too and takes the
    first as its follow-up: the incident keeps the name it had, so its id does not move."""
    shared = "les urgences fonctionnent en mode dégradé, les ordonnances sont manuscrites"
    first = news(
        "a",
        0,
        "L'hôpital de Cannes paralysé par une attaque informatique",
        f"Depuis ce matin, {shared}, les pharmacies de ville sont prévenues.",
        kinds=("cyberattack",),
    )
    agency = news(
        "b",
        0.1,
        "Cyberattaque à l'hôpital de Cannes : l'ARS mobilisée",
        f"L'ARS accompagne l'hôpital de Cannes : {shared}, les pharmacies de ville aussi.",
        kinds=("cyberattack",),
        organisations=("ars",),
    )
    [alone] = group([first])
    [both] = group([first, agency])
    assert both.items == ("a", "b")
    assert both.id == alone.id


# --- status ----------------------------------------------------------------------------------

MAINTENANCE = news(
    "m",
    0,
    "Maintenance programmée du portail Almerys samedi de 8 h à 12 h",
    "Le portail sera indisponible samedi de 8 h à 12 h pour une opération de maintenance.",
    payers=("almerys",),
    kinds=("outage",),
)


def test_an_announced_maintenance_is_planned() -> None:
    [incident] = group([MAINTENANCE])
    assert incident.status == "planned"


def test_a_failure_reported_after_the_announcement_makes_it_ongoing() -> None:
    broken = news(
        "b",
        5,
        "Almerys : le portail toujours inaccessible après la maintenance",
        "Les officines ne peuvent pas consulter les droits.",
        payers=("almerys",),
        status="failure",
    )
    [incident] = group([broken, MAINTENANCE])
    assert incident.status == "ongoing"


@pytest.mark.parametrize(
    "title",
    [
        "Viamedis : pas de réouverture des portails avant lundi",
        "Viamedis : le retour du service n'est pas encore annoncé",
        "Viamedis : un accès partiel rétabli, les paiements toujours bloqués",
        "Viamedis espère rouvrir ses portails d'ici vendredi",
    ],
)
def test_a_negated_hoped_or_partial_return_is_no_resolution(title: str) -> None:
    later = news("l", 2, title, payers=("viamedis",), status="resolved")
    [incident] = group([REPORT, later])
    assert incident.status == "ongoing"


def test_resolved_then_ongoing_again_when_a_new_failure_is_reported() -> None:
    back = news(
        "back",
        3,
        "Viamedis : le portail de nouveau accessible",
        payers=("viamedis",),
        status="resolved",
    )
    again = news(
        "again",
        5,
        "Viamedis : nouvelle coupure du portail des droits",
        payers=("viamedis",),
        status="failure",
    )
    assert group([REPORT, back])[0].status == "resolved"
    [incident] = group([again, back, REPORT])
    assert incident.status == "ongoing" and incident.resolved is None


@pytest.mark.parametrize(
    "title",
    [
        "Viamedis : retour sur deux semaines de crise",
        "Panne du 4 mars : les leçons d'une journée sans portail",
        "Viamedis : la panne du 4 mars en question",
    ],
)
def test_a_look_back_after_the_return_does_not_reopen_the_incident(title: str) -> None:
    back = news("back", 1, "Viamedis : le portail de nouveau accessible", payers=("viamedis",))
    back = IncidentInput(**{**back.__dict__, "status": "resolved"})
    review = news(
        "review",
        9,
        title,
        "Le portail des droits de Viamedis avait été coupé toute une journée.",
        payers=("viamedis",),
        status="failure",
    )
    [incident] = group([review, back, REPORT])
    assert incident.status == "resolved" and incident.items == ("report", "back", "review")


@pytest.mark.parametrize(
    "title, text",
    [
        # The classifier heard a return somewhere; the opening says nothing of it.
        (
            "Viamedis : des assurés avertis que leurs données ont été consultées",
            "L'opérateur écrit aux assurés dont le dossier a été consulté par les attaquants.",
        ),
        # A return announced for later is none.
        (
            "Viamedis : la reconstruction prendra des semaines",
            "Le portail a été rétabli pour quelques services seulement.",
        ),
    ],
)
def test_a_return_the_title_and_opening_do_not_tell_is_no_resolution(title: str, text: str) -> None:
    later = news("l", 2, title, text, payers=("viamedis",), status="resolved")
    [incident] = group([REPORT, later])
    assert incident.status == "ongoing"


def test_a_note_on_two_operators_saying_service_is_back_resolves_neither() -> None:
    almerys = news(
        "a",
        1,
        "Almerys : intrusion dans le portail",
        payers=("almerys",),
        kinds=("cyberattack",),
    )
    note = news(
        "note",
        4,
        "Tiers payant : les portails rouvrent",
        "Les opérateurs Viamedis et Almerys ont rétabli leurs services.",
        payers=("viamedis", "almerys"),
        status="resolved",
    )
    incidents = group([REPORT, almerys, note])
    assert [i.status for i in incidents] == ["ongoing", "ongoing"]


def test_stale_means_ongoing_with_no_news_for_fourteen_days() -> None:
    quiet = START + STALE_AFTER
    assert not group([REPORT], now=quiet)[0].stale
    [late] = group([REPORT], now=quiet + timedelta(hours=1))
    assert late.stale and late.status == "ongoing"
    back = news("back", 1, "Viamedis : service rétabli", payers=("viamedis",), status="resolved")
    assert not any(i.stale for i in group([REPORT, back], now=quiet + timedelta(days=30)))


# --- order independence and stable ids, on the real corpus -------------------------------


@functools.cache
def real_inputs() -> tuple[IncidentInput, ...]:
    """The real corpus's items as the pipeline hands them to grouping (classified once)."""
    from aggregator.text.sanitize import html_to_text
    from aggregator.understand.classify import Classifier
    from aggregator.understand.taxonomy import load_taxonomy
    from aggregator.understand.evaluate import body_html, load_labelled
    from aggregator.understand.language import batched

    classifier = Classifier(load_taxonomy())
    items = load_labelled([REAL]).items
    texts = [html_to_text(body_html(item.body)) for item in items]
    # Parses batched, as the pipeline's workers do: the same verdicts in half the time.
    verdicts = batched(lambda n: classifier.classify(items[n].title, texts[n]), range(len(items)))
    inputs = []
    for n, (item, text, verdict) in enumerate(zip(items, texts, verdicts, strict=True)):
        if verdict.advisory:
            inputs.append(
                IncidentInput(
                    id=f"{n:03d}",
                    date=item.date,
                    title=item.title,
                    payers=verdict.payers,
                    kinds=verdict.kinds,
                    organisations=verdict.organisations[:2],
                    status=verdict.status,
                    actions=verdict.actions,
                    contacts=verdict.contacts,
                    text=text[:3000],
                )
            )
    return tuple(inputs)


NOW = datetime(2026, 1, 1, tzinfo=UTC)


def shape(incidents: Sequence[Incident]) -> list[tuple[tuple[str, ...], str, bool]]:
    return sorted((i.items, i.status, i.stale) for i in incidents)


def previous_of(incidents: Sequence[Incident]) -> dict[str, list[str]]:
    memberships: dict[str, list[str]] = {}
    for incident in incidents:
        for item_id in incident.items:
            memberships.setdefault(item_id, []).append(incident.id)
    return memberships


# Each example groups the whole real corpus (2,700 items, classified once per process, about
# 30 s) two to six times: end to end, so `slow`; test_incidents holds the quick property.
@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), runs=st.integers(1, 5))
def test_the_same_items_in_any_order_and_runs_give_the_same_incidents(seed: int, runs: int) -> None:
    inputs = list(real_inputs())
    once = group_incidents(inputs, {}, str, str, now=NOW)
    shuffled = inputs[:]
    random.Random(seed).shuffle(shuffled)
    # One call over a shuffled list: the very same incidents, ids included.
    assert group_incidents(shuffled, {}, str, str, now=NOW) == once
    # Arrivals over several runs, each regrouping what is known with the previous ids.
    previous: dict[str, list[str]] = {}
    cuts = sorted(random.Random(seed + 1).sample(range(1, len(shuffled)), runs - 1))
    got: list[Incident] = []
    for end in [*cuts, len(shuffled)]:
        got = group_incidents(shuffled[:end], previous, str, str, now=NOW)
        previous = previous_of(got)
    assert shape(got) == shape(once)


@pytest.mark.slow  # the whole real corpus, as above
def test_ids_stay_stable_as_later_items_arrive() -> None:
    inputs = sorted(real_inputs(), key=lambda i: (i.date, i.id))
    # an item may belong to two incidents (a joint report of two payers' troubles)
    final: dict[str, set[str]] = {}
    for whole in group_incidents(inputs, {}, str, str, now=NOW):
        for x in whole.items:
            final.setdefault(x, set()).add(whole.id)
    for end in (len(inputs) // 3, 2 * len(inputs) // 3):
        # Built from scratch, with no memory of earlier runs: the founding report's key
        # and day make the id, so it does not move when later items come (an earlier item
        # that names nobody may join once later ones share its words).
        early = group_incidents(inputs[:end], {}, str, str, now=NOW)
        for incident in early:
            assert incident.id in final.get(incident.items[0], set()), incident.id


# --- networks -----------------------------------------------------------------------------------


def test_a_network_named_alone_is_its_operator_s_incident_shown_under_its_own_name() -> None:
    alone = news(
        "i",
        0,
        "iSanté : panne du service de paiement",
        "Les virements aux officines ne partent plus.",
        payers=("isante",),
        kinds=("payment-disruption",),
    )
    operator = news(
        "c",
        1,
        "Cetip : la panne des paiements touche ses réseaux",
        "L'opérateur travaille au rétablissement des virements.",
        payers=("cetip",),
        kinds=("payment-disruption",),
    )
    [first] = group([alone])
    assert first.payers == ("isante",) and "-isante-" in first.id
    [both] = group([operator, alone])
    assert both.payers == ("cetip", "isante") and both.items == ("i", "c")


def test_stale_reaches_incidents_json_from_the_store_as_of_now(tmp_path: Path) -> None:
    """Stored incidents are read back stale or not as of the reading, not of the writing."""
    from aggregator.models import Item, Source
    from aggregator.publish.build import incident_json
    from aggregator.store.database import Store

    now = datetime.now(UTC)
    old = news("old", 0, "Viamedis : portail en panne", payers=("viamedis",), status="failure")
    old = IncidentInput(**{**old.__dict__, "date": now - STALE_AFTER - timedelta(days=1)})
    fresh = news("new", 0, "Almerys : portail en panne", payers=("almerys",), status="failure")
    fresh = IncidentInput(**{**fresh.__dict__, "date": now - timedelta(days=1)})
    store = Store(tmp_path / "a.db")
    # The links from incidents to their items are foreign keys: the items come first.
    store.sync_sources([Source(id="s", name="S", type="feed", url="https://s.example/f")])
    with store.transaction():
        store.save_items([Item(id=i, source="s", url=f"https://s.example/{i}", title=i)
                          for i in ("old", "new")])  # fmt: skip
    store.replace_incidents(group_incidents([old, fresh], {}, str, str, now=now))
    shown = {i.items[0]: incident_json(i) for i in store.all_incidents()}
    assert shown["old"]["stale"] is True and shown["old"]["status"] == "ongoing"
    assert shown["new"]["stale"] is False


def test_a_service_named_by_its_address_and_by_its_name_is_one_incident() -> None:
    """A name read off titles keys an incident when no known organisation is named: a
    site's address ("messagerie.example.net") names its service as its capitalised name
    does, and a name of two words written as one ("La Poste", laposte.net) is the same."""
    items = [
        news(
            "a",
            0,
            "laposte.net coupe l'accès de ses clients de messagerie",
            "Les boîtes sont inaccessibles depuis ce matin.",
        ),
        news(
            "b",
            0.5,
            "Messagerie laposte.net : les soignants privés de leurs courriels",
            "La panne dure depuis hier.",
        ),
        news(
            "c",
            1,
            "La Poste : la messagerie de nouveau inaccessible ce soir",
            "Les utilisateurs signalent une panne.",
            status="failure",
        ),
        news("d", 1, "Doctolib.fr indisponible dans la matinée", "Panne du site."),
    ]
    assert members(group(items)) == [("a", "b", "c"), ("d",)]


def test_a_service_that_falls_with_the_one_it_depends_on_is_one_incident() -> None:
    """A service named off titles ("Ordoclic") whose outage a keyed incident's report
    opens by naming (its identity provider fell, and the service with it) is that incident:
    one event, one status. Not when two keyed incidents name it, nor when none does."""
    falls = [
        news(
            "a",
            0,
            "Impossible de se connecter au service Ordoclic depuis 15 h",
            "Les officines ne peuvent plus ouvrir le service.",
        ),
        news(
            "b",
            0.2,
            "Panne du service Ordoclic : les syndicats demandent des explications",
            "Le service reste inaccessible.",
            status="failure",
        ),
        news(
            "c",
            0.4,
            "Pro Santé Connect : retour à la normale après la panne",
            "Le fournisseur d'identité est de nouveau disponible, indique un bandeau sur "
            "le portail Ordoclic.",
            organisations=("pro-sante-connect",),
            status="resolved",
        ),
        news(
            "d",
            0.1,
            "Pro Santé Connect en panne",
            "Le fournisseur d'identité des soignants est indisponible.",
            organisations=("pro-sante-connect",),
            status="failure",
        ),
    ]
    [incident] = group(falls)
    assert incident.items == ("a", "d", "b", "c")
    assert incident.status == "resolved"
    # a keyed incident whose reports never name it: two incidents
    apart = [
        *falls[:2],
        news(
            "d",
            0.1,
            "Pro Santé Connect en panne",
            "Le fournisseur d'identité des soignants est indisponible.",
            organisations=("pro-sante-connect",),
            status="failure",
        ),
    ]
    assert members(group(apart)) == [("a", "b"), ("d",)]
    # two keyed incidents naming it: it could be either's, it stays its own
    both = [
        *falls,
        news(
            "e",
            0.3,
            "Panne chez Weda : le service Ordoclic touché aussi",
            "Ordoclic est également inaccessible.",
            organisations=("weda",),
            status="failure",
        ),
    ]
    assert ("a", "b") in members(group(both))


def test_a_common_word_labelling_a_title_names_nobody() -> None:
    """ "Panne : ..." and "Cybersécurité : ..." open titles, they name nobody: two unrelated
    reports titled so stay apart."""
    common = [
        news(
            "c",
            0,
            "Panne : une clinique de Lyon sans informatique",
            "Les soignants travaillent sur papier.",
        ),
        news("d", 0.2, "Panne : un hôpital de Lille sans téléphone", "Le standard ne répond plus."),
        news(
            "e",
            0.4,
            "Cybersécurité : un cabinet de radiologie paralysé",
            "Les examens sont reportés.",
            kinds=("cyberattack",),
        ),
    ]
    incidents = group(common)
    assert all(len(i.items) == 1 for i in incidents)


def test_a_channel_or_a_status_label_in_capitals_names_nobody() -> None:
    """ "SMS – Votre répartiteur" and "Investigating – Lenteurs" open titles with a channel
    or a status page's label: two unrelated reports titled so stay apart."""
    common = [
        news(
            "a",
            0,
            "SMS – Votre répartiteur",
            "Aucune livraison aujourd'hui.",
            kinds=("supply-disruption",),
            status="failure",
        ),
        news(
            "b",
            0.2,
            "SMS – Votre grossiste",
            "Pas de tournée ce matin dans la vallée.",
            kinds=("supply-disruption",),
            status="failure",
        ),
        news("c", 0.3, "Investigating – Lenteurs", "Les connexions échouent.", status="failure"),
        news(
            "d",
            0.4,
            "Investigating – Messagerie",
            "La messagerie est indisponible.",
            status="failure",
        ),
    ]
    assert all(len(i.items) == 1 for i in group(common))


def test_a_civility_or_a_regulation_in_capitals_names_nobody() -> None:
    """ "L'impayé de Monsieur L." and "Monsieur D. : ..." name no organisation, nor does
    "RGPD : ..." : unrelated reports titled so found nothing and stay apart."""
    items = [
        news(
            "a",
            0,
            "L'impayé de Monsieur L.",
            "Le virement de Monsieur L. n'est pas arrivé.",
            kinds=("payment-disruption",),
            status="failure",
        ),
        news(
            "b",
            0.5,
            "Monsieur D. attend son remboursement",
            "Monsieur D. attend toujours.",
            kinds=("payment-disruption",),
            status="failure",
        ),
        news(
            "c",
            1,
            "RGPD : les violations de données à notifier",
            "Le RGPD impose 72 heures.",
            kinds=("data-breach",),
        ),
    ]
    assert group(items) == []


def test_a_label_word_the_body_writes_with_its_capital_is_a_name() -> None:
    """ "Luxottica : ..." names Luxottica when the body writes it with its capital inside a
    sentence; "Rappel : ..." does not, the body never does."""
    named = [
        news(
            "a",
            0,
            "Luxottica : les usines à l'arrêt après une attaque informatique",
            "Les sites de Vénétie sont arrêtés. Selon la presse, Luxottica a coupé ses systèmes.",
            kinds=("cyberattack", "outage"),
            status="failure",
        ),
        news(
            "b",
            2,
            "Luxottica : la production a repris",
            "Deux jours après l'attaque, Luxottica indique que son activité est revenue à la "
            "normale.",
            kinds=("cyberattack",),
            status="resolved",
        ),
        news(
            "c",
            1,
            "Rappel : un hôpital de Lille sans téléphone",
            "Le standard ne répond plus depuis ce matin.",
            status="failure",
        ),
    ]
    incidents = group(named, now=START + timedelta(days=3))
    [luxottica] = [i for i in incidents if "a" in i.items]
    assert luxottica.items == ("a", "b") and luxottica.status == "resolved"
    assert "luxottica" in luxottica.id
    assert all("rappel" not in i.id for i in incidents)


def test_a_fraud_campaign_and_a_later_attack_on_the_same_payer_are_two_incidents() -> None:
    """A phishing wave is an event of its own: a leak reported at the same payer two weeks
    later is another incident, and a later phishing report goes on with the campaign;
    phishing reported after an attack, in its wake, joins the attack."""
    campaign = [
        news(
            "a",
            0,
            "Almerys : de faux SMS visent les adhérents",
            "Des messages frauduleux invitent à saisir ses coordonnées bancaires.",
            payers=("almerys",),
            kinds=("phishing",),
        ),
        news(
            "b",
            14,
            "Almerys : des données d'assurés dérobées",
            "Des pirates ont accédé au portail et copié des fichiers.",
            payers=("almerys",),
            kinds=("cyberattack", "data-breach"),
        ),
        news(
            "c",
            16,
            "Almerys : les faux SMS continuent",
            "D'autres messages frauduleux circulent.",
            payers=("almerys",),
            kinds=("phishing",),
        ),
    ]
    assert members(group(campaign)) == [("a", "c"), ("b",)]
    wake = [
        news(
            "b",
            0,
            "Almerys : des données d'assurés dérobées",
            "Des pirates ont accédé au portail et copié des fichiers.",
            payers=("almerys",),
            kinds=("cyberattack", "data-breach"),
        ),
        news(
            "d",
            2,
            "Almerys : après la fuite, de faux SMS",
            "Des messages frauduleux exploitent les données volées.",
            payers=("almerys",),
            kinds=("phishing",),
        ),
    ]
    assert members(group(wake)) == [("b", "d")]
    # not in the wake of payments late: fake mails at the same payer are another event
    late = [
        news(
            "e",
            0,
            "Caisse primaire : des semaines de retard de paiement",
            "Les factures papier ne sont plus réglées depuis décembre.",
            payers=("assurance-maladie",),
            kinds=("payment-disruption",),
        ),
        news(
            "f",
            3,
            "De faux mails de la Sécu circulent dans le Cotentin",
            "Des messages frauduleux demandent les coordonnées bancaires des assurés.",
            payers=("assurance-maladie",),
            kinds=("phishing",),
        ),
    ]
    assert members(group(late)) == [("e",), ("f",)]


@pytest.mark.parametrize(
    "title",
    [
        "Almerys : le portail hors service",
        "Almerys : la plateforme hors d'usage depuis ce matin",
        "Almerys : le serveur est tombé en rade",
    ],
)
def test_an_opening_in_the_taxonomy_s_words_reports_the_event(title: str) -> None:
    """The wording the classifier reads kinds from tells an event in an opening too: such a
    report founds its incident."""
    report = news("a", 0, title, "Les opticiens patientent.", payers=("almerys",), status="failure")
    [incident] = group([report])
    assert incident.items == ("a",)


@pytest.mark.parametrize(
    "title",
    [
        "Almerys : tout est rentré dans l'ordre",
        "Almerys : les virements régularisés",
        "Almerys : le portail refonctionne",
    ],
)
def test_a_return_in_the_taxonomy_s_words_resolves_the_incident(title: str) -> None:
    report = news(
        "a",
        0,
        "Almerys : le portail hors service",
        "Les opticiens patientent.",
        payers=("almerys",),
        status="failure",
    )
    back = news("b", 1, title, "", payers=("almerys",), status="resolved")
    [incident] = group([report, back])
    assert incident.status == "resolved"


@pytest.mark.parametrize("org", ["cnil", "anssi", "ordre", "ars", "uspo"])
def test_a_commentator_named_in_the_lead_keys_no_incident_of_its_own(org: str) -> None:
    """Regulators, agencies, unions and the Order (taxonomy.yaml commentator) speak about
    other people's events: named in the lead only, they key no incident."""
    said = news(
        "s",
        0,
        "Fuite de données : la mise en garde de l'autorité",
        f"L'organisme {org} appelle à la vigilance après la fuite de données.",
        organisations=(org,),
        kinds=("data-breach",),
    )
    # the lead names it by its slug, as its aliases would
    assert group([said]) == []


def test_the_aftermath_of_a_return_does_not_reopen_the_incident() -> None:
    """After the service is back, an item naming the trouble without saying it is broken
    again or still (the aftermath, the lessons, the next time) leaves the incident resolved;
    one saying it is down again reopens it."""
    down = news(
        "a",
        0,
        "Kalixia : le portail de prise en charge inaccessible",
        "Les opticiens ne parviennent plus à se connecter.",
        payers=("kalixia",),
        status="failure",
    )
    back = news(
        "b",
        2,
        "Kalixia : le portail de nouveau accessible",
        "Le portail fonctionne de nouveau.",
        payers=("kalixia",),
        status="resolved",
    )
    aftermath = news(
        "c",
        2.5,
        "Optique : la panne Kalixia relance le débat sur les secours",
        "Les syndicats demandent un circuit de secours pour la prochaine panne.",
        payers=("kalixia",),
        status="failure",
    )
    [incident] = group([down, back, aftermath])
    assert incident.status == "resolved"
    relapse = news(
        "d",
        3,
        "Kalixia : nouvelle panne du portail",
        "Le portail est de nouveau inaccessible.",
        payers=("kalixia",),
        status="failure",
    )
    [incident] = group([down, back, aftermath, relapse])
    assert incident.status == "ongoing"


def test_a_job_offer_opens_no_incident() -> None:
    offer = news(
        "j",
        0,
        "Offre d'emploi : pharmacien adjoint à temps plein (Morbihan)",
        "Vous maîtrisez la facturation et les rejets de télétransmission.",
        kinds=("payment-disruption",),
    )
    assert group([offer]) == []


def test_a_dateline_names_no_incident() -> None:
    """A place before a stop opening a title ("Gaillac. ...") is the dateline, not a
    victim: it keys nothing."""
    dateline = news(
        "g",
        3,
        "Gaillac. Pharmacies de garde : le casse-tête des nuits",
        "Les soucis informatiques d'un gestionnaire ont compliqué février.",
    )
    assert group([dateline]) == []


def test_a_report_naming_nobody_in_its_title_is_keyed_on_the_organisation_its_body_names() -> None:
    leak = news(
        "leak",
        0,
        "Fuite massive : les données de 500 000 patients de laboratoires en ligne",
        "Un fichier circule sur internet. Les laboratoires concernés avaient en commun un "
        "logiciel de l'éditeur Dedalus.",
        kinds=("data-breach",),
        status="failure",
    )
    more = news(
        "more",
        2,
        "Fuite des laboratoires : la justice ordonne le blocage du site",
        "La CNIL a engagé des contrôles auprès de l'éditeur Dedalus et de laboratoires.",
        kinds=("data-breach",),
        status="failure",
    )
    assert members(group([leak, more])) == [("leak", "more")]
    # a body that names no organisation by its kind founds nothing
    vague = news(
        "vague", 0, "Fuite massive de données", "Un fichier circule.", kinds=("data-breach",)
    )
    assert group([vague]) == []


def test_a_body_named_report_follows_the_incident_a_title_named_before_founding_its_own() -> None:
    titled = news(
        "titled",
        0,
        "Fuite Mediboard : des dossiers de patients en vente",
        "Un pirate revendique les dossiers de patients d'établissements utilisant Mediboard, "
        "extraits avec des identifiants volés.",
        kinds=("data-breach", "cyberattack"),
        status="failure",
    )
    editor = news(
        "editor",
        1,
        "Données de santé : une nouvelle fuite massive touche des patients",
        "Les dossiers de patients ont été extraits avec des identifiants volés au logiciel "
        "d'un établissement client de l'éditeur Softway Medical ; le pirate les met en vente.",
        kinds=("data-breach", "cyberattack"),
        status="failure",
    )
    assert [set(m) for m in members(group([editor, titled]))] == [{"editor", "titled"}]


def test_an_end_named_in_its_title_closes_the_incident_of_that_name() -> None:
    down = news(
        "down",
        0,
        "Panne informatique mondiale : aéroports et hôpitaux perturbés",
        "Une mise à jour défectueuse de l'éditeur CrowdStrike a bloqué des millions de postes.",
        status="failure",
    )
    back = news(
        "back",
        3,
        "Panne CrowdStrike : retour à la normale pour la plupart des entreprises",
        "La plupart des systèmes touchés fonctionnent de nouveau.",
        status="resolved",
    )
    [incident] = group([back, down], now=START + timedelta(days=4))
    assert set(incident.items) == {"down", "back"}
    assert incident.status == "resolved"


def test_a_payers_own_notice_in_the_first_person_founds_its_incident() -> None:
    # the payer comes from the source (a payer's own feed): the text never names it
    notice = news(
        "notice",
        0,
        "Téléservices professionnels : indisponibilité ce week-end",
        "Nos téléservices seront indisponibles de samedi midi à lundi 6 h.",
        payers=("msa",),
        status="failure",
    )
    back = news(
        "back",
        2,
        "Téléservices professionnels : service rétabli",
        "Vos téléservices sont de nouveau disponibles depuis ce lundi, 6 h.",
        payers=("msa",),
        status="resolved",
    )
    [incident] = group([back, notice], now=START + timedelta(days=3))
    assert set(incident.items) == {"notice", "back"} and incident.status == "resolved"
    # a payer the text names, but only in passing, still founds nothing
    passing = news(
        "passing",
        0,
        "Formation : les bons réflexes",
        "Les opérateurs comme la MSA rappellent leurs consignes ; une panne peut arriver.",
        payers=("msa",),
        status="failure",
    )
    assert group([passing]) == []


@pytest.mark.parametrize(
    ("title", "text", "day"),
    [
        (
            "Viamedis, un an après l'intrusion : « Nous avons revu nos accès »",
            "Il y a un an, l'opérateur coupait son portail après une intrusion.",
            0,
        ),
        (
            "Fuite de 2021 : la CNIL inflige une amende à l'éditeur Dedalus",
            "Un an après la diffusion d'un fichier de patients, la CNIL sanctionne l'éditeur.",
            400,
        ),
        # any number of years, and no organisation known: the title and the opening all
        # look back
        (
            "Cinq ans après WannaCry, qu'avons-nous appris ?",
            "Le 12 mai 2019, un rançongiciel faisait le tour du monde en une journée.",
            0,
        ),
        (
            "Il y a dix ans, la grande panne des cartes Vitale",
            "En janvier 2014, des cartes affichaient « fin de droits » au comptoir.",
            0,
        ),
    ],
)
def test_an_anniversary_or_a_past_year_in_the_title_founds_no_incident(
    title: str, text: str, day: int
) -> None:
    item = news(
        "look",
        day,
        title,
        text,
        payers=("viamedis",) if "Viamedis" in title else (),
        organisations=("cnil",) if "CNIL" in title else (),
        kinds=("cyberattack",),
    )
    assert group([item], now=START + timedelta(days=day + 1)) == []


def test_an_item_about_two_organisations_hit_at_once_joins_both_incidents() -> None:
    floods = news(
        "floods",
        0,
        "Inondations : les répartiteurs dans la tourmente",
        "L'eau a envahi le site d'Alliance Healthcare à Orléans ; chez OCP, le dépôt de Blois "
        "a dû annuler ses livraisons.",
        kinds=("supply-disruption",),
        organisations=("alliance-healthcare", "ocp"),
        status="failure",
    )
    ocp = news(
        "ocp",
        2,
        "Crues : OCP fait le bilan",
        "Les livraisons d'OCP ont repris normalement.",
        kinds=("supply-disruption",),
        organisations=("ocp",),
        status="resolved",
    )
    incidents = group([ocp, floods], now=START + timedelta(days=3))
    assert sorted(i.items for i in incidents) == [("floods",), ("floods", "ocp")]
    assert {i.status for i in incidents if "ocp" in i.items} == {"resolved"}


def test_a_product_replaced_and_a_body_opening_on_the_past_found_nothing() -> None:
    replaced = news(
        "replaced",
        0,
        "Kalixia Audio : un nouvel espace pour les audioprothésistes",
        "Les dossiers se gèrent depuis un espace unique. L'ancien extranet sera fermé à la fin "
        "de l'été.",
        payers=("kalixia",),
        kinds=(),
    )
    looking_back = news(
        "back",
        400,
        "Cyberassurance : ce que couvre vraiment votre contrat",
        "L'hiver 2024 a servi de leçon. Quand Viamedis puis Almerys ont été visés par des "
        "intrusions, beaucoup de titulaires ont découvert que leur contrat ne prévoyait rien.",
        payers=("viamedis", "almerys"),
        kinds=("cyberattack",),
    )
    assert group([replaced, looking_back], now=START + timedelta(days=401)) == []


def test_names_sharing_only_a_common_word_are_two_incidents() -> None:
    """ "Bonjour Santé" and "Santé Connect" share a word many names of the trade hold: that
    says nothing of whether they are one; "Bonjour Santé" again is the same; "La Santé"
    alone names nobody."""
    items = [
        news(
            "a",
            0,
            "Bonjour Santé victime d'une cyberattaque",
            "Les pirates ont chiffré les serveurs de la plateforme de rendez-vous.",
            kinds=("cyberattack",),
        ),
        news(
            "b",
            5,
            "Santé Connect : la plateforme en panne",
            "Le service de téléconsultation est inaccessible depuis ce matin.",
            kinds=("outage",),
        ),
        news(
            "c",
            7,
            "Bonjour Santé : les rendez-vous reprennent",
            "Les pirates avaient chiffré les serveurs ; la plateforme rouvre.",
            kinds=("cyberattack",),
        ),
    ]
    assert members(group(items)) == [("a", "c"), ("b",)]
    alone = news(
        "d",
        60,
        "La Santé : une cyberattaque",
        "Des pirates ont chiffré des serveurs.",
        kinds=("cyberattack",),
    )
    assert members(group([*items, alone])) == [("a", "c"), ("b",)]
