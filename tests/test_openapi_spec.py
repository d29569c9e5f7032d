"""The OpenAPI description: in step with the URL map, valid OpenAPI 3.1, served cacheably."""

from __future__ import annotations

import json
import re

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR

from service.moderation.actions import ACTIONS
from service.moderation.queue import QUEUE_STATUSES
from service.openapi.document import openapi_document

# Methods Flask adds to every rule by itself (HEAD mirrors GET, OPTIONS answers preflights).
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}
ROUTE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def routes_in_url_map(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) for every /api/ rule: `<id:comment_id>` becomes `{comment_id}`."""
    return {
        (ROUTE_ARGUMENT.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - IMPLICIT_METHODS
    }


def routes_in_description() -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, operations in openapi_document()["paths"].items()
        for method in operations
    }


def test_every_api_route_is_described_and_the_description_names_no_other(app):
    in_app, described = routes_in_url_map(app), routes_in_description()
    assert in_app - described == set(), "routes missing from service/openapi/paths.py"
    assert described - in_app == set(), "described routes the app does not have"


def test_the_sync_check_sees_a_new_route_and_a_new_method(app):
    """The comparison above is not vacuous: a route added to the app shows up in it."""
    app.add_url_rule("/api/v1/sites/<site>/export", "export", lambda site: "", methods=["GET"])
    app.add_url_rule("/api/v1/preview", "preview_get", lambda: "", methods=["GET"])
    missing = routes_in_url_map(app) - routes_in_description()
    assert missing == {("/api/v1/sites/{site}/export", "get"), ("/api/v1/preview", "get")}


def test_path_parameters_are_the_route_arguments():
    document = openapi_document()
    parameters = document["components"]["parameters"]
    for path, operations in document["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for method, operation in operations.items():
            declared = {
                parameters[item["$ref"].rsplit("/", 1)[1]]["name"]
                for item in operation.get("parameters", [])
                if "$ref" in item and parameters[item["$ref"].rsplit("/", 1)[1]]["in"] == "path"
            }
            assert declared == in_path, f"{method.upper()} {path}"


def test_description_is_valid_openapi_3_1_with_valid_json_schemas():
    document = json.loads(json.dumps(openapi_document()))
    OPENAPI_31_VALIDATOR.validate(document)  # raises with the first problem
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_every_operation_documents_its_errors_with_the_shared_error_body():
    document = openapi_document()
    error_answers = document["components"]["responses"]
    for answer in error_answers.values():
        assert answer["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {int(status) for status in operation["responses"]}
            assert any(200 <= status < 300 for status in statuses), f"{method} {path}"
            if path.endswith("openapi.json"):
                continue
            assert 400 in statuses, f"{method} {path}: a NUL byte is refused everywhere"
            assert 503 in statuses, f"{method} {path}: the database may be down"
            if operation.get("security"):
                assert 401 in statuses, f"{method} {path}"
            if "requestBody" in operation:
                assert {413, 415} <= statuses, f"{method} {path}"


def test_moderation_enums_are_the_moderator_apis_own():
    path = openapi_document()["paths"]["/api/v1/sites/{site}/queue"]["get"]
    status = next(param for param in path["parameters"] if param.get("name") == "status")
    assert status["schema"]["enum"] == list(QUEUE_STATUSES)
    action = openapi_document()["components"]["parameters"]["action"]
    assert action["schema"]["enum"] == list(ACTIONS)


def test_served_description_is_the_document_cacheable_without_cors(client, site):
    answer = client.get("/api/v1/openapi.json", headers={"Origin": "https://blog.example"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    assert answer.get_json() == json.loads(json.dumps(openapi_document()))
    assert answer.get_json()["openapi"].startswith("3.1")
    assert answer.cache_control.public and answer.cache_control.max_age >= 3600
    # The widget's allowed origin gets CORS on the comment API, not on this document.
    assert "Access-Control-Allow-Origin" not in answer.headers
    widget_call = client.get(
        "/api/v1/sites/blog/form-token", headers={"Origin": "https://blog.example"}
    )
    assert widget_call.headers["Access-Control-Allow-Origin"] == "https://blog.example"
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
