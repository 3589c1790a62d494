"""The linguistic layer: what a sentence asserts, read from spaCy's parse, and payer tags.

Each case is a class of French wording, written in several inflections and word orders, so
that a rule fitted to one sentence fails here.
"""

from __future__ import annotations

import pytest

from aggregator.text.blocks import html_to_blocks
from aggregator.understand.classify import Classifier
from aggregator.understand import language
from aggregator.understand.language import AssertionWords, reading

CLASSIFIER = Classifier()


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        # negation scoped over a long phrase, in any order
        (
            "Point sécurité",
            "Aucune d'entre elles n'a été piratée la semaine dernière.",
            "cyberattack",
        ),
        (
            "Point sécurité",
            "Aucun des grands opérateurs n'a finalement subi de piratage.",
            "cyberattack",
        ),
        # belief and rumour
        ("Panne de logiciel", "Certains titulaires ont cru à une cyberattaque.", "cyberattack"),
        ("Panne de logiciel", "Beaucoup redoutaient un piratage du serveur.", "cyberattack"),
        ("Rumeur", "La rumeur d'un piratage massif a circulé sur les réseaux.", "cyberattack"),
        # the means of another event is not an event of its own
        ("Intrusion", "Les identifiants avaient été obtenus par hameçonnage.", "phishing"),
        ("Intrusion", "Les mots de passe, volés via un hameçonnage, ont servi.", "phishing"),
        # a warning of a risk
        ("Conseils", "Le message met en garde contre un risque accru d'hameçonnage.", "phishing"),
        # a recall in the pluperfect, in a relative clause
        (
            "Bilan",
            "Le portail, qui avait été piraté il y a deux ans, fonctionne bien.",
            "cyberattack",
        ),
        # what a warning beside it is about, or what a state verb calls a threat
        ("Conseils", "La caisse met en garde contre de faux SMS.", "phishing"),
        ("Conseils", "Restons vigilants face aux tentatives de fraude.", "phishing"),
        ("Conseils", "Les titulaires restent vigilants face aux courriels frauduleux.", "phishing"),
        ("Cybermois", "L'hameçonnage reste la première menace pour les officines.", "phishing"),
        ("Cybermois", "Le rançongiciel reste le principal risque pour les hôpitaux.", "cyberattack"),
        # the means of another event, whatever the preposition
        (
            "Intrusion",
            "L'attaquant avait des identifiants valides, récupérés lors d'une campagne d'hameçonnage.",
            "phishing",
        ),
        # an expectation, and a noun put in the past by its adjective
        ("Été", "La caisse anticipe une hausse des tentatives d'escroquerie.", "phishing"),
        ("Fichier", "La liste vient d'une compilation d'anciennes campagnes d'hameçonnage.", "phishing"),
        ("Bilan", "La précédente cyberattaque avait coûté cher à l'opérateur.", "cyberattack"),
        # a lure or a false alarm
        ("Arnaques", "Les SMS promettent de faux remboursements en attente.", "payment-disruption"),
        ("Rumeur", "Une prétendue cyberattaque contre le portail a circulé sur les réseaux.", "cyberattack"),
        # a possibility: a modal verb in the conditional
        (
            "Vigilance",
            "Des courriels usurpant l'identité des caisses pourraient chercher à collecter des identifiants.",
            "phishing",
        ),
        # a fear, whatever the lemmatizer makes of the verb
        ("Été", "L'Assurance maladie redoute un été d'escroqueries.", "phishing"),
    ],
)
def test_a_trigger_the_sentence_does_not_assert_gives_no_kind(
    title: str, body: str, kind: str
) -> None:
    result = CLASSIFIER.classify(title, body)
    assert kind not in result.kinds, result.reasons


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            "Les portails, fermés depuis la cyberattaque, ne rouvriront pas avant lundi.",
            "cyberattack",
        ),
        ("Depuis lundi, le serveur ne répond plus.", "outage"),
        (
            "L'opérateur a reconnu qu'un pirate avait utilisé les identifiants d'un soignant.",
            "cyberattack",
        ),
        ("Le service sera interrompu samedi de 8 h à 12 h pour maintenance.", "outage"),
        ("Des données d'assurés auraient été dérobées.", "data-breach"),
    ],
)
def test_a_trigger_asserted_in_a_complex_sentence_keeps_its_kind(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point de situation", body).kinds


def test_a_resolution_negated_or_expected_later_is_not_one() -> None:
    body = "Pas de réouverture des portails avant lundi, selon l'opérateur."
    assert CLASSIFIER.classify("Viamedis : point de situation", body).status != "resolved"


def test_reading_names_the_word_that_decides() -> None:
    words = AssertionWords.from_data({"negation": ["aucun"], "belief": ["croire"]})
    sentence = "Certains ont cru à une cyberattaque."
    assert reading(sentence, sentence.index("cyber"), words) == "belief: croire"


# --- payers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "body", "payers"),
    [
        # a payer's own news, no incident
        (
            "Kalixia ouvre les candidatures à son réseau optique",
            "Les opticiens peuvent postuler.",
            ("kalixia",),
        ),
        (
            "Réseaux de soins",
            "Santéclair étend son réseau d'audioprothésistes partenaires.",
            ("santeclair",),
        ),
        # an operator and the networks it runs
        (
            "Cetip : retard des virements",
            "Les paiements iSanté et SP Santé arrivent en retard.",
            ("cetip", "isante", "sp-sante"),
        ),
        # a generic phrase is not the payer
        (
            "Fuite de données",
            "Les organismes complémentaires d'assurance maladie ont appris une fuite de données.",
            (),
        ),
        # a list of examples is not the subject
        (
            "Le tiers payant expliqué",
            "Les opérateurs, comme Viamedis, Almerys, iSanté ou Actil, paient pour les mutuelles.",
            (),
        ),
        # a rumour in the title
        ("Rumeur de piratage d'ameli", "Rien ne prouve cette rumeur.", ()),
        # the payer's news said through a passive, a participle or a decision it takes
        (
            "Négociations conventionnelles",
            "Le nouvel avenant a finalement été paraphé mardi par l'Assurance maladie.",
            ("assurance-maladie",),
        ),
        (
            "Le conseil a voté",
            "Nos élus refusent l'avenant tarifaire proposé par l'Assurance maladie.",
            ("assurance-maladie",),
        ),
        (
            "Ordonnances : la fin du papier",
            "L'Assurance maladie a programmé l'arrêt des envois de pièces sur papier.",
            ("assurance-maladie",),
        ),
        (
            "Complémentaire",
            "La MSA supprime le formulaire papier de demande de prise en charge.",
            ("msa",),
        ),
        # who fears or warns is not what is feared: the payer's own warning is its news
        (
            "L'Assurance maladie redoute un été d'escroqueries",
            "Elle détaille les signes qui trahissent un faux message.",
            ("assurance-maladie",),
        ),
        # a payer named in a comparison with an earlier story
        (
            "Une mutuelle victime d'une fuite massive de données",
            "Le précédent record, établi deux mois plus tôt avec les opérateurs de tiers payant"
            " Viamedis et Almerys, est dépassé.",
            (),
        ),
        (
            "Un grossiste paralysé par une cyberattaque",
            "Comme Almerys l'an passé, la coopérative a coupé ses serveurs.",
            (),
        ),
        (
            "Le portail de Viamedis piraté",
            "À l'image d'Almerys, l'opérateur a fermé ses accès.",
            ("viamedis",),
        ),
        # a payer named as who reimburses, in a story about something else
        (
            "Rupture de paracétamol",
            "Les boîtes délivrées restent remboursées par l'Assurance maladie.",
            (),
        ),
    ],
)
def test_payers_are_what_the_item_is_about(title: str, body: str, payers: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify(title, body).payers == payers


def test_every_tag_says_which_rule_and_sentence() -> None:
    result = CLASSIFIER.classify("Viamedis en panne", "Le portail est inaccessible depuis lundi.")
    assert any(r.startswith("kind:outage") and "«" in r for r in result.reasons)
    assert any(r.startswith("payer:viamedis") for r in result.reasons)


# --- blocks -----------------------------------------------------------------------------------


def test_a_box_without_full_stop_does_not_swallow_the_next_paragraph() -> None:
    html = "<aside><h3>À lire aussi</h3></aside><p>Viamedis est en panne depuis lundi matin.</p>"
    text = html_to_blocks(html)
    assert text.splitlines() == ["À lire aussi", "Viamedis est en panne depuis lundi matin."]
    result = CLASSIFIER.classify("Point d'étape", text)
    assert result.kinds == ("outage",)
    assert result.payers == ("viamedis",)


@pytest.mark.parametrize("tag", ["p", "li", "h2", "div", "td", "blockquote"])
def test_every_block_element_ends_a_line(tag: str) -> None:
    html = f"<{tag}>Premier bloc sans point</{tag}><{tag}>Second bloc</{tag}>"
    assert html_to_blocks(html).splitlines() == ["Premier bloc sans point", "Second bloc"]
    assert html_to_blocks("un<br>deux").splitlines() == ["un", "deux"]


GUIDE = (
    "Voici les risques que chaque titulaire doit connaître.\n"
    "{heading}\n"
    "Un seul clic sur une pièce jointe suffit, disent les experts.\n"
    "Sauvegardes\n"
    "Gardez une copie hors du réseau."
)


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Rançongiciels", "cyberattack"),
        ("Fuite de données de santé", "data-breach"),
        ("Faux messages et hameçonnage", "phishing"),
        ("Feuilles de soins bloquées", "payment-disruption"),
        ("Panne du logiciel de gestion", "outage"),
    ],
)
def test_a_heading_of_a_guide_names_a_topic_not_an_event(heading: str, kind: str) -> None:
    """A body line with no conjugated verb and no final punctuation, among other lines, is a
    heading or a list entry: it reports nothing by itself."""
    verdict = CLASSIFIER.classify("Les bons réflexes", html_to_blocks(_blocks(heading)))
    assert kind not in verdict.kinds
    assert any("a heading, no verb" in reason for reason in verdict.reasons)


