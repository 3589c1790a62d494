"""What one item and one document may cost, whatever the bytes they came from.

A response is already capped in bytes (``fetch.max_bytes``), but bounded bytes can still
make unbounded work: a few bodies near the cap are copied into every feed they belong to,
and a feed of tiny items holds tens of thousands of them. These pure functions cut a
parsed document down to its budget and say what they cut, for ``status``.

>>> cut_html(Markup("<p>" + "a" * 50 + "</p><p>" + "b" * 50 + "</p>"), 70)
Markup('<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p>…')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from markupsafe import Markup

from aggregator.models import ParsedPage, RawItem
from aggregator.text.sanitize import clean_html

ELLIPSIS = "…"


def cut_html(html: Markup, limit: int) -> Markup:
    """Sanitized HTML cut to at most about ``limit`` characters, before a tag.

    Cutting before a ``<`` never splits a tag or a character reference; the sanitizer then
    closes whatever elements the cut left open, as any HTML parser would. An ellipsis ends
    the text.
    """
    if len(html) <= limit:
        return html
    end = html.rfind("<", 0, limit + 1)
    if end <= 0:  # no tag starts after the first one: cut the text that follows it
        first_tag_end = html.find(">") + 1 if html.startswith("<") else 0
        end = limit if first_tag_end <= limit else 0
        reference = html.rfind("&", first_tag_end, end)
        if reference > html.rfind(";", first_tag_end, end):  # a reference the cut would split
            end = reference
    # The ellipsis goes in before sanitizing: it ends the text of the element left open.
    return clean_html(html[:end].rstrip() + ELLIPSIS)


def newest_first(items: Sequence[RawItem]) -> list[RawItem]:
    """Dated items newest first, then the undated ones in the document's order."""
    dated = [item for item in items if _date(item) is not None]
    undated = [item for item in items if _date(item) is None]
    dated.sort(key=lambda item: _date(item) or datetime.min, reverse=True)
    return dated + undated


def _date(item: RawItem) -> datetime | None:
    return item.published or item.updated


def within_budget(page: ParsedPage, max_items: int, max_html: int) -> tuple[ParsedPage, list[str]]:
    """The page with at most ``max_items`` items (the newest) and bodies of at most
    ``max_html`` characters, and a note for each budget it went over."""
    notes = []
    items = page.items
    if len(items) > max_items:
        notes.append(
            f"{len(items) - max_items} of {len(items)} items dropped, oldest first "
            f"(fetch.max_items_per_document = {max_items})"
        )
        items = newest_first(items)[:max_items]
    cut = 0
    kept = []
    for item in items:
        small = cut_item(item, max_html)
        cut += small is not item
        kept.append(small)
    if cut:
        notes.append(f"{cut} bodies cut to {max_html} characters (fetch.max_item_html)")
    return replace(page, items=kept), notes


def cut_item(item: RawItem, max_html: int) -> RawItem:
    """The item itself when its summary and body are within ``max_html``, else a copy cut."""
    if len(item.summary) <= max_html and len(item.content) <= max_html:
        return item
    return replace(
        item, summary=cut_html(item.summary, max_html), content=cut_html(item.content, max_html)
    )
