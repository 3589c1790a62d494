"""Canonical URLs, normalised text and the three dedupe rules (guid, URL, near-duplicate)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aggregator.text.urls import link_key
from aggregator.understand.dedupe import (
    MIN_WORDS,
    Candidate,
    DedupeIndex,
    canonical_url,
    normalise_text,
)

# --- canonical_url -------------------------------------------------------------------------

CANONICAL = "https://lequotidiendupharmacien.fr/actualites/viamedis-panne"


@pytest.mark.parametrize(
    "url",
    [
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "http://lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://www.lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://static1.lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://static4.lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://prod.lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://m.lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "HTTPS://WWW.LeQuotidienDuPharmacien.FR/actualites/viamedis-panne",
        "https://lequotidiendupharmacien.fr:443/actualites/viamedis-panne",
        "http://lequotidiendupharmacien.fr:80/actualites/viamedis-panne",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne/",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne#commentaires",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?xtor=RSS-3",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?utm_source=rss&utm_medium=x",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?UTM_Campaign=lettre",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?fbclid=IwAR0abc",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?gclid=x&msclkid=y",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?mc_cid=1&mc_eid=2",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?at_medium=lettre",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?pk_campaign=a&mtm_kwd=b",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?_hsenc=p2&_hsmi=9",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?igshid=abc",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?ref=rss",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?ref_src=twsrc",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne/amp/",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne?amp=1",
        "https://lequotidiendupharmacien.fr/actualites/viamedis-panne;jsessionid=A1B2",
        "https://user:secret@lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "  https://lequotidiendupharmacien.fr/actualites/viamedis-panne\n",
        "//lequotidiendupharmacien.fr/actualites/viamedis-panne",
        "https://lequotidiendupharmacien.fr/actualites/./x/../viamedis-panne",
        "https://lequotidiendupharmacien.fr/actualites/%76iamedis-panne",
    ],
)
def test_variants_of_one_page_share_one_canonical_url(url: str) -> None:
    assert canonical_url(url) == CANONICAL


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://exemple.fr/a?b=2&a=1", "https://exemple.fr/a?a=1&b=2"),
        ("https://exemple.fr/a?p=42&utm_source=x", "https://exemple.fr/a?p=42"),
        ("https://exemple.fr/a?ref=A12345", "https://exemple.fr/a?ref=A12345"),
        ("https://exemple.fr/", "https://exemple.fr/"),
        ("https://exemple.fr", "https://exemple.fr/"),
        ("https://exemple.fr:8443/a/", "https://exemple.fr:8443/a"),
        ("https://exemple.fr/caf%c3%a9", "https://exemple.fr/caf%C3%A9"),
        ("https://exemple.fr/café", "https://exemple.fr/caf%C3%A9"),
        ("https://www.exemple/", "https://www.exemple/"),  # never down to a bare TLD
        ("https://amp.exemple.fr/amp", "https://exemple.fr/amp"),  # a page named amp
        ("https://cdn.exemple.fr/a", "https://cdn.exemple.fr/a"),  # not a known alias
        ("https://blog.exemple.fr/a", "https://blog.exemple.fr/a"),
        ("https://exemple.fr/page/2/", "https://exemple.fr/page/2"),
        ("https://exemple.fr/?s=tiers+payant", "https://exemple.fr/?s=tiers+payant"),
    ],
)
def test_canonical_url_keeps_what_identifies_a_page(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_distinct_pages_keep_distinct_urls() -> None:
    urls = [
        "https://exemple.fr/a",
        "https://exemple.fr/b",
        "https://exemple.fr/a?p=1",
        "https://exemple.fr/a?p=2",
        "https://autre.fr/a",
        "https://exemple.fr:8080/a",
    ]
    assert len({canonical_url(u) for u in urls}) == len(urls)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "pas une adresse",
        "http://[::1",
        "https://exemple.fr:99999/x",
        "javascript:alert(1)",
        "mailto:contact@exemple.fr",
        "https://",
        "http://%zz/",
        "\x00\x01https://exemple.fr",
        "https://exemple.fr/?" + "a=1&" * 500,
        "https://" + "a" * 300 + ".fr/",
    ],
)
def test_garbage_gives_a_string_never_an_exception(garbage: str) -> None:
    result = canonical_url(garbage)
    assert isinstance(result, str)
    assert canonical_url(result) == result


def test_non_string_input_gives_an_empty_string() -> None:
    assert canonical_url(None) == ""  # type: ignore[arg-type]


@given(st.text(max_size=80))
def test_canonical_url_is_total_and_idempotent_on_any_text(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once


@settings(max_examples=500)
@given(
    st.sampled_from(["http://", "https://", "//", "HTTP://www.", "https://exemple.fr/"]),
    st.text(max_size=40),
    st.text(alphabet="abc.:/?#&=%[]@ é1;\\", max_size=30),
)
def test_canonical_url_is_idempotent_on_url_like_garbage(scheme: str, a: str, b: str) -> None:
    once = canonical_url(scheme + a + b)
    assert canonical_url(once) == once


@given(
    st.lists(
        st.tuples(st.sampled_from("abcdefg"), st.text("xyz019", max_size=3)),
        max_size=6,
    )
)
def test_query_order_never_matters(pairs: list[tuple[str, str]]) -> None:
    forward = "&".join(f"{k}={v}" for k, v in pairs)
    backward = "&".join(f"{k}={v}" for k, v in reversed(pairs))
    a = canonical_url(f"https://exemple.fr/x?{forward}")
    assert a == canonical_url(f"https://exemple.fr/x?{backward}")
    assert canonical_url(a) == a


TRACKERS = [
    "utm_source=rss",
    "utm_campaign=lettre-du-lundi",
    "xtor=RSS-12",
    "fbclid=IwAR3x",
    "gclid=Cj0K",
    "at_medium=email",
    "pk_kwd=tp",
    "mtm_source=nl",
    "ref=newsletter",
]


@given(
    st.lists(st.sampled_from(TRACKERS), max_size=4),
    st.lists(st.sampled_from(["p=12", "id=7", "page=2", "q=tiers+payant"]), max_size=3),
    st.sampled_from(["http://", "https://", "HTTPS://"]),
    st.sampled_from(["", "www.", "static2.", "prod."]),
    st.sampled_from(["", "/", "#haut"]),
)
def test_tracking_and_host_noise_never_change_the_canonical_url(
    trackers: list[str], kept: list[str], scheme: str, alias: str, tail: str
) -> None:
    clean = canonical_url("https://exemple.fr/actu/panne" + ("?" + "&".join(kept) if kept else ""))
    pairs = trackers + kept
    noisy = f"{scheme}{alias}exemple.fr/actu/panne"
    noisy += ("/" if tail == "/" else "") + ("?" + "&".join(pairs) if pairs else "")
    noisy += tail if tail.startswith("#") else ""
    assert canonical_url(noisy) == clean


# --- normalise_text ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Viamédis : PANNE !", "viamedis panne"),
        ("L'Assurance\u00a0Maladie — rétablie…", "l assurance maladie retablie"),
        ("Œuvre  sœur\tÇa", "oeuvre soeur ca"),
        ("tiers-payant_suspendu", "tiers payant suspendu"),
        ("0805 62 00 10", "0805 62 00 10"),
        ("", ""),
        ("«»!?;", ""),
    ],
)
def test_normalise_text(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


# --- the index -----------------------------------------------------------------------------

DAY = datetime(2024, 1, 30, 9, 0, tzinfo=UTC)

RELEASE = (
    "Depuis lundi après-midi, le service de consultation des droits proposé aux officines par "
    "l'opérateur est inaccessible à la suite d'une intrusion dans son système d'information. "
    "Le syndicat demande à chaque titulaire de modifier sans attendre le mot de passe de la "
    "messagerie associée à son compte, ainsi que partout où ce mot de passe a été réutilisé, "
    "et de prévenir sa banque de toute opération inhabituelle. Au comptoir, il convient de "
    "demander au patient son attestation papier de complémentaire avant de pratiquer le tiers "
    "payant. La facturation n'est pas interrompue et les flux continuent d'arriver. Le syndicat "
    "a sollicité une avance de trésorerie ; sans réponse rapide, il recommandera de ne plus "
    "pratiquer le tiers payant pour les adhérents concernés. Une ligne gratuite est ouverte au "
    "0805 62 00 10 et l'opérateur rappelle qu'il ne réclame jamais d'identifiants par courriel "
    "ni par téléphone."
)

REPUBLISHED = (
    "Nous reproduisons ci-dessous le communiqué diffusé ce mardi par le syndicat. "
    + RELEASE.replace("sans attendre", "immédiatement")
    + " Retrouvez toutes nos informations sur la cybersécurité dans notre dossier spécial."
)

OTHER_ARTICLE = (
    "Les pharmaciens découvrent depuis lundi qu'ils ne peuvent plus vérifier les droits des "
    "assurés couverts par plusieurs complémentaires. L'opérateur de tiers payant a confirmé "
    "avoir subi une attaque informatique et a coupé ses portails par précaution. Selon les "
    "syndicats, les titulaires doivent changer leurs mots de passe et surveiller leurs comptes "
    "bancaires. Les représentants de la profession réclament une avance sur les remboursements "
    "et menacent de suspendre le tiers payant. Un numéro vert a été mis en place pour répondre "
    "aux questions des officines, tandis que la CNIL a été saisie de l'incident."
)

COMMENTARY = (
    "Pour les titulaires interrogés, la question n'est plus seulement technique. Plusieurs "
    "d'entre eux expliquent avoir passé la matinée à rappeler des patients, faute de pouvoir "
    "confirmer leur couverture, et redoutent un décalage de trésorerie si les virements "
    "tardent. D'autres regrettent que l'information soit d'abord passée par les réseaux "
    "sociaux plutôt que par un message officiel. Les éditeurs de logiciels, eux, assurent "
    "que la télétransmission reste possible et que les lots seront traités dès le retour du "
    "service."
)


def cand(
    id: str,
    text: str = RELEASE,
    *,
    source: str = "uspo",
    guid: str | None = None,
    url: str | None = None,
    title: str = "Cyberattaque chez un opérateur de tiers payant",
    published: datetime | None = DAY,
) -> Candidate:
    return Candidate(
        id=id,
        source=source,
        guid=guid if guid is not None else f"guid-{id}",
        url=url if url is not None else f"https://{source}.example/{id}",
        title=title,
        text=text,
        published=published,
    )


def test_texts_used_below_are_long_enough_for_the_shingle_rule() -> None:
    for text in (RELEASE, REPUBLISHED, OTHER_ARTICLE, COMMENTARY):
        assert len(normalise_text(text).split()) >= MIN_WORDS


def test_same_guid_in_two_feeds_is_one_item() -> None:
    index = DedupeIndex()
    index.add(cand("a", guid="https://uspo.fr/?p=812", source="uspo"))
    merge = index.match(cand("b", "autre texte", guid="https://uspo.fr/?p=812", source="agr"))
    assert merge is not None
    assert (merge.target, merge.rule, merge.score) == ("a", "guid", 1.0)


def test_a_bare_number_guid_is_unique_in_its_own_feed_only() -> None:
    index = DedupeIndex()
    index.add(cand("a", guid="812", source="fspf"))
    assert index.match(cand("b", "", guid="812", source="uspo")) is None
    merge = index.match(cand("c", "", guid="812", source="fspf"))
    assert merge is not None and (merge.target, merge.rule) == ("a", "guid")
    index.add(cand("d", guid="3f2b9c1e-7a4d-4b8e-9c2f-1d5e6a7b8c9d", source="fspf"))
    merge = index.match(cand("e", "", guid="3f2b9c1e-7a4d-4b8e-9c2f-1d5e6a7b8c9d", source="x"))
    assert merge is not None and merge.target == "d"


def test_same_canonical_url_is_one_item() -> None:
    index = DedupeIndex()
    url = canonical_url("https://static2.lequotidiendupharmacien.fr/art/12?xtor=RSS")
    index.add(cand("a", url=url))
    other_url = canonical_url("http://www.lequotidiendupharmacien.fr/art/12/")
    merge = index.match(cand("b", "", url=other_url, title="Titre modifié", source="q2"))
    assert merge is not None
    assert (merge.target, merge.rule) == ("a", "url")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        # a numbered part of a page (a status page's update, a comment) is not the page
        (
            "https://statut.example.fr/incidents/42#maj-2",
            "https://statut.example.fr/incidents/42#maj-2",
        ),
        ("https://example.fr/article#comment-1207", "https://example.fr/article#comment-1207"),
        # an anchor with no number, or tracking, leads to the page
        ("http://www.example.fr/article/#top", "https://example.fr/article"),
        ("https://example.fr/article#xtor=RSS-3208", "https://example.fr/article"),
        ("https://example.fr/article#utm_source=rss&utm_medium=1", "https://example.fr/article"),
        ("https://example.fr/article", "https://example.fr/article"),
    ],
)
def test_a_link_key_keeps_a_numbered_part_of_a_page(url: str, key: str) -> None:
    assert link_key(url) == key


def test_two_parts_of_one_page_are_two_items_and_a_part_is_not_its_page() -> None:
    index = DedupeIndex()
    index.add(cand("a", url=link_key("https://statut.example.fr/incidents/42#maj-1")))
    second = cand("b", "Autre texte", url=link_key("https://statut.example.fr/incidents/42#maj-2"))
    assert index.match(second) is None
    copy = cand(
        "c", "", source="relais", url=link_key("http://statut.example.fr/incidents/42/#maj-1")
    )
    merge = index.match(copy)
    assert merge is not None and (merge.target, merge.rule) == ("a", "url")


def test_another_entry_of_the_same_feed_at_one_link_is_an_update_read_by_its_text() -> None:
    # A status page publishes "incident en cours" then "résolu" at one link, under two
    # guids: two updates, unless the text repeats; another feed at the link is a copy.
    page = "https://statut.example.fr/incidents/2021-03-02"
    index = DedupeIndex()
    index.add(cand("first", source="statut", guid="maj-1", url=page))
    update = cand("update", OTHER_ARTICLE, source="statut", guid="maj-2", url=page)
    assert index.match(update) is None
    again = index.match(cand("again", source="statut", guid="maj-3", url=page))
    assert again is not None and again.target == "first" and again.rule != "url"
    copy = index.match(cand("copy", "", source="relais", guid="x", url=page))
    assert copy is not None and (copy.target, copy.rule) == ("first", "url")
    same = index.match(cand("same", "", source="statut", guid="maj-1", url=page))
    assert same is not None and (same.target, same.rule) == ("first", "guid")


def test_guid_rule_comes_before_url_rule() -> None:
    index = DedupeIndex()
    index.add(cand("by-url", url="https://x.example/1"))
    index.add(cand("by-guid", guid="g-1", url="https://x.example/2"))
    merge = index.match(cand("new", guid="g-1", url="https://x.example/1"))
    assert merge is not None and (merge.target, merge.rule) == ("by-guid", "guid")


def test_empty_guid_and_url_never_match() -> None:
    index = DedupeIndex()
    index.add(cand("a", "", guid="", url=""))
    assert index.match(cand("b", "", guid="", url="")) is None


def test_republished_release_with_new_intro_and_footer_merges_with_its_score() -> None:
    index = DedupeIndex()
    index.add(cand("release", source="uspo"))
    later = cand(
        "copy",
        REPUBLISHED,
        source="moniteur",
        title="Cyberattaque : le communiqué du syndicat",
        published=DAY + timedelta(days=1),
    )
    merge = index.match(later)
    assert merge is not None
    assert (merge.target, merge.rule) == ("release", "near-duplicate")
    assert 0.8 <= merge.score < 1.0


def test_the_shorter_copy_is_found_from_the_longer_one_too() -> None:
    index = DedupeIndex()
    index.add(cand("copy", REPUBLISHED, source="moniteur"))
    merge = index.match(cand("release", source="uspo"))
    assert merge is not None and merge.target == "copy"


def test_two_articles_about_the_same_incident_do_not_merge() -> None:
    index = DedupeIndex()
    index.add(cand("release", source="uspo"))
    index.add(cand("copy", REPUBLISHED, source="moniteur"))
    other = cand("other", OTHER_ARTICLE, source="quotidien")
    assert index.match(other) is None


def test_an_article_quoting_a_release_with_as_much_commentary_is_another_article() -> None:
    index = DedupeIndex()
    index.add(cand("release", source="uspo"))
    long_piece = OTHER_ARTICLE + " " + RELEASE + " " + COMMENTARY
    assert index.match(cand("analysis", long_piece, source="quotidien")) is None


def test_near_duplicates_outside_the_window_stay_apart() -> None:
    index = DedupeIndex(window=timedelta(days=10))
    index.add(cand("release", source="uspo"))
    inside = cand("in", REPUBLISHED, source="moniteur", published=DAY + timedelta(days=10))
    outside = cand(
        "out", REPUBLISHED, source="moniteur", published=DAY + timedelta(days=10, seconds=1)
    )
    before = cand("before", REPUBLISHED, source="moniteur", published=DAY - timedelta(days=11))
    assert index.match(inside) is not None
    assert index.match(outside) is None
    assert index.match(before) is None


def test_unknown_dates_do_not_prevent_a_verbatim_match() -> None:
    index = DedupeIndex()
    index.add(cand("release", published=None))
    assert index.match(cand("copy", REPUBLISHED, source="moniteur")) is not None


def test_one_source_merges_with_itself_only_when_nearly_identical() -> None:
    index = DedupeIndex()
    index.add(cand("a", source="uspo"))
    # The same release reposted under another URL by the same site: identical.
    assert index.match(cand("a-again", source="uspo")) is not None
    # Same source, new intro and footer: a separate post, not a repost.
    assert index.match(cand("a-edited", REPUBLISHED, source="uspo")) is None


def test_a_templated_series_of_one_source_does_not_merge() -> None:
    template = (
        "Retrouvez chaque semaine le point de situation de notre syndicat sur les ruptures "
        "et les tensions d'approvisionnement signalées par les officines adhérentes, "
        "ainsi que les recommandations de l'agence pour les patients concernés. "
    )
    index = DedupeIndex()
    index.add(cand("w1", template + "Cette semaine : amoxicilline et corticoïdes.", source="s"))
    w2 = cand("w2", template + "Cette semaine : insuline rapide et antiépileptiques.", source="s")
    assert index.match(w2) is None


def test_empty_texts_merge_only_by_guid_or_url() -> None:
    index = DedupeIndex()
    index.add(cand("a", "", title="Communiqué de presse", source="fspf"))
    assert index.match(cand("b", "", title="Communiqué de presse", source="uspo")) is None
    assert index.match(cand("c", "", title="Communiqué de presse", source="fspf")) is None


def test_short_texts_need_near_identical_titles_and_bodies() -> None:
    body = "Le portail de l'opérateur est de nouveau accessible depuis ce matin."
    index = DedupeIndex()
    index.add(cand("a", body, title="Viamedis : retour à la normale", source="fspf"))
    same = cand("b", body + " ", title="VIAMEDIS – Retour à la normale !", source="uspo")
    other_title = cand("c", body, title="Communiqué de presse", source="uspo")
    other_body = cand(
        "d",
        "Les paiements reprennent progressivement pour toutes les officines.",
        title="Viamedis : retour à la normale",
        source="uspo",
    )
    merge = index.match(same)
    assert merge is not None and (merge.target, merge.rule) == ("a", "near-duplicate")
    assert index.match(other_title) is None
    assert index.match(other_body) is None


def test_generic_title_with_different_short_bodies_stays_apart() -> None:
    index = DedupeIndex()
    index.add(cand("a", "Le syndicat appelle à la grève le 30 mai.", title="Communiqué"))
    assert index.match(cand("b", "Le syndicat salue l'accord sur les honoraires.")) is None


def test_best_near_duplicate_wins_and_ties_are_deterministic() -> None:
    index = DedupeIndex()
    index.add(cand("z-exact", RELEASE, source="fspf"))
    index.add(cand("a-edited", REPUBLISHED, source="moniteur"))
    merge = index.match(cand("new", RELEASE, source="quotidien"))
    assert merge is not None and merge.target == "z-exact" and merge.score == 1.0
    tie = DedupeIndex()
    tie.add(cand("b", RELEASE, source="fspf"))
    tie.add(cand("a", RELEASE, source="moniteur"))
    merge = tie.match(cand("new", RELEASE, source="quotidien"))
    assert merge is not None and merge.target == "a"


def test_a_candidate_never_matches_itself_and_adding_twice_is_harmless() -> None:
    index = DedupeIndex()
    c = cand("a")
    index.add(c)
    index.add(c)
    assert len(index) == 1
    assert index.match(c) is None


def test_naive_and_aware_dates_compare_without_error() -> None:
    index = DedupeIndex()
    index.add(cand("a", published=datetime(2024, 1, 30, 9, 0)))
    assert index.match(cand("b", REPUBLISHED, source="moniteur")) is not None


# --- cost ----------------------------------------------------------------------------------

VOCABULARY = (
    "officine pharmacien patient ordonnance tiers payant opérateur complémentaire portail "
    "droits facture paiement remboursement syndicat banque courriel mot passe attestation "
    "carte vitale caisse assurance maladie panne attaque fuite données service accès compte "
    "grossiste commande livraison médicament rupture stock agence alerte sécurité réseau "
    "logiciel éditeur mise jour semaine lundi mardi mercredi jeudi vendredi matin soir"
)
WORDS = VOCABULARY.split()


def random_text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words))


def test_twenty_thousand_candidates_lookups_visit_few() -> None:
    """How much a lookup reads, counted; how long it takes is the benchmark's business (a
    wall-clock bound here fails whenever the machine is busy)."""
    rng = random.Random(20240129)
    index = DedupeIndex()
    boilerplate = "Abonnez-vous à notre lettre quotidienne pour recevoir toute l'actualité. " * 2
    candidates = [
        cand(
            f"i{n}",
            random_text(rng, 60) + " " + boilerplate,
            source=f"s{n % 7}",
            title=f"Titre {n}",
            published=DAY + timedelta(hours=n % 240),
        )
        for n in range(20_000)
    ]
    for candidate in candidates:
        index.add(candidate)
    assert len(index) == 20_000

    index.comparisons = 0
    for n in range(200):
        index.match(cand(f"q{n}", random_text(rng, 60) + " " + boilerplate, source="other"))
    per_lookup = index.comparisons / 200
    # Shared boilerplate shingles are skipped, so a lookup reads a few short postings, not
    # the 20,000 indexed texts.
    assert per_lookup < 100, per_lookup

    # And a real copy is still found among them.
    original = index._docs["i12345"].candidate
    copy = cand("copy", "Reprise : " + original.text, source="other", published=original.published)
    merge = index.match(copy)
    assert merge is not None and merge.target == "i12345"


# --- the posting count against a pairwise count ----------------------------------------------


def _derived_texts(seed: int) -> list[str]:
    """Texts of many lengths, many of them cut, edited or padded copies of others, so that
    pairs fall on both sides of every threshold of the lookup."""
    rng = random.Random(seed)
    words = [f"mot{n}" for n in range(300)]
    originals = [" ".join(rng.choices(words, k=rng.randint(45, 260))) for _ in range(25)]
    texts = list(originals)
    for _ in range(120):
        source = rng.choice(texts).split()
        start = rng.randint(0, len(source) // 3)
        kept = source[start : start + rng.randint(len(source) // 3, len(source))]
        edited = [
            rng.choice(words) if rng.random() < rng.choice((0.0, 0.05, 0.2)) else w for w in kept
        ]
        padding = rng.choices(words, k=rng.choice((0, 5, 40, 150)))
        texts.append(" ".join(edited + padding if len(edited) + len(padding) >= 45 else source))
    return texts


@pytest.mark.parametrize(
    "seed, cache, span",
    [
        (1, None, None),
        (2, None, None),
        (3, None, None),
        (1, 2, None),
        (2, 5, None),
        (1, None, 0),
        (2, None, 0),
        (3, None, 10**9),
    ],  # fmt: skip
)
def test_the_posting_count_finds_what_a_pairwise_count_finds(
    seed: int, cache: int | None, span: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index counts shared sampled shingles over its posting lists (vectorised, by a
    tally or by sorting: ``span`` 0 always sorts, a huge one always tallies) and keeps the
    shingle sets of recently verified texts; here the same rule is applied pair by pair
    with sets computed afresh, and every decision must agree, whatever the cache size."""
    from aggregator.understand import dedupe

    if cache is not None:
        monkeypatch.setattr(dedupe, "SHINGLE_CACHE", cache)
    if span is not None:
        monkeypatch.setattr(dedupe, "TALLY_SPAN", span)
    # The shingle path alone: no text is long enough to have an opening for the
    # truncated-copy rule, which has tests of its own.
    monkeypatch.setattr(dedupe, "OPENING_WORDS", 10**6)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    index, indexed = DedupeIndex(window=timedelta(days=30)), []
    oracle = DedupeIndex(window=timedelta(days=30))  # its checks, after a pairwise count
    monkeypatch.setattr(oracle, "_shingles_of", lambda doc: dedupe._shingles(doc.tokens))
    merges = 0
    for n, text in enumerate(_derived_texts(seed)):
        c = Candidate(f"t{n:03d}", f"s{n % 4}", "", "", f"Titre {n % 9}", text, start)
        before = index.comparisons
        got = index.match(c)
        mine = dedupe._make_doc(c)
        best: tuple[float, str] | None = None
        if mine.sample and not mine.short:
            floor = dedupe.PREFILTER * dedupe.LENGTH_RATIO * dedupe.SAMPLE_SLACK
            read = verified = 0  # postings read, texts verified: what `comparisons` counts
            for other in indexed:
                shared = len(set(mine.sample) & set(other.sample))
                read += shared
                if shared < max(floor * len(mine.sample), 1) or shared < dedupe.PREFILTER * min(
                    len(mine.sample), len(other.sample)
                ):
                    continue
                if other.short or not oracle._plausible(mine, other):
                    continue
                verified += 1
                score = oracle._verify(mine, dedupe._shingles(mine.tokens), other)
                if score is not None and (
                    best is None or dedupe._better(score, other.candidate.id, best)
                ):
                    best = (score, other.candidate.id)
            assert (got.target if got else None) == (best[1] if best else None), n
            assert index.comparisons - before == read + verified, n
        if got is None:
            index.add(c)
            indexed.append(mine)
        else:
            merges += 1
    assert merges >= 5  # the generated copies do merge, so the comparison means something
    assert 0 < len(index._shingle_sets) <= dedupe.SHINGLE_CACHE