def _blocks(heading: str) -> str:
    return "".join(f"<p>{line}</p>" for line in GUIDE.format(heading=heading).split("\n"))


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        # the same words as a title, a sentence, or a teaser of one or two lines still count
        ("Rançongiciels : trois officines touchées", "Les pharmacies ont porté plainte.", "cyberattack"),
        ("Point", "Panne du logiciel de gestion depuis ce matin", "outage"),
        ("Point", "Le logiciel de gestion est en panne depuis ce matin\nRetour prévu demain\nMerci", "outage"),
        # a status list, with no paragraph for its lines to head
        ("État des services", "Viamedis\nAlmerys\nEn panne\nQue faire\nRien", "outage"),
    ],
)
def test_a_title_a_sentence_or_a_teaser_still_reports(title: str, body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify(title, body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # a participle modifying a noun says of it what a passive says of its subject
        ("Les coordonnées siphonnées contiennent des numéros de téléphone.", "data-breach"),
        ("Les dossiers aspirés concernent des milliers de patients.", "data-breach"),
        ("Les fiches subtilisées contiennent des numéros de sécurité sociale.", "data-breach"),
        ("Les versements gelés pèsent sur la trésorerie.", "payment-disruption"),
        ("Les règlements reportés pèsent sur les comptes des titulaires.", "payment-disruption"),
        ("Les serveurs neutralisés, la facturation reste impossible.", "outage"),
    ],
)
def test_a_participle_beside_its_noun_is_a_relation(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point de situation", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Les données publiées par l'Assurance Maladie montrent une hausse des dépenses.",
        "La caisse a publié les données de remboursement du premier trimestre.",
        "Le logiciel permet de récupérer les données du dossier pharmaceutique.",
        "Les fiches téléchargées depuis le portail servent à préparer la campagne vaccinale.",
    ],
)
def test_data_published_or_fetched_in_the_ordinary_course_is_no_breach(body: str) -> None:
    assert "data-breach" not in CLASSIFIER.classify("Chiffres du mois", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("L'an dernier, Almerys a subi une intrusion.", "cyberattack"),
        ("Viamedis avait déjà subi une cyberattaque il y a deux ans.", "cyberattack"),
        ("Il y a trois ans, une panne a paralysé le portail.", "outage"),
        ("L'année dernière, des données d'assurés ont été dérobées.", "data-breach"),
    ],
)
def test_an_event_dated_a_year_or_a_season_ago_is_a_recall(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Retour sur", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Une cyberattaque a frappé Viamedis la semaine dernière.", "cyberattack"),
        ("Le portail est en panne depuis lundi dernier.", "outage"),
        ("Cet hiver, les commandes arrivent au compte-gouttes.", "supply-disruption"),
    ],
)
def test_an_event_of_last_week_or_this_season_is_news(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Les portails de l'opérateur ne rouvriront pas avant lundi.", "outage"),
        ("Le service ne sera pas remis en ligne avant jeudi, prévient la caisse.", "outage"),
        ("Pas de réouverture du téléservice avant la fin de la semaine.", "outage"),
        ("La reprise des livraisons n'est pas prévue avant mardi.", "supply-disruption"),
    ],
)
def test_a_resolution_denied_says_the_service_is_still_down(body: str, kind: str) -> None:
    verdict = CLASSIFIER.classify("Point de situation", body)
    assert kind in verdict.kinds
    assert verdict.status == "failure"


@pytest.mark.parametrize(
    "body",
    [
        "Les tournées de samedi n'ont pas été assurées.",
        "Les commandes des officines ne sont plus réceptionnées depuis vendredi.",
        "Aucune livraison n'a été effectuée dimanche dans le département.",
        "Le répartiteur n'a pas livré les pharmacies du littoral depuis samedi.",
        "Certaines tournées du Sud n'ont pu être bouclées lundi.",
    ],
)
def test_deliveries_not_made_are_a_supply_disruption(body: str) -> None:
    assert "supply-disruption" in CLASSIFIER.classify("Point répartition", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Les tournées de samedi ont été assurées normalement.",
        "Certaines tournées du Sud ont pu être bouclées lundi.",
        "Le répartiteur livre les pharmacies du littoral deux fois par jour.",
        "Si les tournées n'étaient pas assurées, appelez votre répartiteur secondaire.",
    ],
)
def test_deliveries_made_or_a_hypothesis_are_no_disruption(body: str) -> None:
    assert "supply-disruption" not in CLASSIFIER.classify("Point répartition", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Le rapport annuel de l'observatoire des signalements d'incidents de sécurité est disponible.", "cyberattack"),
        ("Le baromètre des cyberattaques contre les hôpitaux paraît ce mois-ci.", "cyberattack"),
        ("La prévention des cyberattaques devient une priorité des officines.", "cyberattack"),
        ("Les rançongiciels figurent parmi les menaces les plus fréquentes.", "cyberattack"),
    ],
)
def test_a_kind_named_as_a_topic_of_study_or_prevention_is_no_event(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Cybersécurité", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Une campagne d'hameçonnage vise les officines depuis lundi.", "phishing"),
        ("L'enquête sur la cyberattaque de Viamedis progresse.", "cyberattack"),
        ("De faux SMS annoncent un remboursement aux assurés.", "phishing"),
    ],
)
def test_a_campaign_or_an_inquiry_is_still_the_event(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Le logiciel avait planté au matin ; tout est rentré dans l'ordre dans l'après-midi.",
        "Les officines retrouvent progressivement l'usage de leurs postes.",
        "Les pharmacies ont retrouvé l'accès au portail en fin de journée.",
    ],
)
def test_order_restored_or_use_found_again_is_a_resolution(body: str) -> None:
    assert CLASSIFIER.classify("Panne du logiciel", body).status == "resolved"


@pytest.mark.parametrize(
    "body",
    [
        "Un accès partiel à la plateforme a été rétabli vendredi matin.",
        "Le service n'est toujours que partiellement rétabli.",
        "Les cabinets ont retrouvé l'accès aux dossiers, mais pas à toutes les fonctions.",
        "Le portail est de nouveau accessible, en mode dégradé.",
    ],
)
def test_a_partial_resolution_leaves_the_incident_open(body: str) -> None:
    verdict = CLASSIFIER.classify("Panne du logiciel", body)
    assert verdict.status == "failure"
    assert "outage" in verdict.kinds


def test_a_mailbox_closed_to_software_is_an_outage() -> None:
    closed = "L'hébergeur a suspendu la consultation des boîtes depuis les logiciels extérieurs."
    assert "outage" in CLASSIFIER.classify("Messagerie des soignants", closed).kinds


