"""Hostile items, one data file each under tests/data/publish/hostile/: nothing reaches output/.

A file holds ``expect`` (what must hold, in words), ``item`` (fields of an Item over a plain
default), ``forbidden`` (regular expressions no output byte may match, on top of the ones
every file shares) and ``kept`` (text that must still be published). Adding a case is adding
a file.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree
from lxml import html as lxml_html

from aggregator.models import Incident, Item, SiteOptions
from aggregator.publish.build import PublishInput, publish

CASES = sorted((Path(__file__).parent / "data" / "publish" / "hostile").glob("*.json"))
ALWAYS_FORBIDDEN = [rb"<script", rb"onerror", rb"onload", rb"javascript:", rb"\x00"]
WHEN = datetime(2024, 2, 6, 10, 0, tzinfo=timezone(timedelta(hours=1)))
STRICT = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)


def hostile_item(fields: dict[str, object]) -> Item:
    values: dict[str, object] = {
        "id": "hostile-1",
        "source": "piege",
        "source_name": "Source piégée",
        "url": "https://piege.example.org/article",
        "title": "Article piégé",
        "date_published": WHEN,
        "payers": ("almerys",),
        "kinds": ("cyberattack",),
        "incidents": ("almerys-2024-02",),
    }
    for key, value in fields.items():
        values[key] = tuple(value) if isinstance(value, list) else value
    return Item(**values)  # type: ignore[arg-type]


def publish_case(path: Path, output: Path) -> dict[str, object]:
    case = json.loads(path.read_text(encoding="utf-8"))
    item = hostile_item(case["item"])
    incident = Incident(
        id="almerys-2024-02",
        title="Almerys : intrusion",
        payers=("almerys",),
        kinds=("cyberattack",),
        status="ongoing",
        started=WHEN,
        updated=WHEN,
        resolved=None,
        items=(item.id,),
        actions=item.actions,
        contacts=item.contacts,
    )
    publish(
        output,
        PublishInput(
            site=SiteOptions(base_url="https://veille.example.net/"),
            items=[item],
            incidents=[incident],
            sources=[],
            payer_name=lambda slug: slug.capitalize(),
            kind_label=lambda kind: kind,
        ),
    )
    return dict(case)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_hostile_item_reaches_no_output_file(path: Path, tmp_path: Path) -> None:
    case = publish_case(path, tmp_path / "out")
    extra = [str(p).encode("utf-8") for p in case.get("forbidden", [])]  # type: ignore[attr-defined]
    forbidden = re.compile(b"|".join(ALWAYS_FORBIDDEN + extra), re.IGNORECASE)
    outputs = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(outputs) >= 15
    for output in outputs:
        data = output.read_bytes()
        match = forbidden.search(data)
        assert match is None, (
            case["expect"],
            output.name,
            data[match.start() - 60 : match.end() + 60],
        )
        data.decode("utf-8")
        if output.suffix in (".xml", ".atom", ".opml"):
            etree.fromstring(data, STRICT)
        if output.suffix in (".xml", ".atom"):
            assert not feedparser.parse(data).bozo, output
        if output.suffix == ".html":
            assert not lxml_html.fromstring(data).xpath("//script | //iframe | //@style")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_hostile_item_keeps_its_harmless_text(path: Path, tmp_path: Path) -> None:
    case = publish_case(path, tmp_path / "out")
    feed = (tmp_path / "out" / "feed.json").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "incidents" / "almerys-2024-02.html").read_text(encoding="utf-8")
    for text in case.get("kept", []):  # type: ignore[attr-defined]
        assert text in feed or text in page, (case["expect"], text)
    assert json.loads(feed)["items"][0]["id"] == "hostile-1"


def test_there_are_hostile_cases() -> None:
    assert len(CASES) >= 5
