"""Indexes, the workspace, roles and keys as the newest /metadata schema has them (issue 15, items 4 and 5)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from conftest import Client, make_app, meta_data, meta_gql, ok

gql, data = meta_gql, meta_data  # /metadata with variables as keywords


INDEXES = "indexMetadataList { id name isUnique isCustom indexType indexWhereClause indexFieldMetadataList { fieldMetadataId subFieldName order } }"


def object_indexes(client: Client, name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    nodes = data(
        client,
        f"{{ objects(paging: {{first: 100}}) {{ edges {{ node {{ id nameSingular fieldsList {{ id name }} {INDEXES} }} }} }} }}",
    )
    node = next(e["node"] for e in nodes["objects"]["edges"] if e["node"]["nameSingular"] == name)
    return node, node["indexMetadataList"]


@pytest.mark.parametrize(("obj", "field", "sub"), [("person", "emails", "primaryEmail"),
                                                    ("company", "domainName", "primaryLinkUrl"),
                                                    ("workspaceMember", "userEmail", None)])  # fmt: skip
def test_the_unique_indexes_upserts_match_on(client: Client, obj: str, field: str, sub: str | None) -> None:
    node, indexes = object_indexes(client, obj)
    field_id = next(f["id"] for f in node["fieldsList"] if f["name"] == field)
    (unique,) = [i for i in indexes if i["isUnique"]]
    assert unique["name"].startswith("IDX_UNIQUE_") and unique["indexType"] == "BTREE"
    assert unique["indexWhereClause"] is None and unique["isCustom"] is False  # Twenty's own unique indexes have none
    column = {"emails": "emailsPrimaryEmail", "domainName": "domainNamePrimaryLinkUrl"}.get(field, field)
    assert unique["name"] == "IDX_UNIQUE_" + hashlib.sha256((obj + column).encode()).hexdigest()[:27]
    assert unique["indexFieldMetadataList"] == [{"fieldMetadataId": field_id, "subFieldName": sub, "order": 0}]


def test_a_custom_index_limit_of_ten(client: Client) -> None:
    node, _ = object_indexes(client, "company")
    text = [f["id"] for f in node["fieldsList"] if f["name"] in ("name", "employees", "idealCustomerProfile", "createdAt",
                                                                    "updatedAt", "deletedAt", "position")]  # fmt: skip
    query = """mutation($o: UUID!, $f: [CreateIndexFieldInput!]!) { createOneIndex(input: {index: {objectMetadataId: $o,
        fields: $f, indexType: BTREE}}) { id } }"""
    combos = [[a] for a in text] + [[a, b] for a in text for b in text if a < b]
    for combo in combos[:10]:
        data(client, query, o=node["id"], f=[{"fieldMetadataId": c} for c in combo])
    body = gql(client, query, o=node["id"], f=[{"fieldMetadataId": c} for c in combos[10]])
    assert body["errors"][0]["message"] == f"Custom index limit of 10 reached for object {node['id']}"
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT"


def test_join_columns_and_the_search_vector_are_indexed(client: Client) -> None:
    node, indexes = object_indexes(client, "person")
    names = {f["id"]: f["name"] for f in node["fieldsList"]}
    indexed = {
        names[i["indexFieldMetadataList"][0]["fieldMetadataId"]]: i["indexType"] for i in indexes if not i["isUnique"]
    }
    assert indexed == {"company": "BTREE", "searchVector": "GIN"}


def test_index_metadatas_pages_and_filters(client: Client) -> None:
    query = """{ objects(paging: {first: 100}) { edges { node { nameSingular
        indexMetadatas(paging: {first: 1}) { pageInfo { hasNextPage } edges { node { name } cursor } } } } } }"""
    node = next(e["node"] for e in data(client, query)["objects"]["edges"] if e["node"]["nameSingular"] == "person")
    assert len(node["indexMetadatas"]["edges"]) == 1 and node["indexMetadatas"]["pageInfo"]["hasNextPage"] is True


def test_create_and_delete_an_index(client: Client) -> None:
    node, before = object_indexes(client, "company")
    field = next(f["id"] for f in node["fieldsList"] if f["name"] == "employees")
    made = data(
        client,
        """mutation($o: UUID!, $f: UUID!) { createOneIndex(input: {index: {objectMetadataId: $o,
        fields: [{fieldMetadataId: $f}], indexType: BTREE}}) { id name isUnique isCustom } }""",
        o=node["id"],
        f=field,
    )
    index = made["createOneIndex"]
    assert index["isCustom"] is True and index["isUnique"] is False and index["name"].startswith("IDX_")
    assert len(object_indexes(client, "company")[1]) == len(before) + 1
    again = gql(
        client,
        """mutation($o: UUID!, $f: UUID!) { createOneIndex(input: {index: {objectMetadataId: $o,
        fields: [{fieldMetadataId: $f}], indexType: BTREE}}) { id } }""",
        o=node["id"],
        f=field,
    )
    assert again["errors"][0]["message"] == "An index on these fields already exists"
    assert data(client, "mutation($id: UUID!) { deleteOneIndex(input: {id: $id}) { id } }", id=index["id"])
    assert object_indexes(client, "company")[1] == before
    standard = gql(client, "mutation($id: UUID!) { deleteOneIndex(input: {id: $id}) { id } }", id=before[0]["id"])
    assert standard["errors"][0]["message"] == f"Index {before[0]['id']} is a system index and cannot be deleted"
    assert standard["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([], "At least one field is required to create an index"),
        ([{"fieldMetadataId": "00000000-0000-4000-8000-000000000000"}],
         "Field 00000000-0000-4000-8000-000000000000 not found on object __company__"),
        ([{"fieldMetadataId": "__employees__", "subFieldName": "nope"}],
         "Field employees is not composite — subFieldName must not be set"),
        ([{"fieldMetadataId": "__employees__"}, {"fieldMetadataId": "__employees__"}],
         "Duplicate field+sub-field in index field list"),
        ([{"fieldMetadataId": "__domainName__"}], "Composite field domainName requires a sub-field selection"),
        ([{"fieldMetadataId": "__domainName__", "subFieldName": "nope"}],
         "Unknown sub-field nope on composite field domainName"),
        ([{"fieldMetadataId": "__accountOwner__"}], "Relation field accountOwner cannot be indexed"),
    ],
)  # fmt: skip
def test_bad_indexes_are_refused(client: Client, fields: list[dict[str, Any]], message: str) -> None:
    node, before = object_indexes(client, "company")
    ids = {f"__{f['name']}__": f["id"] for f in node["fieldsList"]}
    fields = [dict(f, fieldMetadataId=ids.get(f["fieldMetadataId"], f["fieldMetadataId"])) for f in fields]
    message = message.replace("__company__", node["id"])
    body = gql(
        client,
        """mutation($o: UUID!, $f: [CreateIndexFieldInput!]!) { createOneIndex(input: {index: {
        objectMetadataId: $o, fields: $f, indexType: GIN}}) { id } }""",
        o=node["id"],
        f=fields,
    )
    assert (
        body["errors"][0]["message"] == message and body["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
    )
    assert object_indexes(client, "company")[1] == before


# ---- the workspace ---------------------------------------------------------------------------------------------


def test_current_workspace_and_update_workspace(client: Client) -> None:
    query = """{ currentWorkspace { id displayName subdomain activationStatus trashRetentionDays allowImpersonation
        workspaceDiscoverability defaultRole { label } workspaceCustomApplicationId workspaceUrls { subdomainUrl } } }"""
    ws = data(client, query)["currentWorkspace"]
    assert (
        ws["activationStatus"] == "ACTIVE"
        and ws["trashRetentionDays"] == 14
        and ws["defaultRole"] == {"label": "Member"}
    )
    assert ws["workspaceUrls"]["subdomainUrl"].startswith("http") and ws["workspaceCustomApplicationId"]
    updated = data(
        client,
        """mutation { updateWorkspace(data: {displayName: "Acme", trashRetentionDays: 30,
        workspaceDiscoverability: PUBLIC}) { displayName trashRetentionDays workspaceDiscoverability } }""",
    )
    assert updated["updateWorkspace"] == {
        "displayName": "Acme",
        "trashRetentionDays": 30,
        "workspaceDiscoverability": "PUBLIC",
    }
    assert data(client, query)["currentWorkspace"]["displayName"] == "Acme"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{displayName: ""}', "displayName should not be empty"),
        ("{trashRetentionDays: -1}", "trashRetentionDays must be a number not below 0"),
        ('{defaultRoleId: "00000000-0000-4000-8000-000000000000"}',
         "Role with id 00000000-0000-4000-8000-000000000000 not found"),
    ],
)  # fmt: skip
def test_bad_workspace_updates_change_nothing(client: Client, document: str, message: str) -> None:
    before = data(client, "{ currentWorkspace { displayName trashRetentionDays defaultRole { id } } }")
    body = gql(client, f"mutation {{ updateWorkspace(data: {document}) {{ id }} }}")
    assert body["errors"][0]["message"] == message
    assert data(client, "{ currentWorkspace { displayName trashRetentionDays defaultRole { id } } }") == before


# ---- roles and keys ----------------------------------------------------------------------------------------------


def roles(client: Client) -> dict[str, dict[str, Any]]:
    query = "{ getRoles { id label universalIdentifier canBeAssignedToAgents workspaceMembers { id userEmail } apiKeys { id name } } }"
    return {r["label"]: r for r in data(client, query)["getRoles"]}


def test_members_hold_the_default_role_until_given_another() -> None:
    client = Client(make_app(seed="demo"))
    members = ok(client.get("/rest/workspaceMembers"))["data"]["workspaceMembers"]
    before = roles(client)
    assert {m["id"] for m in before["Member"]["workspaceMembers"]} == {m["id"] for m in members}
    assert before["Admin"]["universalIdentifier"] == "20202020-0001-0001-0001-000000000001"
    moved = data(client, "mutation($m: UUID!, $r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: $m, roleId: $r) "
                         "{ id userEmail name { firstName } } }", m=members[0]["id"], r=before["Admin"]["id"])  # fmt: skip
    assert moved["updateWorkspaceMemberRole"]["id"] == members[0]["id"]
    after = roles(client)
    assert [m["id"] for m in after["Admin"]["workspaceMembers"]] == [members[0]["id"]]
    assert members[0]["id"] not in {m["id"] for m in after["Member"]["workspaceMembers"]}
    missing = gql(client, "mutation($r: UUID!) { updateWorkspaceMemberRole(workspaceMemberId: "
                          '"00000000-0000-4000-8000-000000000000", roleId: $r) { id } }', r=before["Admin"]["id"])  # fmt: skip
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_api_key_roles_permission_flags_and_keys_on_roles(client: Client) -> None:
    assert [r["label"] for r in data(client, "{ getApiKeyRoles { label } }")["getApiKeyRoles"]] == [
        "Admin",
        "Member",
        "Guest",
    ]
    flags = data(client, "{ getPermissionFlags { key label permissionType universalIdentifier applicationId } }")
    keys = [f["key"] for f in flags["getPermissionFlags"]]
    assert keys[0] == "API_KEYS_AND_WEBHOOKS" and "VIEWS" in keys and "EXPORT_CSV" in keys
    assert {f["permissionType"] for f in flags["getPermissionFlags"]} == {"SETTINGS", "TOOL"}
    admin = roles(client)["Admin"]
    made = data(client, 'mutation($r: UUID!) { createApiKey(input: {name: "k", expiresAt: "2100-01-01T00:00:00Z", '
                        "roleId: $r}) { id role { label } } }", r=admin["id"])["createApiKey"]  # fmt: skip
    assert made["role"] == {"label": "Admin"}
    assert {"id": made["id"], "name": "k"} in roles(client)["Admin"]["apiKeys"]
    flag = data(client, 'mutation($r: UUID!) { upsertPermissionFlags(upsertPermissionFlagsInput: {roleId: $r, '
                        'permissionFlagKeys: ["VIEWS"]}) { flag roleId } }',
                r=data(client, 'mutation { createOneRole(createRoleInput: {label: "Viewer", canBeAssignedToAgents: true}) '
                               "{ id canBeAssignedToAgents } }")["createOneRole"]["id"])  # fmt: skip
    assert flag["upsertPermissionFlags"][0]["flag"] == "VIEWS"


def test_update_many_objects_is_all_or_nothing(client: Client) -> None:
    listed = ok(client.get("/rest/metadata/objects?limit=200"))["data"]
    by_name = {o["nameSingular"]: o for o in listed}
    inputs = [{"id": by_name["company"]["id"], "update": {"labelPlural": "Firms"}},
              {"id": by_name["person"]["id"], "update": {"labelPlural": "Humans"}}]  # fmt: skip
    done = data(
        client, "mutation($i: [UpdateOneObjectInput!]!) { updateManyObjects(inputs: $i) { labelPlural } }", i=inputs
    )
    assert done["updateManyObjects"] == [{"labelPlural": "Firms"}, {"labelPlural": "Humans"}]
    bad = [{"id": by_name["company"]["id"], "update": {"labelPlural": "Companies"}},
           {"id": by_name["person"]["id"], "update": {"labelPlural": ""}}]  # fmt: skip
    body = gql(client, "mutation($i: [UpdateOneObjectInput!]!) { updateManyObjects(inputs: $i) { id } }", i=bad)
    assert body["errors"] and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    after = {o["nameSingular"]: o for o in ok(client.get("/rest/metadata/objects?limit=200"))["data"]}
    assert after["company"]["labelPlural"] == "Firms"


def test_webhooks_show_their_application(client: Client) -> None:
    made = data(client, 'mutation { createWebhook(input: {targetUrl: "http://127.0.0.1:9/h", operations: ["*.*"]}) '
                        "{ id secret applicationId } }")["createWebhook"]  # fmt: skip
    workspace = data(client, "{ currentWorkspace { workspaceCustomApplicationId } }")["currentWorkspace"]
    assert made["applicationId"] == workspace["workspaceCustomApplicationId"] and len(made["secret"]) >= 32
    changed = data(client, "mutation($id: UUID!) { updateWebhook(input: {id: $id, update: {description: \"d\"}}) "
                           "{ description } }", id=made["id"])  # fmt: skip
    assert changed == {"updateWebhook": {"description": "d"}}
