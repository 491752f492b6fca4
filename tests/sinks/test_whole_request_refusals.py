"""A bulk request Elasticsearch refuses whole (401, 403, 400, 413) is no record's fault: the
sink says what is wrong and tries again, instead of stopping (it did) or dead-lettering the
batch. (The local node has no security, so the refusal comes from a stand-in client here;
tests/faults/test_elasticsearch_blocks.py covers the real node's 403 blocks.)"""

from __future__ import annotations

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from sinks.base import Record, TransientError
from sinks.elasticsearch import ElasticsearchSink


class _Refusing:
    def __init__(self, status: int, error: str):
        self.status, self.error = status, error

    def bulk(self, operations: list) -> dict:
        meta = ApiResponseMeta(self.status, "1.1", HttpHeaders(), 0.01, NodeConfig("http", "127.0.0.1", 9200))
        raise ApiError(self.error, meta, {"error": {"type": self.error}})


def _write(status: int, error: str) -> str:
    sink = ElasticsearchSink(_Refusing(status, error), "test", {"a": "alerts"})
    alert = b'{"id": "a1", "at": "2026-05-03T08:00:00+00:00", "kind": "volume_spike"}'
    with pytest.raises(TransientError) as err:
        sink.write([Record("a", 0, 0, None, alert)])
    return str(err.value)


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_name_the_settings_to_check(status):
    says = _write(status, "security_exception")
    assert f"refused our credentials ({status})" in says and "PASSAPAROLA_SECRETS__ELASTICSEARCH_PASSWORD" in says


@pytest.mark.parametrize(("status", "error"), [(400, "illegal_argument_exception"), (413, "content_too_long")])
def test_another_whole_request_refusal_is_retried_with_its_reason(status, error):
    assert f"refused the whole bulk request ({status}: {error})" in _write(status, error)
