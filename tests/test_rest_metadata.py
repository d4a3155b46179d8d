"""REST metadata API (/rest/metadata/objects, /rest/metadata/fields) and its effect on the record
API: routes, legacy envelopes (a workspace with IS_REST_METADATA_API_NEW_FORMAT_DIRECT off; the new format,
Twenty's default, is pinned by test_rest_metadata_new_format.py), paging, output properties, custom objects and their default fields
and relations, every client-creatable field type, options, defaults, relations, naming rules and
the deactivation/deletion rules.

Reference: metadata.md §2, §4-§9; data-model.md §1-§5; rest.md §2-§7.
"""

from __future__ import annotations

import re
from typing import Any

import conftest
import pytest
from conftest import STANDARD_SINGULARS, CheckedClient, assert_error, client_with, new_id, ok

# --------------------------------------------------------------------------- messages (metadata.md §7, §9)

TOO_LONG = "Name is too long"
CAMEL = "Name should be in camelCase"
INVALID_CHARS = "Name is not valid: it must start with lowercase letter and contain only alphanumeric letters"
NOT_AVAILABLE = "The name is not available"
SAME_NAMES = "The singular and plural name cannot be the same for an object"
FIELD_USED = 'Name "{}" is not available as it is already used by another field'
FIELD_RESERVED = 'Name "{}" is not available'
NOT_SYNCED = 'Name is not synced with label. Expected name: "{}", got {}'
OBJECT_NOT_FOUND = {
    "statusCode": 404,
    "error": "NotFoundException",
    "messages": ["Object metadata not found"],
}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


# metadata.md §9.1: what a new custom object gets.
PET_DEFAULT_FIELDS = {
    # name: (type, isNullable, isSystem, defaultValue)
    "id": ("UUID", False, True, "uuid"),
    "name": ("TEXT", True, False, None),
    "createdAt": ("DATE_TIME", False, False, "now"),
    "updatedAt": ("DATE_TIME", False, False, "now"),
    "deletedAt": ("DATE_TIME", True, False, None),
    "createdBy": ("ACTOR", False, False, {"name": "''", "source": "'MANUAL'"}),
    "updatedBy": ("ACTOR", False, False, {"name": "''", "source": "'MANUAL'"}),
    "position": ("POSITION", False, True, 0),
    "searchVector": ("TS_VECTOR", True, True, ...),
}
# relation on pet -> (other object, field on the other object, its join column)
PET_DEFAULT_RELATIONS = {
    "timelineActivities": ("timelineActivity", "targetPet", "targetPetId"),
    "favorites": ("favorite", "pet", "petId"),
    "attachments": ("attachment", "targetPet", "targetPetId"),
    "noteTargets": ("noteTarget", "targetPet", "targetPetId"),
    "taskTargets": ("taskTarget", "targetPet", "targetPetId"),
}
PET_RECORD_KEYS = {"id", "name", "createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy", "position"}

COMPOSITE_SUBFIELDS = {
    "CURRENCY": ["amountMicros", "currencyCode"],
    "FULL_NAME": ["firstName", "lastName"],
    "EMAILS": ["primaryEmail", "additionalEmails"],
    "PHONES": ["primaryPhoneNumber", "primaryPhoneCountryCode", "primaryPhoneCallingCode", "additionalPhones"],
    "LINKS": ["primaryLinkUrl", "primaryLinkLabel", "secondaryLinks"],
    "ADDRESS": [
        "addressStreet1",
        "addressStreet2",
        "addressCity",
        "addressPostcode",
        "addressState",
        "addressCountry",
        "addressLat",
        "addressLng",
    ],
    "RICH_TEXT": ["blocknote", "markdown"],
    "RICH_TEXT_V2": ["blocknote", "markdown"],
}

SPECIES = [
    {"value": "DOG", "label": "Dog", "color": "blue", "position": 0},
    {"value": "CAT", "label": "Cat", "color": "red", "position": 1},
    {"value": "BIRD", "label": "Bird", "color": "green", "position": 2},
]
TRICKS = [
    {"value": "SIT", "label": "Sit", "color": "sky", "position": 0},
    {"value": "ROLL", "label": "Roll", "color": "purple", "position": 1},
    {"value": "FETCH", "label": "Fetch", "color": "yellow", "position": 2},
]


# --------------------------------------------------------------------------- client & helpers


LEGACY = {"IS_REST_METADATA_API_NEW_FORMAT_DIRECT": False}


@pytest.fixture
def app() -> Any:
    """A default workspace with the legacy REST metadata format, whose envelopes this module pins."""
    return conftest.make_app(feature_flags=LEGACY)


@pytest.fixture
def client(app: Any) -> CheckedClient:
    return CheckedClient(app)


