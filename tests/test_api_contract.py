"""Property-based run of schemathesis against /api/v1/openapi.json, on the real WSGI app.

Every operation in the description is called with generated inputs (valid and invalid,
from the examples, coverage and fuzzing phases) by an anonymous reader and by a site
owner's bearer token, and every answer must be: no 500, a status the description lists,
the content type, headers and body it lists for that status; an undeclared method gets a
405 with `Allow`; a bearer-only operation refuses the call without the token (schemathesis
re-sends it to see). Generated values are mixed with
the seeded site's real slug, comment ids, edit tokens and pages, so the calls reach the
views' real work (posting, editing, moderating, share menus, the preview fetch) and not
only "unknown site". Deterministic (fixed seed, no example database) and bounded
(MAX_EXAMPLES per operation and caller).

The preview checker's fetch runs for real, but every host name resolves to a local page
server: a fuzzer must not send requests to whatever hosts it happens to generate.
"""

from __future__ import annotations

import os
import socket
import threading
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from service import outbound
from service.accounts import services as accounts
from service.accounts.models import Role
from service.extensions import db
from service.openapi.document import openapi_document
from service.shares.services import record_click
from tests import support

# Bounded and fixed for `make test`; raise or vary them by hand for a deeper search.
MAX_EXAMPLES = int(os.environ.get("TALKBACK_CONTRACT_EXAMPLES", "40"))
SEED = int(os.environ.get("TALKBACK_CONTRACT_SEED", "14"))
# SQLite in `make test`; TALKBACK_CONTRACT_POSTGRES=1 runs it on a throw-away PostgreSQL.
ON_POSTGRES = os.environ.get("TALKBACK_CONTRACT_POSTGRES") == "1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,  # e.g. WWW-Authenticate on every 401
    unsupported_method,  # an undocumented method is a 405 with an Allow header
    allow_header_conformance,
    ignored_auth,  # a bearer-only operation refuses the same call without the token
]
# The site the description's examples name (`flask demo seed` creates it), so the examples
# and coverage phases reach it too, not only the fuzzing phase's substituted values.
SITE = "demo"
ORIGIN = "http://127.0.0.1:5000"
PREVIEW_PAGE = b"""<!doctype html><html><head><title>A post</title>
<meta property="og:title" content="A post worth sharing">
<meta property="og:description" content="What it is about.">
<meta property="og:image" content="https://127.0.0.1:5000/cover.png">
<meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="http://127.0.0.1:5000/demo"></head><body>Hello</body></html>"""


@dataclass
class Seeded:
    """Real values the generated cases are mixed with."""

    token: str
    sites: list[str]
    uris: list[str]
    page_urls: list[str]
    comments: list[tuple[int, str]]  # (id, edit token)
    parent_ids: list[int | None]
    thread_ids: list[int]
    preview_urls: list[str]
    calls: Counter = field(default_factory=Counter)


class PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/post")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PREVIEW_PAGE)))
        self.end_headers()
        self.wfile.write(PREVIEW_PAGE)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def page_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def contract_app(tmp_path_factory, page_server):
    port = page_server
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            outbound,
            "resolve",
            lambda host, _port, *, allow_private: [(socket.AF_INET, ("127.0.0.1", port))],
        )
        with ExitStack() as stack:
            database = (
                stack.enter_context(support.pg_database("talkback_contract"))
                if ON_POSTGRES
                else "sqlite://"
            )
            app = support.testing_app(
                tmp_path_factory.mktemp("contract"), SQLALCHEMY_DATABASE_URI=database
            )
            with app.app_context():
                db.create_all()
                yield app
                db.session.remove()
                db.engine.dispose()


def seed(app) -> Seeded:
    """Two sites (the caller owns one), comments posted in several states, share clicks."""
    blog = accounts.create_site(SITE, "Talkback demo blog", [ORIGIN])
    accounts.create_site("other", "Someone else's blog", ["https://other.example"])
    owner = accounts.get_or_create_moderator("owner@example.org")
    accounts.grant_role(owner, blog, Role.OWNER)
    token = accounts.issue_api_token(owner)
    db.session.commit()
    client = app.test_client()
    comments = []
    for number, uri in enumerate(["/demo", "/demo", "/demo", "/about", "/about"]):
        answer = client.post(
            f"/api/v1/sites/{SITE}/comments",
            json={"uri": uri, "author": f"Reader {number}", "text": f"Comment *{number}*"},
        )
        assert answer.status_code == 202, answer.get_json()
        comments.append((answer.get_json()["id"], answer.get_json()["edit_token"]))
    bearer = {"Authorization": f"Bearer {token}"}
    approved = [comment_id for comment_id, _ in comments[:3]]
    for comment_id in approved:
        assert (
            client.post(f"/api/v1/comments/{comment_id}/approve", headers=bearer).status_code == 200
        )
    client.post(f"/api/v1/comments/{comments[3][0]}/spam", headers=bearer)
    menu = client.get(f"/api/v1/sites/{SITE}/shares", query_string={"url": f"{ORIGIN}/demo"})
    thread_id = menu.get_json()["thread"]["id"]
    for network in ("x", "mastodon", "email"):
        record_click(blog.id, thread_id, network)
    return Seeded(
        token=token,
        sites=[SITE, SITE, SITE, "other"],  # mostly the caller's own site
        uris=["/demo", "/about", "/new-page"],
        page_urls=[f"{ORIGIN}/demo", f"{ORIGIN}/new-page?utm_source=x#top", "https://x.example/"],
        comments=comments,
        parent_ids=[*approved, None],
        thread_ids=[thread_id, thread_id + 1],
        preview_urls=[f"{ORIGIN}/demo", "http://blog.example/moved", "https://10.0.0.1/"],
    )


