"""One feed, read once, from a file or a URL: what ``passaparola ingest feed`` uses.

Files are parsed as they are (no HTTP, no comment feeds); URLs are fetched with the same
polite HTTP client as the scheduled sources. Nothing here raises for the feed's faults:
they come back as problems or as the failure message.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from core.schema import Mention
from core.settings import Settings, Source
from ingest.connectors import Problem, SourceContext
from ingest.http import BadBody, HttpClient, HttpProblem


def read_feed(settings: Settings, location: str, name: str = "feed-cli",
              brand: str | None = None) -> tuple[list[Mention], list[Problem], str | None]:
    """``(mentions, problems, failure)`` for the feed at ``location`` (a path or an http(s) URL)."""
    from ingest.connectors.feed import FeedConnector

    is_url = location.startswith(("http://", "https://"))
    source = Source(name=name, kind="feed", url=location if is_url else Path(location).resolve().as_uri(), brand=brand)

    async def go() -> tuple[list[Mention], list[Problem], str | None]:
        async with HttpClient(name, settings.ingest) as http:
            connector = FeedConnector(SourceContext(source, settings.brands, settings.secrets), http)
            if is_url:
                try:
                    response = await http.get(location)
                except (BadBody, HttpProblem) as err:
                    return [], [], str(err)
                body, headers = response.body, dict(response.headers)
            else:
                limit = settings.ingest.max_body_bytes
                try:
                    with Path(location).open("rb") as file:
                        body, headers = file.read(limit + 1), None  # no more: it may be /dev/zero
                except OSError as err:
                    return [], [], f"cannot read the file: {err.strerror or err}"
                if len(body) > limit:
                    return [], [], f"the file exceeds max_body_bytes ({limit:,} bytes)"
            items = connector.parse(body, url=location, headers=headers)
        mentions = [i for i in items if isinstance(i, Mention)]
        problems = [i for i in items if isinstance(i, Problem)]
        return mentions, problems, None

    return asyncio.run(go())
