"""Webhooks: managed over /metadata and REST, delivered as signed POSTs after each record change (webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import Client, make_app


class Receiver:
    """A local webhook receiver that keeps every delivery (headers and raw body)."""

    def __init__(self) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), raw))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        return [json.loads(raw) for _, raw in self.received]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def create_hook(client: Client, url: str, operations: list[str]) -> dict:
    body = client.post("/metadata", json={"query": """mutation($url: String!, $ops: [String!]!) {
        createWebhook(input: {targetUrl: $url, operations: $ops}) { id targetUrl operations secret } }""",
                                          "variables": {"url": url, "ops": operations}}).json()  # fmt: skip
    assert "errors" not in body, body
    return body["data"]["createWebhook"]


def drain(client: Client) -> None:
    client.app.state.webhook_sender.drain()


def test_every_change_is_delivered_signed(client: Client, receiver: Receiver) -> None:
    hook = create_hook(client, receiver.url, ["person.*"])
    assert len(hook["secret"]) == 64
    made = client.post("/rest/batch/people", json=[{"city": "Oslo"}, {"city": "Rome"}]).json()["data"]["createPeople"]
    pid = made[0]["id"]
    client.patch(f"/rest/people/{pid}", json={"jobTitle": "CTO"})
    client.delete(f"/rest/people/{pid}", params={"soft_delete": "true"})
    client.patch(f"/rest/people/{pid}/restore")
    client.delete(f"/rest/people/{pid}")
    client.post("/rest/companies", json={"name": "not watched"})
    drain(client)
    events = receiver.events()
    assert [e["eventName"] for e in events] == ["person.created"] * 2 + [
        "person.updated", "person.deleted", "person.restored", "person.destroyed"]  # fmt: skip
    updated = events[2]
    assert updated["updatedFields"] == ["jobTitle"] and updated["record"]["jobTitle"] == "CTO"
    assert events[3]["record"]["deletedAt"] is not None and events[4]["record"]["deletedAt"] is None
    assert events[5]["record"]["id"] == pid
    first = events[0]
    assert set(first) == {"targetUrl", "eventName", "objectMetadata", "workspaceId", "webhookId", "eventDate", "record"}
    assert first["targetUrl"] == receiver.url and first["webhookId"] == hook["id"]
    assert first["objectMetadata"]["nameSingular"] == "person"
    assert "company" not in first["record"] and "secret" not in json.dumps(first)
    for headers, raw in receiver.received:
        stamp = headers["X-Twenty-Webhook-Timestamp"]
        expected = hmac.new(hook["secret"].encode(), stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
        assert headers["X-Twenty-Webhook-Signature"] == expected
        assert len(headers["X-Twenty-Webhook-Nonce"]) == 32
        assert headers["Content-Type"] == "application/json"
        assert b", " not in raw  # compact JSON, as JSON.stringify writes it
    nonces = {h["X-Twenty-Webhook-Nonce"] for h, _ in receiver.received}
    assert len(nonces) == len(receiver.received)


def test_graphql_changes_are_delivered_and_failed_fields_are_not(client: Client, receiver: Receiver) -> None:
    create_hook(client, receiver.url, ["*.created"])
    body = client.post("/graphql", json={"query": """mutation {
        a: createCompany(data: {name: "Acme"}) { id }
        b: createPerson(data: {companyId: "11111111-2222-4333-8444-555555555555"}) { id } }"""}).json()  # fmt: skip
    assert body["data"]["b"] is None
    drain(client)
    assert [e["eventName"] for e in receiver.events()] == ["company.created"]


def test_failed_request_sends_nothing(client: Client, receiver: Receiver) -> None:
    create_hook(client, receiver.url, ["*.*"])
    assert client.post("/rest/batch/people", json=[{"city": "Oslo"}, {"nope": 1}]).status_code == 400
    drain(client)
    assert receiver.received == []


def test_rest_management_and_deprecated_alias(client: Client, receiver: Receiver) -> None:
    made = client.post("/rest/metadata/webhooks", json={"targetUrl": receiver.url, "operations": ["*.*"]})
    assert made.status_code == 201
    hook = made.json()
    listed = client.get("/rest/metadata/webhooks").json()
    assert listed["totalCount"] == 1 and listed["data"][0]["id"] == hook["id"]
    legacy = client.get("/rest/webhooks")
    assert legacy.json()[0]["id"] == hook["id"]
    assert legacy.headers["deprecation"] == "@1786320000"
    updated = client.patch(f"/rest/metadata/webhooks/{hook['id']}", json={"operations": ["note.created"]}).json()
    assert updated["operations"] == ["note.created"]
    assert client.delete(f"/rest/metadata/webhooks/{hook['id']}").status_code == 200
    assert client.get("/rest/metadata/webhooks").json()["totalCount"] == 0
    assert client.get(f"/rest/metadata/webhooks/{hook['id']}").status_code == 404


@pytest.mark.parametrize("url", ["not a url", "ftp://x.io/hook", "/relative"])
def test_invalid_target_url_is_refused(client: Client, url: str) -> None:
    assert client.post("/rest/metadata/webhooks", json={"targetUrl": url}).status_code == 400


def test_deliveries_are_in_the_journal(receiver: Receiver) -> None:
    app = make_app(api_key="admin")
    admin = Client(app, "admin")
    made = admin.post("/_lite/workspaces", json={}).json()
    ws = Client(app, made["apiKey"])
    create_hook(ws, receiver.url, ["*.*"])
    ws.post("/rest/people", json={})
    app.state.webhook_sender.drain()
    entries = admin.get(f"/_lite/workspaces/{made['id']}/journal").json()["requests"]
    delivery = [e for e in entries if "webhook" in e]
    assert len(delivery) == 1 and delivery[0]["success"] is True and delivery[0]["eventName"] == "person.created"


def test_managing_webhooks_needs_the_permission(client: Client) -> None:
    roles = client.post("/metadata", json={"query": "{ getRoles { id label } }"}).json()["data"]["getRoles"]
    member = next(r["id"] for r in roles if r["label"] == "Member")
    key = client.post("/rest/metadata/apiKeys", json={"name": "m", "expiresAt": "2099-01-01T00:00:00Z",
                                                       "roleId": member}).json()  # fmt: skip
    token = client.post("/metadata", json={"query": f"""mutation {{ generateApiKeyToken(apiKeyId: "{key['id']}",
        expiresAt: "2099-01-01T00:00:00Z") {{ token }} }}"""}).json()["data"]["generateApiKeyToken"]["token"]  # fmt: skip
    resp = Client(client.app, token).post("/rest/metadata/webhooks", json={"targetUrl": "http://127.0.0.1:9/x"})
    assert resp.status_code == 403
