"""Validation of a new or edited comment; every failure names its field and a stable code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.http.errors import ValidationError
from service.http.hosts import parse_website
from service.http.validation import CONTROL_CHARS, optional_line, optional_string, parse_id

EMAIL_RE = re.compile(r"^[^@\s<>\"']{1,64}@[^@\s<>\"']+\.[^@\s<>\"']+$")


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
    notify_replies: bool = False


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
    notify_replies = data.get("notify_replies", False)
    if not isinstance(notify_replies, bool):
        raise ValidationError(
            "notify_replies must be true or false.", code="invalid_type", field="notify_replies"
        )
    if notify_replies and not email:
        raise ValidationError(
            "Give an e-mail address to be told about replies.",
            code="email_required",
            field="email",
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
        notify_replies=notify_replies,
    )
