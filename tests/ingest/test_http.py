"""The connectors' HTTP client against a real local server: retries, rate limits, auth, size."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from core.settings import IngestSettings
from ingest.http import AuthError, BadBody, HttpClient, HttpProblem


def _get(replay, path, waits=None, json=False, **settings):
    async def no_sleep(seconds):
        if waits is not None:
            waits.append(seconds)

    async def go():
        config = IngestSettings(**{"backoff_s": 0.01, "retries": 2, **settings})
        async with HttpClient("test", config, sleep=no_sleep) as http:
            if json:
                return await http.get_json(replay.url + path, auth_hint="PASSAPAROLA_SECRETS__X_BEARER_TOKEN")
            return await http.get(replay.url + path, auth_hint="PASSAPAROLA_SECRETS__X_BEARER_TOKEN")

    return asyncio.run(go())


def test_a_429_waits_as_long_as_retry_after_says_then_succeeds(replay):
    replay.route("/a", replay.Reply(429, b"{}", {"Retry-After": "7"}), {"ok": True})
    waits = []
    assert _get(replay, "/a", waits, json=True) == {"ok": True}
    assert waits == [7.0]
    assert len(replay.requests("/a")) == 2


def test_5xx_is_retried_with_backoff_then_gives_a_one_line_problem(replay):
    replay.route("/down", replay.Reply(503, b"busy"))
    waits = []
    with pytest.raises(HttpProblem, match=r"HTTP 503 after 3 attempts"):
        _get(replay, "/down", waits)
    assert len(waits) == 2 and all(0 <= w <= 0.04 for w in waits)


def test_refused_credentials_name_the_setting_and_never_the_token(replay):
    replay.route("/secret", replay.Reply(401, b'{"title": "Unauthorized"}'))
    with pytest.raises(AuthError) as err:
        _get(replay, "/secret?access_token=TOPSECRET")
    assert "PASSAPAROLA_SECRETS__X_BEARER_TOKEN" in str(err.value)
    assert "TOPSECRET" not in str(err.value)
    assert len(replay.requests("/secret")) == 1  # no retry on auth failures


def test_an_oversized_body_is_refused_before_it_is_read_whole(replay):
    replay.route("/big", b"x" * 5000)
    with pytest.raises(BadBody, match="exceeds max_body_bytes"):
        _get(replay, "/big", max_body_bytes=1000)


def test_invalid_json_is_bad_body_with_a_sample(replay):
    replay.route("/truncated", b'{"data": [{"id": "1", "te')
    with pytest.raises(BadBody) as err:
        _get(replay, "/truncated", json=True)
    assert err.value.sample.startswith(b'{"data"')


def test_the_user_agent_names_the_project(replay):
    replay.route("/ua", b"{}")
    _get(replay, "/ua")
    assert replay.requests("/ua")[0].headers["user-agent"].startswith("Passaparola/")


def test_a_spent_quota_waits_for_the_reset_before_returning(replay):
    reset = str(int(time.time()) + 30)
    replay.route("/quota", replay.Reply(200, b"{}", {"x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}))
    waits = []
    _get(replay, "/quota", waits)
    assert len(waits) == 1 and 25 <= waits[0] <= 31


def test_a_wait_beyond_max_wait_ends_the_run_instead_of_hanging(replay):
    replay.route("/long", replay.Reply(429, b"", {"Retry-After": "3600"}))
    with pytest.raises(HttpProblem, match="rate limited for 3600 s"):
        _get(replay, "/long", max_wait_s=60)


def _fetch(url, headers=None, found_at=None, **settings):
    async def go():
        async with HttpClient("test", IngestSettings(**{"retries": 0, **settings})) as http:
            return await http.get(url, headers=headers, found_at=found_at)

    return asyncio.run(go())


TOKEN = {"Authorization": "Bearer TOPSECRET", "X-Api-Key": "KEYSECRET", "Accept": "application/json"}


def test_a_redirect_within_the_origin_keeps_the_credentials(replay):
    replay.route("/old", replay.Reply(301, b"", {"Location": "/new?page=2"}))
    replay.route("/new", b"moved here")
    assert _fetch(replay.url + "/old", TOKEN).body == b"moved here"
    seen = replay.requests("/new")[0]
    assert seen.headers["authorization"] == "Bearer TOPSECRET" and seen.query == {"page": "2"}


def test_a_redirect_to_a_private_address_on_another_origin_is_not_followed(replay, elsewhere):
    elsewhere.route("/internal", b"internal secrets")
    replay.route("/feed", replay.Reply(302, b"", {"Location": elsewhere.url + "/internal"}))
    with pytest.raises(HttpProblem, match=r"not fetched: 127\.0\.0\.1 resolves to a private or reserved address"):
        _fetch(replay.url + "/feed", TOKEN)
    assert elsewhere.requests() == []


def test_an_allowed_network_is_reached_across_origins_but_without_the_credentials(replay, elsewhere):
    elsewhere.route("/internal", b"intranet feed")
    replay.route("/feed", replay.Reply(307, b"", {"Location": elsewhere.url + "/internal"}))
    assert _fetch(replay.url + "/feed", TOKEN, allowed_networks=["127.0.0.0/8"]).body == b"intranet feed"
    headers = elsewhere.requests("/internal")[0].headers
    assert "authorization" not in headers and "x-api-key" not in headers and headers["accept"] == "application/json"


def test_a_discovered_url_on_another_origin_must_be_public(replay, elsewhere):
    elsewhere.route("/admin", b"internal")
    with pytest.raises(HttpProblem, match="not fetched"):
        _fetch(elsewhere.url + "/admin", TOKEN, found_at=replay.url + "/feed")
    assert elsewhere.requests() == []
    # Found in a document of its own origin, it is as trusted as that document.
    assert _fetch(elsewhere.url + "/admin", TOKEN, found_at=elsewhere.url + "/feed").body == b"internal"


class Rebinding:
    """A resolver for ``rebind.test`` that answers a public address the first time and the
    loopback one after: the DNS rebinding an attacker's name server plays."""

    def __init__(self, real):
        self.real, self.answers = real, 0

    def __call__(self, host, port, *args, **kwargs):
        if (host.decode() if isinstance(host, bytes) else host) != "rebind.test":  # anyio passes it IDNA-encoded
            return self.real(host, port, *args, **kwargs)
        self.answers += 1
        address = "93.184.215.14" if self.answers == 1 else "127.0.0.1"
        return self.real(address, port, *args, **kwargs)


