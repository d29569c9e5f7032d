"""Shared input parsing for every endpoint: JSON bodies, ids, strings; failures name a field and a code."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING

from werkzeug.routing import IntegerConverter, Map

from service.http.errors import ApiError, ValidationError

if TYPE_CHECKING:
    from flask import Request

MAX_ID = 2**31 - 1
MAX_ID_DIGITS = len(str(MAX_ID))
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069). In a name they make
# "Alice" + reversed text read as someone else's address, and the reversal runs on past
# the name into the date, the e-mail line or the page title.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


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


def parse_score(raw: str | None, name: str) -> float | None:
    """A spam score from a form or query string: blank is None, else a number in [0, 1]."""
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise ValidationError("Scores are numbers from 0 to 1.", code="invalid_score", field=name)
    return value


# A full address for accounts and trusted authors (stricter than a comment's optional e-mail).
ACCOUNT_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(raw: str) -> str:
    email = (raw or "").strip().lower()
    if not ACCOUNT_EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationError("Give a full e-mail address.", code="invalid_email", field="email")
    return email
