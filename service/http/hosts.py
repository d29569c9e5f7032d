"""Host names, origins and addresses as browsers send them; pure, no Flask."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import idna

from service.http.errors import ValidationError


def http_url(value: str | None) -> str:
    """The value if it is an http(s) address, else "" (template filter `http_url`).

    Every page that links a stored address goes through this, so javascript:, data: and
    the like never become links even if something other than the API stored them.
    """
    try:
        return value if value and urlsplit(value).scheme in ("http", "https") else ""
    except ValueError:  # an unbalanced IPv6 bracket
        return ""


def ascii_host(host: str) -> str:
    """`bücher.example` as browsers send it (`xn--bcher-kva.example`), so both forms match.

    UTS 46 without the transitional mapping, as browsers do: Python's own "idna" codec
    (IDNA 2003) would turn `straße.de` into `strasse.de`, another domain.
    """
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except idna.IDNAError:  # not a valid international name: compared as written
        return host


def normalise_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case, or None if `value` is not an http(s) origin.

    Browsers already send Origin in this form; configured origins may carry a trailing
    slash or capitals, so both sides go through here before the exact comparison.
    """
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    host = ascii_host(parts.hostname.lower())
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


HOSTNAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def parse_website(value: str) -> str:
    """An http(s) address with a real host name; a bare `example.org` gets https://."""
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError for a port that is not 0-65535
    except ValueError:  # an unbalanced IPv6 bracket, a port like :99999 or :abc
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not HOSTNAME_RE.match(host)
        or parts.username
        or any(ch.isspace() for ch in value)
    ):
        raise ValidationError(
            "website must be an http(s) address.", code="invalid_url", field="website"
        )
    return value
