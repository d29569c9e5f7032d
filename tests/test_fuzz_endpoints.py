"""Every route, hostile input: nothing a caller sends may cause a 500.

The routes come from `app.url_map`, so a new endpoint is fuzzed without editing this file.
Each route gets hostile values in every path segment, hostile query strings and bodies,
and is called anonymously, with bogus and valid bearer tokens, and from a signed-in owner's
dashboard session (with its CSRF token, so the form views themselves run). Under /api/ every
error must also be the documented `{"error": {"code", "message"}}` shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from sqlalchemy import text
from werkzeug.routing import Rule

from service import create_app
from service.accounts import services as accounts
from service.accounts.models import Role
from service.comments.models import Comment, Thread
from service.extensions import db
from tests import support
from tests.moderator_forms import csrf_token, signed_in

# Valid values for each path argument name, so one segment at a time can be made hostile.
VALID_ARGS = {
    "site": "blog",
    "slug": "blog",
    "comment_id": "1",
    "thread_id": "1",
    "action": "approve",
    "network": "x",
    "membership_id": "1",
    "rule_id": "1",
    "author_id": "1",
    "token_id": "1",
    "token": "not-a-signed-token",
    "asset_hash": "0123456789",
    "filename": "dashboard.js",
}

HOSTILE_SEGMENTS = [
    "0",
    "-1",
    "1.5",
    "1e3",
    "abc",
    "99999999999999999999",
    "2147483647",
    "2147483648",
    "9" * 5000,
    "%C2%B2",  # superscript two: str.isdigit() says yes, int() says no
    "%D9%A0",  # Arabic-Indic zero
    "%00",
    "%0A%0D",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..",
    "%2e%2e",
    "a" * 3000,
    "%E2%80%AE%F0%9F%92%A9",
    "%FF%FE",  # not UTF-8
    "<script>alert(1)</script>",
    "%3Cimg%20src=x%20onerror=alert(1)%3E",
    "%2F%2Fevil.example",
]

# Markup that must never come back unescaped in an HTML page (reflected XSS).
XSS_MARK = "<img src=x onerror=alert(1)>"

HOSTILE_QUERY_VALUES = [
    f'"><{XSS_MARK[1:]}',
    XSS_MARK,
    "",
    "\x00",
    "\x01\x1b[31m",
    "-1",
    "0",
    "99999999999999999999",
    "9" * 5000,
    "²",
    "1e9",
    "x" * 20000,
    "//evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/\\evil.example",
    "/\t/evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "/.//evil.example",
    "../../etc/passwd",
    "\u202e\U0001f4a9",
    "[",
    "http://[::1",
    "http://[",
    "0.5_99999999999999999999",
    "n_-1",
    "nan_1",
    "2026-13-45",
    "9999-12-31",
    "0001-01-01",
    "2147483647",
    "2147483648",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "-0",
]

# Every key some view reads (grep request.args/form in service/); unknown keys are harmless.
# One key at a time is slow (every key times every value), so it gets the values that
# found bugs: numbers out of range or not quite numbers, malformed URLs, edge dates.
SINGLE_KEY_VALUES = [
    XSS_MARK,
    "-1",
    "0",
    "9" * 5000,
    "99999999999999999999",
    "2147483648",
    "²",
    "nan",
    "1e999",
    "http://[",
    "0.5_99999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "//evil.example",
    "javascript:alert(1)",
    "x" * 2000,
]

QUERY_KEYS = [
    "uri",
    "after",
    "limit",
    "offset",
    "status",
    "token",
    "days",
    "title",
    "text",
    "url",
    "instance",
    "next",
    "q",
    "site",
    "theme",
    "lang",
    "before",
    "page",
    "author",
    "kind",
    "reason",
    "actor",
    "date_from",
    "date_to",
    "min_score",
    "max_score",
    "ip",
    "scope",
]

# Field names any endpoint might read; each is sent with values of the wrong type.
BODY_FIELDS = [
    "uri",
    "title",
    "parent_id",
    "author",
    "email",
    "website",
    "text",
    "honeypot",
    "form_token",
    "token",
    "reason",
    "url",
    "ids",
    "action",
    "pattern",
    "kind",
    "role",
    "label",
    "mode",
    "webhook_url",
    "webhook_secret",
    "threshold",
    "name",
    "origins",
    "password",
    "confirm",
    "next",
    "status",
    "allowed_origins",
    "approve_below",
    "spam_at",
    "moderation_policy",
    "whole_word",
    "scope",
    "email",
    "comment_id",
]

WRONG_TYPES = [None, True, -1, 2**70, 1.5, [], ["a", "b"], {}, {"$gt": ""}, "\x00" * 10]


def json_bodies() -> list[tuple[str, bytes]]:
    """(content type, raw body) pairs: malformed, mistyped, oversized and mis-declared."""
    bodies = [
        ("application/json", b"{"),
        ("application/json", b""),
        ("application/json", b"null"),
        ("application/json", b"[1, 2, 3]"),
        ("application/json", b'"a string"'),
        ("application/json", b"1e999"),
        ("application/json", b"\xff\xfe\x00{"),
        ("application/json", b'{"text": "\\ud800"}'),
        ("application/json", json.dumps({"text": "x" * 300_000}).encode()),
        ("text/plain", b'{"text": "hello"}'),
        ("application/x-www-form-urlencoded", b"text=hello&uri=%2Fpost"),
        ("multipart/form-data; boundary=zzz", b"--zzz\r\nbroken"),
        ("application/xml", b"<?xml version='1.0'?><a/>"),
    ]
    for value in WRONG_TYPES:
        body = {field: value for field in BODY_FIELDS}
        bodies.append(("application/json", json.dumps(body).encode()))
    for value in HOSTILE_QUERY_VALUES:
        body = {field: value for field in BODY_FIELDS}
        bodies.append(("application/json", json.dumps(body).encode()))
    long_strings = {field: "é" * 20_000 for field in BODY_FIELDS}
    bodies.append(("application/json", json.dumps(long_strings).encode()))
    almost_valid = {"uri": "/post", "text": "hello", "website": "http://[::1", "email": "a@b"}
    bodies.append(("application/json", json.dumps(almost_valid).encode()))
    bodies.append(
        ("application/json", json.dumps({**almost_valid, "website": "http://["}).encode())
    )
    return bodies


def form_bodies() -> list[dict[str, str]]:
    """Form fields as a browser could send them: every field, every hostile string."""
    forms = [{}]
    for value in HOSTILE_QUERY_VALUES + ["1", "approve", "owner", "block_word", "daily"]:
        forms.append({field: value for field in BODY_FIELDS})
    forms.append({"ids": "1", "action": "approve"})
    forms.append({"ids": ["1", "x", "-5", "9" * 30], "action": "delete"})
    forms.append({"ids": [str(i) for i in range(1, 2000)], "action": "approve"})
    return forms


HOSTILE_HEADERS = [
    ("Origin", "http://["),
    ("Origin", "null"),
    ("Origin", "https://blog.example:99999"),
    ("Origin", "https://blog.example\x00"),
    ("Accept", "application/json"),
    ("Accept", "*/*;q=x"),
    ("Accept-Language", "\u00e9" * 500),
    ("X-Forwarded-For", "not-an-ip"),
    ("User-Agent", "x" * 10000),
    ("Content-Length", "-1"),
]

BEARER_HEADERS = {
    "none": {},
    "bogus bearer": {"Authorization": "Bearer not-a-real-token"},
    "malformed auth": {"Authorization": "Bearer"},
    "basic auth": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    "unicode bearer": {"Authorization": "Bearer \u00e9\u00e9"},
}


def route_methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"OPTIONS", "HEAD"})


def all_routes() -> list[tuple[str, str]]:
    app = create_app({"TALKBACK_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return [
        (rule.rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        for method in route_methods(rule)
    ]


ROUTES = all_routes()


def build_path(rule: Rule, override: tuple[str, str] | None = None) -> str:
    """The rule's URL with valid arguments, or one argument replaced by a raw hostile one."""
    path = rule.rule
    for argument in rule.arguments:
        value = VALID_ARGS.get(argument, "1")
        if override and override[0] == argument:
            value = override[1]
        path = _replace_argument(path, argument, value)
    return path


