"""Which addresses a fetch may reach, and which headers travel with it.

Configured URLs (a source's feed, an API's base) are trusted: the operator chose them, and
a feed on an intranet host is legitimate. URLs found elsewhere are not: a link inside
fetched content (a feed's comment feed), a pagination link a server sends, a redirect to
another origin. Those may reach only public addresses, unless the operator lists a private
network in ``[ingest] allowed_networks``, and the credentials a connector attached to a
request never follow them to another origin.

The address is checked twice: on the name's resolution before the request, for a clear
refusal, and again where the connection is opened (:class:`GuardedBackend`), on the very
addresses connected to, so a name that resolves to a public address for the check and to a
private one a moment later (DNS rebinding) is refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import httpcore
import httpx

# Headers that carry a credential: dropped when a request moves to another origin.
_CREDENTIAL_WORDS = ("authorization", "cookie", "token", "key", "secret", "session", "auth")


class Unreachable(ValueError):
    """A discovered URL or cross-origin redirect points where fetches may not go."""


class UnusableUrl(Unreachable):
    """A URL that cannot be read at all."""


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)``, the port made explicit for http and https; :class:`Unreachable`
    for a URL that cannot be read (a port out of range, a broken IPv6 literal)."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError as err:
        raise UnusableUrl(f"not a usable URL ({err})") from None
    return scheme, (parts.hostname or "").lower(), port


def same_origin(a: str, b: str) -> bool:
    return origin(a) == origin(b)


def without_credentials(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers that carry no credential (Authorization, cookies, API keys and tokens)."""
    return {k: v for k, v in headers.items() if not any(word in k.lower() for word in _CREDENTIAL_WORDS)}


def parse_networks(networks: Iterable[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in networks]


def allowed(address: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """A public unicast address, or one inside a network the operator allowed."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in net for net in networks):
        return True
    return ip.is_global and not ip.is_multicast


async def check_reachable(url: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
    """Raise :class:`Unreachable` unless every address ``url``'s host resolves to is allowed."""
    scheme, host, port = origin(url)
    if scheme not in ("http", "https") or not host:
        raise Unreachable(f"not an http(s) URL: {scheme or 'no scheme'}")
    try:
        await allowed_addresses(host, port, list(networks))
    except (socket.gaierror, UnicodeError) as err:
        raise Unreachable(f"{host} does not resolve ({err})") from None


async def allowed_addresses(host: str, port: int | None, networks: list, when: str = "") -> list[str]:
    """The addresses ``host`` resolves to, in order; :class:`Unreachable` if any is not allowed
    (``when`` tells where in the message); the resolver's own errors pass through."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    refused = sorted(a for a in addresses if not allowed(a, networks))
    if refused:
        raise Unreachable(f"{host} resolves to a private or reserved address ({', '.join(refused)}){when}; "
                          "list its network in [ingest] allowed_networks to allow it")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to addresses :func:`allowed` lets through.

    The name is resolved here and the connection opened to the address checked, never to
    the name: nothing can answer the check with one address and the connection with another.
    TLS still verifies the certificate against the name (httpcore passes it as SNI).
    """

    def __init__(self, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]):
        self._networks = list(networks)
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await allowed_addresses(host, port, self._networks, when=" when connecting")
        except (socket.gaierror, UnicodeError) as err:
            raise httpcore.ConnectError(f"{host} does not resolve ({err})") from None
        failure: Exception = httpcore.ConnectError(f"{host} has no address")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                     socket_options=socket_options)
            except httpcore.ConnectError as err:
                failure = err
        raise failure

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable | None = None) -> httpcore.AsyncNetworkStream:
        raise Unreachable("a discovered URL may not reach a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through :class:`GuardedBackend`."""
    transport = httpx.AsyncHTTPTransport()
    # httpx has no parameter for httpcore's network backend: set it on the pool it built.
    # tests/ingest/test_http.py::test_a_name_that_rebinds_to_a_private_address_is_refused_at_connect
    # fails if a new httpx or httpcore stops using it.
    pool = transport._pool  # noqa: SLF001
    if not hasattr(pool, "_network_backend"):
        raise RuntimeError("this httpcore version has no _network_backend: update ingest.reach.guarded_transport")
    pool._network_backend = GuardedBackend(networks)  # noqa: SLF001
    return transport
