"""Structured logs: one JSON object per line on stderr, with whatever context a call adds.

``log.info("indexed batch", extra={"mention_id": m.id, "docs": 120})`` puts ``mention_id``
and ``docs`` as top-level fields, so a log pipeline can filter by mention without parsing.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Send every log record to stderr at ``level``, as JSON lines or as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Client libraries are chatty at INFO about every (re)connection.
    for noisy in ("kafka", "aiokafka", "elastic_transport", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # kafka-python's selector warns whenever one of its tasks runs over 100 ms, which a
    # busy 2-core machine does routinely; it says nothing actionable.
    logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)
    # The Elasticsearch client logs each retried request with its whole traceback; the
    # failure that counts reaches our code, which says it in one line.
    for name in ("elastic_transport.transport", "elastic_transport.node_pool"):
        logging.getLogger(name).setLevel(logging.ERROR)


def redact_url(url: str) -> str:
    """``url`` fit for a log or a message: without its user info (``user:password@``), where
    passwords ride, nor its query and fragment, where tokens do (``api_key=``, ``access_token=``)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(an unreadable URL)"
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))