def test_batched_parses_give_the_verdicts_of_one_by_one_parses(monkeypatch) -> None:
    """Classifications read with their sentences parsed in batches (nlp.pipe) are those
    read one sentence at a time, and the batch asks the model for each sentence once."""
    from aggregator.understand import language

    texts = [
        ("Panne chez Viamedis", "Le portail est indisponible depuis ce matin."),
        ("Point sécurité", "Aucune d'entre elles n'a été piratée la semaine dernière."),
        ("Rumeur", "Certains titulaires ont cru à une cyberattaque. Le service est rétabli."),
        ("Intrusion", "Les identifiants avaient été obtenus par hameçonnage."),
        ("Rien", "La réunion annuelle aura lieu en mars."),
    ]
    alone = [Classifier().classify(title, body) for title, body in texts]
    monkeypatch.setattr(language, "_parsed", language.OrderedDict())
    for cached in (language.reading, language.related, language.is_news_about):
        cached.cache_clear()
    language.has_finite_verb.cache_clear()
    one_by_one: list[str] = []
    piped: list[list[str]] = []
    model = language._nlp()

    class Counting:
        def __call__(self, sentence: str):  # type: ignore[no-untyped-def]
            one_by_one.append(sentence)
            return model(sentence)

        def pipe(self, sentences: list[str], batch_size: int):  # type: ignore[no-untyped-def]
            piped.append(list(sentences))
            return model.pipe(sentences, batch_size=batch_size)

    monkeypatch.setattr(language, "_nlp", Counting)
    fresh = Classifier()  # no verdict cached by the classifier's own caches
    together = language.batched(lambda pair: fresh.classify(*pair), texts)
    assert together == alone
    assert piped and one_by_one == []  # every parse came from a batch
    sentences = [s for batch in piped for s in batch]
    assert len(sentences) == len(set(sentences))  # none asked for twice


def test_batched_runs_what_is_left_after_its_rounds_one_by_one(monkeypatch) -> None:
    """A call that keeps asking for new sentences past the last round is still answered."""
    from aggregator.understand import language

    monkeypatch.setattr(language, "_parsed", language.OrderedDict())
    monkeypatch.setattr(language, "GATHER_ROUNDS", 1)

    def two_sentences(word: str) -> list[str]:
        first = language.parse(f"Le {word} est fermé.")
        second = language.parse(f"Le {word} est ouvert.")
        return [first[1].text, second[1].text]

    assert language.batched(two_sentences, ["portail", "guichet"]) == [
        ["portail", "portail"],
        ["guichet", "guichet"],
    ]
    # Outside batched(), a sentence not parsed yet is parsed, never refused.
    assert language.parse("Le site est fermé.")[1].text == "site"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # the object of a verb of protection, avoidance or training, in any mood
        ("Comment protéger son officine contre les rançongiciels ?", "cyberattack"),
        ("Protégez vos postes contre les logiciels de rançon.", "cyberattack"),
        ("Il faut se prémunir des faux courriels aux couleurs de la caisse.", "phishing"),
        ("Sensibilisez l'équipe officinale aux tentatives d'hameçonnage.", "phishing"),
        ("Nous formons chaque année nos préparateurs à l'hameçonnage.", "phishing"),
        ("Un contrôle quotidien des retours permet d'éviter les rejets de factures.", "payment-disruption"),
        ("Relisez vos lots pour éviter que les impayés ne s'accumulent.", "payment-disruption"),
        # nouns coordinated under a warning all stay under it
        ("Le service diminue le risque d'erreurs et de rejets de factures.", "payment-disruption"),
    ],
)
def test_a_threat_guarded_against_is_no_event(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Bonnes pratiques", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # a phrase opened by a scope breaker, or a participle saying what happened
        ("Les officines doivent se protéger après la cyberattaque qui a visé Almerys.", "cyberattack"),
        ("Sécurisez dès maintenant les comptes piratés par les escrocs.", "cyberattack"),
        # "faire face" and "entraîner" report
        ("Le centre hospitalier fait face à une cyberattaque depuis dimanche.", "cyberattack"),
        ("L'intrusion a entraîné la fermeture des portails.", "outage"),
        # a clause joined to the warning's is its own
        ("Le risque était connu et les pirates ont chiffré les serveurs.", "cyberattack"),
    ],
)
def test_a_threat_beside_an_event_keeps_the_event(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        # a verb or a noun of return and what returns, in any voice or order
        "Les règlements de l'opérateur ont repris mardi, après l'incident technique de lundi.",
        "L'accès au portail de l'opérateur a été restauré au cours de la nuit.",
        "Le dysfonctionnement de la facturation a été corrigé par les équipes de l'opérateur.",
        "Chez l'opérateur, le problème d'accès est désormais résolu.",
        "Les lots de factures sont à nouveau acceptés par la plateforme de l'opérateur.",
        "Les officines peuvent de nouveau télétransmettre vers l'opérateur.",
        "Fin de l'incident sur le portail de l'opérateur.",
        "Le portail de l'opérateur a été réactivé ce matin pour toutes les officines.",
    ],
)
def test_a_return_of_service_in_other_words_resolves(body: str) -> None:
    verdict = CLASSIFIER.classify("Panne chez Viamedis", body)
    assert verdict.status == "resolved", verdict.reasons


@pytest.mark.parametrize(
    "body",
    [
        # announced, expected, hoped, demanded, conditional or denied: not back yet
        "Le portail de l'opérateur sera rétabli lundi, selon la direction.",
        "Les paiements de l'opérateur doivent reprendre la semaine prochaine.",
        "L'opérateur espère rétablir l'accès au portail demain.",
        "La reprise des règlements est attendue pour lundi.",
        "La réouverture du portail est prévue jeudi.",
        "Les syndicats réclament le rétablissement rapide du portail.",
        "L'opérateur n'a pas encore corrigé le dysfonctionnement.",
        "Nous vous préviendrons quand le service sera rétabli.",
        "Le service devrait être rétabli dans la journée.",
    ],
)
def test_a_return_to_come_or_denied_does_not_resolve(body: str) -> None:
    verdict = CLASSIFIER.classify("Panne chez Viamedis", body)
    assert verdict.status != "resolved", verdict.reasons


def _incidents(texts: list[tuple[str, str]]) -> list:  # type: ignore[type-arg]
    """The incidents grouped from items of these (title, body), six hours apart, each
    classified as the pipeline does."""
    from datetime import UTC, datetime, timedelta

    from aggregator.understand.incidents import IncidentInput, group_incidents

    start = datetime(2024, 3, 4, 9, tzinfo=UTC)
    inputs = []
    for n, (title, body) in enumerate(texts):
        verdict = CLASSIFIER.classify(title, body)
        inputs.append(
            IncidentInput(
                id=f"i{n}",
                date=start + timedelta(hours=6 * n),
                title=title,
                payers=verdict.payers,
                kinds=verdict.kinds,
                organisations=verdict.organisations,
                status=verdict.status,
                actions=verdict.actions,
                contacts=verdict.contacts,
                text=body,
            )
        )
    return group_incidents(inputs, {}, str, str)


def test_an_incident_closes_on_a_return_said_in_other_words() -> None:
    """The item that says the service is back in words of its own (restored, reactivated,
    corrected) resolves the incident its payer's failure opened."""
    texts = [
        ("Almerys : le portail inaccessible", "Le portail d'Almerys est inaccessible depuis ce matin."),
        ("Almerys : l'accès a été restauré", "L'accès au portail d'Almerys a été restauré dans la nuit."),
    ]
    [incident] = _incidents(texts)
    assert incident.items == ("i0", "i1")
    assert incident.status == "resolved"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # claims sent back, trouble said technical, a service that no longer works
        ("Depuis lundi, la caisse rejette la plupart des lots de FSE.", "payment-disruption"),
        ("Des feuilles de soins électroniques ont été refusées par centaines.", "payment-disruption"),
        ("L'opérateur reconnaît des difficultés techniques sur son portail.", "outage"),
        ("Un souci informatique touche la plateforme depuis hier soir.", "outage"),
        ("Le téléservice de l'opérateur ne répond plus depuis midi.", "outage"),
        ("Depuis dimanche, les lots de factures n'aboutissent plus.", "outage"),
        ("Les titulaires n'arrivent plus à se connecter à la plateforme.", "outage"),
    ],
)
def test_trouble_in_other_words_is_its_kind(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # a case that may arise, a condition, a service that works
        ("En cas de problème technique, appelez le support de votre éditeur.", "outage"),
        ("Dans l'éventualité d'une coupure, gardez des feuilles de soins papier.", "outage"),
        ("Si la plateforme ne répond pas, réessayez plus tard.", "outage"),
        ("Le portail fonctionne et les lots aboutissent normalement.", "outage"),
        ("Les pharmaciens ne peuvent pas facturer cet acte sans prescription.", "outage"),
        ("La CNIL relève des défaillances techniques dans la sécurité du logiciel.", "outage"),
    ],
)
def test_trouble_that_may_arise_or_does_not_is_no_kind(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # an interruption announced, with a copula, a passive or a participle of planning
        ("Viamedis : opération de maintenance", "Le portail de Viamedis sera indisponible dimanche matin."),
        ("Almerys : travaux dans la nuit", "Les services d'Almerys seront interrompus de 22 h à 4 h."),
        ("Ameli pro : coupure programmée samedi", "Une mise à jour des téléservices est prévue samedi soir."),
    ],
)
def test_an_announced_interruption_is_a_planned_incident(title: str, body: str) -> None:
    [incident] = _incidents([(title, body)])
    assert incident.status == "planned"


