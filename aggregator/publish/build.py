"""Publishing: every item, incident and source status -> the files of output/.

The work is linear in the number of items: items are sorted once, grouped once (by payer,
kind and week), and only the newest ``max_items`` of each feed are rendered as feed
entries. Nothing depends on the clock, so the same input always gives the same bytes, and
:class:`~aggregator.publish.write.OutputWriter` leaves files whose bytes did not change.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from aggregator.errors import PublishError
from aggregator.models import Incident, Item, SiteOptions, SourceStatus
from aggregator.publish import feeds
from aggregator.publish.feeds import (
    EPOCH,
    FeedSpec,
    Labels,
    clean_item,
    instant,
    iso,
    plain,
    sort_key,
    texts,
)
from aggregator.publish.health import health_of
from aggregator.publish.incidents import (
    STALE_AFTER,
    actions_of,
    changed_at,
    contacts_of,
    items_of,
    latest,
    status_of,
)
from aggregator.publish.site import (
    STATUS,
    Page,
    SiteRenderer,
    file_name,
    stylesheet,
    week_name,
    week_of,
)
from aggregator.publish.write import OutputWriter
from aggregator.text.sanitize import clean_html, clean_text, escape_text, one_line, safe_url
from aggregator.workers import Workers, default_workers, shared

log = logging.getLogger("aggregator")

# Folders whose every file is ours: what a run no longer produces there is removed.
MANAGED_FOLDERS = ("payers", "kinds", "incidents", "digests")
# The list of incidents the contract names is incidents.json: their feed takes another name.
INCIDENTS_JSON_FEED = "incidents-feed.json"
INCIDENT_ID_PREFIX = "urn:aggregator:incident:"
OPEN = ("ongoing", "planned")  # statuses listed with the incidents under way
INDEX_ITEMS = 20  # advisories, and other news, on the front page
INDEX_RESOLVED = 10  # recently resolved incidents on the front page
# The groups of pages rendered in workers, numbered one after another (see _Build.groups).
DIGESTS, INCIDENT_PAGES, FEED_FILES = 0, 1, 2
# What renders a group's pages: all of them (None), or those at the indexes given.
Renderer = Callable[[Iterable[int] | None], Iterator[tuple[str, bytes]]]

Week = tuple[int, int]


@dataclass(frozen=True)
class PublishInput:
    site: SiteOptions
    items: Sequence[Item]  # every item, any order
    incidents: Sequence[Incident]
    sources: Sequence[SourceStatus]
    payer_name: Callable[[str], str]  # slug -> "Viamedis"
    kind_label: Callable[[str], str]  # kind -> "cyberattaque"
    # Every payer of the taxonomy: each has its page and feeds before its first item, so
    # that a reader can subscribe ahead of an incident.
    payers: Sequence[str] = ()


@dataclass(frozen=True)
class PublishReport:
    written: tuple[str, ...]  # relative paths whose bytes changed
    unchanged: int
    removed: tuple[str, ...]
    files: tuple[str, ...] = ()  # every file the output holds, sorted


def publish(output: Path, data: PublishInput) -> PublishReport:
    """Write output/ from ``data``; raises PublishError when it cannot be written."""
    return start(output, data).finish()


def start(output: Path, data: PublishInput) -> Started:
    """Start publishing ``data`` to output/: the pages that render in worker processes
    start rendering; nothing is written before :meth:`Started.finish`. Raises
    PublishError when the output cannot be made."""
    base_url = _base_url(data.site.base_url)
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PublishError(f"cannot create the output folder {output}: {error}") from error
    writer = OutputWriter(output)
    try:
        build = _Build(writer, data, base_url)
        build.start()
    except (ValueError, jinja2.TemplateError) as error:
        raise PublishError(f"cannot render the output: {error}") from error
    return Started(writer, build)


class Started:
    """A publish whose workers are rendering (see :func:`start`)."""

    def __init__(self, writer: OutputWriter, build: _Build) -> None:
        self._writer, self._build = writer, build

    def finish(self) -> PublishReport:
        """Write every file; raises PublishError when the output cannot be rendered."""
        writer = self._writer
        try:
            self._build.finish()
        except (ValueError, jinja2.TemplateError) as error:
            raise PublishError(f"cannot render the output: {error}") from error
        removed = writer.remove_stale(MANAGED_FOLDERS)
        return PublishReport(
            tuple(writer.written), writer.unchanged, tuple(removed), tuple(sorted(writer.produced))
        )

    def cancel(self) -> None:
        """Stop the workers; nothing is written."""
        self._build.workers.close()


def _base_url(value: str) -> str:
    url = safe_url(value)
    if not url or urlsplit(url).scheme not in ("http", "https"):
        raise PublishError(
            f"site.base_url {value!r} is not an http(s) URL; set it in sources.yaml to "
            "where output/ is served, e.g. https://example.org/veille/"
        )
    return url if url.endswith("/") else url + "/"


# --- choosing what goes where --------------------------------------------------------------


def newest(items: Iterable[Item], limit: int) -> list[Item]:
    """The first ``limit`` of items already sorted newest first."""
    return list(islice(items, max(0, limit)))


def group_newest(
    items: Iterable[Item], keys: Callable[[Item], Iterable[str]], limit: int
) -> dict[str, list[Item]]:
    """Items (sorted newest first) by key, each group capped at ``limit``; keys seen stay."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        for key in keys(item):
            group = groups.setdefault(key, [])
            if len(group) < limit:
                group.append(item)
    return groups


