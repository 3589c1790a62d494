"""What one item, one document, one source and one run may cost, and ``status`` saying so.

Codings and headers are checked on the fetcher against a real server; the other budgets
through ``aggregator run`` (in process) against a real server, reading what was stored,
published and reported.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply
from hypothesis import given
from hypothesis import strategies as st

from aggregator.cli import cli
from aggregator.collect.budgets import cut_html
from aggregator.collect.fetch import ACCEPT_ENCODING, Fetcher, retry_after_seconds
from aggregator.models import FetchOptions, FetchResult
from aggregator.text.sanitize import clean_html, html_to_text

UA = "aggregator-test/1 (+https://example.org/)"
FAST = FetchOptions(user_agent=UA, timeout=5, per_host_delay=0, retries=0, respect_robots=False)
TEXT = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        yield running


def fetch(url: str, options: FetchOptions = FAST) -> FetchResult:
    async def once() -> FetchResult:
        async with Fetcher(options, allow=[url]) as fetcher:  # the test server, on loopback
            return await fetcher.fetch(url)

    return asyncio.run(once())


# --- codings -------------------------------------------------------------------------------


def gzip_layers(data: bytes, layers: int) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=1)
    return data


def test_the_client_asks_only_for_codings_it_can_stop_early(server: LocalServer) -> None:
    url = server.route("/plain", Reply(200, TEXT))
    assert fetch(url).ok
    (hit,) = server.hits_of("/plain")
    asked = {name.strip() for name in hit.headers["accept-encoding"].split(",")}
    assert asked == {"gzip", "deflate"} and ACCEPT_ENCODING == "gzip, deflate"


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "x-bomb", "gzip, br", "br, gzip"])
def test_a_coding_not_asked_for_fails_the_fetch_uninflated(
    server: LocalServer, coding: str
) -> None:
    url = server.route("/odd", Reply(200, gzip.compress(TEXT), {"Content-Encoding": coding}))
    result = fetch(url)
    assert not result.ok and result.content == b""
    assert result.error and "was not asked for" in result.error


@pytest.mark.parametrize("layers", [3, 8, 1500])
def test_more_than_two_stacked_codings_fail_the_fetch(server: LocalServer, layers: int) -> None:
    body = gzip_layers(TEXT, layers)
    coding = ", ".join(["gzip"] * layers)
    url = server.route("/stacked", Reply(200, body, {"Content-Encoding": coding}))
    result = fetch(url)
    assert result.error == f"{layers} stacked content codings (at most 2 are read)"


def test_two_stacked_codings_are_read(server: LocalServer) -> None:
    url = server.route("/two", Reply(200, gzip_layers(TEXT, 2), {"Content-Encoding": "gzip, gzip"}))
    result = fetch(url)
    assert result.ok and result.content == TEXT


# --- header values -------------------------------------------------------------------------


@given(st.one_of(st.text(max_size=300), st.from_regex(r"\s*[0-9]{1,6000}\s*", fullmatch=True)))
def test_any_retry_after_value_reads_as_a_delay_or_nothing(value: str) -> None:
    seconds = retry_after_seconds(value)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@pytest.mark.parametrize(
    "value",
    ["9" * 5000, "9" * 400, "Sun, 06 Nov 99999 08:49:37 GMT", "Sun, 06 Nov 1 08:49:37 +2359",
     "Fri, 31 Dec 9999 23:59:59 -2359", "é" * 50, "\u00a0120", "1e9", "0x10"],
)  # fmt: skip
def test_an_unreadable_retry_after_on_a_retry_answer_is_a_plain_failure(
    server: LocalServer, value: str
) -> None:
    url = server.route("/busy", Reply(503, headers={"Retry-After": value}))
    options = FetchOptions(
        user_agent=UA, timeout=5, per_host_delay=0, retries=1, backoff=0.01, max_retry_after=1,
        respect_robots=False,
    )  # fmt: skip
    result = fetch(url, options)
    assert result.error and result.error.startswith("HTTP 503")


# --- bodies --------------------------------------------------------------------------------


@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<em>",
                "</em>",
                "<ul><li>",
                "</li></ul>",
                "mot ",
                "&amp;",
                "é",
                "<br>",
                "<a href='https://ex.fr/'>",
                "</a>",
            ]
        ),
        max_size=200,
    ),
    st.integers(min_value=1, max_value=400),
)
def test_a_cut_body_is_sanitized_html_within_the_limit(parts: list[str], limit: int) -> None:
    html = clean_html("".join(parts))
    cut = cut_html(html, limit)
    if len(html) <= limit:
        assert cut == html
    else:
        assert html_to_text(cut).endswith("…")
        assert clean_html(cut) == cut  # balanced: the sanitizer has nothing to close
        # Closing tags may follow the cut point; never much more than the limit.
        assert len(cut) <= limit + 10 * cut.count("</") + 1


# --- a whole run ---------------------------------------------------------------------------


def rss(base: str, count: int, description: str = "Résumé {n}.") -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Article {n}</title><link>{base}/article/{n}</link>"
        f"<guid>{base}/article/{n}</guid>"
        f"<pubDate>{(now - timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description><![CDATA[{description.format(n=n)}]]></description></item>"
        for n in range(1, count + 1)
    )
    return (
        f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"{items}</channel></rss>"
    ).encode()


def article(n: int) -> bytes:
    return f"<html><body><div class='body'><p>Page complète {n}.</p></div></body></html>".encode()


def write_config(
    tmp_path: Path, server: LocalServer, fetch_options: dict[str, Any], article: bool = False
) -> None:
    source: dict[str, Any] = {"id": "src", "name": "Source", "type": "feed", "category": "press",
                              "url": server.url("/feed.xml")}  # fmt: skip
    if article:
        source["article"] = {"content": "div.body"}
    good = {"id": "good", "name": "Bonne", "type": "feed", "category": "press",
            "url": server.url("/good.xml")}  # fmt: skip
    options = {"timeout": 10, "retries": 0, "per_host_delay": 0, "respect_robots": False,
               "user_agent": UA, **fetch_options}  # fmt: skip
    config = {"site": {"title": "T", "base_url": "https://example.org/veille/", "max_items": 1000},
              "fetch": options, "sources": [good, source]}  # fmt: skip
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
    server.route("/good.xml", Reply(200, rss(server.base + "/good", 2)))


def run(tmp_path: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    result = CliRunner().invoke(
        cli,
        ["run", "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, result.output, time.monotonic() - started


def status(tmp_path: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        ["status", "--json", "--config", str(tmp_path / "sources.yaml"), "--db",
         str(tmp_path / "a.db")],
        catch_exceptions=False,
    )  # fmt: skip
    return {row["id"]: row for row in json.loads(result.output)["sources"]}


def stored(tmp_path: Path, source: str = "src") -> dict[str, tuple[str, str]]:
    """Title -> (summary, content) of each entry stored for ``source``."""
    with sqlite3.connect(tmp_path / "a.db") as conn:
        rows = conn.execute(
            "SELECT title, summary, content FROM entries WHERE source = ?", (source,)
        ).fetchall()
    return {title: (summary, content) for title, summary, content in rows}


def test_a_document_keeps_its_newest_items_within_the_budget(
    tmp_path: Path, server: LocalServer
) -> None:
    server.route("/feed.xml", Reply(200, rss(server.base, 120)))
    write_config(tmp_path, server, {"max_items_per_document": 50})
    code, output, _ = run(tmp_path)
    assert code == 0, output
    titles = set(stored(tmp_path))
    assert titles == {f"Article {n}" for n in range(1, 51)}  # the newest fifty
    row = status(tmp_path)["src"]
    assert row["last_error"] is None and row["items"] == 50
    assert "70 of 120 items dropped" in row["notes"] and "max_items_per_document" in row["notes"]
    assert "max_items_per_document" in output  # and the run says it
    assert status(tmp_path)["good"]["notes"] is None


def test_a_body_is_cut_at_a_tag_boundary(tmp_path: Path, server: LocalServer) -> None:
    paragraph = "<p>" + "Texte de la note, " * 20 + "</p>"
    server.route("/feed.xml", Reply(200, rss(server.base, 3, description=paragraph * 2000)))
    write_config(tmp_path, server, {"max_item_html": 20_000})
    code, output, _ = run(tmp_path)
    assert code == 0, output
    for summary, content in stored(tmp_path).values():
        body = content or summary
        assert 10_000 < len(body) <= 20_001 and body.endswith("</p>…")
        assert body.count("<p>") == body.count("</p>")
    assert "3 bodies cut to 20000 characters" in status(tmp_path)["src"]["notes"]
    published = json.loads((tmp_path / "out" / "feed.json").read_text())["items"]
    assert max(len(item.get("content_html", "")) for item in published) <= 20_001


def test_article_pages_are_fetched_for_the_newest_items_within_the_budget(
    tmp_path: Path, server: LocalServer
) -> None:
    server.route("/feed.xml", Reply(200, rss(server.base, 12)))
    for n in range(1, 13):
        server.route(f"/article/{n}", Reply(200, article(n), {"Content-Type": "text/html"}))
    write_config(tmp_path, server, {"max_articles_per_source": 5}, article=True)
    code, output, _ = run(tmp_path)
    assert code == 0, output
    fetched = {hit.path for hit in server.hits if hit.path.startswith("/article/")}
    assert fetched == {f"/article/{n}" for n in range(1, 6)}
    entries = stored(tmp_path)
    assert "Page complète 1." in entries["Article 1"][1]
    assert entries["Article 12"][1] == "" and "Résumé 12." in entries["Article 12"][0]
    assert "5 of 12 new items fetched" in status(tmp_path)["src"]["notes"]


def test_slow_article_pages_stop_at_the_source_budget(tmp_path: Path, server: LocalServer) -> None:
    server.route("/feed.xml", Reply(200, rss(server.base, 3)))
    for n in range(1, 4):
        server.route(f"/article/{n}", Reply(200, article(n), delay=4))
    write_config(tmp_path, server, {"source_seconds": 1}, article=True)
    code, output, seconds = run(tmp_path)
    assert code == 0, output
    assert seconds < 3.5  # not the 4 s each page takes
    entries = stored(tmp_path)
    assert len(entries) == 3 and all("Résumé" in summary for summary, _ in entries.values())
    row = status(tmp_path)["src"]
    assert row["last_error"] is None
    assert "3 not fetched in time" in row["notes"] and "source_seconds = 1" in row["notes"]


def test_the_run_deadline_fails_what_is_not_done_and_publishes_the_rest(
    tmp_path: Path, server: LocalServer
) -> None:
    server.route("/feed.xml", Reply(200, rss(server.base, 3), delay=6))
    write_config(tmp_path, server, {"run_seconds": 1.5})
    code, output, seconds = run(tmp_path)
    assert code == 0, output
    assert seconds < 5
    row = status(tmp_path)["src"]
    assert row["last_error"] and "fetch.run_seconds = 1.5" in row["last_error"]
    titles = {
        item["title"] for item in json.loads((tmp_path / "out" / "feed.json").read_text())["items"]
    }
    assert {"Article 1", "Article 2"} <= titles  # the good source's


def test_a_long_crawl_delay_is_capped_and_said(tmp_path: Path, server: LocalServer) -> None:
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 86400\n"))
    server.route("/feed.xml", Reply(200, rss(server.base, 3)))
    for n in range(1, 4):
        server.route(f"/article/{n}", Reply(200, article(n), {"Content-Type": "text/html"}))
    write_config(tmp_path, server, {"respect_robots": True, "max_crawl_delay": 0.2}, article=True)
    code, output, seconds = run(tmp_path)
    assert code == 0, output
    assert seconds < 10  # three pages a day apart would be three days
    assert all("Page complète" in content for _, content in stored(tmp_path).values())
    notes = status(tmp_path)["src"]["notes"]
    assert "Crawl-delay of 86400 s; 0.2 s used (fetch.max_crawl_delay)" in notes