def _replace_argument(path: str, argument: str, value: str) -> str:
    start = path.index("<")
    while True:
        end = path.index(">", start)
        name = path[start + 1 : end].split(":")[-1]
        if name == argument:
            return path[:start] + value + path[end + 1 :]
        start = path.index("<", end)


class Fuzzer:
    """Sends one request and records what broke, so one test reports every failure."""

    def __init__(self, app: Flask, rule: Rule, method: str):
        self.app = app
        self.rule = rule
        self.method = method
        self.failures: list[str] = []

    def send(self, client, label: str, path: str, **kwargs) -> None:
        try:
            response = client.open(path, method=self.method, **kwargs)
        except Exception as error:  # noqa: BLE001 - the test client re-raises what became a 500
            self.failures.append(f"{self.method} {path[:120]} [{label}]: raised {error!r}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{self.method} {path[:120]} [{label}]: {response.status_code}")
            return
        if path.startswith("/api/") and response.status_code >= 400:
            self._check_error_shape(response, path, label)
        if 300 <= response.status_code < 400:
            self._check_redirect(response, path, label)
        if response.mimetype == "text/html" and XSS_MARK in response.get_data(as_text=True):
            self.failures.append(f"{self.method} {path[:120]} [{label}]: reflects raw markup")

    def _check_redirect(self, response, path: str, label: str) -> None:
        """Hostile values name evil.example; no redirect may lead there (open redirect)."""
        location = response.headers.get("Location", "")
        host = urlsplit(urljoin("http://localhost/moderate/", location)).hostname or ""
        if host == "evil.example" or host.endswith(".evil.example"):
            self.failures.append(
                f"{self.method} {path[:120]} [{label}]: redirects off-site to {location[:120]!r}"
            )

    def _check_error_shape(self, response, path: str, label: str) -> None:
        body = response.get_json(silent=True)
        error = body.get("error") if isinstance(body, dict) else None
        if not (
            isinstance(error, dict)
            and isinstance(error.get("code"), str)
            and error["code"]
            and isinstance(error.get("message"), str)
        ):
            self.failures.append(
                f"{self.method} {path[:120]} [{label}]: {response.status_code} "
                f"without the JSON error shape: {response.get_data(as_text=True)[:200]!r}"
            )


