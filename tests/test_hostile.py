"""Hostile sources through the whole pipeline: one generated test per file of tests/data/hostile/.

Each case file starts with YAML front matter between two ``---`` lines that says what the
hostile server serves and what must happen; the raw bytes after it are the body. The case
is served on 127.0.0.1 beside a good feed, ``aggregator run`` runs as a subprocess (so its
peak memory can be read with ``wait4``), and then:

* the run ends within ``bound`` seconds, exit status 0, peak memory under ``max_rss_mb``;
* every item of the good source is published;
* ``aggregator status --json`` gives the hostile source the expected reason (``reason``), or
  no error and ``items`` items when the source is merely nasty rather than broken;
* no file under output/ holds a script, an event handler, a dangerous URL or a raw control
  character, and every feed and JSON file parses.

Front matter keys: ``type`` (feed | html), ``list`` (selectors for html), ``article``
(selectors), ``status``, ``headers``, ``length`` (send Content-Length, default true),
``generator`` (below), ``routes`` (more paths: {path: {status, headers, body}}),
``body_file`` (body read from another file), ``bound``, ``max_rss_mb``, ``reason``,
``items``, ``keep`` / ``absent`` (strings that must / must not be in feed.json),
``no_hits`` (paths the server must never be asked for), ``gone`` (true: a second run must
not request the source), ``dates`` (clamped | past).
``{base}`` in a body or header is replaced by the server's address, and
``{repeat N}text{/repeat}`` in a body by N copies of the text.

Generators: ``gzip-bomb N`` (N MB of zeros gzipped), ``endless`` (the body, then items
forever, no length), ``drip`` (headers, then a byte every half second), ``never-answer``
(accepts, never replies), ``redirect-loop``, ``redirect-chain`` (each hop to a new path),
``feed-items N`` (an RSS feed of N items), ``nested N`` (``{nest}`` in the body becomes N
nested divs), ``flat N`` (``{nest}`` becomes N empty elements side by side).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import DripServer, LocalServer, Reply
from lxml import etree

from aggregator.cli import cli

# End-to-end: each test runs the whole pipeline (a real server, the CLI, or a subprocess).
pytestmark = pytest.mark.slow

CASES = Path(__file__).parent / "data" / "hostile"
CASE_FILES = sorted(p for p in CASES.iterdir() if p.is_file() and not p.name.startswith("."))
HOSTILE_PATH = "/hostile"
GOOD_PATH = "/good/feed.xml"
DEFAULT_RSS_MB = 150
# Added to every budget: spaCy's French model, loaded once per process as soon as a sentence
# needs a parse (aggregator/understand/language.py); a fixed cost, not one that grows with
# hostile input.
LANGUAGE_MODEL_MB = 200
# Never in a published file's bytes, escaped or not: scripts and script URLs are removed, not
# merely escaped, and XML 1.0 forbids these controls.
RAW_DANGER = re.compile(
    rb"<script|javascript:|vbscript:|data:text/html|[\x00-\x08\x0b\x0c\x0e-\x1f]", re.IGNORECASE
)
# Elements that run or embed something; an HTML fragment in a feed or a page must hold none.
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
               "base", "svg", "math", "style"}  # fmt: skip
BAD_URL = re.compile(r"^(?:javascript|vbscript|livescript|data):", re.IGNORECASE)


@dataclass(frozen=True)
class Case:
    name: str
    meta: dict[str, Any]
    body: bytes


@dataclass(frozen=True)
class Finished:
    code: int
    stderr: str
    seconds: float
    max_rss_mb: float
    started: datetime
    ended: datetime


def load_case(path: Path) -> Case:
    """Front matter between the first two ``---`` lines, the raw body after them."""
    raw = path.read_bytes()
    assert raw.startswith(b"---\n"), f"{path.name}: no front matter"
    head, _, body = raw[4:].partition(b"\n---\n")
    meta = yaml.safe_load(head.decode("utf-8"))
    if "body_file" in meta:
        body = (path.parent / meta["body_file"]).read_bytes()
    return Case(path.stem, meta, body)


# --- what the servers send ---------------------------------------------------------------------


def good_feed() -> bytes:
    """Three well-formed items dated in the last days, so they lead every feed."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Bon article numéro {n}</title>"
        f"<link>https://bonne-source.example/articles/{n}</link>"
        f"<guid>https://bonne-source.example/articles/{n}</guid>"
        f"<pubDate>{(now - timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description>Texte sain de l'article {n}.</description></item>"
        for n in (1, 2, 3)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Bonne source</title>{items}</channel></rss>"
    ).encode()


