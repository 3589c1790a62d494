"""The demo, end to end, checked by real tools: newsboat, the Nu HTML checker, headless Chromium.

One module-scoped run of `aggregator demo` as a subprocess feeds every test here. In the
browser tests, a small local server serves the demo's pages with a probe script appended:
it measures the page and runs axe-core, then writes what it found into the DOM, which
Chromium's --dump-dom prints.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import feedparser
import pytest
from lxml import etree

from aggregator.demo import DemoServer

# End-to-end: each test runs the whole pipeline (a real server, the CLI, or a subprocess).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.slow
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "output"
    result = subprocess.run(
        [sys.executable, "-m", "aggregator", "demo", "--output", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "index.html" in result.stdout  # it says where to open the result
    return out


@pytest.fixture(scope="module")
def served(demo: Path) -> Iterator[str]:
    with DemoServer(demo) as server:
        yield server.base_url


def test_demo_writes_every_output(demo: Path) -> None:
    for name in ["index.html", "feed.xml", "feed.atom", "feed.json", "advisories.xml",
                 "advisories.atom", "advisories.json", "incidents.json", "sources.html",
                 "feeds.opml"]:  # fmt: skip
        assert (demo / name).is_file(), name
    assert list((demo / "payers").glob("*.html"))
    assert list((demo / "kinds").glob("*.xml"))
    assert list((demo / "incidents").glob("*.html"))
    assert list((demo / "digests").glob("*-W*.html"))


def test_demo_holds_the_expected_incidents(demo: Path) -> None:
    incidents = json.loads((demo / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    by_payer: dict[str, list[dict[str, object]]] = {}
    for incident in incidents:
        for payer in incident["payers"]:
            by_payer.setdefault(payer, []).append(incident)
    assert "viamedis" in by_payer and "almerys" in by_payer
    viamedis = by_payer["viamedis"][0]
    assert "cyberattack" in viamedis["kinds"]
    assert viamedis["contacts"], "the free line reaches the incident"
    assert viamedis["actions"], "the actions reach the incident"
    assert {i["status"] for i in incidents} <= {"ongoing", "resolved"}
    # The final statuses that aggregator/demo_data/README.md promises.
    statuses = {p: [i["status"] for i in found] for p, found in by_payer.items()}
    assert statuses["viamedis"] == ["resolved"] and statuses["kalixia"] == ["resolved"]
    assert statuses["almerys"] == ["ongoing"] and statuses["assurance-maladie"] == ["ongoing"]
    [strike] = [i for i in incidents if not i["payers"]]
    assert "supply-disruption" in strike["kinds"]
    assert strike["status"] == "resolved", "the unnamed 'Grève levée' follow-up ends the strike"
    assert len(strike["items"]) == 2


def test_feeds_parse_strictly_and_with_feedparser(demo: Path) -> None:
    strict = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    xml_feeds = [*demo.glob("*.xml"), *demo.glob("*.atom"), *demo.glob("payers/*.xml"),
                 *demo.glob("kinds/*.xml"), *demo.glob("incidents/*.xml"),
                 *demo.glob("incidents/*.atom"), demo / "feeds.opml"]  # fmt: skip
    assert len(xml_feeds) > 6
    for path in xml_feeds:
        etree.fromstring(path.read_bytes(), strict)
        if path.name != "feeds.opml":
            parsed = feedparser.parse(path.read_bytes())
            assert not parsed.bozo, (path, parsed.bozo_exception)
    json_files = [*demo.glob("*.json"), *demo.glob("payers/*.json"), *demo.glob("kinds/*.json"),
                  *demo.glob("incidents/*.json")]  # fmt: skip
    for path in json_files:
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.name != "incidents.json":
            assert data["version"] == "https://jsonfeed.org/version/1.1"
            assert all("id" in item for item in data["items"])


def _newsboat_unread(urls: list[str], workdir: Path) -> int:
    (workdir / "urls").write_text("\n".join(urls) + "\n", encoding="utf-8")
    (workdir / "config").write_text("reload-threads 4\n", encoding="utf-8")
    result = subprocess.run(
        ["newsboat", "-u", str(workdir / "urls"), "-c", str(workdir / "cache.db"),
         "-C", str(workdir / "config"), "-x", "reload", "print-unread"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    match = re.search(r"(\d+) unread articles", result.stdout)
    assert match, result.stdout
    return int(match.group(1))


def test_newsboat_reads_the_feeds_and_finds_nothing_new_the_second_time(
    served: str, tmp_path: Path
) -> None:
    assert shutil.which("newsboat"), "scripts/install-test-tools installs newsboat"
    urls = [served + name for name in ["feed.xml", "feed.atom", "advisories.xml", "incidents.xml",
                                       "incidents.atom", "payers/isante.xml"]]  # fmt: skip
    first = _newsboat_unread(urls, tmp_path)
    assert first > 0
    assert _newsboat_unread(urls, tmp_path) == first


def test_every_page_passes_the_nu_html_checker(demo: Path) -> None:
    assert VNU.is_file(), "scripts/install-test-tools installs vnu-jar"
    pages = sorted(str(p) for p in demo.rglob("*.html"))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", *pages],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[:5000]


def _chromium(*args: str, workdir: Path) -> str:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "scripts/install-test-tools installs chromium"
    result = subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={workdir / 'profile'}", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_chromium_renders_the_digest_with_the_open_incidents(
    demo: Path, served: str, tmp_path: Path
) -> None:
    incidents = json.loads((demo / "incidents.json").read_text(encoding="utf-8"))["incidents"]
    ongoing = [i for i in incidents if i["status"] == "ongoing"]
    shot = tmp_path / "index.png"
    _chromium("--window-size=1280,1600", f"--screenshot={shot}", served + "index.html",
              workdir=tmp_path)  # fmt: skip
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = _chromium("--dump-dom", served + "index.html", workdir=tmp_path)
    # French no-break spaces read as spaces (\s matches them once unescaped).
    text = re.sub(r"\s+", " ", html.unescape(dom))
    for incident in ongoing:
        assert incident["title"].replace("'", "&#39;") in text or incident["title"] in text
    first_ongoing = text.find("en cours")
    assert first_ongoing != -1
    page = served + f"incidents/{incidents[0]['id']}.html"
    dom = _chromium("--dump-dom", page, workdir=tmp_path)
    assert incidents[0]["title"].split(" ")[0] in dom
    shot = tmp_path / "incident.png"
    _chromium("--window-size=420,1400", f"--screenshot={shot}", page, workdir=tmp_path)
    assert shot.stat().st_size > 5_000


# --- in a real browser: accessibility (axe-core), and the first screen -------------------

# Appended to every page served by `probed`: where the first incident stands, whether the
# page is in dark mode, and axe-core's serious or critical violations, written as JSON
# into the page (or handed to the frame page that holds it, see FRAME).
PROBE = """
(async () => {
  const data = {dark: matchMedia('(prefers-color-scheme: dark)').matches,
                width: innerWidth, height: innerHeight};
  const first = document.querySelector('main article.incident');
  data.firstIncident = first ? first.getBoundingClientRect().top + scrollY : null;
  if (new URLSearchParams(location.search).has('axe')) {
    const found = await axe.run(document, {resultTypes: ['violations']});
    data.violations = found.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
  }
  const text = JSON.stringify(data);
  if (window.parent !== window) { window.parent.postMessage(text, '*'); return; }
  const out = document.createElement('pre');
  out.id = 'probe'; out.style.whiteSpace = 'pre-wrap'; out.textContent = text;
  document.body.appendChild(out);
})();
"""
# Headless Chromium keeps its window at least 500 px wide; a phone's 390 px is a frame.
FRAME = """<!DOCTYPE html><html lang="fr"><head><title>cadre</title></head><body style="margin:0">
<iframe title="page" style="border:0;width:{width}px;height:{height}px" src="{page}"></iframe>
<script>addEventListener('message', e => {{ const out = document.createElement('pre');
out.id = 'probe'; out.textContent = e.data; document.body.appendChild(out); }});</script>
</body></html>"""


class _Probing(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/__axe.js":
            self._send(AXE.read_bytes(), "text/javascript")
        elif url.path == "/__frame.html":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            self._send(FRAME.format(**query).encode(), "text/html; charset=utf-8")
        elif url.path.endswith(".html"):
            page = Path(self.directory) / url.path.lstrip("/")
            probe = f'<script src="/__axe.js"></script><script>{PROBE}</script></body>'
            self._send(page.read_bytes().replace(b"</body>", probe.encode()), "text/html")
        else:
            super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def probed(demo: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Probing, directory=str(demo)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _probe(url: str, workdir: Path, *flags: str) -> dict[str, object]:
    dom = _chromium("--virtual-time-budget=30000", *flags, "--dump-dom", url, workdir=workdir)
    match = re.search(r'<pre id="probe"[^>]*>(.*?)</pre>', dom, re.S)
    assert match, dom[-2000:]
    found: dict[str, object] = json.loads(html.unescape(match.group(1)))
    return found


def _pages_to_audit(demo: Path) -> list[str]:
    incidents = sorted(p.name for p in (demo / "incidents").glob("*.html"))
    payers = sorted(p.name for p in (demo / "payers").glob("*.html"))
    digests = sorted(p.name for p in (demo / "digests").glob("*.html"))
    return ["index.html", "sources.html", "subscribe.html", f"incidents/{incidents[0]}",
            f"payers/{payers[0]}", f"digests/{digests[-1]}"]  # fmt: skip


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_in_light_and_dark_mode(
    demo: Path, probed: str, tmp_path: Path, scheme: str
) -> None:
    assert AXE.is_file(), "scripts/install-test-tools installs axe-core"
    flags = ["--window-size=1280,900"] + (["--force-dark-mode"] if scheme == "dark" else [])
    for page in _pages_to_audit(demo):
        found = _probe(probed + page + "?axe", tmp_path, *flags)
        assert found["dark"] is (scheme == "dark"), page
        assert found["violations"] == [], (page, scheme, found["violations"])


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_first_incident_is_inside_the_first_screen(
    demo: Path, probed: str, tmp_path: Path, width: int, height: int
) -> None:
    page = f"/__frame.html?width={width}&height={height}&page=/index.html"
    found = _probe(probed.rstrip("/") + page, tmp_path, "--window-size=1400,1000")
    assert found["width"] == width
    top = found["firstIncident"]
    assert isinstance(top, float | int)
    # Its title and status at least, with room to spare: the top half of the screen.
    assert top < height / 2, (width, top)
    shot = tmp_path / f"index-{width}.png"
    _chromium(f"--window-size={width},{height}", f"--screenshot={shot}", probed + "index.html",
              workdir=tmp_path)  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
