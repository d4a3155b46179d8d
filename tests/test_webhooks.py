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


# ---- robustness: validation, a bad receiver never stops or slows the others (issue 13) -------------


def rest_hook(client: Client, **body: object) -> object:
    return client.post("/rest/metadata/webhooks", json={"targetUrl": "http://127.0.0.1:9/x", **body})


@pytest.mark.parametrize("secret", [5, 1.5, True, ["s"], {"k": "v"}])
def test_a_secret_that_is_not_a_string_is_refused(client: Client, secret: object) -> None:
    resp = rest_hook(client, secret=secret)
    assert resp.status_code == 400, resp
    assert resp.json()["messages"] == ["secret must be a string"]
    assert client.post("/metadata", json={"query": "{ webhooks { id } }"}).json()["data"]["webhooks"] == []


@pytest.mark.parametrize("bad_id", ["abc", 5, "00000000-0000-0000-0000-00000000000g", ""])
def test_a_webhook_id_that_is_not_a_uuid_is_refused(client: Client, bad_id: object) -> None:
    resp = rest_hook(client, id=bad_id)
    if bad_id == "":  # empty: a new id is made, as when none is given
        assert resp.status_code == 201, resp
        return
    assert resp.status_code == 400, resp
    assert resp.json()["messages"][0].startswith("Invalid id ")


def test_a_webhook_id_taken_in_another_workspace_is_a_400_that_does_not_say_whose(client: Client) -> None:
    hook_id = "5b1a3e2c-9d4f-4c6b-8e7a-1f2d3c4b5a69"
    assert rest_hook(client, id=hook_id).status_code == 201
    other = Client(client.app, client.post("/_lite/workspaces", json={}).json()["apiKey"])
    resp = rest_hook(other, id=hook_id)
    same = rest_hook(client, id=hook_id)
    assert resp.status_code == same.status_code == 400, resp
    assert resp.json() == same.json() == {
        "statusCode": 400, "error": "BadRequestException",
        "messages": [f"A webhook with id {hook_id} already exists"]}  # fmt: skip


class SlowReceiver:
    """A receiver that answers one byte at a time, a second apart, forever (it never finishes)."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.trickle, args=(conn,), daemon=True).start()

    def trickle(self, conn: object) -> None:
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 1000000\r\n\r\n")
            while not self.stop.wait(1.0):
                conn.sendall(b"x")
        except OSError:
            pass
        finally:
            conn.close()


def test_a_trickling_receiver_is_cut_off_and_does_not_delay_another_workspace(
    client: Client, receiver: Receiver
) -> None:
    import time

    slow = SlowReceiver()
    try:
        client.app.state.webhook_sender.deadline_seconds = 1.5
        create_hook(client, slow.url, ["*.*"])
        other = Client(client.app, client.post("/_lite/workspaces", json={}).json()["apiKey"])
        create_hook(other, receiver.url, ["*.*"])
        started = time.monotonic()
        assert client.post("/rest/people", json={"city": "Slow"}).status_code == 201
        assert time.monotonic() - started < 1.0  # the request does not wait for its deliveries
        assert other.post("/rest/people", json={"city": "Fast"}).status_code == 201
        deadline = time.monotonic() + 1.0
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert receiver.events() and receiver.events()[0]["record"]["city"] == "Fast"  # not behind the slow one
        drain(client)
        ws = client.get("/rest/metadata/objects").status_code  # the server still answers
        assert ws == 200
        journal = client.get(f"/_lite/workspaces/{client.app.state.default_workspace}/journal").json()["requests"]
        delivery = next(e for e in journal if e.get("webhook"))
        assert (delivery["success"], delivery["error"]) == (False, "timeout")
        assert delivery["durationMs"] < 3000
    finally:
        slow.stop.set()
        slow.sock.close()


def test_a_delivery_that_raises_does_not_stop_deliveries(client: Client, receiver: Receiver, monkeypatch) -> None:
    create_hook(client, receiver.url, ["*.*"])
    sender = client.app.state.webhook_sender
    real = sender.deliver
    calls = []

    def flaky(hook: dict, payload: dict) -> None:
        calls.append(payload["record"]["city"])
        if payload["record"]["city"] == "Boom":
            raise RuntimeError("a bug in delivery")
        real(hook, payload)

    monkeypatch.setattr(sender, "deliver", flaky)
    client.post("/rest/people", json={"city": "Boom"})
    client.post("/rest/people", json={"city": "After"})
    drain(client)
    assert calls == ["Boom", "After"]
    assert [e["record"]["city"] for e in receiver.events()] == ["After"]
    journal = client.get(f"/_lite/workspaces/{client.app.state.default_workspace}/journal").json()["requests"]
    assert any(e.get("error") == "internal error (RuntimeError)" for e in journal)