def test_an_interruption_happening_now_is_ongoing() -> None:
    [incident] = _incidents(
        [("Viamedis : portail indisponible", "Le portail de Viamedis est indisponible depuis 8 h.")]
    )
    assert incident.status == "ongoing"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # data listed with others, under a modal; the attacker; crooks sending or calling
        ("Les adresses, dates de naissance et numéros de téléphone des clients ont pu être consultés.", "data-breach"),
        ("Avec des identifiants volés, un attaquant s'est connecté au portail de l'opérateur.", "cyberattack"),
        ("Des courriels réclamant une mise à jour de la carte Vitale sont envoyés par des escrocs.", "phishing"),
        ("Depuis lundi, des fraudeurs appellent les officines au nom de la caisse.", "phishing"),
        # tiers payant no longer practised, payments no longer made
        ("Les officines ne pratiquent plus le tiers payant sur ces contrats.", "tiers-payant-suspension"),
        ("Depuis le 1er février, l'opérateur ne règle plus les factures des pharmacies.", "payment-disruption"),
    ],
)
def test_facts_said_with_other_words_or_a_negation_are_their_kind(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("L'attaquant du club a marqué deux buts samedi.", "cyberattack"),
        ("Les pharmaciens pratiquent le tiers payant sur la part obligatoire.", "tiers-payant-suspension"),
        ("La caisse ne rembourse pas ce médicament sans ordonnance.", "payment-disruption"),
        ("Nous vous recommandons de ne régler aucune facture d'un fournisseur inconnu.", "payment-disruption"),
        ("Les dossiers n'ont pas été consultés, assure l'éditeur.", "data-breach"),
    ],
)
def test_the_same_words_without_the_fact_are_no_kind(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "payers"),
    [
        # a payer opening the sentence, which the small model often makes the root
        ("La CPAM revalorise les honoraires de dispensation au 1er janvier.", ("assurance-maladie",)),
        ("Viamedis et la FSPF ont signé une nouvelle convention de tiers payant.", ("viamedis",)),
        # named in passing, the subject of nothing it does
        ("« Nous travaillons avec Viamedis depuis dix ans », confie un titulaire.", ()),
    ],
)
def test_a_payer_s_own_news_opening_a_sentence_tags_it(body: str, payers: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Actualité", body).payers == payers


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # orders that can no longer be placed or were never received, a wholesaler that no
        # longer delivers (a verb the small model reads as a noun)
        ("Depuis lundi, les commandes ne peuvent plus être passées auprès du répartiteur.", True),
        ("Les titulaires n'ont reçu aucune commande depuis trois jours.", True),
        ("Le répartiteur ne livre plus les officines du département depuis mardi.", True),
        # the same verbs, nothing missing
        ("Les commandes passées avant onze heures sont livrées le jour même.", False),
        ("Les commandes ont bien été reçues par le grossiste.", False),
    ],
)
def test_orders_not_placed_or_received_are_a_supply_disruption(body: str, expected: bool) -> None:
    assert ("supply-disruption" in CLASSIFIER.classify("Point", body).kinds) is expected


def test_payments_not_received_are_no_supply_disruption() -> None:
    """What is not received decides: orders are a supply story, payments are not."""
    verdict = CLASSIFIER.classify(
        "Point", "Depuis le 2 mai, les pharmacies ne reçoivent plus les règlements de l'opérateur."
    )
    assert "supply-disruption" not in verdict.kinds


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a delay said with a support verb whose subject is the payments
        ("Les paiements de l'opérateur ont pris du retard depuis la fin du mois.", True),
        ("Les virements aux officines connaissent un retard inhabituel cette semaine.", True),
        # denied, or a delay of something else
        ("Les paiements de l'opérateur n'ont pris aucun retard malgré la panne.", False),
        ("Le projet de convention a pris du retard.", False),
    ],
)
def test_payments_that_take_a_delay_are_a_payment_disruption(body: str, expected: bool) -> None:
    assert ("payment-disruption" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        # accounts or credentials stolen or taken over, in any voice
        ("Des identifiants de pharmaciens ont été dérobés puis revendus.", {"cyberattack"}),
        ("Les mots de passe de plusieurs titulaires ont été subtilisés la semaine dernière.", {"cyberattack"}),
        ("Les pirates ont usurpé les comptes de deux conseillers.", {"cyberattack"}),
        ("Encore des comptes d'agents usurpés chez l'opérateur public.", {"cyberattack"}),
        # an access or a person without the right to it; the access to data is a breach too
        ("Un tiers non autorisé a accédé au portail de l'opérateur.", {"cyberattack"}),
        ("Des connexions non habilitées ont été repérées sur les comptes des officines.", {"cyberattack"}),
        ("L'accès non autorisé à des fiches d'assurés a été confirmé.", {"cyberattack", "data-breach"}),
    ],
)
def test_stolen_credentials_or_an_unauthorised_access_are_an_intrusion(
    body: str, kinds: set[str]
) -> None:
    assert kinds <= set(CLASSIFIER.classify("Point", body).kinds)


@pytest.mark.parametrize(
    "body",
    [
        "Aucun identifiant n'a été dérobé, assure l'opérateur.",
        "Les identifiants n'ont pas été compromis, précise l'éditeur.",
        "Seules les personnes autorisées peuvent accéder aux fiches.",
        "Changez votre mot de passe si vous pensez qu'il a été volé.",
        # any case of the kind, not one that happened ("toute", no article)
        "Le logiciel bloque toute connexion non autorisée.",
        "Toute fuite de données doit être notifiée à la CNIL sous 72 heures.",
        "Toute tentative d'hameçonnage doit être signalée au responsable.",
        # a passive clause under a verb of avoidance is guarded against
        "Protégez vos comptes pour éviter qu'ils soient piratés.",
    ],
)
def test_credentials_kept_or_any_case_of_a_kind_are_no_event(body: str) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == ()


def test_all_of_one_thing_broken_is_still_the_event() -> None:
    """"Tout" with an article is one thing whole, not any case."""
    assert "outage" in CLASSIFIER.classify("Point", "Toute la messagerie est en panne depuis ce matin.").kinds


@pytest.mark.parametrize(
    "body",
    [
        # an impostor or a forged message, before or after its noun, whatever it claims
        "DPC : de faux mandataires de l'Ordre harcèlent les titulaires.",
        "De prétendus conseillers de la caisse démarchent les officines.",
        "Un fax frauduleux reprenant le logo du fournisseur circule dans les officines.",
        "Une fausse lettre de la caisse réclame un paiement.",
        # a noun the model takes for a name, and a negation after a colon that is not its own
        "Démarchages frauduleux au nom de l'Ordre : ne cédez pas.",
        # crooks doing what crooks do
        "L'offre a été fabriquée de toutes pièces par des fraudeurs.",
    ],
)
def test_an_impostor_or_a_forged_message_is_phishing(body: str) -> None:
    assert "phishing" in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Le fournisseur a émis une facture rectificative.",
        "Le nouveau conseiller de la caisse a appelé les officines.",
        "Restez attentifs à d'éventuels appels frauduleux.",
        "Ne donnez jamais vos codes à un faux technicien.",
        "Méfiez-vous des faux conseillers qui appellent au nom de la caisse.",
        # an imperative of protection opening the sentence, which the model parses apart
        "Méfiez-vous des messages frauduleux qui pourraient exploiter ces données.",
        # warned against, the second of two coordinated nouns too
        "La lettre met en garde contre les appels et messages frauduleux qui pourraient s'en servir.",
    ],
)
def test_a_genuine_message_or_an_impostor_warned_of_is_no_phishing(body: str) -> None:
    assert "phishing" not in CLASSIFIER.classify("Point", body).kinds


def test_a_heading_holding_a_relation_reports_nothing_by_itself() -> None:
    """A guide's heading names a topic ("Faux messages et hameçonnage"); a relation the
    parse finds in it counts no more than a trigger word does."""
    body = (
        "Nos conseils pour l'été.\nFaux messages frauduleux\n"
        "Vérifiez toujours l'expéditeur avant de cliquer sur un lien.\nSauvegardes\n"
        "Faites une copie chaque semaine."
    )
    assert "phishing" not in CLASSIFIER.classify("Guide", body).kinds


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Des escrocs démarchent les officines au nom de l'Ordre depuis mars.", True),
        ("Le conseil régional de l'Ordre a reçu plusieurs signalements.", True),
        ("Il faut remettre de l'ordre dans les stocks avant l'inventaire.", False),
    ],
)
def test_the_order_is_named_by_its_short_capitalised_name(body: str, named: bool) -> None:
    assert ("ordre" in CLASSIFIER.classify("Point", body).organisations) is named


