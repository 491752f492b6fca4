"""A worker started by the demo, a benchmark or a test leaves when its starter dies.

Linux sends the worker SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``, set by
:class:`passaparola.demo.pipeline.Worker`), and a worker then stops gracefully. One that
cannot (a streams worker stuck in Faust's wait for acknowledgements does not react to
SIGTERM) is ended here: with ``PASSAPAROLA_PARENT_PID`` set, a thread notices the parent
is gone and, ``grace_s`` later, exits the process without clean-up. Delivery is at least
once, so that loses nothing (``tests/passaparola/test_parent_watch.py``).
"""

from __future__ import annotations

import os
import threading
import time

PARENT_ENV = "PASSAPAROLA_PARENT_PID"


def watch_parent(grace_s: float = 30.0, every_s: float = 1.0) -> threading.Thread | None:
    """Start the watch if this process was started with ``PASSAPAROLA_PARENT_PID``."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not parent.isdigit():
        return None
    thread = threading.Thread(target=_watch, args=(int(parent), grace_s, every_s), name="parent-watch", daemon=True)
    thread.start()
    return thread


def _watch(parent: int, grace_s: float, every_s: float) -> None:
    while os.getppid() == parent:
        time.sleep(every_s)
    time.sleep(grace_s)  # the SIGTERM the parent's death sent has had its chance
    os._exit(70)
