"""``passaparola search``: full text over the mentions alias, as an analyst types it.

The text goes to Elasticsearch's ``simple_query_string`` over the plain, Italian and
English analyses of ``text`` and ``title`` (so "consegna" finds "consegne"), every word
required unless ``|`` says otherwise; quotes make phrases, ``-`` excludes.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from elasticsearch import Elasticsearch

FIELDS = ["text", "text.it", "text.en", "title^2", "title.it^2", "title.en^2"]
_DURATION = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class SearchError(ValueError):
    """A search option that cannot be understood; the text says which and how."""


def since_time(value: str, now: datetime | None = None) -> datetime:
    """``24h``, ``7d``, ``2w``, ``30m`` ago, or an ISO date/time (UTC if no zone)."""
    now = now or datetime.now(timezone.utc)
    match = _DURATION.match(value.strip())
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SearchError(f"--since {value!r}: use 30m, 24h, 7d, 2w or an ISO date like 2026-11-01") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def build_query(text: str, brand: str | None = None, platform: str | None = None, since: datetime | None = None) -> dict:
    filters: list[dict] = []
    if brand:
        filters.append({"term": {"brands": brand}})
    if platform:
        filters.append({"term": {"platform": platform}})
    if since:
        filters.append({"range": {"published_at": {"gte": since.isoformat()}}})
    must = [{"simple_query_string": {"query": text, "fields": FIELDS, "default_operator": "and"}}] if text.strip() else []
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filters}}


def search(
    client: Elasticsearch,
    index: str,
    text: str,
    brand: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    size: int = 20,
) -> tuple[int, list[dict]]:
    """(how many match, the best ``size`` of them, newest first among equals)."""
    reply = client.search(
        index=index,
        query=build_query(text, brand, platform, since),
        size=size,
        track_total_hits=True,
        sort=["_score", {"published_at": "desc"}],
    )
    return reply["hits"]["total"]["value"], [hit["_source"] for hit in reply["hits"]["hits"]]
