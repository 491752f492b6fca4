"""What every sink shares: the record, the target's contract, batching parameters.

The loop that feeds a target from Kafka is :class:`sinks.worker.SinkWorker`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from core.settings import Settings, SinkSettings

# The [sink] section's defaults are the defaults of every Batching, so they are stated once.
_DEFAULT = SinkSettings()


def sink_group(settings: Settings) -> str:
    """The consumer group of the sink workers."""
    return f"{settings.kafka.client_id}-sink"


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes


@dataclass(frozen=True)
class Rejected:
    """A record the target refused for its content: retrying would fail the same way."""

    record: Record
    reason: str


class TransientError(RuntimeError):
    """The target could not take the batch now (down, overloaded): retry the whole batch."""


class Sink(ABC):
    """A target: ``setup`` once, then ``write`` batches.

    ``write`` returns the records it rejected for their content; it raises
    :class:`TransientError` when nothing can be written now. Writing the same record twice
    must leave the target as if written once.
    """

    @abstractmethod
    def setup(self) -> None: ...

    @abstractmethod
    def write(self, batch: list[Record]) -> list[Rejected]: ...


@dataclass(frozen=True)
class Batching:
    """How the loop batches and retries.

    Attributes:
        max_records: the most records in one write.
        min_records: a lane with nothing being written starts as soon as this many wait
            (busy lanes keep gathering up to max_records: batches grow with the load).
        max_wait_s: write at least this often when records are waiting.
        backoff_initial_s: first pause after a transient failure; doubles each time.
        backoff_max_s: longest pause between retries (jitter is added on top).
        lanes: batches written at once, each for its own share of the partitions.
    """

    max_records: int = _DEFAULT.max_records
    min_records: int = _DEFAULT.min_records
    max_wait_s: float = _DEFAULT.max_wait_s
    backoff_initial_s: float = _DEFAULT.backoff_initial_s
    backoff_max_s: float = _DEFAULT.backoff_max_s
    lanes: int = _DEFAULT.lanes
