"""For integrators: serve() in a background thread, and workspaces made through the /_lite admin API."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import STANDARD_SINGULARS, Client, make_app, ok

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


def test_deterministic_mode_reproduces_ids_and_time() -> None:
    runs = []
    for _ in range(2):
        client = Client(make_app(deterministic=True))
        made = client.post("/rest/batch/people", json=[{"city": "Oslo"}, {"city": "Rome"}]).json()
        runs.append([(p["id"], p["createdAt"]) for p in made["data"]["createPeople"]])
    assert runs[0] == runs[1]
    assert runs[0][0][1] == "2026-01-01T00:00:00.000Z"


def test_ids_are_the_uuids_the_uuid_module_would_make() -> None:
    """The id factories format UUIDs themselves (the uuid module costs start-up its import): random ids are
    canonical v4s, deterministic ones and ids computed from names are what uuid would give."""
    made = {tl._new_uuid() for _ in range(200)}
    assert len(made) == 200
    for text in made:
        assert (
            str(uuid.UUID(text)) == text and uuid.UUID(text).version == 4 and uuid.UUID(text).variant == uuid.RFC_4122
        )
    ids = tl.CountingIds()
    for n in range(1, 300):
        assert ids() == str(uuid.UUID(int=(0x7E57 << 112) | n, version=4))
    for name in ("", "a/b", "twenty_lite/view/é/☃", "x" * 500):
        assert tl._uuid5(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    assert tl._stable_id("a", "b") == str(uuid.uuid5(uuid.NAMESPACE_URL, "twenty_lite/a/b"))


def test_patterns_compile_on_first_use_and_then_are_the_compiled_ones() -> None:
    pattern = tl._Pattern(r"^(a+)b$", re.I)
    assert "match" not in vars(pattern)
    assert pattern.match("AAb").group(1) == "AA" and pattern.match("ab ") is None
    assert vars(pattern)["match"].__self__ is re.compile(r"^(a+)b$", re.I)  # the method itself, cached
    assert pattern.sub("x", "aab") == "x" and pattern.pattern == "^(a+)b$" and pattern.flags & re.I
    assert tl._Pattern(rb"\\u0000").search(b'"\\u0000"')
    with pytest.raises(AttributeError):
        pattern.no_such_method  # noqa: B018


@tl._record(frozen=True, eq=True)
class _Point:
    """A frozen record with value equality, as Column is."""

    x: int
    y: int = 0


@tl._record()
class _Draft:
    """A plain record with a derived attribute, as FieldMeta's are derived."""

    name: str
    size: int = 1
    notes: list[str] = tl._made(list)
    doubled: int = 0

    def __post_init__(self) -> None:
        self.doubled = self.size * 2


def test_records_build_like_dataclasses() -> None:
    """_record stands in for @dataclass (whose generated source cost start-up 7 ms): positional or keyword
    fields, defaults, a fresh default per instance, __post_init__, frozen, equality, hash and repr."""
    a, b = _Point(1), _Point(x=1, y=0)
    assert (a.x, a.y) == (1, 0) and a == b and a != _Point(2) and a != (1, 0)
    assert hash(_Point(3, 4)) == hash(_Point(3, 4)) and len({_Point(3, 4), _Point(3, 4)}) == 1
    assert repr(_Point(1, 2)) == "_Point(x=1, y=2)"
    with pytest.raises(AttributeError, match="frozen"):
        a.x = 2
    with pytest.raises(AttributeError, match="frozen"):
        del a.y
    draft = _Draft("n", size=4)
    assert (draft.name, draft.size, draft.notes, draft.doubled) == ("n", 4, [], 8)
    assert draft.notes is not _Draft("n").notes and _Draft("n", 2, ["x"]).notes == ["x"]
    draft.size = 5  # not frozen
    assert draft.size == 5 and "object at" in repr(draft)  # no eq: identity and object's repr
    assert draft != _Draft("n", size=5) and _Draft.__hash__ is object.__hash__
    again = tl._replace(draft, size=10)
    assert (again.name, again.size, again.doubled, draft.size) == ("n", 10, 20, 5)


