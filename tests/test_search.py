"""`aggregator search QUERY`: full-text search over the stored items, through the CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregator.cli import cli
from aggregator.models import Item, Source
from aggregator.store.database import Store

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
STORIES = [
    (
        "a1",
        "moniteur",
        "Viamedis : panne du portail de tiers payant",
        "<p>Facturez en mode dégradé.</p>",
        3,
    ),  # noqa: E501
    ("a2", "uspo", "Sécurité : une cyberattaque chez Almerys", "<p>Le service est coupé.</p>", 1),
    ("a3", "moniteur", "Convention signée", "<p>Viamedis et les syndicats ont signé.</p>", 2),
    ("a4", "uspo", "Campagne de vaccination", "<p>Ouverture lundi.</p>", 0),
]


def _database(path: Path) -> Path:
    with Store(path) as store:
        store.sync_sources(
            [
                Source(id="moniteur", name="Le Moniteur", type="feed", url="https://m.example/f"),
                Source(id="uspo", name="USPO", type="feed", url="https://u.example/f"),
            ]
        )
        with store.transaction():
            store.save_items(
                [
                    Item(
                        id=item_id,
                        source=source,
                        url=f"https://{source}.example/{item_id}",
                        title=title,
                        content_html=body,
                        date_published=NOW - timedelta(days=age),
                    )
                    for item_id, source, title, body, age in STORIES
                ]
            )
    return path


def _search(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", *args, "--db", str(db)], catch_exceptions=False)
    return result.exit_code, result.output


def test_search_prints_matching_items_newest_first_with_date_source_title_and_link(
    tmp_path: Path,
) -> None:
    db = _database(tmp_path / "a.db")
    code, output = _search(db, "viamedis")
    assert code == 0
    assert output.splitlines() == [
        "2026-11-28  moniteur  Convention signée  https://moniteur.example/a3",
        "2026-11-27  moniteur  Viamedis : panne du portail de tiers payant  "
        "https://moniteur.example/a1",
    ]


def test_search_finds_words_with_or_without_accents_and_needs_every_word(tmp_path: Path) -> None:
    db = _database(tmp_path / "a.db")
    assert "a2" in _search(db, "securite")[1]
    assert "a2" in _search(db, "SÉCURITÉ almerys")[1]
    assert _search(db, "viamedis almerys") == (0, "")  # no item holds both


def test_search_json_gives_each_item_with_its_fields(tmp_path: Path) -> None:
    db = _database(tmp_path / "a.db")
    code, output = _search(db, "cyberattaque", "--json")
    assert code == 0
    (found,) = json.loads(output)["items"]
    assert found["id"] == "a2" and found["source"] == "uspo" and found["source_name"] == "USPO"
    assert found["url"] == "https://uspo.example/a2"
    assert found["date"] == (NOW - timedelta(days=1)).isoformat()


def test_search_follows_edits_of_the_items(tmp_path: Path) -> None:
    """The index is kept in step by triggers: an item saved again is found by its new words
    and no longer by its old ones."""
    db = _database(tmp_path / "a.db")
    with Store(db) as store, store.transaction():
        store.save_items(
            [Item(id="a4", source="uspo", url="https://uspo.example/a4", title="Grippe : rappel")]
        )
    assert "a4" in _search(db, "grippe")[1]
    assert "a4" not in _search(db, "vaccination")[1]


def test_search_limit_keeps_the_newest(tmp_path: Path) -> None:
    db = _database(tmp_path / "a.db")
    code, output = _search(db, "viamedis", "--limit", "1")
    assert code == 0 and output.splitlines() == [
        "2026-11-28  moniteur  Convention signée  https://moniteur.example/a3"
    ]


def test_search_without_a_database_or_words_is_a_usage_error(tmp_path: Path) -> None:
    code, output = _search(tmp_path / "missing.db", "viamedis")
    assert code == 2 and "no such database" in output
    assert not (tmp_path / "missing.db").exists()
    code, output = _search(_database(tmp_path / "a.db"), "   ")
    assert code == 2 and "QUERY is empty" in output


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(min_size=1, max_size=30).filter(lambda q: q.strip() and "\x00" not in q))
def test_any_query_text_is_taken_as_words_never_as_search_syntax(
    tmp_path: Path, query: str
) -> None:
    """Quotes, stars, NOT, parentheses, colons: whatever is typed, search answers (maybe
    with nothing) rather than failing on FTS5's query syntax."""
    db = tmp_path / "a.db"
    if not db.exists():
        _database(db)
    # "--": a query such as "-0" is a query, not an option
    result = CliRunner().invoke(cli, ["search", "--db", str(db), "--", query])
    assert result.exit_code == 0, result.output
