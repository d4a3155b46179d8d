"""The playground's Requests view and model poll, over the WSGI app: GET /playground/model (the data-model
version), GET /playground/requests?after=N (the caller's journal above N, newest first, with both bodies cut
at 8192 and redacted, and webhook deliveries with the headers, payload and answer), the permission it needs,
what it refuses, that polling is neither journalled nor rate limited, the admin journal without bodies, and
/favicon.ico. Deliveries go to a real local HTTP receiver (or a dead port)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import Client, assert_error, make_app, ok
from test_keys_and_roles import FORBIDDEN_BODY, create_role, key_client, upsert_flags

BAD_AFTER = "'after' must be the seq number of a journal entry (a non-negative integer)"
PET = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
API_ENTRY_KEYS = {"at", "method", "path", "status", "durationMs", "seq"}
DELIVERY_KEYS = {"at", "webhook", "eventName", "url", "status", "success", "durationMs", "seq", "requestHeaders",
                 "requestBody", "responseBody"}  # fmt: skip
SIGNATURE_HEADERS = {"X-Twenty-Webhook-Timestamp", "X-Twenty-Webhook-Signature", "X-Twenty-Webhook-Nonce"}
FUTURE = "2099-01-01T00:00:00.000Z"


def requests_of(client: Client, after: int | str = 0) -> list[dict[str, Any]]:
    """The Requests view of the client's workspace above `after` (HTTP 200 checked)."""
    return ok(client.get(f"/playground/requests?after={after}"))["requests"]


def version_of(client: Client) -> int:
    body = ok(client.get("/playground/model"))
    assert list(body) == ["version"] and type(body["version"]) is int, body
    return body["version"]


def new_workspace(admin: Client) -> tuple[str, Client]:
    """A new workspace made over the admin API: its id and a client with its key."""
    made = ok(admin.post("/_lite/workspaces", json={"seed": "none"}), 201)
    return made["id"], Client(admin.app, made["apiKey"])


def deliveries(client: Client, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """The webhook entries of the Requests view once there are `count` of them (polled, with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [e for e in requests_of(client) if "webhook" in e]
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) == count, found
            return found
        time.sleep(0.01)


def dead_url() -> str:
    """A local URL nothing listens on: a port the OS gave out, then closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


class Receiver:
    """A local webhook receiver: /ok answers 200 "thanks", /big 200 with 20,000 bytes, /fail 500 with a
    JSON error, /slow holds the request until the test ends; it keeps every delivery's headers and raw body."""

    def __init__(self) -> None:
        received: list[tuple[dict[str, str], bytes]] = []
        release = threading.Event()
        self.received, self.release = received, release

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), raw))
                if self.path == "/slow":
                    release.wait(5)
                answer = {"/big": b"y" * 20_000, "/fail": b'{"error": "nope", "secret": "theirs"}'}.get(
                    self.path, b"thanks"
                )
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # /slow: the sender gave up
                    self.send_response(500 if self.path == "/fail" else 200)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.release.set()
    r.server.shutdown()
    r.server.server_close()


def hook_to(client: Client, url: str, operations: list[str] | None = None) -> dict[str, Any]:
    body = {"targetUrl": url, "operations": operations or ["person.created"]}
    return ok(client.post("/rest/metadata/webhooks", json=body), 201)


# ---- /playground/model -------------------------------------------------------------------------------------------


def test_the_model_version_moves_with_new_objects_and_fields_but_not_with_records(client: Client) -> None:
    start = version_of(client)
    assert version_of(client) == start
    ok(client.post("/rest/people", json={"city": "Oslo"}), 201)
    assert version_of(client) == start
    pet = ok(client.post("/rest/metadata/objects", json=PET), 201)
    with_object = version_of(client)
    assert with_object != start
    field = {"objectMetadataId": pet["id"], "type": "TEXT", "name": "nickname", "label": "Nickname"}
    ok(client.post("/rest/metadata/fields", json=field), 201)
    assert version_of(client) not in (start, with_object)


def test_the_model_version_is_the_callers_workspaces(client: Client) -> None:
    _, other = new_workspace(client)
    mine, theirs = version_of(client), version_of(other)
    ok(other.post("/rest/metadata/objects", json=PET), 201)
    assert version_of(client) == mine and version_of(other) != theirs


