"""Source connectors, one module per platform; :func:`connector_class` finds one by kind."""

from __future__ import annotations

import importlib

from ingest.connectors.base import Checkpoint, Connector, Cursor, Item, Problem, SourceContext

# kind (a Source's ``kind``, the Mention's ``platform``) -> "module:Class"; imported on use,
# so a worker loads only the connectors its sources need.
CONNECTORS: dict[str, str] = {
    "feed": "ingest.connectors.feed:FeedConnector",
    "wordpress": "ingest.connectors.wordpress:WordPressConnector",
    "disqus": "ingest.connectors.disqus:DisqusConnector",
    "mastodon": "ingest.connectors.mastodon:MastodonConnector",
    "bluesky": "ingest.connectors.bluesky:BlueskyConnector",
    "reddit": "ingest.connectors.reddit:RedditConnector",
    "hackernews": "ingest.connectors.hackernews:HackerNewsConnector",
    "x": "ingest.connectors.x:XConnector",
    "facebook": "ingest.connectors.facebook:FacebookConnector",
    "youtube": "ingest.connectors.youtube:YouTubeConnector",
}


def connector_class(kind: str) -> type[Connector]:
    try:
        module, name = CONNECTORS[kind].split(":")
    except KeyError:
        raise ValueError(f"no connector for kind {kind!r}; known: {', '.join(CONNECTORS)}") from None
    return getattr(importlib.import_module(module), name)


__all__ = ["CONNECTORS", "Checkpoint", "Connector", "Cursor", "Item", "Problem", "SourceContext", "connector_class"]