@pytest.mark.parametrize(
    ("args", "kwargs", "words"),
    [
        ((), {}, "missing: name"),
        (("n", 1, [], 2, 3), {}, "got 5 by position"),
        (("n",), {"name": "m"}, "repeated"),
        ((), {"name": "n", "colour": "red"}, "unexpected"),
    ],
)
def test_records_refuse_wrong_arguments(args: tuple, kwargs: dict, words: str) -> None:
    with pytest.raises(TypeError, match=words):
        _Draft(*args, **kwargs)


def test_internal_records_are_not_dataclasses_but_settings_is() -> None:
    """Settings is public and documented as a dataclass (dataclasses.replace works on it); the internal
    classes are records, which start-up builds without compiling source."""
    import dataclasses

    assert dataclasses.is_dataclass(tl.Settings)
    assert dataclasses.replace(tl.Settings(port=1), port=2).port == 2
    for cls in (tl.FieldMeta, tl.ObjectMeta, tl.Schema, tl.Column, tl.Ctx, tl.Served, tl.Workspace):
        assert not dataclasses.is_dataclass(cls) and cls._record_fields
    assert tl.Workspace("w", "http://x", "k") == tl.Workspace("w", "http://x", "k")


def test_admin_clock_moves_timestamps_and_key_expiry(admin: Client) -> None:
    now = admin.get("/_lite/clock").json()["now"]
    assert (
        admin.post("/_lite/clock", json={"set": "2030-06-01T12:00:00Z"}).json()["now"].startswith("2030-06-01T12:00:00")
    )
    created = admin.post("/rest/people", json={}).json()["data"]["createPerson"]
    assert created["createdAt"].startswith("2030-06-01T12:00:00")
    assert admin.post("/_lite/clock", json={"advance": 90}).json()["now"].startswith("2030-06-01T12:01:3")
    role = admin.post("/metadata", json={"query": "{ getRoles { id label } }"}).json()["data"]["getRoles"][0]["id"]
    token = admin.post("/metadata", json={"query": f"""mutation {{ createApiKey(input: {{name: "short",
        expiresAt: "2030-06-01T13:00:00Z", roleId: "{role}"}}) {{ id }} }}"""}).json()["data"]["createApiKey"]["id"]  # fmt: skip
    jwt = admin.post("/metadata", json={"query": f"""mutation {{ generateApiKeyToken(apiKeyId: "{token}",
        expiresAt: "2030-06-01T13:00:00Z") {{ token }} }}"""}).json()["data"]["generateApiKeyToken"]["token"]  # fmt: skip
    assert Client(admin.app, jwt).get("/rest/people").status_code == 200  # before its expiry
    admin.post("/_lite/clock", json={"advance": 3600})
    assert Client(admin.app, jwt).get("/rest/people").json()["messages"] == ["Token has expired."]
    assert now < "2030"


@pytest.mark.parametrize("bad", [{"set": "yesterday"}, {"advance": "soon"}])
def test_admin_clock_validates_input(admin: Client, bad) -> None:
    assert admin.post("/_lite/clock", json=bad).status_code == 400


def test_fault_header_answers_a_rate_limit_in_twentys_shape(admin: Client) -> None:
    resp = admin.get("/rest/people", headers={"X-Twenty-Lite-Fault": "429"})
    assert resp.status_code == 429
    assert resp.json() == {"statusCode": 429, "error": "TooManyRequestsException",
                           "messages": ["Limit reached (100 tokens per 60000 ms)"]}  # fmt: skip
    assert resp.headers["retry-after"] == "1"


