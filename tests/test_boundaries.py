"""One source, or one article page, that breaks in any way fails alone: the run goes on.

Each test runs the real command (``aggregator run``, in process) against a real server on
127.0.0.1 holding a good source and a bad one, after making one stage of the bad source's
processing raise: the fetch, the parsing of its feed or list, the budgets, the canonical
URLs, the dates, its article pages, the lookup of known entries, storing its entries. The
good source must be stored and published, the bad one's reason recorded for ``status``
and printed on stderr, and the exit status 0.

The raising stand-ins are module-level functions: the parsing runs in forked worker
processes, which receive functions by name and inherit this module from the fork.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply

from aggregator.collect import stage
from aggregator.cli import cli
from aggregator.collect import fetch
from aggregator.collect.extract import encoding, feed
from aggregator.store import database

BAD = "/bad/"
BASE: list[str] = []  # the server's address, once it runs
INJECTED = "injected fault"
# What the stand-ins raise: a message on several lines, which status must show on one.
RAISED = "injected\n   fault"


class Injected(RuntimeError):
    pass


def _is_bad(value: object) -> bool:
    return BAD in str(value)


def _raise_if(bad: bool) -> None:
    if bad:
        raise Injected(RAISED)


# --- stand-ins that raise for the bad source only (module level: see the docstring) ---------

ORIGINAL: dict[str, Any] = {
    "parse_feed": stage.parse_feed,
    "parse_list": stage.parse_list,
    "parse_article": stage.parse_article,
    "within_budget": stage.within_budget,
    "canonical_url": stage.canonical_url,
    "clamp_dates": stage.clamp_dates,
    "fetch": fetch.Fetcher.fetch,
    "known_entry_ids": database.Store.known_entry_ids,
    "save_entries": database.Store.save_entries,
}


def parse_feed(content: bytes, url: str, *args: Any, **kwargs: Any) -> Any:
    _raise_if(_is_bad(url))
    return ORIGINAL["parse_feed"](content, url, *args, **kwargs)


def parse_list(content: bytes, url: str, *args: Any) -> Any:
    _raise_if(_is_bad(url))
    return ORIGINAL["parse_list"](content, url, *args)


def within_budget(page: Any, *args: Any) -> Any:
    _raise_if(any(_is_bad(item.url) for item in page.items))
    return ORIGINAL["within_budget"](page, *args)


def canonical_url(url: str) -> str:
    _raise_if(_is_bad(url))
    result: str = ORIGINAL["canonical_url"](url)
    return result


def clamp_dates(item: Any, now: datetime) -> Any:
    _raise_if(_is_bad(item.url))
    return ORIGINAL["clamp_dates"](item, now)


async def fetcher_fetch(self: fetch.Fetcher, url: str, **kwargs: Any) -> Any:
    _raise_if(_is_bad(url))
    return await ORIGINAL["fetch"](self, url, **kwargs)


async def fetcher_fetch_articles(self: fetch.Fetcher, url: str, **kwargs: Any) -> Any:
    _raise_if(_is_bad(url) and "/article/" in url)
    return await ORIGINAL["fetch"](self, url, **kwargs)


def known_entry_ids(self: database.Store, ids: Any) -> Any:
    ids = list(ids)
    # Entry ids hash the source with the guid: the bad source's are asked for together.
    _raise_if(ids == [database.entry_id("bad", f"{BASE[0]}{BAD}article/{n}") for n in (1, 2)])
    return ORIGINAL["known_entry_ids"](self, ids)


def save_entries(self: database.Store, source: str, *args: Any, **kwargs: Any) -> Any:
    _raise_if(source == "bad")
    return ORIGINAL["save_entries"](self, source, *args, **kwargs)


def parse_article(content: bytes, url: str, *args: Any) -> Any:
    _raise_if("/article/1" in url)
    return ORIGINAL["parse_article"](content, url, *args)


# (where to patch, the stand-in, the type of the bad source)
STAGES: dict[str, tuple[object, str, Callable[..., Any], str]] = {
    "fetch": (fetch.Fetcher, "fetch", fetcher_fetch, "feed"),
    "feed parsing": (stage, "parse_feed", parse_feed, "feed"),
    "list parsing": (stage, "parse_list", parse_list, "html"),
    "budgets": (stage, "within_budget", within_budget, "feed"),
    "canonical urls": (stage, "canonical_url", canonical_url, "html"),
    "dates": (stage, "clamp_dates", clamp_dates, "feed"),
    "known entries": (database.Store, "known_entry_ids", known_entry_ids, "feed"),
    "storing": (database.Store, "save_entries", save_entries, "html"),
}


# --- the sites -----------------------------------------------------------------------------


def _rss(base: str, path: str, titles: list[str]) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}article/{n}</link>"
        f"<guid>{base}{path}article/{n}</guid>"
        f"<pubDate>{(now - timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description>Résumé du flux {n}.</description></item>"
        for n, title in enumerate(titles, 1)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{items}</channel></rss>"
    ).encode()


def _list_page(path: str, titles: list[str]) -> bytes:
    rows = "".join(
        f'<article><h2><a href="{path}article/{n}">{title}</a></h2></article>'
        for n, title in enumerate(titles, 1)
    )
    return f"<html><body>{rows}</body></html>".encode()


def _article(n: int) -> bytes:
    return f'<html><body><div class="body"><p>Texte complet {n}.</p></div></body></html>'.encode()


GOOD_TITLES = ["Bonne nouvelle une", "Bonne nouvelle deux"]
BAD_TITLES = ["Mauvaise source un", "Mauvaise source deux"]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as running:
        BASE[:] = [running.base]
        yield running


def _serve(server: LocalServer) -> None:
    server.route("/good/feed.xml", Reply(200, _rss(server.base, "/good/", GOOD_TITLES)))
    server.route("/bad/feed.xml", Reply(200, _rss(server.base, BAD, BAD_TITLES)))
    server.route("/bad/list.html", Reply(200, _list_page(BAD, BAD_TITLES),
                                         {"Content-Type": "text/html"}))  # fmt: skip
    for n in (1, 2):
        server.route(f"{BAD}article/{n}", Reply(200, _article(n), {"Content-Type": "text/html"}))


def _write_config(tmp_path: Path, server: LocalServer, bad_type: str) -> None:
    bad: dict[str, Any] = {"id": "bad", "name": "Mauvaise", "category": "other",
                           "article": {"content": "div.body"}}  # fmt: skip
    if bad_type == "feed":
        bad.update(type="feed", url=server.url("/bad/feed.xml"))
    else:
        bad.update(type="html", url=server.url("/bad/list.html"),
                   list={"item": "article", "title": "h2", "link": "h2 a"})  # fmt: skip
    config = {
        "site": {"title": "Test", "base_url": "https://example.org/veille/"},
        "fetch": {
            "timeout": 5,
            "retries": 0,
            "per_host_delay": 0,
            "respect_robots": False,
            "user_agent": "aggregator-test/1 (+https://example.org/)",
        },
        "sources": [
            {
                "id": "good",
                "name": "Bonne",
                "type": "feed",
                "category": "press",
                "url": server.url("/good/feed.xml"),
            },
            bad,
        ],
    }
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def _invoke(tmp_path: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli,
        [*args, "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip


def _status(tmp_path: Path) -> dict[str, dict[str, Any]]:
    result = _invoke(tmp_path, "status", "--json")
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.output)["sources"]}


def _published(tmp_path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((tmp_path / "out" / "feed.json").read_text())["items"]
    return items


# --- the tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", list(STAGES))
def test_an_exception_at_any_stage_fails_that_source_alone(
    stage: str, tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    where, name, stand_in, bad_type = STAGES[stage]
    _serve(server)
    _write_config(tmp_path, server, bad_type)
    monkeypatch.setattr(where, name, stand_in)

    result = _invoke(tmp_path, "run")

    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    titles = {item["title"] for item in _published(tmp_path)}
    assert set(GOOD_TITLES) <= titles
    assert not titles & set(BAD_TITLES)  # a failed source stores nothing half-done
    rows = _status(tmp_path)
    assert rows["good"]["last_error"] is None and rows["good"]["items"] == 2
    reason = rows["bad"]["last_error"]
    assert reason and INJECTED in reason and "\n" not in reason
    assert rows["bad"]["consecutive_failures"] == 1
    assert f"bad: {reason}" in result.output  # said on stderr too


def test_a_failed_source_is_read_whole_again_next_run(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its validators are not kept, so an unchanged answer is not taken as 'nothing new'."""
    _serve(server)
    body = _rss(server.base, BAD, BAD_TITLES)

    def conditional(headers: dict[str, str]) -> Reply:
        if headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, body, {"ETag": '"v1"'})

    server.route("/bad/feed.xml", handler=conditional)
    _write_config(tmp_path, server, "feed")
    with monkeypatch.context() as patch:
        patch.setattr(stage, "clamp_dates", clamp_dates)
        assert _invoke(tmp_path, "run").exit_code == 0
    assert _invoke(tmp_path, "run").exit_code == 0
    assert set(BAD_TITLES) <= {item["title"] for item in _published(tmp_path)}
    assert _status(tmp_path)["bad"]["consecutive_failures"] == 0


