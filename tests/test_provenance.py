"""Content provenance of merged items, through real runs against local servers.

A payer publishes an advisory on its own site; a relay (a press site) republishes the same
link. Whichever arrives first, the one item they make takes its content (title, body,
contacts, date) from the payer, the original publisher; the relay's later edits change only
the relay's entry, the payer's edits change the item.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply

from aggregator.cli import cli
from aggregator.understand.dedupe import published_on

pytestmark = pytest.mark.slow

ADVISORY = "/actualites/panne-portail"
PAYER_NUMBER = "0805 62 00 10"
RELAY_NUMBER = "0899 11 22 33"


@dataclass(frozen=True)
class Story:
    title: str
    body: str
    date: str = "Tue, 02 Jan 2024 09:00:00 +0100"


PAYER = Story(
    "Viamedis : panne du portail de tiers payant",
    f"Le portail Viamedis est en panne. Appelez le {PAYER_NUMBER} pour vos dossiers.",
)
PAYER_EDITED = Story(
    "Viamedis : le portail de tiers payant est rétabli",
    f"Le portail Viamedis est rétabli depuis midi. Numéro toujours ouvert : {PAYER_NUMBER}.",
)
RELAY = Story(
    "Relais : Viamedis en panne",
    f"Repris d'un communiqué : Viamedis est en panne, appelez le {RELAY_NUMBER}.",
    "Tue, 02 Jan 2024 08:00:00 +0100",  # earlier: understood first when both come at once
)
RELAY_EDITED = Story(
    "Relais : Viamedis demande d'appeler un autre numéro",
    f"Mise à jour du relais : Viamedis en panne, appelez désormais le {RELAY_NUMBER} ou rien.",
    RELAY.date,
)


def rss(title: str, link: str | None, story: Story | None) -> bytes:
    item = (
        f"<item><title>{story.title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{story.date}</pubDate><description>{story.body}</description></item>"
        if story and link
        else ""
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{item}</channel></rss>"
    ).encode()


class Sites:
    """The payer's site and the relay's site, each on its own port, and runs over them."""

    def __init__(self, payer: LocalServer, relay: LocalServer, folder: Path) -> None:
        self.payer, self.relay, self.folder = payer, relay, folder
        self.link = payer.url(ADVISORY)
        config = {
            "site": {"title": "Test", "base_url": "https://example.org/veille/"},
            "fetch": {"per_host_delay": 0, "timeout": 5, "retries": 0, "respect_robots": False},
            "sources": [
                {"id": "viamedis", "name": "Viamedis", "type": "feed", "category": "payer",
                 "url": payer.url("/feed.xml")},
                {"id": "relais", "name": "Le Relais", "type": "feed", "category": "press",
                 "url": relay.url("/feed.xml")},
                {"id": "viamedis-pro", "name": "Viamedis Pro", "type": "feed",
                 "category": "payer", "url": payer.url("/pro.xml")},
            ],
        }  # fmt: skip
        (folder / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")

    def serve(self, payer: Story | None, relay: Story | None, pro: Story | None = None) -> None:
        """What each feed carries: the payer's main feed, the relay's, the payer's second
        feed (``pro``, on its own site too)."""
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        self.payer.route("/feed.xml", Reply(200, rss("Viamedis", self.link, payer), headers))
        self.payer.route("/pro.xml", Reply(200, rss("Viamedis Pro", self.link, pro), headers))
        self.relay.route("/feed.xml", Reply(200, rss("Le Relais", self.link, relay), headers))

    def run(self) -> dict[str, Any]:
        """One ``aggregator run``; the published item of the advisory's link."""
        options = ["--config", "sources.yaml", "--db", "a.db", "--output", "out"]
        result = CliRunner().invoke(cli, ["run", *options], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        items = json.loads((self.folder / "out" / "feed.json").read_text("utf-8"))["items"]
        mine = [item for item in items if item["url"].endswith(ADVISORY)]
        assert len(mine) == 1, items  # the copy is folded into the item, never a second one
        return dict(mine[0])


@pytest.fixture
def sites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sites]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    with LocalServer() as payer, LocalServer() as relay:
        yield Sites(payer, relay, tmp_path)


def assert_from(item: dict[str, Any], story: Story) -> None:
    """The item shows ``story``'s content, credited to the payer."""
    assert item["title"] == story.title
    assert story.body.split(" : ")[0] in item["content_html"]
    assert item["_advisory"]["source"] == "viamedis"
    assert item["_advisory"]["contacts"] == [PAYER_NUMBER]
    assert item["authors"] == [{"name": "Viamedis"}]
    assert item["date_published"].startswith("2024-01-02T09:00:00")


