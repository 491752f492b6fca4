"""Every worker SIGKILLed, one after another, inside one run of the whole pipeline over about
100,000 mentions, and restarted at once by the same command, as a supervisor would.

The mentions are the demo generator's stream at ``SCALE`` (three days of three brands, with
comment threads the brands answer and the negative-buzz incident), written to a JSONL file
with a few bad lines among them and backfilled by ``passaparola ingest replay``. Workers run
as deployed (``python -m passaparola ...``) against the session's Kafka and Elasticsearch,
on topics, groups and indices of the test's own. Kill points, in the order they come:

1. ``ingest replay``, once a quarter of the file is on mentions.raw: run again, it must
   resume after its last checkpoint, not from line 1;
2. ``streams worker`` early, while enrichment is mid-stream (a fifth enriched);
3. ``sink run``, with 40 % of the mentions indexed;
4. ``streams worker`` again, once it routes mentions half an hour into the incident to
   its spike detector: the incident's windows, and the reply threads, are open;
5. ``alerts notify``, once its first webhook post is recorded as done.

Then: every generated mention indexed exactly once (the generator's ids, not the
pipeline's), every reply the generator planted paired with its message (those the
tracker's bounded thread memory can hold), no reply or alert document twice, every alert
posted to the webhook exactly once, the incident alerted, the bad lines on
``ingest.errors`` with their reasons, nothing else dead-lettered, every worker alive.

Last, the alerts must be those of a run without kills: the spike detector's pure core fed
the indexed mentions in one uninterrupted pass, in time order (a run without kills raised
exactly these, with the same counts).
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch.helpers import scan
from kafka import TopicPartition

from core import kafka_clients
from core.elastic import connect
from core.settings import Settings
from core.topics import ensure_topics, read_to_end
from ingest.replay import CHECKPOINT_EVERY
from passaparola.demo.generator import DEMO_BRANDS, DemoTruth, default_anchor, generate_with_truth
from passaparola.demo.pipeline import topic_size
from sinks.base import sink_group
from sinks.elasticsearch import alias
from sinks.webhook import slack_message
from streams.alerts.spike_detector import SpikeDetector, parse_window
from streams.alerts.windows import EventTimeWindows
from streams.app import app_id
from streams.replies.tracker import ReplyTracker
from tests.support.elastic import indexed as _indexed
from tests.support.kafka import lag as _lag
from tests.support.kafka import wait_quiet
from tests.support.net import Hook

pytestmark = [pytest.mark.integration, pytest.mark.faults]

SEED = 7
SCALE = 25  # the demo generator's volume multiplier: 99,179 mentions over 72 hours
# Lines no replay can use, planted at these fractions of the file: before the ingest kill,
# and in what the restarted replay sends.
BAD_LINES = {0.1: b"{not json at all", 0.5: b'{"platform": "x", "text": "no id, no date"}', 0.9: b"[1, 2, 3]"}
DONE_TIMEOUT_S = 420  # from the last kill to everything indexed, posted and committed


class AlertsDifferWithKills(AssertionError):
    """The alerts raised across the kills are not those of a run without kills."""


def _write_stream(path: Path, mentions: list, bad: dict[float, bytes]) -> dict[int, bytes]:
    """The mentions as JSONL with the bad lines among them; returns line number -> bad line."""
    at = {int(len(mentions) * fraction): line for fraction, line in bad.items()}
    planted: dict[int, bytes] = {}
    with path.open("wb") as out:
        for index, mention in enumerate(mentions):
            if index in at:
                out.write(at[index] + b"\n")
                planted[index + len(planted) + 1] = at[index]
            out.write(mention.to_json() + b"\n")
    return planted


class Timeline:
    """What happened when, in seconds from the start, printed as it happens (pytest shows it on failure)."""

    def __init__(self) -> None:
        self.start, self.events = time.monotonic(), []

    def note(self, what: str) -> None:
        self.events.append(f"{time.monotonic() - self.start:6.1f} s  {what}")
        print(self.events[-1], flush=True)


def _kill_when(workers, proc, ready: Callable[[], bool], what: str, timeline: Timeline, timeout_s: float = 600):
    """Wait until ``ready``, SIGKILL ``proc``, start the same command again; return the new process."""
    workers.wait_for(ready, timeout_s, f"kill point of {what}")
    workers.kill(proc)
    timeline.note(f"SIGKILL {what}")
    return workers.restart(proc)


def _routed_up_to(settings: Settings) -> datetime | None:
    """The newest ``published_at`` on mentions.by_brand, the spike detector's input: how far
    in stream time the streams worker's routing got (each partition is in time order)."""
    with kafka_clients.consumer(settings.kafka, "test-last") as consumer:
        topic = settings.topics.mentions_by_brand
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()])
        filled = [tp for tp, end in ends.items() if end]
        if not filled:
            return None
        consumer.assign(filled)
        for tp in filled:
            consumer.seek(tp, ends[tp] - 1)
        last = [records[-1] for records in consumer.poll(timeout_ms=2000).values()]
        return max((datetime.fromisoformat(json.loads(r.value)["published_at"]) for r in last), default=None)