GOOD_URLS = {f"https://bonne-source.example/articles/{n}" for n in (1, 2, 3)}


@lru_cache(maxsize=4)
def gzip_bomb(megabytes: int) -> bytes:
    buffer = io.BytesIO()
    zeros = b"\0" * (1024 * 1024)
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as packed:
        packed.write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>')
        for _ in range(megabytes):
            packed.write(zeros)
    return buffer.getvalue()


def endless(head: bytes) -> Iterator[bytes]:
    yield head
    chunk = b"<item><title>encore</title><link>https://piege.example/x</link></item>" * 1000
    while True:
        yield chunk


def feed_items(count: int) -> bytes:
    """A big but honest feed, dated years ago so the good items stay the newest."""
    start = datetime(2021, 3, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Note de service {n}</title><link>https://gros-flux.example/n/{n}</link>"
        f"<pubDate>{(start + timedelta(minutes=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate><description>Contenu ordinaire numéro {n}.</description></item>"
        for n in range(count)
    )
    return f'<rss version="2.0"><channel><title>Gros flux</title>{items}</channel></rss>'.encode()


def nested(body: bytes, depth: int) -> bytes:
    deep = b"<div>" * depth + b"Au fond du puits" + b"</div>" * depth
    return body.replace(b"{nest}", deep)


REPEAT = re.compile(rb"\{repeat (\d+)\}(.*?)\{/repeat\}", re.DOTALL)


def substitute(data: bytes, base: str) -> bytes:
    """``{base}`` becomes the server's address, ``{repeat N}text{/repeat}`` N copies of text."""
    data = REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), data)
    return data.replace(b"{base}", base.encode())


def reply_of(spec: dict[str, Any], body: bytes, base: str) -> Reply:
    headers = {
        k: substitute(str(v).encode(), base).decode() for k, v in spec.get("headers", {}).items()
    }
    return Reply(
        spec.get("status", 200), substitute(body, base), headers, length=spec.get("length", True)
    )


def serve(case: Case, server: LocalServer, stack: ExitStack) -> str:
    """Script the servers for a case; returns the hostile source's URL."""
    meta, base = case.meta, server.base
    for path, spec in (meta.get("routes") or {}).items():
        server.route(path, reply_of(spec, str(spec.get("body", "")).encode(), base))
    generator = str(meta.get("generator", "")).split()
    kind, arg = (generator[0], generator[1:]) if generator else ("", [])
    headers = {k: str(v) for k, v in (meta.get("headers") or {}).items()}
    status = meta.get("status", 200)
    if kind == "never-answer":
        return stack.enter_context(DripServer(b"", b"", interval=0.5)).url
    if kind == "drip":
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n\r\n" + case.body
        return stack.enter_context(DripServer(head, b" ", interval=0.5)).url
    if kind == "redirect-loop":
        server.route(HOSTILE_PATH, Reply(302, headers={"Location": HOSTILE_PATH + "/b"}))
        server.route(HOSTILE_PATH + "/b", Reply(301, headers={"Location": HOSTILE_PATH}))
        return server.url(HOSTILE_PATH)
    if kind == "redirect-chain":
        for hop in range(12):
            server.route(
                f"{HOSTILE_PATH}/{hop}",
                Reply(302, headers={"Location": f"{HOSTILE_PATH}/{hop + 1}"}),
            )
        return server.url(f"{HOSTILE_PATH}/0")
    if kind == "gzip-bomb":
        body: bytes | Iterator[bytes] = gzip_bomb(int(arg[0].rstrip("MB")))
    elif kind == "endless":
        body = endless(case.body)
    elif kind == "feed-items":
        body = feed_items(int(arg[0]))
    elif kind == "nested":
        body = nested(case.body, int(arg[0]))
    elif kind == "flat":
        body = case.body.replace(b"{nest}", b"<b></b>" * int(arg[0]))
    else:
        body = substitute(case.body, base)
    headers = {k: substitute(v.encode(), base).decode() for k, v in headers.items()}
    length = meta.get("length", True) and isinstance(body, bytes)
    server.route(HOSTILE_PATH, Reply(status, body, headers, length=length))
    return server.url(HOSTILE_PATH)


