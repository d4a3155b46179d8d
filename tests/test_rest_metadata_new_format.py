"""The REST metadata API in Twenty's new format, the default of a new workspace (feature flag
IS_REST_METADATA_API_NEW_FORMAT_DIRECT on): lists as {data: [...], pageInfo, totalCount}, one object or field,
a create, an update (PATCH and PUT) and a delete as the bare resource (metadata.md §2.2). The flag itself:
Twenty's default, set per workspace by Settings / --feature-flag / POST /_lite/workspaces, read on
currentWorkspace, followed by the OpenAPI document, kept by a database of schema version 5 that is opened.
The legacy envelopes are pinned by test_rest_metadata.py, on a workspace with the flag off."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import API_KEY, STANDARD_SINGULARS, CheckedClient, Client, assert_error, make_app, new_id, ok

import twenty_lite as tl

FLAG = "IS_REST_METADATA_API_NEW_FORMAT_DIRECT"
PET = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def client(app: Any) -> CheckedClient:
    return CheckedClient(app)


def made_pet(client: Client) -> dict[str, Any]:
    return ok(client.post("/rest/metadata/objects", json=PET), 201)


def test_lists_are_a_page_of_bare_items(client: CheckedClient) -> None:
    for resource in ("objects", "fields"):
        body = ok(client.get(f"/rest/metadata/{resource}", params={"limit": 2}))
        assert set(body) == {"data", "pageInfo", "totalCount"} and isinstance(body["data"], list)
        assert len(body["data"]) == 2 and body["pageInfo"]["hasNextPage"] is True
        assert body["pageInfo"]["startCursor"] == body["data"][0]["id"]
        assert body["pageInfo"]["endCursor"] == body["data"][1]["id"]
    objects = ok(client.get("/rest/metadata/objects"))
    assert objects["totalCount"] == len(STANDARD_SINGULARS) and all("fields" in o for o in objects["data"])


def test_one_object_and_one_field_are_bare(client: CheckedClient) -> None:
    person = next(o for o in ok(client.get("/rest/metadata/objects"))["data"] if o["nameSingular"] == "person")
    got = ok(client.get(f"/rest/metadata/objects/{person['id']}"))
    assert got == person and got["namePlural"] == "people" and got["fields"]
    field = next(f for f in person["fields"] if f["name"] == "city")
    assert ok(client.get(f"/rest/metadata/fields/{field['id']}")) == field


def test_create_update_and_delete_answer_the_bare_resource(client: CheckedClient) -> None:
    pet = made_pet(client)
    assert pet["nameSingular"] == "pet" and pet["isCustom"] is True and {f["name"] for f in pet["fields"]} >= {"name"}
    body = {"objectMetadataId": pet["id"], "type": "TEXT", "name": "nickname", "label": "Nickname"}
    field = ok(client.post("/rest/metadata/fields", json=body), 201)
    assert (field["name"], field["type"], field["objectMetadataId"]) == ("nickname", "TEXT", pet["id"])
    patched = ok(client.patch(f"/rest/metadata/fields/{field['id']}", json={"label": "Nick"}))
    assert (patched["id"], patched["label"]) == (field["id"], "Nick")
    put = ok(client.request("PUT", f"/rest/metadata/fields/{field['id']}", json_body={"isActive": False}))
    assert put["isActive"] is False
    assert ok(client.delete(f"/rest/metadata/fields/{field['id']}"))["name"] == "nickname"
    renamed = ok(client.patch(f"/rest/metadata/objects/{pet['id']}", json={"labelPlural": "Cats"}))
    assert renamed["labelPlural"] == "Cats" and "fields" in renamed
    ok(client.request("PUT", f"/rest/metadata/objects/{pet['id']}", json_body={"isActive": False}))
    gone = ok(client.delete(f"/rest/metadata/objects/{pet['id']}"))
    assert gone["nameSingular"] == "pet" and "fields" not in gone
    assert client.get(f"/rest/metadata/objects/{pet['id']}").status_code == 404


def test_errors_are_the_same_in_both_formats() -> None:
    for flags in ({}, {FLAG: False}):
        client = CheckedClient(make_app(feature_flags=flags))
        assert_error(client.get("/rest/metadata/objects/nope"), 400, "BadRequestException",
                     "Validation failed (uuid is expected)")  # fmt: skip
        missing = client.get(f"/rest/metadata/fields/{new_id()}")
        assert missing.status_code == 404 and missing.json()["error"] == "NotFoundException"
        assert client.post("/rest/metadata/objects", json={"nameSingular": "x"}).status_code == 400


def test_the_two_formats_carry_the_same_items() -> None:
    new, old = CheckedClient(make_app()), CheckedClient(make_app(feature_flags={FLAG: False}))
    listed_new = ok(new.get("/rest/metadata/objects"))
    listed_old = ok(old.get("/rest/metadata/objects"))
    assert listed_old["totalCount"] == listed_new["totalCount"] and set(listed_old["data"]) == {"objects"}

    def shape(objects: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...]]]:
        return sorted((o["nameSingular"], tuple(sorted(o))) for o in objects)

    assert shape(listed_new["data"]) == shape(listed_old["data"]["objects"])
    created = ok(old.post("/rest/metadata/objects", json=PET), 201)
    assert set(created) == {"data"} and set(created["data"]) == {"createOneObject"}
    assert set(created["data"]["createOneObject"]) == set(made_pet(new))


# ---- the flag ------------------------------------------------------------------------------------------------------


DEFAULT_ROWS = {FLAG: True, "IS_WORKFLOW_CORE_INDEX_PAGE_ENABLED": True}


def flags_of(client: Client) -> dict[str, bool]:
    answer = ok(client.post("/metadata", json={"query": "{ currentWorkspace { featureFlags { key value } } }"}))
    return {f["key"]: f["value"] for f in answer["data"]["currentWorkspace"]["featureFlags"]}


def test_a_new_workspace_lists_twentys_default_flags_only(client: CheckedClient) -> None:
    """Twenty stores a row per default flag (true) and none for the others, and lists the rows."""
    assert flags_of(client) == DEFAULT_ROWS
    assert len(tl.FEATURE_FLAGS) == 19 and sum(tl.FEATURE_FLAGS.values()) == 2


def test_the_flag_types_have_twentys_names(client: CheckedClient) -> None:
    query = """{ t: __type(name: "Workspace") { fields { name type { kind ofType { name } } } }
                 f: __type(name: "FeatureFlag") { fields { name type { kind ofType { name } } } }
                 k: __type(name: "FeatureFlagKey") { enumValues { name } } }"""
    types = ok(client.post("/metadata", json={"query": query}))["data"]
    flags = next(f for f in types["t"]["fields"] if f["name"] == "featureFlags")
    assert flags["type"] == {"kind": "LIST", "ofType": {"name": None}}
    assert {f["name"]: f["type"]["ofType"]["name"] for f in types["f"]["fields"]} == {
        "key": "FeatureFlagKey",
        "value": "Boolean",
    }
    assert [v["name"] for v in types["k"]["enumValues"]] == list(tl.FEATURE_FLAGS)


def test_a_flag_set_to_its_default_is_listed_as_set() -> None:
    """A flag set by name has a row, even when false (a flag with no row reads false but is not listed)."""
    admin = Client(make_app())
    made = ok(
        admin.post(
            "/_lite/workspaces",
            json={"featureFlags": {"IS_JSON_FILTER_ENABLED": False, "IS_VALIDATION_RULES_ENABLED": True}},
        ),
        201,
    )
    assert flags_of(Client(admin.app, made["apiKey"])) == {
        FLAG: True,
        "IS_WORKFLOW_CORE_INDEX_PAGE_ENABLED": True,
        "IS_JSON_FILTER_ENABLED": False,
        "IS_VALIDATION_RULES_ENABLED": True,
    }


def test_settings_set_a_flag_of_the_default_workspace_and_it_stays_set() -> None:
    client = Client(make_app(feature_flags={FLAG: False}))
    assert flags_of(client)[FLAG] is False
    assert set(ok(client.get("/rest/metadata/objects"))["data"]) == {"objects"}


def test_the_admin_api_makes_workspaces_with_flags_and_a_recycled_one_forgets_them() -> None:
    admin = Client(make_app())
    off = ok(admin.post("/_lite/workspaces", json={"featureFlags": {FLAG: False}}), 201)
    ws_off = Client(admin.app, off["apiKey"])
    assert flags_of(ws_off)[FLAG] is False and set(ok(ws_off.get("/rest/metadata/objects"))["data"]) == {"objects"}
    ok(admin.delete(f"/_lite/workspaces/{off['id']}"))
    for _ in range(3):  # the deleted one comes back as a spare: with Twenty's defaults
        made = ok(admin.post("/_lite/workspaces", json={}), 201)
        assert flags_of(Client(admin.app, made["apiKey"]))[FLAG] is True


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ([], "featureFlags must be an object of flag names and booleans"),
        ("x", "featureFlags must be an object of flag names and booleans"),
        ({"NOPE": True}, f"featureFlags: unknown feature flag 'NOPE'; the flags are {', '.join(tl.FEATURE_FLAGS)}"),
        ({FLAG: 1}, f"featureFlags.{FLAG} must be true or false"),
        ({FLAG: "false"}, f"featureFlags.{FLAG} must be true or false"),
        ({FLAG: None}, f"featureFlags.{FLAG} must be true or false"),
    ],
)
def test_wrong_feature_flags_are_a_400_and_make_nothing(flags: Any, message: str) -> None:
    admin = Client(make_app())
    before = ok(admin.get("/_lite/workspaces"))
    assert_error(admin.post("/_lite/workspaces", json={"featureFlags": flags}), 400, "BadRequestException", message)
    assert ok(admin.get("/_lite/workspaces")) == before


def test_wrong_settings_flags_are_refused_when_the_app_is_made() -> None:
    with pytest.raises(tl.ApiError, match="unknown feature flag 'NOPE'"):
        make_app(feature_flags={"NOPE": True})


def test_the_openapi_document_follows_the_format() -> None:
    for flags, listed in (({}, "array"), ({FLAG: False}, "object")):
        doc = ok(Client(make_app(feature_flags=flags)).get("/rest/open-api/metadata"))
        answer = doc["paths"]["/objects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer["properties"]["data"]["type"] == listed


@pytest.mark.parametrize(
    ("argument", "error"),
    [
        ("NOPE=true", "'NOPE' is not a feature flag"),
        (f"{FLAG}=maybe", f"give the flag as {FLAG}=true or {FLAG}=false"),
        (FLAG, f"give the flag as {FLAG}=true or {FLAG}=false"),
    ],
)
def test_the_command_line_refuses_a_wrong_flag_in_one_line(argument: str, error: str) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "twenty_lite.py"), "--feature-flag", argument],
                         capture_output=True, text=True, timeout=30)  # fmt: skip
    assert run.returncode == 2 and error in run.stderr and "Traceback" not in run.stderr


def test_the_command_line_flag_reaches_settings() -> None:
    settings = tl._parse_args(["--feature-flag", f"{FLAG}=false", "--feature-flag", f"{FLAG}=TRUE"])
    assert settings.feature_flags == {FLAG: True}  # the last one wins


def test_a_database_of_schema_version_5_gets_the_flags_column(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    app = tl.create_app(tl.Settings(db=str(path), seed="none", api_key=API_KEY, feature_flags={FLAG: False}))
    app.state.store.checkpoint()
    conn = sqlite3.connect(path)
    conn.executescript("ALTER TABLE workspace DROP COLUMN feature_flags; "
                       "UPDATE meta_info SET value = '5' WHERE key = 'schema_version';")  # fmt: skip
    conn.close()
    again = Client(tl.create_app(tl.Settings(db=str(path), seed="none", api_key=API_KEY)))
    assert flags_of(again) == DEFAULT_ROWS  # the column came back with Twenty's defaults
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta_info WHERE key = 'schema_version'").fetchone() == (
        str(tl.SCHEMA_VERSION),
    )
    conn.close()


def test_a_reset_keeps_the_workspaces_flags() -> None:
    admin = Client(make_app())
    off = ok(admin.post("/_lite/workspaces", json={"featureFlags": {FLAG: False}}), 201)
    ws = Client(admin.app, off["apiKey"])
    ok(ws.post("/rest/metadata/objects", json=PET), 201)  # a data-model change: the reset swaps the model
    for seed in ("none", "demo"):
        ok(admin.post(f"/_lite/workspaces/{off['id']}/reset", json={"seed": seed}))
        assert flags_of(ws)[FLAG] is False and set(ok(ws.get("/rest/metadata/objects"))["data"]) == {"objects"}
