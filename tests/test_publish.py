"""publish(): the files of output/, checked by the tools readers use and by the contract."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from aggregator.errors import PublishError
from aggregator.models import Incident, Item, SiteOptions, SourceStatus
from aggregator.publish import write as write_module
from aggregator.publish.build import PublishInput, PublishReport, publish

BASE = "https://veille.example.net/officine/"
PARIS_WINTER = timezone(timedelta(hours=1))
T0 = datetime(2024, 1, 29, 15, 0, tzinfo=PARIS_WINTER)
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

PAYERS = {"viamedis": "Viamedis", "almerys": "Almerys", "kalixia": "Kalixia"}
KINDS = {"cyberattack": "cyberattaque", "outage": "panne", "payment-disruption": "paiements"}


def item(n: int, hours: float, **fields: object) -> Item:
    values: dict[str, object] = {
        "id": f"item-{n:03d}",
        "source": "gazette",
        "source_name": "La Gazette de l’officine",
        "url": f"https://gazette.example.org/articles/{n}",
        "title": f"Article numéro {n}",
        "content_html": f"<p>Texte de l’article {n} pour les pharmaciens.</p>",
        "summary": f"<p>Résumé {n}</p>",
        "date_published": T0 + timedelta(hours=hours),
    }
    values.update(fields)
    return Item(**values)  # type: ignore[arg-type]


def sample_items() -> list[Item]:
    return [
        item(
            1,
            0,
            title="Viamedis à l’arrêt après une attaque informatique",
            payers=("viamedis",),
            kinds=("cyberattack", "outage"),
            incidents=("viamedis-2024-01",),
            actions=("changer le mot de passe de la messagerie",),
            contacts=("0805 62 00 10",),
            also_at=("https://miroir.example.com/viamedis-attaque",),
        ),
        item(
            2,
            20,
            source="upo",
            source_name="Union des pharmaciens",
            title="Consignes syndicales après l’attaque",
            payers=("viamedis",),
            kinds=("cyberattack",),
            incidents=("viamedis-2024-01",),
            actions=("demander la carte papier",),
        ),
        item(
            3,
            24 * 14,
            title="Les portails Viamedis de nouveau accessibles",
            payers=("viamedis",),
            kinds=("outage",),
            incidents=("viamedis-2024-01",),
        ),
        item(
            4,
            30,
            title="Kalixia : retards de paiement",
            payers=("kalixia",),
            kinds=("payment-disruption",),
            incidents=("kalixia-2024-02",),
            contacts=("support@kalixia.example.fr",),
        ),
        item(5, -48, title="Réforme des honoraires de dispensation"),
        item(6, 5, title="Garde de nuit : ce qui change au printemps", summary=""),
    ]


def sample_incidents() -> list[Incident]:
    return [
        Incident(
            id="viamedis-2024-01",
            title="Viamedis : cyberattaque et panne",
            payers=("viamedis",),
            kinds=("cyberattack", "outage"),
            status="resolved",
            started=T0,
            updated=T0 + timedelta(days=14),
            resolved=T0 + timedelta(days=14),
            items=("item-001", "item-002", "item-003"),
            actions=("changer le mot de passe de la messagerie", "demander la carte papier"),
            contacts=("0805 62 00 10",),
        ),
        Incident(
            id="kalixia-2024-02",
            title="Kalixia : retards de paiement",
            payers=("kalixia",),
            kinds=("payment-disruption",),
            status="ongoing",
            started=T0 + timedelta(hours=30),
            updated=T0 + timedelta(hours=30),
            resolved=None,
            items=("item-004",),
            contacts=("support@kalixia.example.fr",),
        ),
    ]


def sources() -> list[SourceStatus]:
    return [
        SourceStatus(
            id="gazette",
            name="La Gazette de l’officine",
            url="https://gazette.example.org/rss.xml",
            category="press",
            enabled=True,
            last_success=T0,
            items=5,
        ),
        SourceStatus(
            id="upo",
            name="Union des pharmaciens",
            url="https://upo.example.org/communiques/",
            category="union",
            enabled=True,
            last_error="HTTP 503",
            last_error_at=T0,
            consecutive_failures=3,
            items=1,
            gone=True,
        ),
    ]


def make_input(
    items: Sequence[Item] | None = None,
    incidents: Sequence[Incident] | None = None,
    max_items: int = 100,
    base_url: str = BASE,
) -> PublishInput:
    return PublishInput(
        site=SiteOptions(title="Veille officine", base_url=base_url, max_items=max_items),
        items=sample_items() if items is None else items,
        incidents=sample_incidents() if incidents is None else incidents,
        sources=sources(),
        payer_name=lambda slug: PAYERS.get(slug, slug),
        kind_label=lambda kind: KINDS.get(kind, kind),
    )


@pytest.fixture
def out(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    publish(output, make_input())
    return output


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def flat(text: str) -> str:
    """Text with French no-break spaces read as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def feed_paths(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".xml", ".atom"))


