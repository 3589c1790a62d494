"""Text and HTML are two types, from extraction to the published feeds.

``str`` is text, ``markupsafe.Markup`` is HTML; only the sanitizer makes a ``Markup``, so
text reaches an HTML field (Atom ``content type="html"``, RSS ``description``, JSON Feed
``content_html``, the pages) only escaped. A text field is decoded once, by the parser that
reads it, and never again: a title escaped several times stays escaped text, it never turns
into markup on the way.
"""

from __future__ import annotations

import ast
import html
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import lxml.html
import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_hostile import dangers_in_output, html_dangers

from aggregator.cli import cli
from aggregator.models import Item
from aggregator.publish.feeds import body_html, clean_item, plain
from aggregator.text.sanitize import clean_html, escape_text, one_line

PACKAGE = Path(__file__).parent.parent / "aggregator"
ATOM = "{http://www.w3.org/2005/Atom}"

# --- where Markup comes from -----------------------------------------------------------------


def _markup_calls(path: Path) -> Iterator[int]:
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            name = node.func
            called = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", "")
            if called == "Markup":
                yield node.lineno


def test_only_the_sanitizer_makes_markup() -> None:
    found = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "sanitize.py"
        for line in _markup_calls(path)
    ]
    assert found == []


def test_templates_mark_nothing_safe_by_hand() -> None:
    for template in (PACKAGE / "publish" / "templates").iterdir():
        source = template.read_text("utf-8")
        assert "|safe" not in source.replace(" ", ""), template.name
        assert "autoescape false" not in source, template.name


@pytest.mark.slow
def test_mypy_refuses_text_where_html_belongs(tmp_path: Path) -> None:
    from mypy import api

    probe = tmp_path / "probe.py"
    probe.write_text(
        "from aggregator.models import Item, RawItem\n"
        "from aggregator.text.sanitize import clean_html, escape_text\n"
        "title: str = '&lt;script&gt;'\n"
        "Item(id='x', source='s', url='u', title=title, content_html=title)\n"  # line 4
        "RawItem(guid='g', url='u', title=title, summary='<b>x</b>')\n"  # line 5
        "Item(id='x', source='s', url='u', title=title, content_html=escape_text(title))\n"
        "RawItem(guid='g', url='u', title=title, content=clean_html('<p>x</p>'))\n",
        "utf-8",
    )
    out, _, status = api.run(["--strict", "--no-error-summary", str(probe)])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert [line.split(":")[1] for line in errors] == ["4", "5"], out
    assert all("Markup" in line for line in errors), out


# --- the publishing side on its own ----------------------------------------------------------


def test_a_title_without_body_reaches_html_fields_escaped_once() -> None:
    title = "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; <b>"
    item = clean_item(Item(id="x", source="s", url="https://a.example/", title=title))
    assert item.title == "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;"  # not decoded
    shown = body_html(item)
    assert shown == html.escape(item.title, quote=True).replace("&#x27;", "&#39;")
    assert lxml.html.fragment_fromstring(shown, create_parent="div").text_content() == item.title


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_plain_decodes_nothing_and_leaves_no_tag(text: str) -> None:
    published = plain(text)
    assert "<" not in published or not html_dangers(published)
    if "<" not in text:
        assert published == one_line(text)  # the text as it is, references included


# --- through a whole run ------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "Viamedis",
        "panne",
        " ",
        "<",
        ">",
        "&",
        ";",
        "#",
        "/",
        '"',
        "'",
        "=",
        "x",
        "lt",
        "gt",
        "amp",
        "script",
        "&lt;",
        "&amp;",
        "&gt;",
        "&#60;",
        "&#x3C;",
        "&quot;",
        "<script>",
        "</script>",
        "<b>",
        "</b>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(2)>",
        "<!--",
        "-->",
        "é",
        "&nbsp;",
    ]
)
TEXTS = st.lists(PIECES, min_size=1, max_size=8).map("".join)


@dataclass(frozen=True)
class Generated:
    """One entry of the generated feed: its title (text ``layers`` times escaped, typed
    ``kind`` in Atom), and a summary the same way, or none."""

    text: str
    layers: int
    kind: str  # "text" | "html"
    summary: str | None
    summary_layers: int

    def escaped(self, text: str, layers: int) -> str:
        for _ in range(layers):
            text = html.escape(text)
        return text

    @property
    def title_value(self) -> str:
        return self.escaped(self.text, self.layers)

    def expected_title(self) -> str | None:
        """The title as text, decoded exactly once by the format's own reading (Atom
        ``type="text"``: as the XML gives it; ``type="html"``: one HTML decoding); None
        when it may hold tag-shaped text (then only safety is checked)."""
        value = self.title_value if self.kind == "text" else html.unescape(self.title_value)
        return None if "<" in value else one_line(value)


ENTRIES = st.builds(
    Generated,
    text=TEXTS,
    layers=st.integers(0, 3),
    kind=st.sampled_from(["text", "html"]),
    summary=st.none() | TEXTS,
    summary_layers=st.integers(0, 2),
)


def atom_feed(entries: list[Generated], base: str) -> bytes:
    parts = []
    for number, entry in enumerate(entries):
        summary = ""
        if entry.summary is not None:
            value = entry.escaped(entry.summary, entry.summary_layers)
            summary = f'<summary type="html">{xml_escape(value)}</summary>'
        parts.append(
            f"<entry><id>{base}/n/{number}</id><link href='{base}/n/{number}'/>"
            f'<title type="{entry.kind}">{xml_escape(entry.title_value)}</title>'
            f"<updated>2024-01-{number + 10:02d}T09:00:00+01:00</updated>{summary}</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Généré</title><id>{base}/</id><updated>2024-02-01T00:00:00Z</updated>"
        + "".join(parts)
        + "</feed>"
    ).encode()


