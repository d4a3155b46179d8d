"""Workspace isolation (issue 13, item 5): a key of one workspace never reads or writes another
workspace's records, metadata, keys, roles, webhooks, journal, snapshots or exports; the /_lite admin API
answers only the server's admin key; forged tokens (alg none, a modified payload, another workspace's
secret) are refused; tokens never show in answers, the journal or the server's output.

Set-up: the default workspace's admin client makes B (with things in it) and C; C's workspace key then
aims at B's ids, and every answer must be the one a random id gets, with B unchanged afterwards."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from conftest import Client, Response, http_send, jwt
from test_keys_and_roles import create_key, create_role, gql, meta, new_company, new_person, objects, ok

import twenty_lite as tl

NOT_FOUND_BODY = {"statusCode": 404, "error": "NotFoundException", "messages": ["Record not found"]}
TOKEN_INVALID_BODY = {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token invalid."]}
TOKEN_INVALID_GQL = {
    "errors": [
        {
            "message": "Token invalid.",
            "extensions": {
                "code": "UNAUTHENTICATED",
                "subCode": "UNAUTHENTICATED",
                "userFriendlyMessage": "You must be authenticated to perform this action.",
            },
        }
    ]
}
ADMIN_REFUSED_BODY = {
    "statusCode": 403,
    "error": "ForbiddenException",
    "messages": ["The admin API needs the server's admin key"],
}
MISSING_TOKEN_BODY = {"statusCode": 403, "error": "FORBIDDEN_EXCEPTION", "messages": ["Missing authentication token"]}
PET = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
HOOK_URL = "http://127.0.0.1:9/x"
FUTURE = "2030-01-01T00:00:00.000Z"
KEY_FIELDS = "id name expiresAt revokedAt createdAt updatedAt role { id label }"


@dataclass
class World:
    """The admin client (default workspace), B with things in it, and C with a role and a key of its own."""

    admin: Client
    b: Client
    c: Client
    b_ws: str
    c_ws: str
    ids: dict[str, str]  # B's ids: person, company, pet (a record), object, field, role, key, webhook
    c_role: str
    c_key: str
    c_object: str  # C's own person object


def rest(resp: Response, status: int = 200) -> Any:
    """The JSON body of a REST answer that must have this status."""
    assert resp.status_code == status, resp
    return resp.json()


def made_workspace(admin: Client, name: str) -> dict[str, Any]:
    return rest(admin.post("/_lite/workspaces", json={"seed": "none", "displayName": name}), 201)


@pytest.fixture
def w(client: Client) -> World:
    """B with a person, a company, a custom object, field and record, a role, a key and a webhook; C empty."""
    made_b, made_c = made_workspace(client, "B"), made_workspace(client, "C")
    b, c = Client(client.app, made_b["apiKey"]), Client(client.app, made_c["apiKey"])
    ids = {"person": new_person(b, city="Bern")["id"], "company": new_company(b, "Bravo")["id"]}
    ids["object"] = rest(b.post("/rest/metadata/objects", json=PET), 201)["id"]
    field = {"objectMetadataId": ids["object"], "type": "TEXT", "name": "kind", "label": "Kind"}
    ids["field"] = rest(b.post("/rest/metadata/fields", json=field), 201)["id"]
    ids["pet"] = rest(b.post("/rest/pets", json={"name": "Rex", "kind": "dog"}), 201)["data"]["createPet"]["id"]
    ids["role"] = create_role(b, "Auditor", canReadAllObjectRecords=True)
    ids["key"] = create_key(b, ids["role"], "b key")
    hook = {"targetUrl": HOOK_URL, "operations": ["*.*"]}  # made last: B's set-up delivers nothing
    ids["webhook"] = rest(b.post("/rest/metadata/webhooks", json=hook), 201)["id"]
    c_role = create_role(c, "Mine", canReadAllObjectRecords=True)
    c_key = create_key(c, c_role, "c key")
    return World(client, b, c, made_b["id"], made_c["id"], ids, c_role, c_key, objects(c)["person"]["id"])


def b_state(w: World) -> dict[str, Any]:
    """Everything of B: its export (data model, records, roles, webhooks) and its API keys."""
    export = rest(w.admin.get(f"/_lite/workspaces/{w.b_ws}/export"))
    keys = ok(meta(w.b, f"{{ apiKeys {{ {KEY_FIELDS} }} }}"), "apiKeys")
    key = ok(
        meta(w.b, f"query($id: UUID!) {{ apiKey(input: {{id: $id}}) {{ {KEY_FIELDS} }} }}", id=w.ids["key"]), "apiKey"
    )
    return {"export": export, "keys": keys, "key": key}


def masked(resp: Response, *ids: str) -> tuple[int, str]:
    """Status and body with the ids asked for replaced: answers to two ids compare equal when alike."""
    text = resp.text
    for item in ids:
        text = text.replace(item, "<id>")
    return resp.status_code, text


def new_uuid() -> str:
    return str(uuid.uuid4())


def b64(doc: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(doc, separators=(",", ":")).encode()).rstrip(b"=").decode()


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def assert_as_random(w: World, send: Callable[[str], Response], kind: str) -> None:
    """send(target id) -> Response: B's id answers exactly as a random id does, and B is unchanged."""
    before = b_state(w)
    theirs, random_id = w.ids[kind], new_uuid()
    assert masked(send(theirs), theirs) == masked(send(random_id), random_id)
    assert b_state(w) == before


