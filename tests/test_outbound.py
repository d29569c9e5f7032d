"""Outbound requests to user-typed addresses: a DNS answer that changes between the check
and the connection (rebinding) must not reach a private address."""

from __future__ import annotations

import socket

import pytest

from service import outbound
from service.errors import ValidationError
from service.moderation import webhooks
from service.shares import preview

PUBLIC = "93.184.216.34"


@pytest.fixture
def listener():
    """A local TCP port that accepts connections (the kernel's backlog is enough)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


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


def test_the_check_passes_but_the_connection_to_loopback_is_refused(listener, rebinding_dns):
    with pytest.raises(outbound.OutboundRefused, match="connected to the private address"):
        outbound.connect("http", "rebind.test", listener, timeout=2, allow_private=False)
    assert rebinding_dns == [PUBLIC, "127.0.0.1"]


def test_the_preview_checker_refuses_a_rebound_host(listener, rebinding_dns):
    with pytest.raises(ValidationError) as caught:
        preview.fetch_page(f"http://rebind.test:{listener}/", timeout=2)
    assert caught.value.code == "private_address"


def test_a_webhook_to_a_rebound_host_is_refused(app, listener, rebinding_dns):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.post(f"http://rebind.test:{listener}/hook", b"{}", {})


def test_allowing_private_addresses_connects(listener, rebinding_dns):
    connection = outbound.connect("http", "rebind.test", listener, timeout=2, allow_private=True)
    try:
        assert connection.sock.getpeername()[0] == "127.0.0.1"
    finally:
        connection.close()


def test_an_unknown_host_is_unresolvable_not_refused():
    with pytest.raises(outbound.OutboundUnresolvable):
        outbound.check_host("no-such-host.invalid", 80, allow_private=False)
