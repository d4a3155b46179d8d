"""API keys, roles and permissions over HTTP (auth-and-limits.md §2, §4-§7; metadata.md §1; graphql.md §12)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from conftest import Client, make_app

FUTURE = "2030-01-01T00:00:00.000Z"
FUTURE_EXP = 1893456000  # FUTURE as seconds since the epoch
DENIED = "Entity performing the request does not have permission"
FORBIDDEN_BODY = {"statusCode": 403, "error": "ForbiddenException", "messages": [DENIED]}
REVOKED_BODY = {"statusCode": 403, "error": "FORBIDDEN_EXCEPTION", "messages": ["This API Key is revoked"]}
EXPIRED_BODY = {"statusCode": 401, "error": "UNAUTHENTICATED", "messages": ["Token has expired."]}
DENIED_EXTENSIONS = {
    "code": "FORBIDDEN",
    "subCode": "PERMISSION_DENIED",
    "userFriendlyMessage": "User does not have permission.",
}
REVOKED_GQL = {
    "errors": [
        {
            "message": "This API Key is revoked",
            "extensions": {
                "code": "FORBIDDEN",
                "subCode": "FORBIDDEN_EXCEPTION",
                "userFriendlyMessage": "An error occurred.",
            },
        }
    ]
}
EXPIRED_GQL = {
    "errors": [
        {
            "message": "Token has expired.",
            "extensions": {
                "code": "UNAUTHENTICATED",
                "subCode": "UNAUTHENTICATED",
                "userFriendlyMessage": "You must be authenticated to perform this action.",
            },
        }
    ]
}
STANDARD_IDS = {
    "Admin": "20202020-0001-0001-0001-000000000001",
    "Member": "20202020-0001-0001-0001-000000000002",
    "Guest": "20202020-0001-0001-0001-000000000003",
}
ROLE_FIELDS = """id label standardId isEditable canUpdateAllSettings canReadAllObjectRecords
  canUpdateAllObjectRecords canSoftDeleteAllObjectRecords canDestroyAllObjectRecords canBeAssignedToApiKeys
  permissionFlags { flag } apiKeys { id }"""
PEOPLE_QUERY = "{ people { totalCount edges { node { id } } } }"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def gql(client: Client, path: str, query: str, **variables: Any) -> dict[str, Any]:
    """A GraphQL document on /graphql or /metadata; always HTTP 200."""
    resp = client.post(path, json={"query": query, "variables": variables})
    assert resp.status_code == 200, resp
    return resp.json()


def meta(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    return gql(client, "/metadata", query, **variables)


def ok(body: dict[str, Any], field: str) -> Any:
    assert not body.get("errors"), body
    return body["data"][field]


def first_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    return body["errors"][0]


def without_locations(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in err.items() if k != "locations"} for err in errors]


def assert_gql_denied(body: dict[str, Any], field: str, *, strict: bool = True) -> None:
    """The permission error of auth-and-limits.md §7.3: data.<field> null, FORBIDDEN / PERMISSION_DENIED."""
    expected = [{"message": DENIED, "path": [field], "extensions": DENIED_EXTENSIONS}]
    assert without_locations(body.get("errors", [])) == expected, body
    if strict:
        assert body["data"] == {field: None}, body
    else:  # a non-null root field nulls the whole data object
        assert "data" in body and body["data"] in (None, {field: None}), body


def b64url_json(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def workspace_id(client: Client) -> str:
    return ok(meta(client, "{ currentWorkspace { id } }"), "currentWorkspace")["id"]


def roles(client: Client) -> dict[str, dict[str, Any]]:
    return {r["label"]: r for r in ok(meta(client, f"{{ getRoles {{ {ROLE_FIELDS} }} }}"), "getRoles")}


def role_id(client: Client, label: str) -> str:
    return roles(client)[label]["id"]


def objects(client: Client) -> dict[str, dict[str, Any]]:
    resp = client.get("/rest/metadata/objects?limit=60")
    assert resp.status_code == 200, resp
    return {o["nameSingular"]: o for o in resp.json()["data"]}


def object_id(client: Client, name: str) -> str:
    return objects(client)[name]["id"]


def field_id(client: Client, obj: str, field: str) -> tuple[str, str]:
    meta_obj = objects(client)[obj]
    return meta_obj["id"], next(f["id"] for f in meta_obj["fields"] if f["name"] == field)


def create_key(client: Client, role: str | None = None, name: str = "ci key", expires: str = FUTURE) -> str:
    """A new API key (role given by id; Admin when not given: the newest Twenty requires a role); returns its id."""
    body = meta(
        client,
        "mutation($name: String!, $expiresAt: String!, $roleId: UUID!) {"
        " createApiKey(input: {name: $name, expiresAt: $expiresAt, roleId: $roleId}) { id name expiresAt } }",
        name=name,
        expiresAt=expires,
        roleId=role or role_id(client, "Admin"),
    )
    return ok(body, "createApiKey")["id"]


def generate(client: Client, key_id: str, expires: str = FUTURE) -> dict[str, Any]:
    return meta(
        client,
        "mutation($id: UUID!, $expiresAt: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $expiresAt) { token } }",
        id=key_id,
        expiresAt=expires,
    )


def token_for(client: Client, key_id: str, expires: str = FUTURE) -> str:
    return ok(generate(client, key_id, expires), "generateApiKeyToken")["token"]


def revoke(client: Client, key_id: str) -> dict[str, Any]:
    return ok(
        meta(client, "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id revokedAt } }", id=key_id),
        "revokeApiKey",
    )


def key_client(client: Client, label_or_id: str, name: str = "ci key") -> Client:
    """A client authenticated with a fresh key of the role (standard label or role id)."""
    rid = role_id(client, label_or_id) if label_or_id in STANDARD_IDS else label_or_id
    return Client(client.app, token_for(client, create_key(client, rid, name)))


def create_role(client: Client, label: str = "Custom", **flags: Any) -> str:
    body = meta(
        client,
        "mutation($input: CreateRoleInput!) { createOneRole(createRoleInput: $input) { id } }",
        input={"label": label, **flags},
    )
    return ok(body, "createOneRole")["id"]


ALL_RECORDS = {
    "canReadAllObjectRecords": True,
    "canUpdateAllObjectRecords": True,
    "canSoftDeleteAllObjectRecords": True,
    "canDestroyAllObjectRecords": True,
}


def upsert_object_permissions(client: Client, rid: str, perms: list[dict[str, Any]]) -> dict[str, Any]:
    return meta(
        client,
        "mutation($input: UpsertObjectPermissionsInput!) {"
        " upsertObjectPermissions(upsertObjectPermissionsInput: $input) { objectMetadataId canReadObjectRecords } }",
        input={"roleId": rid, "objectPermissions": perms},
    )


def upsert_field_permissions(client: Client, rid: str, perms: list[dict[str, Any]]) -> dict[str, Any]:
    return meta(
        client,
        "mutation($input: UpsertFieldPermissionsInput!) {"
        " upsertFieldPermissions(upsertFieldPermissionsInput: $input) { fieldMetadataId canReadFieldValue canUpdateFieldValue } }",
        input={"roleId": rid, "fieldPermissions": perms},
    )


def upsert_flags(client: Client, rid: str, keys: list[str]) -> dict[str, Any]:
    return meta(
        client,
        "mutation($input: UpsertPermissionFlagsInput!) { upsertPermissionFlags(upsertPermissionFlagsInput: $input) { flag } }",
        input={"roleId": rid, "permissionFlagKeys": keys},
    )


def custom_client(client: Client, object_perms: dict[str, dict[str, Any]] | None = None, **flags: Any) -> Client:
    """A key of a new custom role with the given role-wide flags and per-object permissions (by object name)."""
    rid = create_role(client, "Custom", **flags)
    if object_perms:
        objs = objects(client)
        perms = [{"objectMetadataId": objs[name]["id"], **p} for name, p in object_perms.items()]
        ok(upsert_object_permissions(client, rid, perms), "upsertObjectPermissions")
    return key_client(client, rid)


def new_person(client: Client, **data: Any) -> dict[str, Any]:
    payload = {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "jobTitle": "Engineer", "city": "London"}
    payload.update(data)
    resp = client.post("/rest/people", json=payload)
    assert resp.status_code == 201, resp
    return resp.json()["data"]["createPerson"]


def new_company(client: Client, name: str = "Acme") -> dict[str, Any]:
    resp = client.post("/rest/companies", json={"name": name})
    assert resp.status_code == 201, resp
    return resp.json()["data"]["createCompany"]


def get_person(client: Client, pid: str) -> dict[str, Any]:
    resp = client.get(f"/rest/people/{pid}")
    assert resp.status_code == 200, resp
    return resp.json()["data"]["person"]


def people_count(client: Client) -> int:
    resp = client.get("/rest/people")
    assert resp.status_code == 200, resp
    return resp.json()["totalCount"]


def person_exists(client: Client, pid: str) -> bool:
    """Whether the record is still there and not soft-deleted."""
    resp = client.get(f"/rest/people/{pid}")
    return resp.status_code == 200


def assert_forbidden(resp: Any) -> None:
    assert resp.status_code == 403, resp
    assert resp.json() == FORBIDDEN_BODY


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 15, 10, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timed(clock: FakeClock) -> Client:
    """An admin client over an app whose clock the test moves."""
    return Client(make_app(clock=clock))


# --------------------------------------------------------------------------------------------
# §2 API key tokens
# --------------------------------------------------------------------------------------------


def test_token_header_and_claims(timed: Client, clock: FakeClock) -> None:
    admin = role_id(timed, "Admin")
    key_id = create_key(timed, admin)
    token = token_for(timed, key_id, "2026-03-01T12:00:00.000Z")
    parts = token.split(".")
    assert len(parts) == 3
    assert b64url_json(parts[0]) == {"alg": "HS256", "typ": "JWT"}
    claims = b64url_json(parts[1])
    ws = workspace_id(timed)
    assert claims["sub"] == ws
    assert claims["workspaceId"] == ws
    assert claims["type"] == "API_KEY"
    assert claims["jti"] == key_id
    assert claims["exp"] == int(datetime(2026, 3, 1, 12, tzinfo=timezone.utc).timestamp())
    assert claims["iat"] == int(clock.now.timestamp())


def test_token_exp_is_the_expires_at_given_not_the_key_expiry(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"), expires="2031-06-01T00:00:00.000Z")
    claims = b64url_json(token_for(client, key_id, FUTURE).split(".")[1])
    assert claims["exp"] == FUTURE_EXP
    assert claims["jti"] == key_id


def test_key_token_works_on_rest(client: Client) -> None:
    new_person(client)
    api = key_client(client, "Admin")
    resp = api.get("/rest/people")
    assert resp.status_code == 200, resp
    assert resp.json()["totalCount"] == 1


def test_key_token_works_on_graphql_and_metadata(client: Client) -> None:
    new_person(client)
    api = key_client(client, "Admin")
    assert ok(gql(api, "/graphql", PEOPLE_QUERY), "people")["totalCount"] == 1
    assert workspace_id(api) == workspace_id(client)


def test_revoked_key_fails_on_rest_with_every_token(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"))
    tokens = [token_for(client, key_id), token_for(client, key_id, "2029-01-01T00:00:00.000Z")]
    for token in tokens:
        assert Client(client.app, token).get("/rest/people").status_code == 200
    revoked = revoke(client, key_id)
    assert revoked["id"] == key_id
    assert revoked["revokedAt"] is not None
    for token in tokens:
        resp = Client(client.app, token).get("/rest/people")
        assert resp.status_code == 403, resp
        assert resp.json() == REVOKED_BODY


def test_revoked_key_fails_on_graphql_without_data(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"))
    api = Client(client.app, token_for(client, key_id))
    revoke(client, key_id)
    for path, query in (("/graphql", PEOPLE_QUERY), ("/metadata", "{ currentWorkspace { id } }")):
        resp = api.post(path, json={"query": query})
        assert resp.status_code == 200, resp
        assert resp.json() == REVOKED_GQL


def test_revoking_through_update_api_key_kills_the_token(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"))
    api = Client(client.app, token_for(client, key_id))
    body = meta(
        client,
        "mutation($id: UUID!, $at: String!) { updateApiKey(input: {id: $id, revokedAt: $at}) { id revokedAt } }",
        id=key_id,
        at="2026-01-01T00:00:00.000Z",
    )
    assert ok(body, "updateApiKey")["revokedAt"] is not None
    resp = api.get("/rest/people")
    assert resp.status_code == 403
    assert resp.json() == REVOKED_BODY


def test_regenerated_token_for_the_same_key_works(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Member"))
    first = token_for(client, key_id)
    second = token_for(client, key_id, "2032-01-01T00:00:00.000Z")
    assert first != second
    assert b64url_json(second.split(".")[1])["jti"] == key_id
    for token in (first, second):
        assert Client(client.app, token).get("/rest/people").status_code == 200


def test_expired_token_on_rest(timed: Client, clock: FakeClock) -> None:
    key_id = create_key(timed, role_id(timed, "Admin"))
    api = Client(timed.app, token_for(timed, key_id, "2026-01-15T11:00:00.000Z"))
    assert api.get("/rest/people").status_code == 200
    clock.now += timedelta(hours=2)
    resp = api.get("/rest/people")
    assert resp.status_code == 401
    assert resp.json() == EXPIRED_BODY


def test_expired_token_on_graphql(timed: Client, clock: FakeClock) -> None:
    key_id = create_key(timed, role_id(timed, "Admin"))
    api = Client(timed.app, token_for(timed, key_id, "2026-01-15T11:00:00.000Z"))
    clock.now += timedelta(hours=2)
    for path, query in (("/graphql", PEOPLE_QUERY), ("/metadata", "{ currentWorkspace { id } }")):
        resp = api.post(path, json={"query": query})
        assert resp.status_code == 200
        assert resp.json() == EXPIRED_GQL


def test_key_row_expiry_is_not_reread(timed: Client, clock: FakeClock) -> None:
    """Expiry is enforced only through the JWT exp (§2.1)."""
    key_id = create_key(timed, role_id(timed, "Admin"), expires="2026-01-15T11:00:00.000Z")
    api = Client(timed.app, token_for(timed, key_id, "2026-02-15T00:00:00.000Z"))
    clock.now += timedelta(days=3)
    assert api.get("/rest/people").status_code == 200


def test_generate_token_for_revoked_key_fails(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"))
    revoke(client, key_id)
    body = generate(client, key_id)
    assert not (body.get("data") or {}).get("generateApiKeyToken")
    assert first_error(body)["message"] == "This API Key is revoked"


def test_generate_token_for_unknown_key_fails(client: Client) -> None:
    unknown = str(uuid.uuid4())
    body = generate(client, unknown)
    assert not (body.get("data") or {}).get("generateApiKeyToken")
    err = first_error(body)
    assert err["message"] == f"API Key with id {unknown} not found"
    assert err["extensions"]["code"] == "NOT_FOUND"


def test_generate_token_with_past_expiry_fails(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"))
    body = generate(client, key_id, "2020-01-01T00:00:00.000Z")
    assert not (body.get("data") or {}).get("generateApiKeyToken")
    err = first_error(body)
    assert err["message"] == "This API Key has expired"
    assert err["extensions"]["code"] == "FORBIDDEN"


def test_api_keys_lists_only_non_revoked_keys(client: Client) -> None:
    live = create_key(client, role_id(client, "Admin"), name="live")
    dead = create_key(client, role_id(client, "Admin"), name="dead")
    revoke(client, dead)
    listed = ok(meta(client, "{ apiKeys { id name revokedAt } }"), "apiKeys")
    ids = {k["id"] for k in listed}
    assert live in ids
    assert dead not in ids
    assert all(k["revokedAt"] is None for k in listed)


def test_api_key_query_returns_key_with_role(client: Client) -> None:
    member = role_id(client, "Member")
    key_id = create_key(client, member, name="reader", expires=FUTURE)
    key = ok(
        meta(
            client, "query($id: UUID!) { apiKey(input: {id: $id}) { id name revokedAt role { id label } } }", id=key_id
        ),
        "apiKey",
    )
    assert key == {"id": key_id, "name": "reader", "revokedAt": None, "role": {"id": member, "label": "Member"}}


def test_update_api_key_renames(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"), name="old")
    body = meta(client, 'mutation($id: UUID!) { updateApiKey(input: {id: $id, name: "new"}) { id name } }', id=key_id)
    assert ok(body, "updateApiKey") == {"id": key_id, "name": "new"}
    listed = {k["id"]: k["name"] for k in ok(meta(client, "{ apiKeys { id name } }"), "apiKeys")}
    assert listed[key_id] == "new"


def test_a_key_cannot_be_made_without_a_role(client: Client) -> None:
    """The newest Twenty requires roleId, over GraphQL (the schema) and REST (400); nothing is made."""
    before = len(ok(meta(client, "{ apiKeys { id } }"), "apiKeys"))
    body = meta(client, 'mutation { createApiKey(input: {name: "x", expiresAt: "2030-01-01T00:00:00Z"}) { id } }')
    assert 'Field "CreateApiKeyInput.roleId" of required type "UUID!" was not provided.' in first_error(body)["message"]
    for role in (None, "", "not-a-uuid", 7):
        resp = client.post("/rest/metadata/apiKeys", json={"name": "x", "expiresAt": FUTURE, "roleId": role})
        assert resp.status_code == 400 and resp.json()["messages"] == ["roleId must be a UUID"], resp.json()
    assert len(ok(meta(client, "{ apiKeys { id } }"), "apiKeys")) == before


def test_key_without_role_is_refused_on_record_calls(client: Client) -> None:
    """A key left with no role (only a database of an older twenty_lite could hold one) can do nothing."""
    key_id = create_key(client, None)
    token = token_for(client, key_id)
    with client.app.state.store.write() as conn:
        conn.execute("UPDATE api_key SET role_id = NULL WHERE id = ?", (key_id,))
    api = Client(client.app, token)
    for resp in (api.get("/rest/people"), api.post("/rest/people", json={"name": {"firstName": "X"}})):
        assert resp.status_code == 403, resp
        assert resp.json()["statusCode"] == 403
        assert resp.json()["error"] == "ForbiddenException"
    body = gql(api, "/graphql", PEOPLE_QUERY)
    assert first_error(body)["extensions"]["code"] == "FORBIDDEN"
    assert (body.get("data") or {}).get("people") is None
    assert people_count(client) == 0


def test_assigning_a_role_to_a_roleless_key_lets_it_read(client: Client) -> None:
    key_id = create_key(client, None)
    api = Client(client.app, token_for(client, key_id))
    with client.app.state.store.write() as conn:  # a key with no role: left by an older twenty_lite
        conn.execute("UPDATE api_key SET role_id = NULL WHERE id = ?", (key_id,))
    assert api.get("/rest/people").status_code == 403
    body = meta(
        client,
        "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }",
        k=key_id,
        r=role_id(client, "Guest"),
    )
    assert ok(body, "assignRoleToApiKey") is True
    assert api.get("/rest/people").status_code == 200


def test_assign_role_replaces_the_previous_role(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Member"))
    api = Client(client.app, token_for(client, key_id))
    guest = role_id(client, "Guest")
    body = meta(
        client, "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }", k=key_id, r=guest
    )
    assert ok(body, "assignRoleToApiKey") is True
    listed = roles(client)
    assert {"id": key_id} in listed["Guest"]["apiKeys"]
    assert {"id": key_id} not in (listed["Member"]["apiKeys"] or [])
    assert_forbidden(api.post("/rest/people", json={"name": {"firstName": "X"}}))


def test_assigning_a_role_not_assignable_to_api_keys_is_bad_user_input(client: Client) -> None:
    rid = create_role(client, "Humans only", canReadAllObjectRecords=True, canBeAssignedToApiKeys=False)
    key_id = create_key(client, role_id(client, "Member"))
    body = meta(
        client, "mutation($k: UUID!, $r: UUID!) { assignRoleToApiKey(apiKeyId: $k, roleId: $r) }", k=key_id, r=rid
    )
    ext = first_error(body)["extensions"]
    assert ext["code"] == "BAD_USER_INPUT"
    assert ext["subCode"] == "ROLE_CANNOT_BE_ASSIGNED_TO_API_KEYS"
    assert {"id": key_id} in roles(client)["Member"]["apiKeys"]


def test_records_created_with_a_key_carry_its_name(client: Client) -> None:
    api = key_client(client, "Member", name="ci key")
    person = new_person(api)
    assert person["createdBy"] == {"source": "API", "workspaceMemberId": None, "name": "ci key", "context": {}}
    body = gql(
        api,
        "/graphql",
        'mutation { createCompany(data: {name: "Acme"}) { id createdBy { source name workspaceMemberId } } }',
    )
    assert ok(body, "createCompany")["createdBy"] == {"source": "API", "name": "ci key", "workspaceMemberId": None}


# --------------------------------------------------------------------------------------------
# §4.3 REST API key routes
# --------------------------------------------------------------------------------------------


def test_rest_api_keys_list_envelope_leaves_out_revoked(client: Client) -> None:
    live = create_key(client, role_id(client, "Admin"), name="live")
    dead = create_key(client, role_id(client, "Admin"), name="dead")
    revoke(client, dead)
    resp = client.get("/rest/metadata/apiKeys")
    assert resp.status_code == 200, resp
    body = resp.json()
    assert set(body) == {"data", "pageInfo", "totalCount"}
    ids = [k["id"] for k in body["data"]]
    assert live in ids
    assert dead not in ids
    assert body["totalCount"] == len(ids)


def test_rest_api_key_create_then_delete_revokes(client: Client) -> None:
    resp = client.post(
        "/rest/metadata/apiKeys", json={"name": "rest key", "expiresAt": FUTURE, "roleId": role_id(client, "Admin")}
    )
    assert resp.status_code == 201, resp
    created = resp.json()
    key = created.get("data", created) if isinstance(created.get("data"), dict) else created
    key_id = key["id"]
    assert key["name"] == "rest key"
    api = Client(client.app, token_for(client, key_id))
    assert api.get("/rest/people").status_code == 200
    resp = client.delete(f"/rest/metadata/apiKeys/{key_id}")
    assert resp.status_code == 200, resp
    resp = api.get("/rest/people")
    assert resp.status_code == 403
    assert resp.json() == REVOKED_BODY
    assert key_id not in {k["id"] for k in client.get("/rest/metadata/apiKeys").json()["data"]}


def test_deprecated_rest_api_keys_alias(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Admin"), name="alias")
    resp = client.get("/rest/apiKeys")
    assert resp.status_code == 200, resp
    assert isinstance(resp.json(), list)
    assert key_id in {k["id"] for k in resp.json()}
    assert resp.headers["deprecation"] == "@1786320000"
    assert resp.headers["link"] == '</rest/metadata/apiKeys>; rel="successor-version"'


# --------------------------------------------------------------------------------------------
# §6 roles
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "settings", "update", "editable"),
    [("Admin", True, True, False), ("Member", False, True, True), ("Guest", False, False, False)],
)
def test_standard_roles(client: Client, label: str, settings: bool, update: bool, editable: bool) -> None:
    role = roles(client)[label]
    assert role["standardId"] == STANDARD_IDS[label]
    assert role["isEditable"] is editable
    assert role["canUpdateAllSettings"] is settings
    assert role["canReadAllObjectRecords"] is True
    assert role["canUpdateAllObjectRecords"] is update
    assert role["canSoftDeleteAllObjectRecords"] is update
    assert role["canDestroyAllObjectRecords"] is update


def test_exactly_three_standard_roles(client: Client) -> None:
    listed = roles(client)
    assert set(listed) == {"Admin", "Member", "Guest"}


@pytest.mark.parametrize("label", ["Admin", "Guest"])
def test_admin_and_guest_are_not_editable(client: Client, label: str) -> None:
    rid = role_id(client, label)
    body = meta(
        client,
        'mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Renamed", canDestroyAllObjectRecords: false}}) { id } }',
        id=rid,
    )
    assert first_error(body)["message"] == "Role is not editable"
    after = roles(client)
    assert label in after
    assert after[label]["id"] == rid
    assert after[label]["canReadAllObjectRecords"] is True


def test_guest_object_permissions_cannot_be_changed(client: Client) -> None:
    body = upsert_object_permissions(
        client,
        role_id(client, "Guest"),
        [
            {
                "objectMetadataId": object_id(client, "person"),
                "canReadObjectRecords": True,
                "canUpdateObjectRecords": True,
            }
        ],
    )
    assert first_error(body)["message"] == "Role is not editable"
    api = key_client(client, "Guest")
    assert_forbidden(api.post("/rest/people", json={"name": {"firstName": "X"}}))


def test_admin_role_cannot_be_deleted(client: Client) -> None:
    rid = role_id(client, "Admin")
    body = meta(client, "mutation($id: UUID!) { deleteOneRole(roleId: $id) }", id=rid)
    assert body.get("errors"), body
    assert roles(client)["Admin"]["id"] == rid


def test_member_role_is_editable(client: Client) -> None:
    rid = role_id(client, "Member")
    body = meta(
        client,
        "mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {canDestroyAllObjectRecords: false}}) { id canDestroyAllObjectRecords } }",
        id=rid,
    )
    assert ok(body, "updateOneRole") == {"id": rid, "canDestroyAllObjectRecords": False}
    person = new_person(client)
    assert_forbidden(key_client(client, "Member").delete(f"/rest/people/{person['id']}"))


def test_create_custom_role_defaults(client: Client) -> None:
    body = meta(client, f'mutation {{ createOneRole(createRoleInput: {{label: "Sales"}}) {{ {ROLE_FIELDS} }} }}')
    role = ok(body, "createOneRole")
    assert role["label"] == "Sales"
    assert role["standardId"] is None
    assert role["isEditable"] is True
    assert role["canBeAssignedToApiKeys"] is True
    for flag in (
        "canUpdateAllSettings",
        "canReadAllObjectRecords",
        "canUpdateAllObjectRecords",
        "canSoftDeleteAllObjectRecords",
        "canDestroyAllObjectRecords",
    ):
        assert role[flag] is False, flag
    assert roles(client)["Sales"]["id"] == role["id"]


def test_custom_role_without_flags_cannot_read(client: Client) -> None:
    api = key_client(client, create_role(client, "Nothing"))
    assert_forbidden(api.get("/rest/people"))


def test_update_custom_role(client: Client) -> None:
    rid = create_role(client, "Sales")
    api = key_client(client, rid)
    assert_forbidden(api.get("/rest/people"))
    body = meta(
        client,
        'mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Sales team", canReadAllObjectRecords: true}}) { id label canReadAllObjectRecords } }',
        id=rid,
    )
    assert ok(body, "updateOneRole") == {"id": rid, "label": "Sales team", "canReadAllObjectRecords": True}
    listed = roles(client)
    assert "Sales" not in listed
    assert listed["Sales team"]["id"] == rid
    assert api.get("/rest/people").status_code == 200


def test_delete_custom_role(client: Client) -> None:
    rid = create_role(client, "Temp")
    body = meta(client, "mutation($id: UUID!) { deleteOneRole(roleId: $id) }", id=rid)
    assert ok(body, "deleteOneRole") == rid
    assert "Temp" not in roles(client)


def test_duplicate_role_label_on_create(client: Client) -> None:
    create_role(client, "Sales")
    body = meta(client, 'mutation { createOneRole(createRoleInput: {label: "Sales"}) { id } }')
    assert first_error(body)["message"] == "A role with this label already exists"
    assert sum(1 for label in roles(client) if label == "Sales") == 1
    body = meta(client, 'mutation { createOneRole(createRoleInput: {label: "Member"}) { id } }')
    assert first_error(body)["message"] == "A role with this label already exists"


def test_duplicate_role_label_on_update(client: Client) -> None:
    rid = create_role(client, "Sales")
    body = meta(
        client,
        'mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Member"}}) { id } }',
        id=rid,
    )
    assert first_error(body)["message"] == "A role with this label already exists"
    assert roles(client)["Sales"]["id"] == rid


def test_deleting_a_role_keeps_its_keys_working_for_reads(client: Client) -> None:
    rid = create_role(client, "Temp", canReadAllObjectRecords=True)
    new_person(client)
    api = key_client(client, rid)
    assert api.get("/rest/people").status_code == 200
    ok(meta(client, "mutation($id: UUID!) { deleteOneRole(roleId: $id) }", id=rid), "deleteOneRole")
    resp = api.get("/rest/people")
    assert resp.status_code == 200, resp
    assert resp.json()["totalCount"] == 1


def test_get_roles_lists_assigned_keys(client: Client) -> None:
    key_id = create_key(client, role_id(client, "Guest"))
    listed = roles(client)
    assert {"id": key_id} in listed["Guest"]["apiKeys"]
    assert {"id": key_id} not in (listed["Admin"]["apiKeys"] or [])


# --------------------------------------------------------------------------------------------
# §7 Guest
# --------------------------------------------------------------------------------------------


def test_guest_reads_people_over_rest_and_graphql(client: Client) -> None:
    person = new_person(client)
    api = key_client(client, "Guest")
    assert get_person(api, person["id"])["jobTitle"] == "Engineer"
    resp = api.get("/rest/people")
    assert resp.status_code == 200
    assert resp.json()["totalCount"] == 1
    data = ok(gql(api, "/graphql", PEOPLE_QUERY), "people")
    assert data["edges"] == [{"node": {"id": person["id"]}}]


def test_guest_cannot_create_over_rest(client: Client) -> None:
    api = key_client(client, "Guest")
    assert_forbidden(api.post("/rest/people", json={"name": {"firstName": "X"}}))
    assert_forbidden(api.post("/rest/batch/people", json=[{"name": {"firstName": "X"}}]))
    assert people_count(client) == 0


def test_guest_cannot_update_over_rest(client: Client) -> None:
    person = new_person(client)
    api = key_client(client, "Guest")
    assert_forbidden(api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Hacker"}))
    assert get_person(client, person["id"])["jobTitle"] == "Engineer"


@pytest.mark.parametrize("query", ["?soft_delete=true", ""])
def test_guest_cannot_delete_over_rest(client: Client, query: str) -> None:
    person = new_person(client)
    api = key_client(client, "Guest")
    assert_forbidden(api.delete(f"/rest/people/{person['id']}{query}"))
    assert get_person(client, person["id"])["deletedAt"] is None


@pytest.mark.parametrize(
    ("field", "document"),
    [
        ("createPerson", 'mutation { createPerson(data: {jobTitle: "X"}) { id } }'),
        ("updatePerson", 'mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: "X"}) { id } }'),
        ("deletePerson", "mutation($id: UUID!) { deletePerson(id: $id) { id } }"),
        ("destroyPerson", "mutation($id: UUID!) { destroyPerson(id: $id) { id } }"),
    ],
)
def test_guest_mutations_are_denied_on_graphql(client: Client, field: str, document: str) -> None:
    person = new_person(client)
    api = key_client(client, "Guest")
    variables = {"id": person["id"]} if "$id" in document else {}
    assert_gql_denied(gql(api, "/graphql", document, **variables), field)
    assert people_count(client) == 1
    after = get_person(client, person["id"])
    assert after["jobTitle"] == "Engineer"
    assert after["deletedAt"] is None


# --------------------------------------------------------------------------------------------
# §7 Member
# --------------------------------------------------------------------------------------------


def test_member_writes_records_over_rest(client: Client) -> None:
    api = key_client(client, "Member")
    person = new_person(api)
    resp = api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Analyst"})
    assert resp.status_code == 200, resp
    assert get_person(client, person["id"])["jobTitle"] == "Analyst"
    assert api.delete(f"/rest/people/{person['id']}?soft_delete=true").status_code == 200
    assert not person_exists(client, person["id"])
    other = new_person(api)
    assert api.delete(f"/rest/people/{other['id']}").status_code == 200
    assert people_count(client) == 0


def test_member_writes_records_over_graphql(client: Client) -> None:
    api = key_client(client, "Member")
    body = gql(api, "/graphql", 'mutation { createPerson(data: {jobTitle: "Chef"}) { id jobTitle } }')
    assert ok(body, "createPerson")["jobTitle"] == "Chef"
    assert people_count(client) == 1


def test_member_cannot_change_metadata_over_rest(client: Client) -> None:
    api = key_client(client, "Member")
    person_obj = object_id(client, "person")
    resp = api.post(
        "/rest/metadata/fields",
        json={"objectMetadataId": person_obj, "type": "TEXT", "name": "nickname", "label": "Nickname"},
    )
    assert_forbidden(resp)
    assert_forbidden(api.patch(f"/rest/metadata/objects/{person_obj}", json={"labelSingular": "Human"}))
    assert "nickname" not in {f["name"] for f in objects(client)["person"]["fields"]}


def test_member_cannot_read_rest_metadata(client: Client) -> None:
    api = key_client(client, "Member")
    assert_forbidden(api.get("/rest/metadata/objects"))


def test_member_can_read_graphql_metadata(client: Client) -> None:
    api = key_client(client, "Member")
    body = meta(api, "{ objects(paging: {first: 100}) { edges { node { nameSingular } } } }")
    names = {e["node"]["nameSingular"] for e in ok(body, "objects")["edges"]}
    assert {"person", "company", "opportunity"} <= names


def test_member_cannot_change_metadata_over_graphql(client: Client) -> None:
    api = key_client(client, "Member")
    body = meta(
        api,
        "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { id } }",
        input={
            "field": {
                "objectMetadataId": object_id(client, "person"),
                "type": "TEXT",
                "name": "nickname",
                "label": "Nickname",
            }
        },
    )
    assert_gql_denied(body, "createOneField", strict=False)
    assert "nickname" not in {f["name"] for f in objects(client)["person"]["fields"]}


@pytest.mark.parametrize(
    ("field", "document"),
    [
        (
            "createApiKey",
            'mutation($role: UUID!) { createApiKey(input: {name: "x", expiresAt: "2030-01-01T00:00:00.000Z", '
            "roleId: $role}) { id } }",
        ),
        (
            "generateApiKeyToken",
            'mutation($id: UUID!) { generateApiKeyToken(apiKeyId: $id, expiresAt: "2030-01-01T00:00:00.000Z") { token } }',
        ),
        ("revokeApiKey", "mutation($id: UUID!) { revokeApiKey(input: {id: $id}) { id } }"),
        ("apiKeys", "{ apiKeys { id } }"),
    ],
)
def test_member_cannot_manage_api_keys_over_graphql(client: Client, field: str, document: str) -> None:
    victim = create_key(client, role_id(client, "Admin"), name="victim")
    api = key_client(client, "Member")
    variables = (
        {"id": victim} if "$id" in document else {"role": role_id(client, "Member")} if "$role" in document else {}
    )
    assert_gql_denied(meta(api, document, **variables), field, strict=False)
    assert victim in {k["id"] for k in ok(meta(client, "{ apiKeys { id } }"), "apiKeys")}


def test_member_cannot_manage_api_keys_over_rest(client: Client) -> None:
    api = key_client(client, "Member")
    assert_forbidden(api.get("/rest/metadata/apiKeys"))
    assert_forbidden(api.post("/rest/metadata/apiKeys", json={"name": "x", "expiresAt": FUTURE}))


@pytest.mark.parametrize(
    ("field", "document"),
    [
        ("createOneRole", 'mutation { createOneRole(createRoleInput: {label: "Mine"}) { id } }'),
        (
            "updateOneRole",
            'mutation($id: UUID!) { updateOneRole(updateRoleInput: {id: $id, update: {label: "Mine"}}) { id } }',
        ),
        ("deleteOneRole", "mutation($id: UUID!) { deleteOneRole(roleId: $id) }"),
        (
            "upsertPermissionFlags",
            'mutation($id: UUID!) { upsertPermissionFlags(upsertPermissionFlagsInput: {roleId: $id, permissionFlagKeys: ["ROLES"]}) { flag } }',
        ),
    ],
)
def test_member_cannot_change_roles(client: Client, field: str, document: str) -> None:
    target = create_role(client, "Target")
    api = key_client(client, "Member")
    variables = {"id": target} if "$id" in document else {}
    assert_gql_denied(meta(api, document, **variables), field, strict=False)
    listed = roles(client)
    assert "Mine" not in listed
    assert listed["Target"]["id"] == target
    assert listed["Target"]["permissionFlags"] in ([], None)


def test_member_cannot_upsert_object_permissions(client: Client) -> None:
    target = create_role(client, "Target")
    api = key_client(client, "Member")
    body = upsert_object_permissions(
        api, target, [{"objectMetadataId": object_id(client, "person"), "canReadObjectRecords": True}]
    )
    assert_gql_denied(body, "upsertObjectPermissions", strict=False)


# --------------------------------------------------------------------------------------------
# §7 per-object permissions
# --------------------------------------------------------------------------------------------

NO_OPPORTUNITY = {
    "opportunity": {
        "canReadObjectRecords": False,
        "canUpdateObjectRecords": False,
        "canSoftDeleteObjectRecords": False,
        "canDestroyObjectRecords": False,
    }
}


def seed_opportunity(client: Client) -> tuple[dict[str, Any], str]:
    person = new_person(client)
    resp = client.post("/rest/opportunities", json={"name": "Deal", "pointOfContactId": person["id"]})
    assert resp.status_code == 201, resp
    return person, resp.json()["data"]["createOpportunity"]["id"]


def test_unreadable_object_is_forbidden_over_rest(client: Client) -> None:
    _, opp = seed_opportunity(client)
    api = custom_client(client, NO_OPPORTUNITY, **ALL_RECORDS)
    assert_forbidden(api.get("/rest/opportunities"))
    assert_forbidden(api.get(f"/rest/opportunities/{opp}"))
    assert_forbidden(api.post("/rest/opportunities", json={"name": "Another"}))
    assert api.get("/rest/people").status_code == 200


def test_unreadable_object_is_forbidden_over_graphql(client: Client) -> None:
    seed_opportunity(client)
    api = custom_client(client, NO_OPPORTUNITY, **ALL_RECORDS)
    assert_gql_denied(gql(api, "/graphql", "{ opportunities { edges { node { id } } } }"), "opportunities")
    assert ok(gql(api, "/graphql", PEOPLE_QUERY), "people")["totalCount"] == 1


def test_unreadable_relation_is_left_out_at_depth_1(client: Client) -> None:
    person, opp = seed_opportunity(client)
    full = client.get(f"/rest/people/{person['id']}?depth=1").json()["data"]["person"]
    assert [o["id"] for o in full["pointOfContactForOpportunities"]] == [opp]
    api = custom_client(client, NO_OPPORTUNITY, **ALL_RECORDS)
    resp = api.get(f"/rest/people/{person['id']}?depth=1")
    assert resp.status_code == 200, resp
    record = resp.json()["data"]["person"]
    assert "pointOfContactForOpportunities" not in record
    assert "company" in record
    assert record["id"] == person["id"]


def test_unreadable_relation_is_refused_in_graphql(client: Client) -> None:
    person, _ = seed_opportunity(client)
    api = custom_client(client, NO_OPPORTUNITY, **ALL_RECORDS)
    body = gql(
        api,
        "/graphql",
        "query($id: UUID!) { person(filter: {id: {eq: $id}}) { id pointOfContactForOpportunities { edges { node { id } } } } }",
        id=person["id"],
    )
    err = first_error(body)
    assert err["message"] == DENIED
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert err["extensions"]["subCode"] == "PERMISSION_DENIED"


def test_object_permission_can_grant_read_on_top_of_a_no_read_role(client: Client) -> None:
    new_person(client)
    new_company(client)
    api = custom_client(client, {"company": {"canReadObjectRecords": True}})
    assert api.get("/rest/companies").status_code == 200
    assert_forbidden(api.get("/rest/people"))
    assert_forbidden(api.post("/rest/companies", json={"name": "Other"}))


def test_null_object_permission_inherits_role_flags(client: Client) -> None:
    person = new_person(client)
    api = custom_client(client, {"person": {"canReadObjectRecords": True}}, **ALL_RECORDS)
    resp = api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Analyst"})
    assert resp.status_code == 200, resp
    assert api.delete(f"/rest/people/{person['id']}").status_code == 200
    assert people_count(client) == 0


def test_update_flag_gates_create_and_update(client: Client) -> None:
    person = new_person(client)
    api = custom_client(client, {"person": {"canUpdateObjectRecords": False}}, **ALL_RECORDS)
    assert_forbidden(api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Analyst"}))
    assert_forbidden(api.post("/rest/people", json={"name": {"firstName": "X"}}))
    assert_gql_denied(gql(api, "/graphql", 'mutation { createPerson(data: {jobTitle: "X"}) { id } }'), "createPerson")
    assert get_person(client, person["id"])["jobTitle"] == "Engineer"
    assert people_count(client) == 1
    company = new_company(client)
    assert api.patch(f"/rest/companies/{company['id']}", json={"name": "Renamed"}).status_code == 200
    assert api.delete(f"/rest/people/{person['id']}?soft_delete=true").status_code == 200


def test_soft_delete_flag_gates_soft_delete_only(client: Client) -> None:
    person = new_person(client)
    api = custom_client(client, {"person": {"canSoftDeleteObjectRecords": False}}, **ALL_RECORDS)
    assert_forbidden(api.delete(f"/rest/people/{person['id']}?soft_delete=true"))
    assert_gql_denied(
        gql(api, "/graphql", "mutation($id: UUID!) { deletePerson(id: $id) { id } }", id=person["id"]), "deletePerson"
    )
    assert person_exists(client, person["id"])
    assert api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Analyst"}).status_code == 200
    assert api.delete(f"/rest/people/{person['id']}").status_code == 200
    assert people_count(client) == 0


def test_destroy_flag_gates_destroy_only(client: Client) -> None:
    person = new_person(client)
    api = custom_client(client, {"person": {"canDestroyObjectRecords": False}}, **ALL_RECORDS)
    assert_forbidden(api.delete(f"/rest/people/{person['id']}"))
    assert_gql_denied(
        gql(api, "/graphql", "mutation($id: UUID!) { destroyPerson(id: $id) { id } }", id=person["id"]), "destroyPerson"
    )
    assert person_exists(client, person["id"])
    assert api.delete(f"/rest/people/{person['id']}?soft_delete=true").status_code == 200
    assert not person_exists(client, person["id"])
    company = new_company(client)
    assert api.delete(f"/rest/companies/{company['id']}").status_code == 200


@pytest.mark.parametrize("write", ["canUpdateObjectRecords", "canSoftDeleteObjectRecords", "canDestroyObjectRecords"])
def test_write_without_read_is_rejected(client: Client, write: str) -> None:
    rid = create_role(client, "Writer")
    body = upsert_object_permissions(client, rid, [{"objectMetadataId": object_id(client, "opportunity"), write: True}])
    assert first_error(body)["message"] == "Cannot give writing permission without reading permission"
    assert roles(client)["Writer"]["id"] == rid


def test_write_with_explicit_no_read_is_rejected_even_if_role_reads(client: Client) -> None:
    rid = create_role(client, "Writer", canReadAllObjectRecords=True)
    body = upsert_object_permissions(
        client,
        rid,
        [
            {
                "objectMetadataId": object_id(client, "opportunity"),
                "canReadObjectRecords": False,
                "canUpdateObjectRecords": True,
            }
        ],
    )
    assert first_error(body)["message"] == "Cannot give writing permission without reading permission"


# --------------------------------------------------------------------------------------------
# §7 field permissions
# --------------------------------------------------------------------------------------------


def field_restricted_client(client: Client, field: str, **perm: Any) -> Client:
    rid = create_role(client, "Restricted", **ALL_RECORDS)
    obj_id, fid = field_id(client, "person", field)
    ok(
        upsert_field_permissions(client, rid, [{"objectMetadataId": obj_id, "fieldMetadataId": fid, **perm}]),
        "upsertFieldPermissions",
    )
    return key_client(client, rid)


def test_unreadable_field_is_left_out_of_rest_records(client: Client) -> None:
    person = new_person(client)
    api = field_restricted_client(client, "jobTitle", canReadFieldValue=False)
    one = get_person(api, person["id"])
    assert "jobTitle" not in one
    assert one["city"] == "London"
    assert one["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    listed = api.get("/rest/people").json()["data"]["people"]
    assert [("jobTitle" in p) for p in listed] == [False]


def test_unreadable_field_is_left_out_of_create_response(client: Client) -> None:
    api = field_restricted_client(client, "jobTitle", canReadFieldValue=False)
    resp = api.post("/rest/people", json={"name": {"firstName": "Bob"}, "city": "Paris"})
    assert resp.status_code == 201, resp
    record = resp.json()["data"]["createPerson"]
    assert "jobTitle" not in record
    assert record["city"] == "Paris"


def test_fields_parameter_naming_unreadable_field_is_400(client: Client) -> None:
    new_person(client)
    api = field_restricted_client(client, "jobTitle", canReadFieldValue=False)
    resp = api.get("/rest/people?fields=id,jobTitle")
    assert resp.status_code == 400, resp
    assert resp.json() == {
        "statusCode": 400,
        "error": "BadRequestException",
        "messages": ["'fields' parameter invalid. Unknown or unreadable fields on 'person': jobTitle"],
    }
    assert api.get("/rest/people?fields=id,city").status_code == 200
    assert client.get("/rest/people?fields=id,jobTitle").status_code == 200


def test_unreadable_field_is_refused_in_graphql(client: Client) -> None:
    new_person(client)
    api = field_restricted_client(client, "jobTitle", canReadFieldValue=False)
    body = gql(api, "/graphql", "{ people { edges { node { id jobTitle } } } }")
    ext = first_error(body)["extensions"]
    assert (ext["code"], ext["subCode"]) == ("FORBIDDEN", "PERMISSION_DENIED")
    assert ok(gql(api, "/graphql", "{ people { edges { node { id city } } } }"), "people")["edges"]


def test_non_updatable_field_write_is_403_and_changes_nothing(client: Client) -> None:
    person = new_person(client)
    api = field_restricted_client(client, "jobTitle", canUpdateFieldValue=False)
    assert get_person(api, person["id"])["jobTitle"] == "Engineer"
    assert_forbidden(api.patch(f"/rest/people/{person['id']}", json={"jobTitle": "Hacker", "city": "Paris"}))
    after = get_person(client, person["id"])
    assert (after["jobTitle"], after["city"]) == ("Engineer", "London")
    assert_forbidden(api.post("/rest/people", json={"name": {"firstName": "X"}, "jobTitle": "Spy"}))
    assert people_count(client) == 1
    assert api.patch(f"/rest/people/{person['id']}", json={"city": "Paris"}).status_code == 200
    assert get_person(client, person["id"])["city"] == "Paris"


def test_non_updatable_field_write_is_denied_in_graphql(client: Client) -> None:
    person = new_person(client)
    api = field_restricted_client(client, "jobTitle", canUpdateFieldValue=False)
    body = gql(
        api,
        "/graphql",
        'mutation($id: UUID!) { updatePerson(id: $id, data: {jobTitle: "Hacker"}) { id } }',
        id=person["id"],
    )
    assert_gql_denied(body, "updatePerson")
    assert get_person(client, person["id"])["jobTitle"] == "Engineer"


def test_field_permission_cannot_grant_update(client: Client) -> None:
    rid = create_role(client, "Restricted", **ALL_RECORDS)
    obj_id, fid = field_id(client, "person", "jobTitle")
    body = upsert_field_permissions(
        client, rid, [{"objectMetadataId": obj_id, "fieldMetadataId": fid, "canUpdateFieldValue": True}]
    )
    assert first_error(body)["message"] == "Field permission can only introduce a restriction"


# --------------------------------------------------------------------------------------------
# §6.3 permission flags
# --------------------------------------------------------------------------------------------


def test_data_model_flag_grants_metadata_changes(client: Client) -> None:
    rid = create_role(client, "Modeler", **ALL_RECORDS)
    api = key_client(client, rid)
    person_obj = object_id(client, "person")
    field = {"objectMetadataId": person_obj, "type": "TEXT", "name": "nickname", "label": "Nickname"}
    assert_forbidden(api.post("/rest/metadata/fields", json=field))
    flags = ok(upsert_flags(client, rid, ["DATA_MODEL"]), "upsertPermissionFlags")
    assert [f["flag"] for f in flags] == ["DATA_MODEL"]
    assert roles(client)["Modeler"]["permissionFlags"] == [{"flag": "DATA_MODEL"}]
    assert api.post("/rest/metadata/fields", json=field).status_code == 201
    assert api.get("/rest/metadata/objects").status_code == 200
    body = meta(
        api,
        "mutation($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) { name } }",
        input={"field": {**field, "name": "motto", "label": "Motto"}},
    )
    assert ok(body, "createOneField") == {"name": "motto"}
    names = {f["name"] for f in objects(client)["person"]["fields"]}
    assert {"nickname", "motto"} <= names


def test_data_model_flag_does_not_grant_api_keys_or_roles(client: Client) -> None:
    rid = create_role(client, "Modeler", **ALL_RECORDS)
    ok(upsert_flags(client, rid, ["DATA_MODEL"]), "upsertPermissionFlags")
    api = key_client(client, rid)
    assert_gql_denied(meta(api, "{ apiKeys { id } }"), "apiKeys", strict=False)
    assert_gql_denied(
        meta(api, 'mutation { createOneRole(createRoleInput: {label: "Mine"}) { id } }'), "createOneRole", strict=False
    )


def test_api_keys_flag_grants_key_management(client: Client) -> None:
    rid = create_role(client, "Keymaster")
    ok(upsert_flags(client, rid, ["API_KEYS_AND_WEBHOOKS"]), "upsertPermissionFlags")
    api = key_client(client, rid)
    key_id = create_key(api, None, name="made by keymaster")
    assert token_for(api, key_id)
    assert key_id in {k["id"] for k in ok(meta(api, "{ apiKeys { id } }"), "apiKeys")}


def test_roles_flag_grants_role_changes(client: Client) -> None:
    rid = create_role(client, "Role admin")
    ok(upsert_flags(client, rid, ["ROLES"]), "upsertPermissionFlags")
    api = key_client(client, rid)
    new_id = create_role(api, "Made by role admin")
    assert roles(client)["Made by role admin"]["id"] == new_id


def test_can_update_all_settings_grants_every_flag(client: Client) -> None:
    rid = create_role(client, "Settings", canUpdateAllSettings=True)
    api = key_client(client, rid)
    assert api.get("/rest/metadata/objects").status_code == 200
    assert isinstance(ok(meta(api, "{ apiKeys { id } }"), "apiKeys"), list)
    create_role(api, "Made by settings")


def new_member_body() -> dict[str, Any]:
    return {"name": {"firstName": "Grace", "lastName": "Hopper"}, "userId": str(uuid.uuid4())}


def test_workspace_member_writes_need_the_flag(client: Client) -> None:
    api = key_client(client, "Member")
    before = client.get("/rest/workspaceMembers").json()["totalCount"]
    assert api.get("/rest/workspaceMembers").status_code == 200
    assert_forbidden(api.post("/rest/workspaceMembers", json=new_member_body()))
    assert client.get("/rest/workspaceMembers").json()["totalCount"] == before


def test_workspace_members_flag_grants_member_writes(client: Client) -> None:
    rid = create_role(client, "People ops", **ALL_RECORDS)
    ok(upsert_flags(client, rid, ["WORKSPACE_MEMBERS"]), "upsertPermissionFlags")
    api = key_client(client, rid)
    resp = api.post("/rest/workspaceMembers", json=new_member_body())
    assert resp.status_code == 201, resp
    member_id = resp.json()["data"]["createWorkspaceMember"]["id"]
    resp = api.patch(f"/rest/workspaceMembers/{member_id}", json={"locale": "fr"})
    assert resp.status_code == 200, resp


def test_workspace_member_graphql_write_needs_the_flag(client: Client) -> None:
    api = key_client(client, "Member")
    body = gql(
        api,
        "/graphql",
        "mutation($data: WorkspaceMemberCreateInput!) { createWorkspaceMember(data: $data) { id } }",
        data=new_member_body(),
    )
    assert_gql_denied(body, "createWorkspaceMember")
