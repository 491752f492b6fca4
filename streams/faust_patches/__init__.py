"""Where our stream processors reach into faust-streaming, mode-streaming and aiokafka.

Each module here mends or bypasses a piece of those libraries and relies on their private
attributes, as they are in the versions of :data:`WRITTEN_FOR`. :func:`check_versions`
runs when the streams app is built and stops it with one clear line when another version
is installed: an unnoticed change in a private attribute would lose or stall messages
rather than fail. Moving to a new version means re-reading each module against it and
running ``tests/streams/faust_patches`` and ``tests/faults``.

- :mod:`.flow_control`: the app, its flow control and its consumer (queued events kept on
  resume, no gap bookkeeping, no commit past an unacknowledged offset, batched fetches).
- :mod:`.producing`: the agents' sends straight to Faust's producer.
- :mod:`.tables`: changelogged tables as ``str -> JSON`` with per-batch writes.
- :mod:`.dead_letters`: the agents' dead-letter step.
- :mod:`.metadata`: aiokafka's metadata retries throttled while the broker is down.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from core.errors import PassaparolaError

#: The distributions whose internals these modules use, and the version each was written for.
WRITTEN_FOR = {"faust-streaming": "0.15.3", "mode-streaming": "0.7.1", "aiokafka": "0.14.0"}


class UnsupportedVersion(PassaparolaError):
    """An installed library is not the version our patches were written for."""


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def check_versions(installed: Callable[[str], str] = _installed) -> None:
    """Raise :class:`UnsupportedVersion` unless every library of :data:`WRITTEN_FOR` is the
    version written there."""
    wrong = [f"{name} {installed(name)} (needs {wanted})" for name, wanted in WRITTEN_FOR.items()
             if installed(name) != wanted]
    if wrong:
        raise UnsupportedVersion(
            "the streams worker's Faust patches (streams/faust_patches) were written for other versions: "
            + ", ".join(wrong) + "; install the pinned ones (pip install -c constraints.txt .)"
        )
