"""GraphQL metadata API (POST /metadata), objects and fields: the `objects`/`object`/`fields`/`field`
queries and their connections, keyset paging and filters, relations, `currentWorkspace`, the
object and field mutations written the way official clients write them (variables declared by
the exact type names), introspection of those type names, the error envelope, auth errors, the
effect of every change on the REST APIs, and one end-to-end run of the official Node SDK
(`twenty-client-sdk`'s MetadataApiClient) against the real server process.

Reference: metadata.md §3-§10; data-model.md §1-§5; graphql.md §1, §12, §14;
auth-and-limits.md §5.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import conftest
import pytest
from conftest import STANDARD_SINGULARS, CheckedClient, new_id, ok

ROOT = Path(__file__).resolve().parent.parent
SDK_DRIVER = Path(__file__).resolve().parent / "sdk" / "metadata_client.cjs"

# The one test that installs the official npm package and drives the real server with it
# (`python -m pytest tests/test_graphql_metadata.py -k sdk`). It needs `npm` on PATH; a failed
# install fails the test.
SDK_PACKAGE = "twenty-client-sdk@^2"
SDK_E2E = pytest.mark.skipif(
    shutil.which("npm") is None,
    reason="npm is not on PATH: the twenty-client-sdk end-to-end test needs Node.js and npm",
)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# --------------------------------------------------------------------------- messages (metadata.md §7, §9, §10)

TOO_LONG = "Name is too long"
CAMEL = "Name should be in camelCase"
NOT_AVAILABLE = "The name is not available"
SAME_NAMES = "The singular and plural name cannot be the same for an object"
FIELD_USED = 'Name "{}" is not available as it is already used by another field'
FIELD_RESERVED = 'Name "{}" is not available'
NOT_SYNCED = 'Name is not synced with label. Expected name: "{}", got {}'
OBJECT_NOT_FOUND = "Unable to find ObjectMetadataEntity with id: {}"
PAGE_TOO_BIG = "Requested page size of {} exceeds the maximum size of 1000"

SYSTEM_SINGULARS = {"noteTarget", "taskTarget", "workspaceMember", "attachment", "favorite", "timelineActivity",
                    "message", "messageThread", "messageParticipant", "messageChannelMessageAssociation",
                    "calendarEvent", "calendarEventParticipant", "calendarChannelEventAssociation", "blocklist",
                    "workflowVersion", "workflowRun", "workflowAutomatedTrigger", "favoriteFolder"}  # fmt: skip

# metadata.md §9.1: the fields a new custom object gets (name -> isSystem).
PET_DEFAULT_FIELDS = {
    "id": True,
    "name": False,
    "createdAt": False,
    "updatedAt": False,
    "deletedAt": False,
    "createdBy": False,
    "updatedBy": False,
    "position": True,
    "searchVector": True,
    "timelineActivities": True,
    "favorites": True,
    "attachments": True,
    "noteTargets": True,
    "taskTargets": True,
}

SPECIES = [
    {"value": "DOG", "label": "Dog", "color": "blue", "position": 0},
    {"value": "CAT", "label": "Cat", "color": "red", "position": 1},
]
TRICKS = [
    {"value": "SIT", "label": "Sit", "color": "sky", "position": 0},
    {"value": "ROLL", "label": "Roll", "color": "purple", "position": 1},
    {"value": "FETCH", "label": "Fetch", "color": "yellow", "position": 2},
]

# --------------------------------------------------------------------------- operations

OBJECT_SEL = (
    "id nameSingular namePlural labelSingular labelPlural description icon shortcut isCustom isActive "
    "isSystem isRemote isSearchable isLabelSyncedWithName labelIdentifierFieldMetadataId "
    "imageIdentifierFieldMetadataId createdAt updatedAt"
)
RELATION_SEL = (
    "relation { type sourceObjectMetadata { id nameSingular namePlural } "
    "targetObjectMetadata { id nameSingular namePlural } sourceFieldMetadata { id name } "
    "targetFieldMetadata { id name } }"
)
FIELD_SEL = (
    "id type name label description icon isCustom isActive isSystem isNullable isUnique defaultValue "
    "options settings objectMetadataId isLabelSyncedWithName createdAt updatedAt " + RELATION_SEL
)

OBJECTS = """
query ObjectMetadataItems($paging: CursorPaging!, $filter: ObjectFilter!) {
  objects(paging: $paging, filter: $filter) {
    edges { cursor node { __SEL__ } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
FIELDS = """
query FieldMetadataItems($paging: CursorPaging!, $filter: FieldFilter!) {
  fields(paging: $paging, filter: $filter) {
    edges { cursor node { __SEL__ } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
OBJECT = "query GetObject($id: UUID!) { object(id: $id) { __SEL__ } }"
FIELD = "query GetField($id: UUID!) { field(id: $id) { __SEL__ } }"

CREATE_OBJECT = """
mutation CreateOneObjectMetadataItem($input: CreateOneObjectInput!) {
  createOneObject(input: $input) { __SEL__ fieldsList { __FIELDS__ } }
}
"""
UPDATE_OBJECT = """
mutation UpdateOneObject($input: UpdateOneObjectInput!) { updateOneObject(input: $input) { __SEL__ } }
"""
# The form Twenty's own front end sends.
UPDATE_OBJECT_FRONT = """
mutation UpdateOneObjectMetadataItem($idToUpdate: UUID!, $updatePayload: UpdateObjectPayload!) {
  updateOneObject(input: {id: $idToUpdate, update: $updatePayload}) { __SEL__ }
}
"""
DELETE_OBJECT = """
mutation DeleteOneObject($input: DeleteOneObjectInput!) { deleteOneObject(input: $input) { id nameSingular } }
"""
CREATE_FIELD = """
mutation CreateOneFieldMetadataItem($input: CreateOneFieldMetadataInput!) {
  createOneField(input: $input) { __SEL__ }
}
"""
UPDATE_FIELD = """
mutation UpdateOneFieldMetadataItem($input: UpdateOneFieldMetadataInput!) {
  updateOneField(input: $input) { __SEL__ }
}
"""
DELETE_FIELD = """
mutation DeleteOneField($input: DeleteOneFieldInput!) { deleteOneField(input: $input) { id name } }
"""

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
TYPE_QUERY = (
    "query TypeInfo($name: String!) { __type(name: $name) { kind name "
    "inputFields { name defaultValue type { " + TYPE_REF + " } } "
    "fields { name type { " + TYPE_REF + " } args { name defaultValue type { " + TYPE_REF + " } } } "
    "enumValues { name } } }"
)


def sel(text: str, selection: str = OBJECT_SEL, fields: str = FIELD_SEL) -> str:
    return text.replace("__SEL__", selection).replace("__FIELDS__", fields)


# --------------------------------------------------------------------------- client & helpers


@pytest.fixture
def client(app: Any) -> CheckedClient:
    return CheckedClient(app)


def gql(client: conftest.Client, query: str, variables: dict | None = None, **kw: Any) -> dict:
    """POST /metadata; GraphQL answers HTTP 200 even for errors (graphql.md §1)."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    resp = client.post("/metadata", json=payload, **kw)
    assert resp.status_code == 200, resp.text
    return resp.json()


def data_of(body: dict) -> dict:
    assert not body.get("errors"), body["errors"]
    return body["data"]


def error_of(body: dict, code: str, message: str | None = None) -> dict:
    assert body.get("errors"), body
    err = body["errors"][0]
    assert err["extensions"]["code"] == code, err
    if message is not None:
        assert err["message"] == message, err
    return err


def failed_root(body: dict, field: str, code: str, message: str | None = None) -> dict:
    """A failing non-null root field: `data` is null and the error carries the field's path."""
    assert "data" in body and body["data"] is None, body
    err = error_of(body, code, message)
    assert err["path"] == [field], err
    return err


def request_error(body: dict, code: str) -> dict:
    """Errors raised before execution (parse, validation, auth): no `data` key at all."""
    assert "data" not in body, body
    return error_of(body, code)


def check_each(cases: list, check: Any) -> None:
    """Run `check(*case)` for every case and report every failing one, not just the first."""
    failures = []
    for case in cases:
        try:
            check(*case)
        except AssertionError as exc:
            failures.append(f"{str(case[0])[:40]}: {exc}")
    assert not failures, "\n".join(failures)


def decode_cursor(cursor: str) -> Any:
    return json.loads(base64.b64decode(cursor, validate=True))


def encode_cursor(value: dict) -> str:
    return base64.b64encode(json.dumps(value, separators=(",", ":")).encode()).decode()


def objects_conn(client: conftest.Client, paging: dict | None = None, flt: dict | None = None) -> dict:
    body = gql(client, sel(OBJECTS), {"paging": paging or {"first": 100}, "filter": flt or {}})
    conn = data_of(body)["objects"]
    assert set(conn) == {"edges", "pageInfo"}
    return conn


def nodes(conn: dict) -> list[dict]:
    return [edge["node"] for edge in conn["edges"]]


def all_objects(client: conftest.Client) -> list[dict]:
    conn = objects_conn(client, {"first": 1000})
    assert conn["pageInfo"]["hasNextPage"] is False
    return nodes(conn)


def object_named(client: conftest.Client, singular: str) -> dict:
    found = [o for o in all_objects(client) if o["nameSingular"] == singular]
    assert len(found) == 1, singular
    return found[0]


def fields_conn(client: conftest.Client, paging: dict | None = None, flt: dict | None = None) -> dict:
    body = gql(client, sel(FIELDS, FIELD_SEL), {"paging": paging or {"first": 1000}, "filter": flt or {}})
    conn = data_of(body)["fields"]
    assert set(conn) == {"edges", "pageInfo"}
    return conn


def fields_of(client: conftest.Client, object_id: str) -> dict[str, dict]:
    found = nodes(fields_conn(client, {"first": 1000}, {"objectMetadataId": {"eq": object_id}}))
    return {f["name"]: f for f in found}


def get_field(client: conftest.Client, field_id: str) -> dict:
    return data_of(gql(client, sel(FIELD, FIELD_SEL), {"id": field_id}))["field"]


def object_input(singular: str, plural: str, **extra: Any) -> dict:
    body = {
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": singular[:1].upper() + singular[1:],
        "labelPlural": plural[:1].upper() + plural[1:],
        "icon": "IconCat",
        "isLabelSyncedWithName": False,
    }
    body.update(extra)
    return body


def try_create_object(client: conftest.Client, singular: str, plural: str, **extra: Any) -> dict:
    return gql(client, sel(CREATE_OBJECT), {"input": {"object": object_input(singular, plural, **extra)}})


def create_object(client: conftest.Client, singular: str = "pet", plural: str = "pets", **extra: Any) -> dict:
    return data_of(try_create_object(client, singular, plural, **extra))["createOneObject"]


def field_input(object_id: str, type_: str, name: str, **extra: Any) -> dict:
    body = {"objectMetadataId": object_id, "type": type_, "name": name, "label": name[:1].upper() + name[1:]}
    body.update(extra)
    return body


def try_create_field(client: conftest.Client, object_id: str, type_: str, name: str, **extra: Any) -> dict:
    return gql(client, sel(CREATE_FIELD, FIELD_SEL), {"input": {"field": field_input(object_id, type_, name, **extra)}})


def create_field(client: conftest.Client, object_id: str, type_: str, name: str, **extra: Any) -> dict:
    return data_of(try_create_field(client, object_id, type_, name, **extra))["createOneField"]


def try_update_object(client: conftest.Client, object_id: str, update: dict) -> dict:
    return gql(client, sel(UPDATE_OBJECT), {"input": {"id": object_id, "update": update}})


def update_object(client: conftest.Client, object_id: str, update: dict) -> dict:
    return data_of(try_update_object(client, object_id, update))["updateOneObject"]


def try_update_field(client: conftest.Client, field_id: str, update: dict) -> dict:
    return gql(client, sel(UPDATE_FIELD, FIELD_SEL), {"input": {"id": field_id, "update": update}})


def update_field(client: conftest.Client, field_id: str, update: dict) -> dict:
    return data_of(try_update_field(client, field_id, update))["updateOneField"]


def try_delete_object(client: conftest.Client, object_id: str) -> dict:
    return gql(client, DELETE_OBJECT, {"input": {"id": object_id}})


def try_delete_field(client: conftest.Client, field_id: str) -> dict:
    return gql(client, DELETE_FIELD, {"input": {"id": field_id}})


def relation_payload(kind: str, target_id: str, label: str, icon: str = "IconPaw") -> dict:
    return {"type": kind, "targetObjectMetadataId": target_id, "targetFieldLabel": label, "targetFieldIcon": icon}


def snapshot(client: conftest.Client) -> tuple[list, int]:
    """The whole data model as the REST metadata API shows it (metadata.md §2)."""
    body = ok(client.get("/rest/metadata/objects", params={"limit": 1000}))
    objs = []
    for obj in body["data"]:
        copy = dict(obj)
        copy["fields"] = sorted(obj["fields"], key=lambda f: f["id"])
        objs.append(copy)
    objs.sort(key=lambda o: o["id"])
    return objs, ok(client.get("/rest/metadata/fields"))["totalCount"]


def rest_object(client: conftest.Client, object_id: str) -> dict:
    return ok(client.get(f"/rest/metadata/objects/{object_id}"))


def make_record(client: conftest.Client, plural: str, key: str, body: dict) -> dict:
    data = ok(client.post(f"/rest/{plural}", json=body), 201)["data"]
    assert set(data) == {key}, data
    return data[key]


def rest_list(client: conftest.Client, plural: str) -> list[dict]:
    return ok(client.get(f"/rest/{plural}"))["data"][plural]


def normalise(type_: str, value: Any) -> Any:
    """NUMERIC values (and CURRENCY amounts, ADDRESS coordinates) may come back as numbers or
    numeric strings."""
    if value is None:
        return None
    if type_ == "NUMERIC":
        return float(value)
    if type_ in ("CURRENCY", "ADDRESS") and isinstance(value, dict):
        out = dict(value)
        for key in ("amountMicros", "addressLat", "addressLng"):
            if out.get(key) is not None:
                out[key] = float(out[key])
        return out
    return value


@pytest.fixture
def pet(client: CheckedClient) -> dict:
    return create_object(client)


# --------------------------------------------------------------------------- §3.2 / §5.3 queries and connections


def test_objects_lists_the_standard_objects(client: CheckedClient) -> None:
    conn = objects_conn(client, {"first": 100})
    objs = nodes(conn)
    assert {o["nameSingular"] for o in objs} == STANDARD_SINGULARS
    assert len(objs) == len(STANDARD_SINGULARS)
    for obj in objs:
        assert UUID_RE.match(obj["id"])
        assert obj["isCustom"] is False and obj["isActive"] is True and obj["isRemote"] is False
        assert obj["isSystem"] is (obj["nameSingular"] in SYSTEM_SINGULARS)
        assert DATETIME_RE.match(obj["createdAt"]) and DATETIME_RE.match(obj["updatedAt"])
    person = next(o for o in objs if o["nameSingular"] == "person")
    assert (person["namePlural"], person["labelSingular"], person["labelPlural"]) == ("people", "Person", "People")
    assert conn["pageInfo"]["hasNextPage"] is False and conn["pageInfo"]["hasPreviousPage"] is False


def test_objects_match_rest_metadata(client: CheckedClient) -> None:
    rest = {o["id"]: o for o in ok(client.get("/rest/metadata/objects"))["data"]}
    graph = {o["id"]: o for o in all_objects(client)}
    assert set(graph) == set(rest)
    for oid, obj in graph.items():
        assert obj["nameSingular"] == rest[oid]["nameSingular"]
        assert obj["labelIdentifierFieldMetadataId"] == rest[oid]["labelIdentifierFieldMetadataId"]


def test_root_lists_without_arguments_use_default_page_of_ten(client: CheckedClient) -> None:
    body = gql(client, "query { objects { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }")
    conn = data_of(body)["objects"]
    assert len(conn["edges"]) == 10
    assert conn["pageInfo"]["hasNextPage"] is True
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]
    conn = data_of(gql(client, "query { fields { edges { node { id } } pageInfo { hasNextPage } } }"))["fields"]
    assert len(conn["edges"]) == 10 and conn["pageInfo"]["hasNextPage"] is True


def test_connections_have_no_total_count(client: CheckedClient) -> None:
    for root, connection in (("objects", "ObjectConnection"), ("fields", "FieldConnection")):
        body = gql(client, f"query {{ {root}(paging: {{first: 1}}) {{ totalCount }} }}")
        err = request_error(body, "GRAPHQL_VALIDATION_FAILED")
        assert err["message"] == f'Cannot query field "totalCount" on type "{connection}".'
        info = introspect(client, connection)
        assert {f["name"] for f in info["fields"]} == {"edges", "pageInfo"}


def test_page_info_fields_are_nullable(client: CheckedClient) -> None:
    info = introspect(client, "PageInfo")
    kinds = {f["name"]: f["type"]["kind"] for f in info["fields"]}
    assert set(kinds) >= {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}
    for name in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"):
        assert kinds[name] != "NON_NULL", name


def test_objects_sorted_by_id_descending_with_base64_id_cursors(client: CheckedClient) -> None:
    conn = objects_conn(client, {"first": 100})
    ids = [o["id"] for o in nodes(conn)]
    assert ids == sorted(ids, reverse=True)
    for edge in conn["edges"]:
        assert decode_cursor(edge["cursor"]) == {"id": edge["node"]["id"]}
    assert conn["pageInfo"]["startCursor"] == conn["edges"][0]["cursor"]
    assert conn["pageInfo"]["endCursor"] == conn["edges"][-1]["cursor"]


def test_objects_paging_forward_with_after(client: CheckedClient) -> None:
    everything = [o["id"] for o in all_objects(client)]
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        paging: dict[str, Any] = {"first": 4}
        if after:
            paging["after"] = after
        conn = objects_conn(client, paging)
        page = [o["id"] for o in nodes(conn)]
        assert page == everything[len(seen) : len(seen) + 4]
        if pages == 0:
            assert conn["pageInfo"]["hasPreviousPage"] is False
        seen += page
        pages += 1
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
        assert pages < 10
    assert seen == everything and pages == -(-len(STANDARD_SINGULARS) // 4)


def test_objects_paging_backward_with_before(client: CheckedClient) -> None:
    everything = [o["id"] for o in all_objects(client)]
    cursor = encode_cursor({"id": everything[4]})
    conn = objects_conn(client, {"last": 2, "before": cursor})
    assert [o["id"] for o in nodes(conn)] == everything[2:4]
    assert conn["pageInfo"]["hasPreviousPage"] is True


def test_fields_paging_covers_every_field_once(client: CheckedClient) -> None:
    total = ok(client.get("/rest/metadata/fields", params={"limit": 1})).get("totalCount")
    everything = nodes(fields_conn(client, {"first": 1000}))
    assert len(everything) == total
    ids = [f["id"] for f in everything]
    assert ids == sorted(ids, reverse=True)
    first = fields_conn(client, {"first": 50})
    assert [f["id"] for f in nodes(first)] == ids[:50]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = fields_conn(client, {"first": 1000, "after": first["pageInfo"]["endCursor"]})
    assert [f["id"] for f in nodes(rest)] == ids[50:]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_page_size_above_1000_is_rejected(client: CheckedClient) -> None:
    for arg in ("first", "last"):
        body = gql(client, sel(OBJECTS, "id"), {"paging": {arg: 1001}, "filter": {}})
        failed_root(body, "objects", "BAD_USER_INPUT", PAGE_TOO_BIG.format(1001))
        body = gql(client, sel(FIELDS, "id"), {"paging": {arg: 5000}, "filter": {}})
        failed_root(body, "fields", "BAD_USER_INPUT", PAGE_TOO_BIG.format(5000))


def test_first_and_last_together_are_rejected(client: CheckedClient) -> None:
    body = gql(client, sel(OBJECTS, "id"), {"paging": {"first": 2, "last": 2}, "filter": {}})
    failed_root(body, "objects", "BAD_USER_INPUT", "Cannot use both first and last")


def test_bad_cursor_is_rejected(client: CheckedClient) -> None:
    for cursor in ("!!not-a-cursor!!", base64.b64encode(b"not json").decode()):
        body = gql(client, sel(OBJECTS, "id"), {"paging": {"first": 2, "after": cursor}, "filter": {}})
        failed_root(body, "objects", "BAD_USER_INPUT", f"Invalid cursor: {cursor}")


# --------------------------------------------------------------------------- §4.5 filters


def test_object_filter_booleans(client: CheckedClient) -> None:
    cases = [
        ({"isSystem": {"is": True}}, SYSTEM_SINGULARS),
        ({"isSystem": {"is": False}}, STANDARD_SINGULARS - SYSTEM_SINGULARS),
        ({"isActive": {"is": True}}, STANDARD_SINGULARS),
        ({"isActive": {"is": False}}, set()),
        ({"isCustom": {"is": True}}, set()),
        ({"isCustom": {"is": False}}, STANDARD_SINGULARS),
    ]
    for flt, expected in cases:
        assert {o["nameSingular"] for o in nodes(objects_conn(client, {"first": 100}, flt))} == expected, flt


def test_object_filter_custom_and_inactive_follow_changes(client: CheckedClient, pet: dict) -> None:
    assert [o["id"] for o in nodes(objects_conn(client, flt={"isCustom": {"is": True}}))] == [pet["id"]]
    update_object(client, pet["id"], {"isActive": False})
    assert [o["id"] for o in nodes(objects_conn(client, flt={"isActive": {"is": False}}))] == [pet["id"]]
    active = {o["nameSingular"] for o in nodes(objects_conn(client, flt={"isActive": {"is": True}}))}
    assert active == STANDARD_SINGULARS


def test_object_filter_id_in_and_eq(client: CheckedClient) -> None:
    objs = all_objects(client)
    chosen = [objs[1]["id"], objs[5]["id"], objs[8]["id"]]
    found = nodes(objects_conn(client, flt={"id": {"in": chosen}}))
    assert [o["id"] for o in found] == sorted(chosen, reverse=True)
    found = nodes(objects_conn(client, flt={"id": {"eq": objs[3]["id"]}}))
    assert [o["id"] for o in found] == [objs[3]["id"]]
    assert nodes(objects_conn(client, flt={"id": {"in": [new_id()]}})) == []


def test_object_filter_and_or(client: CheckedClient) -> None:
    person = object_named(client, "person")
    favorite = object_named(client, "favorite")
    either = {"or": [{"id": {"eq": person["id"]}}, {"id": {"eq": favorite["id"]}}]}
    assert {o["nameSingular"] for o in nodes(objects_conn(client, flt=either))} == {"person", "favorite"}
    both = {"and": [either, {"isSystem": {"is": True}}]}
    assert [o["nameSingular"] for o in nodes(objects_conn(client, flt=both))] == ["favorite"]


def test_field_filter_object_metadata_id(client: CheckedClient) -> None:
    person = object_named(client, "person")
    found = nodes(fields_conn(client, {"first": 1000}, {"objectMetadataId": {"eq": person["id"]}}))
    assert all(f["objectMetadataId"] == person["id"] for f in found)
    names = {f["name"] for f in found}
    assert {"id", "name", "emails", "jobTitle", "company", "noteTargets"} <= names
    assert "companyId" not in names  # the join column is not a field of its own (data-model.md §5)
    listed = data_of(
        gql(client, "query ($id: UUID!) { object(id: $id) { fieldsList { name } } }", {"id": person["id"]})
    )
    assert {f["name"] for f in listed["object"]["fieldsList"]} == names


def test_field_filter_booleans_and_combination(client: CheckedClient, pet: dict) -> None:
    nickname = create_field(client, pet["id"], "TEXT", "nickname")
    mine = {"objectMetadataId": {"eq": pet["id"]}}
    custom = nodes(fields_conn(client, flt={"and": [mine, {"isCustom": {"is": True}}]}))
    assert [f["id"] for f in custom] == [nickname["id"]]
    system = nodes(fields_conn(client, flt={"and": [mine, {"isSystem": {"is": True}}]}))
    assert {f["name"] for f in system} == {n for n, is_system in PET_DEFAULT_FIELDS.items() if is_system}
    update_field(client, nickname["id"], {"isActive": False})
    inactive = nodes(fields_conn(client, flt={"isActive": {"is": False}}))
    assert [f["id"] for f in inactive] == [nickname["id"]]


def test_field_filter_id_in_and_or(client: CheckedClient) -> None:
    person_fields = fields_of(client, object_named(client, "person")["id"])
    a, b = person_fields["jobTitle"]["id"], person_fields["city"]["id"]
    found = nodes(fields_conn(client, flt={"id": {"in": [a, b]}}))
    assert [f["id"] for f in found] == sorted([a, b], reverse=True)
    found = nodes(fields_conn(client, flt={"or": [{"id": {"eq": a}}, {"id": {"eq": b}}]}))
    assert {f["name"] for f in found} == {"jobTitle", "city"}


# --------------------------------------------------------------------------- object(id), field(id), nested fields


def test_object_by_id_with_nested_fields(client: CheckedClient) -> None:
    person = object_named(client, "person")
    query = """
    query ($id: UUID!, $fieldPaging: CursorPaging!, $fieldFilter: FieldFilter!) {
      object(id: $id) {
        id nameSingular
        all: fields(paging: {first: 1000}) { edges { cursor node { id name } } pageInfo { hasNextPage } }
        firstPage: fields { edges { node { id } } pageInfo { hasNextPage } }
        system: fields(paging: $fieldPaging, filter: $fieldFilter) { edges { node { name isSystem } } }
        fieldsList { id name type objectMetadataId }
      }
    }
    """
    variables = {"id": person["id"], "fieldPaging": {"first": 1000}, "fieldFilter": {"isSystem": {"is": True}}}
    obj = data_of(gql(client, query, variables))["object"]
    assert obj["id"] == person["id"] and obj["nameSingular"] == "person"
    listed = {f["id"]: f for f in obj["fieldsList"]}
    assert {e["node"]["id"] for e in obj["all"]["edges"]} == set(listed)
    assert obj["all"]["pageInfo"]["hasNextPage"] is False
    assert all(f["objectMetadataId"] == person["id"] for f in listed.values())
    assert {"name", "emails", "phones", "company"} <= {f["name"] for f in listed.values()}
    assert len(obj["firstPage"]["edges"]) == 10 and obj["firstPage"]["pageInfo"]["hasNextPage"] is True
    system = [e["node"] for e in obj["system"]["edges"]]
    assert system and all(f["isSystem"] is True for f in system)
    assert "id" in {f["name"] for f in system} and "name" not in {f["name"] for f in system}


def test_field_by_id(client: CheckedClient) -> None:
    person = object_named(client, "person")
    emails = fields_of(client, person["id"])["emails"]
    field = data_of(
        gql(
            client,
            "query ($id: UUID!) { field(id: $id) { id name type label object { id nameSingular } } }",
            {"id": emails["id"]},
        )
    )["field"]
    assert field == {
        "id": emails["id"],
        "name": "emails",
        "type": "EMAILS",
        "label": emails["label"],
        "object": {"id": person["id"], "nameSingular": "person"},
    }
    rest = ok(client.get(f"/rest/metadata/fields/{emails['id']}"))
    assert rest["isUnique"] is emails["isUnique"] is True
    assert rest["defaultValue"] == emails["defaultValue"]


def test_standard_relation_field_output(client: CheckedClient) -> None:
    person = object_named(client, "person")
    company = object_named(client, "company")
    fields = fields_of(client, person["id"])
    field = fields["company"]
    assert field["type"] == "RELATION"
    assert field["settings"]["relationType"] == "MANY_TO_ONE"
    assert field["settings"]["onDelete"] == "SET_NULL"
    assert field["settings"]["joinColumnName"] == "companyId"
    inverse = fields_of(client, company["id"])["people"]
    assert field["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"id": person["id"], "nameSingular": "person", "namePlural": "people"},
        "targetObjectMetadata": {"id": company["id"], "nameSingular": "company", "namePlural": "companies"},
        "sourceFieldMetadata": {"id": field["id"], "name": "company"},
        "targetFieldMetadata": {"id": inverse["id"], "name": "people"},
    }
    assert inverse["relation"]["type"] == "ONE_TO_MANY"
    assert inverse["relation"]["targetFieldMetadata"] == {"id": field["id"], "name": "company"}
    assert fields["jobTitle"]["relation"] is None


def test_unknown_object_id_is_not_found(client: CheckedClient) -> None:
    missing = new_id()
    body = gql(client, sel(OBJECT), {"id": missing})
    failed_root(body, "object", "NOT_FOUND", OBJECT_NOT_FOUND.format(missing))


def test_unknown_field_id_is_not_found(client: CheckedClient) -> None:
    missing = new_id()
    failed_root(gql(client, sel(FIELD, "id"), {"id": missing}), "field", "NOT_FOUND")


def test_invalid_uuid_literal_fails_validation(client: CheckedClient) -> None:
    body = gql(client, 'query { object(id: "abc") { id } }')
    err = request_error(body, "GRAPHQL_VALIDATION_FAILED")
    assert "abc" in err["message"]


def test_current_workspace(client: CheckedClient) -> None:
    body = gql(client, "query CurrentWorkspace { currentWorkspace { id } }")
    workspace_id = data_of(body)["currentWorkspace"]["id"]
    assert UUID_RE.match(workspace_id)
    rest = ok(client.get("/rest/metadata/objects"))["data"]
    assert {o["workspaceId"] for o in rest} == {workspace_id}


def test_typename_and_several_root_fields(client: CheckedClient) -> None:
    assert gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}
    body = gql(client, "{ currentWorkspace { id } objects(paging: {first: 1}) { edges { node { id } } } }")
    data = data_of(body)
    assert UUID_RE.match(data["currentWorkspace"]["id"]) and len(data["objects"]["edges"]) == 1


# --------------------------------------------------------------------------- §3.1 introspection


def type_sdl(ref: dict) -> str:
    if ref["kind"] == "NON_NULL":
        return type_sdl(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return "[" + type_sdl(ref["ofType"]) + "]"
    return ref["name"]


def introspect(client: conftest.Client, name: str) -> dict:
    info = data_of(gql(client, TYPE_QUERY, {"name": name}))["__type"]
    assert info is not None, f"type {name} is missing"
    return info


def test_schema_introspection(client: CheckedClient) -> None:
    query = "query { __schema { queryType { name } mutationType { name } types { name kind } } }"
    schema = data_of(gql(client, query))["__schema"]
    assert schema["queryType"]["name"] == "Query" and schema["mutationType"]["name"] == "Mutation"
    kinds = {t["name"]: t["kind"] for t in schema["types"]}
    for name in ("CursorPaging", "ObjectFilter", "FieldFilter", "CreateOneObjectInput", "CreateFieldInput"):
        assert kinds.get(name) == "INPUT_OBJECT", name
    for name in ("UUID", "JSON", "DateTime", "ConnectionCursor"):
        assert kinds.get(name) == "SCALAR", name
    assert kinds.get("FieldMetadataType") == "ENUM" and kinds.get("RelationType") == "ENUM"
    assert kinds.get("Object") == "OBJECT" and kinds.get("Field") == "OBJECT"


INPUT_TYPES = {
    # metadata.md §3.1 and §4, the names marked confirmed: input field -> type as SDL.
    "CursorPaging": {"before": "ConnectionCursor", "after": "ConnectionCursor", "first": "Int", "last": "Int"},
    "CreateOneObjectInput": {"object": "CreateObjectInput!"},
    "UpdateOneObjectInput": {"id": "UUID!", "update": "UpdateObjectPayload!"},
    "DeleteOneObjectInput": {"id": "UUID!"},
    "CreateOneFieldMetadataInput": {"field": "CreateFieldInput!"},
    "CreateObjectInput": {
        "nameSingular": "String!",
        "namePlural": "String!",
        "labelSingular": "String!",
        "labelPlural": "String!",
        "description": "String",
        "icon": "String",
        "shortcut": "String",
        "color": "String",
        "skipNameField": "Boolean",
        "isRemote": "Boolean",
        "primaryKeyColumnType": "String",
        "primaryKeyFieldMetadataSettings": "JSON",
        "isLabelSyncedWithName": "Boolean",
    },
    "UpdateObjectPayload": {
        "labelSingular": "String",
        "labelPlural": "String",
        "nameSingular": "String",
        "namePlural": "String",
        "description": "String",
        "icon": "String",
        "shortcut": "String",
        "color": "String",
        "isActive": "Boolean",
        "labelIdentifierFieldMetadataId": "UUID",
        "imageIdentifierFieldMetadataId": "UUID",
        "isLabelSyncedWithName": "Boolean",
        "isSearchable": "Boolean",
        "openRecordIn": None,
        "translations": None,
    },
    "CreateFieldInput": {
        "objectMetadataId": "UUID!",
        "type": "FieldMetadataType!",
        "name": "String!",
        "label": "String!",
        "description": "String",
        "icon": "String",
        "isNullable": "Boolean",
        "isUnique": "Boolean",
        "defaultValue": "JSON",
        "options": "JSON",
        "settings": "JSON",
        "isLabelSyncedWithName": "Boolean",
        "isActive": "Boolean",
        "isSystem": "Boolean",
        "isUIEditable": "Boolean",
        "isUIReadOnly": "Boolean",
        "isRemoteCreation": "Boolean",
        "relationCreationPayload": "JSON",
    },
    "UpdateFieldInput": {
        "name": "String",
        "label": "String",
        "description": "String",
        "icon": "String",
        "isActive": "Boolean",
        "isNullable": "Boolean",
        "isUnique": "Boolean",
        "defaultValue": "JSON",
        "options": "JSON",
        "settings": "JSON",
        "isLabelSyncedWithName": "Boolean",
    },
    "ObjectFilter": {
        "and": "[ObjectFilter!]",
        "or": "[ObjectFilter!]",
        "id": "UUIDFilterComparison",
        "isActive": "BooleanFieldComparison",
        "isSystem": "BooleanFieldComparison",
        "isRemote": "BooleanFieldComparison",
        "isSearchable": "BooleanFieldComparison",
        "isCustom": "BooleanFieldComparison",
    },
    "FieldFilter": {
        "and": "[FieldFilter!]",
        "or": "[FieldFilter!]",
        "id": "UUIDFilterComparison",
        "objectMetadataId": "UUIDFilterComparison",
        "isActive": "BooleanFieldComparison",
        "isSystem": "BooleanFieldComparison",
        "isUIEditable": "BooleanFieldComparison",
        "isUIReadOnly": "BooleanFieldComparison",
        "isCustom": "BooleanFieldComparison",
    },
}
EXACT_INPUT_TYPES = {
    "CursorPaging",
    "CreateOneObjectInput",
    "UpdateOneObjectInput",
    "DeleteOneObjectInput",
    "CreateOneFieldMetadataInput",
}


def test_input_type_introspection(client: CheckedClient) -> None:
    def check(name: str, expected: dict) -> None:
        info = introspect(client, name)
        assert info["kind"] == "INPUT_OBJECT" and info["name"] == name
        got = {f["name"]: type_sdl(f["type"]) for f in info["inputFields"]}
        if name in EXACT_INPUT_TYPES:
            assert set(got) == set(expected), got
        missing = set(expected) - set(got)
        assert not missing, f"lacks {sorted(missing)}"
        for field, sdl in expected.items():
            if sdl is not None:
                assert got[field] == sdl, (field, got[field])

    check_each(list(INPUT_TYPES.items()), check)


def test_scalar_and_enum_introspection(client: CheckedClient) -> None:
    for name in ("UUID", "JSON", "DateTime", "ConnectionCursor"):
        assert introspect(client, name)["kind"] == "SCALAR", name
    field_types = introspect(client, "FieldMetadataType")
    assert field_types["kind"] == "ENUM"
    values = {v["name"] for v in field_types["enumValues"]}
    assert values >= {
        "UUID", "TEXT", "NUMBER", "NUMERIC", "BOOLEAN", "DATE_TIME", "DATE", "SELECT", "MULTI_SELECT",
        "RATING", "POSITION", "RAW_JSON", "ARRAY", "RELATION", "MORPH_RELATION", "TS_VECTOR", "CURRENCY",
        "FULL_NAME", "EMAILS", "PHONES", "LINKS", "ADDRESS", "ACTOR", "RICH_TEXT", "RICH_TEXT_V2",
    }  # fmt: skip
    assert not values & {"PHONE", "EMAIL", "LINK", "PROBABILITY"}
    relation_types = introspect(client, "RelationType")
    assert relation_types["kind"] == "ENUM"
    assert {v["name"] for v in relation_types["enumValues"]} == {"ONE_TO_MANY", "MANY_TO_ONE"}


def test_root_field_signatures(client: CheckedClient) -> None:
    query = {f["name"]: f for f in introspect(client, "Query")["fields"]}
    signature = {
        "objects": ("ObjectConnection!", {"paging": "CursorPaging!", "filter": "ObjectFilter!"}),
        "object": ("Object!", {"id": "UUID!"}),
        "fields": ("FieldConnection!", {"paging": "CursorPaging!", "filter": "FieldFilter!"}),
        "field": ("Field!", {"id": "UUID!"}),
        "currentWorkspace": ("Workspace!", {}),
    }
    for name, (returns, args) in signature.items():
        assert name in query, name
        assert type_sdl(query[name]["type"]) == returns, name
        assert {a["name"]: type_sdl(a["type"]) for a in query[name]["args"]} == args, name
    paging = next(a for a in query["objects"]["args"] if a["name"] == "paging")
    assert paging["defaultValue"] is not None and "first" in paging["defaultValue"] and "10" in paging["defaultValue"]
    mutation = {f["name"]: f for f in introspect(client, "Mutation")["fields"]}
    for name, (returns, arg) in {
        "createOneObject": ("Object!", "CreateOneObjectInput!"),
        "updateOneObject": ("Object!", "UpdateOneObjectInput!"),
        "deleteOneObject": ("Object!", "DeleteOneObjectInput!"),
        "createOneField": ("Field!", "CreateOneFieldMetadataInput!"),
        "updateOneField": ("Field!", "UpdateOneFieldMetadataInput!"),
        "deleteOneField": ("Field!", "DeleteOneFieldInput!"),
    }.items():
        assert name in mutation, name
        assert type_sdl(mutation[name]["type"]) == returns, name
        assert {a["name"]: type_sdl(a["type"]) for a in mutation[name]["args"]} == {"input": arg}, name


# --------------------------------------------------------------------------- createOneObject / updateOneObject / deleteOneObject


def test_create_object_as_official_clients_do(client: CheckedClient) -> None:
    listing = {
        "nameSingular": "listing",
        "namePlural": "listings",
        "labelSingular": "Listing",
        "labelPlural": "Listings",
        "description": "Listing object",
        "icon": "IconListNumbers",
        "isLabelSyncedWithName": False,
    }
    created = data_of(gql(client, sel(CREATE_OBJECT), {"input": {"object": listing}}))["createOneObject"]
    assert UUID_RE.match(created["id"])
    for key, value in listing.items():
        assert created[key] == value, key
    assert created["isCustom"] is True and created["isActive"] is True
    assert created["isSystem"] is False and created["isRemote"] is False and created["isSearchable"] is True
    assert created["imageIdentifierFieldMetadataId"] is None and created["shortcut"] is None
    assert DATETIME_RE.match(created["createdAt"])
    fields = {f["name"]: f for f in created["fieldsList"]}
    assert set(fields) == set(PET_DEFAULT_FIELDS)
    assert created["labelIdentifierFieldMetadataId"] == fields["name"]["id"]
    for name, is_system in PET_DEFAULT_FIELDS.items():
        assert fields[name]["isSystem"] is is_system, name
        assert fields[name]["isCustom"] is False, name
        assert fields[name]["objectMetadataId"] == created["id"]
    assert fields["name"]["type"] == "TEXT" and fields["createdBy"]["type"] == "ACTOR"
    assert fields["id"]["defaultValue"] == "uuid" and fields["createdAt"]["defaultValue"] == "now"


def test_created_object_is_served_by_rest_at_once(client: CheckedClient) -> None:
    created = create_object(client, "listing", "listings")
    assert ok(client.get("/rest/listings"))["data"]["listings"] == []
    record = make_record(client, "listings", "createListing", {"name": "Flat"})
    assert [r["id"] for r in rest_list(client, "listings")] == [record["id"]]
    assert rest_object(client, created["id"])["nameSingular"] == "listing"
    listed = ok(client.get("/rest/metadata/objects", params={"limit": 1000}))["data"]
    assert created["id"] in {o["id"] for o in listed}
    assert object_named(client, "listing")["id"] == created["id"]
    timeline = object_named(client, "timelineActivity")
    assert fields_of(client, timeline["id"])["targetListing"]["type"] in ("RELATION", "MORPH_RELATION")


def test_create_object_with_an_inline_literal(client: CheckedClient) -> None:
    mutation = """
    mutation {
      createOneObject(input: {object: {nameSingular: "invoice", namePlural: "invoices", labelSingular: "Invoice",
        labelPlural: "Invoices", icon: "IconReceipt", isLabelSyncedWithName: false}}) { id nameSingular namePlural }
    }
    """
    created = data_of(gql(client, mutation))["createOneObject"]
    assert (created["nameSingular"], created["namePlural"]) == ("invoice", "invoices")
    assert ok(client.get("/rest/invoices"))["totalCount"] == 0


def test_create_object_skip_name_field(client: CheckedClient) -> None:
    created = create_object(client, "ticket", "tickets", skipNameField=True)
    assert "name" not in {f["name"] for f in created["fieldsList"]}
    assert {"id", "createdAt", "position"} <= {f["name"] for f in created["fieldsList"]}


def test_create_object_with_synced_label(client: CheckedClient) -> None:
    created = create_object(
        client, "ownerPet", "ownerPets", labelSingular="Owner Pet", labelPlural="Owner Pets", isLabelSyncedWithName=True
    )
    assert created["isLabelSyncedWithName"] is True


OBJECT_VALIDATION_CASES = [
    # (nameSingular, namePlural, extra input, message) — metadata.md §7
    ("a" * 64, "things", {}, TOO_LONG),
    ("thing", "t" * 64, {}, TOO_LONG),
    ("MyPet", "myPets", {}, CAMEL),
    ("user", "users", {}, NOT_AVAILABLE),
    ("thing", "workspaces", {}, NOT_AVAILABLE),
    ("batchItem", "batch", {}, NOT_AVAILABLE),
    ("sheep", "sheep", {}, SAME_NAMES),
    ("person", "persons", {}, NOT_AVAILABLE),
    ("human", "people", {}, NOT_AVAILABLE),
    ("pet", "petz", {}, NOT_AVAILABLE),
    ("animal", "pets", {}, NOT_AVAILABLE),
    (
        "animal",
        "animals",
        {"labelSingular": "Beast", "labelPlural": "Beasts", "isLabelSyncedWithName": True},
        NOT_SYNCED.format("beast", "animal"),
    ),
]


def test_create_object_validation(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)

    def check(singular: str, plural: str, extra: dict, message: str) -> None:
        labels = {"labelSingular": "Thing", "labelPlural": "Things", **extra}
        body = try_create_object(client, singular, plural, **labels)
        failed_root(body, "createOneObject", "BAD_USER_INPUT", message)

    check_each(OBJECT_VALIDATION_CASES, check)
    assert snapshot(client) == before


def test_create_object_missing_or_empty_required_input(client: CheckedClient) -> None:
    before = snapshot(client)
    incomplete = object_input("pet", "pets")
    del incomplete["labelPlural"]
    body = gql(client, sel(CREATE_OBJECT), {"input": {"object": incomplete}})
    assert body.get("errors") and not body.get("data"), body
    assert "labelPlural" in body["errors"][0]["message"]
    body = try_create_object(client, "pet", "pets", labelPlural="")
    failed_root(body, "createOneObject", "BAD_USER_INPUT")
    assert snapshot(client) == before


def test_update_object_labels_front_end_form(client: CheckedClient, pet: dict) -> None:
    changes = {"labelSingular": "Animal", "labelPlural": "Animals", "description": "Our pets", "icon": "IconDog"}
    body = gql(client, sel(UPDATE_OBJECT_FRONT), {"idToUpdate": pet["id"], "updatePayload": changes})
    updated = data_of(body)["updateOneObject"]
    assert updated["id"] == pet["id"]
    for key, value in changes.items():
        assert updated[key] == value
    rest = rest_object(client, pet["id"])
    assert (rest["labelSingular"], rest["description"], rest["icon"]) == ("Animal", "Our pets", "IconDog")
    assert data_of(gql(client, sel(OBJECT), {"id": pet["id"]}))["object"]["labelPlural"] == "Animals"


def test_deactivate_and_reactivate_object(client: CheckedClient, pet: dict) -> None:
    rex = make_record(client, "pets", "createPet", {"name": "Rex"})
    assert update_object(client, pet["id"], {"isActive": False})["isActive"] is False
    assert rest_object(client, pet["id"])["isActive"] is False
    resp = client.get("/rest/pets")
    assert resp.status_code == 400
    assert resp.json()["messages"] == ["object 'pets' not found. eg: companies"]
    assert update_object(client, pet["id"], {"isActive": True})["isActive"] is True
    assert [r["id"] for r in rest_list(client, "pets")] == [rex["id"]]


def test_rename_custom_object(client: CheckedClient, pet: dict) -> None:
    rex = make_record(client, "pets", "createPet", {"name": "Rex"})
    changes = {"nameSingular": "dog", "namePlural": "dogs", "labelSingular": "Dog", "labelPlural": "Dogs"}
    updated = update_object(client, pet["id"], changes)
    assert (updated["nameSingular"], updated["namePlural"]) == ("dog", "dogs")
    assert [r["id"] for r in rest_list(client, "dogs")] == [rex["id"]]
    assert client.get("/rest/pets").status_code == 400


def test_update_object_to_taken_name_is_rejected(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    body = try_update_object(client, pet["id"], {"nameSingular": "person", "namePlural": "people"})
    failed_root(body, "updateOneObject", "BAD_USER_INPUT")
    body = try_update_object(client, pet["id"], {"nameSingular": "Pet Thing"})
    failed_root(body, "updateOneObject", "BAD_USER_INPUT", CAMEL)
    assert snapshot(client) == before


def test_update_unknown_object_is_not_found(client: CheckedClient) -> None:
    before = snapshot(client)
    failed_root(try_update_object(client, new_id(), {"labelSingular": "X"}), "updateOneObject", "NOT_FOUND")
    failed_root(try_delete_object(client, new_id()), "deleteOneObject", "NOT_FOUND")
    assert snapshot(client) == before


def test_delete_object(client: CheckedClient, pet: dict) -> None:
    make_record(client, "pets", "createPet", {"name": "Rex"})
    update_object(client, pet["id"], {"isActive": False})
    deleted = data_of(try_delete_object(client, pet["id"]))["deleteOneObject"]
    assert deleted == {"id": pet["id"], "nameSingular": "pet"}
    failed_root(
        gql(client, sel(OBJECT, "id"), {"id": pet["id"]}), "object", "NOT_FOUND", OBJECT_NOT_FOUND.format(pet["id"])
    )
    assert client.get(f"/rest/metadata/objects/{pet['id']}").status_code == 404
    assert "pet" not in {o["nameSingular"] for o in all_objects(client)}
    assert "targetPet" not in fields_of(client, object_named(client, "timelineActivity")["id"])
    assert client.get("/rest/pets").status_code == 400
    create_object(client)  # the names are free again
    assert rest_list(client, "pets") == []


def test_active_object_cannot_be_deleted(client: CheckedClient, pet: dict) -> None:
    make_record(client, "pets", "createPet", {"name": "Rex"})
    before = snapshot(client)
    failed_root(
        try_delete_object(client, pet["id"]), "deleteOneObject", "BAD_USER_INPUT", "Active objects can't be deleted"
    )
    assert snapshot(client) == before
    assert len(rest_list(client, "pets")) == 1


def test_standard_object_cannot_be_deleted(client: CheckedClient) -> None:
    opportunity = object_named(client, "opportunity")
    update_object(client, opportunity["id"], {"isActive": False})
    before = snapshot(client)
    body = try_delete_object(client, opportunity["id"])
    failed_root(body, "deleteOneObject", "BAD_USER_INPUT", "Standard Objects can't be deleted")
    assert snapshot(client) == before
    update_object(client, opportunity["id"], {"isActive": True})
    assert ok(client.get("/rest/opportunities"))["totalCount"] == 0


# --------------------------------------------------------------------------- createOneField, every type


ATOMIC_CASES = [
    # (type given, name, extra input, record value)
    ("TEXT", "nickname", {}, "Rex"),
    ("NUMBER", "legs", {}, 4),
    ("NUMERIC", "weight", {}, 12.5),
    ("BOOLEAN", "vaccinated", {}, True),
    ("DATE_TIME", "adoptedAt", {}, "2025-03-01T09:30:00.000Z"),
    ("DATE", "birthday", {}, "2021-06-15"),
    ("SELECT", "species", {"options": SPECIES}, "CAT"),
    ("MULTI_SELECT", "tricks", {"options": TRICKS}, ["SIT", "ROLL"]),
    ("RATING", "cuteness", {}, "RATING_4"),
    ("RAW_JSON", "extra", {}, {"chip": "A1", "shots": [1, 2]}),
    ("ARRAY", "tags", {}, ["good", "boy"]),
    ("UUID", "chipId", {}, "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01"),
]
COMPOSITE_CASES = [
    ("CURRENCY", "price", {}, {"amountMicros": 12500000, "currencyCode": "EUR"}),
    ("FULL_NAME", "ownerName", {}, {"firstName": "Ada", "lastName": "Lovelace"}),
    ("EMAILS", "contactEmails", {}, {"primaryEmail": "rex@example.com", "additionalEmails": ["vet@example.com"]}),
    (
        "PHONES",
        "vetPhones",
        {},
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": None,
        },
    ),
    (
        "LINKS",
        "profile",
        {},
        {"primaryLinkUrl": "https://rex.example.com", "primaryLinkLabel": "Rex", "secondaryLinks": []},
    ),
    (
        "ADDRESS",
        "home",
        {},
        {
            "addressStreet1": "1 Rue de Rivoli",
            "addressStreet2": "",
            "addressCity": "Paris",
            "addressPostcode": "75001",
            "addressState": "IDF",
            "addressCountry": "France",
            "addressLat": 48.86,
            "addressLng": 2.35,
        },
    ),
    (
        "RICH_TEXT",
        "story",
        {},
        {"blocknote": '[{"type":"paragraph","content":"A good boy"}]', "markdown": "A good boy"},
    ),
    ("RICH_TEXT_V2", "diary", {}, {"blocknote": '[{"type":"paragraph","content":"Day one"}]', "markdown": "Day one"}),
]


def check_field_types(client: conftest.Client, pet: dict, cases: list) -> None:
    """Create one field per case through createOneField, then write and read a record holding a
    value for every one of them over REST."""
    created: dict[str, tuple[str, Any]] = {}

    def check(type_: str, name: str, extra: dict, value: Any) -> None:
        reported = "RICH_TEXT" if type_ == "RICH_TEXT_V2" else type_
        field = create_field(client, pet["id"], type_, name, **extra)
        assert UUID_RE.match(field["id"])
        assert (field["type"], field["name"], field["label"]) == (reported, name, name[:1].upper() + name[1:])
        assert field["objectMetadataId"] == pet["id"]
        assert field["isCustom"] is True and field["isActive"] is True and field["isSystem"] is False
        assert field["isNullable"] is True and field["defaultValue"] is None and field["relation"] is None
        assert get_field(client, field["id"])["type"] == reported
        assert ok(client.get(f"/rest/metadata/fields/{field['id']}"))["type"] == reported
        created[name] = (reported, value)

    check_each(cases, check)
    record = make_record(client, "pets", "createPet", {"name": "Rex", **{n: v for n, (_, v) in created.items()}})
    again = ok(client.get(f"/rest/pets/{record['id']}"))["data"]["pet"]

    def check_value(name: str, reported: str, value: Any) -> None:
        assert normalise(reported, record[name]) == normalise(reported, value), record[name]
        assert normalise(reported, again[name]) == normalise(reported, value), again[name]

    check_each([(n, r, v) for n, (r, v) in created.items()], check_value)


def test_create_field_of_every_atomic_type(client: CheckedClient, pet: dict) -> None:
    check_field_types(client, pet, ATOMIC_CASES)


def test_create_field_of_every_composite_type(client: CheckedClient, pet: dict) -> None:
    check_field_types(client, pet, COMPOSITE_CASES)


def test_select_field_with_inline_literals(client: CheckedClient, pet: dict) -> None:
    """metadata.md §8's example, JSON options and default written as GraphQL literals."""
    mutation = """
    mutation {
      createOneField(input: {field: {
        objectMetadataId: "__PET__", type: SELECT, name: "species", label: "Species",
        options: [{value: "DOG", label: "Dog", color: "blue", position: 0},
                  {value: "CAT", label: "Cat", color: "red", position: 1}],
        defaultValue: "'DOG'"
      }}) { id name type options defaultValue }
    }
    """.replace("__PET__", pet["id"])
    field = data_of(gql(client, mutation))["createOneField"]
    assert field["type"] == "SELECT" and field["defaultValue"] == "'DOG'"
    assert [(o["value"], o["label"], o["color"], o["position"]) for o in field["options"]] == [
        ("DOG", "Dog", "blue", 0),
        ("CAT", "Cat", "red", 1),
    ]
    assert all(UUID_RE.match(o["id"]) for o in field["options"])
    assert make_record(client, "pets", "createPet", {"name": "Rex"})["species"] == "DOG"
    assert client.post("/rest/pets", json={"species": "FISH"}).status_code == 400


def test_rich_text_v2_enum_literal_is_reported_as_rich_text(client: CheckedClient, pet: dict) -> None:
    mutation = """
    mutation ($objectId: UUID!) {
      createOneField(input: {field: {objectMetadataId: $objectId, type: RICH_TEXT_V2, name: "bodyV2", label: "Body"}}) {
        id type
      }
    }
    """
    field = data_of(gql(client, mutation, {"objectId": pet["id"]}))["createOneField"]
    assert field["type"] == "RICH_TEXT"
    assert fields_of(client, pet["id"])["bodyV2"]["type"] == "RICH_TEXT"
    record = make_record(client, "pets", "createPet", {"bodyV2": {"markdown": "Hi", "blocknote": None}})
    assert record["bodyV2"]["markdown"] == "Hi"


def test_field_json_and_uuid_variables(client: CheckedClient, pet: dict) -> None:
    mutation = """
    mutation ($objectId: UUID!, $options: JSON, $defaultValue: JSON, $settings: JSON) {
      createOneField(input: {field: {objectMetadataId: $objectId, type: MULTI_SELECT, name: "tricks",
        label: "Tricks", options: $options, defaultValue: $defaultValue, settings: $settings}}) {
        id type options defaultValue settings
      }
    }
    """
    variables = {"objectId": pet["id"], "options": TRICKS, "defaultValue": ["'SIT'", "'FETCH'"], "settings": None}
    field = data_of(gql(client, mutation, variables))["createOneField"]
    assert field["type"] == "MULTI_SELECT" and field["defaultValue"] == ["'SIT'", "'FETCH'"]
    assert [o["value"] for o in sorted(field["options"], key=lambda o: o["position"])] == ["SIT", "ROLL", "FETCH"]
    assert make_record(client, "pets", "createPet", {"name": "Rex"})["tricks"] == ["SIT", "FETCH"]


def test_rating_options_are_generated(client: CheckedClient, pet: dict) -> None:
    supplied = [{"value": "HIGH", "label": "High", "color": "red", "position": 0}]
    field = create_field(client, pet["id"], "RATING", "cuteness", options=supplied, defaultValue="'RATING_3'")
    opts = sorted(field["options"], key=lambda o: o["position"])
    assert [(o["value"], o["label"], o["position"]) for o in opts] == [
        ("RATING_1", "1", 0),
        ("RATING_2", "2", 1),
        ("RATING_3", "3", 2),
        ("RATING_4", "4", 3),
        ("RATING_5", "5", 4),
    ]
    assert make_record(client, "pets", "createPet", {"name": "Rex"})["cuteness"] == "RATING_3"
    assert client.post("/rest/pets", json={"cuteness": "HIGH"}).status_code == 400


def test_field_default_and_non_nullable(client: CheckedClient, pet: dict) -> None:
    existing = make_record(client, "pets", "createPet", {"name": "Old"})
    field = create_field(client, pet["id"], "TEXT", "sound", defaultValue="'woof'")
    assert field["defaultValue"] == "'woof'"
    assert make_record(client, "pets", "createPet", {"name": "New"})["sound"] == "woof"
    assert ok(client.get(f"/rest/pets/{existing['id']}"))["data"]["pet"]["sound"] == "woof"
    strict = create_field(client, pet["id"], "NUMBER", "legs", isNullable=False, defaultValue=4)
    assert strict["isNullable"] is False and strict["defaultValue"] == 4


def test_unknown_field_type_is_rejected(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    body = try_create_field(client, pet["id"], "PHONE", "thing")
    assert body.get("errors") and not body.get("data"), body
    assert "FieldMetadataType" in body["errors"][0]["message"]
    body = gql(
        client,
        f'mutation {{ createOneField(input: {{field: {{objectMetadataId: "{pet["id"]}", type: LINK, name: "x", label: "X"}}}}) {{ id }} }}',
    )
    request_error(body, "GRAPHQL_VALIDATION_FAILED")
    assert snapshot(client) == before


# --------------------------------------------------------------------------- §6 relations


def test_many_to_one_relation_from_the_reference_example(client: CheckedClient, pet: dict) -> None:
    person = object_named(client, "person")
    mutation = """
    mutation {
      createOneField(input: {field: {
        objectMetadataId: "__PET__", type: RELATION, name: "owner", label: "Owner",
        relationCreationPayload: {type: "MANY_TO_ONE", targetObjectMetadataId: "__PERSON__",
                                  targetFieldLabel: "Pets", targetFieldIcon: "IconPaw"}
      }}) { id name settings relation { type targetObjectMetadata { nameSingular } targetFieldMetadata { name } } }
    }
    """.replace("__PET__", pet["id"]).replace("__PERSON__", person["id"])
    owner = data_of(gql(client, mutation))["createOneField"]
    assert owner["name"] == "owner"
    assert owner["settings"]["relationType"] == "MANY_TO_ONE"
    assert owner["settings"]["joinColumnName"] == "ownerId"
    assert owner["settings"]["onDelete"] == "SET_NULL"
    assert owner["relation"] == {
        "type": "MANY_TO_ONE",
        "targetObjectMetadata": {"nameSingular": "person"},
        "targetFieldMetadata": {"name": "pets"},
    }
    inverse = fields_of(client, person["id"])["pets"]
    assert (inverse["type"], inverse["label"], inverse["icon"]) == ("RELATION", "Pets", "IconPaw")
    assert inverse["settings"]["relationType"] == "ONE_TO_MANY"
    assert inverse["relation"]["type"] == "ONE_TO_MANY"
    assert inverse["relation"]["sourceObjectMetadata"]["nameSingular"] == "person"
    assert inverse["relation"]["targetFieldMetadata"] == {"id": owner["id"], "name": "owner"}
    # The record APIs follow at once.
    ada = make_record(client, "people", "createPerson", {"name": {"firstName": "Ada", "lastName": "Lovelace"}})
    rex = make_record(client, "pets", "createPet", {"name": "Rex", "ownerId": ada["id"]})
    assert rex["ownerId"] == ada["id"]
    deep = ok(client.get(f"/rest/people/{ada['id']}", params={"depth": "1"}))["data"]["person"]
    assert [p["id"] for p in deep["pets"]] == [rex["id"]]


def test_one_to_many_relation_swaps_sides(client: CheckedClient, pet: dict) -> None:
    company = object_named(client, "company")
    payload = relation_payload("ONE_TO_MANY", pet["id"], "Sponsor", "IconBuilding")
    field = create_field(client, company["id"], "RELATION", "mascots", relationCreationPayload=payload)
    assert field["settings"]["relationType"] == "ONE_TO_MANY"
    assert field["relation"]["type"] == "ONE_TO_MANY"
    assert field["relation"]["sourceObjectMetadata"]["id"] == company["id"]
    assert field["relation"]["targetObjectMetadata"]["id"] == pet["id"]
    assert field["relation"]["targetFieldMetadata"]["name"] == "sponsor"
    sponsor = fields_of(client, pet["id"])["sponsor"]
    assert sponsor["settings"]["relationType"] == "MANY_TO_ONE"
    assert sponsor["settings"]["joinColumnName"] == "sponsorId"
    acme = make_record(client, "companies", "createCompany", {"name": "Acme"})
    rex = make_record(client, "pets", "createPet", {"name": "Rex", "sponsorId": acme["id"]})
    deep = ok(client.get(f"/rest/companies/{acme['id']}", params={"depth": "1"}))["data"]["company"]
    assert [p["id"] for p in deep["mascots"]] == [rex["id"]]


def test_deleting_a_relation_field_removes_both_sides(client: CheckedClient, pet: dict) -> None:
    company = object_named(client, "company")
    payload = relation_payload("MANY_TO_ONE", company["id"], "Pets")
    field = create_field(client, pet["id"], "RELATION", "company", relationCreationPayload=payload)
    update_field(client, field["id"], {"isActive": False})
    assert data_of(try_delete_field(client, field["id"]))["deleteOneField"] == {"id": field["id"], "name": "company"}
    assert "company" not in fields_of(client, pet["id"])
    assert "pets" not in fields_of(client, company["id"])
    record = make_record(client, "pets", "createPet", {"name": "Rex"})
    assert "companyId" not in record
    create_field(client, pet["id"], "TEXT", "companyId")  # the join column name is free again


def test_relation_to_unknown_object_is_rejected(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    payload = relation_payload("MANY_TO_ONE", new_id(), "Pets")
    body = try_create_field(client, pet["id"], "RELATION", "owner", relationCreationPayload=payload)
    assert "data" in body and body["data"] is None, body
    assert body["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT")
    assert snapshot(client) == before


# --------------------------------------------------------------------------- field naming rules (§7)


FIELD_VALIDATION_CASES = [
    # (object, type, name, extra input, message) — metadata.md §7, data-model.md §4.1
    ("pet", "TEXT", "a" * 64, {}, TOO_LONG),
    ("pet", "TEXT", "Nickname", {}, CAMEL),
    ("pet", "TEXT", "name", {}, FIELD_USED.format("name")),
    ("person", "TEXT", "companyId", {}, FIELD_USED.format("companyId")),
    ("person", "TEXT", "nameFirstName", {}, FIELD_USED.format("nameFirstName")),
    ("pet", "TEXT", "type", {}, FIELD_RESERVED.format("type")),
    (
        "pet",
        "TEXT",
        "nickname",
        {"label": "Nick Name", "isLabelSyncedWithName": True},
        NOT_SYNCED.format("nickName", "nickname"),
    ),
    (
        "pet",
        "SELECT",
        "species",
        {"options": [{"value": "dog", "label": "Dog", "color": "blue", "position": 0}]},
        'Value must be in UPPER_CASE and follow snake_case "dog"',
    ),
]


def test_create_field_validation(client: CheckedClient, pet: dict) -> None:
    person_id = object_named(client, "person")["id"]
    before = snapshot(client)

    def check(singular: str, type_: str, name: str, extra: dict, message: str) -> None:
        target = pet["id"] if singular == "pet" else person_id
        body = try_create_field(client, target, type_, name, **{"label": "Thing", **extra})
        failed_root(body, "createOneField", "BAD_USER_INPUT", message)

    check_each(FIELD_VALIDATION_CASES, check)
    assert snapshot(client) == before


def test_field_on_unknown_object_is_rejected(client: CheckedClient) -> None:
    before = snapshot(client)
    body = try_create_field(client, new_id(), "TEXT", "nickname")
    assert "data" in body and body["data"] is None, body
    assert body["errors"][0]["extensions"]["code"] in ("NOT_FOUND", "BAD_USER_INPUT")
    assert snapshot(client) == before


# --------------------------------------------------------------------------- updateOneField / deleteOneField


def test_update_field_label_description_icon(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    changes = {"label": "Nick", "description": "What we call it", "icon": "IconTag"}
    updated = update_field(client, field["id"], changes)
    assert updated["id"] == field["id"] and updated["name"] == "nickname"
    for key, value in changes.items():
        assert updated[key] == value
    rest = ok(client.get(f"/rest/metadata/fields/{field['id']}"))
    assert (rest["label"], rest["description"], rest["icon"]) == ("Nick", "What we call it", "IconTag")


def test_update_field_front_end_form_renames(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    rex = make_record(client, "pets", "createPet", {"name": "Rex", "nickname": "Rexy"})
    mutation = """
    mutation UpdateOneFieldMetadataItem($idToUpdate: UUID!, $updatePayload: UpdateFieldInput!) {
      updateOneField(input: {id: $idToUpdate, update: $updatePayload}) { id name label }
    }
    """
    body = gql(
        client, mutation, {"idToUpdate": field["id"], "updatePayload": {"name": "callName", "label": "Call name"}}
    )
    assert data_of(body)["updateOneField"] == {"id": field["id"], "name": "callName", "label": "Call name"}
    again = ok(client.get(f"/rest/pets/{rex['id']}"))["data"]["pet"]
    assert again["callName"] == "Rexy" and "nickname" not in again


def test_update_field_options_replaces_the_list(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "SELECT", "species", options=SPECIES)
    updated = update_field(client, field["id"], {"options": [SPECIES[0]]})
    assert [o["value"] for o in updated["options"]] == ["DOG"]
    assert client.post("/rest/pets", json={"species": "CAT"}).status_code == 400
    assert make_record(client, "pets", "createPet", {"species": "DOG"})["species"] == "DOG"


def test_field_type_cannot_be_updated(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    body = gql(
        client, f'mutation {{ updateOneField(input: {{id: "{field["id"]}", update: {{type: NUMBER}}}}) {{ id }} }}'
    )
    err = request_error(body, "GRAPHQL_VALIDATION_FAILED")
    assert "type" in err["message"] and "UpdateFieldInput" in err["message"]
    assert get_field(client, field["id"])["type"] == "TEXT"


def test_deactivate_and_reactivate_field(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    rex = make_record(client, "pets", "createPet", {"name": "Rex", "nickname": "Rexy"})
    assert update_field(client, field["id"], {"isActive": False})["isActive"] is False
    assert "nickname" not in ok(client.get(f"/rest/pets/{rex['id']}"))["data"]["pet"]
    assert update_field(client, field["id"], {"isActive": True})["isActive"] is True
    assert ok(client.get(f"/rest/pets/{rex['id']}"))["data"]["pet"]["nickname"] == "Rexy"


def test_field_deactivation_rules(client: CheckedClient, pet: dict) -> None:
    fields = fields_of(client, pet["id"])
    before = snapshot(client)

    def check(name: str, message: str) -> None:
        body = try_update_field(client, fields[name]["id"], {"isActive": False})
        failed_root(body, "updateOneField", "BAD_USER_INPUT", message)

    cases = [
        ("name", "Cannot deactivate label identifier field"),
        ("position", "Cannot deactivate system field"),
        ("id", "Cannot deactivate system field"),
        ("createdAt", "Cannot deactivate createdAt, updatedAt or deletedAt field"),
        ("deletedAt", "Cannot deactivate createdAt, updatedAt or deletedAt field"),
    ]
    check_each(cases, check)
    assert snapshot(client) == before


def test_delete_field(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    rex = make_record(client, "pets", "createPet", {"name": "Rex", "nickname": "Rexy"})
    update_field(client, field["id"], {"isActive": False})
    deleted = data_of(try_delete_field(client, field["id"]))["deleteOneField"]
    assert deleted == {"id": field["id"], "name": "nickname"}
    failed_root(gql(client, sel(FIELD, "id"), {"id": field["id"]}), "field", "NOT_FOUND")
    assert client.get(f"/rest/metadata/fields/{field['id']}").status_code == 404
    assert "nickname" not in fields_of(client, pet["id"])
    assert "nickname" not in ok(client.get(f"/rest/pets/{rex['id']}"))["data"]["pet"]
    again = create_field(client, pet["id"], "TEXT", "nickname")
    assert ok(client.get(f"/rest/pets/{rex['id']}"))["data"]["pet"]["nickname"] is None
    assert again["id"] != field["id"]


def test_active_field_cannot_be_deleted(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    before = snapshot(client)
    failed_root(
        try_delete_field(client, field["id"]), "deleteOneField", "BAD_USER_INPUT", "Active fields can't be deleted"
    )
    assert snapshot(client) == before


def test_standard_field_cannot_be_deleted(client: CheckedClient) -> None:
    job_title = fields_of(client, object_named(client, "person")["id"])["jobTitle"]
    update_field(client, job_title["id"], {"isActive": False})
    before = snapshot(client)
    body = try_delete_field(client, job_title["id"])
    failed_root(body, "deleteOneField", "BAD_USER_INPUT", "Standard Fields can't be deleted")
    assert snapshot(client) == before


def test_delete_unknown_field_is_not_found(client: CheckedClient) -> None:
    before = snapshot(client)
    failed_root(try_delete_field(client, new_id()), "deleteOneField", "NOT_FOUND")
    failed_root(try_update_field(client, new_id(), {"label": "X"}), "updateOneField", "NOT_FOUND")
    assert snapshot(client) == before


# --------------------------------------------------------------------------- errors and auth (graphql.md §12, auth-and-limits.md §5)


def test_parse_error(client: CheckedClient) -> None:
    request_error(gql(client, "query { objects { edges "), "GRAPHQL_PARSE_FAILED")


def test_unknown_root_field_fails_validation(client: CheckedClient) -> None:
    err = request_error(gql(client, "query { people { edges { node { id } } } }"), "GRAPHQL_VALIDATION_FAILED")
    assert err["message"] == 'Cannot query field "people" on type "Query".'


def forged_token(workspace_id: str) -> str:
    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "sub": workspace_id,
        "type": "API_KEY",
        "workspaceId": workspace_id,
        "iat": now,
        "exp": now + 3600,
        "jti": new_id(),
    }
    head = part({"alg": "HS256", "typ": "JWT"}) + "." + part(claims)
    signature = hmac.new(b"not-the-secret", head.encode(), hashlib.sha256).digest()
    return head + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("token", "code", "message", "friendly"),
    [
        (None, "FORBIDDEN", "Missing authentication token", "An error occurred."),
        ("not-a-jwt", "UNAUTHENTICATED", "No payload", "You must be authenticated to perform this action."),
        ("forged", "UNAUTHENTICATED", "Token invalid.", "You must be authenticated to perform this action."),
    ],
    ids=["missing", "malformed", "bad-signature"],
)
def test_auth_errors(client: CheckedClient, token: str | None, code: str, message: str, friendly: str) -> None:
    if token == "forged":
        token = forged_token(data_of(gql(client, "{ currentWorkspace { id } }"))["currentWorkspace"]["id"])
    before = snapshot(client)
    for query, variables in (
        (sel(OBJECTS, "id"), {"paging": {"first": 10}, "filter": {}}),
        (sel(CREATE_OBJECT), {"input": {"object": object_input("pet", "pets")}}),
    ):
        body = gql(client, query, variables, token=token)
        assert set(body) == {"errors"}, body
        err = error_of(body, code, message)
        assert err["extensions"]["userFriendlyMessage"] == friendly
    assert snapshot(client) == before


# --------------------------------------------------------------------------- the official Node SDK, end to end


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_call(port: int, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    status, payload = conftest.http_send(f"http://127.0.0.1:{port}", method, path, token, body)
    return status, json.loads(payload) if payload else None


def wait_healthy(proc: subprocess.Popen, port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise AssertionError("server did not answer GET /healthz in time")


@SDK_E2E
def test_sdk_metadata_api_client_end_to_end(tmp_path: Path) -> None:
    """twenty-client-sdk's MetadataApiClient lists objects, creates an object and a field on the
    real server; the results are then checked over REST."""
    key = "sdk-e2e-" + uuid.uuid4().hex
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "twenty_lite.py"), "--db", ":memory:", "--seed", "none", "--api-key", key, "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    try:
        (tmp_path / "package.json").write_text(json.dumps({"name": "sdk-e2e", "private": True}))
        install = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-progress", "--loglevel=error", SDK_PACKAGE],
            cwd=tmp_path, capture_output=True, text=True, timeout=90,
        )  # fmt: skip
        assert install.returncode == 0, f"npm install {SDK_PACKAGE} failed:\n{install.stdout}\n{install.stderr}"
        version = json.loads((tmp_path / "node_modules" / "twenty-client-sdk" / "package.json").read_text())["version"]
        assert version.startswith("2."), version
        driver = tmp_path / SDK_DRIVER.name
        shutil.copy(SDK_DRIVER, driver)
        wait_healthy(proc, port)
        env = {**os.environ, "TWENTY_API_URL": f"http://127.0.0.1:{port}", "TWENTY_API_KEY": key}
        run = subprocess.run(["node", str(driver)], cwd=tmp_path, capture_output=True, text=True, timeout=30, env=env)
        assert run.returncode == 0, f"SDK driver failed:\n{run.stdout}\n{run.stderr}"
        out = json.loads(run.stdout)

        # What the SDK saw.
        assert {o["nameSingular"] for o in out["objects"]} == STANDARD_SINGULARS
        created, field = out["object"], out["field"]
        assert (created["nameSingular"], created["namePlural"], created["isCustom"]) == ("sdkPet", "sdkPets", True)
        assert (field["name"], field["type"], field["objectMetadataId"]) == ("nickname", "TEXT", created["id"])
        assert [o["id"] for o in out["filtered"]] == [created["id"]]
        assert "nickname" in {f["name"] for f in out["filtered"][0]["fieldsList"]}

        # What REST sees.
        status, body = http_call(port, "GET", "/rest/metadata/objects", key)
        assert status == 200, body
        rest_objects = {o["id"]: o for o in body["data"]}
        assert {o["id"] for o in out["objects"]} <= set(rest_objects)
        assert rest_objects[created["id"]]["nameSingular"] == "sdkPet"
        assert {f["workspaceId"] for f in rest_objects[created["id"]]["fields"]} == {out["workspace"]["id"]}
        assert field["id"] in {f["id"] for f in rest_objects[created["id"]]["fields"]}
        status, body = http_call(port, "POST", "/rest/sdkPets", key, {"name": "Rex", "nickname": "Rexy"})
        assert status == 201, body
        status, body = http_call(port, "GET", "/rest/sdkPets", key)
        assert status == 200, body
        assert [(p["name"], p["nickname"]) for p in body["data"]["sdkPets"]] == [("Rex", "Rexy")]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