def seed_world(app: Flask) -> dict:
    """Two sites, a comment on each, an owner with a token and a dashboard session."""
    site = accounts.create_site("blog", "Blog", ["https://blog.example"])
    other = accounts.create_site("other", "Other", ["https://other.example"])
    for row, text_ in ((site, "On our site."), (other, "On another site.")):
        thread = Thread(site_id=row.id, uri="/post", title="Post")
        db.session.add(thread)
        db.session.flush()
        db.session.add(
            Comment(site_id=row.id, thread_id=thread.id, text=text_, html=f"<p>{text_}</p>")
        )
    db.session.commit()
    moderator = accounts.get_or_create_moderator("api@example.org")
    accounts.grant_role(moderator, site, Role.OWNER)
    token = accounts.issue_api_token(moderator)
    dashboard = signed_in(app, site, "owner@example.org", Role.OWNER)
    return {"token": token, "dashboard": dashboard}


@pytest.fixture
def world(app):
    return seed_world(app)


def clients(app: Flask, world: dict) -> list[tuple[str, object, dict]]:
    anonymous = app.test_client()
    out = [(f"anonymous, {name}", anonymous, headers) for name, headers in BEARER_HEADERS.items()]
    out.append(("valid bearer", anonymous, {"Authorization": f"Bearer {world['token']}"}))
    out.append(("signed-in owner", world["dashboard"], {}))
    return out


def session_csrf_token(client) -> str:
    """The signed-in session's CSRF token, so a form POST reaches the view itself."""
    return csrf_token(client, "/moderate/tokens")


@dataclass(frozen=True)
class Inputs:
    segments: list[str]
    query_values: list[str]
    single_key_values: list[str]
    bodies: list[tuple[str, bytes]]
    forms: list[dict]


SQLITE_INPUTS = Inputs(
    HOSTILE_SEGMENTS, HOSTILE_QUERY_VALUES, SINGLE_KEY_VALUES, json_bodies(), form_bodies()
)
# PostgreSQL refuses what SQLite stores without complaint: NUL bytes, strings longer than
# a VARCHAR(n), integers past int4. So the PostgreSQL pass sends those, and only those.
PG_STRINGS = ["\x00", "a\x00b", "é" * 3000, "x" * 300, "2147483648", "9" * 19]
PG_INPUTS = Inputs(
    ["%00", "a%00b", "2147483648", "9" * 19, "é" * 300],
    PG_STRINGS,
    PG_STRINGS,
    [
        ("application/json", json.dumps({field: value for field in BODY_FIELDS}).encode())
        for value in PG_STRINGS + [2**31, -(2**31) - 1, 2**63]
    ],
    [{field: value for field in BODY_FIELDS} for value in PG_STRINGS],
)