@pytest.mark.parametrize("what", ["model", "requests"])
def test_the_playground_routes_answer_twentys_auth_errors(app: Any, what: str) -> None:
    path = f"/playground/{what}"
    assert_error(Client(app, None).get(path), 403, "FORBIDDEN_EXCEPTION", "Missing authentication token")
    assert_error(Client(app, "not-a-token").get(path), 401, "UNAUTHENTICATED", "No payload")
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefgh"
    assert_error(Client(app, forged).get(path), 401, "UNAUTHENTICATED", "Token invalid.")


# ---- /playground/requests: entries -------------------------------------------------------------------------------


def test_entries_come_newest_first_with_increasing_seq_and_exact_bodies(client: Client) -> None:
    listed = client.get("/rest/people?limit=1")
    created = client.post("/rest/people", json={"name": {"firstName": "Ada"}})
    refused = client.post("/rest/people", json={"nope": 1})
    entries = requests_of(client)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/rest/people", 400), ("POST", "/rest/people", 201), ("GET", "/rest/people?limit=1", 200)]  # fmt: skip
    seqs = [e["seq"] for e in entries]
    assert all(type(s) is int for s in seqs) and seqs[0] > seqs[1] > seqs[2] > 0
    last, made, read = entries
    assert set(read) == API_ENTRY_KEYS | {"responseBody"}
    assert read["responseBody"] == listed.text
    assert set(made) == API_ENTRY_KEYS | {"requestBody", "responseBody"}
    assert made["requestBody"] == '{"name": {"firstName": "Ada"}}' and made["responseBody"] == created.text
    assert set(last) == API_ENTRY_KEYS | {"reason", "requestBody", "responseBody"}
    assert last["reason"] == 'Object person doesn\'t have any "nope" field.'
    assert (last["requestBody"], last["responseBody"]) == ('{"nope": 1}', refused.text)
    assert all(e["at"].endswith("Z") and e["durationMs"] >= 0 for e in entries)


def test_after_gives_exactly_the_entries_numbered_above_it(client: Client) -> None:
    assert requests_of(client) == []
    client.get("/rest/people")
    client.get("/rest/companies")
    first, second = reversed(requests_of(client))
    assert requests_of(client, second["seq"]) == []
    assert requests_of(client, first["seq"]) == [second]
    client.get("/rest/notes")
    assert [e["path"] for e in requests_of(client, first["seq"])] == ["/rest/notes", "/rest/companies"]
    assert requests_of(client, "9" * 18) == []
    assert len(ok(client.get("/playground/requests"))["requests"]) == 3  # no after: all of them


@pytest.mark.parametrize("after", ["x", "-1", "1.5", "1e3", "+1", "0x1", "", "9" * 19, "1" * 40, "\u00b2", "\u0663"])
def test_an_after_that_is_not_a_seq_number_is_a_400(client: Client, after: str) -> None:
    assert_error(client.get("/playground/requests", params={"after": after}), 400, "BadRequestException", BAD_AFTER)


def test_secret_query_parameters_are_redacted_in_the_path(client: Client) -> None:
    client.get("/rest/people", params=[("limit", "1"), ("apiKey", "k1"), ("x_token", "t1"), ("password", "p1")])
    (entry,) = requests_of(client)
    assert entry["path"] == "/rest/people?limit=1&apiKey=[redacted]&x_token=[redacted]&password=[redacted]"