@pytest.mark.parametrize("order", ["original first", "copy first", "same run"])
def test_the_original_publisher_gives_the_content_whatever_the_order(
    sites: Sites, order: str
) -> None:
    if order == "original first":
        sites.serve(PAYER, None)
        first = sites.run()
        assert_from(first, PAYER)
        sites.serve(PAYER, RELAY)
    elif order == "copy first":
        sites.serve(None, RELAY)
        first = sites.run()
        assert first["title"] == RELAY.title  # only the relay's copy is known yet
        sites.serve(PAYER, RELAY)
    else:
        sites.serve(PAYER, RELAY)
        first = sites.run()
    second = sites.run()
    assert_from(second, PAYER)
    assert second["id"] == first["id"]  # one item, the same id forever

    # The relay edits its copy: the item does not move.
    sites.serve(PAYER, RELAY_EDITED)
    third = sites.run()
    assert_from(third, PAYER)
    assert RELAY_NUMBER not in json.dumps(third)

    # The payer edits its own: the item follows.
    sites.serve(PAYER_EDITED, RELAY_EDITED)
    fourth = sites.run()
    assert_from(fourth, PAYER_EDITED)
    assert fourth["id"] == first["id"]


def test_without_the_original_the_founding_copy_gives_the_content_and_its_edits(
    sites: Sites,
) -> None:
    sites.serve(None, RELAY)
    first = sites.run()
    assert first["title"] == RELAY.title and first["_advisory"]["source"] == "relais"
    sites.serve(None, RELAY_EDITED)
    edited = sites.run()
    assert edited["title"] == RELAY_EDITED.title and edited["id"] == first["id"]


def test_every_feed_of_the_original_site_speaks_for_its_page(sites: Sites) -> None:
    sites.serve(PAYER, RELAY, PAYER)
    first = sites.run()
    assert first["title"] == PAYER.title
    assert first["_advisory"]["source"] in ("viamedis", "viamedis-pro")
    # The payer's second feed carries the edit: it is the publisher's, so it counts.
    sites.serve(PAYER, RELAY_EDITED, PAYER_EDITED)
    edited = sites.run()
    assert edited["title"] == PAYER_EDITED.title and edited["id"] == first["id"]
    assert RELAY_NUMBER not in json.dumps(edited)


@pytest.mark.parametrize(
    ("url", "site", "expected"),
    [
        ("https://viamedis.fr/actu/1", "https://www.viamedis.fr/feed/", True),
        ("https://www.viamedis.fr/actu/1", "https://viamedis.fr/", True),
        ("https://actualites.ameli.fr/x", "https://www.ameli.fr/rss", True),
        ("https://ameli.fr/x", "https://actualites.ameli.fr/rss", False),
        ("https://viamedis.fr.relais.example/x", "https://viamedis.fr/", False),
        ("https://notviamedis.fr/x", "https://viamedis.fr/", False),
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/feed.xml", False),
        ("http://127.0.0.1:8001/a", "http://127.0.0.1:8001/feed.xml", True),
        ("not a url", "https://viamedis.fr/", False),
        ("https://[::1/x", "https://viamedis.fr/", False),
    ],
)
def test_a_page_lives_on_the_site_of_its_own_host(url: str, site: str, expected: bool) -> None:
    assert published_on(url, site) is expected


def status_feed(link: str, updates: list[tuple[str, str, str]]) -> bytes:
    """A status page's feed: each update its own entry, linked to a part of one page."""
    items = "".join(
        f"<item><title>{title}</title><link>{link}#{part}</link><guid>{part}</guid>"
        f"<pubDate>{date}</pubDate><description>{title}.</description></item>"
        for part, title, date in updates
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>État des services</title><link>https://example.org/</link>{items}"
        "</channel></rss>"
    ).encode()


def test_the_updates_of_a_status_page_are_items_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A status page links every update to the same page, told apart by a numbered
    fragment ("#maj-2"): each is an item, the later update is not folded into the first
    as a copy of it (nor is it, arriving on a later run)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")
    first = ("maj-1", "Investigation en cours : portail de facturation inaccessible",
             "Mon, 20 Dec 2021 09:30:00 +0100")  # fmt: skip
    second = ("maj-2", "Problème identifié : rançongiciel sur nos systèmes internes",
              "Tue, 21 Dec 2021 10:50:00 +0100")  # fmt: skip
    with LocalServer() as site:
        page = site.url("/incidents/42")
        config = {
            "site": {"title": "Test", "base_url": "https://example.org/veille/"},
            "fetch": {"per_host_delay": 0, "timeout": 5, "retries": 0, "respect_robots": False},
            "sources": [{"id": "statut", "name": "Statut", "type": "feed",
                         "category": "other", "url": site.url("/feed.xml")}],
        }  # fmt: skip
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        options = ["--config", "sources.yaml", "--db", "a.db", "--output", "out"]
        titles = []
        for updates in ([first], [first, second]):
            site.route("/feed.xml", Reply(200, status_feed(page, updates), headers))
            result = CliRunner().invoke(cli, ["run", *options], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            feed = json.loads((tmp_path / "out" / "feed.json").read_text("utf-8"))
            titles.append(sorted(item["title"] for item in feed["items"]))
    assert titles == [[first[1]], sorted([first[1], second[1]])]