def test_fault_header_500_on_rest_and_graphql_changes_nothing(admin: Client) -> None:
    resp = admin.post("/rest/people", json={}, headers={"X-Twenty-Lite-Fault": "500"})
    assert resp.status_code == 500
    assert resp.json() == {"statusCode": 500, "error": "InternalServerErrorException",
                           "messages": ["Internal server error"]}  # fmt: skip
    assert admin.get("/rest/people").json()["totalCount"] == 0
    body = admin.post("/graphql", json={"query": "{ people { totalCount } }"},
                      headers={"X-Twenty-Lite-Fault": "500"}).json()  # fmt: skip
    assert body == {"errors": [{"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}


def test_fault_header_latency_waits_then_answers(admin: Client) -> None:
    import time

    start = time.perf_counter()
    resp = admin.get("/rest/people", headers={"X-Twenty-Lite-Fault": "latency=120ms"})
    assert resp.status_code == 200
    assert time.perf_counter() - start >= 0.12


def test_fault_header_rejects_nonsense(admin: Client) -> None:
    assert admin.get("/rest/people", headers={"X-Twenty-Lite-Fault": "sometimes"}).status_code == 400


def test_journal_records_requests_with_reasons_and_no_secrets() -> None:
    app = make_app(api_key="admin-key", rate_limit="2/60")
    admin = Client(app, "admin-key")
    made = admin.post("/_lite/workspaces", json={}).json()
    ws = Client(app, made["apiKey"])
    ws.get("/rest/people?token=secret-value")
    ws.post("/rest/people", json={"nope": 1})
    ws.get("/rest/people")
    ws.get("/rest/people", headers={"X-Twenty-Lite-Fault": "500"})
    entries = admin.get(f"/_lite/workspaces/{made['id']}/journal").json()["requests"]
    assert [(e["method"], e["status"]) for e in entries] == [("GET", 200), ("POST", 400), ("GET", 429), ("GET", 500)]
    assert entries[0]["path"] == "/rest/people?token=[redacted]"
    assert "secret-value" not in str(entries) and made["apiKey"] not in str(entries)
    assert entries[1]["reason"] == 'Object person doesn\'t have any "nope" field.'
    assert entries[2]["reason"] == "Limit reached (2 tokens per 60000 ms)"
    assert entries[3]["reason"] == "injected fault 500"
    assert all(e["durationMs"] >= 0 and e["at"].endswith("Z") for e in entries)
    assert "reason" not in entries[0]


def test_journal_of_an_unknown_workspace_is_404(admin: Client) -> None:
    assert admin.get("/_lite/workspaces/11111111-2222-4333-8444-555555555555/journal").status_code == 404


def populated(admin: Client) -> tuple[dict, Client]:
    made = admin.post("/_lite/workspaces", json={"displayName": "Source"}).json()
    ws = Client(admin.app, made["apiKey"])
    pet = ws.post("/rest/metadata/objects", json={"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet",
                                                  "labelPlural": "Pets"}).json()  # fmt: skip
    ws.post("/rest/metadata/fields", json={"objectMetadataId": pet["id"], "type": "SELECT", "name": "kind",
                                           "label": "Kind", "options": [{"value": "DOG", "label": "Dog"}]})  # fmt: skip
    company = ws.post("/rest/companies", json={"name": "Acme", "domainName": {"primaryLinkUrl": "https://acme.io"}})
    cid = company.json()["data"]["createCompany"]["id"]
    ws.post("/rest/batch/people", json=[{"name": {"firstName": "Ada"}, "companyId": cid}, {"city": "Oslo"}])
    ws.post("/rest/pets", json={"name": "Rex", "kind": "DOG"})
    return made, ws


def snapshot_of(ws: Client) -> dict:
    people = ws.get("/rest/people", params={"order_by": "id"}).json()["data"]["people"]
    pets = ws.get("/rest/pets").json()["data"]["pets"]
    company = ws.get("/rest/companies", params={"depth": 1}).json()["data"]["companies"]
    return {"people": [(p["id"], p["name"], p["city"], p["companyId"]) for p in people],
            "pets": [(p["id"], p["name"], p["kind"]) for p in pets],
            "companies": [(c["id"], c["name"], len(c["people"])) for c in company]}  # fmt: skip


def test_export_then_import_gives_an_equal_workspace(admin: Client) -> None:
    made, ws = populated(admin)
    doc = admin.get(f"/_lite/workspaces/{made['id']}/export").json()
    assert doc["format"] == "twenty_lite/1"
    copy = admin.post("/_lite/workspaces/import", json=doc)
    assert copy.status_code == 201
    twin = Client(admin.app, copy.json()["apiKey"])
    assert copy.json()["id"] != made["id"]
    assert snapshot_of(twin) == snapshot_of(ws)
    twin.post("/rest/people", json={"city": "Lima"})
    assert len(snapshot_of(twin)["people"]) == 3 and len(snapshot_of(ws)["people"]) == 2


def test_export_and_import_carry_flags_settings_and_changed_views(admin: Client) -> None:
    made = admin.post(
        "/_lite/workspaces", json={"featureFlags": {"IS_REST_METADATA_API_NEW_FORMAT_DIRECT": False}}
    ).json()
    ws = Client(admin.app, made["apiKey"])

    def gql(query: str, **variables: Any) -> dict:
        body = ws.post("/metadata", json={"query": query, "variables": variables}).json()
        assert "errors" not in body, body
        return body["data"]

    gql("mutation { updateWorkspace(data: {trashRetentionDays: 30}) { id } }")
    company = next(o for o in ws.get("/rest/metadata/objects?limit=100").json()["data"]["objects"]
                   if o["nameSingular"] == "company")  # fmt: skip
    view = gql('mutation($o: UUID!) { createView(input: {name: "Big", objectMetadataId: $o, icon: "IconStar"}) { id } }',
               o=company["id"])["createView"]  # fmt: skip
    field = next(f["id"] for f in company["fields"] if f["name"] == "employees")
    gql("mutation($v: UUID!, $f: UUID!) { createViewSort(input: {viewId: $v, fieldMetadataId: $f}) { id } }",
        v=view["id"], f=field)  # fmt: skip
    doc = admin.get(f"/_lite/workspaces/{made['id']}/export").json()
    copy = Client(admin.app, admin.post("/_lite/workspaces/import", json=doc).json()["apiKey"])
    query = (
        """{ currentWorkspace { trashRetentionDays featureFlags { key value } } getViews { name viewSorts { id } } }"""
    )
    original, twin = ws.post("/metadata", json={"query": query}).json()["data"], copy.post(
        "/metadata", json={"query": query}).json()["data"]  # fmt: skip
    assert twin["currentWorkspace"] == original["currentWorkspace"]
    assert twin["currentWorkspace"]["trashRetentionDays"] == 30
    assert sorted(v["name"] for v in twin["getViews"]) == sorted(v["name"] for v in original["getViews"])
    big = next(v for v in twin["getViews"] if v["name"] == "Big")
    assert len(big["viewSorts"]) == 1 and big["viewSorts"][0]["id"] not in {
        s["id"] for v in original["getViews"] for s in v["viewSorts"]}  # fmt: skip
    bad = dict(doc, views=[{"id": 1}])
    assert admin.post("/_lite/workspaces/import", json=bad).status_code == 400


def test_snapshot_and_restore(admin: Client) -> None:
    made, ws = populated(admin)
    before = snapshot_of(ws)
    snap = admin.post(f"/_lite/workspaces/{made['id']}/snapshots").json()["snapshotId"]
    ws.post("/rest/people", json={"city": "Lima"})
    pid = before["people"][0][0]
    ws.delete(f"/rest/people/{pid}")
    assert snapshot_of(ws) != before
    assert admin.post(f"/_lite/workspaces/{made['id']}/restore", json={"snapshotId": snap}).status_code == 200
    assert snapshot_of(ws) == before


def test_import_refuses_other_documents(admin: Client) -> None:
    assert admin.post("/_lite/workspaces/import", json={"format": "other"}).status_code == 400


def test_restore_of_an_unknown_snapshot_is_404(admin: Client) -> None:
    made = admin.post("/_lite/workspaces", json={}).json()
    resp = admin.post(f"/_lite/workspaces/{made['id']}/restore", json={"snapshotId": "nope"})
    assert resp.status_code == 404


def test_fault_rules_from_the_admin_api(admin: Client) -> None:
    rule = {"object": "people", "operation": "create", "fault": "503"}
    assert admin.post("/_lite/faults", json=rule).json()["rules"] == [rule]
    assert admin.post("/rest/people", json={}).status_code == 503
    assert admin.get("/rest/people").status_code == 200
    assert admin.post("/rest/companies", json={}).status_code == 201
    assert admin.delete("/_lite/faults").json() == {"rules": []}
    assert admin.post("/rest/people", json={}).status_code == 201


def test_fault_rule_probability_is_honoured() -> None:
    admin = Client(make_app(api_key="admin", deterministic=True), "admin")
    admin.post("/_lite/faults", json={"object": "people", "fault": "429", "probability": 0.5})
    statuses = [admin.get("/rest/people").status_code for _ in range(200)]
    assert 50 < statuses.count(429) < 150 and set(statuses) == {200, 429}


@pytest.mark.parametrize("rule", [{"fault": "sometimes"}, {"fault": "500", "probability": 2}])
def test_fault_rules_are_validated(admin: Client, rule) -> None:
    assert admin.post("/_lite/faults", json=rule).status_code == 400


def test_new_workspaces_get_their_own_metadata_ids_and_hide_internal_ones(admin: Client) -> None:
    ids = []
    for _ in range(3):
        made = admin.post("/_lite/workspaces", json={}).json()
        objects = Client(admin.app, made["apiKey"]).get("/rest/metadata/objects", params={"limit": 60}).json()
        assert objects["totalCount"] == len(STANDARD_SINGULARS)
        ids.append({o["id"] for o in objects["data"]} | {f["id"] for o in objects["data"]
                                                                     for f in o["fields"]})  # fmt: skip
    assert not (ids[0] & ids[1]) and not (ids[1] & ids[2])
    names = {w["displayName"] for w in admin.get("/_lite/workspaces").json()["workspaces"]}
    assert "(template)" not in names and "(spare)" not in names


# ---- recycling, resets and copies of the data model -----------------------------------------


def settle(admin: Client) -> None:
    """Let the background work (spares made, deleted workspaces purged or cleared) finish."""
    admin.app.state.housekeeping.wait()


def lived_in(admin: Client) -> tuple[dict, Client]:
    """A workspace with records, a webhook, a custom role and a second API key (standard data model)."""
    made = ok(admin.post("/_lite/workspaces", json={}), 201)
    ws = Client(admin.app, made["apiKey"])
    ok(ws.post("/rest/batch/people", json=[{"city": "Oslo"}, {"city": "Rome"}]), 201)
    ok(ws.post("/rest/companies", json={"name": "Acme"}), 201)
    ok(ws.post("/rest/metadata/webhooks", json={"targetUrl": "http://127.0.0.1:9/hook", "operations": ["*.*"]}), 201)
    query = "mutation($input: CreateRoleInput!) { createOneRole(createRoleInput: $input) { id } }"
    role = ok(ws.post("/metadata", json={"query": query, "variables": {"input": {"label": "Auditor"}}}))
    assert role["data"]["createOneRole"]["id"]
    admin_role = next(r["id"] for r in ok(ws.post("/metadata", json={"query": "{ getRoles { id label } }"}))["data"][
        "getRoles"] if r["label"] == "Admin")  # fmt: skip
    ok(ws.post("/rest/metadata/apiKeys", json={"name": "ci", "expiresAt": "2030-01-01T00:00:00.000Z",
                                               "roleId": admin_role}), 201)  # fmt: skip
    return made, ws


def object_ids(ws: Client) -> set[str]:
    objects = ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["data"]
    return {o["id"] for o in objects}


def assert_pristine(made: dict, ws: Client) -> None:
    """A workspace as new: standard model, no records, no webhooks, standard roles, one key."""
    objects = ok(ws.get("/rest/metadata/objects", params={"limit": 60}))
    assert objects["totalCount"] == len(STANDARD_SINGULARS)
    assert {o["workspaceId"] for o in objects["data"]} == {made["id"]}
    for plural in ("people", "companies", "opportunities", "notes", "tasks"):
        assert ok(ws.get(f"/rest/{plural}"))["totalCount"] == 0, plural
    assert ok(ws.get("/rest/metadata/webhooks"))["totalCount"] == 0
    roles = ok(ws.post("/metadata", json={"query": "{ getRoles { label } }"}))["data"]["getRoles"]
    assert sorted(r["label"] for r in roles) == ["Admin", "Guest", "Member"]
    keys = ok(ws.get("/rest/metadata/apiKeys"))["data"]
    assert [k["id"] for k in keys] == [made["apiKeyId"]]
    found = ok(ws.post("/graphql", json={"query": "{ people { totalCount } }"}))
    assert found == {"data": {"people": {"totalCount": 0}}}


def assert_no_orphans(admin: Client) -> None:
    """No data model, record or value is left without its workspace, object, field or record."""
    with admin.app.state.store.read() as conn:
        checks = {
            "objects": "SELECT count(*) FROM object_meta WHERE workspace_id NOT IN (SELECT id FROM workspace)",
            "fields": "SELECT count(*) FROM field_meta WHERE object_id NOT IN (SELECT id FROM object_meta)",
            "attributes": "SELECT count(*) FROM attribute WHERE field_id NOT IN (SELECT id FROM field_meta)",
            "records": "SELECT count(*) FROM entity WHERE obj NOT IN (SELECT key FROM object_meta)",
            "values": "SELECT count(*) FROM value WHERE seq NOT IN (SELECT seq FROM entity)",
            # a stored attribute, or one of a field shared with the template: -(object key * 4096 + slot)
            "columns": "SELECT count(*) FROM value WHERE attr NOT IN (SELECT key FROM attribute) AND (attr > 0 OR "
            "(-attr / 4096) NOT IN (SELECT o.key FROM object_meta o JOIN workspace w ON w.id = o.workspace_id "
            "WHERE w.shared_fields = 1))",
            "roles": "SELECT count(*) FROM role WHERE workspace_id NOT IN (SELECT id FROM workspace)",
            "keys": "SELECT count(*) FROM api_key WHERE workspace_id NOT IN (SELECT id FROM workspace)",
            "webhooks": "SELECT count(*) FROM webhook WHERE workspace_id NOT IN (SELECT id FROM workspace)",
        }
        assert {name: conn.execute(sql).fetchone()[0] for name, sql in checks.items()} == dict.fromkeys(checks, 0)


def test_deleted_workspaces_come_back_clean(admin: Client) -> None:
    old = [lived_in(admin) for _ in range(3)]
    old_objects = set().union(*(object_ids(ws) for _, ws in old))
    for made, _ in old:
        assert admin.delete(f"/_lite/workspaces/{made['id']}").status_code == 200
    settle(admin)
    assert_no_orphans(admin)
    reused = False
    for _ in range(tl.SPARE_CAP + 2):
        made = ok(admin.post("/_lite/workspaces", json={"displayName": "next"}), 201)
        assert made["id"] not in {m["id"] for m, _ in old}
        ws = Client(admin.app, made["apiKey"])
        assert_pristine(made, ws)
        reused |= bool(object_ids(ws) & old_objects)
    assert reused, "no deleted workspace was handed out again: the recycled path went untested"
    for _, ws in old:
        assert ws.get("/rest/people").status_code == 401


def test_a_deleted_workspace_with_a_changed_data_model_is_cleared(admin: Client) -> None:
    made, ws = populated(admin)
    assert admin.delete(f"/_lite/workspaces/{made['id']}").status_code == 200
    settle(admin)
    assert_no_orphans(admin)
    with admin.app.state.store.read() as conn:
        assert conn.execute("SELECT count(*) FROM object_meta WHERE name_singular = 'pet'").fetchone()[0] == 0
    fresh = ok(admin.post("/_lite/workspaces", json={}), 201)
    assert Client(admin.app, fresh["apiKey"]).get("/rest/pets").status_code == 400


def test_reset_of_an_untouched_model_keeps_its_ids_keys_and_webhooks(admin: Client) -> None:
    made, ws = lived_in(admin)
    before = object_ids(ws)
    assert ok(admin.post(f"/_lite/workspaces/{made['id']}/reset")) == {"id": made["id"]}
    assert object_ids(ws) == before
    assert ok(ws.get("/rest/people"))["totalCount"] == 0
    assert ok(ws.get("/rest/companies"))["totalCount"] == 0
    assert ok(ws.get("/rest/metadata/webhooks"))["totalCount"] == 1
    assert len(ok(ws.get("/rest/metadata/apiKeys"))["data"]) == 2
    ok(ws.post("/rest/people", json={"city": "Lima"}), 201)
    assert ok(ws.get("/rest/people"))["totalCount"] == 1


@pytest.mark.parametrize("deterministic", [False, True], ids=["from a spare", "copied in place"])
def test_reset_after_a_data_model_change_brings_back_the_standard_model(deterministic: bool) -> None:
    admin = Client(make_app(api_key="admin-key", deterministic=deterministic), "admin-key")
    made, ws = populated(admin)
    company = next(o for o in ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["data"]
                   if o["nameSingular"] == "company")  # fmt: skip
    field = {"objectMetadataId": company["id"], "name": "tier", "label": "Tier", "type": "TEXT"}
    ok(ws.post("/rest/metadata/fields", json=field), 201)
    ok(ws.post("/rest/companies", json={"name": "Initech", "tier": "gold"}), 201)
    assert ok(admin.post(f"/_lite/workspaces/{made['id']}/reset")) == {"id": made["id"]}
    if deterministic:  # copied in place: nothing is left for the background to clear
        assert_no_orphans(admin)
    assert ws.get("/rest/pets").status_code == 400
    resp = ws.post("/rest/companies", json={"name": "Initech", "tier": "gold"})
    assert resp.status_code == 400, resp.text
    made_company = ok(ws.post("/rest/companies", json={"name": "Initech"}), 201)["data"]["createCompany"]
    assert "tier" not in made_company
    objects = ok(ws.get("/rest/metadata/objects", params={"limit": 60}))
    assert objects["totalCount"] == len(STANDARD_SINGULARS) and {o["workspaceId"] for o in objects["data"]} == {
        made["id"]
    }
    assert ok(ws.post("/graphql", json={"query": "{ companies { totalCount } }"}))["data"]["companies"] == {
        "totalCount": 1
    }
    settle(admin)
    assert_no_orphans(admin)
    # a reset straight after a change, with no request in between to notice the change
    ok(ws.post("/rest/metadata/fields", json=field | {"objectMetadataId": company_id(ws)}), 201)
    assert ok(admin.post(f"/_lite/workspaces/{made['id']}/reset")) == {"id": made["id"]}
    assert ws.post("/rest/companies", json={"tier": "gold"}).status_code == 400
    assert ok(admin.post(f"/_lite/workspaces/{made['id']}/reset")) == {"id": made["id"]}
    assert ok(ws.get("/rest/companies"))["totalCount"] == 0
    settle(admin)
    assert_no_orphans(admin)


def company_id(ws: Client) -> str:
    objects = ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["data"]
    return next(o["id"] for o in objects if o["nameSingular"] == "company")


def test_shared_fields_written_out_read_back_the_same(admin: Client) -> None:
    """A new workspace's fields are the template's, computed; written out as its own rows (before its first
    data-model change) and read back cold, they are the same fields with the same ids and keys."""
    state = admin.app.state
    for _ in range(2):  # the first is made on the spot, the next one ahead of time
        made = ok(admin.post("/_lite/workspaces", json={}), 201)
        with state.store.write() as conn:
            shared = state.schema(conn, made["id"])
            assert tl._store_shared_fields(conn, made["id"], state.models.standard_model(conn))
            assert conn.execute("SELECT shared_fields FROM workspace WHERE id = ?", (made["id"],)).fetchone()[0] == 0
            stored = tl._load_schema(conn, made["id"])
        assert [o.id for o in shared.objects] == [o.id for o in stored.objects]
        for a, b in zip(shared.objects, stored.objects):
            assert [vars(f) for f in a.fields] == [vars(f) for f in b.fields], a.name_singular
            assert a.columns_by_key == b.columns_by_key


def test_the_first_data_model_change_keeps_every_id_and_record(admin: Client) -> None:
    made = ok(admin.post("/_lite/workspaces", json={}), 201)
    ws = Client(admin.app, made["apiKey"])

    def field_ids() -> dict[str, str]:
        objects = ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["data"]
        return {f"{o['nameSingular']}.{f['name']}": f["id"] for o in objects for f in o["fields"]}

    before = field_ids()
    person = ok(ws.post("/rest/people", json={"city": "Oslo", "name": {"firstName": "Ada"}}), 201)["data"]
    person_object = next(o for o in ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["data"]
                         if o["nameSingular"] == "person")  # fmt: skip
    field = {"objectMetadataId": person_object["id"], "name": "nickname", "label": "Nickname", "type": "TEXT"}
    ok(ws.post("/rest/metadata/fields", json=field), 201)
    after = field_ids()
    assert {k: v for k, v in after.items() if k != "person.nickname"} == before
    found = ok(ws.get("/rest/people", params={"filter": "city[eq]:Oslo"}))["data"]["people"]
    assert [p["id"] for p in found] == [person["createPerson"]["id"]]
    assert found[0]["name"]["firstName"] == "Ada" and found[0]["nickname"] is None
    patched = ws.patch(f"/rest/people/{found[0]['id']}", json={"nickname": "A", "city": "Rome"})
    assert ok(patched)["data"]["updatePerson"]["city"] == "Rome"
    assert ok(ws.get("/rest/people", params={"filter": "nickname[eq]:A"}))["totalCount"] == 1


def test_spares_left_in_a_database_file_are_used_again(tmp_path) -> None:
    db = str(tmp_path / "fixtures.db")
    first = Client(make_app(db=db, api_key="admin-key"), "admin-key")
    made, _ = lived_in(first)
    first.delete(f"/_lite/workspaces/{made['id']}")
    settle(first)

    def spares() -> set[str]:
        with first.app.state.store.read() as conn:
            return {r[0] for r in conn.execute("SELECT id FROM workspace WHERE name = '(spare)'")}

    left = spares()
    assert left
    second = Client(make_app(db=db, api_key="admin-key"), "admin-key")
    settle(second)
    again = ok(second.post("/_lite/workspaces", json={}), 201)
    assert again["id"] in left
    assert_pristine(again, Client(second.app, again["apiKey"]))
    for _ in range(3):  # restarts do not pile spares up
        Client(make_app(db=db, api_key="admin-key"), "admin-key").app.state.housekeeping.wait()
    assert len(spares()) <= tl.SPARE_CAP


def test_deterministic_mode_reproduces_workspaces_made_and_deleted() -> None:
    runs = []
    for _ in range(2):
        admin = Client(make_app(api_key="admin-key", deterministic=True), "admin-key")
        seen = []
        for _ in range(3):
            made = ok(admin.post("/_lite/workspaces", json={}), 201)
            seen.append((made["id"], made["apiKeyId"], sorted(object_ids(Client(admin.app, made["apiKey"])))))
            admin.delete(f"/_lite/workspaces/{made['id']}")
        runs.append(seen)
    assert runs[0] == runs[1]


def test_a_reset_does_not_wait_for_a_spare_being_made(admin: Client) -> None:
    made, ws = populated(admin)  # a changed data model: the reset wants a new one
    state = admin.app.state
    gate = threading.Event()
    state.housekeeping(gate.wait)  # the background thread is busy
    with state.pool._lock:  # no spare ready, one on its way (it needs the store the reset holds)
        state.pool._spares.clear()
        state.pool._coming += 1
    try:
        start = time.monotonic()
        assert ok(admin.post(f"/_lite/workspaces/{made['id']}/reset")) == {"id": made["id"]}
        assert time.monotonic() - start < 2
        assert ws.get("/rest/pets").status_code == 400
        assert ok(ws.get("/rest/metadata/objects", params={"limit": 60}))["totalCount"] == len(STANDARD_SINGULARS)
    finally:
        gate.set()
        state.pool.release(True)


def test_snapshot_and_restore_of_an_untouched_workspace(admin: Client) -> None:
    made = ok(admin.post("/_lite/workspaces", json={}), 201)
    ws = Client(admin.app, made["apiKey"])
    company = ok(ws.post("/rest/companies", json={"name": "Acme"}), 201)["data"]["createCompany"]
    ok(ws.post("/rest/people", json={"city": "Oslo", "companyId": company["id"]}), 201)
    before = snapshot_of_standard(ws)
    snap = ok(admin.post(f"/_lite/workspaces/{made['id']}/snapshots"), 201)["snapshotId"]
    ok(ws.post("/rest/people", json={"city": "Lima"}), 201)
    assert ok(admin.post(f"/_lite/workspaces/{made['id']}/restore", json={"snapshotId": snap})) == {"id": made["id"]}
    assert snapshot_of_standard(ws) == before
    found = ok(ws.get("/rest/people", params={"filter": "city[eq]:Oslo", "depth": 1}))["data"]["people"]
    assert [p["company"]["name"] for p in found] == ["Acme"]


def snapshot_of_standard(ws: Client) -> dict:
    people = ok(ws.get("/rest/people", params={"order_by": "id"}))["data"]["people"]
    return {"people": [(p["id"], p["city"], p["companyId"]) for p in people], "objects": sorted(object_ids(ws))}