@pytest.mark.parametrize(
    "body",
    [
        # what a return of service brings back says what was broken, also through the
        # function that serves it ("la prise de commande")
        "Les tournées ont repris normalement après deux jours de blocage.",
        "La prise de commande a été rétablie dimanche soir chez le répartiteur.",
        "Le grossiste annonce le rétablissement des livraisons dans tout le département.",
    ],
)
def test_deliveries_back_were_a_supply_disruption(body: str) -> None:
    verdict = CLASSIFIER.classify("Point", body)
    assert verdict.status == "resolved"
    assert "supply-disruption" in verdict.kinds


@pytest.mark.parametrize(
    "body",
    [
        "La reprise des livraisons est prévue lundi.",
        # the complement of the antecedent of a relative clause is not its subject
        "Les logiciels d'officine qui ne sont pas tous passés à la nouvelle version posent problème.",
    ],
)
def test_deliveries_to_come_or_software_not_updated_are_no_supply_story(body: str) -> None:
    assert "supply-disruption" not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # offline storage is no service offline
        ("Vérifiez chaque semaine l'existence de sauvegardes hors ligne.", "outage"),
        ("Gardez une copie hors ligne de vos fichiers de facturation.", "outage"),
        # what people remember is a past story
        ("Les titulaires ont encore en mémoire la fermeture des portails d'un opérateur.", "outage"),
        ("Le souvenir de la panne de 2019 reste vif chez les officinaux.", "outage"),
        # a class of events counted, as an annual report does
        (
            "Les incidents malveillants représentent une part importante des signalements, "
            "les rançongiciels figurant parmi les plus fréquents.",
            "cyberattack",
        ),
        ("Les dysfonctionnements représentent une part significative des signalements.", "outage"),
        ("Les messages qui jouent sur la santé font partie des arnaques les plus courantes.", "phishing"),
    ],
)
def test_storage_memories_and_statistics_are_no_event(body: str, kind: str) -> None:
    assert kind not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("Le portail de l'opérateur est hors ligne depuis ce matin.", "outage"),
        ("Les retards de paiement restent importants chez l'opérateur.", "payment-disruption"),
        (
            "Une part importante des officines a dû suspendre le tiers payant après l'attaque.",
            "tiers-payant-suspension",
        ),
    ],
)
def test_a_service_offline_or_a_share_of_victims_is_still_the_event(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "payers"),
    [
        # a title reporting an event without its payer: the lead names whom it hit
        (
            "Viamedis a confirmé lundi l'origine de l'incident. Les magasins ne peuvent plus "
            "vérifier les droits des assurés.\nLes enseignes demandent une avance aux clients.",
            ("viamedis",),
        ),
        # further down, a payer that helps or comments is not what the story is about
        (
            "Les magasins ne peuvent plus vérifier les droits des assurés depuis lundi. Les "
            "enseignes demandent une avance aux clients.\nLes équipes de l'opérateur "
            "travaillent avec celles de la Cnam, indique la fédération.",
            (),
        ),
    ],
)
def test_a_title_s_unnamed_event_takes_its_payer_from_the_lead(
    body: str, payers: tuple[str, ...]
) -> None:
    title = "Cyberattaque : les opticiens privés de prise en charge"
    assert CLASSIFIER.classify(title, body).payers == payers


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # a return still to come, in an item reporting an incident: broken until then
        ("Après la cyberattaque, la réouverture des portails est attendue lundi.", "outage"),
        ("Après la panne du réseau, la reprise des paiements est prévue jeudi.", "payment-disruption"),
    ],
)
def test_a_return_to_come_says_what_is_broken_until_then(body: str, kind: str) -> None:
    verdict = CLASSIFIER.classify("Point", body)
    assert verdict.status == "failure"
    assert kind in verdict.kinds


def test_a_maintenance_announcing_its_end_stays_planned() -> None:
    verdict = CLASSIFIER.classify(
        "Maintenance", "Le portail sera indisponible samedi de 8 h à 12 h ; le service sera rétabli à midi."
    )
    assert verdict.status == "planned"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # deprived of tiers payant or of the agreements that cover it, the verb misread too
        ("Un bug informatique prive des assurés de tiers payant.", True),
        ("Cyberattaque : les opticiens privés de prises en charge depuis lundi.", True),
        ("Les assurés ont été privés du tiers payant pendant trois jours.", True),
        # what is done instead of something is done; the other thing is not
        (
            "On privilégie le report des appareillages plutôt que de demander aux patients "
            "une avance de frais.",
            False,
        ),
        ("Au lieu de suspendre le tiers payant, les pharmaciens forcent les droits.", False),
    ],
)
def test_deprived_of_tiers_payant_is_a_suspension_not_an_alternative_avoided(
    body: str, expected: bool
) -> None:
    assert ("tiers-payant-suspension" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # payments stopping of themselves, seen stopping, missing, partial, shifted
        ("Il a vu les remboursements de la caisse primaire s'interrompre fin novembre.", True),
        ("Les virements de l'opérateur se sont arrêtés le 3 mars.", True),
        ("Depuis plusieurs jours, des paiements manquent à l'appel.", True),
        ("Les concentrateurs annoncent des paiements partiels cette semaine.", True),
        ("Trois semaines sans virement de la caisse, en décembre.", True),
        ("Le décalage de paiement pèse sur la trésorerie des officines depuis lundi.", True),
        # the same words, nothing missing: a way of paying, a condition, a denial
        ("Le paiement sans contact est accepté dans toutes les officines.", False),
        ("Informez votre banque si le décalage de paiement pèse sur votre trésorerie.", False),
        ("Les paiements ne se sont pas interrompus pendant la panne.", False),
    ],
)
def test_payments_stopped_missing_or_partial_are_a_payment_disruption(
    body: str, expected: bool
) -> None:
    assert ("payment-disruption" in CLASSIFIER.classify("Point", body).kinds) is expected


def test_a_fact_conceded_with_meme_si_is_still_asserted() -> None:
    verdict = CLASSIFIER.classify(
        "Point", "Même si le portail fonctionne, les paiements sont suspendus depuis lundi."
    )
    assert "payment-disruption" in verdict.kinds


@pytest.mark.parametrize(
    "body",
    [
        # a ransom anywhere in the item makes its attack a cyberattack
        "L'hôpital fonctionne en mode dégradé trois jours après l'attaque. La direction "
        "répète qu'elle ne versera pas la rançon demandée.",
        # silence on a verb of speaking is no denial of what it is about
        "L'établissement n'a pas communiqué sur le rançongiciel en cause.",
        "L'opérateur n'a pas commenté le piratage de ses serveurs.",
    ],
)
def test_an_attack_beside_a_ransom_or_left_uncommented_is_a_cyberattack(body: str) -> None:
    assert "cyberattack" in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "L'établissement n'a subi aucun rançongiciel.",
        "Il s'agit d'un usage non autorisé, pas d'un piratage.",
        "Le braqueur a été arrêté après l'attaque de la pharmacie ; il réclamait une rançon.",
    ],
)
def test_an_attack_denied_or_at_the_counter_is_no_cyberattack(body: str) -> None:
    assert "cyberattack" not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        # an act the reader is told to do is not done
        ("Les établissements sont invités à désactiver le service VPN sans délai.", "outage", False),
        ("Il est recommandé de couper l'accès au portail pendant la mise à jour.", "outage", False),
        # done, or a suspension a union calls for: the event
        ("L'opérateur a désactivé le service par précaution.", "outage", True),
        ("Les syndicats invitent les officines à suspendre le tiers payant.", "tiers-payant-suspension", True),
    ],
)
def test_an_act_advised_is_no_event_except_a_suspension_called_for(
    body: str, kind: str, expected: bool
) -> None:
    assert (kind in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    "body",
    [
        # what a lure threatens, in the conditional of its auxiliary or with "menacer"
        "Faute de mise à jour, l'accès au compte serait suspendu à compter du 30 novembre.",
        "Le message menace de couper l'accès au compte si la carte n'est pas renouvelée.",
    ],
)
def test_what_a_lure_threatens_is_no_outage(body: str) -> None:
    assert "outage" not in CLASSIFIER.classify("Point", body).kinds