def _posts_recorded(settings: Settings, hook: Hook) -> bool:
    """At least one post, and every post so far recorded on alerts.notified.

    Not sooner: a notifier killed between the webhook's answer and that record posts the
    alert again after its restart, a gap sinks/webhook.py documents (at-least-once)."""
    posts = len(hook.posts)
    recorded = topic_size(settings, settings.topics.alerts_notified)
    return posts >= 1 and recorded >= posts and len(hook.posts) == posts  # and no new post meanwhile


def _incident_alerts(settings: Settings, truth: DemoTruth) -> list[dict]:
    """Negative alerts on the incident's brand whose window ends inside it (or within the hour after)."""
    start, end, brand = truth.spike
    alerts = [json.loads(v) for _, v in read_to_end(settings.kafka.bootstrap_servers, settings.topics.alerts)]
    return [a for a in alerts if a["brand"] == brand and a["kind"] in ("negative_spike", "negative_share")
            and start < datetime.fromisoformat(a["at"]) <= end + timedelta(hours=1)]


def _doc_ids(es, prefix: str, kind: str, fields: list[str] | None = None) -> list[dict]:
    """Every document of a kind, across its monthly indices (a doubled id shows up twice)."""
    hits = scan(es, index=alias(prefix, kind), query={"sort": ["_doc"]}, size=5000, _source=fields or False)
    return [{"_id": h["_id"], **h.get("_source", {})} for h in hits]


def _letters(settings: Settings, topic: str) -> list[dict]:
    return [json.loads(v) for _, v in read_to_end(settings.kafka.bootstrap_servers, topic)]