# --- running the pipeline ----------------------------------------------------------------------


def write_config(tmp_path: Path, case: Case, hostile_url: str, good_url: str) -> None:
    hostile: dict[str, Any] = {
        "id": "hostile",
        "name": "Source hostile",
        "type": case.meta.get("type", "feed"),
        "url": hostile_url,
        "category": "other",
    }
    for key in ("list", "article"):
        if key in case.meta:
            hostile[key] = case.meta[key]
    config = {
        "site": {"title": "Test", "base_url": "https://example.org/veille/", "max_items": 50},
        "fetch": {
            "timeout": 3,
            "retries": 1,
            "backoff": 0.1,
            "per_host_delay": 0,
            "user_agent": "aggregator-test/1 (+https://example.org/)",
        },
        "sources": [
            {
                "id": "good",
                "name": "Bonne source",
                "type": "feed",
                "url": good_url,
                "category": "press",
            },
            hostile,
        ],
    }
    (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


# Linux keeps a process's peak RSS across exec, so a child forked straight from pytest
# reports pytest's own size. A small Python in between forks the run from itself and
# hands back the run's own peak, read with wait4.
MEASURE = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_pipeline(tmp_path: Path, bound: float) -> Finished:
    """``aggregator run`` in a grandchild process, with its peak memory."""
    peak = tmp_path / "maxrss.txt"
    command = [
        *(sys.executable, "-c", MEASURE, str(peak)),
        *(sys.executable, "-m", "aggregator", "run"),
        *("--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db")),
        *("--output", str(tmp_path / "out")),
    ]
    started, clock = datetime.now(UTC), time.monotonic()
    with open(tmp_path / "stderr.txt", "wb") as err:
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True
        )
        try:
            code = child.wait(timeout=bound * 3 + 10)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # the group we started, by its id
            child.wait()
            pytest.fail(f"the run was still going after {bound * 3 + 10:.0f} s (bound {bound} s)")
    return Finished(
        code=code,
        stderr=(tmp_path / "stderr.txt").read_text("utf-8", "replace"),
        seconds=time.monotonic() - clock,
        max_rss_mb=int(peak.read_text()) / 1024,  # kilobytes on Linux
        started=started,
        ended=datetime.now(UTC),
    )


