"""Preview-tag checker, first half: fetch a page and read its Open Graph / Twitter Card tags.

`fetch_page` is the only network access and refuses non-http(s) and private addresses;
`read_tags` is pure. What each network makes of the tags is `preview_rules.check`.
BeautifulSoup (about 4 MiB with its charset detection) is imported by `read_tags` when a
page is checked, not by every web worker that registers the share endpoints.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from service import outbound
from service.http.errors import ValidationError

FETCH_TIMEOUT_SECONDS = 5
FETCH_MAX_BYTES = 1_000_000  # the tags live in <head>; the rest of a big page is not needed
MAX_REDIRECTS = 3
REQUEST_HEADERS = {"User-Agent": "TalkbackPreviewCheck/1.0", "Accept": "text/html"}


@dataclass(frozen=True)
class Page:
    url: str
    html: str


# --- fetching ------------------------------------------------------------------------------


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code, field="url")


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of a URL we are willing to fetch."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # an unbalanced IPv6 bracket, a port past 65535
        raise _refuse("That is not a web address.", "invalid_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("Only http(s) pages can be checked.", "unsupported_scheme")
    if parts.username or parts.password:
        raise _refuse("Addresses with a user name are not fetched.", "invalid_url")
    path = outbound.request_target(parts.path + (f"?{parts.query}" if parts.query else ""))
    return parts.scheme, parts.hostname, port, path


def _decode(body: bytes, charset: str | None) -> str:
    """The page's text in its declared charset; UTF-8 when it names one Python lacks."""
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except (LookupError, UnicodeError):  # an unknown name, or a codec such as "idna"
        return body.decode("utf-8", errors="replace")


def _read_within(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    """At most `max_bytes`, and no later than `deadline`: the socket timeout bounds each read,
    not the whole body, so a server dripping a byte at a time is cut off here."""
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        if time.monotonic() > deadline:
            raise _refuse("The page took too long to send.", "fetch_failed")
        chunk = response.read1(min(64 * 1024, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _get(url: str, *, allow_private: bool, timeout: float, max_bytes: int) -> Page | str:
    """One hop: the page, or the URL a redirect points to."""
    scheme, host, port, path = _target(url)
    try:
        connection = outbound.connect(
            scheme, host, port, timeout=timeout, allow_private=allow_private
        )
    except outbound.OutboundRefused:
        raise _refuse(
            "The address is private, loopback or reserved; it is not fetched.",
            "private_address",
        ) from None
    except outbound.OutboundUnresolvable:
        raise _refuse(f"Cannot resolve {host}.", "unresolvable_host") from None
    except outbound.OutboundUnreachable as error:
        raise _refuse(f"The page could not be fetched ({error}).", "fetch_failed") from None
    try:
        connection.request("GET", path, headers=REQUEST_HEADERS)
        response = connection.getresponse()
        if 300 <= response.status < 400 and response.getheader("Location"):
            try:
                return urljoin(url, response.getheader("Location"))
            except ValueError:
                raise _refuse("The page redirects to a malformed address.", "invalid_url") from None
        if response.status >= 300:
            raise _refuse(f"The page answered HTTP {response.status}.", "fetch_failed")
        content_type = response.headers.get_content_type()
        if content_type not in ("text/html", "application/xhtml+xml"):
            raise _refuse(f"The page is {content_type}, not HTML.", "not_html")
        body = _read_within(response, max_bytes, time.monotonic() + timeout * 2)
        return Page(url=url, html=_decode(body, response.headers.get_content_charset()))
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise _refuse(f"The page could not be fetched ({error}).", "fetch_failed") from None
    finally:
        connection.close()


def fetch_page(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = FETCH_TIMEOUT_SECONDS,
    max_bytes: int = FETCH_MAX_BYTES,
) -> Page:
    """GET an HTML page (at most `max_bytes`, `MAX_REDIRECTS` hops, `timeout` seconds each).

    Every hop is checked like the first (see `service.outbound`): its host must resolve to
    public addresses only, and the connection goes to one of the addresses checked.
    """
    for _ in range(MAX_REDIRECTS + 1):
        result = _get(url, allow_private=allow_private, timeout=timeout, max_bytes=max_bytes)
        if isinstance(result, Page):
            return result
        url = result
    raise _refuse("Too many redirects.", "too_many_redirects")


# --- reading and judging -------------------------------------------------------------------


def read_tags(html: str, page_url: str = "") -> dict:
    """The first value of every og:/twitter:/article: meta tag, plus <title> and canonical."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or "").strip().lower()
        content = tag.get("content")
        if key and content is not None and key not in meta:
            meta[key] = content.strip()
    canonical = soup.find("link", rel="canonical")
    title = soup.title.string.strip() if soup.title and soup.title.string else ""
    return {
        "page_url": page_url,
        "title": title,
        "canonical": canonical.get("href", "").strip() if canonical else "",
        "meta": meta,
    }
