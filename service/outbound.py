"""HTTP requests to addresses that users typed (webhooks, the preview checker), without SSRF.

The host is resolved once, every address it resolves to must be public, and the socket is
connected to one of those checked addresses: no second lookup happens, so a DNS server
that answers "public" first and "private" later (rebinding) has nothing to rebind, and a
private address is refused before any packet is sent to it (no port-scanning oracle).
HTTPS is wrapped on that socket with the host name for SNI and certificate checks.
Private addresses are allowed only where a setting says so (tests, intranet installs).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import quote

# NAT64 (RFC 6052 well-known prefix) and 6to4 carry an IPv4 address inside; judge that one.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NEVER_PUBLIC = (
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215)
    ipaddress.ip_network("::/96"),  # IPv4-compatible, deprecated
    ipaddress.ip_network("fec0::/10"),  # site-local, deprecated
)
# Characters a request target may carry as they are; anything else is percent-encoded.
_PATH_SAFE = "/?&=%:@!$'()*+,;~#[]"


class OutboundRefused(Exception):
    """The host is not one we are willing to call: a private, loopback or reserved address."""


class OutboundUnreachable(Exception):
    """The connection failed; a later try may succeed."""


class OutboundUnresolvable(OutboundUnreachable):
    """The host name does not resolve."""


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), multicast and reserved ranges."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if any(ip in network for network in _NEVER_PUBLIC):
            return False
        if ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        else:
            ip = ip.ipv4_mapped or ip.sixtofour or ip
    return ip.is_global and not ip.is_multicast


def request_target(path: str) -> str:
    """The path and query as an ASCII request target (http.client sends ASCII only)."""
    return quote(path, safe=_PATH_SAFE) or "/"


def resolve(host: str, port: int, *, allow_private: bool) -> list[tuple]:
    """The host's (family, address) pairs, all of them public unless private is allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise OutboundUnresolvable(f"cannot resolve {host}: {error}") from error
    if not allow_private:
        for info in infos:
            if not is_public_address(info[4][0]):
                raise OutboundRefused(f"{host} resolves to the private address {info[4][0]}")
    return [(info[0], info[4]) for info in infos]


def _open_socket(addresses: list[tuple], timeout: float) -> socket.socket:
    last_error: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    raise OutboundUnreachable(f"cannot connect: {last_error}")


def connect(
    scheme: str, host: str, port: int, *, timeout: float, allow_private: bool
) -> http.client.HTTPConnection:
    """An open HTTP(S) connection to `host`, made to an address that passed the check."""
    addresses = resolve(host, port, allow_private=allow_private)
    sock = _open_socket(addresses, timeout)
    try:
        if scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout
            )
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
    except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
        sock.close()
        raise OutboundUnreachable(f"cannot connect to {host}: {error}") from error
    # http.client connects only when it has no socket: it uses this one, never resolving.
    connection.sock = sock
    return connection
