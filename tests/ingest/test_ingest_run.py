"""``passaparola ingest run``: the scheduler polls each source on its interval and stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from core.schema import Mention
from core.topics import end_offsets, ensure_topics, read_to_end
from tests.support.waits import wait_until

pytestmark = pytest.mark.integration

RSS = {"Content-Type": "application/rss+xml; charset=UTF-8"}


def _feed(items: int) -> bytes:
    entries = "".join(f"<item><title>Notizia {n}</title><link>https://blog.example/{n}</link><guid>https://blog.example/{n}</guid>"
                      f"<pubDate>Mon, 02 Nov 2026 09:{n:02d}:00 +0000</pubDate>"
                      f"<description>Caffè Aurora, giorno {n}</description></item>"
                      for n in range(items))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Blog</title>{entries}'
            '</channel></rss>').encode()


def test_run_polls_on_the_interval_picks_up_new_entries_and_stops_on_sigterm(settings, worker_env, replay):
    ensure_topics(settings)
    replay.route("/feed", replay.Reply(200, _feed(3), RSS), replay.Reply(200, _feed(5), RSS))
    sources = [{"name": "blog", "kind": "feed", "url": f"{replay.url}/feed", "interval_s": 10,
                "options": {"max_comment_feeds": 0}}]
    env = {**worker_env, "PASSAPAROLA_SOURCES": json.dumps(sources), "PASSAPAROLA_LOG_JSON": "false"}
    worker = subprocess.Popen([sys.executable, "-m", "passaparola", "ingest", "run"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: len(replay.requests("/feed")) >= 2, 60, "the second poll")
        # The second poll's mentions produced: its 2 new ones after the first 3.
        wait_until(lambda: sum(end_offsets(settings.kafka.bootstrap_servers, settings.topics.mentions_raw).values()) >= 5,
                   30, "the second poll's mentions on mentions.raw")
        first_two = [r.path for r in replay.requests("/feed")]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0, worker.stdout.read().decode()[-2000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    assert len(first_two) == 2  # two polls about interval_s apart, not a busy loop
    ids = [Mention.from_json(value).native_id
           for _key, value in read_to_end(settings.kafka.bootstrap_servers, settings.topics.mentions_raw)]
    assert sorted(ids) == sorted(f"https://blog.example/{n}" for n in range(5))  # the 2 new ones once, no repeats