# --------------------------------------------------------------------------------------------
# records
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("GET", "?depth=1", None),
        ("PATCH", "", {"city": "Cairo"}),
        ("PUT", "", {"city": "Cairo"}),
        ("DELETE", "", None),
        ("DELETE", "?soft_delete=true", None),
        ("PATCH", "/restore", None),
    ],
)
def test_rest_record_of_another_workspace_is_not_found(w: World, method: str, suffix: str, body: Any) -> None:
    def send(rid: str) -> Response:
        return w.c.request(method, f"/rest/people/{rid}{suffix}", json_body=body)

    unknown = send(new_uuid())  # what C's own space answers for an id it does not have
    assert (unknown.status_code, unknown.json()) == (404, NOT_FOUND_BODY)
    assert_as_random(w, send, "person")


@pytest.mark.parametrize(
    "document",
    [
        "query($id: UUID!) { person(filter: {id: {eq: $id}}) { id city } }",
        'mutation($id: UUID!) { updatePerson(id: $id, data: {city: "Cairo"}) { id } }',
        "mutation($id: UUID!) { deletePerson(id: $id) { id } }",
        "mutation($id: UUID!) { destroyPerson(id: $id) { id } }",
        "mutation($id: UUID!) { restorePerson(id: $id) { id } }",
        "query($id: UUID!) { personDuplicates(ids: [$id]) { edges { node { id } } } }",
    ],
    ids=["person", "updatePerson", "deletePerson", "destroyPerson", "restorePerson", "personDuplicates"],
)
def test_graphql_record_of_another_workspace_is_not_found(w: World, document: str) -> None:
    def send(rid: str) -> Response:
        return w.c.post("/graphql", json={"query": document, "variables": {"id": rid}})

    root = document.split("{")[1].split("(")[0].strip()
    answer = send(w.ids["person"]).json()
    assert answer["data"] == {root: None}, answer  # person(filter: {id: {eq: B's id}}) is null
    assert [(e["message"], e["extensions"]["subCode"]) for e in answer["errors"]] == [
        ("Record not found", "RECORD_NOT_FOUND")
    ], answer
    assert_as_random(w, send, "person")


@pytest.mark.parametrize(
    ("method", "path", "body", "empty"),
    [
        ("GET", "/rest/people?filter=id[eq]:{id}", None, {"people": []}),
        ("PATCH", "/rest/people?filter=id[eq]:{id}", {"city": "Cairo"}, {"updatePeople": []}),
        ("DELETE", "/rest/people?filter=id[eq]:{id}", None, {"deletePeople": []}),
        ("DELETE", "/rest/people?filter=id[eq]:{id}&soft_delete=true", None, {"deletePeople": []}),
        ("PATCH", "/rest/people/merge", {"ids": ["{id}", "{other}"]}, None),
        ("POST", "/rest/people/duplicates", {"ids": ["{id}"]}, None),
    ],
)
def test_rest_many_operations_never_reach_another_workspace(
    w: World, method: str, path: str, body: Any, empty: dict[str, Any] | None
) -> None:
    other = new_uuid()

    def send(rid: str) -> Response:
        data = json.loads(json.dumps(body).replace("{id}", rid).replace("{other}", other)) if body else None
        return w.c.request(method, path.replace("{id}", rid), json_body=data)

    if empty is not None:
        assert rest(send(w.ids["person"]))["data"] == empty
    assert_as_random(w, send, "person")


