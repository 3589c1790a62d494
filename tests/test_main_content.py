"""Article bodies without a working ``content`` selector: the main-content extractor.

Real French article pages (menus, cookie banner, share bar, an "À lire aussi" box without
final punctuation, related posts, comments, footer) are served on 127.0.0.1 to a source
with no ``article.content`` and to one whose selector matches nothing. The stored body must
hold the article's paragraphs and none of the chrome; ``check`` names the path taken and
``status --json`` carries the note.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.cli import cli
from aggregator.collect.extract.article import extractor_notes, parse_article
from aggregator.errors import ExtractError
from aggregator.models import ArticleSelectors
from aggregator.text.sanitize import html_to_text

PAGES = Path(__file__).parent / "data" / "articles"
UA = "aggregator-test/1 (+https://example.org/)"
# (file, sentences of the article, chrome of the page: none may reach the body)
CASES = {
    "chrome_fr": (
        ["de nombreuses officines signalent des rejets en série",
         "près de quatre cents pharmacies ont déjà été touchées",
         "Un correctif doit être installé d'ici jeudi soir",
         "Ne pas refacturer les patients concernés",
         "les pénalités de retard soient suspendues"],
        ["cookies", "Accueil", "S'abonner", "À la une", "Almerys", "Partager", "Imprimer",
         "lire aussi", "Viamedis", "mutuelles en avril", "commentaires", "Pharmacien Lyon",
         "Articles similaires", "Harmonie", "ameli", "Mentions légales", "newsletter"],
    ),
    "chrome_fr_2": (
        ["ses tournées de l'après-midi sont suspendues",
         "Les commandes passées après midi seront livrées le lendemain matin",
         "d'anticiper vos commandes de la semaine",
         "Une nouvelle circulaire sera diffusée"],
        ["traceurs", "J'accepte", "Adhérer", "Nous contacter", "Les plus lus", "Santéclair",
         "Partager", "Imprimer", "Lire aussi", "plan de continuité", "Sur le même sujet",
         "Viamedis", "recommandations de l'Ordre", "Mentions légales"],
    ),
}  # fmt: skip


def check_body(text: str, case: str) -> None:
    wanted, chrome = CASES[case]
    for sentence in wanted:
        assert sentence in text
    lowered = text.lower()
    for words in chrome:
        assert words.lower() not in lowered, words


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize(
    "selectors",
    [ArticleSelectors(remove=("#pied",)), ArticleSelectors(content="div.entry-content",
                                                          remove=("#pied",))],
)  # fmt: skip
def test_the_extractor_keeps_the_article_and_drops_the_chrome(
    case: str, selectors: ArticleSelectors
) -> None:
    body = parse_article((PAGES / f"{case}.html").read_bytes(), "https://ex.fr/a/", selectors)
    assert body.via == ("missed" if selectors.content else "extractor")
    check_body(body.text, case)
    check_body(html_to_text(body.content), case)
    assert body.content.count("<p>") >= 3  # paragraphs stay blocks for sentence splitting
    assert body.published is not None  # the project's own date reading still runs


def test_remove_selectors_apply_before_the_extractor() -> None:
    # This page's footer is a plain <div>, which trafilatura takes for text: the source's
    # `remove` is how a user keeps it out, and it must hold on this path too.
    page = (PAGES / "chrome_fr_2.html").read_bytes()
    assert "Mentions légales" in parse_article(page, "https://ex.fr/", ArticleSelectors()).text
    kept = parse_article(page, "https://ex.fr/", ArticleSelectors(remove=("#pied",))).text
    assert "Mentions légales" not in kept


# --- a whole run, check and status ---------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def rss(base: str, names: list[str]) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Article {name}</title><link>{base}/article/{name}</link>"
        f"<guid>{base}/article/{name}</guid>"
        f"<pubDate>{(now - timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>Résumé.</description></item>"
        for n, name in enumerate(names, 1)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"{items}</channel></rss>"
    ).encode()


def configure(tmp_path: Path, server: LocalServer) -> None:
    names = sorted(CASES)
    for source in ("bare", "missed"):
        base = server.base + f"/{source}"
        server.route(f"/{source}/feed.xml", Reply(200, rss(base, names)))
        for name in names:
            page = (PAGES / f"{name}.html").read_bytes()
            html = {"Content-Type": "text/html; charset=utf-8"}
            server.route(f"/{source}/article/{name}", Reply(200, page, html))
    sources = [
        {"id": "bare", "name": "Sans sélecteur", "type": "feed", "category": "press",
         "url": server.url("/bare/feed.xml"), "article": {"remove": ["#pied"]}},
        {"id": "missed", "name": "Sélecteur périmé", "type": "feed", "category": "press",
         "url": server.url("/missed/feed.xml"),
         "article": {"content": "div.entry-content", "remove": ["#pied"]}},
    ]  # fmt: skip
    options = {"timeout": 10, "retries": 0, "per_host_delay": 0, "respect_robots": False,
               "user_agent": UA}  # fmt: skip
    config = {"site": {"title": "T", "base_url": "https://example.org/veille/"},
              "fetch": options, "sources": sources}  # fmt: skip
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")


def invoke(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli,
        [*args, "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, result.output


@pytest.mark.slow
def test_a_run_stores_extracted_bodies_and_status_says_so(
    tmp_path: Path, server: LocalServer
) -> None:
    configure(tmp_path, server)
    code, output = invoke(tmp_path, "run")
    assert code == 0, output
    with sqlite3.connect(tmp_path / "a.db") as conn:
        rows = conn.execute("SELECT source, title, content FROM entries").fetchall()
    bodies = {(source, title): content for source, title, content in rows}
    for source in ("bare", "missed"):
        for case in CASES:
            check_body(html_to_text(bodies[(source, f"Article {case}")]), case)
    code, output = invoke(tmp_path, "status", "--json")
    assert code == 0, output
    notes: dict[str, Any] = {row["id"]: row["notes"] for row in json.loads(output)["sources"]}
    assert "body without selector (main-content extractor): 2 pages" in notes["bare"]
    assert "matched nothing" not in notes["bare"]
    assert "`article.content` matched nothing on 2" in notes["missed"]
    code, table = invoke(tmp_path, "status")
    assert "main-content extractor" in table


@pytest.mark.slow
def test_check_names_the_path_that_gave_the_body(tmp_path: Path, server: LocalServer) -> None:
    configure(tmp_path, server)
    code, output = invoke(tmp_path, "check", "bare")
    assert code == 0, output
    assert "body from the main-content extractor (no article.content selector)" in output
    code, output = invoke(tmp_path, "check", "missed")
    assert code == 0, output
    assert "the selector `div.entry-content` matched nothing on this page" in output
    assert not (tmp_path / "a.db").exists() or "entries" not in output


@given(st.binary(max_size=3000) | st.text(max_size=3000).map(str.encode))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_extractor_path_raises_only_extract_error(content: bytes) -> None:
    try:
        body = parse_article(content, "https://ex.fr/", ArticleSelectors())
    except ExtractError:
        return
    assert body.via == "extractor" and body.text
    assert "<script" not in body.content and "<h1" not in body.content


@pytest.mark.parametrize(
    ("vias", "note"),
    [
        ([], None),
        (["selector", "selector"], None),
        (["extractor"], "body without selector (main-content extractor): 1 page"),
        (["selector", "missed", "missed", "extractor"],
         "body without selector (main-content extractor): 3 pages, "
         "`article.content` matched nothing on 2"),
    ],
)  # fmt: skip
def test_the_status_note_counts_the_bodies_of_each_path(vias: list[str], note: str | None) -> None:
    assert extractor_notes(vias) == ([note] if note else [])
