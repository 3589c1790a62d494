"""A deterministic corpus of French pharmacy news: feeds, HTML list pages and stories.

Everything comes from one seeded ``random.Random``, so two runs with the same options produce
byte-identical files. About one story in ten is an advisory (a payer's outage, cyberattack or
payment delay, grouped into a handful of episodes so that incidents form); some stories are
syndicated: the same text appears in several feeds, under the same link, a tracking-parameter
variant of it, or a feed-specific guid.

Example:
    >>> corpus = build_corpus(feeds=3, items=5, html=1, html_items=4)
    >>> sorted(corpus.files)[:2]
    ['/feeds/flux-000.xml', '/feeds/flux-001.xml']
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import ClassVar

from lxml import etree as ET

# The corpus is dated from a fixed instant so that it never depends on the clock.
EPOCH = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)

PAYERS = {
    "viamedis": "Viamedis",
    "almerys": "Almerys",
    "isante": "iSanté",
    "assurance-maladie": "Assurance Maladie",
}

# --- French word pools (written for this benchmark) -----------------------------------------

TOPICS = (
    "la vaccination antigrippale",
    "les entretiens pharmaceutiques",
    "la dispensation à l'unité",
    "la permanence des soins",
    "les honoraires de dispensation",
    "le dossier médical partagé",
    "la substitution des biosimilaires",
    "les tests rapides d'orientation diagnostique",
    "la préparation magistrale",
    "le bilan partagé de médication",
    "la téléconsultation en officine",
    "la formation continue des préparateurs",
    "le dépistage du cancer colorectal",
    "la prescription des vaccins par le pharmacien",
)
PROBLEMS = (
    "la hausse du prix de l'énergie",
    "le recrutement difficile de préparateurs",
    "la hausse des loyers commerciaux",
    "les incivilités au comptoir",
    "la désertification médicale",
    "la baisse des marges sur les génériques",
    "la fermeture des petites officines",
    "la complexité des ordonnances numériques",
)
REGIONS = (
    "Bretagne",
    "Occitanie",
    "Grand Est",
    "Hauts-de-France",
    "Normandie",
    "Auvergne-Rhône-Alpes",
    "Nouvelle-Aquitaine",
    "Corse",
    "Centre-Val de Loire",
    "Pays de la Loire",
    "Bourgogne-Franche-Comté",
    "Provence-Alpes-Côte d'Azur",
)
TOWNS = (
    "Quimper",
    "Albi",
    "Épinal",
    "Arras",
    "Lisieux",
    "Annecy",
    "Périgueux",
    "Bastia",
    "Blois",
    "Cholet",
    "Dole",
    "Gap",
    "Vannes",
    "Rodez",
    "Verdun",
    "Cambrai",
    "Vire",
    "Aurillac",
    "Dax",
    "Ajaccio",
    "Vierzon",
    "Laval",
    "Autun",
    "Digne",
    "Morlaix",
    "Millau",
    "Sedan",
    "Lens",
    "Bayeux",
    "Vienne",
    "Agen",
    "Calvi",
    "Chinon",
    "Saumur",
    "Nevers",
    "Manosque",
)
FIRST_NAMES = (
    "Claire",
    "Julien",
    "Sophie",
    "Mathieu",
    "Nadia",
    "Olivier",
    "Camille",
    "Karim",
    "Hélène",
    "Thomas",
    "Inès",
    "Bruno",
    "Léa",
    "Yann",
    "Margaux",
    "Rachid",
    "Anne",
    "Pierre",
)
LAST_NAMES = (
    "Le Goff",
    "Martin",
    "Bernard",
    "Moreau",
    "Lefèvre",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
)
ROLES = (
    "un titulaire installé en zone rurale",
    "une présidente de syndicat départemental",
    "un économiste de la santé",
    "une préparatrice en pharmacie",
    "un médecin généraliste",
    "une adjointe d'officine",
)

NEWS_TITLES = (
    "{Topic} : ce qui change le {day} {month}",
    "En {region}, les pharmaciens face à {problem}",
    "Entretien : {role} revient sur {topic}",
    "{Topic} : le point sur les négociations conventionnelles",
    "Enquête : {problem} pèse sur les officines de {region}",
    "{Topic} : un premier bilan encourageant à {town}",
    "À {town}, une officine mise sur {topic}",
)
# Square brackets hold alternatives, one drawn per use: real articles rarely repeat a whole
# sentence, and a corpus that did would exercise near-duplicate matching unrealistically.
NEWS_SENTENCES = (
    "[Selon|D'après|À en croire] les chiffres [publiés|dévoilés|communiqués] [cette semaine|"
    "ce {weekday}|mi-{month}], {n} % des [officines|pharmacies|titulaires] [interrogées|"
    "sondées|consultées] disent avoir été [concernées|touchées|gênées] par {problem}.",
    "{Role} [estime|juge|rappelle|souligne] que {topic} [demande|exige|réclame] du temps et "
    "[une rémunération à la hauteur|des moyens adaptés|un vrai soutien des pouvoirs publics].",
    "Le texte doit encore [être examiné par|passer devant|recevoir l'aval] des partenaires "
    "conventionnels [avant la fin de l'année|d'ici {month}|avant l'été|dans les semaines à venir].",
    "En {region}, [plusieurs|une dizaine de|{n}] groupements ont déjà [adapté|revu|réorganisé] "
    "leurs [plannings|horaires d'ouverture|équipes du samedi].",
    "Les [pharmaciens|confrères|adjoints] [interrogés|rencontrés à {town}|que nous avons joints] "
    "saluent une mesure [attendue|utile|de bon sens] mais regrettent un calendrier [serré|"
    "flou|trop court].",
    "La mise en œuvre passera par une mise à jour des logiciels [de gestion d'officine|"
    "métier|de facturation] [prévue en {month}|attendue d'ici {months} mois|déjà annoncée].",
    "Une foire aux questions sera mise en ligne [pour accompagner les équipes|dès {weekday}|"
    "sur le site du syndicat] [de {region}|à l'échelle nationale|avec des exemples concrets].",
    "Le nombre d'actes [réalisés|facturés|déclarés] a [progressé|bondi|augmenté] de {n} % "
    "[en un an|depuis {month}|sur le dernier trimestre] à {town}.",
    "Les représentants de la profession [demandent|réclament|attendent] des règles plus "
    "[lisibles|simples|stables] [et une concertation|avant toute généralisation|dès {month}].",
    "Une réunion de suivi est prévue [le mois prochain|le {day} {month}|à la rentrée] avec "
    "[les autorités de santé|l'agence régionale de santé de {region}|le ministère].",
    "Pour les patients, rien ne change au comptoir.",
    "Le dispositif sera [évalué|réexaminé|comparé à d'autres régions] au bout de {months} mois "
    "[d'expérimentation|de pratique|de recul] [à {town}|en {region}|dans {n} départements].",
    "Les étudiants en pharmacie de {town} [ont été associés à|participent à|suivent de près] "
    "[la démarche|l'expérimentation|ces travaux] [depuis {month}|avec leurs enseignants|"
    "pour la {n}e année].",
    "La question de {problem} reste [entière|sans réponse|posée] pour les [plus petites "
    "structures|officines isolées|pharmacies de quartier] de {region}.",
    "[Interrogé|Sollicité|Contacté] par nos soins, {first} {last} [reconnaît|admet|note] que "
    "[le sujet divise|les avis restent partagés|la profession avance en ordre dispersé] à {town}.",
    "[Les chiffres|Les premiers retours|Les remontées du terrain] [montrent|suggèrent|indiquent] "
    "[une adhésion|un intérêt|une attente] [réelle|croissante|forte] de la patientèle de {town}.",
)
LEDES = (
    "À {town}, {first} {last}, titulaire depuis {years} ans, a accepté de nous recevoir "
    "un {weekday} matin.",
    "{first} {last} a ouvert sa pharmacie à {town} il y a {years} ans et suit ce dossier de près.",
    "À {town}, {first} {last} exerce depuis {years} ans et voit le sujet de près.",
)

# Advisories: about one payer, one incident kind, written in the press's usual wording.
ADVISORY_TITLES = {
    "outage": (
        "{payer} : panne du service de consultation des droits",
        "{payer} : le portail professionnel inaccessible depuis ce matin",
        "Tiers payant : interruption des services de {payer}",
    ),
    "cyberattack": (
        "Cyberattaque chez {payer}, les officines appelées à la prudence",
        "Piratage chez {payer} : changez vos mots de passe",
    ),
    "payment-disruption": (
        "Retard de paiement : les virements de {payer} se font attendre",
        "{payer} : des retards de paiement signalés par les pharmaciens",
    ),
}
ADVISORY_SENTENCES = {
    "outage": (
        "Depuis {weekday} {hour} h, la plateforme de {payer} est en panne et les pharmacies "
        "ne peuvent plus vérifier les droits de leurs patients.",
        "Le service reste indisponible et l'opérateur ne donne pas encore de date de retour.",
    ),
    "cyberattack": (
        "{payer} a été victime d'une cyberattaque détectée {weekday} en fin de journée.",
        "Les syndicats conseillent de changer le mot de passe de la messagerie liée au compte "
        "{payer}.",
    ),
    "payment-disruption": (
        "Plusieurs titulaires de {town} signalent un retard de paiement de {days} jours sur les "
        "factures transmises à {payer}.",
        "Les virements attendus depuis {weekday} n'apparaissent toujours pas sur les relevés.",
    ),
}
ADVISORY_COMMON = (
    "En attendant, demandez au patient son attestation papier.",
    "Un numéro vert a été ouvert : 0805 {a} {b} {c}.",
    "{payer} rappelle qu'il ne demande jamais de coordonnées bancaires par courriel.",
    "Vérifiez vos relevés de paiement dans les prochains jours.",
    "Selon {first} {last}, pharmacien à {town}, une quinzaine de dossiers sont en attente.",
)

_CHOICES = re.compile(r"\[([^\[\]]*)\]")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi")
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "septembre")


@dataclass(frozen=True)
class Story:
    """One article as its author wrote it, before any feed carries it."""

    slug: str
    title: str
    paragraphs: tuple[str, ...]
    date: datetime
    payers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        return self.paragraphs[0]


@dataclass(frozen=True)
class SourceSpec:
    """One configured source of the corpus, served on host ``host`` at ``path``."""

    id: str
    name: str
    type: str  # "feed" | "html"
    path: str
    host: int
    category: str


@dataclass
class Corpus:
    sources: list[SourceSpec] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # URL path -> body
    stories: int = 0
    advisories: int = 0
    syndicated: int = 0  # feed items that repeat a story carried by another feed


class Slots(dict[str, object]):
    """Slot values drawn on first use: a template pays only for the slots it names."""

    DRAW: ClassVar[dict[str, Callable[[random.Random], object]]] = {
        "topic": lambda rng: rng.choice(TOPICS),
        "problem": lambda rng: rng.choice(PROBLEMS),
        "region": lambda rng: rng.choice(REGIONS),
        "town": lambda rng: rng.choice(TOWNS),
        "role": lambda rng: rng.choice(ROLES),
        "first": lambda rng: rng.choice(FIRST_NAMES),
        "last": lambda rng: rng.choice(LAST_NAMES),
        "years": lambda rng: rng.randrange(3, 35),
        "n": lambda rng: rng.randrange(5, 80),
        "months": lambda rng: rng.choice((3, 6, 9, 12, 18)),
        "day": lambda rng: rng.randrange(1, 29),
        "month": lambda rng: rng.choice(MONTHS),
        "weekday": lambda rng: rng.choice(WEEKDAYS),
        "hour": lambda rng: rng.randrange(7, 20),
        "days": lambda rng: rng.randrange(3, 21),
        "a": lambda rng: rng.randrange(10, 99),
        "b": lambda rng: rng.randrange(10, 99),
        "c": lambda rng: rng.randrange(10, 99),
    }

    def __init__(self, rng: random.Random, fixed: dict[str, object]) -> None:
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> object:
        if key[:1].isupper():  # "Topic": the same topic, capitalised
            text = str(self[key[0].lower() + key[1:]])
            value: object = text[0].upper() + text[1:]
        else:
            value = self.DRAW[key](self.rng)
        self[key] = value
        return value


@dataclass(frozen=True)
class Episode:
    """A payer's incident that several advisories are about."""

    payer: str
    kind: str
    start: datetime