def rss_feed(entries: list[Generated], base: str) -> bytes:
    """The entries as RSS 2.0, where the reader guesses whether a field is text or HTML:
    the summary as ``description``, a body of the same text as ``content:encoded``."""
    parts = []
    for number, entry in enumerate(entries):
        body = ""
        if entry.summary is not None:
            value = xml_escape(entry.escaped(entry.summary, entry.summary_layers))
            body = f"<description>{value}</description><content:encoded>{value}</content:encoded>"
        parts.append(
            f"<item><link>{base}/n/{number}</link><title>{xml_escape(entry.title_value)}</title>"
            f"<pubDate>Wed, {number + 10:02d} Jan 2024 09:00:00 +0100</pubDate>{body}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Généré</title><link>https://example.org/</link>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def run_over(entries: list[Generated], rss: bool = False) -> tuple[Path, str]:
    """Serve ``entries`` as an Atom (or RSS) feed, ``aggregator run`` once; the output folder
    and the server's address."""
    folder = Path(tempfile.mkdtemp(prefix="types-"))
    with LocalServer() as server:
        feed = rss_feed(entries, server.base) if rss else atom_feed(entries, server.base)
        server.route("/feed.atom", Reply(200, feed, {"Content-Type": "application/xml"}))
        config = {
            "site": {"title": "Test", "base_url": "https://example.org/veille/"},
            "fetch": {"per_host_delay": 0, "timeout": 5, "retries": 0, "respect_robots": False},
            "sources": [{"id": "gen", "name": "Généré", "type": "feed",
                         "url": server.url("/feed.atom")}],
        }  # fmt: skip
        (folder / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
        options = ["--config", str(folder / "sources.yaml"), "--db", str(folder / "a.db")]
        result = CliRunner().invoke(
            cli, ["run", *options, "--output", str(folder / "out")], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return folder, server.base


def html_fields(out: Path) -> Iterator[tuple[str, str]]:
    """Every HTML-typed field of the feeds: (where, its HTML)."""
    for path in sorted(out.rglob("*.atom")):
        for element in etree.parse(str(path)).iter(f"{ATOM}content", f"{ATOM}summary"):
            if element.get("type") == "html":
                yield f"{path.name} {element.tag}", element.text or ""
    for path in sorted(out.rglob("*.xml")):
        for element in etree.parse(str(path)).iter(
            "description", "{http://purl.org/rss/1.0/modules/content/}encoded"
        ):
            if element.getparent() is not None and element.getparent().tag == "item":
                yield f"{path.name} {element.tag}", element.text or ""
    for path in sorted(out.rglob("*.json")):
        for item in json.loads(path.read_text("utf-8")).get("items", []):
            if "content_html" in item:
                yield f"{path.name} content_html", item["content_html"]


@pytest.mark.slow
@given(st.lists(ENTRIES, min_size=1, max_size=5))
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@example(
    [
        Generated("<script>alert(1)</script>", 3, "text", None, 0),  # escaped title, no body
        Generated("<script>alert(1)</script>", 3, "html", None, 0),
        Generated("<img src=x onerror=alert(1)>", 2, "html", "<script>x</script>", 1),
    ]
)
def test_text_stays_text_and_no_html_field_holds_active_markup(entries: list[Generated]) -> None:
    folder, base = run_over(entries)
    out = folder / "out"
    assert dangers_in_output(out) == []
    for where, markup in html_fields(out):
        assert html_dangers(markup) == [], where

    published = {
        item["url"].rsplit("/", 1)[-1]: item
        for item in json.loads((out / "feed.json").read_text("utf-8"))["items"]
    }
    with sqlite3.connect(folder / "a.db") as db:
        stored = dict(db.execute("SELECT url, title FROM entries").fetchall())
    atom = {
        entry.find(f"{ATOM}link").get("href"): entry
        for entry in etree.parse(str(out / "feed.atom")).iter(f"{ATOM}entry")
    }
    assert published, "nothing was published"
    for number, entry in enumerate(entries):
        item = published.get(str(number))
        if item is None:
            continue  # folded into another generated entry as a near-duplicate
        expected = entry.expected_title()
        if expected:
            assert stored[f"{base}/n/{number}"] == expected  # extract -> store, decoded once
            assert item["title"] == expected  # store -> publish, not decoded again
            assert atom[item["url"]].findtext(f"{ATOM}title") == expected
        if entry.summary is None:
            # No body: the HTML fields show the title, escaped once, as text.
            content = atom[item["url"]].find(f"{ATOM}content")
            assert content is not None and content.get("type") == "html"
            shown = lxml.html.fragment_fromstring(content.text or "", create_parent="div")
            assert one_line(shown.text_content()) == item["title"]
            assert "content_html" not in item and item["content_text"] == item["title"]


@pytest.mark.slow
@given(st.lists(ENTRIES, min_size=1, max_size=5))
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@example([Generated("<script>alert(1)</script>", layers, "html", None, 0) for layers in (1, 2, 3)])
def test_rss_fields_hold_no_active_markup_and_titles_reach_html_escaped(
    entries: list[Generated],
) -> None:
    folder, _ = run_over(entries, rss=True)
    out = folder / "out"
    assert dangers_in_output(out) == []
    for where, markup in html_fields(out):
        assert html_dangers(markup) == [], where
    for item in json.loads((out / "feed.json").read_text("utf-8"))["items"]:
        assert not html_dangers(item["title"])


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGGREGATOR_WORKERS", "0")


def test_clean_html_and_escape_text_make_markup() -> None:
    from markupsafe import Markup

    assert isinstance(clean_html("<p>x</p>"), Markup)
    assert isinstance(clean_html("texte"), Markup)
    assert escape_text("<b>") == "&lt;b&gt;"
