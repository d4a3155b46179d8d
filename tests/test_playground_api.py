"""The playground's own routes, in process: /playground/model (the data model's version, polled so the page
follows changes) and /playground/requests (the Requests view over the workspace's journal: bodies included
and redacted, webhook deliveries with what was sent and answered), and /favicon.ico."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from conftest import Client, assert_error, make_app, ok

DENIED = "Entity performing the request does not have permission"
BAD_AFTER = "'after' must be the seq number of a journal entry (a non-negative integer)"
FUTURE = "2099-01-01T00:00:00.000Z"


def requests_of(client: Client, after: int = 0) -> list[dict[str, Any]]:
    return ok(client.get(f"/playground/requests?after={after}"))["requests"]


def key_with_role(client: Client, label: str) -> str:
    """A token of a new API key with one of the standard roles."""
    roles = ok(client.post("/metadata", json={"query": "{ getRoles { id label } }"}))["data"]["getRoles"]
    role = next(r["id"] for r in roles if r["label"] == label)
    made = ok(client.post("/rest/metadata/apiKeys", json={"name": label, "expiresAt": FUTURE, "roleId": role}), 201)
    query = "mutation($id: UUID!, $e: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $e) { token } }"
    answer = ok(client.post("/metadata", json={"query": query, "variables": {"id": made["id"], "e": FUTURE}}))
    return answer["data"]["generateApiKeyToken"]["token"]


# ---- /playground/model ---------------------------------------------------------------------------------------


def test_the_model_version_moves_when_the_data_model_changes(client: Client) -> None:
    before = ok(client.get("/playground/model"))
    assert list(before) == ["version"] and isinstance(before["version"], int)
    assert ok(client.get("/playground/model")) == before  # reading changes nothing
    client.post("/rest/people", json={"name": {"firstName": "Ada"}})
    assert ok(client.get("/playground/model")) == before  # records are not the data model
    body = {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}
    ok(client.post("/rest/metadata/objects", json=body), 201)
    assert ok(client.get("/playground/model"))["version"] > before["version"]


@pytest.mark.parametrize("what", ["model", "requests"])
def test_the_playground_routes_want_a_valid_key(app: Any, what: str) -> None:
    assert_error(
        Client(app, None).get(f"/playground/{what}"), 403, "FORBIDDEN_EXCEPTION", "Missing authentication token"
    )
    resp = Client(app, "not-a-token").get(f"/playground/{what}")
    assert resp.status_code == 401 and resp.json()["error"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_playground_routes_are_read_only(client: Client, method: str) -> None:
    for what in ("model", "requests"):
        resp = client.request(method, f"/playground/{what}", json_body={})
        assert resp.status_code == 404 and resp.headers["content-type"].startswith("application/json")


def test_the_favicon_is_nothing_rather_than_a_404(app: Any) -> None:
    resp = Client(app, None).get("/favicon.ico")
    assert (resp.status_code, resp.text) == (204, "")


# ---- /playground/requests --------------------------------------------------------------------------------------


def test_requests_come_newest_first_with_both_bodies_and_numbered(client: Client) -> None:
    ok(client.post("/rest/people", json={"name": {"firstName": "Ada"}}), 201)
    client.get("/rest/people?limit=1")
    client.post("/rest/people", json={"nope": 1})
    entries = requests_of(client)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/rest/people", 400), ("GET", "/rest/people?limit=1", 200), ("POST", "/rest/people", 201),
    ]  # fmt: skip
    assert [e["seq"] for e in entries] == sorted((e["seq"] for e in entries), reverse=True)
    refused, listed, created = entries
    assert json.loads(created["requestBody"]) == {"name": {"firstName": "Ada"}}
    assert json.loads(created["responseBody"])["data"]["createPerson"]["name"]["firstName"] == "Ada"
    assert "requestBody" not in listed  # a GET sends none
    assert refused["reason"] == 'Object person doesn\'t have any "nope" field.' and "reason" not in created
    assert json.loads(refused["responseBody"])["statusCode"] == 400
    assert all(e["at"].endswith("Z") and e["durationMs"] >= 0 for e in entries)


def test_after_gives_only_the_entries_numbered_above_it(client: Client) -> None:
    client.get("/rest/people")
    last = requests_of(client)[0]["seq"]
    assert requests_of(client, last) == []
    client.get("/rest/companies")
    fresh = requests_of(client, last)
    assert [(e["path"], e["seq"]) for e in fresh] == [("/rest/companies", last + 1)]


@pytest.mark.parametrize("after", ["x", "-1", "1.5", "1e3", "", "9" * 19, "%00", "1,2"])
def test_a_bad_after_is_a_400(client: Client, after: str) -> None:
    assert_error(client.get(f"/playground/requests?after={after}"), 400, "BadRequestException", BAD_AFTER)


def test_polling_is_neither_journalled_nor_rate_limited() -> None:
    app = make_app(rate_limit="3/60")
    client = Client(app)
    client.get("/rest/people")
    for _ in range(20):
        assert client.get("/playground/requests").status_code == 200
        assert client.get("/playground/model").status_code == 200
    assert [e["path"] for e in requests_of(client)] == ["/rest/people"]
    assert client.get("/rest/people").status_code == 200  # 2 of 3 calls used: the polls did not count


def test_bodies_are_cut_at_8_kib(client: Client) -> None:
    long = "x" * 20_000
    client.post("/rest/people", json={"jobTitle": long})
    entry = requests_of(client)[0]
    assert len(entry["requestBody"]) == 8192 and len(entry["responseBody"]) == 8192
    assert entry["requestBody"].startswith('{"jobTitle": "xxx')


def test_tokens_secrets_and_passwords_in_bodies_are_redacted(client: Client) -> None:
    token = key_with_role(client, "Member")  # a generateApiKeyToken answer holds the token
    hook = ok(
        client.post("/rest/metadata/webhooks", json={"targetUrl": "http://127.0.0.1:9/h", "secret": "s3cr3t"}), 201
    )
    client.post("/graphql", json={"query": "{ people { totalCount } }", "variables": {"password": "hunter2"}})
    shown = json.dumps(requests_of(client))
    for secret in (token, hook["secret"], "s3cr3t", "hunter2"):
        assert secret not in shown
    entries = requests_of(client)
    minted = next(e for e in entries if "generateApiKeyToken" in e.get("requestBody", ""))
    assert json.loads(minted["responseBody"]) == {"data": {"generateApiKeyToken": {"token": "[redacted]"}}}
    made = next(e for e in entries if e["path"] == "/rest/metadata/webhooks")
    assert json.loads(made["requestBody"])["secret"] == "[redacted]"
    assert json.loads(made["responseBody"])["secret"] == "[redacted]"


def test_the_admin_journal_leaves_the_bodies_out() -> None:
    app = make_app(api_key="admin-key")
    admin = Client(app, "admin-key")
    made = ok(admin.post("/_lite/workspaces", json={}), 201)
    ws = Client(app, made["apiKey"])
    ws.post("/rest/people", json={"name": {"firstName": "Ada"}})
    entries = ok(admin.get(f"/_lite/workspaces/{made['id']}/journal"))["requests"]
    assert [set(e) for e in entries] == [{"at", "method", "path", "status", "durationMs"}]
    assert set(requests_of(ws)[0]) == {"at", "method", "path", "status", "durationMs", "seq", "requestBody",
                                       "responseBody"}  # fmt: skip


def test_a_workspace_sees_only_its_own_requests() -> None:
    app = make_app(api_key="admin-key")
    admin = Client(app, "admin-key")
    b, c = (Client(app, ok(admin.post("/_lite/workspaces", json={}), 201)["apiKey"]) for _ in range(2))
    b.post("/rest/people", json={"name": {"firstName": "OnlyB"}})
    c.get("/rest/companies")
    assert [e["path"] for e in requests_of(c)] == ["/rest/companies"]
    assert "OnlyB" not in json.dumps(requests_of(c)) and "OnlyB" in json.dumps(requests_of(b))


@pytest.mark.parametrize("role", ["Member", "Guest"])
def test_a_role_without_the_api_keys_and_webhooks_permission_is_refused(client: Client, role: str) -> None:
    limited = Client(client.app, key_with_role(client, role))
    assert_error(limited.get("/playground/requests"), 403, "ForbiddenException", DENIED)
    assert ok(limited.get("/playground/model"))["version"] >= 1  # the version is no secret


# ---- webhook deliveries -----------------------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = b"thanks" if self.path == "/ok" else b'{"error": "nope", "secret": "theirs"}'
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Any:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def deliveries(client: Client, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [e for e in requests_of(client) if e.get("webhook")]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"fewer than {count} deliveries in the journal")


def test_a_delivery_shows_the_signed_payload_and_the_receivers_answer(client: Client, receiver: str) -> None:
    hook = ok(
        client.post("/rest/metadata/webhooks", json={"targetUrl": receiver + "/ok", "operations": ["person.created"]}),
        201,
    )
    ok(client.post("/rest/people", json={"name": {"firstName": "Grace"}}), 201)
    (delivery,) = deliveries(client, 1)
    assert (delivery["webhook"], delivery["eventName"], delivery["status"], delivery["success"]) == (
        hook["id"], "person.created", 200, True)  # fmt: skip
    headers = delivery["requestHeaders"]
    assert set(headers) == {"Content-Type", "X-Twenty-Webhook-Timestamp", "X-Twenty-Webhook-Signature",
                            "X-Twenty-Webhook-Nonce"}  # fmt: skip
    assert len(headers["X-Twenty-Webhook-Signature"]) == 64
    payload = json.loads(delivery["requestBody"])
    assert payload["eventName"] == "person.created" and payload["record"]["name"]["firstName"] == "Grace"
    assert delivery["responseBody"] == "thanks"


def test_a_refused_delivery_shows_the_receivers_error_redacted(client: Client, receiver: str) -> None:
    ok(client.post("/rest/metadata/webhooks", json={"targetUrl": receiver + "/fail", "operations": ["*.*"]}), 201)
    client.post("/rest/companies", json={"name": "Acme"})
    (delivery,) = deliveries(client, 1)
    assert (delivery["status"], delivery["success"]) == (500, False)
    assert json.loads(delivery["responseBody"]) == {"error": "nope", "secret": "[redacted]"}


def test_a_delivery_to_a_dead_port_says_the_connection_was_refused(client: Client) -> None:
    ok(client.post("/rest/metadata/webhooks", json={"targetUrl": "http://127.0.0.1:9/h", "operations": ["*.*"]}), 201)
    client.post("/rest/companies", json={"name": "Acme"})
    (delivery,) = deliveries(client, 1)
    assert (delivery["status"], delivery["success"], delivery["responseBody"]) == (0, False, "")
    assert delivery["error"].startswith("ConnectionRefusedError: ")