def test_both_bodies_are_cut_at_8192(client: Client) -> None:
    raw = json.dumps({"jobTitle": "x" * 20_000})
    resp = client.request("POST", "/rest/people", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status_code == 201, resp
    (entry,) = requests_of(client)
    assert len(entry["requestBody"]) == 8192 and entry["requestBody"] == raw[:8192]
    assert len(entry["responseBody"]) == 8192 and entry["responseBody"] == resp.text[:8192]


def test_a_body_the_handler_never_read_is_not_shown(client: Client) -> None:
    assert client.request("GET", "/rest/people", json_body={"city": "Oslo"}).status_code == 200
    (entry,) = requests_of(client)
    assert "requestBody" not in entry and "responseBody" in entry


# ---- redaction ---------------------------------------------------------------------------------------------------


def test_a_generated_api_key_token_never_shows(client: Client) -> None:
    roles = ok(client.post("/metadata", json={"query": "{ getRoles { id } }"}))["data"]["getRoles"]
    made = ok(
        client.post("/rest/metadata/apiKeys", json={"name": "ci", "expiresAt": FUTURE, "roleId": roles[0]["id"]}), 201
    )
    query = "mutation($id: UUID!, $e: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $e) { token } }"
    answer = ok(client.post("/metadata", json={"query": query, "variables": {"id": made["id"], "e": FUTURE}}))
    token = answer["data"]["generateApiKeyToken"]["token"]
    entry = requests_of(client)[0]
    assert entry["path"] == "/metadata"
    assert json.loads(entry["responseBody"]) == {"data": {"generateApiKeyToken": {"token": "[redacted]"}}}
    assert token not in json.dumps(requests_of(client))


def test_a_webhook_secret_is_redacted_in_the_request_and_the_answer(client: Client) -> None:
    sent = {"targetUrl": "http://127.0.0.1:9/h", "operations": ["*.*"], "secret": "my-own-s3cret"}
    made = ok(client.post("/rest/metadata/webhooks", json=sent), 201)
    query = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { id secret } }"
    variables = {"i": {"targetUrl": "http://127.0.0.1:9/g", "operations": ["*.*"], "secret": "gql-s3cret"}}
    ok(client.post("/metadata", json={"query": query, "variables": variables}))
    via_gql, via_rest = requests_of(client)
    assert json.loads(via_rest["requestBody"])["secret"] == "[redacted]"
    assert json.loads(via_rest["responseBody"]) == {**made, "secret": "[redacted]"}
    assert json.loads(via_gql["requestBody"])["variables"]["i"]["secret"] == "[redacted]"
    assert json.loads(via_gql["responseBody"])["data"]["createWebhook"]["secret"] == "[redacted]"
    shown = json.dumps(requests_of(client))
    assert "my-own-s3cret" not in shown and "gql-s3cret" not in shown


@pytest.mark.parametrize("name", ["accessToken", "CLIENT_SECRET", "myPassWord", "passwd"])
def test_members_named_like_secrets_are_redacted_whatever_their_case(client: Client, name: str) -> None:
    client.post("/rest/people", json={"city": "Oslo", name: "hunter2"})
    (entry,) = requests_of(client)
    assert entry["requestBody"] == json.dumps({"city": "Oslo", name: "[redacted]"})


def test_jwt_shaped_strings_are_redacted_anywhere(client: Client) -> None:
    jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    made = client.post("/rest/people", json={"jobTitle": jwt_like})
    assert made.status_code == 201, made
    (entry,) = requests_of(client)
    assert entry["requestBody"] == '{"jobTitle": "[redacted]"}'
    assert json.loads(entry["responseBody"])["data"]["createPerson"]["jobTitle"] == "[redacted]"


def test_a_secret_cut_by_the_8192_limit_shows_none_of_it(client: Client) -> None:
    before = json.dumps({"targetUrl": "http://127.0.0.1:9/h", "description": ""})
    filler = 8192 - len(before) - len(', "secret": "') - 32  # the cut falls 32 characters into the secret
    body = {"targetUrl": "http://127.0.0.1:9/h", "description": "d" * filler, "secret": "S" * 64}
    ok(client.post("/rest/metadata/webhooks", json=body), 201)
    (entry,) = requests_of(client)
    assert entry["requestBody"].endswith('"secret": "[redacted]"') and "SSSS" not in entry["requestBody"]


def test_a_secret_written_inside_a_graphql_query_is_redacted(client: Client) -> None:
    query = 'mutation { createWebhook(input: {targetUrl: "http://127.0.0.1:9/x", secret: "inline-s3cr3t"}) { id } }'
    ok(client.post("/metadata", json={"query": query}))
    (entry,) = requests_of(client)
    assert json.loads(entry["requestBody"])["query"] == query.replace('"inline-s3cr3t"', '"[redacted]"')


def test_an_admin_created_workspace_key_never_shows(client: Client) -> None:
    made = ok(client.post("/_lite/workspaces", json={"seed": "none"}), 201)
    ws = Client(client.app, made["apiKey"])
    ws.post("/rest/people", json={"jobTitle": made["apiKey"]})
    ws.get("/rest/people", params={"token": made["apiKey"]})
    shown = json.dumps(requests_of(client)) + json.dumps(requests_of(ws))
    assert made["apiKey"] not in shown and "[redacted]" in shown


