"""Elasticsearch as a sink target: each document under its deterministic id, in the monthly
index its own timestamp names (see :mod:`sinks.mappings`)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from elasticsearch import ApiError, ConnectionTimeout, Elasticsearch
from elasticsearch import ConnectionError as EsConnectionError

from core.elastic import connect, has_analyzer
from core.errors import PassaparolaError
from core.metrics import INDEXED
from core.schema import Mention, SchemaError
from core.settings import Settings
from sinks.base import Record, Rejected, Sink, TransientError
from sinks.mappings import KINDS, Kind, index_template, mappings, retention_policy

log = logging.getLogger(__name__)

# Per-item bulk statuses worth retrying: overload and server-side failures.
_RETRYABLE = {429, 500, 502, 503, 504}
# Retried whatever its status: a block is the state of an index or of the cluster, never a
# fault of the document. The flood-stage disk block answers 429 (retried anyway); an
# operator's write or read-only block answers 403, per document or for the whole request,
# and must neither dead-letter the documents nor stop the sink (guarded by
# tests/faults/test_elasticsearch_blocks.py).
_BLOCKED = "cluster_block_exception"


@dataclass
class _Request:
    """One bulk request of a batch: its operations, their size, the records they carry."""

    operations: list = field(default_factory=list)
    sent: list[Record] = field(default_factory=list)
    size: int = 0

    def add(self, action: str, doc: str | bytes, size: int, record: Record) -> None:
        self.operations += [action, doc]
        self.sent.append(record)
        self.size += size


class MappingConflict(PassaparolaError):
    """The existing indices' mapping contradicts this version's."""


def index_name(prefix: str, kind: str, at: datetime) -> str:
    return f"{prefix}-{kind}-{at.astimezone(timezone.utc):%Y.%m}"


def alias(prefix: str, kind: str = "mentions") -> str:
    """The read alias over every monthly index of a kind."""
    return f"{prefix}-{kind}"


def has_ilm(client: Elasticsearch) -> bool:
    """Whether every node has the ILM module (the official image does; the local zip not).

    Asked through the nodes' module list: calling the ILM API where it is missing answers
    405, which the client counts as a failing node and logs as such.
    """
    info = client.nodes.info(metric="plugins", filter_path="nodes.*.modules.name")
    nodes = info.get("nodes", {}).values()
    return bool(nodes) and all(any(m["name"] == "x-pack-ilm" for m in n.get("modules", [])) for n in nodes)


# A reply item's lifecycle, each stage a newer version of its document: a stage re-sent late
# (a restarted tracker's replay) never replaces a later one.
REPLY_STAGES = {"pending": 1, "unanswered": 2, "brand_reply": 3}
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def version_of(kind: str, doc: Mapping | Mention, at: datetime | None = None) -> int:
    """The document's external version: a newer state of the same id has a larger one.

    A mention's is when it was fetched (an edit fetched later is newer), in microseconds; a
    reply event's is its item's opening time and then its stage (``at``, the event time, is
    the same for every stage of an item); an alert never changes (1)."""
    if isinstance(doc, Mention):
        return _microseconds(doc.fetched_at)
    if kind == "replies" and at is not None:
        return _microseconds(at) * 4 + REPLY_STAGES.get(doc.get("kind"), 0)
    return 1


def _microseconds(moment: datetime) -> int:
    return max(0, (moment - _EPOCH) // timedelta(microseconds=1))  # Elasticsearch refuses negative versions


def _parse_event(record: Record, kind: Kind) -> tuple[str, datetime, str, int]:
    """A replies or alerts document: a JSON object with an ``id`` and its time field."""
    try:
        doc = json.loads(record.value)
    except (ValueError, TypeError) as err:  # TypeError: a tombstone (guarded by tests/faults/test_poison.py)
        raise SchemaError(f"not JSON: {err}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not doc["id"]:
        raise SchemaError("expected a JSON object with a non-empty string id")
    try:
        at = datetime.fromisoformat(str(doc.get(kind.time_field)).replace("Z", "+00:00"))
    except ValueError:
        raise SchemaError(f"{kind.time_field} is missing or not an ISO date") from None
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    return doc["id"], at, json.dumps(doc, ensure_ascii=False), version_of(kind.name, doc, at)


def parse(record: Record, kind: Kind) -> tuple[str, datetime, str, int]:
    """(id, time, document as JSON, version) of a record of this kind; :class:`SchemaError`
    says why not.

    The JSON is the validated model's own serialisation (pydantic-core, in Rust): a
    Python dict handed to the client would be serialised again, at several times the cost.
    """
    if kind.name == "mentions":
        mention = Mention.from_json(record.value)
        return mention.id, mention.published_at, mention.model_dump_json(), version_of("mentions", mention)
    return _parse_event(record, kind)


class ElasticsearchSink(Sink):
    """Writes mentions, replies and alerts, each topic to its kind of index.

    Args:
        client: a connected client (see :func:`core.elastic.connect`).
        prefix: index name prefix, ``passaparola`` by default; tests use their own.
        kinds: topic name -> kind of document (``mentions``, ``replies``, ``alerts``).
        replicas: replicas per shard for the indices the templates create.
        retention_days: age at which ILM deletes an index, where the cluster has ILM.
        worker: the name metrics are labelled with.
        max_request_bytes: a batch larger than this goes in several bulk requests.
            Elasticsearch refuses a request over ``http.max_content_length`` (100 MB by
            default) with 413, which no retry can fix, and a batch of large documents (up
            to Kafka's 1 MB each) can exceed it.
    """

    def __init__(
        self,
        client: Elasticsearch,
        prefix: str,
        kinds: Mapping[str, str],
        replicas: int = 0,
        retention_days: int = 400,
        worker: str = "sink",
        max_request_bytes: int = 16 * 1024 * 1024,
    ):
        self.client, self.prefix, self.replicas, self.worker = client, prefix, replicas, worker
        self.max_request_bytes = max_request_bytes
        self.kinds = {topic: KINDS[kind] for topic, kind in kinds.items()}
        self.retention_days = retention_days

    @classmethod
    def from_settings(cls, settings: Settings, client: Elasticsearch | None = None) -> ElasticsearchSink:
        """The sink of ``passaparola sink run``: enriched mentions, replies and alerts."""
        es, topics = settings.elasticsearch, settings.topics
        kinds = {topics.mentions_enriched: "mentions", topics.replies: "replies", topics.alerts: "alerts"}
        return cls(client or connect(settings), es.index_prefix, kinds, es.replicas, es.retention_days)

    def setup(self) -> dict[str, bool]:
        """Templates (and the lifecycle policy where there is ILM); idempotent. Returns what the cluster offers."""
        languages = has_analyzer(self.client, "italian") and has_analyzer(self.client, "english")
        if not languages:
            log.warning("cluster lacks the italian/english analyzers: text.it and text.en use the standard analyzer")
        lifecycle = None
        ilm = has_ilm(self.client)
        if ilm:
            lifecycle = f"{self.prefix}-retention"
            self.client.ilm.put_lifecycle(name=lifecycle, policy=retention_policy(self.retention_days))
        for kind in {k.name: k for k in self.kinds.values()}.values():
            template = index_template(self.prefix, kind, languages, self.replicas, lifecycle)
            self.client.indices.put_index_template(name=f"{self.prefix}-{kind.name}", **template)
            self._extend_mappings(kind, mappings(kind, languages))
        return {"language_analyzers": languages, "ilm": ilm}

    def _extend_mappings(self, kind: Kind, wanted: dict) -> None:
        # Indices made by an earlier version lack the fields added since: adding fields is
        # allowed in place. A changed field is not, and needs a new MAPPING_VERSION.
        pattern = f"{self.prefix}-{kind.name}-*"
        try:
            self.client.indices.put_mapping(index=pattern, allow_no_indices=True, **wanted)
        except ApiError as err:
            if err.meta.status == 400:
                raise MappingConflict(
                    f"{pattern} has a mapping this version cannot extend ({err.message}); "
                    "bump sinks.mappings.MAPPING_VERSION and reindex"
                ) from err
            raise

    def write(self, batch: list[Record]) -> list[Rejected]:
        rejected, requests = [], [_Request()]
        for record in batch:
            kind = self.kinds.get(record.topic)
            if kind is None:
                rejected.append(Rejected(record, f"no index for topic {record.topic}"))
                continue
            try:
                doc_id, at, doc, version = parse(record, kind)
                index = index_name(self.prefix, kind.name, at)
            except SchemaError as err:
                rejected.append(Rejected(record, f"not a valid {kind.name} document: {err}"))
                continue
            except OverflowError as err:
                # A date at the calendar's edge (year 1 at +01:00) overflows when moved to
                # UTC, in the Mention validator (pydantic lets OverflowError through) or in
                # index_name: a fault of the document like any other (guarded by
                # tests/faults/test_poison.py).
                rejected.append(Rejected(record, f"not a valid {kind.name} document: date out of range: {err}"))
                continue
            # external_gte: an equal version rewrites (a retry, a replay), an older one is refused.
            action = json.dumps({"index": {"_index": index, "_id": doc_id, "version": version,
                                           "version_type": "external_gte"}})
            size = len(action) + len(doc) + 2
            if requests[-1].sent and requests[-1].size + size > self.max_request_bytes:
                requests.append(_Request())
            requests[-1].add(action, doc, size, record)
        # A failed request raises TransientError and the worker retries the whole batch: the
        # requests already written are rewritten under the same ids (counted again in
        # passaparola_documents_indexed_total, which counts writes).
        for request in requests:
            if request.sent:
                rejected += self._classify(self._bulk(request.operations), request.sent)
        return rejected

    def _bulk(self, operations: list) -> list[dict]:
        try:
            return self.client.bulk(operations=operations)["items"]
        except (EsConnectionError, ConnectionTimeout) as err:
            raise TransientError(f"Elasticsearch unreachable: {err}") from err
        except ApiError as err:
            status = err.meta.status
            if status in _RETRYABLE or err.message == _BLOCKED:
                raise TransientError(f"Elasticsearch answered {status}: {err}") from err
            # The whole request refused: nothing in the batch is at fault, so nothing is
            # dead-lettered; the sink says what is wrong and tries again until it is fixed.
            if status in (401, 403):
                raise TransientError(f"Elasticsearch refused our credentials ({status}): check "
                                     "PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD or _API_KEY, and the user's "
                                     "privileges on the indices") from None
            raise TransientError(f"Elasticsearch refused the whole bulk request ({status}: {err.message}); "
                                 "retrying until that is fixed") from None

    def _classify(self, items: list[dict], sent: list[Record]) -> list[Rejected]:
        rejected, retry, why = [], 0, ""
        for item, record in zip(items, sent):
            result = item["index"]
            status = result["status"]
            error = result.get("error", {})
            if status in _RETRYABLE or error.get("type") == _BLOCKED:
                retry += 1
                why = why or f"{status}: {error.get('type')}: {error.get('reason')}"
            elif status == 409 and error.get("type") == "version_conflict_engine_exception":
                continue  # a newer version of the document is there already: nothing to do
            elif status >= 300:
                reason = f"rejected by Elasticsearch ({status}): {error.get('type')}: {error.get('reason')}"
                rejected.append(Rejected(record, reason))
        if retry:
            # The whole batch goes again: documents already written are overwritten
            # under the same id, so a retry cannot double anything.
            raise TransientError(f"{retry} of {len(sent)} documents not accepted now ({why})")
        INDEXED.labels(self.worker, "all").inc(len(sent) - len(rejected))
        return rejected


def prune(client: Elasticsearch, prefix: str, keep_months: int, now: datetime | None = None,
          *, delete: bool = False) -> list[str]:
    """The monthly indices older than ``keep_months`` months (this month counts as one, and is
    always kept), deleted only when ``delete``: retention where there is no ILM.

    Only indices our templates made count: named exactly ``<prefix>-<kind>-YYYY.MM`` and
    carrying the kind's read alias (``...-archive-2019.03`` or a hand-made index is not ours).
    """
    if keep_months < 1:
        raise ValueError("keep_months must be at least 1: the current month is always kept")
    now = now or datetime.now(timezone.utc)
    cutoff = (now.year * 12 + now.month - 1) - keep_months + 1  # first month kept
    doomed = []
    for kind in KINDS:
        shape = re.compile(rf"{re.escape(prefix)}-{re.escape(kind)}-(\d{{4}})\.(\d{{2}})")
        found = client.indices.get(index=f"{prefix}-{kind}-*", expand_wildcards="open,closed")
        for name, index in found.items():
            month = shape.fullmatch(name)
            ours = alias(prefix, kind) in (index.get("aliases") or {})
            if month and ours and int(month[1]) * 12 + int(month[2]) - 1 < cutoff:
                doomed.append(name)
    if delete:
        for name in doomed:
            client.indices.delete(index=name)
    return sorted(doomed)