@pytest.mark.parametrize("root", ["updatePeople", "deletePeople", "destroyPeople", "restorePeople"])
def test_graphql_many_mutations_never_reach_another_workspace(w: World, root: str) -> None:
    data = ', data: {city: "Cairo"}' if root == "updatePeople" else ""
    document = f"mutation($id: UUID!) {{ {root}(filter: {{id: {{eq: $id}}}}{data}) {{ id }} }}"

    def send(rid: str) -> Response:
        return w.c.post("/graphql", json={"query": document, "variables": {"id": rid}})

    assert send(w.ids["person"]).json() == {"data": {root: []}}
    assert_as_random(w, send, "person")


def test_lists_and_counts_of_a_workspace_show_none_of_anothers(w: World) -> None:
    assert rest(w.c.get("/rest/people"))["totalCount"] == 0
    assert rest(w.c.get("/rest/companies"))["totalCount"] == 0
    body = gql(w.c, "/graphql", "{ people { totalCount } companies { totalCount } }")
    assert body == {"data": {"people": {"totalCount": 0}, "companies": {"totalCount": 0}}}
    counts = ok(meta(w.c, "{ objectRecordCounts { objectNamePlural totalCount } }"), "objectRecordCounts")
    assert {c["totalCount"] for c in counts} == {0}
    found = gql(w.c, "/graphql", '{ search(searchInput: "Bern", limit: 10) { edges { node { recordId } } } }')
    assert ok(found, "search")["edges"] == []
    for path in ("/rest/pets", f"/rest/pets/{w.ids['pet']}"):  # B's custom object and its record
        assert rest(w.c.get(path), 400)["messages"] == ["object 'pets' not found. eg: companies"]
    assert rest(w.b.get("/rest/people"))["totalCount"] == 1  # B still sees its own


def test_create_and_upsert_with_another_workspaces_record_id_leave_it_alone(w: World) -> None:
    before = b_state(w)
    pid = w.ids["person"]
    made = rest(w.c.post("/rest/people", json={"id": pid, "city": "Cairo"}), 201)["data"]["createPerson"]
    assert (made["id"], made["city"]) == (pid, "Cairo")  # the id is free in C, as a random one is
    rest(w.c.post("/rest/people?upsert=true", json={"id": pid, "city": "Lima"}), 201)
    rest(w.c.post("/rest/batch/people?upsert=true", json=[{"id": pid, "city": "Oslo"}]), 201)
    upserted = gql(
        w.c,
        "/graphql",
        'mutation($id: UUID!) { createPerson(data: {id: $id, city: "Rome"}, upsert: true) { id city } }',
        id=pid,
    )
    assert ok(upserted, "createPerson") == {"id": pid, "city": "Rome"}
    assert rest(w.c.get("/rest/people"))["totalCount"] == 1
    assert b_state(w) == before
    assert rest(w.b.get(f"/rest/people/{pid}"))["data"]["person"]["city"] == "Bern"


@pytest.mark.parametrize(
    ("path", "field", "kind"),
    [("/rest/people", "companyId", "company"), ("/rest/opportunities", "pointOfContactId", "person")],
)
def test_a_relation_cannot_point_at_another_workspaces_record(w: World, path: str, field: str, kind: str) -> None:
    def send(rid: str) -> Response:
        return w.c.post(path, json={"name": "Deal", field: rid} if field == "pointOfContactId" else {field: rid})

    assert send(w.ids[kind]).status_code == 400
    assert_as_random(w, send, kind)


# --------------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(("resource", "kind"), [("objects", "object"), ("fields", "field")])
def test_rest_metadata_of_another_workspace_answers_as_a_random_id(
    w: World, method: str, resource: str, kind: str
) -> None:
    update = {"labelSingular": "Hacked"} if kind == "object" else {"label": "Hacked"}

    def send(item: str) -> Response:
        return w.c.request(method, f"/rest/metadata/{resource}/{item}", json_body=update if method == "PATCH" else None)

    assert send(w.ids[kind]).status_code in (400, 404)
    assert_as_random(w, send, kind)