def fuzz_route(app: Flask, world: dict, route: str, method: str, inputs: Inputs) -> list[str]:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.rule == route)
    fuzz = Fuzzer(app, rule, method)
    callers = clients(app, world)
    owner = world["dashboard"]
    bearer = {"Authorization": f"Bearer {world['token']}"}

    # 1. Hostile values in each path segment, from the callers that get furthest.
    # One token for the whole route: it stays valid for the session (unless a POST ends it).
    token = {"csrf_token": session_csrf_token(owner)}
    form = token if method == "POST" else None
    for argument in rule.arguments:
        for value in inputs.segments:
            path = build_path(rule, (argument, value))
            fuzz.send(owner, f"owner, {argument}={value[:20]}", path, data=form)
            fuzz.send(owner, f"bearer, {argument}={value[:20]}", path, headers=bearer)

    path = build_path(rule)
    # 2. Every caller, no body at all; then hostile headers and a forged session cookie.
    for label, client, headers in callers:
        fuzz.send(client, label, path, headers=headers)
    for name, value in HOSTILE_HEADERS:
        fuzz.send(app.test_client(), f"header {name}: {value[:20]!r}", path, headers={name: value})
    forged = app.test_client()
    forged.set_cookie("session", "eyJtb2RlcmF0b3JfaWQiOjF9.forged.signature")
    fuzz.send(forged, "forged session cookie", path)

    # 3. Hostile query strings: one key at a time and all at once.
    for value in inputs.query_values:
        everything = {key: value for key in QUERY_KEYS}
        for label, client, headers in callers[-2:]:
            fuzz.send(
                client, f"{label}, all query keys", path, headers=headers, query_string=everything
            )
    for value in inputs.single_key_values:
        for key in QUERY_KEYS:
            fuzz.send(owner, f"owner, ?{key}", path, headers=bearer, query_string={key: value})
    fuzz.send(owner, "repeated uri", path, headers=bearer, query_string=[("uri", "/a")] * 101)

    # 4. Hostile bodies, raw and as forms.
    if method in ("POST", "PATCH", "PUT", "DELETE"):
        for content_type, raw in inputs.bodies:
            for label, client, headers in callers[-2:] + callers[:1]:
                fuzz.send(
                    client,
                    f"{label}, {content_type} {raw[:30]!r}",
                    path,
                    headers=headers,
                    data=raw,
                    content_type=content_type,
                )
        for form in inputs.forms:
            sample = next(iter(form.values()), "")
            label = f"form {str(sample)[:20]!r}"
            fuzz.send(owner, f"owner, {label}", path, data={**form, **token})
            fuzz.send(owner, f"bearer, {label}", path, headers=bearer, data=form)
            fuzz.send(app.test_client(), f"anonymous, {label}", path, data=form)
    return fuzz.failures


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_route_never_500s_on_hostile_input(app, world, route, method):
    failures = fuzz_route(app, world, route, method, SQLITE_INPUTS)
    assert not failures, "\n".join(failures[:40])


@pytest.fixture(scope="module")
def pg_fuzz_app(tmp_path_factory):
    """The app on its own PostgreSQL database, so emptying it disturbs no other test."""
    with support.pg_database("talkback_fuzz") as url:
        app = create_app(
            {
                "TALKBACK_ENV": "testing",
                "SQLALCHEMY_DATABASE_URI": url,
                "SPAM_MODEL_DIR": str(tmp_path_factory.mktemp("models")),
            }
        )
        with app.app_context():
            db.create_all()
        yield app
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def pg_fuzz_world(pg_fuzz_app):
    """The same world as `world`, on PostgreSQL, from empty tables with ids starting at 1."""
    with pg_fuzz_app.app_context():
        tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.session.commit()
        yield pg_fuzz_app, seed_world(pg_fuzz_app)
        db.session.remove()


@pytest.mark.parametrize(("route", "method"), ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_route_never_500s_on_postgres_only_failures(pg_fuzz_world, route, method):
    app, world = pg_fuzz_world
    failures = fuzz_route(app, world, route, method, PG_INPUTS)
    assert not failures, "\n".join(failures[:40])