class Writer:
    """Draws stories from one seeded generator: the same seed gives the same corpus."""

    def __init__(self, seed: int, advisory_share: float, span_days: int) -> None:
        self.rng = random.Random(seed)
        self.advisory_share = advisory_share
        self.count = 0
        self.advisories = 0
        self.episodes = self._episodes(span_days)

    def _episodes(self, span_days: int) -> list[Episode]:
        """About one incident every four days, each about one payer and one kind."""
        kinds = sorted(ADVISORY_TITLES)
        payers = sorted(PAYERS)
        return [
            Episode(
                self.rng.choice(payers),
                self.rng.choice(kinds),
                EPOCH - timedelta(days=day, hours=self.rng.randrange(24)),
            )
            for day in range(0, span_days + 4, 4)
        ]

    def story(self, date: datetime) -> Story:
        self.count += 1
        if self.rng.random() < self.advisory_share:
            self.advisories += 1
            return self._advisory(date)
        return self._news(date)

    def _slots(self, **fixed: object) -> Slots:
        return Slots(self.rng, fixed)

    def _say(self, template: str, slots: Slots) -> str:
        """Draw one of each [a|b|c] alternative, then fill the {slots}."""
        chosen = _CHOICES.sub(lambda m: self.rng.choice(m.group(1).split("|")), template)
        return chosen.format_map(slots)

    def _paragraphs(self, sentences: list[str], slots: Slots) -> tuple[str, ...]:
        """Two or three paragraphs; the first one is the story's own lede, unlike any other."""
        lede = self._say(self.rng.choice(LEDES), slots)
        cut = self.rng.randrange(2, max(3, len(sentences)))
        parts = [lede + " " + " ".join(sentences[:cut]), " ".join(sentences[cut:])]
        return tuple(p for p in parts if p)

    def _news(self, date: datetime) -> Story:
        slots = self._slots()
        picked = self.rng.sample(NEWS_SENTENCES, self.rng.randrange(5, 9))
        # Each sentence draws its own slots so that two stories rarely share whole sentences.
        sentences = [self._say(s, self._slots(n=slots["n"])) for s in picked]
        title = self._say(self.rng.choice(NEWS_TITLES), slots)
        return Story(self._slug(), title, self._paragraphs(sentences, slots), date)

    def _advisory(self, date: datetime) -> Story:
        episode = min(self.episodes, key=lambda e: abs((e.start - date).total_seconds()))
        slots = self._slots(payer=PAYERS[episode.payer])
        own = list(ADVISORY_SENTENCES[episode.kind])
        common = self.rng.sample(ADVISORY_COMMON, self.rng.randrange(2, 5))
        news = self.rng.sample(NEWS_SENTENCES, 2)
        sentences = [self._say(s, slots) for s in own + common + news]
        title = self._say(self.rng.choice(ADVISORY_TITLES[episode.kind]), slots)
        return Story(
            self._slug(),
            title,
            self._paragraphs(sentences, slots),
            date,
            payers=(episode.payer,),
            kinds=(episode.kind,),
        )

    def _slug(self) -> str:
        return f"{self.count:06d}-{self.rng.getrandbits(32):08x}"