def status_rows(tmp_path: Path) -> dict[str, dict[str, Any]]:
    result = CliRunner().invoke(
        cli,
        [
            "status",
            "--json",
            "--config",
            str(tmp_path / "sources.yaml"),
            "--db",
            str(tmp_path / "a.db"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.output)["sources"]}


# --- what must hold for every output file ------------------------------------------------------


def html_dangers(markup: str) -> list[str]:
    """Active elements, event handler attributes (`` on\\w+=`` inside a tag) and script URLs.

    Parsed, not grepped: a title that *mentions* ``onerror=`` is text and harmless once
    escaped, while the same bytes inside a tag would run.
    """
    if "<" not in markup:
        return []
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return []
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        if element.tag.lower() in ACTIVE_TAGS:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            probe = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
            if name.lower().startswith("on") or BAD_URL.match(probe):
                found.append(f"<{element.tag} {name}={value!r}>")
    return found


def _strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def file_dangers(path: Path, data: bytes) -> list[str]:
    """What is wrong with one published file: raw danger, active HTML, or it does not parse."""
    found = RAW_DANGER.search(data)
    if found:
        return [f"raw {data[max(0, found.start() - 60) : found.end() + 60]!r}"]
    try:
        text = data.decode("utf-8")
        if path.suffix == ".json":
            # Every string, titles included: some readers render them as HTML.
            return [d for value in _strings(json.loads(text)) for d in html_dangers(value)]
        if path.suffix in (".xml", ".atom", ".opml"):
            root = ElementTree.fromstring(data)
            texts = [t for e in root.iter() for t in (e.text, *e.attrib.values()) if t]
            return [d for value in texts for d in html_dangers(value)]
        if path.suffix == ".html":
            return html_dangers(text)
    except (UnicodeDecodeError, ValueError, ElementTree.ParseError) as exc:
        return [f"does not parse ({exc})"]
    return []


def dangers_in_output(out: Path) -> list[str]:
    """Every published file that carries something dangerous or does not parse."""
    problems = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        problems += [f"{path.relative_to(out)}: {d}" for d in file_dangers(path, path.read_bytes())]
    return problems


def published(out: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    return items


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- the generated tests -----------------------------------------------------------------------


def test_the_corpus_covers_the_issue() -> None:
    names = {p.stem for p in CASE_FILES}
    wanted = {"billion-laughs", "xxe-file", "xss-item-html", "javascript-encodings",
              "javascript-entry-link", "control-characters", "gzip-bomb", "endless-body",
              "never-answers", "drips", "redirect-loop", "redirect-to-file-scheme", "http-404",
              "http-410-gone", "http-429-retry-after", "http-500", "ten-thousand-items",
              "date-2099", "date-1970", "jpeg-as-feed", "nested-markup-page",
              "selectors-match-nothing", "mislabelled-cp1252", "retry-after-absurd",
              "description-whole-document", "stacked-codings", "charset-undefined",
              "charset-base64", "charset-html-undefined"}  # fmt: skip
    assert wanted <= names, wanted - names


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_hostile_source_beside_a_good_one(path: Path, tmp_path: Path) -> None:
    case = load_case(path)
    meta = case.meta
    bound = float(meta.get("bound", 15))
    with ExitStack() as stack:
        server = stack.enter_context(LocalServer())
        good_url = server.route(
            GOOD_PATH, Reply(200, good_feed(), {"Content-Type": "application/rss+xml"})
        )
        write_config(tmp_path, case, serve(case, server, stack), good_url)
        first = run_pipeline(tmp_path, bound)
        hits_after_first = len(server.hits_of(HOSTILE_PATH))
        if meta.get("gone"):
            second = run_pipeline(tmp_path, bound)
            assert second.code == 0, second.stderr
            assert len(server.hits_of(HOSTILE_PATH)) == hits_after_first, (
                "a gone source was fetched again"
            )
        for never in meta.get("no_hits", []):
            assert not server.hits_of(never), f"the server was asked for {never}"

    assert first.code == 0, first.stderr
    assert "Traceback" not in first.stderr, first.stderr
    assert first.seconds <= bound, f"took {first.seconds:.1f} s, bound {bound} s"
    assert first.max_rss_mb <= meta.get("max_rss_mb", DEFAULT_RSS_MB) + LANGUAGE_MODEL_MB, (
        f"peak {first.max_rss_mb:.0f} MB"
    )

    out = tmp_path / "out"
    items = published(out)
    assert {item["url"] for item in items} >= GOOD_URLS, "the good source lost items"
    assert dangers_in_output(out) == []

    rows = status_rows(tmp_path)
    assert rows["good"]["last_error"] is None and rows["good"]["items"] == 3
    row = rows["hostile"]
    if meta.get("reason"):
        assert row["last_error"] and meta["reason"] in row["last_error"], row["last_error"]
        assert row["consecutive_failures"] == 1  # a gone source is not tried, so not counted
        assert meta["reason"] in first.stderr  # the run says it too
    else:
        assert row["last_error"] is None, row["last_error"]
    if "items" in meta:
        assert row["items"] == meta["items"]
    if meta.get("gone"):
        assert row["gone"] is True

    feed_json = (out / "feed.json").read_text("utf-8")
    for text in meta.get("keep", []):
        assert text in feed_json, f"{text!r} was lost"
    for text in meta.get("absent", []):
        assert text not in feed_json, f"{text!r} was published"
    mine = [item for item in items if item["_advisory"]["source"] == "hostile"]
    if meta.get("dates") == "clamped":
        assert mine
        for item in mine:
            when = parse_iso(item["date_published"])
            assert first.started - timedelta(seconds=1) <= when <= first.ended
    if meta.get("dates") == "past":
        assert mine
        assert all(parse_iso(item["date_published"]) < first.started for item in mine)