def assert_status_error(resp: conftest.Response, status: int, error: str) -> str:
    """Status and error name (for messages the reference marks as unconfirmed)."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"statusCode", "error", "messages"}, body
    assert body["statusCode"] == status and body["error"] == error, body
    assert isinstance(body["messages"], list) and len(body["messages"]) == 1, body
    assert isinstance(body["messages"][0], str) and body["messages"][0]
    return body["messages"][0]


def assert_bad_request(resp: conftest.Response, *messages: str) -> str:
    """400 BadRequestException; the message is one of `messages` when any are given."""
    text = assert_status_error(resp, 400, "BadRequestException")
    if messages:
        assert text in messages, text
    return text


def object_list(client: conftest.Client, **params: Any) -> dict:
    body = ok(client.get("/rest/metadata/objects", params=params or None))
    assert set(body) == {"data", "pageInfo", "totalCount"}, body.keys()
    assert set(body["data"]) == {"objects"}
    return body


def field_list(client: conftest.Client, **params: Any) -> dict:
    body = ok(client.get("/rest/metadata/fields", params=params or None))
    assert set(body) == {"data", "pageInfo", "totalCount"}, body.keys()
    assert set(body["data"]) == {"fields"}
    return body


def all_objects(client: conftest.Client) -> list[dict]:
    body = object_list(client)
    assert not body["pageInfo"]["hasNextPage"]
    return body["data"]["objects"]


def get_object(client: conftest.Client, object_id: str) -> dict:
    body = ok(client.get(f"/rest/metadata/objects/{object_id}"))
    assert set(body) == {"data"} and set(body["data"]) == {"object"}, body
    return body["data"]["object"]


def get_field(client: conftest.Client, field_id: str) -> dict:
    body = ok(client.get(f"/rest/metadata/fields/{field_id}"))
    assert set(body) == {"data"} and set(body["data"]) == {"field"}, body
    return body["data"]["field"]


def object_named(client: conftest.Client, singular: str) -> dict:
    found = [o for o in all_objects(client) if o["nameSingular"] == singular]
    assert len(found) == 1, singular
    return found[0]


def object_id(client: conftest.Client, singular: str) -> str:
    return object_named(client, singular)["id"]


def field_named(obj: dict, name: str) -> dict:
    found = [f for f in obj["fields"] if f["name"] == name]
    assert len(found) == 1, f"{obj['nameSingular']}.{name}: {[f['name'] for f in obj['fields']]}"
    return found[0]


def field_names(client: conftest.Client, singular: str) -> set[str]:
    return {f["name"] for f in object_named(client, singular)["fields"]}


def object_body(singular: str, plural: str, **extra: Any) -> dict:
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


def create_object(client: conftest.Client, singular: str = "pet", plural: str = "pets", **extra: Any) -> dict:
    body = ok(client.post("/rest/metadata/objects", json=object_body(singular, plural, **extra)), 201)
    assert set(body) == {"data"} and set(body["data"]) == {"createOneObject"}, body
    return body["data"]["createOneObject"]


def field_body(object_id: str, type_: str, name: str, **extra: Any) -> dict:
    body = {
        "objectMetadataId": object_id,
        "type": type_,
        "name": name,
        "label": name[:1].upper() + name[1:],
        "isLabelSyncedWithName": False,
    }
    body.update(extra)
    return body


def create_field(client: conftest.Client, object_id: str, type_: str, name: str, **extra: Any) -> dict:
    resp = client.post("/rest/metadata/fields", json=field_body(object_id, type_, name, **extra))
    body = ok(resp, 201)
    assert set(body) == {"data"} and set(body["data"]) == {"createOneField"}, body
    return body["data"]["createOneField"]


def update_object(client: conftest.Client, object_id: str, changes: dict, method: str = "PATCH") -> dict:
    body = ok(client.request(method, f"/rest/metadata/objects/{object_id}", json_body=changes))
    assert set(body) == {"data"} and set(body["data"]) == {"updateOneObject"}, body
    return body["data"]["updateOneObject"]


def update_field(client: conftest.Client, field_id: str, changes: dict, method: str = "PATCH") -> dict:
    body = ok(client.request(method, f"/rest/metadata/fields/{field_id}", json_body=changes))
    assert set(body) == {"data"} and set(body["data"]) == {"updateOneField"}, body
    return body["data"]["updateOneField"]


def delete_field(client: conftest.Client, field_id: str) -> dict:
    body = ok(client.delete(f"/rest/metadata/fields/{field_id}"))
    assert set(body) == {"data"} and set(body["data"]) == {"deleteOneField"}, body
    assert body["data"]["deleteOneField"]["id"] == field_id
    return body["data"]["deleteOneField"]


def delete_object(client: conftest.Client, object_id: str) -> dict:
    body = ok(client.delete(f"/rest/metadata/objects/{object_id}"))
    assert set(body) == {"data"} and set(body["data"]) == {"deleteOneObject"}, body
    assert body["data"]["deleteOneObject"]["id"] == object_id
    return body["data"]["deleteOneObject"]


def snapshot(client: conftest.Client) -> tuple[list, int]:
    """The whole data model as the REST metadata API shows it."""
    objs = []
    for obj in all_objects(client):
        copy = dict(obj)
        copy["fields"] = sorted(obj["fields"], key=lambda f: f["id"])
        objs.append(copy)
    objs.sort(key=lambda o: o["id"])
    return objs, field_list(client)["totalCount"]


def create_record(client: conftest.Client, plural: str, key: str, body: Any, **params: Any) -> dict:
    data = ok(client.post(f"/rest/{plural}", json=body, params=params or None), 201)["data"]
    assert set(data) == {key}, data
    return data[key]


def make_pet(client: conftest.Client, **fields: Any) -> dict:
    return create_record(client, "pets", "createPet", fields)


def pets(client: conftest.Client, **params: Any) -> dict:
    body = ok(client.get("/rest/pets", params=params or None))
    assert set(body["data"]) == {"pets"}
    return body


def get_pet(client: conftest.Client, pid: str, **params: Any) -> dict:
    return ok(client.get(f"/rest/pets/{pid}", params=params or None))["data"]["pet"]


def not_found_object(plural: str) -> str:
    return f"object '{plural}' not found. eg: companies"


@pytest.fixture
def pet(client: CheckedClient) -> dict:
    return create_object(client)


# --------------------------------------------------------------------------- §2.1/§2.2 routes and envelopes


def test_list_objects_envelope_and_standard_objects(client: CheckedClient) -> None:
    body = object_list(client)
    objs = body["data"]["objects"]
    assert {o["nameSingular"] for o in objs} == STANDARD_SINGULARS
    assert body["totalCount"] == len(STANDARD_SINGULARS)
    assert set(body["pageInfo"]) == {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}
    for obj in objs:
        assert isinstance(obj["fields"], list) and obj["fields"]
        assert all(f["objectMetadataId"] == obj["id"] for f in obj["fields"])


def test_get_one_object_envelope(client: CheckedClient) -> None:
    listed = object_named(client, "person")
    one = get_object(client, listed["id"])
    assert one["id"] == listed["id"] and one["nameSingular"] == "person" and one["namePlural"] == "people"
    assert {f["id"] for f in one["fields"]} == {f["id"] for f in listed["fields"]}


def test_list_fields_envelope_covers_every_object_field(client: CheckedClient) -> None:
    per_object = {f["id"]: f for o in all_objects(client) for f in o["fields"]}
    body = field_list(client, limit=60)
    assert body["totalCount"] == len(per_object)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"starting_after": cursor} if cursor else {}
        page = field_list(client, **params)
        seen += [f["id"] for f in page["data"]["fields"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == len(per_object)
    assert set(seen) == set(per_object)
    assert seen == sorted(seen, reverse=True)


def test_get_one_field_envelope(client: CheckedClient) -> None:
    listed = field_named(object_named(client, "person"), "company")
    one = get_field(client, listed["id"])
    for key in ("id", "name", "type", "label", "objectMetadataId", "settings", "relation"):
        assert one[key] == listed[key], key


def test_create_object_is_201_create_one_object(client: CheckedClient) -> None:
    fields_before = field_list(client)["totalCount"]
    resp = client.post("/rest/metadata/objects", json=object_body("pet", "pets"))
    assert resp.status_code == 201, resp.text
    created = resp.json()["data"]["createOneObject"]
    assert created["nameSingular"] == "pet" and created["namePlural"] == "pets"
    assert get_object(client, created["id"])["nameSingular"] == "pet"
    assert object_list(client)["totalCount"] == len(STANDARD_SINGULARS) + 1
    assert all(f["objectMetadataId"] == created["id"] for f in created["fields"])
    # 14 fields of its own (§9.1) plus the 5 many-to-one fields added to other objects
    assert len(created["fields"]) == 14
    assert field_list(client)["totalCount"] == fields_before + 19


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_object_label_description_icon(client: CheckedClient, pet: dict, method: str) -> None:
    changes = {"labelSingular": "Animal", "labelPlural": "Animals", "description": "Furry", "icon": "IconDog"}
    updated = update_object(client, pet["id"], changes, method)
    assert updated["id"] == pet["id"]
    for key, value in changes.items():
        assert updated[key] == value
    again = get_object(client, pet["id"])
    for key, value in changes.items():
        assert again[key] == value
    assert again["nameSingular"] == "pet"


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_update_field_label_and_description(client: CheckedClient, pet: dict, method: str) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    updated = update_field(client, field["id"], {"label": "Nick", "description": "What we call it"}, method)
    assert updated["id"] == field["id"]
    assert updated["label"] == "Nick" and updated["description"] == "What we call it"
    again = get_field(client, field["id"])
    assert again["label"] == "Nick" and again["name"] == "nickname"


def test_create_field_is_201_and_listed(client: CheckedClient, pet: dict) -> None:
    before = field_list(client)["totalCount"]
    resp = client.post("/rest/metadata/fields", json=field_body(pet["id"], "TEXT", "nickname"))
    assert resp.status_code == 201, resp.text
    field = resp.json()["data"]["createOneField"]
    assert field_list(client)["totalCount"] == before + 1
    assert field_named(get_object(client, pet["id"]), "nickname")["id"] == field["id"]


def test_delete_field_envelope(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    update_field(client, field["id"], {"isActive": False})
    deleted = delete_field(client, field["id"])
    assert deleted["name"] == "nickname"
    assert_status_error(client.get(f"/rest/metadata/fields/{field['id']}"), 404, "NotFoundException")
    assert "nickname" not in field_names(client, "pet")


def test_delete_object_envelope_has_no_fields(client: CheckedClient, pet: dict) -> None:
    fields_with_pet = field_list(client)["totalCount"]
    update_object(client, pet["id"], {"isActive": False})
    deleted = delete_object(client, pet["id"])
    assert deleted["nameSingular"] == "pet" and deleted["namePlural"] == "pets"
    assert "fields" not in deleted
    resp = client.get(f"/rest/metadata/objects/{pet['id']}")
    assert resp.status_code == 404 and resp.json() == OBJECT_NOT_FOUND
    assert object_list(client)["totalCount"] == len(STANDARD_SINGULARS)
    assert field_list(client)["totalCount"] == fields_with_pet - 19


@pytest.mark.parametrize("kind", ["objects", "fields"])
def test_non_uuid_id_is_400(client: CheckedClient, kind: str) -> None:
    before = snapshot(client)
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        resp = client.request(
            method,
            f"/rest/metadata/{kind}/not-a-uuid",
            json_body={"label": "X", "labelSingular": "X"} if method in ("PATCH", "PUT") else None,
        )
        assert_status_error(resp, 400, "BadRequestException")
    assert snapshot(client) == before


def test_unknown_object_id_is_404(client: CheckedClient) -> None:
    before = snapshot(client)
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        resp = client.request(
            method,
            f"/rest/metadata/objects/{new_id()}",
            json_body={"labelSingular": "X"} if method in ("PATCH", "PUT") else None,
        )
        assert resp.status_code == 404, f"{method}: {resp.text}"
        assert resp.json() == OBJECT_NOT_FOUND
    assert snapshot(client) == before


def test_unknown_field_id_is_404(client: CheckedClient) -> None:
    for method in ("GET", "DELETE"):
        assert_status_error(client.request(method, f"/rest/metadata/fields/{new_id()}"), 404, "NotFoundException")


def test_patch_unknown_field_id_is_400(client: CheckedClient) -> None:
    before = snapshot(client)
    resp = client.patch(f"/rest/metadata/fields/{new_id()}", json={"label": "X"})
    assert_status_error(resp, 400, "BadRequestException")
    assert snapshot(client) == before


def test_metadata_needs_a_token(client: CheckedClient) -> None:
    assert_error(
        client.get("/rest/metadata/objects", token=None),
        403,
        "FORBIDDEN_EXCEPTION",
        "Missing authentication token",
    )


# --------------------------------------------------------------------------- §2.3 paging


def test_objects_sorted_by_id_descending_with_page_info(client: CheckedClient) -> None:
    body = object_list(client)
    ids = [o["id"] for o in body["data"]["objects"]]
    assert ids == sorted(ids, reverse=True)
    assert body["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[-1],
    }


def test_objects_limit_one(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    body = object_list(client, limit=1)
    assert [o["id"] for o in body["data"]["objects"]] == [ids[0]]
    assert body["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": ids[0],
        "endCursor": ids[0],
    }
    assert body["totalCount"] == len(STANDARD_SINGULARS)


def test_objects_starting_after_walks_all_pages(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    pages = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["starting_after"] = cursor
        body = object_list(client, **params)
        pages.append(body)
        assert body["totalCount"] == len(STANDARD_SINGULARS)
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    count = len(STANDARD_SINGULARS)
    assert [len(p["data"]["objects"]) for p in pages] == [4] * (count // 4) + ([count % 4] if count % 4 else [])
    assert [o["id"] for p in pages for o in p["data"]["objects"]] == ids
    assert [p["pageInfo"]["hasPreviousPage"] for p in pages] == [False] + [True] * (len(pages) - 1)
    assert pages[1]["pageInfo"]["startCursor"] == ids[4]
    assert pages[1]["pageInfo"]["endCursor"] == ids[7]


def test_objects_starting_after_is_raw_id_and_case_insensitive(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    lower = object_list(client, starting_after=ids[2], limit=3)
    upper = object_list(client, starting_after=ids[2].upper(), limit=3)
    assert [o["id"] for o in lower["data"]["objects"]] == ids[3:6]
    assert [o["id"] for o in upper["data"]["objects"]] == ids[3:6]


def test_objects_starting_after_unknown_id_uses_comparison(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    cursor = "ffffffff-ffff-4fff-bfff-ffffffffffff"
    assert [o["id"] for o in object_list(client, starting_after=cursor)["data"]["objects"]] == ids
    empty = object_list(client, starting_after="00000000-0000-4000-8000-000000000000")
    assert empty["data"]["objects"] == []
    assert empty["totalCount"] == len(STANDARD_SINGULARS)
    assert empty["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }


def test_objects_ending_before(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    body = object_list(client, ending_before=ids[-1], limit=2)
    assert [o["id"] for o in body["data"]["objects"]] == ids[-3:-1]
    assert body["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": ids[-3],
        "endCursor": ids[-2],
    }
    assert body["totalCount"] == len(STANDARD_SINGULARS)
    first = object_list(client, ending_before=ids[2], limit=5)
    assert [o["id"] for o in first["data"]["objects"]] == ids[:2]
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["hasNextPage"] is True


def test_objects_both_cursors_is_400(client: CheckedClient) -> None:
    ids = [o["id"] for o in all_objects(client)]
    resp = client.get("/rest/metadata/objects", params={"starting_after": ids[0], "ending_before": ids[1]})
    assert_error(resp, 400, "BadRequestException", "'starting_after' and 'ending_before' cannot be used together.")


@pytest.mark.parametrize("kind", ["objects", "fields"])
def test_invalid_cursor_is_400(client: CheckedClient, kind: str) -> None:
    for param in ("starting_after", "ending_before"):
        resp = client.get(f"/rest/metadata/{kind}", params={param: "not-a-cursor"})
        assert_error(resp, 400, "BadRequestException", "Invalid cursor: not-a-cursor")


@pytest.mark.parametrize("kind", ["objects", "fields"])
def test_invalid_limit_is_400(client: CheckedClient, kind: str) -> None:
    for value in ("abc", "1.5"):
        resp = client.get(f"/rest/metadata/{kind}", params={"limit": value})
        assert_error(resp, 400, "BadRequestException", f"limit '{value}' is invalid. Should be an integer")


def test_fields_default_limit_is_60_and_clamped(client: CheckedClient) -> None:
    default = field_list(client)
    assert len(default["data"]["fields"]) == 60
    assert default["totalCount"] > 60
    assert default["pageInfo"]["hasNextPage"] is True
    ids = [f["id"] for f in default["data"]["fields"]]
    assert ids == sorted(ids, reverse=True)
    assert default["pageInfo"]["startCursor"] == ids[0]
    assert default["pageInfo"]["endCursor"] == ids[-1]
    big = field_list(client, limit=1000)
    assert [f["id"] for f in big["data"]["fields"]] == ids


def test_limit_clamped_to_max_records() -> None:
    small = client_with(max_records=5, feature_flags=LEGACY)
    body = object_list(small)
    assert len(body["data"]["objects"]) == 5
    assert body["totalCount"] == len(STANDARD_SINGULARS)
    assert body["pageInfo"]["hasNextPage"] is True
    assert len(object_list(small, limit=100)["data"]["objects"]) == 5
    assert len(field_list(small, limit=100)["data"]["fields"]) == 5


# --------------------------------------------------------------------------- §5 output of standard objects


def test_person_object_properties(client: CheckedClient) -> None:
    person = object_named(client, "person")
    assert person["namePlural"] == "people"
    assert person["labelSingular"] == "Person" and person["labelPlural"] == "People"
    assert person["isCustom"] is False and person["isActive"] is True
    assert person["isSystem"] is False and person["isRemote"] is False
    assert person["isSearchable"] is True
    assert person["duplicateCriteria"] == [
        ["nameFirstName", "nameLastName"],
        ["linkedinLinkPrimaryLinkUrl"],
        ["emailsPrimaryEmail"],
    ]
    assert person["labelIdentifierFieldMetadataId"] == field_named(person, "name")["id"]
    assert UUID_RE.match(person["workspaceId"])
    assert DATETIME_RE.match(person["createdAt"]) and DATETIME_RE.match(person["updatedAt"])


@pytest.mark.parametrize(
    ("singular", "identifier", "is_system"),
    [("company", "name", False), ("note", "title", False), ("noteTarget", "id", True), ("favorite", "id", True)],
)
def test_standard_label_identifier_and_system_flag(
    client: CheckedClient, singular: str, identifier: str, is_system: bool
) -> None:
    obj = object_named(client, singular)
    assert obj["labelIdentifierFieldMetadataId"] == field_named(obj, identifier)["id"]
    assert obj["isSystem"] is is_system


def test_all_objects_and_fields_share_one_workspace_id(client: CheckedClient) -> None:
    objs = all_objects(client)
    workspaces = {o["workspaceId"] for o in objs}
    assert len(workspaces) == 1
    (workspace,) = workspaces
    assert UUID_RE.match(workspace)
    assert {f["workspaceId"] for f in field_list(client)["data"]["fields"]} == {workspace}


def test_person_name_and_company_field_output(client: CheckedClient) -> None:
    person = object_named(client, "person")
    company = object_named(client, "company")
    name = field_named(person, "name")
    assert name["type"] == "FULL_NAME"
    assert name["defaultValue"] == {"firstName": "''", "lastName": "''"}
    assert name["isCustom"] is False and name["isActive"] is True and name["isSystem"] is False
    assert name["isNullable"] is True and name["isUnique"] is False
    assert name.get("relation") is None and name.get("options") is None
    rel = field_named(person, "company")
    inverse = field_named(company, "people")
    assert rel["type"] == "RELATION"
    assert rel["settings"] == {"relationType": "MANY_TO_ONE", "onDelete": "SET_NULL", "joinColumnName": "companyId"}
    assert rel["relation"] == {
        "type": "MANY_TO_ONE",
        "sourceObjectMetadata": {"id": person["id"], "nameSingular": "person", "namePlural": "people"},
        "targetObjectMetadata": {"id": company["id"], "nameSingular": "company", "namePlural": "companies"},
        "sourceFieldMetadata": {"id": rel["id"], "name": "company"},
        "targetFieldMetadata": {"id": inverse["id"], "name": "people"},
    }
    assert inverse["settings"]["relationType"] == "ONE_TO_MANY"
    assert inverse["relation"]["type"] == "ONE_TO_MANY"
    assert inverse["relation"]["targetFieldMetadata"] == {"id": rel["id"], "name": "company"}
    assert inverse["relation"]["targetObjectMetadata"]["nameSingular"] == "person"


@pytest.mark.parametrize(
    ("singular", "name", "type_", "default"),
    [
        ("person", "jobTitle", "TEXT", "''"),
        ("person", "id", "UUID", "uuid"),
        ("person", "createdAt", "DATE_TIME", "now"),
        ("company", "idealCustomerProfile", "BOOLEAN", False),
        ("opportunity", "stage", "SELECT", "'NEW'"),
        ("favorite", "position", "NUMBER", 0),
    ],
)
def test_standard_default_values_in_storage_convention(
    client: CheckedClient, singular: str, name: str, type_: str, default: Any
) -> None:
    field = field_named(object_named(client, singular), name)
    assert field["type"] == type_
    assert field["defaultValue"] == default


def test_standard_select_options_and_unique_flags(client: CheckedClient) -> None:
    stage = field_named(object_named(client, "opportunity"), "stage")
    assert stage["isNullable"] is False
    assert [(o["value"], o["label"], o["color"], o["position"]) for o in stage["options"]] == [
        ("NEW", "New", "red", 0),
        ("SCREENING", "Screening", "purple", 1),
        ("MEETING", "Meeting", "sky", 2),
        ("PROPOSAL", "Proposal", "turquoise", 3),
        ("CUSTOMER", "Customer", "yellow", 4),
    ]
    assert field_named(object_named(client, "company"), "domainName")["isUnique"] is True
    assert field_named(object_named(client, "person"), "emails")["isUnique"] is True
    assert field_named(object_named(client, "person"), "city")["isUnique"] is False


# --------------------------------------------------------------------------- §5.1, §9.1 a new custom object


def test_custom_object_properties(client: CheckedClient) -> None:
    person = object_named(client, "person")
    pet = create_object(client, description="Animals we love")
    assert UUID_RE.match(pet["id"])
    assert pet["labelSingular"] == "Pet" and pet["labelPlural"] == "Pets"
    assert pet["description"] == "Animals we love" and pet["icon"] == "IconCat"
    assert pet["isCustom"] is True and pet["isActive"] is True
    assert pet["isSystem"] is False and pet["isRemote"] is False
    assert pet["isSearchable"] is True and pet["isLabelSyncedWithName"] is False
    assert pet["labelIdentifierFieldMetadataId"] == field_named(pet, "name")["id"]
    assert pet.get("imageIdentifierFieldMetadataId") is None
    assert pet.get("duplicateCriteria") is None
    assert pet["workspaceId"] == person["workspaceId"]
    assert DATETIME_RE.match(pet["createdAt"]) and DATETIME_RE.match(pet["updatedAt"])
    fetched = get_object(client, pet["id"])
    assert fetched["labelIdentifierFieldMetadataId"] == pet["labelIdentifierFieldMetadataId"]
    assert {f["id"] for f in fetched["fields"]} == {f["id"] for f in pet["fields"]}


def test_custom_object_default_fields(client: CheckedClient, pet: dict) -> None:
    fields = {f["name"]: f for f in get_object(client, pet["id"])["fields"]}
    assert set(fields) == set(PET_DEFAULT_FIELDS) | set(PET_DEFAULT_RELATIONS)
    for name, (type_, nullable, system, default) in PET_DEFAULT_FIELDS.items():
        field = fields[name]
        assert field["type"] == type_, name
        assert field["isNullable"] is nullable, name
        assert field["isSystem"] is system, name
        assert field["isCustom"] is False, name
        assert field["isActive"] is True, name
        assert field["objectMetadataId"] == pet["id"]
        if default is not ...:
            assert field["defaultValue"] == default, name
    for name in PET_DEFAULT_RELATIONS:
        assert fields[name]["type"] == "RELATION"
        assert fields[name]["isSystem"] is True, name


def test_custom_object_default_relations(client: CheckedClient, pet: dict) -> None:
    pet_fields = {f["name"]: f for f in get_object(client, pet["id"])["fields"]}
    for name, (other, inverse, join) in PET_DEFAULT_RELATIONS.items():
        own = pet_fields[name]
        assert own["settings"]["relationType"] == "ONE_TO_MANY", name
        assert own["relation"]["type"] == "ONE_TO_MANY", name
        assert own["relation"]["targetObjectMetadata"]["nameSingular"] == other, name
        assert own["relation"]["targetFieldMetadata"]["name"] == inverse, name
        other_obj = object_named(client, other)
        target = field_named(other_obj, inverse)
        assert target["settings"]["relationType"] == "MANY_TO_ONE", name
        assert target["settings"]["joinColumnName"] == join, name
        assert own["relation"]["targetFieldMetadata"]["id"] == target["id"]
        if other == "favorite":
            assert target["type"] == "RELATION"
        else:
            # a member of the `target` morph group, typed like the standard members
            assert target["type"] == field_named(other_obj, "targetPerson")["type"], name


def test_skip_name_field_falls_back_to_id(client: CheckedClient) -> None:
    obj = create_object(client, "gadget", "gadgets", skipNameField=True)
    names = {f["name"] for f in obj["fields"]}
    assert "name" not in names and "id" in names
    assert obj["labelIdentifierFieldMetadataId"] == field_named(obj, "id")["id"]


def test_label_synced_object_names_accepted(client: CheckedClient) -> None:
    body = object_body("petToy", "petToys", labelSingular="Pet Toy", labelPlural="Pet Toys", isLabelSyncedWithName=True)
    created = ok(client.post("/rest/metadata/objects", json=body), 201)["data"]["createOneObject"]
    assert created["isLabelSyncedWithName"] is True
    assert ok(client.get("/rest/petToys"))["totalCount"] == 0


# --------------------------------------------------------------------------- §9.1 record API of a new object


def test_pets_record_crud(client: CheckedClient, pet: dict) -> None:
    assert pets(client) == {
        "data": {"pets": []},
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
        "totalCount": 0,
    }
    rex = make_pet(client, name="Rex")
    assert set(rex) == PET_RECORD_KEYS
    assert rex["name"] == "Rex" and rex["deletedAt"] is None
    assert rex["createdBy"]["source"] == "API"
    assert get_pet(client, rex["id"]) == rex
    blank = make_pet(client)
    assert blank["name"] is None
    updated = ok(client.patch(f"/rest/pets/{rex['id']}", json={"name": "Rexy"}))["data"]["updatePet"]
    assert updated["name"] == "Rexy"
    assert ok(client.delete(f"/rest/pets/{blank['id']}")) == {"data": {"deletePet": {"id": blank["id"]}}}
    assert [p["id"] for p in pets(client)["data"]["pets"]] == [rex["id"]]


def test_pets_filter_sort_and_cursor_paging(client: CheckedClient, pet: dict) -> None:
    for name in ["Coco", "Alf", "Bella", "Dino"]:
        make_pet(client, name=name)
    body = pets(client, filter="name[in]:[Alf,Coco,Dino]", order_by="name[DescNullsLast]", limit=2)
    assert [p["name"] for p in body["data"]["pets"]] == ["Dino", "Coco"]
    assert body["totalCount"] == 3 and body["pageInfo"]["hasNextPage"] is True
    nxt = pets(
        client,
        filter="name[in]:[Alf,Coco,Dino]",
        order_by="name[DescNullsLast]",
        limit=2,
        starting_after=body["pageInfo"]["endCursor"],
    )
    assert [p["name"] for p in nxt["data"]["pets"]] == ["Alf"]
    assert nxt["pageInfo"]["hasNextPage"] is False and nxt["pageInfo"]["hasPreviousPage"] is True
    assert [p["name"] for p in pets(client, filter="name[startsWith]:B")["data"]["pets"]] == ["Bella"]


def test_pets_batch_create(client: CheckedClient, pet: dict) -> None:
    resp = client.post("/rest/batch/pets", json=[{"name": "A"}, {"name": "B"}])
    created = ok(resp, 201)["data"]["createPets"]
    assert [p["name"] for p in created] == ["A", "B"]
    assert pets(client)["totalCount"] == 2


def test_pets_depth_one_and_default_relations_work(client: CheckedClient, pet: dict) -> None:
    rex = make_pet(client, name="Rex")
    target = create_record(client, "noteTargets", "createNoteTarget", {"targetPetId": rex["id"]})
    assert target["targetPetId"] == rex["id"]
    fav = create_record(client, "favorites", "createFavorite", {"petId": rex["id"]})
    assert fav["petId"] == rex["id"]
    task_target = create_record(client, "taskTargets", "createTaskTarget", {"targetPetId": rex["id"]})
    deep = get_pet(client, rex["id"], depth=1)
    assert set(PET_DEFAULT_RELATIONS) <= set(deep)
    assert all(isinstance(deep[name], list) for name in PET_DEFAULT_RELATIONS)
    assert [t["id"] for t in deep["noteTargets"]] == [target["id"]]
    assert [f["id"] for f in deep["favorites"]] == [fav["id"]]
    assert [t["id"] for t in deep["taskTargets"]] == [task_target["id"]]
    assert deep["attachments"] == []
    back = ok(client.get(f"/rest/noteTargets/{target['id']}", params={"depth": "1"}))["data"]["noteTarget"]
    assert back["targetPet"]["id"] == rex["id"] and back["targetPet"]["name"] == "Rex"
    filtered = ok(client.get("/rest/noteTargets", params={"filter": f"targetPetId[eq]:{rex['id']}"}))
    assert [t["id"] for t in filtered["data"]["noteTargets"]] == [target["id"]]


def test_attachment_and_timeline_activity_get_target_pet(client: CheckedClient, pet: dict) -> None:
    rex = make_pet(client, name="Rex")
    att = create_record(client, "attachments", "createAttachment", {"name": "photo.png", "targetPetId": rex["id"]})
    assert att["targetPetId"] == rex["id"]
    act = create_record(
        client, "timelineActivities", "createTimelineActivity", {"name": "pet.visited", "targetPetId": rex["id"]}
    )
    assert act["targetPetId"] == rex["id"]
    deep = get_pet(client, rex["id"], depth=1)
    assert [a["id"] for a in deep["attachments"]] == [att["id"]]
    assert act["id"] in {a["id"] for a in deep["timelineActivities"]}


# --------------------------------------------------------------------------- data-model.md §1: every field type

TYPE_CASES = [
    # (type, name, extra create input, record value, filter)
    ("TEXT", "nickname", {}, "Rex", 'nickname[eq]:"Rex"'),
    ("NUMBER", "legs", {}, 4, "legs[gte]:3"),
    ("NUMERIC", "weight", {}, 12.5, "weight[eq]:12.5"),
    ("BOOLEAN", "vaccinated", {}, True, "vaccinated[eq]:true"),
    ("DATE_TIME", "adoptedAt", {}, "2025-03-01T09:30:00.000Z", "adoptedAt[gte]:2025-03-01"),
    ("DATE", "birthday", {}, "2021-06-15", "birthday[eq]:2021-06-15"),
    ("SELECT", "species", {"options": SPECIES}, "CAT", "species[eq]:CAT"),
    ("MULTI_SELECT", "tricks", {"options": TRICKS}, ["SIT", "ROLL"], "tricks[containsAny]:[ROLL]"),
    ("RATING", "cuteness", {}, "RATING_4", "cuteness[in]:[RATING_4,RATING_5]"),
    ("RAW_JSON", "extra", {}, {"chip": "A1", "shots": [1, 2]}, "extra[is]:NOT_NULL"),
    ("ARRAY", "tags", {}, ["good", "boy"], "tags[is]:NOT_NULL"),
    ("CURRENCY", "price", {}, {"amountMicros": 12500000, "currencyCode": "EUR"}, "price.currencyCode[eq]:EUR"),
    ("FULL_NAME", "ownerName", {}, {"firstName": "Ada", "lastName": "Lovelace"}, "ownerName.lastName[eq]:Lovelace"),
    (
        "EMAILS",
        "contactEmails",
        {},
        {"primaryEmail": "rex@example.com", "additionalEmails": ["vet@example.com"]},
        "contactEmails.primaryEmail[eq]:rex@example.com",
    ),
    (
        "PHONES",
        "vetPhones",
        {},
        {
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "FR",
            "primaryPhoneCallingCode": "+33",
            "additionalPhones": [{"number": "698765432", "countryCode": "FR", "callingCode": "+33"}],
        },
        "vetPhones.primaryPhoneNumber[eq]:612345678",
    ),
    (
        "LINKS",
        "profile",
        {},
        {
            "primaryLinkUrl": "https://rex.example.com",
            "primaryLinkLabel": "Rex",
            "secondaryLinks": [{"url": "https://b.example.com", "label": "B"}],
        },
        "profile.primaryLinkUrl[eq]:https://rex.example.com",
    ),
    (
        "ADDRESS",
        "home",
        {},
        {
            "addressStreet1": "1 Rue de Rivoli",
            "addressStreet2": "Apt 2",
            "addressCity": "Paris",
            "addressPostcode": "75001",
            "addressState": "IDF",
            "addressCountry": "France",
            "addressLat": 48.86,
            "addressLng": 2.35,
        },
        "home.addressCity[eq]:Paris",
    ),
    (
        "RICH_TEXT",
        "story",
        {},
        {"blocknote": '[{"type":"paragraph","content":"A good boy"}]', "markdown": "A good boy"},
        "story.markdown[ilike]:%good%",
    ),
    (
        "RICH_TEXT_V2",
        "diary",
        {},
        {"blocknote": '[{"type":"paragraph","content":"Day one"}]', "markdown": "Day one"},
        "diary.markdown[ilike]:%one%",
    ),
    ("UUID", "chipId", {}, "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01", "chipId[eq]:7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01"),
]


def normalise(type_: str, value: Any) -> Any:
    """NUMERIC values (and CURRENCY amounts, ADDRESS coordinates) may come back as numbers or
    numeric strings (data-model.md §9: unconfirmed for REST)."""
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


@pytest.mark.parametrize(("type_", "name", "extra", "value", "flt"), TYPE_CASES, ids=[c[0] for c in TYPE_CASES])
def test_field_type_create_write_read_filter(
    client: CheckedClient, pet: dict, type_: str, name: str, extra: dict, value: Any, flt: str
) -> None:
    reported = "RICH_TEXT" if type_ == "RICH_TEXT_V2" else type_
    field = create_field(client, pet["id"], type_, name, **extra)
    assert UUID_RE.match(field["id"])
    assert field["type"] == reported and field["name"] == name
    assert field["objectMetadataId"] == pet["id"]
    assert field["isCustom"] is True and field["isActive"] is True and field["isSystem"] is False
    assert field["isNullable"] is True and field["defaultValue"] is None
    assert field["workspaceId"] == pet["workspaceId"]
    assert get_field(client, field["id"])["type"] == reported
    blank = make_pet(client, name="Blank")
    expected_blank = {sub: None for sub in COMPOSITE_SUBFIELDS[type_]} if type_ in COMPOSITE_SUBFIELDS else None
    assert blank[name] == expected_blank
    full = make_pet(client, name="Full", **{name: value})
    assert normalise(type_, full[name]) == normalise(type_, value)
    assert normalise(type_, get_pet(client, full["id"])[name]) == normalise(type_, value)
    body = pets(client, filter=flt)
    assert [p["id"] for p in body["data"]["pets"]] == [full["id"]]
    assert body["totalCount"] == 1


def test_unknown_field_on_new_object_is_rejected_in_filter(client: CheckedClient, pet: dict) -> None:
    resp = client.get("/rest/pets", params={"filter": "nickname[eq]:x"})
    assert_error(resp, 400, "BadRequestException", 'Object pet doesn\'t have any "nickname" field.')


# --------------------------------------------------------------------------- §8 options


def test_select_options_are_stored(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "SELECT", "species", options=SPECIES)
    assert [(o["value"], o["label"], o["color"], o["position"]) for o in field["options"]] == [
        (o["value"], o["label"], o["color"], o["position"]) for o in SPECIES
    ]
    assert get_field(client, field["id"])["options"] == field["options"]


def test_select_value_outside_options_is_rejected_on_records(client: CheckedClient, pet: dict) -> None:
    create_field(client, pet["id"], "SELECT", "species", options=SPECIES)
    text = assert_bad_request(client.post("/rest/pets", json={"species": "FISH"}))
    assert re.fullmatch(r'invalid input value for enum workspace_[a-z0-9]+\._pet_species_enum: "FISH"', text), text
    assert pets(client)["totalCount"] == 0


def test_rating_options_are_generated(client: CheckedClient, pet: dict) -> None:
    supplied = [{"value": "HIGH", "label": "High", "color": "red", "position": 0}]
    field = create_field(client, pet["id"], "RATING", "cuteness", options=supplied)
    opts = sorted(field["options"], key=lambda o: o["position"])
    assert [(o["value"], o["label"], o["position"]) for o in opts] == [
        ("RATING_1", "1", 0),
        ("RATING_2", "2", 1),
        ("RATING_3", "3", 2),
        ("RATING_4", "4", 3),
        ("RATING_5", "5", 4),
    ]
    assert all(o.get("color") is None for o in opts)
    assert_bad_request(client.post("/rest/pets", json={"cuteness": "HIGH"}))


def test_updating_options_replaces_the_list_and_clears_removed_values(client: CheckedClient, pet: dict) -> None:
    species = create_field(client, pet["id"], "SELECT", "species", options=SPECIES)
    tricks = create_field(client, pet["id"], "MULTI_SELECT", "tricks", options=TRICKS)
    rex = make_pet(client, name="Rex", species="CAT", tricks=["SIT", "ROLL"])
    dog_only = [{"value": "DOG", "label": "Dog", "color": "blue", "position": 0}]
    updated = update_field(client, species["id"], {"options": dog_only})
    assert [o["value"] for o in updated["options"]] == ["DOG"]
    update_field(client, tricks["id"], {"options": [TRICKS[0], TRICKS[2]]})
    again = get_pet(client, rex["id"])
    assert again["species"] is None
    assert again["tricks"] == ["SIT"]
    assert make_pet(client, species="DOG", tricks=["FETCH"])["tricks"] == ["FETCH"]
    assert_bad_request(client.post("/rest/pets", json={"species": "CAT"}))


# --------------------------------------------------------------------------- §3 defaults, nullability, uniqueness


DEFAULT_CASES = [
    ("TEXT", "sound", {}, "'woof'", "woof"),
    ("NUMBER", "legs", {}, 4, 4),
    ("BOOLEAN", "friendly", {}, True, True),
    ("SELECT", "species", {"options": SPECIES}, "'DOG'", "DOG"),
    ("MULTI_SELECT", "tricks", {"options": TRICKS}, ["'SIT'", "'FETCH'"], ["SIT", "FETCH"]),
    ("RATING", "cuteness", {}, "'RATING_3'", "RATING_3"),
    (
        "FULL_NAME",
        "ownerName",
        {},
        {"firstName": "'John'", "lastName": "'Doe'"},
        {"firstName": "John", "lastName": "Doe"},
    ),
]


@pytest.mark.parametrize(
    ("type_", "name", "extra", "default", "record_value"), DEFAULT_CASES, ids=[c[0] for c in DEFAULT_CASES]
)
def test_field_default_applies_to_new_and_existing_records(
    client: CheckedClient, pet: dict, type_: str, name: str, extra: dict, default: Any, record_value: Any
) -> None:
    existing = make_pet(client, name="Old")
    field = create_field(client, pet["id"], type_, name, defaultValue=default, **extra)
    assert field["defaultValue"] == default
    assert get_field(client, field["id"])["defaultValue"] == default
    assert get_pet(client, existing["id"])[name] == record_value
    assert make_pet(client, name="New")[name] == record_value


def test_new_field_without_default_is_null_on_existing_records(client: CheckedClient, pet: dict) -> None:
    existing = make_pet(client, name="Old")
    create_field(client, pet["id"], "TEXT", "nickname")
    create_field(client, pet["id"], "EMAILS", "contactEmails")
    rec = get_pet(client, existing["id"])
    assert rec["nickname"] is None
    assert rec["contactEmails"] == {"primaryEmail": None, "additionalEmails": None}


def test_unquoted_text_default_is_rejected(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    resp = client.post("/rest/metadata/fields", json=field_body(pet["id"], "TEXT", "sound", defaultValue="woof"))
    assert_bad_request(resp)
    assert snapshot(client) == before


def test_non_nullable_field(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "sound", isNullable=False, defaultValue="'woof'")
    assert field["isNullable"] is False
    assert make_pet(client, name="Rex")["sound"] == "woof"
    assert_bad_request(client.post("/rest/pets", json={"name": "Mute", "sound": None}))
    assert pets(client)["totalCount"] == 1


def test_unique_field(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "tag", isUnique=True)
    assert field["isUnique"] is True
    assert get_field(client, field["id"])["isUnique"] is True
    first = make_pet(client, name="Rex", tag="T-1")
    assert_bad_request(client.post("/rest/pets", json={"name": "Copy", "tag": "T-1"}))
    make_pet(client, name="No tag 1")
    make_pet(client, name="No tag 2")
    upserted = ok(client.post("/rest/pets", json={"tag": "T-1", "name": "Rex II"}, params={"upsert": "true"}), 201)
    assert upserted["data"]["createPet"]["id"] == first["id"]
    assert get_pet(client, first["id"])["name"] == "Rex II"
    assert pets(client)["totalCount"] == 3


# --------------------------------------------------------------------------- §6 relations


def relation_payload(kind: str, target_id: str, label: str, icon: str = "IconPaw") -> dict:
    return {"type": kind, "targetObjectMetadataId": target_id, "targetFieldLabel": label, "targetFieldIcon": icon}


def test_many_to_one_relation_to_company(client: CheckedClient, pet: dict) -> None:
    company_id = object_id(client, "company")
    field = create_field(
        client,
        pet["id"],
        "RELATION",
        "company",
        relationCreationPayload=relation_payload("MANY_TO_ONE", company_id, "Pets"),
    )
    assert field["type"] == "RELATION" and field["isCustom"] is True
    assert field["settings"]["relationType"] == "MANY_TO_ONE"
    assert field["settings"]["joinColumnName"] == "companyId"
    rel = field["relation"]
    assert rel["type"] == "MANY_TO_ONE"
    assert rel["sourceObjectMetadata"] == {"id": pet["id"], "nameSingular": "pet", "namePlural": "pets"}
    assert rel["targetObjectMetadata"] == {"id": company_id, "nameSingular": "company", "namePlural": "companies"}
    assert rel["sourceFieldMetadata"] == {"id": field["id"], "name": "company"}
    assert rel["targetFieldMetadata"]["name"] == "pets"
    inverse = field_named(object_named(client, "company"), "pets")
    assert inverse["id"] == rel["targetFieldMetadata"]["id"]
    assert inverse["type"] == "RELATION" and inverse["label"] == "Pets" and inverse["icon"] == "IconPaw"
    assert inverse["settings"]["relationType"] == "ONE_TO_MANY"
    assert inverse["relation"]["type"] == "ONE_TO_MANY"
    assert inverse["relation"]["targetFieldMetadata"] == {"id": field["id"], "name": "company"}
    assert inverse["relation"]["targetObjectMetadata"]["nameSingular"] == "pet"


def test_many_to_one_relation_over_rest(client: CheckedClient, pet: dict) -> None:
    create_field(
        client,
        pet["id"],
        "RELATION",
        "company",
        relationCreationPayload=relation_payload("MANY_TO_ONE", object_id(client, "company"), "Pets"),
    )
    acme = create_record(client, "companies", "createCompany", {"name": "Acme"})
    rex = make_pet(client, name="Rex", companyId=acme["id"])
    stray = make_pet(client, name="Stray")
    assert rex["companyId"] == acme["id"] and stray["companyId"] is None
    assert "company" not in rex
    deep = get_pet(client, rex["id"], depth=1)
    assert deep["company"]["id"] == acme["id"] and deep["company"]["name"] == "Acme"
    assert get_pet(client, stray["id"], depth=1)["company"] is None
    company = ok(client.get(f"/rest/companies/{acme['id']}", params={"depth": "1"}))["data"]["company"]
    assert [p["id"] for p in company["pets"]] == [rex["id"]]
    filtered = pets(client, filter=f"companyId[eq]:{acme['id']}")
    assert [p["id"] for p in filtered["data"]["pets"]] == [rex["id"]]


def test_one_to_many_relation_swaps_sides(client: CheckedClient, pet: dict) -> None:
    company_id = object_id(client, "company")
    field = create_field(
        client,
        company_id,
        "RELATION",
        "mascots",
        relationCreationPayload=relation_payload("ONE_TO_MANY", pet["id"], "Sponsor", "IconBuilding"),
    )
    assert field["settings"]["relationType"] == "ONE_TO_MANY"
    assert field["relation"]["type"] == "ONE_TO_MANY"
    assert field["relation"]["targetObjectMetadata"]["nameSingular"] == "pet"
    assert field["relation"]["targetFieldMetadata"]["name"] == "sponsor"
    sponsor = field_named(get_object(client, pet["id"]), "sponsor")
    assert sponsor["settings"]["relationType"] == "MANY_TO_ONE"
    assert sponsor["settings"]["joinColumnName"] == "sponsorId"
    acme = create_record(client, "companies", "createCompany", {"name": "Acme"})
    rex = make_pet(client, name="Rex", sponsorId=acme["id"])
    assert rex["sponsorId"] == acme["id"]
    company = ok(client.get(f"/rest/companies/{acme['id']}", params={"depth": "1"}))["data"]["company"]
    assert [p["id"] for p in company["mascots"]] == [rex["id"]]
    assert get_pet(client, rex["id"], depth=1)["sponsor"]["id"] == acme["id"]


@pytest.mark.parametrize("side", ["owner", "inverse"])
def test_deleting_either_side_of_a_relation_deletes_both(client: CheckedClient, pet: dict, side: str) -> None:
    field = create_field(
        client,
        pet["id"],
        "RELATION",
        "company",
        relationCreationPayload=relation_payload("MANY_TO_ONE", object_id(client, "company"), "Pets"),
    )
    acme = create_record(client, "companies", "createCompany", {"name": "Acme"})
    rex = make_pet(client, name="Rex", companyId=acme["id"])
    target = field["id"] if side == "owner" else field["relation"]["targetFieldMetadata"]["id"]
    update_field(client, target, {"isActive": False})
    delete_field(client, target)
    assert not {"company", "companyId"} & field_names(client, "pet")
    assert "pets" not in field_names(client, "company")
    assert_status_error(client.get(f"/rest/metadata/fields/{field['id']}"), 404, "NotFoundException")
    rec = get_pet(client, rex["id"], depth=1)
    assert "companyId" not in rec and "company" not in rec
    company = ok(client.get(f"/rest/companies/{acme['id']}", params={"depth": "1"}))["data"]["company"]
    assert "pets" not in company
    # the names are free again
    create_field(client, pet["id"], "TEXT", "companyId")


# --------------------------------------------------------------------------- §7 naming rules

OBJECT_NAME_CASES = [
    # (nameSingular, namePlural, allowed messages; empty = status and error name only)
    ("a" * 64, "pets", (TOO_LONG,)),
    ("pet", "p" * 64, (TOO_LONG,)),
    ("MyPet", "myPets", (CAMEL,)),
    ("my pet", "myPets", (CAMEL,)),
    ("pet$", "pets", (CAMEL, INVALID_CHARS)),
    ("2pet", "2pets", (CAMEL, INVALID_CHARS)),
    ("user", "users", (NOT_AVAILABLE,)),
    ("workspace", "workspaces", (NOT_AVAILABLE,)),
    ("pet", "users", (NOT_AVAILABLE,)),
    ("batchItem", "batch", (NOT_AVAILABLE,)),
    ("restoreItem", "restore", (NOT_AVAILABLE,)),
    ("metadataItem", "metadata", (NOT_AVAILABLE,)),
    ("sheep", "sheep", (SAME_NAMES,)),
    ("person", "persons", ()),
    ("human", "people", ()),
    ("people", "peoples", ()),
]


@pytest.mark.parametrize(
    ("singular", "plural", "messages"), OBJECT_NAME_CASES, ids=[f"{c[0][:12]}/{c[1][:12]}" for c in OBJECT_NAME_CASES]
)
def test_invalid_object_names(client: CheckedClient, singular: str, plural: str, messages: tuple) -> None:
    before = snapshot(client)
    body = object_body(singular, plural, labelSingular="Thing", labelPlural="Things")
    assert_bad_request(client.post("/rest/metadata/objects", json=body), *messages)
    assert snapshot(client) == before
    if plural.isalnum() and plural not in ("people", "batch", "restore", "metadata"):
        assert client.get(f"/rest/{plural}").status_code == 400


def test_object_name_already_taken_by_custom_object(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    assert_bad_request(client.post("/rest/metadata/objects", json=object_body("pet", "petz")))
    assert_bad_request(client.post("/rest/metadata/objects", json=object_body("animal", "pets")))
    assert snapshot(client) == before


def test_object_missing_required_property(client: CheckedClient) -> None:
    before = snapshot(client)
    for missing in ("nameSingular", "namePlural", "labelSingular", "labelPlural"):
        body = object_body("pet", "pets")
        del body[missing]
        assert_bad_request(client.post("/rest/metadata/objects", json=body))
        body[missing] = ""
        assert_bad_request(client.post("/rest/metadata/objects", json=body))
    assert snapshot(client) == before
    assert client.get("/rest/pets").status_code == 400


def test_object_name_not_synced_with_label(client: CheckedClient) -> None:
    before = snapshot(client)
    body = object_body("animal", "pets", labelSingular="Pet", labelPlural="Pets", isLabelSyncedWithName=True)
    assert_bad_request(client.post("/rest/metadata/objects", json=body), NOT_SYNCED.format("pet", "animal"))
    assert snapshot(client) == before


FIELD_NAME_CASES = [
    # (object, name, allowed messages)
    ("pet", "a" * 64, (TOO_LONG,)),
    ("pet", "Nickname", (CAMEL,)),
    ("pet", "nick name", (CAMEL,)),
    ("pet", "nick$", (CAMEL, INVALID_CHARS)),
    ("pet", "name", (FIELD_USED.format("name"),)),
    ("person", "jobTitle", (FIELD_USED.format("jobTitle"),)),
    ("person", "companyId", (FIELD_USED.format("companyId"),)),
    ("person", "nameFirstName", (FIELD_USED.format("nameFirstName"),)),
    ("person", "emailsPrimaryEmail", (FIELD_USED.format("emailsPrimaryEmail"),)),
    ("company", "domainNamePrimaryLinkUrl", (FIELD_USED.format("domainNamePrimaryLinkUrl"),)),
    ("pet", "type", (FIELD_RESERVED.format("type"), NOT_AVAILABLE)),
    ("pet", "currency", (FIELD_RESERVED.format("currency"), NOT_AVAILABLE)),
]


@pytest.mark.parametrize(
    ("singular", "name", "messages"), FIELD_NAME_CASES, ids=[f"{c[0]}.{c[1][:16]}" for c in FIELD_NAME_CASES]
)
def test_invalid_field_names(client: CheckedClient, pet: dict, singular: str, name: str, messages: tuple) -> None:
    target = pet["id"] if singular == "pet" else object_id(client, singular)
    before = snapshot(client)
    resp = client.post("/rest/metadata/fields", json=field_body(target, "TEXT", name, label="Thing"))
    assert_bad_request(resp, *messages)
    assert snapshot(client) == before


def test_join_column_of_custom_relation_is_taken(client: CheckedClient, pet: dict) -> None:
    create_field(
        client,
        pet["id"],
        "RELATION",
        "company",
        relationCreationPayload=relation_payload("MANY_TO_ONE", object_id(client, "company"), "Pets"),
    )
    before = snapshot(client)
    resp = client.post("/rest/metadata/fields", json=field_body(pet["id"], "TEXT", "companyId"))
    assert_bad_request(resp, FIELD_USED.format("companyId"))
    full_name = create_field(client, pet["id"], "FULL_NAME", "ownerName")
    assert full_name["type"] == "FULL_NAME"
    resp = client.post("/rest/metadata/fields", json=field_body(pet["id"], "TEXT", "ownerNameLastName"))
    assert_bad_request(resp, FIELD_USED.format("ownerNameLastName"))
    assert snapshot(client)[1] == before[1] + 1


def test_field_name_not_synced_with_label(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    body = field_body(pet["id"], "TEXT", "nickname", label="Nick Name", isLabelSyncedWithName=True)
    assert_bad_request(client.post("/rest/metadata/fields", json=body), NOT_SYNCED.format("nickName", "nickname"))
    assert snapshot(client) == before
    synced = create_field(client, pet["id"], "TEXT", "ownerName", label="Owner Name", isLabelSyncedWithName=True)
    assert synced["isLabelSyncedWithName"] is True


def test_unknown_field_type(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    for type_ in ("PHONE", "EMAIL", "LINK", "PROBABILITY", "FOO", ""):
        assert_bad_request(client.post("/rest/metadata/fields", json=field_body(pet["id"], type_, "thing")))
    assert snapshot(client) == before


INVALID_OPTION_CASES = [
    (
        "SELECT",
        {"options": [{"value": "dog", "label": "Dog", "color": "blue", "position": 0}]},
        ('Value must be in UPPER_CASE and follow snake_case "dog"',),
    ),
    (
        "MULTI_SELECT",
        {"options": [{"value": "Big Dog", "label": "Big dog", "color": "blue", "position": 0}]},
        ('Value must be in UPPER_CASE and follow snake_case "Big Dog"',),
    ),
    ("SELECT", {"options": []}, ()),
    ("SELECT", {}, ()),
    ("MULTI_SELECT", {"options": []}, ()),
    (
        "SELECT",
        {
            "options": [
                {"value": "DOG", "label": "Dog", "color": "blue", "position": 0},
                {"value": "DOG", "label": "Doggo", "color": "red", "position": 1},
            ]
        },
        (),
    ),
    (
        "SELECT",
        {
            "options": [
                {"value": "DOG", "label": "Dog", "color": "blue", "position": 0},
                {"value": "CAT", "label": "Cat", "color": "red", "position": 0},
            ]
        },
        (),
    ),
    ("SELECT", {"options": [{"value": "DOG", "label": "Dog, big", "color": "blue", "position": 0}]}, ()),
    ("SELECT", {"options": SPECIES, "defaultValue": "'FISH'"}, ()),
    ("MULTI_SELECT", {"options": TRICKS, "defaultValue": ["'SIT'", "'SIT'"]}, ()),
]


@pytest.mark.parametrize(
    ("type_", "extra", "messages"), INVALID_OPTION_CASES, ids=[f"case{i}" for i in range(len(INVALID_OPTION_CASES))]
)
def test_invalid_options(client: CheckedClient, pet: dict, type_: str, extra: dict, messages: tuple) -> None:
    before = snapshot(client)
    resp = client.post("/rest/metadata/fields", json=field_body(pet["id"], type_, "species", **extra))
    assert_bad_request(resp, *messages)
    assert snapshot(client) == before


def test_relation_to_unknown_object(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    body = field_body(
        pet["id"], "RELATION", "owner", relationCreationPayload=relation_payload("MANY_TO_ONE", new_id(), "Pets")
    )
    resp = client.post("/rest/metadata/fields", json=body)
    assert resp.status_code in (400, 404), resp.text
    assert snapshot(client) == before


def test_relation_with_unsupported_type(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    payload = relation_payload("ONE_TO_ONE", object_id(client, "company"), "Pet")
    resp = client.post(
        "/rest/metadata/fields", json=field_body(pet["id"], "RELATION", "company", relationCreationPayload=payload)
    )
    assert_bad_request(resp)
    assert snapshot(client) == before


def test_field_on_unknown_object(client: CheckedClient) -> None:
    before = snapshot(client)
    resp = client.post("/rest/metadata/fields", json=field_body(new_id(), "TEXT", "nickname"))
    assert resp.status_code in (400, 404), resp.text
    assert snapshot(client) == before


def test_field_type_cannot_change(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    before = snapshot(client)
    assert_bad_request(client.patch(f"/rest/metadata/fields/{field['id']}", json={"type": "NUMBER"}))
    assert snapshot(client) == before
    assert get_field(client, field["id"])["type"] == "TEXT"


# --------------------------------------------------------------------------- §9.2 deactivate, reactivate, delete


def test_deactivated_object_leaves_rest_and_comes_back(client: CheckedClient, pet: dict) -> None:
    rex = make_pet(client, name="Rex")
    updated = update_object(client, pet["id"], {"isActive": False})
    assert updated["isActive"] is False
    assert get_object(client, pet["id"])["isActive"] is False
    assert {o["nameSingular"] for o in all_objects(client)} >= {"pet"}
    assert_error(client.get("/rest/pets"), 400, "BadRequestException", not_found_object("pets"))
    assert_error(client.post("/rest/pets", json={"name": "X"}), 400, "BadRequestException", not_found_object("pets"))
    assert_error(client.get(f"/rest/pets/{rex['id']}"), 400, "BadRequestException", not_found_object("pets"))
    assert update_object(client, pet["id"], {"isActive": True})["isActive"] is True
    body = pets(client)
    assert [p["id"] for p in body["data"]["pets"]] == [rex["id"]]
    assert body["data"]["pets"][0]["name"] == "Rex"


def test_standard_object_can_be_deactivated(client: CheckedClient) -> None:
    opp = object_named(client, "opportunity")
    deal = create_record(client, "opportunities", "createOpportunity", {"name": "Deal"})
    assert update_object(client, opp["id"], {"isActive": False})["isActive"] is False
    assert_error(client.get("/rest/opportunities"), 400, "BadRequestException", not_found_object("opportunities"))
    update_object(client, opp["id"], {"isActive": True})
    assert ok(client.get(f"/rest/opportunities/{deal['id']}"))["data"]["opportunity"]["name"] == "Deal"


def test_standard_object_cannot_be_deleted(client: CheckedClient) -> None:
    opp = object_named(client, "opportunity")
    update_object(client, opp["id"], {"isActive": False})
    before = snapshot(client)
    assert_error(
        client.delete(f"/rest/metadata/objects/{opp['id']}"),
        400,
        "BadRequestException",
        "Standard Objects can't be deleted",
    )
    assert snapshot(client) == before


def test_active_object_cannot_be_deleted(client: CheckedClient, pet: dict) -> None:
    make_pet(client, name="Rex")
    before = snapshot(client)
    assert_error(
        client.delete(f"/rest/metadata/objects/{pet['id']}"),
        400,
        "BadRequestException",
        "Active objects can't be deleted",
    )
    assert snapshot(client) == before
    assert pets(client)["totalCount"] == 1


def test_deleting_object_destroys_records_and_relations(client: CheckedClient, pet: dict) -> None:
    create_field(
        client,
        pet["id"],
        "RELATION",
        "company",
        relationCreationPayload=relation_payload("MANY_TO_ONE", object_id(client, "company"), "Pets"),
    )
    rex = make_pet(client, name="Rex")
    create_record(client, "noteTargets", "createNoteTarget", {"targetPetId": rex["id"]})
    update_object(client, pet["id"], {"isActive": False})
    delete_object(client, pet["id"])
    assert "pet" not in {o["nameSingular"] for o in all_objects(client)}
    for other, (singular, inverse, _join) in PET_DEFAULT_RELATIONS.items():
        assert inverse not in field_names(client, singular), other
    assert "pets" not in field_names(client, "company")
    for rec in ok(client.get("/rest/noteTargets"))["data"]["noteTargets"]:
        assert "targetPetId" not in rec
    assert_error(client.get("/rest/pets"), 400, "BadRequestException", not_found_object("pets"))
    create_object(client)
    assert pets(client)["totalCount"] == 0


def test_cannot_deactivate_label_identifier_field(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    name_id = pet["labelIdentifierFieldMetadataId"]
    resp = client.patch(f"/rest/metadata/fields/{name_id}", json={"isActive": False})
    assert_error(resp, 400, "BadRequestException", "Cannot deactivate label identifier field")
    assert snapshot(client) == before


def test_cannot_deactivate_system_field(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    for name in ("position", "id"):
        resp = client.patch(f"/rest/metadata/fields/{field_named(pet, name)['id']}", json={"isActive": False})
        assert_error(resp, 400, "BadRequestException", "Cannot deactivate system field")
    assert snapshot(client) == before


def test_cannot_deactivate_timestamp_fields(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    for name in ("createdAt", "updatedAt", "deletedAt"):
        resp = client.patch(f"/rest/metadata/fields/{field_named(pet, name)['id']}", json={"isActive": False})
        assert_error(resp, 400, "BadRequestException", "Cannot deactivate createdAt, updatedAt or deletedAt field")
    assert snapshot(client) == before


def test_standard_field_cannot_be_deleted(client: CheckedClient) -> None:
    job = field_named(object_named(client, "person"), "jobTitle")
    assert update_field(client, job["id"], {"isActive": False})["isActive"] is False
    before = snapshot(client)
    assert_error(
        client.delete(f"/rest/metadata/fields/{job['id']}"),
        400,
        "BadRequestException",
        "Standard Fields can't be deleted",
    )
    assert snapshot(client) == before


def test_active_field_cannot_be_deleted(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    before = snapshot(client)
    assert_error(
        client.delete(f"/rest/metadata/fields/{field['id']}"),
        400,
        "BadRequestException",
        "Active fields can't be deleted",
    )
    assert snapshot(client) == before


def test_label_identifier_field_cannot_be_deleted(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    update_field(client, field["id"], {"isActive": False})
    updated = update_object(client, pet["id"], {"labelIdentifierFieldMetadataId": field["id"]})
    assert updated["labelIdentifierFieldMetadataId"] == field["id"]
    before = snapshot(client)
    assert_error(
        client.delete(f"/rest/metadata/fields/{field['id']}"),
        400,
        "BadRequestException",
        "Cannot delete, please update the label identifier field first",
    )
    assert snapshot(client) == before


def test_deactivated_field_is_hidden_and_data_kept(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    rex = make_pet(client, name="Rex", nickname="Rexy")
    assert update_field(client, field["id"], {"isActive": False})["isActive"] is False
    assert get_field(client, field["id"])["isActive"] is False
    rec = get_pet(client, rex["id"])
    assert "nickname" not in rec and set(rec) == PET_RECORD_KEYS
    assert_error(
        client.get("/rest/pets", params={"filter": "nickname[eq]:Rexy"}),
        400,
        "BadRequestException",
        'Object pet doesn\'t have any "nickname" field.',
    )
    update_field(client, field["id"], {"isActive": True})
    assert get_pet(client, rex["id"])["nickname"] == "Rexy"


def test_deleting_field_drops_its_data(client: CheckedClient, pet: dict) -> None:
    field = create_field(client, pet["id"], "TEXT", "nickname")
    rex = make_pet(client, name="Rex", nickname="Rexy")
    update_field(client, field["id"], {"isActive": False})
    delete_field(client, field["id"])
    assert "nickname" not in field_names(client, "pet")
    assert "nickname" not in get_pet(client, rex["id"])
    again = create_field(client, pet["id"], "TEXT", "nickname")
    assert again["id"] != field["id"]
    assert get_pet(client, rex["id"])["nickname"] is None


def test_renaming_custom_object_changes_rest_path(client: CheckedClient, pet: dict) -> None:
    rex = make_pet(client, name="Rex")
    changes = {"nameSingular": "dog", "namePlural": "dogs", "labelSingular": "Dog", "labelPlural": "Dogs"}
    updated = update_object(client, pet["id"], changes)
    assert updated["nameSingular"] == "dog" and updated["namePlural"] == "dogs"
    assert get_object(client, pet["id"])["namePlural"] == "dogs"
    assert_error(client.get("/rest/pets"), 400, "BadRequestException", not_found_object("pets"))
    body = ok(client.get("/rest/dogs"))
    assert [d["id"] for d in body["data"]["dogs"]] == [rex["id"]]
    created = create_record(client, "dogs", "createDog", {"name": "Fido"})
    assert ok(client.get(f"/rest/dogs/{created['id']}"))["data"]["dog"]["name"] == "Fido"
    assert_error(
        client.get("/rest/dog"),
        400,
        "BadRequestException",
        "object 'dog' not found. Did you mean 'dogs'?",
    )


def test_rename_to_taken_name_is_rejected(client: CheckedClient, pet: dict) -> None:
    before = snapshot(client)
    resp = client.patch(f"/rest/metadata/objects/{pet['id']}", json={"nameSingular": "person", "namePlural": "people"})
    assert_bad_request(resp)
    resp = client.patch(f"/rest/metadata/objects/{pet['id']}", json={"nameSingular": "Pet Thing"})
    assert_bad_request(resp, CAMEL)
    assert snapshot(client) == before
    assert pets(client)["totalCount"] == 0