# --- feed and page writers -----------------------------------------------------------------

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1_NS = "http://purl.org/rss/1.0/"
DC_NS = "http://purl.org/dc/elements/1.1/"


@dataclass(frozen=True)
class FeedEntry:
    story: Story
    link: str
    guid: str


def _html_body(story: Story) -> str:
    """The article body as a feed carries it: escaped HTML paragraphs."""
    return "".join(f"<p>{_escape(p)}</p>" for p in story.paragraphs)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _sub(parent: ET._Element, tag: str, text: str | None = None, **attrs: str) -> ET._Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _xml(root: ET._Element) -> bytes:
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def rss2(title: str, site: str, entries: list[FeedEntry], full: bool) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"}, nsmap={"content": CONTENT_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", site)
    _sub(channel, "description", f"Actualités de {title}")
    _sub(channel, "language", "fr")
    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", entry.story.title)
        _sub(item, "link", entry.link)
        _sub(item, "guid", entry.guid, isPermaLink="true" if entry.guid == entry.link else "false")
        _sub(item, "pubDate", format_datetime(entry.story.date))
        _sub(item, "description", entry.story.summary)
        if full:
            _sub(item, f"{{{CONTENT_NS}}}encoded", _html_body(entry.story))
    return _xml(rss)


def atom(title: str, site: str, entries: list[FeedEntry]) -> bytes:
    feed = ET.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    _sub(feed, f"{{{ATOM_NS}}}title", title)
    _sub(feed, f"{{{ATOM_NS}}}id", site)
    _sub(feed, f"{{{ATOM_NS}}}link", href=site)
    newest = max((e.story.date for e in entries), default=EPOCH)
    _sub(feed, f"{{{ATOM_NS}}}updated", newest.isoformat())
    for entry in entries:
        node = _sub(feed, f"{{{ATOM_NS}}}entry")
        _sub(node, f"{{{ATOM_NS}}}title", entry.story.title)
        _sub(node, f"{{{ATOM_NS}}}link", href=entry.link)
        _sub(node, f"{{{ATOM_NS}}}id", entry.guid)
        _sub(node, f"{{{ATOM_NS}}}updated", entry.story.date.isoformat())
        _sub(node, f"{{{ATOM_NS}}}summary", entry.story.summary)
        _sub(node, f"{{{ATOM_NS}}}content", _html_body(entry.story), type="html")
    return _xml(feed)