def test_the_subject_of_a_past_conditional_is_no_hypothesis() -> None:
    """"auraient pu permettre une extraction": the extraction is possible, the malicious
    accesses that might have allowed it happened."""
    body = "L'éditeur concède que les accès malveillants auraient pu permettre une extraction."
    assert "cyberattack" in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # glitches in the plural said minor or occasional come and go: no incident
        ("Le dispositif fonctionne correctement, avec quelques petits bugs de temps en temps.", False),
        ("Des dysfonctionnements mineurs sont signalés sur l'application.", False),
        ("L'application connaît de légers ralentissements sporadiques.", False),
        # one small outage is an outage; outages multiplying are news
        ("Une petite panne a touché le portail ce matin.", True),
        ("Les pannes se multiplient sur le portail de l'opérateur.", True),
    ],
)
def test_minor_glitches_are_no_outage(body: str, expected: bool) -> None:
    assert ("outage" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # an aim a verb of use in a past tense says was reached, the infinitive misread too
        ("Des comptes de pharmacies ont été utilisés frauduleusement pour extraire des données d'assurés.", True),
        # data offered for sale
        ("750 000 dossiers de patients en vente sur un forum.", True),
        # an aim only, a sale of something else, data denied
        ("Les escrocs cherchent à dérober des données.", False),
        ("Le dossier de vente du fonds est prêt.", False),
        ("Aucune donnée n'a été mise en vente.", False),
    ],
)
def test_data_extracted_with_accounts_used_or_put_on_sale_is_a_breach(body: str, expected: bool) -> None:
    assert ("data-breach" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        # a verb of stopping negates the infinitive below it
        ("L'opérateur a cessé de régler les factures des officines.", "payment-disruption", True),
        ("Le répartiteur a renoncé à livrer les officines de l'île.", "supply-disruption", True),
        ("Le portail a cessé de fonctionner dimanche.", "outage", True),
        ("L'opérateur n'a jamais cessé de régler les factures.", "payment-disruption", False),
        # how to do something is a method, not an event
        ("Le guide explique comment réagir face à un rançongiciel.", "cyberattack", False),
    ],
)
def test_stopping_negates_and_how_to_is_a_method(body: str, kind: str, expected: bool) -> None:
    assert (kind in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    "body",
    [
        "Les paiements ont repris normalement depuis jeudi.",
        "Le portail est de nouveau accessible depuis ce matin.",
        "La reprise des livraisons est prévue lundi après la cyberattaque.",
        "Le portail n'est toujours pas rétabli après la panne.",
        "Les commandes passent de nouveau chez le répartiteur ; la prise de commande a été rétablie.",
    ],
)
def test_every_kind_is_explained_also_one_named_by_status_wording(body: str) -> None:
    """Each kind carries the rule and sentence that gave it, also a kind the status wording
    names as broken ("les paiements ont repris": they had stopped)."""
    verdict = CLASSIFIER.classify("Point", body)
    assert verdict.kinds
    for kind in verdict.kinds:
        assert any(reason.startswith(f"kind:{kind} ") for reason in verdict.reasons), kind


@pytest.mark.parametrize(
    ("body", "payers"),
    [
        # what a payer's own bodies do is its news, through one or two complements
        (
            "La nouvelle convention a été paraphée lundi par la Caisse nationale de "
            "l'Assurance Maladie et les syndicats.",
            ("assurance-maladie",),
        ),
        (
            "Le conseil a décidé de signer le texte proposé par l'Union nationale des caisses "
            "d'assurance maladie.",
            ("assurance-maladie",),
        ),
        # complementary insurers are no Assurance Maladie
        ("Les organismes complémentaires d'assurance maladie ont signé un accord.", ()),
    ],
)
def test_what_a_payer_s_bodies_do_is_its_news(body: str, payers: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Actualité", body).payers == payers


@pytest.mark.parametrize(
    ("title", "body", "payers"),
    [
        # news about another scheme's members using a shared service: theirs only
        (
            "Adhérents MSA : votre carte Vitale sur votre smartphone",
            "L'application carte Vitale est accessible aux adhérents de la MSA.",
            ("msa",),
        ),
        # the service alone: the Assurance Maladie's
        ("Carte Vitale : l'appli généralisée", "L'application carte Vitale est disponible partout.", ("assurance-maladie",)),
        # an incident of the service stays the Assurance Maladie's, whoever else is named
        (
            "Panne de l'appli carte Vitale",
            "L'appli carte Vitale est en panne depuis ce matin ; le portail d'Almerys aussi.",
            ("almerys", "assurance-maladie"),
        ),
    ],
)
def test_a_shared_service_alone_names_no_payer_in_another_payer_s_news(
    title: str, body: str, payers: tuple[str, ...]
) -> None:
    assert CLASSIFIER.classify(title, body).payers == payers


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # a mailbox blocked, claims that no longer leave, activities stopped
        ("Le blocage des messageries de l'opérateur empêche l'envoi des lots.", True),
        ("Pour elles, les feuilles de soins électroniques ne partent plus depuis le 27 avril.", True),
        ("Le groupe a annoncé l'arrêt de ses activités de production jusqu'à nouvel ordre.", True),
        # claims leaving as every evening, roads blocked
        ("Les feuilles de soins partent chaque soir vers la caisse.", False),
        ("Les blocages routiers paralysent l'île depuis lundi.", False),
    ],
)
def test_blocked_mailboxes_claims_that_no_longer_leave_and_stopped_activities_are_outages(
    body: str, expected: bool
) -> None:
    assert ("outage" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # deliveries slowed or prevented, delivery vehicles stopped
        ("Les barrages ralentissent l'approvisionnement des officines.", True),
        ("Leurs véhicules sont contraints de rebrousser chemin devant les barrages.", True),
        ("Un semi-remorque du répartiteur est resté immobilisé au port.", True),
        # a person stopped, deliveries nothing prevents
        ("Le livreur a été arrêté pour excès de vitesse.", False),
        ("Rien n'empêche de livrer les officines le dimanche.", False),
    ],
)
def test_deliveries_slowed_or_vehicles_stopped_are_a_supply_disruption(
    body: str, expected: bool
) -> None:
    assert ("supply-disruption" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # brought to its knees or to a halt, a changed stem of the verb too
        ("Une mise à jour tarifaire met à genoux un logiciel de pharmacie.", True),
        ("Le serveur a été mis à l'arrêt par précaution.", True),
        # put forward, brought up to date
        ("Santéclair met en avant un outil d'analyse des devis.", False),
        ("L'éditeur met à jour le logiciel chaque mois.", False),
    ],
)
def test_brought_to_its_knees_is_an_outage_put_forward_is_not(body: str, expected: bool) -> None:
    assert ("outage" in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        # payments shifted, rounds cancelled, a service slow, calls posing as someone
        ("Suite à un incident chez notre prestataire, les paiements du 12 mars seront décalés de 48 heures.", "payment-disruption", True),
        ("La grève des chauffeurs a entraîné l'annulation de nombreuses tournées dans le Nord.", "supply-disruption", True),
        ("Nos équipes constatent des lenteurs importantes sur l'espace professionnel.", "outage", True),
        ("Des pharmaciens signalent des appels se présentant comme le support de leur logiciel.", "phishing", True),
        ("Un courriel se réclamant de la caisse demande vos identifiants.", "phishing", True),
        # the same words of something else
        ("L'annulation de la réunion est confirmée.", "supply-disruption", False),
        ("Le ralentissement de l'activité pèse sur les marges.", "outage", False),
        ("Les messages présentant les nouveautés du portail arrivent lundi.", "phishing", False),
        ("La société se présente comme le leader du marché.", "phishing", False),
    ],
)
def test_other_voices_say_the_same_kinds(body: str, kind: str, expected: bool) -> None:
    assert (kind in CLASSIFIER.classify("Point", body).kinds) is expected


@pytest.mark.parametrize(
    ("body", "kind", "status"),
    [
        # what professionals can no longer do ("plus", not "pas")
        ("Les opticiens ne peuvent plus obtenir d'accord de prise en charge via la plateforme.", "outage", "failure"),
        # back, said with a verb in re- or payments issued again
        ("Les centres auditifs constatent que la plateforme refonctionne depuis jeudi midi.", "outage", "resolved"),
        ("Les virements d'Almerys sont de nouveau émis normalement depuis ce matin.", "payment-disruption", "resolved"),
        # a plain future makes a plan
        ("Une intervention technique rendra le portail indisponible dans la nuit de samedi.", "outage", "planned"),
        # a return denied says the trouble goes on: its subject is asserted
        ("La panne n'est toujours pas résolue ce lundi matin, indique l'opérateur.", "outage", "failure"),
    ],
)
def test_kinds_and_status_in_other_voices(body: str, kind: str, status: str) -> None:
    verdict = CLASSIFIER.classify("Point", body)
    assert kind in verdict.kinds
    assert verdict.status == status


