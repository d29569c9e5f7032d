"""HTTP requests to addresses that users typed (webhooks, the preview checker), without SSRF.

The host is resolved first and every address it resolves to must be public. The address
the connection actually reached is checked again after connecting: a DNS server that
answers "public" to the check and "private" to the connection (rebinding) gets nowhere.
Private addresses are allowed only where a setting says so (tests, intranet installs).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket


class OutboundRefused(Exception):
    """The host is not one we are willing to call: a private, loopback or reserved address."""


class OutboundUnreachable(Exception):
    """The connection failed; a later try may succeed."""


class OutboundUnresolvable(OutboundUnreachable):
    """The host name does not resolve."""


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast and reserved ranges."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_host(host: str, port: int, *, allow_private: bool) -> None:
    """Resolve `host`; refuse it if any of its addresses is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise OutboundUnresolvable(f"cannot resolve {host}: {error}") from error
    if allow_private:
        return
    for info in infos:
        if not is_public_address(info[4][0]):
            raise OutboundRefused(f"{host} resolves to the private address {info[4][0]}")


def connect(
    scheme: str, host: str, port: int, *, timeout: float, allow_private: bool
) -> http.client.HTTPConnection:
    """An open connection to a checked host whose peer address is public (or allowed)."""
    check_host(host, port, allow_private=allow_private)
    connection_class = (
        http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(host, port, timeout=timeout)
    try:
        connection.connect()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise OutboundUnreachable(f"cannot connect to {host}: {error}") from error
    peer = connection.sock.getpeername()[0]
    if not allow_private and not is_public_address(peer):
        connection.close()
        raise OutboundRefused(f"{host} connected to the private address {peer}")
    return connection
