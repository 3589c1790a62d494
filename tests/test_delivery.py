"""Delivering incidents: incident feeds, every payer's feeds ahead, honest health, the
subscribe page, and the monitoring commands (status --check, quiet runs)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from aggregator.cli import cli
from aggregator.models import Incident, SourceStatus
from aggregator.publish.build import publish
from aggregator.publish.health import health_of, watch_problem, worth_reporting
from aggregator.publish.site import french_reason, french_spacing
from aggregator.store.database import Store
from tests.httpfixtures import LocalServer, Reply
from tests.test_publish import BASE, T0, files, item, make_input, sample_incidents, sources

STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)


def flat(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


# --- incident feeds ------------------------------------------------------------------------


def test_incident_feeds_hold_one_entry_per_incident_with_a_lasting_id(out: Path) -> None:
    atom = feedparser.parse((out / "incidents.atom").read_bytes())
    rss = feedparser.parse((out / "incidents.xml").read_bytes())
    data = json.loads((out / "incidents-feed.json").read_text(encoding="utf-8"))
    assert not atom.bozo and not rss.bozo
    ids = {"urn:aggregator:incident:viamedis-2024-01", "urn:aggregator:incident:kalixia-2024-02"}
    assert {e.id for e in atom.entries} == ids == {e.id for e in rss.entries}
    # The most recently changed first: the resolved Viamedis incident before Kalixia's.
    assert [e.id.rsplit(":", 1)[1] for e in atom.entries] == ["viamedis-2024-01", "kalixia-2024-02"]
    assert {i["id"] for i in data["items"]} == ids
    assert data["feed_url"] == BASE + "incidents-feed.json"
    for entry in atom.entries:
        page = BASE + "incidents/" + entry.id.rsplit(":", 1)[1] + ".html"
        assert entry.link == page
        assert "Statut :" in flat(html.unescape(entry.content[0].value))
    # incidents.json stays the list of incidents the contract describes.
    assert list(json.loads((out / "incidents.json").read_bytes())) == ["incidents"]


def test_each_incident_has_its_own_feed(out: Path) -> None:
    for name in ("viamedis-2024-01", "kalixia-2024-02"):
        for suffix in (".xml", ".atom"):
            etree.fromstring((out / f"incidents/{name}{suffix}").read_bytes(), STRICT)
        feed = json.loads((out / f"incidents/{name}.json").read_text(encoding="utf-8"))
        incident = next(i for i in sample_incidents() if i.id == name)
        assert {i["id"] for i in feed["items"]} == set(incident.items)


def _updated(out: Path, incident_id: str) -> str:
    atom = feedparser.parse((out / "incidents.atom").read_bytes())
    return next(e.updated for e in atom.entries if e.id.endswith(incident_id))


def test_incident_entry_moves_only_when_status_actions_or_contacts_change(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    items, incidents = _kalixia_story()
    publish(out, make_input(items=items, incidents=incidents))
    first = files(out)
    before = _updated(out, "kalixia-2024-02")
    publish(out, make_input(items=items, incidents=incidents))
    assert files(out) == first  # nothing new: no byte changes
    # News that repeats what is known: the incident's date does not move.
    repeat = item(9, 40, payers=("kalixia",), incidents=("kalixia-2024-02",))
    grown = replace(incidents[0], items=(*incidents[0].items, repeat.id))
    publish(out, make_input(items=[*items, repeat], incidents=[grown]))
    assert _updated(out, "kalixia-2024-02") == before
    # A new action moves it to the date of the item that said it.
    said = item(10, 50, actions=("demander la carte papier",), incidents=("kalixia-2024-02",))
    changed = replace(grown, items=(*grown.items, said.id), actions=("demander la carte papier",))
    publish(out, make_input(items=[*items, repeat, said], incidents=[changed]))
    after = _updated(out, "kalixia-2024-02")
    assert after != before
    assert datetime.fromisoformat(after) == T0 + timedelta(hours=50)
    # Resolved: it moves again.
    done = replace(changed, status="resolved", resolved=T0 + timedelta(hours=60))
    publish(out, make_input(items=[*items, repeat, said], incidents=[done]))
    assert datetime.fromisoformat(_updated(out, "kalixia-2024-02")) == T0 + timedelta(hours=60)


def _kalixia_story() -> tuple[list, list[Incident]]:  # type: ignore[type-arg]
    items = [item(4, 30, payers=("kalixia",), incidents=("kalixia-2024-02",))]
    return items, [sample_incidents()[1]]


def test_every_item_of_every_feed_links_its_incident_page_and_says_its_status(
    out: Path,
) -> None:
    incidents = {i.id: i for i in sample_incidents()}
    checked = 0
    for path in out.rglob("*.json"):
        feed = json.loads(path.read_text(encoding="utf-8"))
        for entry in feed.get("items", []):
            for incident_id in entry["_advisory"]["incidents"]:
                body = flat(html.unescape(entry["content_html"]))
                assert f'{BASE}incidents/{incident_id}.html"' in body, path
                label = "résolu" if incidents[incident_id].status == "resolved" else "en cours"
                assert f"statut : {label}" in body.lower() or f"Statut : {label}" in body
                checked += 1
    assert checked > 10
    rss = feedparser.parse((out / "payers/viamedis.xml").read_bytes())
    page = BASE + "incidents/viamedis-2024-01.html"
    assert all(page in e.content[0].value for e in rss.entries)


# --- every payer from day one ------------------------------------------------------------


def test_every_payer_has_valid_feeds_and_a_page_before_any_item(tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = replace(make_input(items=[], incidents=[]), payers=("viamedis", "isante", "almerys"))
    publish(out, data)
    for slug in ("viamedis", "isante", "almerys"):
        for suffix in (".xml", ".atom"):
            root = etree.fromstring((out / f"payers/{slug}{suffix}").read_bytes(), STRICT)
            assert root is not None
        assert json.loads((out / f"payers/{slug}.json").read_bytes())["items"] == []
        assert (out / f"payers/{slug}.html").is_file()
    opml = etree.fromstring((out / "feeds.opml").read_bytes(), STRICT)
    urls = set(opml.xpath("//outline/@xmlUrl"))
    assert {BASE + f"payers/{s}.xml" for s in ("viamedis", "isante", "almerys")} <= urls
    assert BASE + "incidents.xml" in urls


def test_opml_lists_every_feed_written(out: Path) -> None:
    opml = etree.fromstring((out / "feeds.opml").read_bytes(), STRICT)
    listed = {u.removeprefix(BASE) for u in opml.xpath("//outline/@xmlUrl")}
    written = {p for p in files(out) if p.endswith(".xml")}
    assert listed == written


def test_feed_titles_begin_with_what_tells_them_apart(out: Path) -> None:
    opml = etree.fromstring((out / "feeds.opml").read_bytes(), STRICT)
    titles = opml.xpath("//outline/@title")
    assert "Viamedis · Veille officine" in titles
    assert len({t[:12] for t in titles}) == len(titles)


def test_subscribe_page_explains_in_french_how_to_follow_a_payer(out: Path) -> None:
    doc = lxml_html.fromstring((out / "subscribe.html").read_bytes())
    assert doc.get("lang") == "fr"
    text = flat(doc.text_content())
    assert doc.xpath("string(//h1)") == "S’abonner"
    for words in (
        "iPhone",
        "Android",
        "OPML",
        "ntfy",
        "Copier le lien",
        BASE + "payers/viamedis.xml",
    ):
        assert words in text, words
    assert doc.xpath("//a[@href='feeds.opml']")
    # Every page leads to it.
    for page in pages(out):
        assert b"subscribe.html" in page.read_bytes(), page


# --- honest health -------------------------------------------------------------------------


def failing(n: int) -> list[SourceStatus]:
    return [
        SourceStatus(
            id=f"s{i}", name=f"Source {i}", url="https://example.org/", category="press",
            enabled=True, last_success=T0 - timedelta(days=2), last_error="HTTP 503",
            last_error_at=T0, consecutive_failures=2,
        )
        for i in range(n)
    ]  # fmt: skip


def healthy(n: int) -> list[SourceStatus]:
    return [replace(s, consecutive_failures=0, last_success=T0) for s in failing(n)]


@pytest.mark.parametrize("incidents", [[], sample_incidents()])
def test_with_every_source_failing_no_page_says_there_is_no_incident(
    tmp_path: Path, incidents: list[Incident]
) -> None:
    out = tmp_path / "out"
    publish(out, replace(make_input(incidents=incidents), sources=failing(4)))
    for page in pages(out):
        text = flat(lxml_html.fromstring(page.read_bytes()).text_content())
        assert "Impossible" in text, page
        assert "0 sur 4 ont répondu" in text, page
        for sentence in re.findall(r"Aucun incident[^.]*\.", text):
            pytest.fail(f"{page.name} says {sentence!r} with no source read")


def test_a_few_failing_sources_raise_a_banner_and_keep_the_incident_list(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    publish(out, replace(make_input(incidents=[]), sources=[*healthy(3), *failing(1)]))
    index = flat(lxml_html.fromstring((out / "index.html").read_bytes()).text_content())
    assert "1 source sur 4 n’a pas répondu" in index
    assert "Aucun incident en cours." in index
    assert "3 sur 4 ont répondu" in index


def test_every_page_says_when_sources_were_checked_and_how_many_answered(out: Path) -> None:
    for page in pages(out):
        text = flat(lxml_html.fromstring(page.read_bytes()).text_content())
        assert "Dernière vérification des sources : le lundi 29 janvier 2024" in text, page
        assert "1 sur 1 ont répondu" in text, page  # the other source is gone


def test_health_counts_only_enabled_sources_still_there() -> None:
    gone = replace(failing(1)[0], id="old", gone=True)
    off = replace(healthy(1)[0], id="off", enabled=False)
    never = replace(healthy(1)[0], id="new", last_success=None, last_error_at=None)
    health = health_of([*healthy(2), *failing(1), gone, off, never])
    assert (health.total, health.answered, health.failed, health.unchecked) == (4, 2, 1, 1)
    assert health.degraded and not health.blind
    assert health_of(failing(3)).blind and health_of([]).blind


def test_sources_page_speaks_french(out: Path) -> None:
    text = flat(lxml_html.fromstring((out / "sources.html").read_bytes()).text_content())
    assert "HTTP 503" in text and "le site est en panne" in text
    assert "Service Unavailable" not in text and "active" not in text


@pytest.mark.parametrize(
    "error",
    ["HTTP 404", "HTTP 503 Service Unavailable after 3 attempts", "timed out after 20 s",
     "disallowed by robots.txt", "host not found", "connection refused",
     "not a feed: it is an HTML page", "selector `div.x` matched nothing on the page",
     "TLS error: certificate verify failed", "response larger than 10 MB", "HTTP 418"],
)  # fmt: skip
def test_fetch_errors_read_in_french(error: str) -> None:
    french = french_reason(error)
    assert french != "erreur inattendue"
    assert not re.search(r"\b(timed|found|refused|matched|disallowed|larger|error)\b", french)


# --- French typography ---------------------------------------------------------------------


@given(st.text(alphabet=" :;?!«»h0123456789abcé", max_size=40))
def test_french_spacing_leaves_no_breakable_space_before_high_punctuation(text: str) -> None:
    spaced = french_spacing(text)
    assert not re.search(r" [:;?!»]", spaced)
    assert "« " not in spaced
    # Only spaces change: every other character stays, in its order.
    assert re.sub(r"[ \u00a0\u202f]", "", spaced) == re.sub(r"[ \u00a0\u202f]", "", text)


def test_french_spacing_is_applied_to_text_never_to_markup(tmp_path: Path) -> None:
    out = tmp_path / "out"
    title = "Alerte : 1 < 2 et 3 > 2 ? « panne » à 16 h 05"
    publish(out, make_input(items=[item(1, 0, title=title)], incidents=[]))
    raw = (out / "index.html").read_text(encoding="utf-8")
    spaced = "Alerte\u00a0: 1 &lt; 2 et 3 &gt; 2\u202f? «\u00a0panne\u00a0» à 16\u00a0h\u00a005"
    assert spaced in raw


# --- superseded actions and labelled contacts -------------------------------------------


def test_a_later_opposite_action_supersedes_the_older_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    keep = item(1, 0, source_name="Syndicat A", actions=("Maintenir le tiers payant",),
                incidents=("v",), payers=("viamedis",),
                content_html="<p>Viamedis : appelez le 0805 62 00 10.</p>",
                contacts=("0805 62 00 10",))  # fmt: skip
    stop = item(2, 5, source_name="Journal B", actions=("Suspendre le tiers payant",),
                incidents=("v",), payers=("viamedis",))  # fmt: skip
    incident = Incident(
        id="v", title="Viamedis en panne", payers=("viamedis",), kinds=("outage",),
        status="ongoing", started=T0, updated=T0 + timedelta(hours=5), resolved=None,
        items=("item-001", "item-002"),
        actions=("Maintenir le tiers payant", "Suspendre le tiers payant"),
        contacts=("0805 62 00 10",),
    )  # fmt: skip
    publish(out, make_input(items=[keep, stop], incidents=[incident]))
    doc = lxml_html.fromstring((out / "incidents/v.html").read_bytes())
    rows = doc.xpath("//section[@id='actions']//li")
    assert "Suspendre" in rows[0].text_content() and not rows[0].xpath(".//del")
    assert rows[1].xpath("string(.//del)") == "Maintenir le tiers payant"
    assert "Syndicat A" in rows[1].text_content() and "Journal B" in rows[0].text_content()
    contact = flat(doc.xpath("string(//section[@id='contacts']//li)"))
    assert contact == "Viamedis : 0805 62 00 10"


# --- monitoring ----------------------------------------------------------------------------

NOW = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)


def test_watch_problem_names_a_source_failing_runs_in_a_row() -> None:
    statuses = [*healthy(2), replace(failing(1)[0], consecutive_failures=3)]
    statuses = [replace(s, last_success=NOW - timedelta(minutes=5)) for s in statuses]
    problem = watch_problem(statuses, NOW, max_failures=3, max_hours=6)
    assert problem is not None and problem.startswith("s0 failed 3 times in a row: HTTP 503")
    assert watch_problem(statuses, NOW, max_failures=4, max_hours=6) is None


def test_watch_problem_when_nothing_succeeded_for_hours() -> None:
    old = [replace(s, last_success=NOW - timedelta(hours=7)) for s in healthy(2)]
    assert "no source succeeded for 7.0 hours" in str(watch_problem(old, NOW, 3, 6))
    assert watch_problem(old, NOW, 3, 8) is None
    never = [replace(s, last_success=None) for s in healthy(2)]
    assert watch_problem(never, NOW, 3, 6) is not None


@pytest.mark.parametrize(
    ("count", "reported"), [(1, True), (2, False), (9, False), (10, True), (11, False), (20, True)]
)
def test_a_quiet_run_reports_the_first_failure_then_every_tenth(count: int, reported: bool) -> None:
    assert worth_reporting(count, 10) is reported


def _config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "sources.yaml"
    config.write_text(
        f"site:\n  base_url: {BASE}\n"
        "fetch:\n  retries: 0\n  per_host_delay: 0\n  respect_robots: false\n"
        f"sources:\n  - id: broken\n    name: Broken\n    type: feed\n    url: {url}\n",
        encoding="utf-8",
    )
    return config


def test_status_check_and_quiet_runs_against_a_failing_server(tmp_path: Path) -> None:
    with LocalServer() as server:
        url = server.route("/feed.xml", *[Reply(503)] * 12)
        config = _config(tmp_path, url)
        args = ["--config", str(config), "--db", str(tmp_path / "a.db")]
        out = ["--output", str(tmp_path / "out")]
        runner = CliRunner()
        said = []
        for _ in range(10):
            result = runner.invoke(cli, ["run", "-q", *args, *out])
            assert result.exit_code == 1  # every source failed
            said.append("broken: HTTP 503" in result.output)
            check = runner.invoke(cli, ["status", "--check", *args])
            assert check.exit_code == 1  # never fetched, then failing 3 runs and more
            if len(said) == 3:
                assert "broken failed 3 times in a row" in check.output
        assert said == [True] + [False] * 8 + [True]
        assert "10 failures in a row" in result.output
        assert check.exit_code == 1
        assert check.output.strip() == (
            "PROBLEM: broken failed 10 times in a row: HTTP 503 Service Unavailable"
        )
        assert check.output.count("\n") == 1
        loose = runner.invoke(cli, ["status", "--check", "--max-failures", "11", *args])
        # Failing is not success either: nothing ever succeeded.
        assert loose.exit_code == 1 and "no source has ever been fetched" in loose.output
        index = flat((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
        assert "Impossible de dire s’il y a un incident" in index


def test_status_check_is_zero_when_sources_answer(tmp_path: Path) -> None:
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<link>https://example.org/</link><description>d</description></channel></rss>"
    )
    with LocalServer() as server:
        url = server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
        args = ["--config", str(_config(tmp_path, url)), "--db", str(tmp_path / "a.db")]
        assert CliRunner().invoke(cli, ["fetch", "-q", *args]).exit_code == 0
        check = CliRunner().invoke(cli, ["status", "--check", *args])
    assert check.exit_code == 0 and check.output.startswith("OK: 1 of 1 sources")
    with Store(str(tmp_path / "a.db")) as store:
        assert store.source_statuses()[0].consecutive_failures == 0


@pytest.fixture
def out(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    publish(output, make_input())
    return output


def test_sample_sources_are_as_the_health_tests_expect() -> None:
    assert [s.gone for s in sources()] == [False, True]


# --- links as published ------------------------------------------------------------------

PUBLISHED = "http://www.example.org/news/viamedis-panne/?utm_source=rss&id=3&xtor=RSS-1"
RELAYED = "https://example.org/news/viamedis-panne?id=3&fbclid=abc"


def _rss(title: str, link: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<link>https://example.org/</link><description>d</description>"
        f"<item><title>{title}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<guid>{link.replace('&', '&amp;')}</guid>"
        "<pubDate>Mon, 29 Jan 2024 15:00:00 +0100</pubDate>"
        "<description>Viamedis en panne : le tiers payant est suspendu.</description>"
        "</item></channel></rss>"
    ).encode()


def test_items_link_where_their_source_published_them_without_tracking(
    tmp_path: Path,
) -> None:
    rss = {"Content-Type": "application/rss+xml"}
    with LocalServer() as server:
        press = server.route(
            "/press.xml", *[Reply(200, _rss("Viamedis en panne", PUBLISHED), rss)] * 3
        )
        relay = server.route(
            "/relay.xml", *[Reply(200, _rss("Viamedis : panne", RELAYED), rss)] * 3
        )
        config = tmp_path / "sources.yaml"
        head = (
            f"site:\n  base_url: {BASE}\n"
            "fetch:\n  retries: 0\n  per_host_delay: 0\n  respect_robots: false\n"
            f"sources:\n  - id: press\n    name: La Presse\n    type: feed\n    url: {press}\n"
        )
        args = ["--config", str(config), "--db", str(tmp_path / "a.db")]
        args += ["--output", str(tmp_path / "out")]
        config.write_text(head, encoding="utf-8")
        assert CliRunner().invoke(cli, ["run", "-q", *args]).exit_code == 0
        config.write_text(
            head + f"  - id: relay\n    name: Le Relais\n    type: feed\n    url: {relay}\n",
            encoding="utf-8",
        )
        assert CliRunner().invoke(cli, ["run", "-q", *args]).exit_code == 0
    items = json.loads((tmp_path / "out" / "feed.json").read_bytes())["items"]
    assert len(items) == 1
    assert items[0]["url"] == "http://www.example.org/news/viamedis-panne/?id=3"
    assert items[0]["_advisory"]["also_at"] == ["https://example.org/news/viamedis-panne?id=3"]


def test_also_published_names_the_sources_of_the_copies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    copy = "https://upo.example.org/communiques/viamedis"
    items = [
        item(1, 0, incidents=("kalixia-2024-02",), also_at=(copy, "https://autre.example.net/x"))
    ]
    incident = replace(sample_incidents()[1], items=("item-001",))
    publish(out, make_input(items=items, incidents=[incident]))
    doc = lxml_html.fromstring((out / "incidents/kalixia-2024-02.html").read_bytes())
    also = doc.xpath("//span[@class='also']//a")
    assert [(a.text, a.get("href")) for a in also] == [
        ("Union des pharmaciens", copy),
        ("autre.example.net", "https://autre.example.net/x"),
    ]


# --- article pages that failed ------------------------------------------------------------

ARTICLE = (
    b"<html><body><div class='entry-content'><p>Viamedis en panne : suspendre le tiers payant "
    b"et appeler le 0805 62 00 10.</p></div></body></html>"
)


def _article_run(tmp_path: Path, server: LocalServer, article: str) -> tuple[list[str], Path]:
    link = server.url(article)
    feed = _rss("Viamedis en panne", link)
    server.route("/feed.xml", Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    config = tmp_path / "sources.yaml"
    config.write_text(
        f"site:\n  base_url: {BASE}\n"
        "fetch:\n  retries: 0\n  per_host_delay: 0\n  respect_robots: false\n"
        f"sources:\n  - id: press\n    name: La Presse\n    type: feed\n"
        f"    url: {server.url('/feed.xml')}\n    article: {{content: div.entry-content}}\n",
        encoding="utf-8",
    )
    args = ["--config", str(config), "--db", str(tmp_path / "a.db")]
    return args, tmp_path / "out"


def test_a_failed_article_page_is_fetched_again_on_the_next_run(tmp_path: Path) -> None:
    with LocalServer() as server:
        server.route("/a.html", Reply(503), Reply(200, ARTICLE, {"Content-Type": "text/html"}))
        args, out = _article_run(tmp_path, server, "/a.html")
        runner = CliRunner()
        assert runner.invoke(cli, ["run", "-q", *args, "--output", str(out)]).exit_code == 0
        status = json.loads(runner.invoke(cli, ["status", "--json", *args]).output)
        assert status["sources"][0]["articles_waiting"] == 1
        assert "1 à réessayer" in (out / "sources.html").read_text(encoding="utf-8")
        table = runner.invoke(cli, ["status", *args]).output
        assert "1 to retry" in table
        assert runner.invoke(cli, ["run", "-q", *args, "--output", str(out)]).exit_code == 0
        assert len(server.hits_of("/a.html")) == 2
    item = json.loads((out / "feed.json").read_bytes())["items"][0]
    assert "0805 62 00 10" in item["_advisory"]["contacts"]
    assert "suspendre le tiers payant" in item["content_html"]
    status = json.loads(CliRunner().invoke(cli, ["status", "--json", *args]).output)
    assert status["sources"][0]["articles_waiting"] == 0
    assert "aucune" in (out / "sources.html").read_text(encoding="utf-8")


def test_a_page_that_keeps_failing_is_retried_three_times_then_given_up(
    tmp_path: Path,
) -> None:
    with LocalServer() as server:
        server.route("/gone.html", Reply(404))
        args, _ = _article_run(tmp_path, server, "/gone.html")
        for _ in range(6):
            result = CliRunner().invoke(cli, ["fetch", "-q", *args])
            assert result.exit_code == 0, result.output
        assert len(server.hits_of("/gone.html")) == 4  # the first try and three more
    status = json.loads(CliRunner().invoke(cli, ["status", "--json", *args]).output)
    assert (
        status["sources"][0]["articles_waiting"],
        status["sources"][0]["articles_given_up"],
    ) == (0, 1)


@pytest.mark.parametrize(
    ("sayings", "superseded"),
    [
        ([("Maintenir le tiers payant", 0), ("Suspendre le tiers payant", 5)],
         {"Maintenir le tiers payant"}),
        ([("Suspendre le tiers payant", 0), ("Maintenir le tiers payant", 5)],
         {"Suspendre le tiers payant"}),
        # Said again after the other: the newest word wins.
        ([("Maintenir le tiers payant", 0), ("Suspendre le tiers payant", 5),
          ("Maintenir le tiers payant", 9)], {"Suspendre le tiers payant"}),
        # Different things: nothing superseded.
        ([("Prévenir sa banque", 0), ("Porter plainte", 5)], set()),
    ],
)  # fmt: skip
def test_actions_newest_first_and_superseded_by_a_later_opposite(
    sayings: list[tuple[str, float]], superseded: set[str]
) -> None:
    from aggregator.publish.incidents import actions_of

    timeline = [
        item(n, hours, source_name=f"Source {n}", actions=(text,))
        for n, (text, hours) in enumerate(sayings)
    ]
    incident = replace(sample_incidents()[1], actions=tuple(dict.fromkeys(t for t, _ in sayings)))
    actions = actions_of(incident, timeline)
    assert {a.text for a in actions if a.superseded} == superseded
    dates = [a.date for a in actions]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    newest = max(range(len(sayings)), key=lambda n: sayings[n][1])
    assert actions[0].source == f"Source {newest}"


def test_a_contact_printed_by_a_payers_own_site_is_the_payers_line() -> None:
    from aggregator.publish.incidents import contacts_of

    own = item(
        1,
        0,
        source_name="Viamedis – actualités",
        payers=("viamedis",),
        contacts=("0805 29 14 60",),
        content_html="<p>Appelez le 0805 29 14 60.</p>",
    )
    press = item(
        2,
        1,
        source_name="La Gazette",
        payers=("viamedis",),
        contacts=("01 02 03 04 05",),
        content_html="<p>Numéro : 01 02 03 04 05.</p>",
    )
    incident = replace(sample_incidents()[0], contacts=("0805 29 14 60", "01 02 03 04 05"))
    names = {"viamedis": "Viamedis"}.get
    found = contacts_of(incident, [own, press], lambda s: names(s) or s)
    assert [(c.text, c.owner) for c in found] == [
        ("0805 29 14 60", "Viamedis"),
        ("01 02 03 04 05", "cité par La Gazette"),
    ]


# --- statuses: planned, and stale when an ongoing incident goes quiet ---------------------


def test_a_planned_incident_is_listed_as_planned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    planned = replace(sample_incidents()[1], status="planned")  # type: ignore[arg-type]
    publish(out, make_input(incidents=[planned]))
    data = json.loads((out / "incidents.json").read_bytes())["incidents"]
    assert data[0]["status"] == "planned"
    doc = lxml_html.fromstring((out / "index.html").read_bytes())
    card = flat(doc.xpath("string(//section[@id='en-cours']//article)"))
    assert "prévu" in card
    entry = json.loads((out / "incidents-feed.json").read_bytes())["items"][0]
    assert "Statut : prévu" in flat(html.unescape(entry["content_html"]))


@pytest.mark.parametrize("stale", [False, True])
def test_the_stale_flag_reaches_the_list_the_pages_and_the_feeds(
    tmp_path: Path, stale: bool
) -> None:
    out = tmp_path / "out"
    incident = replace(sample_incidents()[1], stale=stale)  # ongoing
    publish(out, make_input(incidents=[incident]))
    data = json.loads((out / "incidents.json").read_bytes())["incidents"]
    assert data[0]["stale"] is stale
    page = flat((out / "incidents/kalixia-2024-02.html").read_text(encoding="utf-8"))
    assert ("sans nouvelles depuis plus de 14 jours" in page) is stale
    entry = json.loads((out / "incidents-feed.json").read_bytes())["items"][0]
    assert ("sans nouvelles" in entry["title"]) is stale
