"""The local stack: a real Kafka broker and Elasticsearch node on 127.0.0.1, no Docker needed."""

from passaparola.stack.java import StackError
from passaparola.stack.local import LocalStack
from passaparola.stack.service import ServiceStatus

__all__ = ["LocalStack", "ServiceStatus", "StackError"]