# ---- who may read it ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Member", "Guest"])
def test_a_key_without_the_api_keys_and_webhooks_permission_is_refused(client: Client, role: str) -> None:
    limited = key_client(client, role)
    resp = limited.get("/playground/requests")
    assert (resp.status_code, resp.json()) == (403, FORBIDDEN_BODY)
    assert version_of(limited) == version_of(client)  # the model poll needs no permission


def test_a_custom_role_with_the_api_keys_and_webhooks_flag_may_read_it(client: Client) -> None:
    rid = create_role(client, "Integrations")
    limited = key_client(client, rid)
    assert limited.get("/playground/requests").status_code == 403
    assert not upsert_flags(client, rid, ["API_KEYS_AND_WEBHOOKS"]).get("errors")
    client.get("/rest/companies")
    assert [e["path"] for e in requests_of(limited)][0] == "/rest/companies"


def test_a_workspace_sees_only_its_own_entries(client: Client) -> None:
    _, b = new_workspace(client)
    _, c = new_workspace(client)
    b.post("/rest/people", json={"city": "OnlyInB"})
    c.get("/rest/companies")
    assert [(e["method"], e["path"]) for e in requests_of(c)] == [("GET", "/rest/companies")]
    assert [(e["method"], e["path"]) for e in requests_of(b)] == [("POST", "/rest/people")]
    assert requests_of(client) == []
    assert "OnlyInB" not in json.dumps(requests_of(c)) + json.dumps(requests_of(client))


# ---- polling, methods, favicon -----------------------------------------------------------------------------------


def test_polling_is_neither_journalled_nor_rate_limited() -> None:
    client = Client(make_app(rate_limit="2/60"))
    assert client.get("/rest/people").status_code == 200
    for _ in range(25):
        assert client.get("/playground/requests").status_code == 200
        assert client.get("/playground/model").status_code == 200
    assert [e["path"] for e in requests_of(client)] == ["/rest/people"]
    assert client.get("/rest/companies").status_code == 200  # the 2nd of 2: the polls took none
    assert client.get("/rest/notes").status_code == 429


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "TRACE"])
@pytest.mark.parametrize("what", ["model", "requests"])
def test_other_methods_on_the_playground_routes_are_json_404s(client: Client, method: str, what: str) -> None:
    resp = client.request(method, f"/playground/{what}", json_body={"after": 0})
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("application/json")
    assert resp.json() == {"statusCode": 404, "message": f"Cannot {method} /playground/{what}", "error": "Not Found"}


@pytest.mark.parametrize("path", ["/playground/other", "/playground/requests/", "/playground/model/1"])
def test_other_playground_paths_are_json_404s(client: Client, path: str) -> None:
    resp = client.get(path)
    assert (resp.status_code, resp.json()) == (404, {"statusCode": 404, "message": f"Cannot GET {path}",
                                                     "error": "Not Found"})  # fmt: skip


def test_the_favicon_is_an_empty_204_that_needs_no_key_and_is_not_journalled(client: Client) -> None:
    resp = Client(client.app, None).get("/favicon.ico")
    assert (resp.status_code, resp.body) == (204, b"")
    assert client.get("/favicon.ico").status_code == 204
    assert requests_of(client) == []


# ---- the admin journal -------------------------------------------------------------------------------------------


def test_the_admin_journal_shows_no_bodies_headers_or_seq(client: Client) -> None:
    workspace_id, ws = new_workspace(client)
    hook_to(ws, dead_url())
    ws.post("/rest/people", json={"city": "Oslo"})
    deliveries(ws, 1)
    ws.post("/rest/people", json={"nope": 1})
    entries = ok(client.get(f"/_lite/workspaces/{workspace_id}/journal"))["requests"]
    assert [set(e) for e in entries] == [
        {"at", "method", "path", "status", "durationMs"},
        {"at", "method", "path", "status", "durationMs"},
        {"at", "webhook", "eventName", "url", "status", "success", "durationMs", "error"},
        {"at", "method", "path", "status", "durationMs", "reason"},
    ]  # oldest first: the hook made, the person made, its delivery, the refusal


# ---- webhook deliveries ------------------------------------------------------------------------------------------