@pytest.mark.parametrize("how", ["parsing", "fetching"])
def test_an_article_page_that_raises_fails_that_page_alone(
    how: str, tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(server)
    _write_config(tmp_path, server, "feed")
    if how == "parsing":
        monkeypatch.setattr(stage, "parse_article", parse_article)
    else:
        monkeypatch.setattr(fetch.Fetcher, "fetch", fetcher_fetch_articles)

    result = _invoke(tmp_path, "run")

    assert result.exit_code == 0, result.output
    bodies = {item["title"]: item.get("content_html", "") for item in _published(tmp_path)}
    assert "Résumé du flux 1." in bodies["Mauvaise source un"]  # kept its feed summary
    if how == "parsing":
        assert "Texte complet 2." in bodies["Mauvaise source deux"]  # the other page read
    assert _status(tmp_path)["bad"]["last_error"] is None


def test_every_source_failing_still_exits_1(
    tmp_path: Path, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(server)
    _write_config(tmp_path, server, "feed")

    async def always(self: fetch.Fetcher, url: str, **kwargs: Any) -> Any:
        raise Injected(RAISED)

    monkeypatch.setattr(fetch.Fetcher, "fetch", always)
    result = _invoke(tmp_path, "run")
    assert result.exit_code == 1 and "every source failed" in result.output
    assert "Traceback" not in result.output


# --- charset labels: only real text encodings are read --------------------------------------

# Python codec names and aliases that are no web encoding: bytes-to-bytes transforms, text
# transforms, escapes, codecs that raise on any byte, and Windows-only ones.
NOT_TEXT = ["base64", "base_64", "hex", "zlib", "zip", "rot13", "rot_13", "uu", "bz2", "quopri",
            "punycode", "idna", "undefined", "mbcs", "oem", "unicode-escape", "utf-7",
            "raw_unicode_escape", "replacement", "iso-2022-kr", "x-unknown"]  # fmt: skip


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_label_that_is_no_text_encoding_falls_back_to_detection(label: str) -> None:
    text = "Pharmacie d'Évreux : l'œuvre à 5 €"
    for raw in (text.encode("utf-8"), text.encode("cp1252")):
        page = b'<html><head><meta charset="' + label.encode() + b'"></head><body>'
        decoded = encoding.decode_html(page + raw, {"content-type": f"text/html; charset={label}"})
        assert text in decoded
        document = (
            (
                f'<?xml version="1.0" encoding="{label}"?><rss version="2.0"><channel><title>t'
                "</title><item><title>"
            ).encode()
            + raw
            + b"</title><link>https://ex.fr/a</link></item></channel></rss>"
        )
        for quick in (True, False):
            parsed = feed.parse_feed(
                document, "https://ex.fr/feed", {"content-type": f"text/xml; charset={label}"},
                quick=quick,
            )  # fmt: skip
            assert [item.title for item in parsed.items] == [text]