def rss1(title: str, site: str, entries: list[FeedEntry]) -> bytes:
    root = ET.Element(f"{{{RDF_NS}}}RDF", nsmap={None: RSS1_NS, "rdf": RDF_NS, "dc": DC_NS})
    channel = _sub(root, f"{{{RSS1_NS}}}channel", **{f"{{{RDF_NS}}}about": site})
    _sub(channel, f"{{{RSS1_NS}}}title", title)
    _sub(channel, f"{{{RSS1_NS}}}link", site)
    _sub(channel, f"{{{RSS1_NS}}}description", f"Revue de presse {title}")
    seq = _sub(_sub(channel, f"{{{RSS1_NS}}}items"), f"{{{RDF_NS}}}Seq")
    for entry in entries:
        _sub(seq, f"{{{RDF_NS}}}li", **{f"{{{RDF_NS}}}resource": entry.link})
    for entry in entries:
        item = _sub(root, f"{{{RSS1_NS}}}item", **{f"{{{RDF_NS}}}about": entry.link})
        _sub(item, f"{{{RSS1_NS}}}title", entry.story.title)
        _sub(item, f"{{{RSS1_NS}}}link", entry.link)
        _sub(item, f"{{{RSS1_NS}}}description", " ".join(entry.story.paragraphs))
        _sub(item, f"{{{DC_NS}}}date", entry.story.date.isoformat())
    return _xml(root)