def test_add_indexes_a_candidate_whatever_was_matched_before() -> None:
    """add does not depend on the match before it: a candidate added right after another
    one was matched is indexed as itself, and its copies find it."""
    index = DedupeIndex()
    assert index.match(cand("other", "Un tout autre texte sur la convention " * 20)) is None
    index.add(cand("release", source="uspo"))
    merge = index.match(cand("copy", REPUBLISHED, source="moniteur"))
    assert merge is not None and merge.target == "release"


@given(st.lists(st.sampled_from(["release", "republished", "other", "short"]), max_size=8))
@settings(max_examples=50, deadline=None)
def test_match_or_add_folds_as_match_then_add(order: list[str]) -> None:
    texts = {
        "release": RELEASE,
        "republished": REPUBLISHED,
        "other": "Un tout autre texte sur la convention pharmaceutique " * 15,
        "short": "Panne du portail ce matin.",
    }
    candidates = [
        cand(f"{name}-{number}", texts[name], source=f"s{number}")
        for number, name in enumerate(order)
    ]
    one, two = DedupeIndex(), DedupeIndex()
    together = [one.match_or_add(c) for c in candidates]
    apart = []
    for c in candidates:
        merge = two.match(c)
        if merge is None:
            two.add(c)
        apart.append(merge)
    assert together == apart and len(one) == len(two)


