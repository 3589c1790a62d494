"""The taxonomy: its vocabularies, names and labels, and the overrides of sources.yaml."""

from __future__ import annotations

import pytest

from aggregator.understand.classify import Classifier
from aggregator.understand.taxonomy import Taxonomy, load_taxonomy


def test_taxonomy_lists_the_fixed_vocabularies_in_order() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.payers == (
        "viamedis",
        "almerys",
        "cetip",
        "isante",
        "sp-sante",
        "actil",
        "kalixia",
        "itelis",
        "santeclair",
        "carte-blanche",
        "seveane",
        "assurance-maladie",
        "msa",
    )
    assert taxonomy.kinds == (
        "cyberattack",
        "data-breach",
        "outage",
        "payment-disruption",
        "tiers-payant-suspension",
        "phishing",
        "supply-disruption",
    )


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        ("cyberattack", "cyberattaque"),
        ("data-breach", "fuite de données"),
        ("outage", "panne"),
        ("payment-disruption", "perturbation des paiements"),
        ("tiers-payant-suspension", "suspension du tiers payant"),
        ("phishing", "hameçonnage"),
        ("supply-disruption", "rupture d'approvisionnement"),
        ("incident", "incident"),  # unknown kinds come back as they are
    ],
)
def test_kind_labels_are_french(kind: str, label: str) -> None:
    assert load_taxonomy().kind_label(kind) == label


def test_display_names() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.payer_name("viamedis") == "Viamedis"
    assert taxonomy.payer_name("assurance-maladie") == "Assurance Maladie"
    assert taxonomy.payer_name("sp-sante") == "SP Santé"
    assert taxonomy.organisation_name("cnil") == "CNIL"
    assert taxonomy.organisation_name("sesam-vitale") == "SESAM-Vitale"
    assert taxonomy.payer_name("inconnu") == "inconnu"
    assert taxonomy.organisation_name("cnil") != taxonomy.payer_name("cnil")


def test_override_adds_a_payer_and_aliases() -> None:
    taxonomy = load_taxonomy(
        {
            "payers": [
                {"slug": "harmonie", "name": "Harmonie Mutuelle", "aliases": ["Harmonie"]},
                {"slug": "viamedis", "aliases": ["VIAMEDIS SA", "Viamédis Santé"]},
            ],
            "organisations": [{"slug": "giphar", "name": "Giphar"}],
        }
    )
    assert taxonomy.payers[-1] == "harmonie"
    assert taxonomy.payers[:13] == load_taxonomy().payers
    assert taxonomy.payer_name("harmonie") == "Harmonie Mutuelle"
    assert taxonomy.payer_name("viamedis") == "Viamedis"
    classifier = Classifier(taxonomy)
    assert classifier.classify("Harmonie Mutuelle en panne", "").payers == ("harmonie",)
    assert classifier.classify("Panne chez Harmonie", "").payers == ("harmonie",)
    assert classifier.classify("Viamédis Santé en panne", "").payers == ("viamedis",)
    assert "giphar" in classifier.classify("Panne chez Giphar", "").organisations
    # the built-in taxonomy is left alone
    assert "harmonie" not in load_taxonomy().payers
    assert Classifier().classify("Harmonie Mutuelle en panne", "").payers == ()


def test_override_can_rename_an_existing_payer() -> None:
    taxonomy = load_taxonomy({"payers": [{"slug": "msa", "name": "MSA (régime agricole)"}]})
    assert taxonomy.payer_name("msa") == "MSA (régime agricole)"
    assert Classifier(taxonomy).classify("Panne à la MSA", "").payers == ("msa",)


def test_punctuation_around_an_alias_is_not_part_of_the_name() -> None:
    taxonomy = load_taxonomy({"payers": [{"slug": "mgen", "name": "« MGEN »"}]})
    assert Classifier(taxonomy).classify("La MGEN est en panne", "").payers == ("mgen",)