def list_page(title: str, entries: list[FeedEntry]) -> bytes:
    """A CMS-like list page: one <article> per story with a heading link, a date, an excerpt."""
    html = ET.Element("html", lang="fr")
    head = _sub(html, "head")
    _sub(head, "meta", charset="utf-8")
    _sub(head, "title", title)
    body = _sub(html, "body")
    nav = _sub(body, "nav", **{"class": "menu"})
    for label in ("Accueil", "Communiqués", "Contact"):
        _sub(nav, "a", label, href="/")
    main = _sub(body, "main")
    _sub(main, "h1", title)
    for entry in entries:
        article = _sub(main, "article", **{"class": "post"})
        _sub(_sub(article, "h2"), "a", entry.story.title, href=entry.link)
        stamp = entry.story.date.astimezone(UTC)
        _sub(article, "time", stamp.strftime("%d/%m/%Y"), datetime=stamp.isoformat())
        _sub(article, "p", entry.story.summary, **{"class": "excerpt"})
    _sub(_sub(body, "footer"), "p", "Mentions légales — tous droits réservés.")
    data: bytes = ET.tostring(html, encoding="utf-8", method="html")
    return b"<!DOCTYPE html>\n" + data


# --- the corpus ----------------------------------------------------------------------------


def build_corpus(
    feeds: int = 300,
    items: int = 50,
    html: int = 20,
    html_items: int = 30,
    hosts: int = 32,
    seed: int = 2026,
    advisory_share: float = 0.1,
    syndicated_share: float = 0.08,
) -> Corpus:
    """Feeds and list pages, spread over ``hosts`` host numbers, their bodies by URL path."""
    writer = Writer(seed, advisory_share, span_days=items // 2 + 2)
    rng = random.Random(seed + 1)
    corpus = Corpus()
    # Syndicated stories: written once by an agency, carried by about three feeds each.
    pool_size = max(1, int(feeds * items * syndicated_share / 3))
    pool = [writer.story(_date(rng, rng.randrange(items))) for _ in range(pool_size)]
    for number in range(feeds):
        source_id = f"flux-{number:03d}"
        site = f"https://site-{number:03d}.example/"
        entries = []
        for rank in range(items):
            if rng.random() < syndicated_share:
                story = rng.choice(pool)
                entries.append(_syndicated(story, site, rank, rng))
                corpus.syndicated += 1
            else:
                story = writer.story(_date(rng, rank))
                link = f"{site}actualites/{story.slug}.html"
                entries.append(FeedEntry(story, link, link))
        entries.sort(key=lambda e: e.story.date, reverse=True)
        title = f"Le journal officinal n° {number}"
        style = number % 10
        if style < 7:
            body = rss2(title, site, entries, full=style < 3)
        elif style < 9:
            body = atom(title, site, entries)
        else:
            body = rss1(title, site, entries)
        path = f"/feeds/{source_id}.xml"
        corpus.files[path] = body
        category = "press" if number % 5 else "union"
        corpus.sources.append(SourceSpec(source_id, title, "feed", path, number, category))
    for number in range(html):
        source_id = f"page-{number:02d}"
        site = f"https://syndicat-{number:02d}.example/"
        entries = []
        for rank in range(html_items):
            story = writer.story(_date(rng, rank))
            link = f"{site}communiques/{story.slug}/"
            entries.append(FeedEntry(story, link, link))
        title = f"Communiqués du syndicat {number}"
        path = f"/pages/{source_id}/communiques.html"
        corpus.files[path] = list_page(title, entries)
        corpus.sources.append(SourceSpec(source_id, title, "html", path, feeds + number, "union"))
    corpus.stories, corpus.advisories = writer.count, writer.advisories
    return corpus


def _date(rng: random.Random, rank: int) -> datetime:
    """About two items a day per source, newest first by rank."""
    return EPOCH - timedelta(hours=rank * 12 + rng.randrange(12), minutes=rng.randrange(60))


def _syndicated(story: Story, site: str, rank: int, rng: random.Random) -> FeedEntry:
    """One feed's copy of an agency story: same link, a tracked link, or a local guid."""
    origin = f"https://agence-sante.example/depeches/{story.slug}"
    way = rng.randrange(3)
    if way == 0:
        return FeedEntry(story, origin, origin)
    if way == 1:
        tracked = f"{origin}?utm_source={site[8:-1]}&utm_medium=rss"
        return FeedEntry(story, tracked, tracked)
    return FeedEntry(story, origin, f"{site}?p={rank + 1000}")