# 12-15 minutes on a 2-core machine (each streams restart replays its changelogs, and the
# fourth kill point comes up to 5 minutes after the third): the suite's 10-minute default is short.
@pytest.mark.timeout(1800)
def test_every_worker_killed_mid_run_loses_and_doubles_nothing(settings: Settings, worker_env, workers, tmp_path):
    timeline = Timeline()
    t, prefix, es = settings.topics, settings.elasticsearch.index_prefix, connect(settings)
    ensure_topics(settings)
    hook = Hook()
    # The reply tracker's SLA tick keeps its deployed 30 s: at 1 s (the short demo's value)
    # each tick's pass over 100k threads' states takes 1-2 s and the worker does little else.
    env = {**worker_env, "PASSAPAROLA_BRANDS": json.dumps([b.model_dump() for b in DEMO_BRANDS])}
    # The long-running workers start first: their start overlaps the generation below.
    streams = workers.start("streams", ["streams", "worker"], env)
    sink = workers.start("sink", ["sink", "run"], env)
    notifier = workers.start("notifier", ["alerts", "notify"], {**env, "PASSAPAROLA_SECRETS__ALERT_WEBHOOK_URL": hook.url})

    mentions, truth = generate_with_truth(seed=SEED, anchor=default_anchor(), scale=SCALE)
    n = len(mentions)
    stream_file = tmp_path / "mentions.jsonl"
    bad_lines = _write_stream(stream_file, mentions, BAD_LINES)
    timeline.note(f"{n} mentions generated and written")
    # It rejects the bad lines, so it ends with status 1.
    ingest = workers.start("ingest", ["ingest", "replay", str(stream_file)], env, finishes_with=1)

    # 1. ingest, a quarter in: past several checkpoints, with most of the file still to send.
    ingest = _kill_when(workers, ingest, lambda: topic_size(settings, t.mentions_raw) >= n // 4, "ingest replay", timeline)
    on_raw_at_kill = topic_size(settings, t.mentions_raw)
    # 2. streams, early: enrichment mid-stream.
    streams = _kill_when(workers, streams, lambda: topic_size(settings, t.mentions_enriched) >= n // 5,
                         "streams worker (enrichment mid-stream)", timeline)
    # 3. sink, mid-run.
    sink = _kill_when(workers, sink, lambda: _indexed(es, prefix) >= n * 2 // 5, "sink", timeline)
    # 4. streams again, once it routes mentions half an hour into the incident to the spike
    # detector: the incident's windows, and its reply threads, are open.
    in_incident = truth.spike[0] + timedelta(minutes=30)
    streams = _kill_when(workers, streams, lambda: (_routed_up_to(settings) or in_incident) > in_incident,
                         "streams worker (in the incident)", timeline)
    # 5. the notifier, once its first post is recorded as done (usually the incident's first alert).
    notifier = _kill_when(workers, notifier, lambda: _posts_recorded(settings, hook), "alerts notifier", timeline)

    _wait_until_done(settings, workers, ingest, es, n, timeline)
    stream_file.unlink()  # 79 MB; the generator makes it again from SEED, SCALE and the hour
    workers.assert_alive(streams, sink, notifier)
    assert ingest.returncode == 1

    _assert_replay_resumed(settings, workers, n, on_raw_at_kill)
    _assert_mentions_indexed_once(es, prefix, mentions)
    _assert_replies_paired_once(settings, es, prefix, mentions, truth)
    alerts = _assert_alerts_once(settings, es, prefix, hook, truth)
    _assert_dead_letters(settings, bad_lines)
    timeline.note(f"checked: {n} mentions, {len(alerts)} alerts, {len(hook.posts)} posts")
    _assert_alerts_as_without_kills(settings, es, prefix, alerts)


def _wait_until_done(settings: Settings, workers, ingest, es, n: int, timeline: Timeline) -> None:
    """Until the replay ended, every mention is indexed and every group is at the end of its topics."""
    t, prefix = settings.topics, settings.elasticsearch.index_prefix
    groups = {app_id(settings): [t.mentions_raw, t.mentions_enriched, t.mentions_by_brand],
              sink_group(settings): [t.mentions_enriched, t.replies, t.alerts],
              f"{settings.kafka.client_id}-notifier": [t.alerts]}

    def pending() -> list[str]:
        left = [] if ingest.poll() == 1 else ["ingest replay running"]
        if (indexed := _indexed(es, prefix)) < n:
            left.append(f"{indexed} of {n} indexed")
        left += [f"{group} behind on {topic}" for group, topics in groups.items() for topic in topics
                 if _lag(settings, group, topic) != 0]
        return left

    workers.wait_pending(pending, DONE_TIMEOUT_S, "the pipeline through")
    # Reply events still come as SLAs pass (the tracker's tick): wait for a pause, then for the sink.
    wait_quiet(settings.kafka, t.replies, quiet_s=3.0)
    workers.wait_pending(lambda: [] if _lag(settings, sink_group(settings), t.replies) == 0 else ["replies"], 60,
                         "the sink through the last reply events")
    timeline.note("pipeline through: replay ended, everything indexed and committed")


def _assert_replay_resumed(settings: Settings, workers, n: int, on_raw_at_kill: int) -> None:
    """The restarted replay went on after its last checkpoint: at most one chunk sent twice.

    Which mentions reached Kafka is checked downstream, against the generator's ids."""
    log = (workers.folder / "ingest.log").read_text()
    assert "resuming mentions.jsonl after line" in log, log[-2000:]
    resent = topic_size(settings, settings.topics.mentions_raw) - n
    print(f"ingest: {on_raw_at_kill} on mentions.raw at the kill, {resent} sent twice (at most {CHECKPOINT_EVERY})")
    assert 0 <= resent <= CHECKPOINT_EVERY, f"{resent} mentions sent twice: the replay did not resume at its checkpoint"


def _assert_mentions_indexed_once(es, prefix: str, mentions: list) -> None:
    expected = {m.id for m in mentions}
    indexed = _doc_ids(es, prefix, "mentions", ["text"])
    docs = Counter(d["_id"] for d in indexed)
    assert not (missing := expected - set(docs)), f"{len(missing)} generated mentions not indexed, e.g. {sorted(missing)[:3]}"
    assert not (extra := set(docs) - expected), f"{len(extra)} indexed mentions the generator did not make"
    twice = [i for i, c in docs.items() if c > 1]
    assert not twice, f"{len(twice)} mentions indexed more than once (in two monthly indices), e.g. {twice[:3]}"
    assert es.count(index=alias(prefix))["count"] == len(expected)
    # What was sent, not only its id: a document written from another message would show here.
    texts = {m.id: m.text for m in mentions}
    wrong = [d["_id"] for d in indexed if d.get("text") != texts[d["_id"]]]
    assert not wrong, f"{len(wrong)} mentions indexed with another text, e.g. {wrong[:3]}"


def _remembered_pairs(mentions: list, truth: DemoTruth) -> tuple[dict[str, str], dict[str, str]]:
    """The planted (message -> reply) pairs split into those the tracker must pair, and those
    it may miss by design: a thread's state remembers only the last ``keep_ids`` messages that
    expect no answer (and brand posts), and at this scale the brands' busiest posts gather
    over 2,000 comments. A message followed by fewer than ``keep_ids`` user messages of its
    thread before its reply cannot have been forgotten."""
    seen_in_thread: Counter = Counter()
    users_before: dict[str, int] = {}
    for mention in mentions:  # in time order, as each thread reaches the tracker
        seen_in_thread[mention.thread_id] += not mention.author_is_brand
        users_before[mention.id] = seen_in_thread[mention.thread_id]
    must, may = {}, {}
    for message, reply in truth.answered.items():
        far = users_before[reply] - users_before[message] > ReplyTracker.keep_ids
        (may if far else must)[message] = reply
    return must, may


def _assert_replies_paired_once(settings: Settings, es, prefix: str, mentions: list, truth: DemoTruth) -> None:
    """One document per reply item, and every planted reply the tracker can remember paired with its message."""
    docs = _doc_ids(es, prefix, "replies", ["kind", "mention_id", "reply_id"])
    twice = [i for i, c in Counter(d["_id"] for d in docs).items() if c > 1]
    assert not twice, f"{len(twice)} reply items indexed more than once, e.g. {twice[:3]}"
    paired = {d["mention_id"]: d["reply_id"] for d in docs if d["kind"] == "brand_reply"}
    must, may = _remembered_pairs(mentions, truth)
    wrong = {u: r for u, r in must.items() if paired.get(u) != r}
    assert not wrong, f"{len(wrong)} of {len(must)} planted replies not paired: " + \
        "; ".join(_unpaired_evidence(settings, dict(list(wrong.items())[:5])))
    forgotten = [u for u, r in may.items() if paired.get(u) != r]
    print(f"replies: {len(must)} planted pairs paired; of {len(may)} more than {ReplyTracker.keep_ids} messages apart, "
          f"{len(forgotten)} not paired (the thread's bounded memory)")


def _unpaired_evidence(settings: Settings, unpaired: dict[str, str]) -> list[str]:
    """What the replies topic says of messages whose reply was not paired (indexed or not)."""
    kinds: dict[str, list[str]] = {}
    for _, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.replies):
        event = json.loads(value)
        if event["id"] in unpaired:
            kinds.setdefault(event["id"], []).append(f"{event['kind']} ({event.get('reply_id')})")
    return [f"{message} (reply {reply}): events on the topic {kinds.get(message, [])}" for message, reply in unpaired.items()]


def _assert_alerts_once(settings: Settings, es, prefix: str, hook: Hook, truth: DemoTruth) -> dict[str, list[dict]]:
    """No alert document twice; each alert posted exactly once; the incident alerted."""
    versions: dict[str, list[dict]] = {}
    for _, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.alerts):
        alert = json.loads(value)
        versions.setdefault(alert["id"], []).append(alert)
    docs = Counter(d["_id"] for d in _doc_ids(es, prefix, "alerts"))
    assert set(docs) == set(versions) and set(docs.values()) <= {1}, (docs, sorted(versions))
    # A replayed alert may carry another explanation: a post matches any version of its alert.
    texts = {alert_id: {slack_message(a)["text"] for a in copies} for alert_id, copies in versions.items()}
    posted = Counter(alert_id for post in hook.posts for alert_id, known in texts.items() if post["text"] in known)
    assert len(hook.posts) == len(versions) and posted == Counter(set(versions)), \
        f"{len(hook.posts)} posts for {len(versions)} alerts; posts per alert: {dict(posted)}"
    incident = {a["id"] for a in _incident_alerts(settings, truth)}
    assert incident, f"no alert on the incident {truth.spike}: {[(a['brand'], a['at']) for a, *_ in versions.values()]}"
    print(f"alerts: {len(versions)}, of which {len(incident)} on the incident; "
          f"{sum(len(c) for c in versions.values()) - len(versions)} raised again after a kill (same id)")
    return versions


