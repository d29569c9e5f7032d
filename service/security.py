"""Small helpers for secrets: random tokens stored only as hashes, and IP truncation."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str | None, stored_hash: str) -> bool:
    if not token or not stored_hash:
        return False
    return hmac.compare_digest(hash_token(token), stored_hash)


def truncate_ip(raw: str | None) -> str:
    """Keep the network, not the person: /24 for IPv4, /64 for IPv6."""
    try:
        address = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