def test_a_name_that_rebinds_to_a_private_address_is_refused_at_connect(replay, elsewhere, monkeypatch):
    import socket

    elsewhere.route("/admin", b"internal")
    resolver = Rebinding(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = elsewhere.url.rsplit(":", 1)[1]
    with pytest.raises(HttpProblem, match=r"rebind\.test resolves to a private or reserved address \(127\.0\.0\.1\) "
                                          "when connecting"):
        _fetch(f"http://rebind.test:{port}/admin", TOKEN, found_at=replay.url + "/feed")
    assert resolver.answers == 2  # the check saw the public address; the connection, the private one
    assert elsewhere.requests() == []


def test_a_redirect_loop_is_a_one_line_problem(replay):
    replay.route("/a", replay.Reply(302, b"", {"Location": "/b"}))
    replay.route("/b", replay.Reply(302, b"", {"Location": "/a"}))
    with pytest.raises(HttpProblem, match="more than 10 redirects"):
        _fetch(replay.url + "/a")


def test_messages_never_carry_user_info_or_query(replay):
    replay.route("/gone", replay.Reply(404, b"{}"))
    port = replay.url.rsplit(":", 1)[1]
    with pytest.raises(HttpProblem) as err:
        _fetch(f"http://reader:PASSWORD@127.0.0.1:{port}/gone?token=TOKEN")
    assert str(err.value) == f"http://127.0.0.1:{port}/gone: HTTP 404"


@pytest.mark.parametrize(("address", "allowed"), [
    ("93.184.216.34", True), ("2606:4700::1111", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("192.168.0.1", False), ("169.254.169.254", False),
    ("::1", False), ("fd00:ec2::254", False), ("::ffff:127.0.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
])
def test_only_public_unicast_addresses_are_reachable_by_default(address, allowed):
    from ingest.reach import allowed as reachable

    assert reachable(address, []) is allowed


def test_a_body_that_does_not_decode_is_bad_body(replay):
    replay.route("/gz", replay.Reply(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    with pytest.raises(BadBody, match="does not decode as its Content-Encoding says"):
        _fetch(replay.url + "/gz")


@pytest.mark.parametrize(("url", "says"), [
    ("http://127.0.0.1:99999/feed", "not a usable URL"),
    ("ftp://127.0.0.1/feed", "not an http(s) URL"),
    ("http://[::1/feed", "not a usable URL"),
])
def test_a_malformed_url_is_a_one_line_problem(url, says):
    with pytest.raises(HttpProblem, match=re.escape(says)):
        _fetch(url)