def test_what_professionals_may_never_do_is_no_outage() -> None:
    body = "Les pharmaciens ne peuvent pas facturer cet acte sans prescription."
    assert "outage" not in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind", "expected"),
    [
        # a list a colon opens after a noun of threat or topic names what the noun is
        ("Le module présente les principales menaces : hameçonnage, rançongiciels et fuites de données.", "cyberattack", False),
        # a shop reopening its doors is no return of service
        ("La pharmacie a rouvert ses portes après trois semaines de travaux.", "outage", False),
        # the same after a colon, with a verb that reports; a portal reopened
        ("Prudence : des pirates ont dérobé les données de l'opérateur.", "cyberattack", True),
        ("Viamedis a rouvert ses portails le 12 février.", "outage", True),
    ],
)
def test_threats_listed_and_shops_reopened_are_no_event(body: str, kind: str, expected: bool) -> None:
    assert (kind in CLASSIFIER.classify("Point", body).kinds) is expected


def test_a_sentence_is_parsed_as_one_tree() -> None:
    """The classifier's sentence is one: the parser may not split it (the small model cut
    "rendra le portail Almerys inaccessible dimanche" after the name)."""
    doc = language.parse(
        "Une opération de maintenance rendra le portail Almerys inaccessible dimanche de 6 h à 12 h."
    )
    assert sum(1 for token in doc if token.head == token) == 1


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("compromettre", ["compromis", "compromises", "compromettent", "compromet"]),
        ("atteindre", ["atteint", "atteintes", "atteignent", "atteindra"]),
        ("reprendre", ["repris", "reprises", "reprennent", "reprend"]),
        ("resoudre", ["resolu", "resolus", "resout", "resolvent"]),
        ("connaitre", ["connu", "connait", "connaissent"]),
        ("rouvrir", ["rouvert", "rouverte", "rouvrent", "rouvrira"]),
        ("maintenir", ["maintient", "maintiennent", "maintenu"]),
        ("renvoyer", ["renvoie", "renvoyes", "renverra"]),
        ("bloquer", ["bloque", "bloques", "bloquaient", "bloquera"]),
        ("appeler", ["appelle", "appellent", "appele"]),
        ("regler", ["reglent", "regle", "reglera"]),
        ("retablir", ["retabli", "retablissent", "retablira"]),
        ("detruire", ["detruit", "detruisent", "detruites"]),
        ("suspendre", ["suspendu", "suspend", "suspendent"]),
        ("interrompre", ["interrompu", "interrompt", "interrompent"]),
        ("portail", ["portails"]),
        ("terminal", ["terminaux"]),
        ("commercial", ["commerciaux", "commerciale"]),
        ("nouveau", ["nouvelle", "nouveaux", "nouvel"]),
        ("frauduleux", ["frauduleuse", "frauduleuses"]),
        ("collaborateur", ["collaboratrice", "collaborateurs"]),
        ("demarcheur", ["demarcheuse", "demarcheurs"]),
        ("donnee", ["donnees"]),
        ("semi-remorque", ["semi"]),  # the text's words are split at hyphens
        ("mot", ["mots"]),
    ],
)
def test_every_form_of_a_lemma_starts_with_its_stem(lemma: str, forms: list[str]) -> None:
    """The prefilter that spares parses reads stems (language.stem): a form of a relation's
    word that did not start with its stem would never be parsed for it."""
    stem = language.stem(lemma)
    assert len(stem) >= min(4, len(lemma))
    assert all(form.startswith(stem) for form in forms), (stem, forms)


def test_a_stem_tells_apart_words_that_share_four_letters() -> None:
    assert not "pres".startswith(language.stem("presenter"))  # près
    assert not "demarche".startswith(language.stem("demarcheur"))
    assert not "atteste".startswith(language.stem("attendre"))


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # "se faire + infinitive" is a passive: the subject suffered it
        ("Le répartiteur s'est fait dérober des données de clients.", "data-breach"),
        ("Le laboratoire s'est fait voler les fichiers de ses patients.", "data-breach"),
        ("Le groupe hospitalier s'est fait pirater ses serveurs la semaine dernière.", "cyberattack"),
    ],
)
def test_what_a_subject_had_done_to_it_is_said_of_it(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Pour éviter de se faire pirater, changez vos mots de passe chaque trimestre.",
        "Le groupe ne s'est pas fait pirater, assure sa direction.",
    ],
)
def test_advice_or_denial_of_being_hacked_is_no_attack(body: str) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == ()


def test_a_pluperfect_reported_by_a_past_verb_of_saying_is_the_news() -> None:
    """The sequence of tenses: a clause opened by "que" under a past verb of saying or
    finding puts the event in the pluperfect, also when the model hangs the clause on a
    noun of date as if it were a relative one; a relative clause in the pluperfect is
    still a recall."""
    reported = (
        "Le distributeur a indiqué au régulateur boursier avoir découvert le 21 février "
        "que des données avaient été exfiltrées de ses systèmes."
    )
    assert "data-breach" in CLASSIFIER.classify("Point", reported).kinds
    recalled = "Le syndicat, qui avait dénoncé le vol de données, reçoit la ministre."
    assert "data-breach" not in CLASSIFIER.classify("Point", recalled).kinds


@pytest.mark.parametrize(
    ("title", "html"),
    [
        # a "lire aussi" block names another story, whatever says its kind (a relation too)
        (
            "Les hôpitaux publics dans le rouge",
            "<p>Le déficit se creuse.</p><p>À lire aussi : Rennes : le CHU victime d'une "
            "cyberattaque, des données dérobées</p><p>Le ministère promet une enveloppe.</p>",
        ),
        # a drill, whatever word says its outage
        (
            "Exercice de crise cyber : quatre heures sans informatique",
            "<p>Au centre hospitalier, les équipes ont travaillé sur papier toute la matinée.</p>",
        ),
        # "comment" and an infinitive under a label: a how-to
        ("Faux sites administratifs : comment les repérer", "<p>Quelques indices simples.</p>"),
        ("Hameçonnage : comment s'en protéger", "<p>Trois réflexes à adopter.</p>"),
    ],
)
def test_references_drills_and_how_tos_report_nothing(title: str, html: str) -> None:
    assert CLASSIFIER.classify(title, html_to_blocks(html)).kinds == ()


def test_a_how_to_under_a_named_incident_still_reports_it() -> None:
    assert "outage" in CLASSIFIER.classify("Panne Almerys : comment facturer en attendant", "").kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # deliveries fewer, slower, or no longer possible
        ("Faute de carburant, le grossiste limite ses livraisons aux commandes urgentes.",
         "supply-disruption"),
        ("Les répartiteurs ont dû réduire la fréquence de leurs tournées dans la vallée.",
         "supply-disruption"),
        ("Le dépositaire ne pourra plus desservir les pharmacies de l'île cette semaine.",
         "supply-disruption"),
        ("Les délais de livraison se sont allongés depuis la fermeture de l'entrepôt.",
         "supply-disruption"),
        # a machine that does not answer
        ("Le portail de l'opérateur reste injoignable depuis ce matin.", "outage"),
        ("Au comptoir, le terminal affiche « serveur injoignable » à chaque paiement.", "outage"),
    ],
)
def test_deliveries_fewer_or_impossible_and_machines_unreachable(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


def test_a_person_out_of_reach_is_no_outage() -> None:
    assert CLASSIFIER.classify("Point", "Le président du syndicat reste injoignable.").kinds == ()


@pytest.mark.parametrize(
    ("title", "body"),
    [
        # a shopkeeper reopening reopens a shop, not a service
        ("Cambriolage rue Nationale", "Le pharmacien a rouvert jeudi après deux jours de travaux."),
        # places cut off by the weather or by riots
        ("Intempéries", "Trois officines de la vallée restent coupées depuis la tempête."),
        ("Nouméa", "Les quartiers nord restent inaccessibles à cause des barrages des émeutiers."),
    ],
)
def test_shops_reopened_and_places_cut_off_are_no_outage(title: str, body: str) -> None:
    verdict = CLASSIFIER.classify(title, body)
    assert "outage" not in verdict.kinds and verdict.status != "resolved"


@pytest.mark.parametrize(
    "body",
    [
        "La panne du serveur a perturbé les paiements aux officines.",
        "Un bug informatique a affecté les virements de la semaine dernière.",
    ],
)
def test_payments_disturbed_are_a_payment_disruption(body: str) -> None:
    assert "payment-disruption" in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # waiting, in French idiom
        ("Les règlements de la mutuelle se font toujours attendre.", "payment-disruption"),
        ("Les officines attendent toujours d'être payées pour les dossiers de janvier.",
         "payment-disruption"),
        ("Plusieurs jours de retard sur les paiements du tiers payant sont signalés.",
         "payment-disruption"),
        ("Les livraisons du grossiste se font attendre depuis lundi.", "supply-disruption"),
        ("Le répartiteur a dû interrompre ses tournées à cause de la grève.", "supply-disruption"),
        # data in the wrong hands or for sale
        ("Les noms et adresses de milliers d'assurés se sont retrouvés entre les mains des "
         "pirates.", "data-breach"),
        ("Un fichier de clients a été mis en vente sur un forum du dark web.", "data-breach"),
        # the dispense of advance no longer given, in the present
        ("Les pharmaciens ne pratiquent plus la dispense d'avance de frais pour ces assurés.",
         "tiers-payant-suspension"),
        # crashing now, computer malice
        ("Le logiciel de facturation plante à chaque télétransmission.", "outage"),
        ("Le groupe a été victime d'un acte de malveillance informatique.", "cyberattack"),
    ],
)
def test_more_ways_of_saying_each_kind(body: str, kind: str) -> None:
    assert kind in CLASSIFIER.classify("Point", body).kinds


