"""The value types passed between stages.

The pipeline is fetch -> extract -> dedupe -> classify -> incidents -> publish. Each stage
takes and returns these types; only ``store`` turns them into SQLite rows and back.
All datetimes are timezone-aware.

Text is ``str``; HTML is :class:`markupsafe.Markup`, made only by the sanitizer
(``text.sanitize.clean_html``, or ``escape_text`` for text shown as HTML), so that text can
reach an HTML field only escaped. Text fields hold text already decoded, once, by the
parser that read them: nothing downstream decodes them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from markupsafe import Markup

from aggregator.text.sanitize import NO_HTML

SourceType = Literal["feed", "html"]
Category = Literal["press", "union", "payer", "authority", "other"]
Status = Literal["planned", "ongoing", "resolved"]
StatusSignal = Literal["resolved", "failure", "planned"]


# --- configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListSelectors:
    """CSS selectors of an HTML list page (``list:`` in sources.yaml)."""

    item: str
    title: str
    link: str
    date: str | None = None
    summary: str | None = None
    next: str | None = None


@dataclass(frozen=True)
class ArticleSelectors:
    """CSS selectors of an article page (``article:`` in sources.yaml).

    ``content`` None: the body is found by the main-content extractor (see article.py).
    """

    content: str | None = None
    remove: tuple[str, ...] = ()
    date: str | None = None


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    type: SourceType
    url: str
    category: Category = "other"
    enabled: bool = True
    list: ListSelectors | None = None
    pages: int = 1
    article: ArticleSelectors | None = None


@dataclass(frozen=True)
class FetchOptions:
    """Tunables of the fetcher (``fetch:`` in sources.yaml), with polite defaults."""

    user_agent: str = "aggregator/0.1 (+https://example.org/veille/)"
    timeout: float = 20.0  # total seconds per request, connection to last byte
    concurrency: int = 16  # requests in flight over all hosts
    per_host_delay: float = 0.5  # seconds between two requests to one host
    max_bytes: int = 10 * 1024 * 1024  # per response, after decompression
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a timeout, a 5xx, a 429
    backoff: float = 1.0  # first retry delay in seconds, doubled each time
    max_retry_after: float = 60.0  # a longer Retry-After gives up instead of waiting
    respect_robots: bool = True
    # Budgets: what one item, one document, one source and one run may cost (SECURITY.md).
    max_crawl_delay: float = 30.0  # a longer robots.txt Crawl-delay is cut to this
    max_item_html: int = 100_000  # characters of HTML kept per body, cut at a tag boundary
    max_items_per_document: int = 500  # newest first; the rest of a document is dropped
    max_articles_per_source: int = 30  # article pages fetched per source and run, newest first
    source_seconds: float = 120.0  # article pages stop being fetched after this
    run_seconds: float = 240.0  # collecting stops after this (within a 5-minute cron)
    # Polling by due time (see collect/schedule.py): each source is fetched again after an
    # interval that follows how often it publishes, within these bounds in seconds.
    min_interval: float = 300.0  # 5 minutes: the cron period the README suggests
    max_interval: float = 21600.0  # 6 hours: the longest a quiet source goes unchecked
    # Hosts that may be fetched even at an internal address (loopback, private, link-local),
    # as "host" (any port) or "host:port"; each source URL's own host and port always may.
    allow_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteOptions:
    title: str = "Veille tiers payant et incidents"
    base_url: str = "https://example.org/veille/"
    language: str = "fr"
    max_items: int = 100


@dataclass(frozen=True)
class NotifyTarget:
    """One alert target (``notify:`` in sources.yaml): an Apprise URL and its filters."""

    url: str
    payers: tuple[str, ...] = ()  # only incidents of these payers (empty: all)
    kinds: tuple[str, ...] = ()  # only incidents of these kinds (empty: all)


@dataclass(frozen=True)
class Config:
    site: SiteOptions
    sources: tuple[Source, ...]
    fetch: FetchOptions = field(default_factory=FetchOptions)
    notify: tuple[NotifyTarget, ...] = ()
    taxonomy: dict[str, object] = field(default_factory=dict)  # overrides, see classify
    path: str = "sources.yaml"


# --- fetching and extraction ----------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP exchange gave. ``error`` is a human reason when it failed."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    content: bytes = b""
    not_modified: bool = False  # 304: the cached copy is still good
    error: str | None = None  # "HTTP 404", "timed out after 20 s", ...
    elapsed: float = 0.0
    etag: str | None = None
    last_modified: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class RawItem:
    """One entry as a feed or a list page gives it, HTML already sanitized."""

    guid: str  # the feed's id, else the link
    url: str  # absolute
    title: str  # text
    summary: Markup = NO_HTML
    content: Markup = NO_HTML  # body (feed content or article page)
    published: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class ParsedPage:
    items: list[RawItem]
    next_url: str | None = None  # pagination of HTML lists
    title: str | None = None  # feed or page title


@dataclass(frozen=True)
class ArticleBody:
    content: Markup  # the selected body, minus ``remove``
    text: str  # its plain text, for classification
    published: datetime | None = None
    # Where the body came from: the `content` selector, or the main-content extractor
    # because no selector is configured ("extractor") or it matched nothing ("missed").
    via: Literal["selector", "extractor", "missed"] = "selector"


# --- understanding ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Classification:
    payers: tuple[str, ...] = ()  # slugs of payers hit (not those said to be unaffected)
    kinds: tuple[str, ...] = ()  # incident kinds
    organisations: tuple[str, ...] = ()  # non-payer organisations named (slugs)
    actions: tuple[str, ...] = ()  # short French phrases
    contacts: tuple[str, ...] = ()  # normalised phone numbers ("0805 62 00 10"), emails
    status: StatusSignal | None = None  # does this item say service is back, or broken?
    # Why each tag was given: "kind:outage rule-id «sentence»", one line per tag.
    reasons: tuple[str, ...] = ()

    @property
    def advisory(self) -> bool:
        return bool(self.payers or self.kinds)


@dataclass(frozen=True)
class Merge:
    """Why an entry was folded into an existing item."""

    target: str  # id of the item it joins
    rule: str  # "guid", "url", "near-duplicate", "joint statement"
    score: float  # 1.0 for exact rules, similarity for near-duplicates


@dataclass(frozen=True)
class Item:
    """A published story: one per article as a reader sees it (JSON Feed item)."""

    id: str  # stable forever
    source: str  # source id of the first sighting
    url: str  # canonical URL
    title: str  # text
    content_html: Markup = NO_HTML
    summary: Markup = NO_HTML
    date_published: datetime | None = None
    date_modified: datetime | None = None
    first_seen: datetime | None = None
    payers: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()
    also_at: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    status: StatusSignal | None = None
    source_name: str = ""

    @property
    def advisory(self) -> bool:
        return bool(self.payers or self.kinds)

    @property
    def date(self) -> datetime | None:
        """The date an item is sorted by: published, else first seen."""
        return self.date_published or self.first_seen

    @property
    def tags(self) -> tuple[str, ...]:
        return self.payers + self.kinds


@dataclass(frozen=True)
class Incident:
    id: str  # stable across runs
    title: str  # readable French title
    payers: tuple[str, ...]
    kinds: tuple[str, ...]
    status: Status
    started: datetime
    updated: datetime
    resolved: datetime | None
    items: tuple[str, ...]  # item ids, oldest first
    actions: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()  # the key when there is no payer
    # Ongoing with no news for STALE_AFTER (see is_stale), as of when it was read.
    stale: bool = False


# Ongoing with no news this long: "sans nouvelles". Here, beside Incident, because both the
# understanding stage (when it groups) and the store (when it reads, as time has moved) ask.
STALE_AFTER = timedelta(days=14)


def is_stale(status: str, updated: datetime, now: datetime) -> bool:
    """Ongoing with no news for STALE_AFTER: shown as "sans nouvelles", not as a fresh alarm."""
    return status == "ongoing" and now - updated > STALE_AFTER


# --- operation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceStatus:
    id: str
    name: str
    url: str
    category: str
    enabled: bool
    last_success: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    consecutive_failures: int = 0
    items: int = 0
    gone: bool = False
    articles_waiting: int = 0  # article pages that failed, to be fetched again
    articles_given_up: int = 0  # article pages that failed every retry
    notes: str | None = None  # budgets the last run hit, for ``status``


@dataclass(frozen=True)
class Entry:
    """One stored sighting of an item: a (source, guid) pair as the store keeps it."""

    id: str
    source: str
    guid: str
    url: str
    canonical_url: str
    title: str  # text
    summary: Markup = NO_HTML
    content: Markup = NO_HTML
    published: datetime | None = None
    updated: datetime | None = None
    first_seen: datetime | None = None
    item_id: str | None = None  # the item it was folded into; None until understood
    merge_rule: str | None = None  # why it was folded into another entry's item
    changed: bool = False  # an edit of an entry that was already understood


# --- what each stage hands the store -------------------------------------------------------


@dataclass(frozen=True)
class Collected:
    """What collecting one source gave: its exchanges and items, or why it failed."""

    source: Source
    items: tuple[RawItem, ...] = ()
    canonical: tuple[str, ...] = ()  # each item's canonical URL, in the same order
    exchanges: tuple[FetchResult, ...] = ()
    error: str | None = None
    gone: bool = False  # HTTP 410: the source said it will not come back
    unchanged: bool = False  # answered 304 Not Modified
    notes: tuple[str, ...] = ()  # budgets hit, for status
    # Article pages: (guid, url, error) of those that failed, (guid, body, date) of known
    # entries whose page, failed before, answered this time.
    article_failures: tuple[tuple[str, str, str], ...] = ()
    article_bodies: tuple[tuple[str, Markup, datetime | None], ...] = ()


@dataclass(frozen=True)
class Saved:
    """What the store made of collected sources: the entries written, and each source as
    stored (one whose entries could not be stored carries that failure, and no items)."""

    results: tuple[Collected, ...]
    new: int = 0
    updated: int = 0


@dataclass(frozen=True)
class Mark:
    """An entry folded into an item: its own (``merge`` None) or another's, and why."""

    entry_id: str
    item_id: str
    merge: Merge | None = None


@dataclass(frozen=True)
class Understood:
    """What understanding the pending entries gave, for the store to write at once."""

    items: tuple[Item, ...]  # items founded or changed, the last version of each
    marks: tuple[Mark, ...]  # entries folded into an item
    edits: tuple[str, ...]  # ids of edited entries understood (their mark stands)
    incidents: tuple[Incident, ...]  # every incident, regrouped
    new_items: int