GQL_METADATA_CASES = {
    "object": ("object", "query($id: UUID!) { object(id: $id) { id } }"),
    "updateOneObject": (
        "object",
        'mutation($id: UUID!) { updateOneObject(input: {id: $id, update: {labelSingular: "Hacked"}}) { id } }',
    ),
    "deleteOneObject": ("object", "mutation($id: UUID!) { deleteOneObject(input: {id: $id}) { id } }"),
    "createOneField on the object": (
        "object",
        "mutation($id: UUID!) { createOneField(input: {field: "
        '{objectMetadataId: $id, type: TEXT, name: "hacked", label: "Hacked"}}) { id } }',
    ),
    "upsertObjectPermissions": (
        "object",
        "mutation($id: UUID!, $cRole: UUID!) { upsertObjectPermissions(upsertObjectPermissionsInput: "
        "{roleId: $cRole, objectPermissions: [{objectMetadataId: $id, canReadObjectRecords: true}]}) { id } }",
    ),
    "field": ("field", "query($id: UUID!) { field(id: $id) { id } }"),
    "updateOneField": (
        "field",
        'mutation($id: UUID!) { updateOneField(input: {id: $id, update: {label: "Hacked"}}) { id } }',
    ),
    "deleteOneField": ("field", "mutation($id: UUID!) { deleteOneField(input: {id: $id}) { id } }"),
    "upsertFieldPermissions": (
        "field",
        "mutation($id: UUID!, $cRole: UUID!, $cObject: UUID!) { upsertFieldPermissions(upsertFieldPermissionsInput: "
        "{roleId: $cRole, fieldPermissions: [{objectMetadataId: $cObject, fieldMetadataId: $id, "
        "canReadFieldValue: false}]}) { id } }",
    ),
    "apiKey": ("key", "query($id: UUID!) { apiKey(input: {id: $id}) { id name } }"),
    "updateApiKey": ("key", 'mutation($id: UUID!) { updateApiKey(input: {id: $id, name: "hacked"}) { id } }'),
    "revokeApiKey": ("key", "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id revokedAt } }"),
    "generateApiKeyToken": (
        "key",
        f'mutation($id: UUID!) {{ generateApiKeyToken(apiKeyId: $id, expiresAt: "{FUTURE}") {{ token }} }}',
    ),
    "assignRoleToApiKey their key": (
        "key",
        "mutation($id: UUID!, $cRole: UUID!) { assignRoleToApiKey(apiKeyId: $id, roleId: $cRole) }",
    ),
    "assignRoleToApiKey their role": (
        "role",
        "mutation($id: UUID!, $cKey: UUID!) { assignRoleToApiKey(apiKeyId: $cKey, roleId: $id) }",
    ),
    "createApiKey with their role": (
        "role",
        f'mutation($id: UUID!) {{ createApiKey(input: {{name: "n", expiresAt: "{FUTURE}", roleId: $id}}) {{ id }} }}',
    ),
    "updateOneRole": (
        "role",
        'mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Hacked", '
        "canUpdateAllSettings: true}}) { id } }",
    ),
    "deleteOneRole": ("role", "mutation($id: UUID!) { deleteOneRole(roleId: $id) }"),
    "upsertPermissionFlags": (
        "role",
        "mutation($id: UUID!) { upsertPermissionFlags(upsertPermissionFlagsInput: "
        '{roleId: $id, permissionFlagKeys: ["ROLES"]}) { flag } }',
    ),
    "upsertObjectPermissions their role": (
        "role",
        "mutation($id: UUID!, $cObject: UUID!) { upsertObjectPermissions(upsertObjectPermissionsInput: "
        "{roleId: $id, objectPermissions: [{objectMetadataId: $cObject, canReadObjectRecords: true}]}) { id } }",
    ),
    "webhook": ("webhook", "query($id: UUID!) { webhook(id: $id) { id targetUrl secret } }"),
    "updateWebhook": (
        "webhook",
        'mutation($id: UUID!) { updateWebhook(input: {id: $id, update: {targetUrl: "http://127.0.0.1:9/y"}}) { id } }',
    ),
    "deleteWebhook": ("webhook", "mutation($id: UUID!) { deleteWebhook(id: $id) { id } }"),
}