# --- the files exist ----------------------------------------------------------------------


def test_every_contract_path_is_written(out: Path) -> None:
    names = set(files(out))
    expected = {
        "index.html", "feed.xml", "feed.atom", "feed.json", "advisories.xml",
        "advisories.atom", "advisories.json", "incidents.json", "sources.html", "feeds.opml",
        "payers/viamedis.xml", "payers/viamedis.json", "payers/viamedis.html",
        "payers/kalixia.html", "kinds/cyberattack.xml", "kinds/cyberattack.json",
        "kinds/payment-disruption.xml", "incidents/viamedis-2024-01.html",
        "incidents/kalixia-2024-02.html", "digests/2024-W05.html", "digests/2024-W07.html",
        "incidents.xml", "incidents.atom", "incidents-feed.json", "subscribe.html",
        "incidents/viamedis-2024-01.xml", "incidents/viamedis-2024-01.atom",
        "incidents/viamedis-2024-01.json",
    }  # fmt: skip
    assert expected <= names, expected - names


# --- feeds --------------------------------------------------------------------------------


def test_every_feed_parses_strictly_and_with_feedparser(out: Path) -> None:
    paths = feed_paths(out)
    assert len(paths) >= 10
    for path in [*paths, out / "feeds.opml"]:
        etree.fromstring(path.read_bytes(), STRICT)
    for path in paths:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path


def test_rss_has_channel_fields_guids_links_and_categories(out: Path) -> None:
    root = etree.fromstring((out / "feed.xml").read_bytes(), STRICT)
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "Veille officine"
    assert channel.findtext("link") == BASE + "index.html"
    assert channel.findtext("description")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("href") == BASE + "feed.xml"
    assert self_link.get("rel") == "self"
    first = channel.find("item")
    assert first is not None
    guid = first.find("guid")
    assert guid is not None and guid.text == "item-003" and guid.get("isPermaLink") == "false"
    assert first.findtext("link") == "https://gazette.example.org/articles/3"
    assert {c.text for c in first.findall("category")} == {"Viamedis", "panne"}
    assert first.findtext("pubDate") == "Mon, 12 Feb 2024 15:00:00 +0100"


