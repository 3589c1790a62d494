"""`aggregator check`: fetch one source and show what each step extracts, storing nothing."""

from __future__ import annotations

from collections.abc import Callable

from aggregator.collect.extract.article import parse_article
from aggregator.collect.extract.feed import parse_feed
from aggregator.collect.extract.html import explain_list, parse_list
from aggregator.collect.fetch import Fetcher, source_urls
from aggregator.errors import ExtractError
from aggregator.models import Config, RawItem, Source

Echo = Callable[[str], None]
SHOWN = 10


async def check_source(config: Config, source: Source, echo: Echo) -> bool:
    """Print the fetch, each selector's matches and the items; True when items came out."""
    async with Fetcher(config.fetch, allow=source_urls(config)) as fetcher:
        echo(f"{source.id} ({source.type}) {source.url}")
        result = await fetcher.fetch(source.url)
        echo(
            f"  HTTP {result.status}, {len(result.content)} bytes, {result.elapsed:.2f} s"
            f"{', error: ' + result.error if result.error else ''}"
        )
        if not result.ok:
            return False
        try:
            if source.type == "feed":
                page = parse_feed(result.content, result.final_url, result.headers)
            else:
                assert source.list is not None
                for line in explain_list(
                    result.content, result.final_url, source.list, result.headers
                ):
                    echo(f"  {line}")
                page = parse_list(result.content, result.final_url, source.list, result.headers)
        except ExtractError as exc:
            echo(f"  error: {exc}")
            return False
        echo(
            f"  {len(page.items)} items"
            + (f", next page: {page.next_url}" if page.next_url else "")
        )
        for item in page.items[:SHOWN]:
            _show(item, echo)
        if source.article and page.items:
            first = page.items[0]
            echo(f"  article step on {first.url}:")
            article = await fetcher.fetch(first.url)
            if not article.ok:
                echo(f"    error: {article.error}")
                return False
            try:
                body = parse_article(
                    article.content, article.final_url, source.article, article.headers
                )
            except ExtractError as exc:
                echo(f"    error: {exc}")
                return False
            echo(f"    {len(body.text)} characters, date {body.published}: {body.text[:200]}")
        return bool(page.items)


def _show(item: RawItem, echo: Echo) -> None:
    date = item.published.isoformat() if item.published else "no date"
    echo(f"  - {item.title[:90]}")
    echo(f"    {item.url}  ({date})")
