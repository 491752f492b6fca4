"""Elasticsearch as a sink target: mentions indexed under their deterministic id."""

from __future__ import annotations

import logging

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as EsConnectionError
from elasticsearch import ConnectionTimeout

from passaparola.elastic import has_analyzer
from passaparola.errors import PassaparolaError
from passaparola.metrics import INDEXED
from passaparola.schema import Mention, SchemaError
from sinks.base import Record, Rejected, Sink, TransientError
from sinks.mappings import MAPPING_VERSION, mentions_template

log = logging.getLogger(__name__)

# Per-item bulk statuses worth retrying: overload and server-side failures.
_RETRYABLE = {429, 500, 502, 503, 504}


class MappingConflict(PassaparolaError):
    """The existing index's mapping contradicts this version's."""


def mentions_index(prefix: str) -> str:
    return f"{prefix}-mentions-v{MAPPING_VERSION}"


class ElasticsearchSink(Sink):
    """Writes mentions to ``<prefix>-mentions-v<mapping version>``, read via the ``<prefix>-mentions`` alias.

    Args:
        client: a connected client (see :func:`passaparola.elastic.connect`).
        prefix: index name prefix, ``passaparola`` by default; tests use their own.
        replicas: replicas per shard for the indices this sink creates.
        worker: the name metrics are labelled with.
    """

    def __init__(self, client: Elasticsearch, prefix: str, replicas: int = 0, worker: str = "sink"):
        self.client, self.prefix, self.replicas, self.worker = client, prefix, replicas, worker
        self.index = mentions_index(prefix)

    def setup(self) -> None:
        languages = has_analyzer(self.client, "italian") and has_analyzer(self.client, "english")
        if not languages:
            log.warning("cluster lacks the italian/english analyzers: text.it and text.en use the standard analyzer")
        template = mentions_template(self.prefix, languages, self.replicas)
        self.client.indices.put_index_template(name=f"{self.prefix}-mentions", **template)
        if not self.client.indices.exists(index=self.index):
            try:
                self.client.indices.create(index=self.index)
                return
            except ApiError as err:  # another sink worker created it first
                if err.meta.status != 400 or "already_exists" not in str(err):
                    raise
        self._extend_mapping(template["template"]["mappings"])

    def _extend_mapping(self, mappings: dict) -> None:
        # An index made by an earlier version lacks the fields added since: adding fields
        # is allowed in place. A changed field is not, and needs a new MAPPING_VERSION.
        try:
            self.client.indices.put_mapping(index=self.index, **mappings)
        except ApiError as err:
            if err.meta.status == 400:
                raise MappingConflict(
                    f"{self.index} has a mapping this version cannot extend ({err.message}); "
                    "bump sinks.mappings.MAPPING_VERSION so a new index is created"
                ) from err
            raise

    def write(self, batch: list[Record]) -> list[Rejected]:
        rejected, operations, sent = [], [], []
        for record in batch:
            try:
                mention = Mention.from_json(record.value)
            except SchemaError as err:
                rejected.append(Rejected(record, f"not a mention: {err}"))
                continue
            operations += [{"index": {"_index": self.index, "_id": mention.id}}, mention.model_dump(mode="json")]
            sent.append(record)
        if not operations:
            return rejected
        try:
            reply = self.client.bulk(operations=operations)
        except (EsConnectionError, ConnectionTimeout) as err:
            raise TransientError(f"Elasticsearch unreachable: {err}") from err
        except ApiError as err:
            if err.meta.status in _RETRYABLE:
                raise TransientError(f"Elasticsearch answered {err.meta.status}") from err
            raise
        return rejected + self._classify(reply["items"], sent)

    def _classify(self, items: list[dict], sent: list[Record]) -> list[Rejected]:
        rejected, retry = [], 0
        for item, record in zip(items, sent):
            result = item["index"]
            status = result["status"]
            if status in _RETRYABLE:
                retry += 1
            elif status >= 300:
                error = result.get("error", {})
                rejected.append(Rejected(record, f"rejected by Elasticsearch ({status}): {error.get('type')}: {error.get('reason')}"))
        if retry:
            # The whole batch goes again: documents already written are overwritten
            # under the same id, so a retry cannot double anything.
            raise TransientError(f"{retry} of {len(sent)} documents not accepted now (overloaded)")
        INDEXED.labels(self.worker, self.index).inc(len(sent) - len(rejected))
        return rejected