@pytest.mark.parametrize("case", list(GQL_METADATA_CASES))
def test_graphql_metadata_of_another_workspace_answers_as_a_random_id(w: World, case: str) -> None:
    kind, document = GQL_METADATA_CASES[case]
    known = {"cRole": w.c_role, "cKey": w.c_key, "cObject": w.c_object}
    extra = {name: value for name, value in known.items() if f"${name}" in document}

    def send(item: str) -> Response:
        resp = w.c.post("/metadata", json={"query": document, "variables": {"id": item, **extra}})
        assert resp.status_code == 200, resp
        return resp

    answer = send(w.ids[kind]).json()
    assert answer.get("errors") or answer["data"] in ({"webhook": None}, None), answer
    assert all(e["extensions"]["code"] == "NOT_FOUND" for e in answer.get("errors", [])), answer
    assert_as_random(w, send, kind)


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/rest/metadata/apiKeys", "key"),
        ("/rest/apiKeys", "key"),
        ("/rest/metadata/webhooks", "webhook"),
        ("/rest/webhooks", "webhook"),
    ],
)
def test_rest_keys_and_webhooks_of_another_workspace_answer_as_a_random_id(
    w: World, method: str, path: str, kind: str
) -> None:
    update = {"name": "hacked"} if kind == "key" else {"targetUrl": "http://127.0.0.1:9/y"}

    def send(item: str) -> Response:
        return w.c.request(method, f"{path}/{item}", json_body=update if method == "PATCH" else None)

    assert send(w.ids[kind]).status_code == 404
    assert_as_random(w, send, kind)


def test_metadata_lists_of_a_workspace_show_none_of_anothers(w: World) -> None:
    c_objects = rest(w.c.get("/rest/metadata/objects", params={"limit": 60}))["data"]
    c_ids = {o["id"] for o in c_objects} | {f["id"] for o in c_objects for f in o["fields"]}
    assert "pet" not in {o["nameSingular"] for o in c_objects}
    assert {w.ids["object"], w.ids["field"]}.isdisjoint(c_ids)
    roles = ok(meta(w.c, "{ getRoles { id label apiKeys { id } } }"), "getRoles")
    assert sorted(r["label"] for r in roles) == ["Admin", "Guest", "Member", "Mine"]
    assert w.ids["key"] not in json.dumps(roles)
    keys = ok(meta(w.c, "{ apiKeys { id } }"), "apiKeys") + rest(w.c.get("/rest/metadata/apiKeys"))["data"]
    assert w.ids["key"] not in {k["id"] for k in keys}
    assert ok(meta(w.c, "{ webhooks { id } }"), "webhooks") == []
    assert rest(w.c.get("/rest/metadata/webhooks"))["totalCount"] == 0


def test_a_webhook_id_of_another_workspace_cannot_be_taken_over(w: World) -> None:
    own = rest(w.c.post("/rest/metadata/webhooks", json={"targetUrl": HOOK_URL}), 201)["id"]
    before = b_state(w)

    def send(item: str) -> Response:
        return w.c.post("/rest/metadata/webhooks", json={"id": item, "targetUrl": "http://127.0.0.1:9/y"})

    assert masked(send(w.ids["webhook"]), w.ids["webhook"]) == masked(send(own), own)  # says not whose
    assert b_state(w) == before


def test_a_role_id_of_another_workspace_cannot_be_taken_over(w: World) -> None:
    """Creating a role with an id that is already used answers as an id taken in the caller's own workspace
    does (a bad input, not an internal error), and leaves the other workspace's role alone."""
    document = 'mutation($id: String) { createOneRole(createRoleInput: {id: $id, label: "Twin"}) { id } }'
    before = b_state(w)

    def send(item: str) -> Response:
        return w.c.post("/metadata", json={"query": document, "variables": {"id": item}})

    theirs = send(w.ids["role"])
    assert b_state(w) == before
    errors = theirs.json().get("errors") or [{}]
    assert errors[0].get("extensions", {}).get("code") == "BAD_USER_INPUT", theirs
    assert masked(theirs, w.ids["role"]) == masked(send(w.c_role), w.c_role)


# --------------------------------------------------------------------------------------------
# the admin API
# --------------------------------------------------------------------------------------------

