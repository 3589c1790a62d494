"""The demo's static server and its sample sites: what a polite crawler and a feed reader see."""

from __future__ import annotations

import http.client
import os
import re
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from protego import Protego

from aggregator.config import load_config_text
from aggregator.demo import DemoServer, content_type, demo_config_text
from aggregator.models import Source

PAYERS = re.compile(r"Viam[eé]dis|Alm[eé]rys|Kalixia|Itelis|S[eé]v[eé]ane|SP Sant[eé]|Actil", re.I)


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def client(demo: DemoServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=demo.base_url, timeout=5) as http:
        yield http


@pytest.fixture(scope="module")
def sources(demo: DemoServer) -> tuple[Source, ...]:
    return load_config_text(demo_config_text(demo.base_url), "demo.yaml").sources


@pytest.fixture
def tmp_site(tmp_path: Path) -> Iterator[DemoServer]:
    root = tmp_path / "root"
    (root / "empty-dir").mkdir(parents=True)
    (root / "page.html").write_text("<p>é</p>", encoding="utf-8")
    (root / "latin1.html").write_bytes("<p>é</p>".encode("latin-1"))
    (root / ".secret").write_text("hidden", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("outside", encoding="utf-8")
    (root / "escape.txt").symlink_to(tmp_path / "outside.txt")
    with DemoServer(root) as server:
        yield server


def raw_get(base_url: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Send a path byte for byte: httpx would normalise dot segments away."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the server ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("officine-actu/feed/", "application/rss+xml"),
        ("gazette/rss.xml", "application/rss+xml"),
        ("alerte-cyber/flux/actualites.xml", "application/atom+xml"),
        ("observatoire/index.rdf", "application/rdf+xml"),
        ("upo/communiques/", "text/html; charset=utf-8"),
        ("veille-sante/alertes/CSS-2025-118.html", "text/html; charset=utf-8"),
        ("robots.txt", "text/plain; charset=utf-8"),
    ],
)
def test_files_are_served_with_their_content_type(
    client: httpx.Client, path: str, expected: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected
    assert int(response.headers["content-length"]) == len(response.content) > 0


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("a.xml", b'<?xml version="1.0"?>\n<!-- c --><feed xmlns="x"/>', "application/atom+xml"),
        ("a.xml", b"<?xml version='1.0'?><rdf:RDF/>", "application/rdf+xml"),
        ("a.xml", b"<urlset/>", "application/xml"),
        ("feed.json", b'{"version": "https://jsonfeed.org/version/1.1"}',
         "application/feed+json; charset=utf-8"),
        ("a.json", b"{}", "application/json; charset=utf-8"),
        ("a.html", "é".encode("latin-1"), "text/html"),
        ("a.opml", b"<opml/>", "text/x-opml"),
        ("a.bin", b"\x00", "application/octet-stream"),
    ],
)  # fmt: skip
def test_content_type_sniffs_xml_roots_and_claims_utf8_only_when_true(
    name: str, body: bytes, expected: str
) -> None:
    assert content_type(name, body) == expected


