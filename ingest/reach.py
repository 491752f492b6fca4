"""Which addresses a fetch may reach, and which headers travel with it.

Configured URLs (a source's feed, an API's base) are trusted: the operator chose them, and
a feed on an intranet host is legitimate. URLs found elsewhere are not: a link inside
fetched content (a feed's comment feed), a pagination link a server sends, a redirect to
another origin. Those may reach only public addresses, unless the operator lists a private
network in ``[ingest] allowed_networks``, and the credentials a connector attached to a
request never follow them to another origin.

The address is checked on the name's resolution just before the request; a name that
resolves differently a moment later (DNS rebinding) is not caught here.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

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
    networks = list(networks)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise Unreachable(f"{host} does not resolve ({err})") from None
    refused = sorted({info[4][0] for info in infos if not allowed(info[4][0], networks)})
    if refused:
        raise Unreachable(f"{host} resolves to a private or reserved address ({', '.join(refused)}); "
                          "list its network in [ingest] allowed_networks to allow it")