def group_by_week(items: Iterable[Item]) -> dict[Week, list[Item]]:
    """Dated items by ISO week of their date (Paris time), order kept."""
    weeks: dict[Week, list[Item]] = defaultdict(list)
    for item in items:
        if item.date is not None:
            weeks[week_of(item.date)].append(item)
    return dict(weeks)


def incident_order(incident: Incident) -> tuple[bool, float, str]:
    """Open incidents (ongoing or planned) first, then the most recently updated; ties by
    id."""
    return (status_of(incident) not in OPEN, -instant(incident.updated), incident.id)


def incident_page(incident_id: str) -> str:
    """The path of an incident's page, relative to output/."""
    return f"incidents/{file_name(incident_id)}.html"


def status_line(incident: Incident, stale: bool) -> str:
    """The incident's status in words, one line: "en cours, sans nouvelles depuis plus de
    14 jours"."""
    status = status_of(incident)
    label = STATUS.get(status, status)
    return f"{label}, sans nouvelles depuis plus de {STALE_AFTER.days} jours" if stale else label


def clean_incident(incident: Incident) -> Incident:
    """The incident with every text cleaned for XML and HTML."""
    return replace(
        incident,
        id=one_line(incident.id),
        title=plain(incident.title) or "Incident",
        payers=texts(incident.payers),
        kinds=texts(incident.kinds),
        organisations=texts(incident.organisations),
        items=tuple(filter(None, map(one_line, incident.items))),
        actions=texts(incident.actions),
        contacts=texts(incident.contacts),
    )


def clean_source(source: SourceStatus) -> SourceStatus:
    return replace(
        source,
        id=one_line(source.id),
        name=plain(source.name) or one_line(source.id),
        url=safe_url(clean_text(source.url)) or "",
        category=plain(source.category),
        last_error=plain(source.last_error) or None,
    )


def incident_json(incident: Incident) -> dict[str, object]:
    """One incident as incidents.json holds it (the contract's fields, in its order)."""
    return {
        "id": incident.id,
        "title": incident.title,
        "payers": list(incident.payers),
        "kinds": list(incident.kinds),
        "status": status_of(incident),
        "stale": incident.stale,
        "url": incident_page(incident.id),
        "started": iso(incident.started),
        "updated": iso(incident.updated),
        "resolved": iso(incident.resolved),
        "items": list(incident.items),
        "actions": list(incident.actions),
        "contacts": list(incident.contacts),
    }


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _site_of(url: str) -> str:
    """A URL's host without ``www.``: what tells one site from another."""
    return _host(url).removeprefix("www.")