def test_a_delivery_shows_the_signed_headers_the_payload_and_the_answer(client: Client, receiver: Receiver) -> None:
    hook = hook_to(client, receiver.base + "/ok")
    person = ok(client.post("/rest/people", json={"city": "Oslo"}), 201)["data"]["createPerson"]
    (delivery,) = deliveries(client, 1)
    assert set(delivery) == DELIVERY_KEYS
    assert (delivery["webhook"], delivery["eventName"], delivery["url"]) == (hook["id"], "person.created",
                                                                             receiver.base + "/ok")  # fmt: skip
    assert (delivery["status"], delivery["success"], delivery["responseBody"]) == (200, True, "thanks")
    (got_headers, raw), = receiver.received  # fmt: skip
    headers = delivery["requestHeaders"]
    assert set(headers) == {"Content-Type"} | SIGNATURE_HEADERS and headers["Content-Type"] == "application/json"
    assert all(got_headers[name] == headers[name] for name in SIGNATURE_HEADERS)
    assert delivery["requestBody"] == raw.decode()
    signed = f"{headers['X-Twenty-Webhook-Timestamp']}:{delivery['requestBody']}".encode()
    assert (
        headers["X-Twenty-Webhook-Signature"] == hmac.new(hook["secret"].encode(), signed, hashlib.sha256).hexdigest()
    )
    payload = json.loads(delivery["requestBody"])
    assert (payload["eventName"], payload["record"]["id"], payload["webhookId"]) == ("person.created", person["id"],
                                                                                     hook["id"])  # fmt: skip


def test_a_long_answer_from_the_receiver_is_cut_at_8192(client: Client, receiver: Receiver) -> None:
    hook_to(client, receiver.base + "/big")
    client.post("/rest/people", json={})
    (delivery,) = deliveries(client, 1)
    assert delivery["success"] is True and delivery["responseBody"] == "y" * 8192


def test_a_refused_delivery_shows_the_receivers_error_redacted(client: Client, receiver: Receiver) -> None:
    hook_to(client, receiver.base + "/fail")
    client.post("/rest/people", json={})
    (delivery,) = deliveries(client, 1)
    assert (delivery["status"], delivery["success"]) == (500, False) and "error" not in delivery
    assert json.loads(delivery["responseBody"]) == {"error": "nope", "secret": "[redacted]"}


def test_a_delivery_to_a_dead_port_says_the_connection_was_refused(client: Client) -> None:
    url = dead_url()
    hook = hook_to(client, url)
    client.post("/rest/people", json={})
    (delivery,) = deliveries(client, 1)
    assert set(delivery) == DELIVERY_KEYS | {"error"}
    assert (delivery["webhook"], delivery["url"], delivery["status"], delivery["success"]) == (hook["id"], url, 0,
                                                                                               False)  # fmt: skip
    assert delivery["error"].startswith("ConnectionRefusedError: ") and "refused" in delivery["error"].lower()
    assert delivery["responseBody"] == "" and json.loads(delivery["requestBody"])["eventName"] == "person.created"


def test_a_delivery_cut_off_at_its_deadline_says_timeout(client: Client, receiver: Receiver) -> None:
    client.app.state.webhook_sender.deadline_seconds = 0.3  # this app's sender only
    hook_to(client, receiver.base + "/slow")
    client.post("/rest/people", json={})
    (delivery,) = deliveries(client, 1)
    assert (delivery["status"], delivery["success"], delivery["error"]) == (0, False, "timeout")
    assert len(receiver.received) == 1  # it did arrive: only the answer was missing


# ---- injected faults hit the API, never the tools ------------------------------------------------------------------


def test_a_fault_rule_for_everything_spares_the_playground_routes_and_can_be_lifted(client: Client) -> None:
    ok(client.post("/_lite/faults", json={"fault": "503"}))
    assert client.get("/rest/people").status_code == 503
    assert version_of(client) >= 1 and client.get("/playground/requests").status_code == 200
    assert ok(client.delete("/_lite/faults")) == {"rules": []}
    assert client.get("/rest/people").status_code == 200
    assert [(e["path"], e["status"]) for e in requests_of(client)] == [("/rest/people", 200), ("/rest/people", 503)]


def test_the_fault_header_is_ignored_by_the_playground_routes(client: Client) -> None:
    for what in ("model", "requests"):
        assert client.get(f"/playground/{what}", headers={"X-Twenty-Lite-Fault": "500"}).status_code == 200
    assert requests_of(client) == []
