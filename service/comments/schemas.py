"""Validation of the public API's input; every failure names its field and a stable code."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import flask
import idna
from flask import Request
from werkzeug.routing import IntegerConverter, Map

from service.errors import ApiError, ValidationError

MAX_ID = 2**31 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']+$")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069). In a name they make
# "Alice" + reversed text read as someone else's address, and the reversal runs on past
# the name into the date, the e-mail line or the page title.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def refuse_nul_bytes() -> None:
    """Run before every request: no path, query or form value may carry a NUL byte.

    PostgreSQL text can neither store nor compare one (psycopg raises DataError), SQLite
    stores it silently, and no legitimate input needs it. JSON fields are cleaned by the
    parsers below instead.
    """
    incoming = flask.request
    pairs = [*incoming.args.items(multi=True), *incoming.form.items(multi=True)]
    if "\x00" in incoming.path or any("\x00" in value for _, value in pairs):
        raise ApiError("Input may not contain NUL bytes.", code="invalid_characters")


def parse_json_body(request: Request) -> dict:
    if not request.is_json:
        raise ApiError(
            "Send the body as JSON with Content-Type: application/json.",
            code="unsupported_media_type",
        ).with_status(415)
    try:
        data = json.loads(request.get_data(as_text=True) or "null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError("The body is not valid JSON.", code="malformed_json") from None
    except RecursionError:
        raise ApiError("The body nests too deeply.", code="malformed_json") from None
    if not is_encodable(data):
        # "\ud800" is valid JSON but no text: the database and every encoder refuse it.
        raise ApiError(
            "The body contains a lone UTF-16 surrogate, which is not text.",
            code="invalid_characters",
        )
    if not isinstance(data, dict):
        raise ApiError("The body must be a JSON object.", code="invalid_body")
    return data


def is_encodable(data: object) -> bool:
    """True if every string in a parsed JSON value (keys too) can be written as UTF-8."""
    try:
        json.dumps(data, ensure_ascii=False).encode()
    except (UnicodeEncodeError, RecursionError):
        return False
    return True


def id_or_none(raw: object) -> int | None:
    """An int (or a digit string from a URL) that fits the database's integer column.

    The length check comes before int(): Python refuses to convert strings of more than
    4,300 digits, and a longer id is out of range anyway.
    """
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS:
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw <= MAX_ID:
        return None
    return raw


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: a row id that fits the integer column, else the route is a 404.

    Plain `<int:...>` takes any length; SQLite cannot bind past 64 bits, PostgreSQL past int4.
    """

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def parse_id(raw: object, field: str = "id") -> int:
    """Like id_or_none, but a bad value is a ValidationError naming the field."""
    value = id_or_none(raw)
    if value is None:
        raise ValidationError(
            f"{field} must be a positive integer.", code="invalid_id", field=field
        )
    return value


def optional_string(data: dict, field: str, max_length: int) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string.", code="invalid_type", field=field)
    value = CONTROL_CHARS.sub("", value).strip()
    if len(value) > max_length:
        raise ValidationError(
            f"{field} is longer than {max_length} characters.", code="too_long", field=field
        )
    return value


def optional_line(data: dict, field: str, max_length: int) -> str:
    """A one-line field (a name, a title, an address): no line breaks, no bidi controls.

    A line break in a thread title would end up in a notification's Subject header.
    """
    value = optional_string(data, field, max_length)
    return " ".join(BIDI_CONTROLS.sub("", value).split())


def parse_thread_uri(value: object, field: str = "uri") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("uri is required.", code="missing_field", field=field)
    value = value.strip()
    if len(value) > 1024:
        raise ValidationError("uri is too long.", code="too_long", field=field)
    if not value.startswith("/") or value.startswith("//") or CONTROL_CHARS.search(value):
        raise ValidationError(
            "uri must be the page's path, starting with a single '/'.",
            code="invalid_uri",
            field=field,
        )
    return value


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


@dataclass(frozen=True)
class NewComment:
    uri: str
    title: str
    parent_id: int | None
    author: str
    email: str
    website: str
    text: str
    honeypot: str
    form_token: str


def parse_comment_text(data: dict, max_chars: int) -> str:
    """The Markdown source of a new or edited comment: required, bounded, no control chars."""
    text = data.get("text")
    if text is None or (isinstance(text, str) and not text.strip()):
        raise ValidationError("text is required.", code="missing_field", field="text")
    if not isinstance(text, str):
        raise ValidationError("text must be a string.", code="invalid_type", field="text")
    if len(text) > max_chars:
        raise ValidationError(
            f"text is longer than {max_chars} characters.", code="too_long", field="text"
        )
    return CONTROL_CHARS.sub("", text).strip()


def parse_new_comment(data: dict, max_chars: int) -> NewComment:
    text = parse_comment_text(data, max_chars)
    parent_raw = data.get("parent_id")
    email = optional_line(data, "email", 254)
    if email and not EMAIL_RE.match(email):
        raise ValidationError(
            "email is not an e-mail address.", code="invalid_email", field="email"
        )
    return NewComment(
        uri=parse_thread_uri(data.get("uri")),
        title=optional_line(data, "title", 300),
        parent_id=None if parent_raw is None else parse_id(parent_raw, "parent_id"),
        author=optional_line(data, "author", 100),
        email=email,
        website=parse_website(optional_line(data, "website", 500)),
        text=text,
        honeypot=optional_string(data, "honeypot", 500),
        form_token=optional_string(data, "form_token", 500),
    )
