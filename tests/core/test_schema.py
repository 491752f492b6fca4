import json
from datetime import datetime, timedelta, timezone

import pytest

from core.schema import SCHEMA_VERSION, Author, Mention, SchemaError, mention_id


def make(**fields) -> Mention:
    base = dict(
        platform="mastodon",
        native_id="109",
        source="test",
        author=Author(id="u1", handle="@anna"),
        text="Le consegne arrivano sempre in ritardo",
        published_at=datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc),
    )
    return Mention(**(base | fields))


def test_id_is_deterministic_and_platform_scoped():
    assert make().id == make().id == mention_id("mastodon", "109")
    assert make(platform="bluesky").id != make().id
    assert make(native_id="110").id != make().id
    assert len(make().id) == 32


def test_root_mention_is_its_own_thread():
    root = make()
    assert root.thread_id == root.id and root.parent_id is None
    reply = make(native_id="110", thread_id=root.id, parent_id=root.id)
    assert reply.thread_id == root.id


def test_an_id_that_is_not_the_deterministic_one_is_refused():
    with pytest.raises(ValueError, match="not the deterministic id"):
        make(id="0" * 32)


def test_times_become_utc():
    rome = timezone(timedelta(hours=2))
    m = make(published_at=datetime(2026, 5, 1, 12, 0, tzinfo=rome))
    assert m.published_at == datetime(2026, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert m.published_at.utcoffset() == timedelta(0)
    naive = make(published_at=datetime(2026, 5, 1, 10, 0))
    assert naive.published_at.tzinfo is not None and naive.published_at.hour == 10


def test_json_round_trip_keeps_everything():
    m = make(url="https://social.example/@anna/109", brand="aurora", language="it")
    back = Mention.from_json(m.to_json())
    assert back == m
    assert back.schema_version == SCHEMA_VERSION


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"{not json", "Invalid JSON"),
        (b'{"platform": "myspace", "native_id": "1"}', "platform"),
        (b'{"platform": "x", "native_id": "1", "source": "s", "author": {"id": "a"}}', "published_at"),
        (b'{"platform": "x", "native_id": "1", "source": "s", "author": {"id": "a"}, '
         b'"published_at": "yesterday"}', "published_at"),
        (b"[1, 2]", "message"),
    ],
)
def test_bad_messages_give_a_one_line_reason(payload, reason):
    with pytest.raises(SchemaError) as err:
        Mention.from_json(payload)
    assert reason in str(err.value)
    assert "\n" not in str(err.value)


def test_newer_schema_versions_are_refused_with_advice():
    newer = make().model_dump(mode="json") | {"schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(SchemaError, match="upgrade the worker"):
        Mention.from_json(json.dumps(newer))


def test_unknown_fields_from_newer_writers_are_ignored():
    known = make().model_dump(mode="json")
    assert Mention.from_json(json.dumps(known | {"sentiment_v9": 0.3})) == Mention.from_json(json.dumps(known))


def test_a_date_that_overflows_in_utc_is_a_schema_error():
    import json as _json

    from core.schema import Mention, SchemaError

    body = {"platform": "x", "native_id": "1", "source": "s", "author": {"id": "a"},
            "published_at": "0001-01-01T00:30:00+01:00"}
    with pytest.raises(SchemaError, match="out of range"):
        Mention.from_json(_json.dumps(body).encode())
