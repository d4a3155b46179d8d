"""Bearer tokens on the REST API: the CLI key, API-key JWTs and every token error (auth-and-limits.md §2-3)."""

from __future__ import annotations

import pytest
from conftest import Client, jwt, make_app

import twenty_lite as tl

FORBIDDEN_MISSING = {"statusCode": 403, "error": "FORBIDDEN_EXCEPTION", "messages": ["Missing authentication token"]}


def test_printed_token_of_the_default_key_is_accepted(app) -> None:
    resp = Client(app, app.state.token()).get("/rest/people")
    assert resp.status_code == 200
    assert resp.json()["totalCount"] == 0


def test_printed_token_is_the_cli_key_when_given(app) -> None:
    assert app.state.token() == "test-key"


def test_default_key_creates_records_as_api_with_its_name(app) -> None:
    resp = Client(app, jwt(app)).post("/rest/companies", json={"name": "Acme"})
    assert resp.status_code == 201
    assert resp.json()["data"]["createCompany"]["createdBy"] == {
        "source": "API",
        "workspaceMemberId": None,
        "name": "Default admin key",
        "context": {},
    }


def test_token_signed_with_the_legacy_access_secret_is_accepted(app) -> None:
    state = app.state
    payload = {"sub": state.default_workspace, "type": "API_KEY", "workspaceId": state.default_workspace,
               "exp": 4102444800, "jti": state.default_api_key}  # fmt: skip
    token = tl._sign_jwt(payload, tl._jwt_secret(state.app_secret, state.default_workspace, "ACCESS"))
    assert Client(app, token).get("/rest/people").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": ""}, {"Authorization": "Bearer "}, {"Authorization": "Basic dGVzdDp0ZXN0"}],
)
def test_missing_token_is_403(app, headers) -> None:
    resp = Client(app, None).get("/rest/people", headers=headers)
    assert resp.status_code == 403
    assert resp.json() == FORBIDDEN_MISSING


def test_query_token_counts_as_missing(app) -> None:
    resp = Client(app, None).get("/rest/people?token=test-key")
    assert resp.status_code == 403
    assert resp.json() == FORBIDDEN_MISSING


@pytest.mark.parametrize("token", ["invalid-token", "a.b.c", "e30.e30", "x.e30.y.z"])
def test_malformed_token_is_401_no_payload(app, token) -> None:
    resp = Client(app, token).get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["No payload"]}


def test_wrong_signature_is_token_invalid(app) -> None:
    head, body, _ = jwt(app).split(".")
    forged = tl._sign_jwt({"sub": app.state.default_workspace, "type": "API_KEY"}, b"not-the-secret").split(".")[2]
    resp = Client(app, f"{head}.{body}.{forged}").get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]}


def test_expired_token(app) -> None:
    resp = Client(app, jwt(app, exp=1_000_000)).get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token has expired."]}


def test_expired_token_with_bad_signature_says_invalid(app) -> None:
    head, body, _ = jwt(app, exp=1_000_000).split(".")
    resp = Client(app, f"{head}.{body}.AAAA").get("/rest/people")
    assert resp.json()["messages"] == ["Token invalid."]


def test_unknown_workspace(app) -> None:
    other = "11111111-2222-4333-8444-555555555555"
    resp = Client(app, jwt(app, sub=other, workspaceId=other)).get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "error": "WORKSPACE_NOT_FOUND", "messages": ["Workspace not found"]}


def test_unknown_key_id_is_revoked(app) -> None:
    resp = Client(app, jwt(app, jti="11111111-2222-4333-8444-555555555555")).get("/rest/people")
    assert resp.status_code == 403
    assert resp.json() == {"statusCode": 403, "error": "FORBIDDEN_EXCEPTION", "messages": ["This API Key is revoked"]}


def test_revoked_key(app) -> None:
    with app.state.store.write() as conn:
        conn.execute("UPDATE api_key SET revoked_at = '2026-01-01T00:00:00.000Z'")
    resp = Client(app, jwt(app)).get("/rest/people")
    assert resp.status_code == 403
    assert resp.json()["messages"] == ["This API Key is revoked"]


def test_other_token_type_is_refused(app) -> None:
    resp = Client(app, jwt(app, type="ACCESS")).get("/rest/people")
    assert resp.status_code == 403
    assert resp.json() == {"statusCode": 403, "error": "INVALID_JWT_TOKEN_TYPE", "messages": ["Invalid token type"]}


def test_without_cli_key_the_literal_string_is_not_accepted() -> None:
    app = make_app(api_key=None)
    assert Client(app, "test-key").get("/rest/people").status_code == 401


def test_authentication_comes_before_path_errors(app) -> None:
    resp = Client(app, None).get("/rest/nope/not-a-uuid/x/y")
    assert resp.status_code == 403