@pytest.mark.parametrize(
    "body",
    [
        "Signalez toute tentative sur cybermalveillance.gouv.fr.",
        "Le site de la pharmacie plante un décor bucolique pour la fête du quartier.",
        "Ne laissez pas vos données entre les mains de n'importe qui.",
    ],
)
def test_the_same_words_in_other_uses_are_no_kind(body: str) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == ()


@pytest.mark.parametrize(
    ("title", "body", "payers"),
    [
        # a payer in a contrast, however long the phrase, is what the item is not about
        ("Cyberattaque au CHU", "Contrairement à l'attaque contre Viamedis en 2024, aucune "
         "donnée n'a été volée.", ()),
        ("Intrusion chez Almerys", "À la différence de la panne de Viamedis l'an dernier, le "
         "portail d'Almerys reste ouvert.", ("almerys",)),
        # the payer the sentence reports stays
        ("Viamedis en panne", "Contrairement à Almerys, Viamedis ne répond plus depuis ce matin.",
         ("viamedis",)),
    ],
)
def test_a_payer_in_a_contrast_is_not_the_item_s(
    title: str, body: str, payers: tuple[str, ...]
) -> None:
    assert CLASSIFIER.classify(title, body).payers == payers


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        # what a tool is for is no event
        ("Le logiciel permet de détecter les tentatives d'hameçonnage.", ()),
        ("Une extension aide à repérer les faux sites de l'Assurance Maladie.", ()),
        # what it did is one
        ("Le filtre a permis de repérer une vague de courriels frauduleux ce matin.",
         ("phishing",)),
    ],
)
def test_what_a_tool_is_for_is_no_event(body: str, kinds: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == kinds


@pytest.mark.parametrize(
    "body",
    [
        "L'exercice simulait une panne générale du système d'information.",
        "Lors de l'exercice de crise, le portail était inaccessible pendant deux heures.",
    ],
)
def test_an_outage_simulated_or_in_a_drill_is_none(body: str) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == ()


@pytest.mark.parametrize(
    "body",
    [
        # attacks of the last years, as a class
        "Le ministère présente son plan pour les établissements. Il sera financé sur cinq "
        "ans. Chaque région aura un référent. Les cyberattaques subies ces trois dernières "
        "années par plusieurs hôpitaux en ont montré la nécessité.",
        # the classes a report counts, listed after a colon
        "La plupart des signalements relèvent d'actes malveillants : rançongiciels, "
        "usurpations de comptes, messageries compromises.",
    ],
)
def test_attacks_of_past_years_and_classes_counted_are_no_event(body: str) -> None:
    assert CLASSIFIER.classify("Rapport", body).kinds == ()


@pytest.mark.parametrize(
    "body",
    [
        # a general case with "lorsque"
        "La carte papier reste utile : lorsque le service en ligne d'un organisme est "
        "indisponible, elle permet de continuer.",
        # dated back past the lead: "il y a un peu plus d'un an", "en février dernier"
        "Le syndicat publie sa tribune. Elle plaide pour un service public. Elle cite des "
        "exemples. Il y a un peu plus d'un an, un opérateur a été piraté et les officines "
        "ont travaillé à l'aveugle.",
        "Le débat revient. Les assureurs se taisent. Les syndicats insistent. En février "
        "dernier, lors de la cyberattaque contre un opérateur, la carte papier a servi.",
    ],
)
def test_general_cases_and_episodes_a_year_back_are_no_event(body: str) -> None:
    assert CLASSIFIER.classify("Tribune", body).kinds == ()


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        # a journalist's note: someone not answering the press
        ("Contacté, l'opérateur de téléphonie dont le numéro émetteur apparaissait dans "
         "plusieurs messages n'a pas répondu.", ()),
        ("Sollicitée, la direction n'a pas répondu à nos questions.", ()),
        # the attackers' access cut is a remedy
        ("Le groupe dit avoir bloqué l'accès utilisé par les attaquants et déposé plainte.", ()),
        # the same sentence may still say a service is down, by other words
        ("Contactée, la caisse n'a pas répondu sur le nombre de clients privés de service.",
         ("outage",)),
    ],
)
def test_a_journalist_s_note_and_a_remedy_are_no_outage(
    body: str, kinds: tuple[str, ...]
) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == kinds


def test_nouns_counted_together_by_a_report_are_no_event() -> None:
    """A noun coordinated with a plural one a verb of share measures is counted with it,
    and a kind's word inside a phrase already read as no event is not read again."""
    body = (
        "La Commission publie son rapport annuel. Les attaques par rançongiciel et le "
        "piratage de comptes en constituent toujours une part importante."
    )
    assert CLASSIFIER.classify("Rapport annuel", body).kinds == ()


@pytest.mark.parametrize(
    "body",
    [
        "Le rapport paraît. Les notifications de violations de données se maintiennent à un "
        "niveau élevé, plusieurs milliers par an.",
        "Selon l'observatoire, les tentatives d'hameçonnage reculent légèrement.",
    ],
)
def test_a_level_kept_or_falling_is_a_trend_not_an_event(body: str) -> None:
    assert CLASSIFIER.classify("Rapport annuel", body).kinds == ()


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        ("Les systèmes de l'opérateur ont été compromis par des individus malveillants.",
         ("cyberattack",)),
        ("Un plan de continuité évite que les systèmes soient compromis.", ()),
    ],
)
def test_systems_compromised_are_an_attack(body: str, kinds: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == kinds


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        ("Des perturbations ont été constatées sur le service de connexion ce matin.",
         ("outage",)),
        ("Le téléservice connaît des perturbations depuis 9 heures.", ("outage",)),
        ("Des perturbations affectent actuellement l'accès à l'espace professionnel.",
         ("outage",)),
        ("Des perturbations sont à prévoir sur la ligne B du RER.", ()),
        ("En cas de perturbations constatées sur le service, contactez l'assistance.", ()),
    ],
)
def test_disturbances_said_the_institutions_way(body: str, kinds: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Information", body).kinds == kinds


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        ("Plusieurs pharmacies refusent désormais le tiers payant aux clients de cette "
         "mutuelle.", ("tiers-payant-suspension",)),
        # a practice stopped, not a portal down
        ("Le tiers payant complémentaire est interrompu pour les assurés concernés.",
         ("tiers-payant-suspension",)),
        ("Les pharmacies ne refusent jamais le tiers payant aux bénéficiaires de la C2S.", ()),
    ],
)
def test_tiers_payant_refused_or_interrupted(body: str, kinds: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Point", body).kinds == kinds


@pytest.mark.parametrize(
    ("body", "kinds"),
    [
        # asking whether others see the same trouble tells one's own
        ("Vous aussi, le portail d'Almerys est en panne chez vous ?", ("outage",)),
        ("Quelqu'un d'autre ne peut plus se connecter au portail Viamedis ?", ("outage",)),
        ("Suis-je la seule à avoir le portail en panne depuis ce matin ?", ("outage",)),
        # other questions assert nothing
        ("Le portail sera-t-il en panne dimanche ?", ()),
        ("Les pharmacies pourront-elles encore se connecter au portail ?", ()),
    ],
)
def test_a_question_to_others_tells_one_s_own_trouble(body: str, kinds: tuple[str, ...]) -> None:
    assert CLASSIFIER.classify("Forum", body).kinds == kinds


def test_the_questions_to_others_are_the_taxonomy_s_to_extend() -> None:
    # one vocabulary, in taxonomy.yaml: a phrase added there is read, whatever its spelling
    from dataclasses import replace

    from aggregator.understand.language import others_too

    words = CLASSIFIER.taxonomy.assertion
    asked = "Des confrères du Gers ont-ils le même souci ?"
    assert not others_too(asked, words)
    extended = replace(words, others_too=words.others_too | {"des confreres du gers"})
    assert others_too(asked, extended)
    assert others_too("  « Vous   aussi », le portail ? ", words)