def site_names(sources: Iterable[SourceStatus], items: Iterable[Item]) -> dict[str, str]:
    """Site (host without www.) -> the display name of the source published there: from
    the configured sources' addresses first, then from where items were found."""
    names: dict[str, str] = {}
    for source in sources:
        if source.url and source.name:
            names.setdefault(_site_of(source.url), plain(source.name))
    for item in items:
        if item.url and item.source_name:
            names.setdefault(_site_of(item.url), plain(item.source_name))
    return names


# --- the build -----------------------------------------------------------------------------


class _Build:
    """One publish run: sorted and grouped input, cleaned lazily, written in order."""

    def __init__(self, writer: OutputWriter, data: PublishInput, base_url: str) -> None:
        self.writer, self.data, self.base_url = writer, data, base_url
        self.site = data.site
        self.labels = Labels(payer=data.payer_name, kind=data.kind_label)
        self.limit = max(0, data.site.max_items)
        self.ordered = sorted(data.items, key=sort_key)
        self.by_id = {item.id: item for item in data.items}
        # One incident per id (the first given): each id is one page.
        unique = {
            i.id: replace(i, items=self.oldest_first(i.items))
            for i in map(clean_incident, reversed(data.incidents))
            if i.id
        }
        self.incidents = sorted(unique.values(), key=incident_order)
        self.incident_by_id = unique
        self._full: dict[str, Item] = {}
        self._light: dict[str, Item] = {}
        self._payer_groups: dict[str, list[Item]] | None = None
        self._kind_groups: dict[str, list[Item]] | None = None
        self._names: dict[tuple[str, str], str] = {}  # display names, asked once each
        self.renderer = SiteRenderer(plain(data.site.title) or "Veille", self._payer, self._kind)
        sites = site_names(data.sources, data.items)
        self.renderer.env.globals.update(
            summary_of=feeds.summary_text,
            # "Aussi publié sur" names the source of a copy, else its site.
            copy_name=lambda url: sites.get(_site_of(url)) or _site_of(url),
        )
        self.weeks = group_by_week(self.ordered)
        self.health = health_of(data.sources)
        # Understanding marks an ongoing incident with no news for STALE_AFTER as stale.
        self.stale = {i.id: i.stale for i in self.incidents}
        self.renderer.env.globals.update(
            latest_week=max(self.weeks, default=None),
            health=self.health,
            stale=self.stale,
            status_line=lambda incident: status_line(incident, self.stale.get(incident.id, False)),
            incident_page=incident_page,
        )

    # names and cleaning

    def _payer(self, slug: str) -> str:
        name = self._names.get(("p", slug))
        if name is None:
            name = self._names[("p", slug)] = plain(self.data.payer_name(slug)) or slug
        return name

    def _kind(self, kind: str) -> str:
        label = self._names.get(("k", kind))
        if label is None:
            label = self._names[("k", kind)] = plain(self.data.kind_label(kind)) or kind
        return label

    def full(self, items: Iterable[Item]) -> list[Item]:
        """Items cleaned for feeds: HTML sanitized again, and each stored item's body
        opened by a line on each of its incidents (cached per item)."""
        out = []
        for item in items:
            cleaned = self._full.get(item.id)
            if cleaned is None:
                cleaned = clean_item(item)
                if item.id in self.by_id and cleaned.incidents:
                    cleaned = self.with_incident_lines(cleaned)
                self._full[item.id] = cleaned
            out.append(cleaned)
        return out

    def with_incident_lines(self, item: Item) -> Item:
        """The item whose body begins with a line per incident: its page and its status."""
        known = [self.incident_by_id[i] for i in item.incidents if i in self.incident_by_id]
        if not known:
            return item
        template = self.renderer.env.get_template("feed_incident_lines.html")
        lines = template.render(incidents=known, base_url=self.base_url)
        body = item.content_html or item.summary or escape_text(item.title)
        return replace(item, content_html=clean_html(lines) + body)

    def light(self, items: Iterable[Item]) -> list[Item]:
        """Items cleaned for pages, which show text and links but never the stored HTML."""
        out = []
        for item in items:
            cleaned = self._light.get(item.id)
            if cleaned is None:
                cleaned = clean_item(item, html=False)
                self._light[item.id] = cleaned
            out.append(cleaned)
        return out

    # output

    def start(self) -> None:
        self.specs = specs = self.feed_specs()
        self.main_specs = tuple(specs["main"])
        self.payer_specs = {spec.path: spec for spec in specs["payers"]}
        self.incident_specs = {
            i.id: spec for i, spec in zip(self.incidents, specs["incidents"], strict=True)
        }
        self.feeds = self.feed_list(specs)
        # The weekly digests, the incident pages and the feeds (most of the rendering) are
        # rendered in forked processes, a share each, from here on, while this one goes on
        # (see finish); every file is still written here, in order.
        self.workers = Workers(default_workers())
        try:
            self.rendered = _Rendered(self.start_pages(self.workers))
        except BaseException:
            self.workers.close()
            raise

    def finish(self) -> None:
        specs = self.specs
        with self.workers:
            rendered = self.rendered
            # What this process renders itself, rendered before it waits on the workers
            # (the feeds come first), written in its place.
            incidents = self.incidents_json()
            payer_pages = list(self.payer_pages(specs["payers"]))
            last = [
                self.sources_page(),
                ("style.css", stylesheet()),
                ("feeds.opml", self.opml(specs)),
                self.subscribe_page(specs),
                self.index_page(specs["main"]),
            ]
            self.write_group(FEED_FILES, rendered)
            self.writer.write("incidents.json", incidents)
            self.write_group(INCIDENT_PAGES, rendered)
            for path, html in payer_pages:
                self.writer.write(path, html)
            self.write_group(DIGESTS, rendered)
        for path, data in last:
            self.writer.write(path, data)

    def feed_files(self, spec: FeedSpec, items: Sequence[Item]) -> list[tuple[str, bytes]]:
        """A feed's three files (RSS, Atom, JSON Feed), rendered."""
        cleaned = self.full(items)
        lang = one_line(self.site.language) or "fr"
        rss, atom = feeds.rss_and_atom(spec, cleaned, self.base_url, lang, self.labels)
        return [
            (spec.path + ".xml", rss),
            (spec.path + ".atom", atom),
            (spec.json_file, feeds.json_feed(spec, cleaned, self.base_url, lang)),
        ]

    def incident_entries(self) -> list[Item]:
        """One feed entry per incident, the most recently changed first (see changed_at)."""
        entries = [self.incident_entry(incident) for incident in self.incidents]
        entries.sort(key=lambda e: (-instant(e.date_modified or e.date or EPOCH), e.id))
        return entries[: self.limit]

    def incident_entry(self, incident: Incident) -> Item:
        """An incident as a feed entry: the same id forever, its date moving only when its
        status, actions or contacts change."""
        timeline = self.light(items_of(incident, self.by_id))
        changed = changed_at(incident, timeline)
        template = self.renderer.env.get_template("feed_incident.html")
        body = template.render(
            incident=incident,
            actions=actions_of(incident, timeline),
            contacts=contacts_of(incident, timeline, self._payer),
            news=latest(timeline),
            base_url=self.base_url,
        )
        return Item(
            id=INCIDENT_ID_PREFIX + incident.id,
            source="",
            url=self.base_url + incident_page(incident.id),
            title=f"{incident.title} ({status_line(incident, self.stale[incident.id])})",
            content_html=clean_html(body),
            date_published=incident.started,
            date_modified=changed,
            payers=incident.payers,
            kinds=incident.kinds,
            incidents=(incident.id,),
            actions=incident.actions,
            contacts=incident.contacts,
            source_name=plain(self.site.title) or "Veille",
        )

    def feed_specs(self) -> dict[str, list[FeedSpec]]:
        """Every feed, with its address and titles (what pages link to). A title begins
        with what tells it apart ("Viamedis · Veille tiers payant"), so that a reader's
        list of feeds, which cuts titles short, still tells them apart."""
        title = plain(self.site.title) or "Veille"
        main = FeedSpec("feed", title, "Tous les articles, les plus récents d’abord.", "index.html")
        advisories = FeedSpec(
            "advisories",
            f"Avis · {title}",
            "Articles qui concernent un organisme de tiers payant ou un incident.",
            "index.html",
        )
        incidents = FeedSpec(
            "incidents",
            f"Incidents · {title}",
            "Un article par incident, mis à jour quand son statut, les consignes ou les "
            "contacts changent.",
            "index.html",
            json_path=INCIDENTS_JSON_FEED,
        )
        payer_specs = []
        for slug in self.payer_groups():
            name = file_name(slug)
            spec = FeedSpec(
                f"payers/{name}",
                f"{self._payer(slug)} · {title}",
                f"Articles et incidents qui concernent {self._payer(slug)}.",
                f"payers/{name}.html",
            )
            payer_specs.append(spec)
        kind_specs = []
        for kind in sorted(self.kind_groups()):
            spec = FeedSpec(
                f"kinds/{file_name(kind)}",
                f"{self._kind(kind).capitalize()} · {title}",
                f"Articles qui signalent : {self._kind(kind)}.",
                "index.html",
            )
            kind_specs.append(spec)
        incident_specs = [
            FeedSpec(
                f"incidents/{file_name(incident.id)}",
                f"{incident.title} · {title}",
                f"Les articles de l’incident « {incident.title} ».",
                incident_page(incident.id),
            )
            for incident in self.incidents
        ]
        return {
            "main": [main, advisories, incidents],
            "payers": payer_specs,
            "kinds": kind_specs,
            "incidents": incident_specs,
        }

    def feed_list(self, specs: dict[str, list[FeedSpec]]) -> list[tuple[FeedSpec, list[Item]]]:
        """Every feed with its items, in the order the feeds are written."""
        main, advisories, incidents = specs["main"]
        found = [
            (main, newest(self.ordered, self.limit)),
            (advisories, newest((i for i in self.ordered if i.advisory), self.limit)),
            (incidents, self.incident_entries()),
        ]
        for spec, incident in zip(specs["incidents"], self.incidents, strict=True):
            items = sorted(items_of(incident, self.by_id), key=sort_key)
            found.append((spec, newest(items, self.limit)))
        found += zip(specs["payers"], self.payer_groups().values(), strict=True)
        kinds = self.kind_groups()
        found += [
            (spec, kinds[kind]) for spec, kind in zip(specs["kinds"], sorted(kinds), strict=True)
        ]
        return found

    def feed_pages(self, indexes: Iterable[int] | None = None) -> Iterator[tuple[str, bytes]]:
        """Every feed's files (in feed order), or those of the feeds at ``indexes``."""
        for index in range(len(self.feeds)) if indexes is None else sorted(indexes):
            yield from self.feed_files(*self.feeds[index])

    def kind_groups(self) -> dict[str, list[Item]]:
        if self._kind_groups is None:
            self._kind_groups = group_newest(self.ordered, _kinds, self.limit)
        return self._kind_groups

    def payer_groups(self) -> dict[str, list[Item]]:
        """Every payer named by an item or an incident, with its newest items, by name."""
        if self._payer_groups is None:
            self._payer_groups = self._group_payers()
        return self._payer_groups

    def _group_payers(self) -> dict[str, list[Item]]:
        groups = group_newest(self.ordered, _payers, self.limit)
        for slug in self.data.payers:
            groups.setdefault(slug, [])
        for incident in self.incidents:
            for slug in incident.payers:
                groups.setdefault(slug, [])
        return dict(
            sorted(groups.items(), key=lambda pair: (self._payer(pair[0]).lower(), pair[0]))
        )

    def incidents_json(self) -> bytes:
        found = [incident_json(i) for i in self.incidents]
        return feeds.dump_json({"incidents": found})

    def oldest_first(self, ids: Sequence[str]) -> tuple[str, ...]:
        """Item ids by date, oldest first; unknown or undated ones last, in their order."""

        def key(item_id: str) -> tuple[bool, float]:
            item = self.by_id.get(item_id)
            date = item.date if item else None
            return (date is None, instant(date) if date else 0.0)

        return tuple(sorted(dict.fromkeys(ids), key=key))

    def timeline(self, incident: Incident) -> list[Item]:
        return self.light(self.by_id[i] for i in incident.items if i in self.by_id)

    def incident_pages(self, indexes: Iterable[int] | None = None) -> Iterator[tuple[str, bytes]]:
        """Every incident's page (in incident order), or those at ``indexes``, rendered."""
        for index in range(len(self.incidents)) if indexes is None else sorted(indexes):
            incident = self.incidents[index]
            payers = (self.payer_specs.get(f"payers/{file_name(p)}") for p in incident.payers)
            own = self.incident_specs[incident.id]
            offered = (own, *filter(None, payers), *self.main_specs)
            page = Page("incident.html", incident_page(incident.id), incident.title, offered)
            timeline = self.timeline(incident)
            html = self.renderer.render(
                page,
                incident=incident,
                timeline=timeline,
                news=latest(timeline),
                actions=actions_of(incident, timeline),
                contacts=contacts_of(incident, timeline, self._payer),
            )
            yield page.path, html

    def payer_pages(self, specs: Sequence[FeedSpec]) -> Iterator[tuple[str, bytes]]:
        by_payer: dict[str, list[Incident]] = defaultdict(list)
        for incident in self.incidents:
            for slug in incident.payers:
                by_payer[file_name(slug)].append(incident)
        groups = self.payer_groups()
        for spec, (slug, items) in zip(specs, groups.items(), strict=True):
            page = Page("payer.html", spec.page, self._payer(slug), (spec, *self.main_specs))
            html = self.renderer.render(
                page,
                slug=slug,
                incidents=by_payer.get(file_name(slug), []),
                items=self.light(items),
            )
            yield page.path, html

    def start_pages(self, workers: Workers) -> list[Future[list[tuple[int, str, bytes]]]] | None:
        """The digests, incident pages and feeds rendering in workers, a share each, or
        None (they render when written). Numbered weeks first (oldest first), then
        incidents, then feeds (a feed's three files under one number); shared out by the
        items each shows (a feed's items count thrice, written in full three times)."""
        # In the order of groups(): digests, incident pages, feeds.
        sizes = [len(items) for _, items in sorted(self.weeks.items())]
        sizes += [len(incident.items) for incident in self.incidents]
        sizes += [3 * len(items) for _, items in self.feeds]
        if not workers.size or len(sizes) < 2:
            return None
        workers.share(self)  # the workers, forked by submit(), render from this build
        started = [
            workers.submit(_render_pages, share) for share in page_shares(sizes, workers.size)
        ]
        futures = [future for future in started if future is not None]
        return futures if len(futures) == len(started) else None

    def groups(self) -> list[tuple[int, Renderer]]:
        """The groups of pages the workers number one after another (DIGESTS,
        INCIDENT_PAGES, FEED_FILES): how many pages each holds, and what renders them."""
        return [
            (len(self.weeks), self.digests),
            (len(self.incidents), self.incident_pages),
            (len(self.feeds), self.feed_pages),
        ]

    def write_group(self, group: int, rendered: _Rendered | None = None) -> None:
        """Write a group's files: as the workers rendered them, else rendered here."""
        groups = self.groups()
        first = sum(size for size, _ in groups[:group])
        size, render = groups[group]
        ready = rendered.pages(range(first, first + size)) if rendered else None
        for path, data in ready if ready is not None else render(None):
            self.writer.write(path, data)

    def digests(self, indexes: Iterable[int] | None = None) -> Iterator[tuple[str, bytes]]:
        """Every week's digest (oldest first), or those of the weeks at ``indexes``
        (counted oldest first), rendered."""
        weeks = sorted(self.weeks)
        for index in range(len(weeks)) if indexes is None else sorted(indexes):
            week = weeks[index]
            items = self.light(self.weeks[week])
            seen = dict.fromkeys(i for item in items for i in item.incidents)
            incidents = [self.incident_by_id[i] for i in seen if i in self.incident_by_id]
            page = Page(
                "digest.html",
                f"digests/{week_name(week)}.html",
                f"Semaine {week[1]} de {week[0]}",
                self.main_specs,
            )
            html = self.renderer.render(
                page,
                week=week,
                previous=weeks[index - 1] if index else None,
                next=weeks[index + 1] if index + 1 < len(weeks) else None,
                incidents=sorted(incidents, key=incident_order),
                advisories=[i for i in items if i.advisory],
                news=[i for i in items if not i.advisory],
            )
            yield page.path, html

    def sources_page(self) -> tuple[str, bytes]:
        page = Page("sources.html", "sources.html", "Sources", self.main_specs)
        sources = [clean_source(s) for s in self.data.sources]
        return page.path, self.renderer.render(page, sources=sources)

    def index_page(self, specs: Sequence[FeedSpec]) -> tuple[str, bytes]:
        ongoing = [i for i in self.incidents if status_of(i) in OPEN]
        resolved = sorted(
            (i for i in self.incidents if status_of(i) == "resolved"),
            key=lambda i: (-instant(i.resolved or i.updated), i.id),
        )
        page = Page("index.html", "index.html", "Accueil", tuple(specs))
        html = self.renderer.render(
            page,
            updated=_newest(self.ordered),
            ongoing=ongoing,
            resolved=resolved[:INDEX_RESOLVED],
            advisories=self.light(newest((i for i in self.ordered if i.advisory), INDEX_ITEMS)),
            news=self.light(newest((i for i in self.ordered if not i.advisory), INDEX_ITEMS)),
            payers=list(self.payer_groups()),
            weeks=sorted(self.weeks, reverse=True)[:12],
        )
        return page.path, html

    def subscribe_page(self, specs: dict[str, list[FeedSpec]]) -> tuple[str, bytes]:
        page = Page("subscribe.html", "subscribe.html", "S’abonner", self.main_specs)
        html = self.renderer.render(
            page,
            base_url=self.base_url,
            main=specs["main"],
            payer_feeds=specs["payers"],
            kind_feeds=specs["kinds"],
        )
        return page.path, html

    def opml(self, specs: dict[str, list[FeedSpec]]) -> bytes:
        groups = [
            ("", specs["main"]),
            ("Par organisme", specs["payers"]),
            ("Par type d’incident", specs["kinds"]),
            ("Par incident", specs["incidents"]),
        ]
        title = plain(self.site.title) or "Veille"
        return feeds.opml(title, [(h, s) for h, s in groups if s], self.base_url)


