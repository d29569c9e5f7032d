"""Checks that run before every request."""

from __future__ import annotations

import flask

from service.http.errors import ApiError

FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_bytes() -> None:
    """Run before every request: no path, query or form value may carry a NUL byte.

    PostgreSQL text can neither store nor compare one (psycopg raises DataError), SQLite
    stores it silently, and no legitimate input needs it. JSON fields are cleaned by the
    parsers below instead.
    """
    incoming = flask.request
    # Only a form body has form values; asking `form` of any other request still costs a
    # body parse on every hot GET.
    has_form = incoming.mimetype in FORM_MIMETYPES
    form = incoming.form.items(multi=True) if has_form else ()
    pairs = [*incoming.args.items(multi=True), *form]
    if "\x00" in incoming.path or any("\x00" in value for _, value in pairs):
        raise ApiError("Input may not contain NUL bytes.", code="invalid_characters")