def test_empty_override_is_the_builtin_taxonomy() -> None:
    assert load_taxonomy({}) == load_taxonomy()
    assert load_taxonomy(None) == load_taxonomy()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"payer": []}, "taxonomy: unknown key 'payer'"),
        ({"payers": "harmonie"}, "taxonomy.payers: must be a list"),
        ({"payers": ["harmonie"]}, "taxonomy.payers[0]: must be a mapping"),
        (
            {
                "payers": [
                    {"slug": "a", "name": "A"},
                    {"slug": "b", "name": "B"},
                    {"slug": "Harmonie", "name": "H"},
                ]
            },
            "taxonomy.payers[2]: 'slug' must match [a-z0-9-]+",
        ),
        ({"payers": [{"name": "Harmonie"}]}, "taxonomy.payers[0]: 'slug' must match"),
        ({"payers": [{"slug": "harmonie"}]}, "taxonomy.payers[0]: 'name' is required"),
        ({"payers": [{"slug": "h", "name": 3}]}, "taxonomy.payers[0]: 'name' must be"),
        ({"payers": [{"slug": "h", "name": "  "}]}, "taxonomy.payers[0]: 'name' must be"),
        (
            {"payers": [{"slug": "viamedis", "aliases": "Via"}]},
            "taxonomy.payers[0]: 'aliases' must be a list",
        ),
        (
            {"payers": [{"slug": "viamedis", "aliases": ["!!"]}]},
            "has no letter or digit",
        ),
        (
            {"payers": [{"slug": "viamedis", "alias": ["V"]}]},
            "taxonomy.payers[0]: unknown key 'alias'",
        ),
        ({"payers": [{"slug": "cnil", "name": "CNIL"}]}, "already an organisation"),
        (
            {"organisations": [{"slug": "msa", "name": "MSA"}]},
            "taxonomy.organisations[0]: slug 'msa' is already a payer",
        ),
        ("payers", "taxonomy: must be a mapping"),
    ],
)
def test_invalid_override_raises_value_error_naming_the_key(
    overrides: object, message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        load_taxonomy(overrides)  # type: ignore[arg-type]
    assert message in str(caught.value)


def test_taxonomy_is_a_value() -> None:
    taxonomy = load_taxonomy()
    assert isinstance(taxonomy, Taxonomy)
    assert hash(taxonomy) == hash(load_taxonomy())
    with pytest.raises(AttributeError):
        taxonomy.payers = ()  # type: ignore[misc]


def test_what_grouping_reads_in_an_opening_is_the_taxonomys_wording() -> None:
    openings = load_taxonomy().openings
    # Every list grouping reads is written in taxonomy.yaml, and says what it should.
    assert openings.pattern("event").search("panne generale du portail")
    assert openings.pattern("back").search("le portail est de nouveau accessible")
    assert openings.pattern("recall").search("l attaque de l hiver dernier")
    assert openings.pattern("general").search("hameconnage les bons reflexes")
    assert not openings.pattern("event").search("nouvelle convention signee")


def test_an_empty_opening_list_matches_nothing_and_an_unknown_one_is_refused() -> None:
    from aggregator.understand.taxonomy import OpeningWords

    assert not OpeningWords.from_data({"event": []}).pattern("event").search("panne")
    with pytest.raises(ValueError, match="evnet"):
        OpeningWords.from_data({"evnet": ["panne"]})


def test_the_words_grouping_reads_of_names_are_the_taxonomys() -> None:
    from aggregator.understand.taxonomy import NameWords

    names = load_taxonomy().names
    # Written in taxonomy.yaml as a reader writes them, accents and capitals included.
    assert {"lundi", "août", "SMS", "résolu"} <= set(names.not_names)
    assert {"santé", "groupe", "mutuelle"} <= set(names.common)
    assert {"éditeur", "répartiteur"} <= set(names.introducers)
    with pytest.raises(ValueError, match="comon"):
        NameWords.from_data({"comon": ["santé"]})


def test_each_network_has_its_operator() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.operator_of["isante"] == taxonomy.operator_of["sp-sante"] == "cetip"
    assert all(n in taxonomy.networks[op] for n, op in taxonomy.operator_of.items())