def test_atom_has_ids_titles_updated_and_self_link(out: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = etree.fromstring((out / "payers/viamedis.atom").read_bytes(), STRICT)
    assert root.findtext("a:id", namespaces=ns)
    assert root.findtext("a:title", namespaces=ns) == "Viamedis · Veille officine"
    assert root.findtext("a:updated", namespaces=ns) == "2024-02-12T15:00:00+01:00"
    selves = [link.get("href") for link in root.findall("a:link[@rel='self']", ns)]
    assert selves == [BASE + "payers/viamedis.atom"]
    entries = root.findall("a:entry", ns)
    # Atom ids must be IRIs: the item id inside a URN, as stable as the id itself.
    assert [e.findtext("a:id", namespaces=ns) for e in entries] == [
        "urn:aggregator:item:item-003",
        "urn:aggregator:item:item-002",
        "urn:aggregator:item:item-001",
    ]
    for entry in entries:
        assert entry.findtext("a:title", namespaces=ns)
        assert ISO_WITH_OFFSET.match(entry.findtext("a:updated", namespaces=ns) or "")
    terms = {c.get("term") for c in entries[-1].findall("a:category", ns)}
    assert terms == {"viamedis", "cyberattack", "outage"}


def test_json_feed_items_follow_the_contract(out: Path) -> None:
    feed = json.loads((out / "feed.json").read_text(encoding="utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Veille officine"
    assert feed["feed_url"] == BASE + "feed.json"
    assert feed["home_page_url"].startswith(BASE)
    ids = [entry["id"] for entry in feed["items"]]
    assert ids == ["item-003", "item-004", "item-002", "item-006", "item-001", "item-005"]
    first = next(entry for entry in feed["items"] if entry["id"] == "item-001")
    assert first["url"] == "https://gazette.example.org/articles/1"
    assert first["content_html"].startswith("<p>")
    assert first["summary"] == "Résumé 1"
    assert first["date_published"] == "2024-01-29T15:00:00+01:00"
    assert first["tags"] == ["viamedis", "cyberattack", "outage"]
    assert first["_advisory"] == {
        "source": "gazette",
        "payers": ["viamedis"],
        "incident_kinds": ["cyberattack", "outage"],
        "incidents": ["viamedis-2024-01"],
        "also_at": ["https://miroir.example.com/viamedis-attaque"],
        "actions": ["changer le mot de passe de la messagerie"],
        "contacts": ["0805 62 00 10"],
    }
    advisories = json.loads((out / "advisories.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in advisories["items"]} == {
        "item-001",
        "item-002",
        "item-003",
        "item-004",
    }


def test_kind_feeds_hold_only_their_kind(out: Path) -> None:
    feed = json.loads((out / "kinds/payment-disruption.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in feed["items"]] == ["item-004"]


def test_incidents_json_matches_the_contract(out: Path) -> None:
    data = json.loads((out / "incidents.json").read_text(encoding="utf-8"))
    assert list(data) == ["incidents"]
    keys = ["id", "title", "payers", "kinds", "status", "stale", "url", "started", "updated",
            "resolved", "items", "actions", "contacts"]  # fmt: skip
    by_id = {incident["id"]: incident for incident in data["incidents"]}
    assert set(by_id) == {"viamedis-2024-01", "kalixia-2024-02"}
    for incident in data["incidents"]:
        assert list(incident) == keys
        assert incident["status"] in ("planned", "ongoing", "resolved")
        assert isinstance(incident["stale"], bool)
        assert (out / incident["url"]).is_file() and incident["url"].startswith("incidents/")
        for key in ("started", "updated"):
            assert ISO_WITH_OFFSET.match(incident[key]), incident[key]
        assert incident["resolved"] is None or ISO_WITH_OFFSET.match(incident["resolved"])
    viamedis = by_id["viamedis-2024-01"]
    assert viamedis["items"] == ["item-001", "item-002", "item-003"]
    assert viamedis["resolved"] == "2024-02-12T15:00:00+01:00"
    assert viamedis["contacts"] == ["0805 62 00 10"]
    assert by_id["kalixia-2024-02"]["resolved"] is None


def test_opml_lists_every_rss_feed(out: Path) -> None:
    root = etree.fromstring((out / "feeds.opml").read_bytes(), STRICT)
    listed = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    produced = {BASE + p.relative_to(out).as_posix() for p in out.rglob("*.xml")}
    assert listed == produced


def test_max_items_and_order_come_from_item_dates_not_the_clock(tmp_path: Path) -> None:
    far_past = datetime(1999, 3, 1, 8, 0, tzinfo=UTC)
    items = [
        item(1, 0, date_published=far_past),
        item(2, 0, date_published=far_past + timedelta(days=1)),
        item(3, 0, date_published=far_past + timedelta(days=1)),  # tie with 2: ids decide
        item(4, 0, date_published=None, first_seen=far_past + timedelta(days=2)),
        item(5, 0, date_published=far_past - timedelta(days=400)),
    ]
    output = tmp_path / "out"
    publish(output, make_input(items=items, incidents=[], max_items=3))
    feed = json.loads((output / "feed.json").read_text(encoding="utf-8"))
    assert [e["id"] for e in feed["items"]] == ["item-004", "item-002", "item-003"]
    parsed = feedparser.parse((output / "feed.xml").read_bytes())
    assert [e.id for e in parsed.entries] == ["item-004", "item-002", "item-003"]
    assert parsed.feed.updated == "Wed, 03 Mar 1999 09:00:00 +0100"
    atom = feedparser.parse((output / "feed.atom").read_bytes())
    assert atom.feed.updated == "1999-03-03T09:00:00+01:00"
    # Shuffled input gives the same bytes.
    again = tmp_path / "again"
    publish(again, make_input(items=items[::-1], incidents=[], max_items=3))
    assert files(again) == files(output)


# --- writing ------------------------------------------------------------------------------


def test_publishing_twice_changes_no_byte_and_no_mtime(tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = publish(output, make_input())
    assert first.written and first.unchanged == 0
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file()}
    second = publish(output, make_input())
    assert second == PublishReport(
        written=(), unchanged=len(first.written), removed=(), files=first.files
    )
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in output.rglob("*") if p.is_file()}
    assert after == before


def test_a_new_item_rewrites_only_the_files_it_touches(tmp_path: Path) -> None:
    output = tmp_path / "out"
    publish(output, make_input())
    extra = item(7, -72, title="Une brève sans rapport avec le tiers payant")
    report = publish(output, make_input(items=[*sample_items(), extra]))
    assert "feed.xml" in report.written and "feed.json" in report.written
    assert "advisories.xml" not in report.written
    assert "incidents/viamedis-2024-01.html" not in report.written


def test_stale_pages_are_removed_and_unknown_files_kept(tmp_path: Path) -> None:
    output = tmp_path / "out"
    publish(output, make_input())
    (output / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (output / "incidents" / ".htaccess").write_text("Options -Indexes\n", encoding="utf-8")
    kept_items = [i for i in sample_items() if i.id != "item-004"]
    kept_incidents = [i for i in sample_incidents() if i.id != "kalixia-2024-02"]
    report = publish(output, make_input(items=kept_items, incidents=kept_incidents))
    assert not (output / "incidents/kalixia-2024-02.html").exists()
    assert not (output / "payers/kalixia.html").exists()
    assert not (output / "kinds/payment-disruption.xml").exists()
    assert "incidents/kalixia-2024-02.html" in report.removed
    assert (output / "robots.txt").is_file()
    assert (output / "incidents" / ".htaccess").is_file()
    assert (output / "incidents/viamedis-2024-01.html").is_file()


def test_interrupted_publish_leaves_old_or_new_complete_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_input = make_input()
    new_items = [replace(i, title=i.title + " (mis à jour)") for i in sample_items()]
    new_input = make_input(items=new_items)
    reference = tmp_path / "reference"
    publish(reference, new_input)
    new_files = files(reference)

    output = tmp_path / "out"
    publish(output, old_input)
    old_files = files(output)
    real_replace = write_module.os.replace
    calls = {"n": 0}

    def failing_replace(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(write_module.os, "replace", failing_replace)
    with pytest.raises(PublishError, match="No space left"):
        publish(output, new_input)
    monkeypatch.undo()
    now = files(output)
    assert set(now) == set(old_files), "no temporary file is left behind"
    changed = [name for name in now if now[name] != old_files[name]]
    assert len(changed) == 5
    for name, data in now.items():
        assert data in (old_files[name], new_files[name]), name
    publish(output, new_input)
    assert files(output) == new_files


def test_unwritable_output_is_a_publish_error(tmp_path: Path) -> None:
    blocker = tmp_path / "output"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(PublishError, match="output"):
        publish(blocker, make_input())


def test_a_base_url_that_is_not_http_is_a_publish_error(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="base_url"):
        publish(tmp_path / "out", make_input(base_url="javascript:alert(1)//"))


def test_empty_input_still_gives_valid_feeds_and_pages(tmp_path: Path) -> None:
    output = tmp_path / "out"
    publish(output, make_input(items=[], incidents=[]))
    for path in feed_paths(output):
        etree.fromstring(path.read_bytes(), STRICT)
        assert not feedparser.parse(path.read_bytes()).bozo
    index = (output / "index.html").read_text(encoding="utf-8")
    assert "Aucun incident en cours." in index
    assert json.loads((output / "incidents.json").read_text(encoding="utf-8")) == {"incidents": []}


# --- hostile input ------------------------------------------------------------------------

HOSTILE = [
    item(
        66,
        2,
        url="javascript:alert(document.cookie)",
        title="Alerte <script>alert(1)</script> Viamedis\x00\x1b\ufffe",
        summary='<img src=x onerror="alert(2)"><svg onload="alert(3)"></svg>Résumé',
        content_html=(
            '<p onclick="x()">Corps<script>alert(4)</script></p>'
            '<a href="javascript:alert(5)">a</a><a href="jav&#x09;ascript:alert(6)">b</a>'
            '<a href="%6Aavascript:alert(7)">c</a><a href=" JaVaScRiPt:alert(8)">d</a>'
            "<p>fin \ud800 \x00 du texte</p>"
        ),
        payers=("viamedis",),
        kinds=("cyberattack",),
        incidents=("viamedis-2024-01",),
        also_at=("javascript:alert(9)", "jav&#x09;ascript:alert(10)", "https://ok.example/x"),
        actions=("<script>alert(11)</script>changer les mots de passe\x00",),
        contacts=('0805 62 00 10<img src=x onerror="alert(12)">', "\x1bjavascript:alert(13)"),
        source_name="<svg onload=alert(14)>Source piégée",
    ),
    item(67, 3, url="%6Aavascript:alert(15)", title="\ud83dTitre à surrogat seul"),
]


def test_hostile_content_reaches_no_output_file(tmp_path: Path) -> None:
    output = tmp_path / "out"
    incidents = [
        replace(
            sample_incidents()[0],
            title="Incident <script>alert(16)</script>",
            items=("item-001", "item-066"),
            actions=('<a href="javascript:alert(17)">clic</a>',),
        )
    ]
    publish(output, make_input(items=[*sample_items(), *HOSTILE], incidents=incidents))
    forbidden = re.compile(rb"<script|onerror|onload|javascript:|\x00|\x1b", re.IGNORECASE)
    written = files(output)
    assert len(written) > 20
    for name, data in written.items():
        match = forbidden.search(data)
        assert match is None, (name, data[max(0, match.start() - 80) : match.end() + 80])
        data.decode("utf-8")  # every file is valid UTF-8: no lone surrogate escaped through
        assert "\ufffe".encode() not in data, name
    feed = json.loads(written["feed.json"])
    hostile = next(e for e in feed["items"] if e["id"] == "item-066")
    assert "url" not in hostile, "an unsafe item URL gives no link at all"
    assert hostile["_advisory"]["also_at"] == ["https://ok.example/x"]
    assert hostile["title"] == "Alerte Viamedis"
    for path in feed_paths(output):
        etree.fromstring(path.read_bytes(), STRICT)
        assert not feedparser.parse(path.read_bytes()).bozo, path


# --- the pages ----------------------------------------------------------------------------


def html_pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def parse_page(path: Path) -> lxml_html.HtmlElement:
    return lxml_html.fromstring(path.read_bytes())


def test_every_page_is_french_for_phones_with_one_h1_and_feed_links(out: Path) -> None:
    pages = html_pages(out)
    assert len(pages) >= 8
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert text.startswith('<!DOCTYPE html>\n<html lang="fr">'), path
        doc = parse_page(path)
        assert doc.xpath("//meta[@name='viewport']"), path
        assert len(doc.xpath("//h1")) == 1, path
        assert not doc.xpath("//script"), path
        types = {link.get("type") for link in doc.xpath("//head/link[@rel='alternate']")}
        assert types == {"application/rss+xml", "application/atom+xml", "application/feed+json"}
        for img in doc.xpath("//img"):
            assert img.get("alt") is not None, path


def _internal_links(doc: lxml_html.HtmlElement) -> list[str]:
    return [
        value
        for value in doc.xpath("//@href | //@src")
        if not value.startswith(("https://", "http://", "mailto:", "tel:"))
    ]


def test_internal_links_are_relative_and_lead_to_existing_files(out: Path) -> None:
    checked = 0
    for path in html_pages(out):
        doc = parse_page(path)
        for value in doc.xpath("//@href | //@src"):
            assert not value.startswith("/"), (path, value)
            assert not value.startswith(BASE), (path, value)
        for href in _internal_links(doc):
            target = (path.parent / href.split("#")[0]).resolve()
            assert target.is_file(), (path, href)
            assert out.resolve() in target.parents
            checked += 1
    assert checked > 50


def test_index_puts_open_incidents_first_with_actions_and_dialable_contacts(out: Path) -> None:
    text = (out / "index.html").read_text(encoding="utf-8")
    doc = lxml_html.fromstring(text)
    sections = [s.get("id") for s in doc.xpath("//main/section")]
    assert sections[:4] == ["en-cours", "resolus", "avis", "actualites"]
    ongoing = doc.xpath("//section[@id='en-cours']//article")
    assert len(ongoing) == 1
    card = flat(ongoing[0].text_content())
    assert "Kalixia : retards de paiement" in card and "en cours" in card
    assert "mailto:support@kalixia.example.fr" in text
    resolved = doc.xpath("//section[@id='resolus']//article")[0].text_content()
    assert "Viamedis" in resolved and "résolu" in resolved
    news = doc.xpath("//section[@id='actualites']//li")
    assert "Garde de nuit" in news[0].text_content()
    assert "lundi 29 janvier 2024 à 15 h 00" in flat(text)


def test_incident_page_has_status_dates_actions_contacts_and_timeline(out: Path) -> None:
    doc = parse_page(out / "incidents/viamedis-2024-01.html")
    assert flat(doc.xpath("string(//h1)")) == "Viamedis : cyberattaque et panne"
    facts = flat(doc.xpath("string(//dl)"))
    assert "résolu" in facts and "lundi 12 février 2024 à 15 h 00" in facts
    assert doc.xpath("//a[@href='tel:+33805620010']")
    actions = [li.xpath("string(.//strong)") for li in doc.xpath("//section[@id='actions']//li")]
    # Newest first, each with who said it and when.
    assert actions == ["demander la carte papier", "changer le mot de passe de la messagerie"]
    said = flat(doc.xpath("string(//section[@id='actions']//li[1]//small)"))
    assert "Union des pharmaciens" in said and "mardi 30 janvier 2024 à 11 h 00" in said
    # The newest news first: the timeline reads from the top on a phone.
    timeline = doc.xpath("//ol[@class='timeline']/li")
    assert [li.xpath("string(.//strong)") for li in timeline] == [
        "Les portails Viamedis de nouveau accessibles",
        "Consignes syndicales après l’attaque",
        "Viamedis à l’arrêt après une attaque informatique",
    ]
    assert "Les portails Viamedis" in doc.xpath("string(//p[@class='news'])")
    assert "Union des pharmaciens" in timeline[1].text_content()
    assert timeline[2].xpath(".//a[@href='https://miroir.example.com/viamedis-attaque']")
    assert timeline[2].xpath(".//a[@href='https://gazette.example.org/articles/1']")


def test_payer_page_lists_its_incidents_and_items(out: Path) -> None:
    doc = parse_page(out / "payers/viamedis.html")
    assert doc.xpath("string(//h1)") == "Viamedis"
    assert doc.xpath("//a[@href='../incidents/viamedis-2024-01.html']")
    assert len(doc.xpath("//section[@id='articles']//li")) == 3
    assert doc.xpath("//head/link[@href='../payers/viamedis.xml']")


def test_weekly_digests_use_iso_weeks_and_link_to_neighbours(tmp_path: Path) -> None:
    items = [
        # Sunday 31 December 2023 at 23:30 in Paris is still ISO week 52 of 2023...
        item(1, 0, date_published=datetime(2023, 12, 31, 22, 30, tzinfo=UTC)),
        # ...and Monday 30 December 2024 belongs to week 1 of 2025.
        item(2, 0, date_published=datetime(2024, 12, 30, 9, 0, tzinfo=UTC)),
        item(3, 0, date_published=datetime(2024, 6, 12, 9, 0, tzinfo=UTC)),
    ]
    output = tmp_path / "out"
    publish(output, make_input(items=items, incidents=[]))
    names = sorted(p.name for p in (output / "digests").iterdir())
    assert names == ["2023-W52.html", "2024-W24.html", "2025-W01.html"]
    middle = parse_page(output / "digests/2024-W24.html")
    assert middle.xpath("//a[@rel='prev']/@href") == ["2023-W52.html"]
    assert middle.xpath("//a[@rel='next']/@href") == ["2025-W01.html"]
    assert "Du lundi 10 juin au dimanche 16 juin 2024" in middle.text_content()
    first = parse_page(output / "digests/2023-W52.html")
    assert not first.xpath("//a[@rel='prev']")


def test_sources_page_is_a_table_of_source_health(out: Path) -> None:
    doc = parse_page(out / "sources.html")
    headers = [th.text_content() for th in doc.xpath("//table/thead/tr/th")]
    assert headers[:5] == ["Source", "Catégorie", "Dernier succès", "Dernière erreur",
                           "Échecs consécutifs"]  # fmt: skip
    rows = doc.xpath("//table/tbody/tr")
    assert len(rows) == 2
    failing = rows[1].text_content()
    assert "HTTP 503" in failing and "syndicat" in failing and "disparue" in failing
    assert [td.text_content() for td in rows[1].xpath("td")][3] == "3"


def test_a_healthy_source_succeeding_again_the_same_day_changes_no_byte(tmp_path: Path) -> None:
    # Every run is a new success for a healthy source; the page shows its day, so a run
    # with nothing new rewrites nothing. A failing source's health does change.
    output = tmp_path / "out"
    publish(output, make_input())
    before = files(output)
    later = [
        replace(s, last_success=T0 + timedelta(hours=3)) if not s.consecutive_failures else s
        for s in sources()
    ]
    report = publish(output, replace(make_input(), sources=later))
    assert report.written == () and files(output) == before
    row = parse_page(output / "sources.html").xpath("//table/tbody/tr")[0]
    assert row.xpath("td[2]/time/@datetime") == ["2024-01-29"]
    worse = [replace(s, consecutive_failures=4) if s.consecutive_failures else s for s in later]
    publish(output, replace(make_input(), sources=worse))
    assert files(output)["sources.html"] != before["sources.html"]


def test_pages_render_big_inputs_in_linear_time(tmp_path: Path) -> None:
    import time

    def many(count: int) -> list[Item]:
        return [item(n, n * 0.7, payers=("viamedis",) if n % 10 == 0 else ()) for n in range(count)]

    def timed(count: int) -> float:
        started = time.perf_counter()
        publish(tmp_path / f"out{count}", make_input(items=many(count), incidents=[], max_items=50))
        return time.perf_counter() - started

    small, large = timed(500), timed(4000)
    assert large < small * 8 * 3, (small, large)  # 8 times the items, well under 24 times the time


def test_incident_items_are_listed_oldest_first_whatever_the_input_order(tmp_path: Path) -> None:
    shuffled = [replace(sample_incidents()[0], items=("item-003", "item-001", "item-002"))]
    output = tmp_path / "out"
    publish(output, make_input(incidents=shuffled))
    data = json.loads((output / "incidents.json").read_text(encoding="utf-8"))
    assert data["incidents"][0]["items"] == ["item-001", "item-002", "item-003"]
    doc = parse_page(output / "incidents/viamedis-2024-01.html")
    titles = [li.xpath("string(.//strong)") for li in doc.xpath("//ol[@class='timeline']/li")]
    assert titles[-1] == "Viamedis à l’arrêt après une attaque informatique"


def test_pages_rendered_in_a_worker_process_are_the_bytes_rendered_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools
    import os

    from aggregator.publish import build

    # Items over six weeks: six digests, the incident pages and the feeds, rendered by
    # forked workers when there are some, a share of them each.
    items = [item(n, hours=n * 40.0, payers=("viamedis",) if n % 3 else ()) for n in range(25)]
    renderers = tmp_path / "renderers"
    original = build._render_pages

    @functools.wraps(original)
    def noting(indexes: list[int]) -> list[tuple[int, str, bytes]]:
        with renderers.open("a") as log:
            log.write(f"{os.getpid()} {','.join(map(str, sorted(indexes)))}\n")
        return original(indexes)

    monkeypatch.setattr(build, "_render_pages", noting)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    inline = publish(tmp_path / "inline", make_input(items=items))
    assert not renderers.exists()  # no worker: rendered in this process
    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")
    forked = publish(tmp_path / "forked", make_input(items=items))
    calls = [line.split() for line in renderers.read_text().splitlines()]
    assert len(calls) == 2 and str(os.getpid()) not in {pid for pid, _ in calls}
    digests = len([p for p in forked.files if p.startswith("digests/")])
    incidents = len([p for p in forked.files if re.fullmatch(r"incidents/.*\.html", p)])
    feeds = len([p for p in forked.files if p.endswith(".xml")])  # with .atom and .json
    assert digests >= 6 and incidents >= 2 and feeds >= 3
    pages = sorted(int(n) for _, share in calls for n in share.split(","))
    assert pages == list(range(digests + incidents + feeds))  # each page once, in one worker
    assert forked == inline
    assert files(tmp_path / "forked") == files(tmp_path / "inline")


def test_a_page_worker_lost_costs_time_never_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from aggregator.publish import build

    items = [item(n, hours=n * 40.0, payers=("viamedis",) if n % 3 else ()) for n in range(25)]
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    inline = publish(tmp_path / "inline", make_input(items=items))

    def lost(indexes: list[int]) -> list[tuple[int, str, bytes]]:
        os._exit(1)  # a worker killed in the middle of its share

    monkeypatch.setattr(build, "_render_pages", lost)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "2")
    forked = publish(tmp_path / "forked", make_input(items=items))
    assert forked == inline
    assert files(tmp_path / "forked") == files(tmp_path / "inline")


@pytest.mark.parametrize(
    ("sizes", "count", "expected"),
    [
        ([2622, 4034, 4252, 3857], 2, [[2, 0], [1, 3]]),  # 6874 and 7891 items
        ([5, 1, 1, 1, 1, 1], 2, [[0], [1, 2, 3, 4, 5]]),
        ([3, 3], 4, [[0], [1]]),  # no more shares than weeks
        ([7], 2, [[0]]),
        ([], 2, []),
        ([1, 2, 3], 1, [[2, 1, 0]]),
    ],
)
def test_weeks_are_shared_out_by_size_with_no_share_empty(
    sizes: list[int], count: int, expected: list[list[int]]
) -> None:
    from aggregator.publish.build import page_shares

    assert page_shares(sizes, count) == expected


def test_templates_compiled_ahead_serve_every_publish_and_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run compiles the templates on a thread while it collects; publishing then compiles
    none (in this process or its digest workers), and two sites published one after the
    other each show their own title."""
    import jinja2

    from aggregator.publish import site

    site.compile_templates()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    first = make_input()
    publish(tmp_path / "a", first)
    other = PublishInput(
        **{**first.__dict__, "site": SiteOptions(title="Autre veille", base_url=BASE)}
    )
    publish(tmp_path / "b", other)
    assert b"Veille officine" in (tmp_path / "a" / "index.html").read_bytes()
    assert b"Autre veille" in (tmp_path / "b" / "index.html").read_bytes()
    assert b"Veille officine" not in (tmp_path / "b" / "index.html").read_bytes()
