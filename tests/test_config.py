"""sources.yaml validation: every mistake gives one message naming file, source and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aggregator.cli import cli
from aggregator.config import load_config, load_config_text
from aggregator.errors import ConfigError

GOOD = """
site:
  title: Veille
  base_url: https://example.org/veille
  max_items: 50
fetch:
  timeout: 5
  per_host_delay: 0
sources:
  - id: moniteur
    name: Le Moniteur
    type: feed
    url: https://www.example.fr/feed/
    category: press
    article:
      content: div.entry-content
      remove: [aside, .related]
  - id: uspo
    name: USPO
    type: html
    url: https://uspo.example/communiques/
    category: union
    list: {item: article, title: h2, link: h2 a, date: time, next: a.next}
    pages: 3
"""


def test_good_config_loads_with_defaults() -> None:
    config = load_config_text(GOOD, "x.yaml")
    assert [s.id for s in config.sources] == ["moniteur", "uspo"]
    assert config.site.base_url == "https://example.org/veille/"
    assert config.fetch.timeout == 5.0 and config.fetch.per_host_delay == 0.0
    assert config.sources[0].article is not None
    assert config.sources[0].article.remove == ("aside", ".related")
    assert config.sources[1].list is not None and config.sources[1].list.next == "a.next"
    assert config.sources[1].pages == 3 and config.sources[0].enabled


def _source(**changes: object) -> str:
    base = {"id": "s1", "name": "S", "type": "feed", "url": "https://a.fr/feed"}
    base.update(changes)
    body = "\n".join(f"    {k}: {v}" for k, v in base.items() if v is not None)
    return "sources:\n  - " + body.lstrip()


@pytest.mark.parametrize(
    ("text", "source", "key", "words"),
    [
        (_source(colour="red"), "s1", "colour", "unknown key"),
        (_source(url=None), "s1", "url", "missing required key"),
        (_source(name=None), "s1", "name", "missing required key"),
        (_source(type="podcast"), "s1", "type", "must be one of"),
        (_source(url="ftp://a.fr/feed"), "s1", "url", "http(s) URL"),
        (_source(url="not a url"), "s1", "url", "http(s) URL"),
        (_source(id="Bad_Id"), "Bad_Id", "id", "slug"),
        (_source(enabled="maybe"), "s1", "enabled", "true or false"),
        (_source(pages="two"), "s1", "pages", "whole number"),
        (_source(pages=0), "s1", "pages", "at least 1"),
        (_source(category="blog"), "s1", "category", "must be one of"),
        (_source(type="html"), "s1", "list", "missing required key"),
        (_source(type="html", list="{item: article, title: h2}"), "s1", "list.link", "missing"),
        (_source(type="html", list="{item: 'a[', title: h2, link: a}"), "s1", "list.item",
         "invalid CSS selector"),
        (_source(article="{content: 3}"), "s1", "article.content", "must be"),
        (_source(article="{content: div, size: 3}"), "s1", "article.size", "unknown key"),
        (_source() + "\n  - {id: s1, name: T, type: feed, url: 'https://b.fr/'}", "s1", "id",
         "duplicate id"),
        ("site: {base_url: 'nowhere'}\n" + _source(), None, "site.base_url", "http(s) URL"),
        ("site: {colour: red}\n" + _source(), None, "site.colour", "unknown key"),
        ("site: {max_items: many}\n" + _source(), None, "site.max_items", "whole number"),
        ("fetch: {timeout: -1}\n" + _source(), None, "fetch.timeout", "greater than 0"),
        ("fetch: {proxy: x}\n" + _source(), None, "fetch.proxy", "unknown key"),
        ("extra: 1\n" + _source(), None, "extra", "unknown key"),
        ("site: {}\n", None, "sources", "missing required key"),
        ("sources: []\n", None, "sources", "non-empty list"),
        ("sources: [3]\n", "#1", "sources", "mapping"),
    ],
)  # fmt: skip
def test_configuration_errors_name_file_source_and_key(
    text: str, source: str | None, key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text(text, "conf.yaml")
    error = caught.value
    assert error.path == "conf.yaml"
    assert error.source == source
    assert error.key == key
    assert words in str(error)
    assert str(error).startswith("conf.yaml")


def test_invalid_yaml_says_where() -> None:
    with pytest.raises(ConfigError, match="not valid YAML at line 3"):
        load_config_text("sources:\n  - id: [unclosed\n", "c.yaml")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("command", ["run", "fetch", "publish", "status"])
def test_cli_configuration_error_exits_2_without_traceback(tmp_path: Path, command: str) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(_source(colour="red"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, [command, "--config", str(config), "--db", str(tmp_path / "a.db")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "sources.yaml: source 's1': key 'colour': unknown key" in result.output


def test_check_unknown_source_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(_source(), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "nope", "--config", str(config)])
    assert result.exit_code == 2
    assert "no source with id 'nope'" in result.output


@pytest.mark.parametrize(
    ("block", "remove"),
    [("{}", ()), ("{remove: [nav, .share]}", ("nav", ".share")), ("{date: time}", ())],
)
def test_article_content_is_optional(block: str, remove: tuple[str, ...]) -> None:
    # Without `content` the main-content extractor finds the body (see article.py).
    config = load_config_text(_source(article=block), "x.yaml")
    article = config.sources[0].article
    assert article is not None and article.content is None and article.remove == remove