def with_known_values(case, picks: dict) -> object:
    """The generated case with some of its values replaced by real ones from the seed."""
    comment_id, edit_token = picks["comment"]
    path = case.path_parameters or {}
    for name, value in (("site", picks["site"]), ("comment_id", comment_id)):
        if name in path:
            path[name] = value
    if "thread_id" in path:
        path["thread_id"] = picks["thread_id"]
    query = case.query if isinstance(case.query, dict) else {}
    replacements = {"token": edit_token, "uri": picks["uri"], "url": picks["page_url"]}
    for name, value in replacements.items():
        if name in query:
            query[name] = [value] if isinstance(query[name], list) else value
    if isinstance(case.body, dict):
        body_values = {**replacements, "parent_id": picks["parent_id"]}
        if case.operation.path.endswith("/preview-check"):
            body_values["url"] = picks["preview_url"]
        for name, value in body_values.items():
            if name in case.body:
                case.body[name] = value
    return case


SEEDED: list[Seeded] = []  # filled by the `seeded` fixture; the hook below reads it


@pytest.fixture(scope="module")
def seeded(contract_app, request) -> Seeded:
    SEEDED.append(seed(contract_app))
    summary = CallSummary(SEEDED[-1].calls)
    request.config.pluginmanager.register(summary)
    yield SEEDED[-1]
    SEEDED.clear()


@dataclass
class CallSummary:
    """Calls per operation and caller, by status, at the end of the run: what was reached."""

    calls: Counter

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.calls:
            report(terminalreporter, self.calls)


def report(reporter, calls: Counter) -> None:
    reporter.write_sep("-", "schemathesis: calls per operation and caller, by status")
    rows: dict[tuple[str, str], Counter] = {}
    for (label, operation, status), count in calls.items():
        rows.setdefault((operation, label), Counter())[status] = count
    for (operation, label), statuses in sorted(rows.items()):
        spread = " ".join(f"{status}:{count}" for status, count in sorted(statuses.items()))
        reporter.write_line(f"{operation:<52} {label:<9} {sum(statuses.values()):>5}  {spread}")
    reporter.write_line(f"{len(rows)} operation runs, {sum(calls.values())} calls")
    reporter.write_line("status* = an undocumented method (OPTIONS is answered by Flask itself)")


@pytest.fixture(scope="module", params=["anonymous", "bearer"])
def caller(request, seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.token}"} if request.param == "bearer" else {}


def pick(values: str):
    """One of the seeded values named `values`, drawn when the case is (after seeding)."""
    return st.integers(0, 99).map(
        lambda index: (got := getattr(SEEDED[-1], values))[index % len(got)]
    )


KNOWN_VALUES = st.fixed_dictionaries(
    {
        "site": pick("sites"),
        "comment": pick("comments"),
        "thread_id": pick("thread_ids"),
        "uri": pick("uris"),
        "page_url": pick("page_urls"),
        "parent_id": pick("parent_ids"),
        "preview_url": pick("preview_urls"),
    }
)

schema = schemathesis.openapi.from_dict(
    openapi_document(),
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "database": "none",
                # The caller's own Authorization header is sent, or none at all.
                "with-security-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)


@schema.hook
def flatmap_case(context, case):
    return st.one_of(st.just(case), KNOWN_VALUES.map(lambda picks: with_known_values(case, picks)))


@schema.parametrize()
def test_every_answer_matches_the_description(case, contract_app, caller, seeded):
    # The description is loaded at import, before the app exists; the checks' own probes
    # (ignored_auth resends without the token) go where the operation says.
    case.operation.app = case.operation.schema.app = contract_app
    response = case.call_and_validate(headers=caller, checks=CHECKS)
    label = "bearer" if caller else "anonymous"
    # The coverage phase also tries undocumented methods (405; OPTIONS is Flask's 200).
    other_method = "" if case.method == case.operation.method.upper() else "*"
    seeded.calls[(label, case.operation.label, f"{response.status_code}{other_method}")] += 1
    if response.status_code == 202:  # a new comment: later cases may edit, read or moderate it
        posted = response.json()
        seeded.comments.append((posted["id"], posted["edit_token"]))


def test_a_database_outage_is_answered_as_described(tmp_path):
    """The 503 the fuzzer cannot provoke: an unreachable database, body and Retry-After."""
    down = support.testing_app(
        tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/talkback.db"
    )
    operation = schema["/api/v1/sites/{site}/threads"]["GET"]
    case = operation.Case(path_parameters={"site": SITE}, query={"uri": "/demo"})
    response = case.call(app=down)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    # Every check but not_a_server_error, which counts any 5xx: here the 503 is the point.
    case.validate_response(
        response,
        checks=[
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            response_headers_conformance,
        ],
    )
