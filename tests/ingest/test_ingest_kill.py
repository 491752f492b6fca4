"""``passaparola ingest once`` killed with SIGKILL in the middle of a run, then run again:
every mention arrives on mentions.raw, and none twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from core.schema import Mention
from core.topics import ensure_topics, read_to_end
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration

POSTS, COMMENTS = 12, 25
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


def _rss(title: str, link: str, items: list[str]) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            f'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel><title>{title}</title><link>{link}</link>'
            f'<language>it</language>{"".join(items)}</channel></rss>').encode()


def _blog(base: str) -> tuple[bytes, dict[str, bytes]]:
    posts, comment_feeds = [], {}
    for p in range(POSTS):
        link = f"{base}/blog/post-{p}"
        posts.append(f"<item><title>Novità numero {p}</title><link>{link}</link><guid>{link}</guid>"
                     f"<pubDate>{format_datetime(T0 + timedelta(hours=p))}</pubDate>"
                     f"<description>Racconto del giorno {p}.</description>"
                     f"<wfw:commentRss>{base}/comments/{p}</wfw:commentRss><slash:comments>{COMMENTS}</slash:comments></item>")
        comments = [f"<item><title>Commento {c}</title><link>{link}#c{c}</link><guid>{link}#c{c}</guid>"
                    f"<pubDate>{format_datetime(T0 + timedelta(hours=p, minutes=c + 1))}</pubDate>"
                    f"<description>Commento {c} al post {p}: mi piace la miscela.</description></item>" for c in range(COMMENTS)]
        comment_feeds[f"/comments/{p}"] = _rss(f"Commenti a {p}", link, comments)
    return _rss("Blog di Caffè Aurora", f"{base}/blog", posts), comment_feeds


def _raw(settings) -> list[Mention]:
    return [Mention.from_json(value)
            for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.mentions_raw)]


def test_a_killed_run_resumes_from_its_last_checkpoint(settings, worker_env, replay, tmp_path):
    ensure_topics(settings)
    feed, comment_feeds = _blog(replay.url)
    replay.route("/blog/feed", replay.Reply(200, feed, {"Content-Type": "application/rss+xml"}))
    for path, body in comment_feeds.items():
        replay.route(path, replay.Reply(200, body, {"Content-Type": "application/rss+xml"}, delay_s=0.4))
    source = {"name": "aurora-blog", "kind": "feed", "url": f"{replay.url}/blog/feed", "brand": "aurora"}
    env = {**worker_env, "PASSAPAROLA_SOURCES": json.dumps([source]), "PASSAPAROLA_LOG_JSON": "false"}
    command = [sys.executable, "-m", "passaparola", "ingest", "once", "aurora-blog"]

    log = (tmp_path / "ingest.log").open("wb")
    first = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_until(lambda: len(replay.requests()) >= 1 + POSTS // 2, 60, "half the comment feeds read", every_s=0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    before = _raw(settings)
    assert POSTS <= len(before) < POSTS * (COMMENTS + 1), "the kill must land in the middle of the run"

    asked_before = len(replay.requests())
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stdout + second.stderr

    counts = Counter(m.id for m in _raw(settings))
    assert len(counts) == POSTS * (COMMENTS + 1)  # nothing lost
    repeated = sum(n - 1 for n in counts.values())
    # The page in flight when the worker died is read again from the saved cursor; the
    # produce journal tells the new run which of its mentions already reached Kafka.
    assert repeated == 0, f"{repeated} mentions sent twice"
    asked_again = [r.path for r in replay.requests()[asked_before:]]
    assert 0 < sum(1 for p in asked_again if p.startswith("/comments/")) < POSTS  # finished threads are not read again