def test_strong_etag_answers_304_to_if_none_match(client: httpx.Client) -> None:
    first = client.get("gazette/rss.xml")
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag), "a strong ETag (no W/)"
    assert client.get("gazette/rss.xml").headers["etag"] == etag
    again = client.get("gazette/rss.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    listed = client.get("gazette/rss.xml", headers={"If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304
    stale = client.get("gazette/rss.xml", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_last_modified_answers_304_to_if_modified_since(client: httpx.Client) -> None:
    first = client.get("upo/communiques/")
    stamp = first.headers["last-modified"]
    assert stamp.endswith(" GMT")
    same = client.get("upo/communiques/", headers={"If-Modified-Since": stamp})
    assert same.status_code == 304
    older = client.get(
        "upo/communiques/", headers={"If-Modified-Since": formatdate(0, usegmt=True)}
    )
    assert older.status_code == 200 and older.content == first.content
    garbage = client.get("upo/communiques/", headers={"If-Modified-Since": "hier"})
    assert garbage.status_code == 200
    # If-None-Match wins: a changed ETag means a new body, whatever the date says.
    both = client.get(
        "upo/communiques/", headers={"If-Modified-Since": stamp, "If-None-Match": '"old"'}
    )
    assert both.status_code == 200


def test_an_edited_file_gets_a_new_etag(tmp_site: DemoServer) -> None:
    assert tmp_site.root is not None
    url = tmp_site.base_url + "page.html"
    etag = httpx.get(url).headers["etag"]
    (tmp_site.root / "page.html").write_text("<p>changed</p>", encoding="utf-8")
    fresh = httpx.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.text == "<p>changed</p>"
    assert fresh.headers["etag"] != etag


def test_head_sends_headers_without_body(client: httpx.Client) -> None:
    got = client.get("observatoire/index.rdf")
    head = client.head("observatoire/index.rdf")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-length"] == str(len(got.content))


UP = 16  # more parent steps than any root has: a naive server would reach /etc/passwd


@pytest.mark.parametrize(
    "path",
    [
        "/" + "../" * UP + "etc/passwd",
        "/upo/" + "../" * UP + "etc/passwd",
        "/" + "%2e%2e/" * UP + "etc/passwd",
        "/" + "..%2f" * UP + "etc%2fpasswd",
        "/" + "%2E%2E%5C" * UP + "etc%5Cpasswd",
        "/" + "..%00/" * UP + "etc/passwd",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
    ],
)
def test_paths_outside_the_root_are_refused(demo: DemoServer, path: str) -> None:
    status, body = raw_get(demo.base_url, path)
    assert status == 404
    assert b"root:" not in body


def test_symlinks_out_of_root_hidden_files_and_directories_are_not_served(
    tmp_site: DemoServer,
) -> None:
    base = tmp_site.base_url
    assert httpx.get(base + "escape.txt").status_code == 404
    assert httpx.get(base + ".secret").status_code == 404
    assert httpx.get(base + "%2esecret").status_code == 404
    listing = httpx.get(base + "empty-dir/")
    assert listing.status_code == 404, "no directory listing"
    assert httpx.get(base + "missing.html").status_code == 404
    assert httpx.get(base + "page.html").status_code == 200


def test_a_directory_without_its_slash_redirects_keeping_the_query(client: httpx.Client) -> None:
    response = client.get("upo/communiques?x=1")
    assert response.status_code == 301
    assert response.headers["location"] == "/upo/communiques/?x=1"


def test_redirects_never_point_to_another_host(demo: DemoServer) -> None:
    parts = urlsplit(demo.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    conn.request("GET", "//upo/communiques")
    response = conn.getresponse()
    conn.close()
    assert response.status == 301
    assert response.getheader("Location") == "/upo/communiques/"


def test_query_strings_do_not_change_the_file(client: httpx.Client) -> None:
    plain = client.get("officine-actu/feed/")
    tracked = client.get("officine-actu/feed/?utm_source=rss&utm_medium=feed")
    assert tracked.status_code == 200 and tracked.content == plain.content


def test_robots_txt_allows_every_agent(client: httpx.Client, demo: DemoServer) -> None:
    robots = Protego.parse(client.get("robots.txt").text)
    agent = "aggregator-demo/0.1 (+https://example.org/veille/)"
    assert robots.can_fetch(demo.base_url + "upo/communiques/", agent)
    assert robots.can_fetch(demo.base_url + "officine-actu/feed/", "*")


def test_utf8_is_claimed_only_for_utf8_files(tmp_site: DemoServer) -> None:
    assert httpx.get(tmp_site.base_url + "page.html").headers["content-type"].endswith("utf-8")
    assert httpx.get(tmp_site.base_url + "latin1.html").headers["content-type"] == "text/html"


def test_latency_delays_each_answer(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    with DemoServer(tmp_path, latency=0.3) as server:
        started = time.monotonic()
        assert httpx.get(server.base_url + "a.txt").text == "a"
        assert time.monotonic() - started >= 0.3


def test_server_is_quiet_records_requests_and_stops_twice(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    server = DemoServer(str(tmp_path))
    with server:
        httpx.get(server.base_url + "a.txt", headers={"User-Agent": "probe/1"})
        httpx.get(server.base_url + "nothing")
        raw_get(server.base_url, "/../x")
    server.__exit__(None, None, None)  # a second stop is harmless
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    assert [(r.path, r.status) for r in server.requests] == [
        ("/a.txt", 200),
        ("/nothing", 404),
        ("/../x", 404),
    ]
    assert server.requests[0].user_agent == "probe/1"
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.base_url + "a.txt")


def test_a_client_hanging_up_prints_nothing_other_errors_do(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    # A reset is printed (or not) by the connection's thread whenever it sees it, after
    # the test that caused it as well: a stop cutting a keep-alive connection, below.
    with DemoServer(tmp_path) as server:
        assert server._httpd is not None
        for error in [ConnectionResetError(104, "reset"), BrokenPipeError(32, "pipe"), KeyError()]:
            try:
                raise error
            except (OSError, KeyError):
                server._httpd.handle_error(None, ("127.0.0.1", 9))
    err = capfd.readouterr().err
    assert "KeyError" in err
    assert "ConnectionResetError" not in err and "BrokenPipeError" not in err


def test_stopping_cuts_keep_alive_connections(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    with DemoServer(tmp_path) as server:
        parts = urlsplit(server.base_url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        conn.request("GET", "/a.txt")
        assert conn.getresponse().read() == b"a"
    try:
        with pytest.raises((http.client.HTTPException, OSError)):
            conn.request("GET", "/a.txt")
            conn.getresponse().read()
    finally:
        conn.close()


def test_a_missing_root_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="not a directory"), DemoServer(tmp_path / "no"):
        pass


def test_concurrent_keep_alive_clients_are_served(demo: DemoServer) -> None:
    with httpx.Client(base_url=demo.base_url) as one, httpx.Client(base_url=demo.base_url) as two:
        for _ in range(3):
            assert one.get("gazette/rss.xml").status_code == 200
            assert two.get("upo/communiques/").status_code == 200


# --- the generated configuration and the sample sites ----------------------------------------


def test_demo_config_is_valid_yaml_and_a_valid_config(demo: DemoServer) -> None:
    text = demo_config_text(demo.base_url)
    data = yaml.safe_load(text)
    assert data["fetch"]["per_host_delay"] == 0.05
    assert data["fetch"]["user_agent"].startswith("aggregator-demo/")
    config = load_config_text(text)
    assert config.site.max_items == 100
    assert config.site.base_url == "http://localhost:8000/"
    kinds = {(s.type, s.url.rsplit(".", 1)[-1]) for s in config.sources}
    assert len([s for s in config.sources if s.type == "html"]) >= 2
    assert len([s for s in config.sources if s.type == "feed"]) >= 4
    assert kinds
    assert all(s.url.startswith(demo.base_url) for s in config.sources)


def test_demo_config_accepts_a_base_without_slash_and_another_site_url() -> None:
    config = load_config_text(demo_config_text("http://127.0.0.1:9", "https://veille.example/"))
    assert config.sources[0].url.startswith("http://127.0.0.1:9/")
    assert config.site.base_url == "https://veille.example/"


def test_every_source_url_answers_200(client: httpx.Client, sources: tuple[Source, ...]) -> None:
    for source in sources:
        response = client.get(source.url)
        assert response.status_code == 200, source.id


def feed_entries(client: httpx.Client, source: Source) -> list[feedparser.FeedParserDict]:
    response = client.get(source.url)
    parsed = feedparser.parse(
        response.content,
        response_headers={
            "content-location": source.url,
            "content-type": response.headers["content-type"],
        },
    )
    assert not parsed.bozo, (source.id, parsed.get("bozo_exception"))
    return list(parsed.entries)


def test_each_feed_parses_with_entries_whose_links_answer(
    client: httpx.Client, sources: tuple[Source, ...]
) -> None:
    feeds = [s for s in sources if s.type == "feed"]
    versions = set()
    for source in feeds:
        response = client.get(source.url)
        versions.add(feedparser.parse(response.content).version)
        entries = feed_entries(client, source)
        assert entries, source.id
        for entry in entries:
            assert entry.title and (entry.get("published_parsed") or entry.get("updated_parsed"))
            assert client.get(entry.link).status_code == 200, entry.link
    assert {"rss20", "atom10", "rss10"} <= versions


def test_one_feed_carries_full_content(client: httpx.Client, sources: tuple[Source, ...]) -> None:
    full = [
        s.id
        for s in sources
        if s.type == "feed"
        and all(
            len(e.get("content", [{}])[0].get("value", "")) > 300 for e in feed_entries(client, s)
        )
    ]
    assert "gazette" in full


def one(node: Tag, selector: str) -> Tag:
    """The first match of a selector, which must exist."""
    found = node.select_one(selector)
    assert found is not None, selector
    return found


def list_pages(client: httpx.Client, source: Source) -> list[tuple[str, BeautifulSoup]]:
    """Every page of an HTML source, following `next` up to `pages`."""
    assert source.list is not None
    pages: list[tuple[str, BeautifulSoup]] = []
    url: str | None = source.url
    while url and len(pages) < source.pages:
        response = client.get(url)
        assert response.status_code == 200, url
        soup = BeautifulSoup(response.text, "lxml")
        pages.append((url, soup))
        link = soup.select_one(source.list.next) if source.list.next else None
        url = urljoin(url, str(link["href"])) if link else None
    return pages


def test_each_list_page_matches_its_selectors_and_links_answer(
    client: httpx.Client, sources: tuple[Source, ...]
) -> None:
    html_sources = [s for s in sources if s.type == "html"]
    assert len(html_sources) >= 2
    for source in html_sources:
        assert source.list is not None
        pages = list_pages(client, source)
        assert len(pages) == source.pages, source.id
        for url, soup in pages:
            items = soup.select(source.list.item)
            assert items, (source.id, url)
            for item in items:
                assert one(item, source.list.title).get_text(strip=True)
                href = one(item, source.list.link)["href"]
                assert not str(href).startswith("http"), "relative links, as sites write them"
                assert client.get(urljoin(url, str(href))).status_code == 200
                if source.list.date:
                    assert one(item, source.list.date).get_text(strip=True)


def test_the_union_list_has_three_pages_with_french_dates(
    client: httpx.Client, sources: tuple[Source, ...]
) -> None:
    upo = next(s for s in sources if s.id == "upo")
    pages = list_pages(client, upo)
    assert [urlsplit(u).path for u, _ in pages] == [
        "/upo/communiques/",
        "/upo/communiques/page/2/",
        "/upo/communiques/page/3/",
    ]
    assert pages[-1][1].select_one("a.next") is None, "the last page ends the chain"
    dates = [p.get_text() for _, soup in pages for p in soup.select("p.meta")]
    assert all(re.fullmatch(r"Publication : \d{1,2}(er)? [a-zéû]+ 20\d\d", d) for d in dates)


def article_urls(client: httpx.Client, source: Source) -> list[str]:
    if source.type == "feed":
        return [e.link for e in feed_entries(client, source)]
    assert source.list is not None
    return [
        urljoin(url, str(one(item, source.list.link)["href"]))
        for url, soup in list_pages(client, source)
        for item in soup.select(source.list.item)
    ]


def test_article_selectors_match_and_removal_drops_every_sidebar_payer(
    client: httpx.Client, sources: tuple[Source, ...]
) -> None:
    dropped_a_payer = 0
    for source in (s for s in sources if s.article):
        assert source.article is not None
        for url in article_urls(client, source):
            soup = BeautifulSoup(client.get(url).text, "lxml")
            body = one(soup, source.article.content)
            if source.article.date:
                assert soup.select_one(source.article.date), url
            before = set(PAYERS.findall(body.get_text()))
            for selector in source.article.remove:
                for node in body.select(selector):
                    node.decompose()
            text = body.get_text(" ", strip=True)
            assert len(text) > 100, url
            outside = set(PAYERS.findall(soup.get_text())) - set(PAYERS.findall(text))
            dropped_a_payer += bool(outside)
            assert before >= set(PAYERS.findall(text))
    # Sidebars and "À lire aussi" name other payers on many pages: the config must drop them.
    assert dropped_a_payer >= 5


def test_duplicates_are_present_for_the_deduplicator(
    client: httpx.Client, sources: tuple[Source, ...]
) -> None:
    by_id = {s.id: s for s in sources}
    press = {urlsplit(e.link).path for e in feed_entries(client, by_id["officine-actu"])}
    relayed = [e.link for e in feed_entries(client, by_id["observatoire"])]
    tracked = [u for u in relayed if "utm_source=" in u]
    assert tracked and all(urlsplit(u).path in press for u in tracked)
    gazette = {e.title: e for e in feed_entries(client, by_id["gazette"])}
    republished = gazette["Cyberattaque Viamedis : les consignes de l'UPO aux officines"]
    union_page = client.get("upo/communiques/cyberattaque-viamedis-consignes/").text
    union_text = one(BeautifulSoup(union_page, "lxml"), "div.communique-texte").get_text()
    copy_text = BeautifulSoup(republished.content[0].value, "lxml").get_text()
    shared = set(copy_text.split()) & set(union_text.split())
    assert len(shared) / len(set(copy_text.split())) > 0.8


def test_the_packaged_sites_are_found_without_a_root() -> None:
    with DemoServer() as server:
        assert server.root is not None and server.root.name == "sites"
        assert os.path.isfile(server.root / "upo" / "communiques" / "index.html")
        assert httpx.get(server.base_url).status_code == 200
