"""For integrators: serve() in a background thread, and workspaces made through the /_lite admin API."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest
from conftest import Client, make_app

import twenty_lite as tl


def http_call(base: str, method: str, path: str, token: str | None, body=None) -> tuple[int, dict]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body).encode() if body is not None else None
    if data:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    return resp.status, json.loads(resp.read() or b"null")


def test_serve_runs_a_real_server_and_stops_it() -> None:
    with tl.serve(tl.Settings(db=":memory:", api_key="k", port=0, seed="none", rate_limit="0")) as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        assert server.api_key == "k"
        assert http_call(server.base_url, "GET", "/healthz", None) == (200, {"status": "ok"})
        status, body = http_call(server.base_url, "POST", "/rest/people", "k", {"city": "Oslo"})
        assert status == 201
    with pytest.raises(OSError):
        http_call(server.base_url, "GET", "/healthz", None)


def test_serve_with_defaults_hands_out_a_working_key() -> None:
    with tl.serve() as server:
        status, body = http_call(server.base_url, "GET", "/rest/companies", server.api_key)
        assert status == 200


@pytest.fixture
def admin() -> Client:
    return Client(make_app(api_key="admin-key"), "admin-key")


def test_new_workspaces_are_isolated(admin: Client) -> None:
    first = admin.post("/_lite/workspaces", json={"displayName": "A"})
    second = admin.post("/_lite/workspaces", json={"displayName": "B"})
    assert first.status_code == second.status_code == 201
    a, b = Client(admin.app, first.json()["apiKey"]), Client(admin.app, second.json()["apiKey"])
    assert a.post("/rest/people", json={"city": "Oslo"}).status_code == 201
    assert a.get("/rest/people").json()["totalCount"] == 1
    assert b.get("/rest/people").json()["totalCount"] == 0
    assert admin.get("/rest/people").json()["totalCount"] == 0  # the default workspace
    workspace = a.post("/metadata", json={"query": "{ currentWorkspace { id } }"}).json()
    assert workspace["data"]["currentWorkspace"]["id"] == first.json()["id"]


def test_a_custom_object_stays_in_its_workspace(admin: Client) -> None:
    a = Client(admin.app, admin.post("/_lite/workspaces", json={}).json()["apiKey"])
    b = Client(admin.app, admin.post("/_lite/workspaces", json={}).json()["apiKey"])
    body = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
    assert a.post("/rest/metadata/objects", json=body).status_code == 201
    assert a.get("/rest/pets").status_code == 200
    assert b.get("/rest/pets").json()["messages"] == ["object 'pets' not found. eg: companies"]
    assert b.post("/rest/metadata/objects", json=body).status_code == 201


def test_demo_seed_on_request(admin: Client) -> None:
    made = admin.post("/_lite/workspaces", json={"seed": "demo"}).json()
    assert Client(admin.app, made["apiKey"]).get("/rest/people").json()["totalCount"] > 0


def test_reset_empties_a_workspace_and_keeps_its_key(admin: Client) -> None:
    made = admin.post("/_lite/workspaces", json={}).json()
    ws = Client(admin.app, made["apiKey"])
    ws.post("/rest/people", json={"city": "Oslo"})
    ws.post("/rest/metadata/objects", json={"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet",
                                            "labelPlural": "Pets"})  # fmt: skip
    assert admin.post(f"/_lite/workspaces/{made['id']}/reset").status_code == 200
    assert ws.get("/rest/people").json()["totalCount"] == 0
    assert ws.get("/rest/pets").status_code == 400
    assert ws.post("/rest/people", json={}).status_code == 201


def test_delete_a_workspace(admin: Client) -> None:
    made = admin.post("/_lite/workspaces", json={}).json()
    ws = Client(admin.app, made["apiKey"])
    ws.post("/rest/people", json={})
    assert admin.delete(f"/_lite/workspaces/{made['id']}").json() == {"id": made["id"]}
    resp = ws.get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "error": "WORKSPACE_NOT_FOUND", "messages": ["Workspace not found"]}
    ids = [w["id"] for w in admin.get("/_lite/workspaces").json()["workspaces"]]
    assert made["id"] not in ids and admin.app.state.default_workspace in ids


def test_the_default_workspace_cannot_be_deleted(admin: Client) -> None:
    resp = admin.delete(f"/_lite/workspaces/{admin.app.state.default_workspace}")
    assert resp.status_code == 400


def test_unknown_workspace_is_404(admin: Client) -> None:
    resp = admin.post("/_lite/workspaces/11111111-2222-4333-8444-555555555555/reset")
    assert resp.status_code == 404
    assert resp.json()["messages"] == ["Workspace not found"]


@pytest.mark.parametrize("token", [None, "wrong"])
def test_admin_api_needs_the_admin_key(admin: Client, token) -> None:
    resp = Client(admin.app, token).post("/_lite/workspaces", json={})
    assert resp.status_code == 403
    assert resp.json()["error"] == "ForbiddenException"


def test_a_workspace_key_is_not_an_admin_key(admin: Client) -> None:
    made = admin.post("/_lite/workspaces", json={}).json()
    assert Client(admin.app, made["apiKey"]).get("/_lite/workspaces").status_code == 403


def test_admin_api_is_off_without_a_key() -> None:
    assert Client(make_app(api_key=None), None).get("/_lite/workspaces").status_code == 404