def _render_pages(indexes: list[int]) -> list[tuple[int, str, bytes]]:
    """In a worker: the files of the pages at ``indexes`` (see _Build.start_pages), each
    with its page's index."""
    build: _Build = shared()  # given by start_pages, inherited by the fork
    groups = build.groups()
    found = []
    for index in sorted(indexes):
        first = index
        for size, render in groups:
            if first < size:
                found += [(index, path, data) for path, data in render([first])]
                break
            first -= size
    return found


class _Rendered:
    """Pages the workers rendered, by their number (see _Build.start_pages), read once all
    are done; None for any page when a worker failed (then they render here: a worker lost
    costs time, never a page)."""

    def __init__(self, started: Sequence[Future[list[tuple[int, str, bytes]]]] | None) -> None:
        self._started = started
        self._pages: dict[int, list[tuple[str, bytes]]] | None = None

    def pages(self, indexes: Iterable[int]) -> list[tuple[str, bytes]] | None:
        """The files of the pages at ``indexes``, in order."""
        if self._started is None:
            return None
        if self._pages is None:
            try:
                pages: dict[int, list[tuple[str, bytes]]] = {}
                for future in self._started:
                    for index, path, data in future.result():
                        pages.setdefault(index, []).append((path, data))
                self._pages = pages
            except Exception as error:
                log.debug("page worker failed (%r); rendering here", error)
                self._started = None
                return None
        return [file for index in indexes for file in self._pages[index]]


def page_shares(sizes: Sequence[int], count: int) -> list[list[int]]:
    """The indexes of ``sizes`` in at most ``count`` shares of about equal total size
    (each index to the lightest share, largest first); none empty."""
    shares: list[list[int]] = [[] for _ in range(max(1, min(count, len(sizes))))]
    totals = [0] * len(shares)
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        lightest = totals.index(min(totals))
        shares[lightest].append(index)
        totals[lightest] += sizes[index]
    return [share for share in shares if share]


def _payers(item: Item) -> Iterator[str]:
    return iter(item.payers)


def _kinds(item: Item) -> Iterator[str]:
    return iter(item.kinds)


def _newest(items: Sequence[Item]) -> datetime | None:
    return items[0].date if items else None