ADMIN_CALLS = [
    ("GET", "/_lite/workspaces", None),
    ("POST", "/_lite/workspaces", {}),
    ("GET", "/_lite/workspaces/{b}/journal", None),
    ("GET", "/_lite/workspaces/{b}/export", None),
    ("POST", "/_lite/workspaces/{b}/snapshots", None),
    ("POST", "/_lite/workspaces/{b}/restore", {"snapshotId": "x"}),
    ("POST", "/_lite/workspaces/{b}/reset", None),
    ("DELETE", "/_lite/workspaces/{b}", None),
    ("POST", "/_lite/workspaces/import", {"format": "twenty_lite/1"}),
    ("GET", "/_lite/clock", None),
    ("POST", "/_lite/clock", {"advance": 3600}),
    ("POST", "/_lite/faults", {"fault": "500"}),
    ("DELETE", "/_lite/faults", None),
    ("GET", "/_lite/workspaces/{c}/journal", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_a_workspace_key_is_refused_by_the_admin_api(w: World, method: str, path: str, body: Any) -> None:
    before, count = b_state(w), len(rest(w.admin.get("/_lite/workspaces"))["workspaces"])
    later = tl._iso(w.admin.app.state.clock() + timedelta(minutes=30))
    resp = w.c.request(method, path.format(b=w.b_ws, c=w.c_ws), json_body=body)
    assert resp.status_code == 403, resp
    assert resp.json() == ADMIN_REFUSED_BODY
    assert b_state(w) == before
    assert len(rest(w.admin.get("/_lite/workspaces"))["workspaces"]) == count
    assert not w.admin.app.state.tools.fault_rules
    assert rest(w.admin.get("/_lite/clock"))["now"] < later
    assert rest(w.c.get("/rest/people"))["totalCount"] == 0


def test_the_admin_api_takes_only_the_admin_key_in_the_header(w: World) -> None:
    app = w.admin.app
    attempts = [
        Client(app, None).request("GET", "/_lite/workspaces", params={"token": "test-key"}),
        Client(app, None).request("GET", "/_lite/workspaces", params={"apiKey": "test-key"}),
        Client(app, None).request("GET", "/_lite/workspaces", headers={"X-Api-Key": "test-key"}),
        Client(app, jwt(app)).get("/_lite/workspaces"),  # a JWT of the default workspace's Admin key
        Client(app, None).get("/_lite/workspaces", headers={"Authorization": "Basic test-key"}),
        w.b.get(f"/_lite/workspaces/{w.b_ws}/journal"),  # a workspace's own key, on its own journal
        w.b.get(f"/_lite/workspaces/{w.b_ws}/export"),
    ]
    for resp in attempts:
        assert resp.status_code == 403, resp
        assert resp.json() == ADMIN_REFUSED_BODY
    assert rest(w.admin.get(f"/_lite/workspaces/{w.b_ws}/journal"))["requests"]


def test_another_workspaces_journal_never_shows_a_workspaces_requests(w: World) -> None:
    journal = f"/_lite/workspaces/{w.b_ws}/journal"
    before = rest(w.admin.get(journal))["requests"]
    c_before = len(rest(w.admin.get(f"/_lite/workspaces/{w.c_ws}/journal"))["requests"])
    pid = w.ids["person"]
    w.c.get(f"/rest/people/{pid}")
    w.c.patch(f"/rest/people/{pid}", json={"city": "Cairo"})
    w.c.post("/rest/people", json={"id": pid, "city": "Cairo"})  # a record change: B's *.* webhook must not fire
    w.c.delete(f"/rest/metadata/webhooks/{w.ids['webhook']}")
    w.c.post("/graphql", json={"query": "{ people { totalCount } }"})
    w.c.post("/metadata", json={"query": "{ currentWorkspace { id } }"})
    w.c.get(journal)
    w.admin.app.state.webhook_sender.drain()
    assert rest(w.admin.get(journal))["requests"] == before
    mine = rest(w.admin.get(f"/_lite/workspaces/{w.c_ws}/journal"))["requests"]
    assert len(mine) == c_before + 6  # C's own journal has them (the refused /_lite call is no one's)
    assert not [e for e in mine if "webhook" in e]


def test_a_snapshot_of_another_workspace_cannot_be_restored_into_a_workspace(w: World) -> None:
    """Even the admin cannot pour B's snapshot into C; a workspace key cannot take or restore one at all."""
    snapshot = rest(w.admin.post(f"/_lite/workspaces/{w.b_ws}/snapshots"), 201)["snapshotId"]
    refused = w.c.post(f"/_lite/workspaces/{w.c_ws}/restore", json={"snapshotId": snapshot})
    assert (refused.status_code, refused.json()) == (403, ADMIN_REFUSED_BODY)
    crossed = w.admin.post(f"/_lite/workspaces/{w.c_ws}/restore", json={"snapshotId": snapshot})
    assert rest(crossed, 404)["messages"] == ["Snapshot not found"]
    assert rest(w.c.get("/rest/people"))["totalCount"] == 0


# --------------------------------------------------------------------------------------------
# forged tokens
# --------------------------------------------------------------------------------------------


def forged_tokens(w: World) -> dict[str, str]:
    """Tokens an attacker holding C's key could make: none may authenticate."""
    token = w.c.token or ""
    head, body, signature = token.split(".")
    mine = claims(token)
    theirs = dict(mine, sub=w.b_ws, workspaceId=w.b_ws)
    state = w.admin.app.state
    none_head = b64({"alg": "none", "typ": "JWT"})
    return {
        "alg none": f"{none_head}.{body}.",
        "alg none keeping the signature": f"{none_head}.{body}.{signature}",
        "alg none claiming B": f"{none_head}.{b64(dict(theirs, jti=w.ids['key']))}.",
        "payload moved to B": f"{head}.{b64(theirs)}.{signature}",
        "payload sub moved to B": f"{head}.{b64(dict(mine, sub=w.b_ws))}.{signature}",
        "payload jti moved to B's key": f"{head}.{b64(dict(mine, jti=w.ids['key']))}.{signature}",
        "payload with a longer life": f"{head}.{b64(dict(mine, exp=mine['exp'] + 1))}.{signature}",
        "signed with B's secret claiming C": tl._sign_jwt(mine, tl._jwt_secret(state.app_secret, w.b_ws)),
        "signed with B's ACCESS secret claiming C": tl._sign_jwt(
            mine, tl._jwt_secret(state.app_secret, w.b_ws, "ACCESS")
        ),
        "HS512 header on C's signature": f"{b64({'alg': 'HS512', 'typ': 'JWT'})}.{body}.{signature}",
    }


FORGERIES = [
    "alg none",
    "alg none keeping the signature",
    "alg none claiming B",
    "payload moved to B",
    "payload sub moved to B",
    "payload jti moved to B's key",
    "payload with a longer life",
    "signed with B's secret claiming C",
    "signed with B's ACCESS secret claiming C",
    "HS512 header on C's signature",
]


def test_the_forgeries_start_from_a_working_token(w: World) -> None:
    assert set(forged_tokens(w)) == set(FORGERIES)
    assert rest(w.c.get("/rest/people"))["totalCount"] == 0
    signed = tl._sign_jwt(claims(w.c.token or ""), tl._jwt_secret(w.admin.app.state.app_secret, w.c_ws))
    assert rest(Client(w.admin.app, signed).get("/rest/people"))["totalCount"] == 0  # the real secret works


@pytest.mark.parametrize("forgery", FORGERIES)
def test_a_forged_token_is_refused_everywhere(w: World, forgery: str) -> None:
    token = forged_tokens(w)[forgery]
    forger = Client(w.admin.app, token)
    for path in ("/rest/people", f"/rest/people/{w.ids['person']}", "/rest/metadata/objects", "/rest/metadata/apiKeys"):
        resp = forger.get(path)
        assert (resp.status_code, resp.json()) == (401, TOKEN_INVALID_BODY), (path, resp)
    write = forger.post("/rest/people", json={"city": "Forged"})
    assert (write.status_code, write.json()) == (401, TOKEN_INVALID_BODY)
    for path, query in (("/graphql", "{ people { totalCount } }"), ("/metadata", "{ currentWorkspace { id } }")):
        resp = forger.post(path, json={"query": query})
        assert (resp.status_code, resp.json()) == (200, TOKEN_INVALID_GQL), (path, resp)
    admin = forger.get("/_lite/workspaces")
    assert (admin.status_code, admin.json()) == (403, ADMIN_REFUSED_BODY)
    assert rest(w.c.get("/rest/people"))["totalCount"] == 0
    assert rest(w.b.get("/rest/people"))["totalCount"] == 1


# --------------------------------------------------------------------------------------------
# tokens never leak
# --------------------------------------------------------------------------------------------


def fingerprints(token: str) -> set[str]:
    """What would give a token away: the whole of it, and every 20 characters of its signature (of all of
    it when it is not a JWT), so that a part of a token printed or echoed is caught too."""
    secret = token.rsplit(".", 1)[-1] if token.count(".") == 2 else token
    return {token} | {secret[i : i + 20] for i in range(max(0, len(secret) - 19))}


def assert_not_in(text: str, *tokens: str) -> None:
    for token in tokens:
        for part in fingerprints(token):
            assert part not in text, f"{part!r} of a token leaked in {text[:400]!r}"


def test_a_refused_token_in_the_header_is_never_echoed(w: World, capfd: pytest.CaptureFixture[str]) -> None:
    forged = forged_tokens(w)
    bad = [*forged.values(), f"{w.c.token}x", "not-a-jwt-but-secret-0123456789", f"{w.c.token}.extra"]
    for token in bad:
        caller = Client(w.admin.app, token)
        answers = [
            caller.get("/rest/people"),
            caller.get(f"/rest/people/{w.ids['person']}"),
            caller.post("/graphql", json={"query": "{ people { totalCount } }"}),
            caller.post("/metadata", json={"query": "{ apiKeys { id } }"}),
            caller.get("/rest/metadata/webhooks"),
            caller.get("/_lite/workspaces"),
        ]
        for resp in answers:
            assert resp.status_code in (200, 401, 403), resp
            assert_not_in(resp.text, token)
    journals = [rest(w.admin.get(f"/_lite/workspaces/{ws}/journal")) for ws in (w.b_ws, w.c_ws)]
    assert_not_in(json.dumps(journals), *bad)
    out, err = capfd.readouterr()
    assert_not_in(out + err, *bad)


@pytest.mark.parametrize("param", ["apiKey", "token", "access_token", "api_key", "Authorization"])
def test_a_token_in_the_query_string_is_not_echoed_journalled_or_printed(
    w: World, param: str, capfd: pytest.CaptureFixture[str]
) -> None:
    secret = w.b.token or ""
    params = {param: secret}
    answers = [
        Client(w.admin.app, None).get("/rest/people", params=params),  # alone it is no token at all
        w.c.get("/rest/people", params=params),
        w.c.get(f"/rest/people/{w.ids['person']}", params=params),
        w.c.get("/rest/nope", params=params),
        w.c.get("/rest/people/not-a-uuid", params=params),
        w.c.patch(f"/rest/metadata/objects/{w.ids['object']}", params=params, json={"labelSingular": "X"}),
        w.c.post("/graphql", params=params, json={"query": "{ people { totalCount } }"}),
        w.c.post("/metadata", params=params, json={"query": "{ apiKeys { id } }"}),
        w.c.get("/_lite/workspaces", params=params),
    ]
    first = answers[0]
    assert (first.status_code, first.json()) == (403, MISSING_TOKEN_BODY)
    assert rest(answers[1])["totalCount"] == 0  # C's own data, not B's
    for resp in answers:
        assert_not_in(resp.text, secret)
    journal = rest(w.admin.get(f"/_lite/workspaces/{w.c_ws}/journal"))["requests"]
    assert_not_in(json.dumps(journal), secret)
    assert [e["path"] for e in journal if "?" in e["path"]][-1] == f"/metadata?{param}=[redacted]"
    assert_not_in(json.dumps(rest(w.admin.get(f"/_lite/workspaces/{w.b_ws}/journal"))), secret)
    out, err = capfd.readouterr()
    assert_not_in(out + err, secret)


def test_a_real_server_prints_no_token(capfd: pytest.CaptureFixture[str]) -> None:
    admin_key = "admin-" + uuid.uuid4().hex
    settings = tl.Settings(db=":memory:", api_key=admin_key, port=0, seed="none", rate_limit="0")
    with tl.serve(settings) as server:
        base = server.base_url
        status, raw = http_send(base, "POST", "/_lite/workspaces", admin_key, {"seed": "none"})
        assert status == 201, raw
        made = json.loads(raw)
        token = made["apiKey"]
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        calls = [
            http_send(base, "GET", "/rest/people", forged),
            http_send(base, "GET", f"/rest/people?token={token}"),
            http_send(base, "GET", f"/rest/people?apiKey={token}", token),
            http_send(base, "POST", f"/graphql?token={token}", forged, {"query": "{ people { totalCount } }"}),
            http_send(base, "GET", f"/rest/nope?apiKey={token}", token),
            http_send(base, "GET", "/_lite/workspaces", token),
        ]
        assert [status for status, _ in calls] == [401, 403, 200, 200, 400, 403]
        for _, raw in calls:
            assert_not_in(raw.decode(), token, forged, admin_key)
        status, raw = http_send(base, "GET", f"/_lite/workspaces/{made['id']}/journal", admin_key)
        assert status == 200
        journal = json.loads(raw)["requests"]
        assert [e["path"] for e in journal] == ["/rest/people?apiKey=[redacted]", "/rest/nope?apiKey=[redacted]"]
        assert_not_in(raw.decode(), token, forged, admin_key)
    out, err = capfd.readouterr()
    assert_not_in(out + err, token, forged, admin_key)