# --- truncated, re-titled and jointly published copies ----------------------------------------

PAYWALL = "Article réservé aux abonnés. Abonnez-vous pour lire la suite."


def _cut(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


@pytest.mark.parametrize("kept", [25, 45, 70])
@pytest.mark.parametrize("source", ["uspo", "quotidien"])
def test_a_truncated_copy_behind_a_paywall_is_the_same_item_whichever_comes_first(
    kept: int, source: str
) -> None:
    truncated = _cut(RELEASE, kept) + " " + PAYWALL
    for first, second in (("full", "cut"), ("cut", "full")):
        texts = {"full": RELEASE, "cut": truncated}
        index = DedupeIndex()
        index.add(cand(first, texts[first], source="uspo", url=f"https://a.example/{first}"))
        merge = index.match(cand(second, texts[second], source=source))
        assert merge is not None and merge.target == first, (kept, source, first)


def test_a_re_titled_copy_at_another_url_of_the_same_site_is_the_same_item() -> None:
    index = DedupeIndex()
    index.add(cand("a", OTHER_ARTICLE, source="qp", title="Les portails de l'opérateur fermés"))
    retitled = cand("b", OTHER_ARTICLE, source="qp", title="Tiers payant : un opérateur piraté")
    merge = index.match(retitled)
    assert merge is not None and merge.target == "a"


def test_a_joint_communique_published_by_two_unions_is_one_item() -> None:
    own_intro = {
        "fspf": "La fédération relaie ci-dessous le communiqué commun signé ce jour avec les "
        "autres organisations représentatives de la profession, à l'attention de ses adhérents.",
        "uspo": "Communiqué de presse commun. Notre union s'associe pleinement à la démarche "
        "engagée par l'ensemble des syndicats pour défendre la trésorerie des officines.",
    }
    own_footer = {
        "fspf": "Contact presse de la fédération : service communication, du lundi au vendredi.",
        "uspo": "Retrouvez nos autres prises de position dans l'espace adhérent de notre site.",
    }
    index = DedupeIndex()
    first = own_intro["fspf"] + " " + RELEASE + " " + own_footer["fspf"]
    second = own_intro["uspo"] + " " + RELEASE + " " + own_footer["uspo"]
    index.add(cand("fspf-1", first, source="fspf", title="Communiqué commun des syndicats"))
    merge = index.match(cand("uspo-1", second, source="uspo", title="Viamedis : nos demandes"))
    assert merge is not None and merge.target == "fspf-1"


def test_articles_that_open_alike_but_go_on_differently_stay_apart() -> None:
    """Two writers may start from the same wire sentence and then write their own story."""
    wire = _cut(RELEASE, 30)
    index = DedupeIndex()
    index.add(cand("a", wire + " " + OTHER_ARTICLE, source="quotidien"))
    assert index.match(cand("b", wire + " " + COMMENTARY, source="moniteur")) is None


SMS_ALERT = (
    "Union : la consultation des droits en ligne est indisponible depuis 13 h. La facturation "
    "fonctionne. Appuyez-vous sur l'attestation papier du patient, tiers payant maintenu. "
    "Suite par SMS."
)


@pytest.mark.parametrize("relay_first", [False, True])
def test_a_relay_with_a_line_of_its_own_before_the_text_is_the_same_item(
    relay_first: bool,
) -> None:
    """ "Transféré de l'union (SMS) :" then the message: another title, another source, the
    same end and the whole message inside."""
    original = cand("sms", SMS_ALERT, source="union-sms", title="SMS Union – Droits en ligne")
    relay = cand(
        "relay",
        "Transféré de l'union (SMS) :\n\n" + SMS_ALERT,
        source="canal-telegram",
        title="Transféré de l'union (SMS)",
    )
    first, second = (relay, original) if relay_first else (original, relay)
    index = DedupeIndex()
    index.add(first)
    merge = index.match(second)
    assert merge is not None and merge.target == first.id


def test_texts_that_only_end_alike_stay_apart() -> None:
    """Two notices of one payer signed with the same long closing paragraph."""
    closing = (
        " Pour toute question, notre service relations professionnels de santé reste à votre "
        "disposition du lundi au vendredi de 9 h à 18 h au numéro habituel, merci de votre confiance."
    )
    index = DedupeIndex()
    index.add(cand("a", "Les virements de la semaine partiront jeudi." + closing, source="p"))
    other = cand("b", "Un nouvel organisme rejoint notre réseau au 1er mars." + closing, source="q")
    assert index.match(other) is None


@settings(max_examples=30, deadline=None)
@given(st.permutations(["full", "cut", "retitled", "other"]))
def test_copies_fold_into_one_item_in_any_order(order: list[str]) -> None:
    texts = {
        "full": (RELEASE, "Cyberattaque chez un opérateur de tiers payant", "uspo"),
        "cut": (_cut(RELEASE, 40) + " " + PAYWALL, "Cyberattaque : un opérateur touché", "qp"),
        "retitled": (RELEASE, "L'opérateur coupe ses portails", "moniteur"),
        "other": (OTHER_ARTICLE, "Cyberattaque chez un opérateur de tiers payant", "moniteur"),
    }
    index = DedupeIndex()
    item_of: dict[str, str] = {}
    for name in order:
        text, title, source = texts[name]
        candidate = cand(name, text, source=source, title=title)
        merge = index.match(candidate)
        if merge is None:
            index.add(candidate)
        item_of[name] = item_of.get(merge.target, merge.target) if merge else name
    assert item_of["full"] == item_of["cut"] == item_of["retitled"]
    assert item_of["other"] == "other"


JOINT_FSPF = (
    "Depuis le 4 avril, les pharmacies ne perçoivent plus les règlements des organismes "
    "complémentaires gérés par l'opérateur, alors même que leurs factures sont reçues et "
    "validées. L'opérateur a identifié un incident technique dans l'acheminement de ses "
    "ordres de paiement vers sa banque. La FSPF, l'USPO et l'UNPF demandent la confirmation "
    "écrite du calendrier de rattrapage et l'application des indemnités de retard."
)
JOINT_USPO = (
    "Depuis le 4 avril, les officines ne perçoivent plus les règlements des complémentaires "
    "gérées par l'opérateur, alors que leurs factures sont bien reçues et validées. "
    "L'opérateur fait état d'un incident technique dans la transmission de ses ordres de "
    "paiement à sa banque. L'USPO, la FSPF et l'UNPF exigent une confirmation écrite du "
    "calendrier de rattrapage et l'application des pénalités de retard."
)
OWN_STATEMENT = (
    "Le syndicat reçoit depuis lundi des appels d'officines privées de leurs règlements. "
    "Contrairement à la FSPF et à l'UNPF, l'USPO estime que le moment est venu de suspendre "
    "la dispense d'avance de frais pour les réseaux concernés, et le fera savoir à la CNAM."
)


def test_a_joint_statement_each_signatory_rewrites_is_one_item() -> None:
    index = DedupeIndex()
    index.add(
        cand("fspf", JOINT_FSPF, source="fspf", title="Règlements : communiqué intersyndical")
    )
    uspo = cand(
        "uspo",
        JOINT_USPO,
        source="uspo",
        title="Les syndicats exigent le rattrapage des paiements",
        published=DAY + timedelta(hours=1),
    )
    merge = index.match(uspo)
    assert merge is not None and (merge.target, merge.rule) == ("fspf", "joint statement")
    assert 0.35 <= merge.score < 1.0
    # one union's own statement on the same trouble is another text
    own = cand("own", OWN_STATEMENT, source="uspo", title="Règlements : notre position")
    assert index.match(own) is None
    # the same joint text two days later, or from the same source, is not matched so
    later = cand("later", JOINT_USPO, source="uspo", published=DAY + timedelta(days=2))
    assert index.match(later) is None
    same_source = cand("again", JOINT_USPO, source="fspf", title="Rattrapage des paiements")
    assert index.match(same_source) is None or index.match(same_source).rule != "joint statement"
