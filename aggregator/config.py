"""sources.yaml -> a validated Config, or a ConfigError that names the file, the source and the key.

Example:
    >>> cfg = load_config_text("sources:\\n  - {id: a, name: A, type: feed, url: https://a.fr/feed}")
    >>> cfg.sources[0].id
    'a'
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

from aggregator.collect.guard import parse_host_entry
from aggregator.errors import ConfigError
from aggregator.models import (
    ArticleSelectors,
    Config,
    FetchOptions,
    ListSelectors,
    NotifyTarget,
    SiteOptions,
    Source,
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SOURCE_TYPES = ("feed", "html")
CATEGORIES = ("press", "union", "payer", "authority", "other")
TOP_KEYS = {"site", "sources", "fetch", "taxonomy", "notify"}
NOTIFY_KEYS = {"url", "payers", "kinds"}
SOURCE_KEYS = {
    "id",
    "name",
    "type",
    "url",
    "category",
    "enabled",
    "list",
    "pages",
    "article",
}
T = TypeVar("T")


def load_config(path: str | Path) -> Config:
    """Read and validate a sources.yaml file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            str(path), "file not found; pass --config PATH or create sources.yaml"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot be read: {exc}") from None
    return load_config_text(text, str(path))


def load_config_text(text: str, path: str = "sources.yaml") -> Config:
    """Validate the YAML text of a sources.yaml file."""
    try:
        data = safe_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, f"is not valid YAML{where}: {problem}") from None
    return _Validator(path).config(data)


def safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` through libyaml when PyYAML has it (several times faster); on a
    syntax error, the pure-Python parser's message, which names the offending character."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str, source: str | None = None, key: str | None = None) -> ConfigError:
        return ConfigError(self.path, message, source, key)

    def mapping(self, value: object, what: str, source: str | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(
                f"must be a mapping of keys to values, not {_kind(value)}", source, what
            )
        return value

    def no_unknown(
        self, data: Mapping[str, object], allowed: set[str], source: str | None, prefix: str = ""
    ) -> None:
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise self.fail(f"unknown key; allowed keys are: {hint}", source, prefix + str(key))

    def config(self, data: object) -> Config:
        if data is None:
            raise self.fail("is empty; it needs at least a `sources:` list")
        top = self.mapping(data, "(top level)")
        self.no_unknown(top, TOP_KEYS, None)
        if "sources" not in top:
            raise self.fail("missing required key; add a `sources:` list", None, "sources")
        taxonomy = self.mapping(top.get("taxonomy") or {}, "taxonomy")
        self.check_taxonomy(taxonomy)
        return Config(
            site=self.site(top.get("site") or {}),
            sources=self.sources(top["sources"]),
            fetch=self.fetch(top.get("fetch") or {}),
            notify=self.notify(top.get("notify") or []),
            taxonomy=taxonomy,
            path=self.path,
        )

    def site(self, value: object) -> SiteOptions:
        data = self.mapping(value, "site")
        site = self.options(SiteOptions, data, "site")
        if not _is_http_url(site.base_url):
            raise self.fail(
                "must be an http(s) URL such as https://example.org/veille/", None, "site.base_url"
            )
        if site.max_items < 1:
            raise self.fail("must be a positive number of items", None, "site.max_items")
        if not site.base_url.endswith("/"):
            site = SiteOptions(site.title, site.base_url + "/", site.language, site.max_items)
        return site

    def fetch(self, value: object) -> FetchOptions:
        data = dict(self.mapping(value, "fetch"))
        allow_hosts = self.allow_hosts(data.pop("allow_hosts", None))
        options = replace(self.options(FetchOptions, data, "fetch"), allow_hosts=allow_hosts)
        positive = ("timeout", "concurrency", "max_bytes", "max_redirects", "min_interval",
                    "max_item_html", "max_items_per_document", "source_seconds",
                    "run_seconds")  # fmt: skip
        for name in positive:
            if getattr(options, name) <= 0:
                raise self.fail("must be greater than 0", None, f"fetch.{name}")
        not_negative = ("per_host_delay", "retries", "backoff", "max_retry_after",
                        "max_crawl_delay", "max_articles_per_source")  # fmt: skip
        for name in not_negative:
            if getattr(options, name) < 0:
                raise self.fail("must not be negative", None, f"fetch.{name}")
        if options.max_interval < options.min_interval:
            raise self.fail(
                f"must be at least fetch.min_interval ({options.min_interval:g} seconds)",
                None,
                "fetch.max_interval",
            )
        return options

    def allow_hosts(self, value: object) -> tuple[str, ...]:
        """``fetch.allow_hosts``: a list of ``host`` or ``host:port`` entries."""
        key = "fetch.allow_hosts"
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
            raise self.fail("must be a list of hosts, each `host` or `host:port`", None, key)
        for entry in value:
            try:
                parse_host_entry(entry)
            except ValueError as exc:
                raise self.fail(
                    f"`{entry}` {exc}; write `host` or `host:port`", None, key
                ) from None
        return tuple(value)

    def notify(self, value: object) -> tuple[NotifyTarget, ...]:
        if not isinstance(value, list):
            raise self.fail(
                "must be a list of targets (each starting with `- url:`)", None, "notify"
            )
        return tuple(self.notify_target(entry, index) for index, entry in enumerate(value))

    def notify_target(self, value: object, index: int) -> NotifyTarget:
        where = f"notify[{index}]"
        data = self.mapping(value, where)
        self.no_unknown(data, NOTIFY_KEYS, None, where + ".")
        url = data.get("url")
        if not isinstance(url, str) or "://" not in url:
            raise self.fail(
                "must be an Apprise URL such as mailtos://user:pass@smtp.example.org"
                "?to=veille@example.org or ntfy://ntfy.sh/my-topic",
                None,
                where + ".url",
            )
        filters = {}
        for key in ("payers", "kinds"):
            values = data.get(key) or []
            if not isinstance(values, list) or not all(
                isinstance(v, str) and ID_PATTERN.match(v) for v in values
            ):
                raise self.fail(
                    "must be a list of slugs such as [viamedis]", None, f"{where}.{key}"
                )
            filters[key] = tuple(values)
        return NotifyTarget(url, filters["payers"], filters["kinds"])

    def options(self, cls: Callable[..., T], data: Mapping[str, Any], prefix: str) -> T:
        """Build a dataclass of plain options, checking names and types against its defaults."""
        known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
        self.no_unknown(data, set(known), None, prefix + ".")
        defaults = cls()
        values: dict[str, Any] = {}
        for key, value in data.items():
            expected = type(getattr(defaults, key))
            values[key] = self.typed(value, expected, None, f"{prefix}.{key}")
        return cls(**values)

    def typed(self, value: object, expected: type, source: str | None, key: str) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            # An infinite delay or timeout would hold the run, and its lock, forever.
            raise self.fail(f"must be a finite number, not {value}", source, key)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if expected is int and isinstance(value, bool):
            raise self.fail("must be a whole number, not true/false", source, key)
        if not isinstance(value, expected):
            names = {str: "a text", int: "a whole number", float: "a number", bool: "true or false"}
            want = names.get(expected, expected.__name__)
            raise self.fail(f"must be {want}, not {_kind(value)}", source, key)
        return value

    def sources(self, value: object) -> tuple[Source, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(
                "must be a non-empty list of sources (each starting with `- id:`)", None, "sources"
            )
        seen: dict[str, int] = {}
        result = []
        for index, entry in enumerate(value):
            source = self.source(entry, index)
            if source.id in seen:
                raise self.fail(
                    f"duplicate id: sources #{seen[source.id] + 1} and #{index + 1} "
                    "share it; give each source its own id",
                    source.id,
                    "id",
                )
            seen[source.id] = index
            result.append(source)
        return tuple(result)

    def source(self, value: object, index: int) -> Source:
        label = f"#{index + 1}"
        data = self.mapping(value, "sources", label)
        sid = data.get("id")
        if isinstance(sid, str) and sid:
            label = sid
        self.no_unknown(data, SOURCE_KEYS, label)
        for key in ("id", "name", "type", "url"):
            if key not in data:
                raise self.fail("missing required key", label, key)
            self.typed(data[key], str, label, key)
        if not ID_PATTERN.match(data["id"]):
            raise self.fail("must be a slug of lower-case letters, digits and dashes", label, "id")
        if data["type"] not in SOURCE_TYPES:
            raise self.fail(f"must be one of {', '.join(SOURCE_TYPES)}", label, "type")
        if not _is_http_url(data["url"]):
            raise self.fail("must be an absolute http(s) URL", label, "url")
        category = data.get("category", "other")
        if category not in CATEGORIES:
            raise self.fail(f"must be one of {', '.join(CATEGORIES)}", label, "category")
        enabled = self.typed(data.get("enabled", True), bool, label, "enabled")
        pages = self.typed(data.get("pages", 1), int, label, "pages")
        if pages < 1:
            raise self.fail("must be at least 1", label, "pages")
        selectors = self.list_selectors(data.get("list"), label, data["type"])
        article = self.article(data.get("article"), label)
        return Source(
            id=data["id"],
            name=data["name"],
            type=data["type"],
            url=data["url"],
            category=category,
            enabled=enabled,
            list=selectors,
            pages=pages,
            article=article,
        )

    def list_selectors(self, value: object, label: str, kind: str) -> ListSelectors | None:
        if value is None:
            if kind == "html":
                raise self.fail(
                    "missing required key for type html: give `list:` with "
                    "item, title and link selectors",
                    label,
                    "list",
                )
            return None
        data = self.mapping(value, "list", label)
        allowed = {"item", "title", "link", "date", "summary", "next"}
        self.no_unknown(data, allowed, label, "list.")
        for key in ("item", "title", "link"):
            if key not in data:
                raise self.fail("missing required selector", label, f"list.{key}")
        for key, selector in data.items():
            self.typed(selector, str, label, f"list.{key}")
            self.selector(selector, label, f"list.{key}")
        return ListSelectors(**data)

    def article(self, value: object, label: str) -> ArticleSelectors | None:
        if value is None:
            return None
        data = self.mapping(value, "article", label)
        self.no_unknown(data, {"content", "remove", "date"}, label, "article.")
        remove = data.get("remove", [])
        if isinstance(remove, str):
            remove = [remove]
        if not isinstance(remove, list) or not all(isinstance(r, str) for r in remove):
            raise self.fail("must be a list of CSS selectors", label, "article.remove")
        for key in ("content", "date"):
            if key in data:
                self.typed(data[key], str, label, f"article.{key}")
                self.selector(data[key], label, f"article.{key}")
        for selector in remove:
            self.selector(selector, label, "article.remove")
        return ArticleSelectors(
            content=data.get("content"), remove=tuple(remove), date=data.get("date")
        )

    def selector(self, selector: str, label: str, key: str) -> None:
        import soupsieve

        try:
            soupsieve.compile(selector)
        except Exception as exc:  # soupsieve raises its own SelectorSyntaxError and ValueError
            first = str(exc).splitlines()[0]
            raise self.fail(f"invalid CSS selector `{selector}`: {first}", label, key) from None

    def check_taxonomy(self, taxonomy: dict[str, Any]) -> None:
        if not taxonomy:
            return
        from aggregator.understand.taxonomy import load_taxonomy

        try:
            load_taxonomy(taxonomy)
        except ValueError as exc:
            raise self.fail(str(exc), None, "taxonomy") from None


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _kind(value: object) -> str:
    if value is None:
        return "empty"
    names = {
        str: "a text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)