def _assert_dead_letters(settings: Settings, bad_lines: dict[int, bytes]) -> None:
    """Each bad line on ingest.errors with its reason and itself as the sample; a kill is not bad
    input, so nothing on the other dead-letter topics."""
    t = settings.topics
    errors = _letters(settings, t.ingest_errors)
    assert all(re.fullmatch(r"line \d+: .+", e["reason"]) for e in errors), [e["reason"] for e in errors]
    # A line sent again after the kill may be recorded twice, but none may be missing.
    recorded = {int(e["reason"].split(":")[0].removeprefix("line ")): e["sample"].strip() for e in errors}
    assert recorded == {line: bad.decode() for line, bad in bad_lines.items()}, [e["reason"] for e in errors]
    for dlq in (t.mentions_dlq, t.sink_dlq):
        letters = _letters(settings, dlq)
        assert not letters, f"{dlq}: {[letter.get('reason') for letter in letters][:5]}"


def _kill_free_alerts(settings: Settings, es, prefix: str) -> tuple[dict[tuple, int], dict[tuple, tuple[int, int]]]:
    """What the detector decides over the indexed mentions in one uninterrupted pass, as the
    streams worker feeds it (brands' own posts left out): alerts ``(brand, kind, window,
    at) -> observed`` and every closed window ``(brand, window, end) -> (count, negative)``."""
    per_brand: dict[str, list[tuple[datetime, bool]]] = {}
    for doc in _doc_ids(es, prefix, "mentions", ["published_at", "brands", "sentiment.label", "author_is_brand"]):
        negative = (doc.get("sentiment") or {}).get("label") == "negative"
        for brand in [] if doc.get("author_is_brand") else doc.get("brands") or []:
            per_brand.setdefault(brand, []).append((datetime.fromisoformat(doc["published_at"]), negative))
    cfg = settings.alerts
    sizes, lateness = {w: parse_window(w) for w in cfg.windows}, timedelta(seconds=cfg.lateness_s)
    alerts, windows = {}, {}
    for brand, seen in per_brand.items():
        counts, state, detectors = {}, None, {}
        for at, negative in sorted(seen, key=lambda m: m[0]):
            brand_windows = EventTimeWindows(brand, sizes, 1, state, counts, lateness, cfg.idle_s)
            for window, end, count, negatives in brand_windows.add(at, negative, 0):
                windows[(brand, window, end.isoformat())] = (count, negatives)
                detector = detectors.setdefault(window, SpikeDetector(window, cfg.detector))
                alerts |= {(brand, a.kind, a.window, a.at.isoformat()): a.observed
                           for a in detector.observe(end, count, negatives)}
            state = brand_windows.state
    return alerts, windows


def _assert_alerts_as_without_kills(settings: Settings, es, prefix: str, versions: dict[str, list[dict]]) -> None:
    """The alerts raised across the kills are those an uninterrupted pass raises, counts included."""
    expected, windows = _kill_free_alerts(settings, es, prefix)
    raised = {(a["brand"], a["kind"], a["window"], a["at"]): a["observed"] for a, *_ in versions.values()}
    extra = {key: f"observed {raised[key]}, window without kills {windows.get((key[0], key[2], key[3]))}"
             for key in raised.keys() - expected.keys()}
    missing = {key: f"observed {expected[key]}" for key in expected.keys() - raised.keys()}
    recounted = {key: (raised[key], expected[key]) for key in raised.keys() & expected.keys() if raised[key] != expected[key]}
    if extra or missing or recounted:
        raise AlertsDifferWithKills(
            f"alerts not as without kills: extra {extra}; missing {missing}; other counts (raised, expected) {recounted}")

