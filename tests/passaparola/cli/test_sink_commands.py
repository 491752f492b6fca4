"""``passaparola sink prune`` with Elasticsearch down: one line, exit 1, no traceback."""

from __future__ import annotations

import subprocess
import sys

from tests.support.net import free_port


def test_prune_with_elasticsearch_down_is_one_line(tmp_path):
    import os

    env = {**os.environ, "PASSAPAROLA_ELASTICSEARCH__URL": f"http://127.0.0.1:{free_port()}"}
    done = subprocess.run([sys.executable, "-m", "passaparola", "sink", "prune"], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stderr.splitlines() == ["error: Elasticsearch unreachable (ConnectionError): check elasticsearch.url "
                                        "and that the node runs"]
