"""Outbound requests to user-typed addresses: resolved once, checked, and connected to the
checked address, so DNS rebinding has nothing to rebind and nothing private is touched."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service import outbound
from service.http.errors import ValidationError
from service.notifications import webhooks
from service.shares import preview

# A public address (example.com's former one); the tests connect to it only on a random
# high port, which fails fast here (no route) or times out: either way never loopback.
PUBLIC = "93.184.216.34"


@pytest.fixture
def listener():
    """A local TCP port that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    yield server
    server.close()


def received_connection(server) -> bool:
    try:
        conn, _ = server.accept()
    except (TimeoutError, OSError):
        return False
    conn.close()
    return True


@pytest.fixture
def rebinding_dns(monkeypatch):
    """`rebind.test` answers a public address the first time, then loopback."""
    real = socket.getaddrinfo
    answers = []

    def fake(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = PUBLIC if not answers else "127.0.0.1"
        answers.append(address)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return answers


def test_a_rebinding_resolver_never_gets_a_connection_to_loopback(listener, rebinding_dns):
    port = listener.getsockname()[1]
    with pytest.raises(outbound.OutboundUnreachable):
        outbound.connect("http", "rebind.test", port, timeout=0.5, allow_private=False)
    assert rebinding_dns == [PUBLIC]  # resolved once; the connection went to that address
    assert not received_connection(listener)


def test_the_preview_checker_and_webhooks_do_not_reach_a_rebound_host(app, listener, rebinding_dns):
    port = listener.getsockname()[1]
    with pytest.raises(ValidationError) as caught:
        preview.fetch_page(f"http://rebind.test:{port}/", timeout=0.5)
    assert caught.value.code == "fetch_failed"
    app.config.update(WEBHOOK_ALLOW_PRIVATE=False, WEBHOOK_TIMEOUT_SECONDS=0.5)
    # check_url resolves (public), then the connection resolves once more by itself and
    # connects only to what that answer checked: loopback, refused before any packet.
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.post(f"http://rebind.test:{port}/hook", b"{}", {})
    assert not received_connection(listener)


def test_a_private_address_is_refused_before_any_packet_is_sent(listener):
    port = listener.getsockname()[1]
    with pytest.raises(outbound.OutboundRefused):
        outbound.connect("http", "127.0.0.1", port, timeout=0.5, allow_private=False)
    assert not received_connection(listener)


def test_allowing_private_addresses_connects(listener):
    port = listener.getsockname()[1]
    connection = outbound.connect("http", "localhost", port, timeout=1, allow_private=True)
    try:
        assert connection.sock.getpeername()[1] == port
    finally:
        connection.close()


def test_an_unknown_host_is_unresolvable_not_refused():
    with pytest.raises(outbound.OutboundUnresolvable):
        outbound.resolve("no-such-host.invalid", 80, allow_private=False)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1::1", True),
        ("64:ff9b::5db8:d822", True),  # NAT64 of a public IPv4
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b:1::1", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::7f00:1", False),
        ("fec0::1", False),
        ("::ffff:192.168.0.1", False),
    ],
)
def test_embedded_ipv4_addresses_are_judged_by_the_ipv4_inside(address, public):
    assert outbound.is_public_address(address) is public


class _Odd(BaseHTTPRequestHandler):
    """Pages that used to escape as 500s: odd charsets, broken redirects, slow bodies."""

    def do_GET(self):  # noqa: N802 - the http.server API
        if self.path.startswith("/charset"):
            self._send(b"<title>x</title>", "text/html; charset=idna")
        elif self.path.startswith("/bad-redirect"):
            self.send_response(302)
            self.send_header("Location", "http://[::1/x")
            self.end_headers()
        elif self.path.startswith("/drip"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:  # the client gave up, as it should
                pass
        else:
            self._send(f"<title>{self.path}</title>".encode(), "text/html")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def odd_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Odd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_odd_pages_are_clear_errors_or_pages_never_exceptions(odd_server):
    fetch = lambda path, **kw: preview.fetch_page(odd_server + path, allow_private=True, **kw)  # noqa: E731
    assert "x" in fetch("/charset").html
    assert fetch("/caf\u00e9?q=\u00fc").html == "<title>/caf%C3%A9?q=%C3%BC</title>"
    with pytest.raises(ValidationError) as caught:
        fetch("/bad-redirect")
    assert caught.value.code == "invalid_url"
    with pytest.raises(ValidationError) as caught:
        fetch("/drip", timeout=0.5)
    assert caught.value.code == "fetch_failed"
