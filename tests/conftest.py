"""Shared fixtures: an in-process WSGI client over a fresh in-memory workspace per test."""

from __future__ import annotations

import http.client
import io
import json
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import twenty_lite as tl

API_KEY = "test-key"


class Response:
    """What a WSGI call answered: status code, headers and body."""

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status_code = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        return f"<Response {self.status_code} {self.body[:300]!r}>"


class Client:
    """Calls the WSGI app directly, as a real HTTP client would, with the bearer key by default."""

    def __init__(self, app: Any, token: str | None = API_KEY) -> None:
        self.app = app
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | list[tuple[str, Any]] | None = None,
        json_body: Any = None,
        data: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        token: str | None | bool = True,
    ) -> Response:
        """Send one request; token=True uses the client's key, None/False sends no header."""
        parts = urlsplit(path)
        query = parts.query
        if params:
            extra = urlencode(params)
            query = f"{query}&{extra}" if query else extra
        body = b""
        hdrs = {k.lower(): v for k, v in (headers or {}).items()}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs.setdefault("content-type", "application/json")
        elif data is not None:
            body = data.encode() if isinstance(data, str) else data
        if token is True:
            token = self.token
        if token:
            hdrs.setdefault("authorization", f"Bearer {token}")
        environ = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": parts.path,
            "QUERY_STRING": query,
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "3000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        if "content-type" in hdrs:
            environ["CONTENT_TYPE"] = hdrs.pop("content-type")
        for k, v in hdrs.items():
            environ["HTTP_" + k.upper().replace("-", "_")] = v
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = status
            captured["headers"] = headers

        chunks = self.app(environ, start_response)
        try:
            out = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return Response(captured["status"], captured["headers"], out)

    def get(self, path: str, **kw: Any) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("POST", path, json_body=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("PATCH", path, json_body=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Response:
        return self.request("PUT", path, json_body=json, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self.request("DELETE", path, **kw)


def make_app(**overrides: Any) -> Any:
    """A fresh app over its own in-memory database, standard data model, no records."""
    options: dict[str, Any] = {"db": ":memory:", "api_key": API_KEY, "seed": "none", "rate_limit": "0"}
    options.update(overrides)
    return tl.create_app(tl.Settings(**options))


class CheckedClient(Client):
    """The client, additionally asserting that no request answers 500 and that every answer is JSON."""

    def request(self, method: str, path: str, **kw: Any) -> Response:
        resp = super().request(method, path, **kw)
        assert resp.status_code != 500, f"{method} {path} -> {resp!r}"
        ctype = resp.headers.get("content-type", "")
        assert ctype.startswith("application/json"), f"{method} {path}: content-type {ctype!r}"
        return resp


def client_with(**settings: Any) -> CheckedClient:
    """A checked client over a fresh app with other settings."""
    return CheckedClient(make_app(**settings))


def http_send(
    base_url: str,
    method: str,
    path: str,
    token: str | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    """One real HTTP call on a new connection, with a bearer token and a JSON body when given: (status,
    body bytes). Connection failures raise OSError or http.client.HTTPException."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def new_id() -> str:
    return str(uuid.uuid4())


def ok(resp: Response, status: int = 200) -> Any:
    """The JSON body of a response that must have this status."""
    assert resp.status_code == status, resp.text
    return resp.json()


def assert_error(resp: Response, status: int, error: str, message: str) -> None:
    """Twenty's error body, compared whole."""
    assert resp.status_code == status, resp.text
    assert resp.json() == {"statusCode": status, "error": error, "messages": [message]}


# Relation fields a depth=1 record adds (rest.md §5, data-model.md §7.2).
PERSON_RELATIONS = {
    "company",
    "pointOfContactForOpportunities",
    "noteTargets",
    "taskTargets",
    "attachments",
    "favorites",
    "timelineActivities",
    "messageParticipants",
    "calendarEventParticipants",
}
COMPANY_RELATIONS = {
    "accountOwner",
    "people",
    "opportunities",
    "noteTargets",
    "taskTargets",
    "attachments",
    "favorites",
    "timelineActivities",
}


@pytest.fixture
def app() -> Any:
    return make_app()


@pytest.fixture
def client(app: Any) -> Client:
    return Client(app)


@pytest.fixture
def demo_client() -> Client:
    return Client(make_app(seed="demo"))


STANDARD_SINGULARS = {
    "company",
    "person",
    "opportunity",
    "note",
    "noteTarget",
    "task",
    "taskTarget",
    "workspaceMember",
    "attachment",
    "favorite",
    "timelineActivity",
    "message",
    "messageThread",
    "messageParticipant",
    "messageChannelMessageAssociation",
    "calendarEvent",
    "calendarEventParticipant",
    "calendarChannelEventAssociation",
    "blocklist",
    "dashboard",
    "workflow",
    "workflowVersion",
    "workflowRun",
    "workflowAutomatedTrigger",
    "favoriteFolder",
}


def jwt(app: Any, **overrides: Any) -> str:
    """A token for the default admin key, signed with the workspace secret, claims overridable."""
    state = app.state
    now = state.clock()
    payload = {
        "sub": state.default_workspace,
        "type": "API_KEY",
        "workspaceId": state.default_workspace,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(days=1)).timestamp()),
        "jti": state.default_api_key,
    }
    payload.update(overrides)
    secret = tl._jwt_secret(state.app_secret, str(payload.get("workspaceId") or payload.get("sub")))
    return tl._sign_jwt(payload, secret)


def gql(client: Client, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> dict:
    """POST /graphql; returns the JSON body (HTTP 200 checked)."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    resp = client.post("/graphql", json=payload, **kw)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert isinstance(body, dict), body
    return body


def meta_gql(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    """POST /metadata with variables as keywords; returns the JSON body."""
    return client.post("/metadata", json={"query": query, "variables": variables}).json()


def meta_data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    """POST /metadata that must answer without errors; returns its data."""
    body = meta_gql(client, query, **variables)
    assert "errors" not in body, body
    return body["data"]


def root_error(
    client: Client,
    query: str,
    field: str,
    code: str,
    sub_code: str | None = None,
    message: str | None = None,
    variables: dict[str, Any] | None = None,
) -> dict:
    """A one-root-field document whose resolver fails: the field is null next to one error."""
    body = gql(client, query, variables)
    assert body.get("data") == {field: None}, body
    errors = body.get("errors")
    assert isinstance(errors, list) and len(errors) == 1, body
    err = errors[0]
    assert err["path"] == [field], err
    assert err["extensions"]["code"] == code, err
    if sub_code is not None:
        assert err["extensions"]["subCode"] == sub_code, err
    if message is not None:
        assert err["message"] == message, err
    return err
