"""Views on /metadata and /rest/metadata/views… (issue 15, item 3): the standard INDEX view of every
object, computed until a view changes; create, update, delete (soft) and destroy of views and their
parts; bad input answered in Twenty's error shape and changing nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Client, make_app, meta_data, meta_gql, ok

VIEW_FIELDS = "id name key type icon position isCustom objectMetadataId visibility openRecordIn deletedAt"


gql, data = meta_gql, meta_data  # /metadata with variables as keywords


def error(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = gql(client, query, **variables)
    assert body.get("errors"), body
    return body["errors"][0]


def objects(client: Client) -> dict[str, dict[str, Any]]:
    return {o["nameSingular"]: o for o in ok(client.get("/rest/metadata/objects?limit=200"))["data"]}


def views(client: Client, object_id: str | None = None) -> list[dict[str, Any]]:
    query = f"query($o: String) {{ getViews(objectMetadataId: $o) {{ {VIEW_FIELDS} }} }}"
    return data(client, query, o=object_id)["getViews"]


def index_view(client: Client, name: str) -> dict[str, Any]:
    obj = objects(client)[name]
    query = "query($o: String) { getViews(objectMetadataId: $o) { id name key viewFields { fieldMetadataId position size isVisible } } }"
    (found,) = [v for v in data(client, query, o=obj["id"])["getViews"] if v["key"] == "INDEX"]
    return found


def create_view(client: Client, object_id: str, **extra: Any) -> dict[str, Any]:
    made = data(client, "mutation($i: CreateViewInput!) { createView(input: $i) { id name type key isCustom } }",
                i={"name": "Mine", "objectMetadataId": object_id, "icon": "IconList", **extra})  # fmt: skip
    return made["createView"]


def test_every_object_a_person_uses_has_an_index_view(client: Client) -> None:
    listed = [v for v in views(client) if v["key"] == "INDEX"]
    shown = {o["id"]: o for o in objects(client).values() if not o["isSystem"]}
    assert {v["objectMetadataId"] for v in listed} == set(shown)
    for view in listed:
        obj = shown[view["objectMetadataId"]]
        assert view["name"] == f"All {obj['labelPlural']}" and view["key"] == "INDEX" and view["type"] == "TABLE"
        assert view["icon"] == "IconTable" and view["isCustom"] is False and view["visibility"] == "WORKSPACE"
        assert view["openRecordIn"] == "SIDE_PANEL" and view["deletedAt"] is None


def test_the_index_views_have_twentys_columns(client: Client) -> None:
    """Twenty's curated INDEX views: columns in order, with widths and aggregates (company and task shown)."""
    company = objects(client)["company"]
    by_id = {f["id"]: f["name"] for f in company["fields"]}
    columns = index_view(client, "company")["viewFields"]
    assert [(by_id[c["fieldMetadataId"]], c["position"], c["size"]) for c in columns] == [
        ("name", 0, 180), ("domainName", 1, 100), ("createdBy", 2, 150), ("accountOwner", 3, 150),
        ("createdAt", 4, 150), ("employees", 5, 150), ("linkedinLink", 6, 170), ("address", 7, 170)]  # fmt: skip
    assert all(c["isVisible"] for c in columns)
    task = objects(client)["task"]
    by_id = {f["id"]: f["name"] for f in task["fields"]}
    positions = [(by_id[c["fieldMetadataId"]], c["position"]) for c in index_view(client, "task")["viewFields"]]
    assert positions[:2] == [("title", 0), ("status", 2)]  # Twenty leaves position 1 free


def test_the_kanban_and_assigned_to_me_views(client: Client) -> None:
    query = """query($o: String) { getViews(objectMetadataId: $o) { name type key position icon
        mainGroupByFieldMetadataId kanbanAggregateOperation viewGroups { fieldValue position }
        viewFilters { operand value } } }"""
    opportunity, task = objects(client)["opportunity"], objects(client)["task"]
    stage = next(f["id"] for f in opportunity["fields"] if f["name"] == "stage")
    listed = data(client, query, o=opportunity["id"])["getViews"]
    assert [(v["name"], v["type"], v["position"]) for v in listed] == [("All Opportunities", "TABLE", 0),
                                                                       ("By Stage", "KANBAN", 2)]  # fmt: skip
    by_stage = listed[1]
    assert by_stage["mainGroupByFieldMetadataId"] == stage and by_stage["kanbanAggregateOperation"] == "SUM"
    assert [g["fieldValue"] for g in by_stage["viewGroups"]] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]
    tasks = {v["name"]: v for v in data(client, query, o=task["id"])["getViews"]}
    assert set(tasks) == {"All Tasks", "By Status", "Assigned to Me"}
    mine = tasks["Assigned to Me"]
    assert [g["fieldValue"] for g in mine["viewGroups"]] == ["TODO", "IN_PROGRESS", "DONE", ""]
    assert mine["viewFilters"] == [{"operand": "IS",
                                    "value": '{"isCurrentWorkspaceMemberSelected":true,"selectedRecordIds":[]}'}]  # fmt: skip


def test_a_custom_objects_index_view_shows_its_own_and_system_fields(client: Client) -> None:
    made = ok(client.post("/rest/metadata/objects", json={"nameSingular": "boat", "namePlural": "boats",
                                                          "labelSingular": "Boat", "labelPlural": "Boats"}), 201)  # fmt: skip
    names = {f["id"]: f["name"] for f in made["fields"]}
    (view,) = data(client, "query($o: String) { getViews(objectMetadataId: $o) { name icon isCustom viewFields "
                           "{ fieldMetadataId size } } }", o=made["id"])["getViews"]  # fmt: skip
    assert view["name"] == "All Boats" and view["icon"] == "IconList" and view["isCustom"] is True
    shown = [names[c["fieldMetadataId"]] for c in view["viewFields"]]
    assert shown[0] == "name" and {"createdAt", "updatedAt", "createdBy", "updatedBy"} <= set(shown)
    assert not {"id", "deletedAt", "position", "searchVector"} & set(shown)
    assert {c["size"] for c in view["viewFields"]} == {180}


def test_views_are_stable_until_changed_and_ids_are_the_same_after_the_first_change(client: Client) -> None:
    before = views(client)
    assert views(client) == before
    create_view(client, before[0]["objectMetadataId"])
    after = {v["id"]: v for v in views(client)}
    assert all(after[v["id"]] == v for v in before)


def test_a_view_with_its_parts_over_graphql(client: Client) -> None:
    company = objects(client)["company"]
    field = {f["name"]: f["id"] for f in company["fields"]}
    view = create_view(client, company["id"], type="KANBAN", mainGroupByFieldMetadataId=field["name"])
    assert view["type"] == "KANBAN" and view["key"] is None and view["isCustom"] is True
    made = data(client, """mutation($v: UUID!, $f: UUID!) {
        a: createViewField(input: {viewId: $v, fieldMetadataId: $f, size: 120, position: 1}) { id size isVisible }
        b: createViewSort(input: {viewId: $v, fieldMetadataId: $f, direction: DESC}) { id direction }
        c: createViewFilterGroup(input: {viewId: $v, logicalOperator: OR}) { id logicalOperator }
        d: createViewGroup(input: {viewId: $v, fieldValue: "Acme", position: 2}) { id fieldValue isVisible }
        e: createViewFieldGroup(input: {viewId: $v, name: "Main"}) { id name position isVisible }
    }""", v=view["id"], f=field["employees"])  # fmt: skip
    assert made["a"]["size"] == 120 and made["a"]["isVisible"] is True and made["b"]["direction"] == "DESC"
    assert made["c"]["logicalOperator"] == "OR" and made["d"]["isVisible"] is True and made["e"]["position"] == 0
    filt = data(client, """mutation($v: UUID!, $f: UUID!, $g: UUID) { createViewFilter(input: {viewId: $v,
        fieldMetadataId: $f, operand: GREATER_THAN_OR_EQUAL, value: 10, viewFilterGroupId: $g}) { id operand value
        viewFilterGroupId } }""", v=view["id"], f=field["employees"], g=made["c"]["id"])["createViewFilter"]  # fmt: skip
    assert filt["value"] == 10 and filt["viewFilterGroupId"] == made["c"]["id"]
    read = data(
        client,
        """query($id: String!) { getView(id: $id) { viewFields { id } viewSorts { id }
        viewFilters { id } viewFilterGroups { id } viewGroups { id } viewFieldGroups { id } } }""",
        id=view["id"],
    )
    assert {k: len(v) for k, v in read["getView"].items()} == dict.fromkeys(read["getView"], 1)
    assert data(client, "query($v: String!) { getViewSorts(viewId: $v) { id } }", v=view["id"])["getViewSorts"] == [
        {"id": made["b"]["id"]}]  # fmt: skip


def test_update_delete_and_destroy(client: Client) -> None:
    company = objects(client)["company"]
    view = create_view(client, company["id"])
    updated = data(client, 'mutation($id: String!) { updateView(id: $id, input: {name: "Renamed", position: 3}) '
                           "{ name position } }", id=view["id"])["updateView"]  # fmt: skip
    assert updated == {"name": "Renamed", "position": 3}
    sort = data(client, "mutation($v: UUID!, $f: UUID!) { createViewSort(input: {viewId: $v, fieldMetadataId: $f}) "
                        "{ id direction } }", v=view["id"], f=company["fields"][1]["id"])["createViewSort"]  # fmt: skip
    assert sort["direction"] == "ASC"
    changed = data(client, "mutation($id: UUID!) { updateViewSort(input: {id: $id, update: {direction: DESC}}) "
                           "{ direction } }", id=sort["id"])  # fmt: skip
    assert changed == {"updateViewSort": {"direction": "DESC"}}
    assert data(client, "mutation($id: UUID!) { deleteViewSort(input: {id: $id}) }", id=sort["id"]) == {
        "deleteViewSort": True}  # fmt: skip
    assert data(client, "query($id: String!) { getViewSort(id: $id) { id } }", id=sort["id"]) == {"getViewSort": None}
    assert data(client, "mutation($id: String!) { deleteView(id: $id) }", id=view["id"]) == {"deleteView": True}
    assert view["id"] not in {v["id"] for v in views(client)}
    # a deleted view is gone for destroy too
    err = error(client, "mutation($id: String!) { destroyView(id: $id) }", id=view["id"])
    assert err["message"] == f"View (id: {view['id']}) not found" and err["extensions"]["code"] == "NOT_FOUND"


def test_destroy_removes_the_view_and_its_parts(client: Client) -> None:
    company = objects(client)["company"]
    view = create_view(client, company["id"])
    field = company["fields"][1]["id"]
    data(client, "mutation($v: UUID!, $f: UUID!) { createViewField(input: {viewId: $v, fieldMetadataId: $f}) { id } }",
         v=view["id"], f=field)  # fmt: skip
    assert data(client, "mutation($id: String!) { destroyView(id: $id) }", id=view["id"]) == {"destroyView": True}
    with client.app.state.store.read() as conn:
        assert conn.execute(
            "SELECT count(*) FROM view_item WHERE id = ? OR parent_id = ?", (view["id"],) * 2
        ).fetchone() == (0,)


def test_the_index_view_cannot_be_removed(client: Client) -> None:
    view = index_view(client, "person")
    for verb in ("deleteView", "destroyView"):
        err = error(client, f"mutation($id: String!) {{ {verb}(id: $id) }}", id=view["id"])
        assert err["message"] == "The INDEX view of an object cannot be deleted"
        assert err["extensions"]["code"] == "BAD_USER_INPUT"


def test_views_of_a_deleted_field_or_object_go_with_it(client: Client) -> None:
    made = ok(client.post("/rest/metadata/objects", json={"nameSingular": "pet", "namePlural": "pets",
                                                          "labelSingular": "Pet", "labelPlural": "Pets"}), 201)  # fmt: skip
    assert [v["name"] for v in views(client, made["id"])] == ["All Pets"]
    company = objects(client)["company"]
    field = ok(client.post("/rest/metadata/fields", json={"objectMetadataId": company["id"], "type": "TEXT",
                                                         "name": "motto", "label": "Motto"}), 201)  # fmt: skip
    view = create_view(client, company["id"])
    data(client, "mutation($v: UUID!, $f: UUID!) { createViewField(input: {viewId: $v, fieldMetadataId: $f}) { id } }",
         v=view["id"], f=field["id"])  # fmt: skip
    ok(client.patch(f"/rest/metadata/fields/{field['id']}", json={"isActive": False}))
    ok(client.delete(f"/rest/metadata/fields/{field['id']}"))
    assert data(client, "query($v: String!) { getViewFields(viewId: $v) { id } }", v=view["id"])["getViewFields"] == []
    ok(client.patch(f"/rest/metadata/objects/{made['id']}", json={"isActive": False}))
    ok(client.delete(f"/rest/metadata/objects/{made['id']}"))
    assert views(client, made["id"]) == []


BAD_CREATES = [
    ({"name": 7}, None),  # the GraphQL type refuses it
    ({"name": "x" * 10_001}, "name must be a string of at most 10000 characters"),
    ({"type": "GRID"}, None),  # the GraphQL enum refuses it
    ({"position": "first"}, None),
    ({"kanbanColumnWidth": 2**40}, None),
    ({"objectMetadataId": "00000000-0000-4000-8000-000000000000"}, "Object metadata not found"),
    ({"mainGroupByFieldMetadataId": "00000000-0000-4000-8000-000000000000"}, "Field metadata not found"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_CREATES)
def test_bad_view_input_is_refused_and_changes_nothing(
    client: Client, extra: dict[str, Any], message: str | None
) -> None:
    company = objects(client)["company"]
    before = views(client)
    body = gql(client, "mutation($i: CreateViewInput!) { createView(input: $i) { id } }",
               i={"name": "Mine", "objectMetadataId": company["id"], "icon": "IconList", **extra})  # fmt: skip
    assert body.get("errors") and "data" not in body or body["data"] is None, body
    if message:
        assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
    assert views(client) == before


def test_a_part_must_name_a_field_of_its_views_object(client: Client) -> None:
    company, person = objects(client)["company"], objects(client)["person"]
    view = create_view(client, company["id"])
    err = error(client, "mutation($v: UUID!, $f: UUID!) { createViewSort(input: {viewId: $v, fieldMetadataId: $f}) { id } }",
                v=view["id"], f=person["fields"][0]["id"])  # fmt: skip
    assert err["message"] == "Field metadata not found"
    err = error(client, "mutation($f: UUID!) { createViewSort(input: {viewId: \"00000000-0000-4000-8000-000000000000\", "
                        "fieldMetadataId: $f}) { id } }", f=company["fields"][0]["id"])  # fmt: skip
    assert err["message"] == "View (id: 00000000-0000-4000-8000-000000000000) not found"


def test_getters_of_unknown_or_malformed_ids_answer_null(client: Client) -> None:
    for getter in ("getView", "getViewField", "getViewFilter", "getViewFilterGroup", "getViewSort", "getViewGroup",
                   "getViewFieldGroup"):  # fmt: skip
        for value in ("00000000-0000-4000-8000-000000000000", "nope", "x" * 5000):
            assert data(client, f"query($id: String!) {{ {getter}(id: $id) {{ id }} }}", id=value) == {getter: None}
    assert data(client, '{ getViews(objectMetadataId: "nope") { id } }') == {"getViews": []}


def test_a_member_reads_views_but_cannot_change_them(client: Client) -> None:
    roles = {r["label"]: r["id"] for r in data(client, "{ getRoles { id label } }")["getRoles"]}
    key = data(client, 'mutation($r: UUID!) { createApiKey(input: {name: "m", expiresAt: "2100-01-01T00:00:00Z", '
                       "roleId: $r}) { id } }", r=roles["Member"])["createApiKey"]["id"]  # fmt: skip
    token = data(client, 'mutation($k: UUID!) { generateApiKeyToken(apiKeyId: $k, expiresAt: "2100-01-01T00:00:00Z") '
                         "{ token } }", k=key)["generateApiKeyToken"]["token"]  # fmt: skip
    member = Client(client.app, token)
    assert views(member) == views(client)
    err = error(member, "mutation($i: CreateViewInput!) { createView(input: $i) { id } }",
                i={"name": "x", "objectMetadataId": objects(client)["company"]["id"], "icon": "IconList"})  # fmt: skip
    assert err["extensions"]["code"] == "FORBIDDEN"
    assert err["message"] == "You do not have permission to create workspace-level views"
    err = error(member, 'mutation($id: String!) { updateView(id: $id, input: {name: "x"}) { id } }',
                id=views(client)[0]["id"])  # fmt: skip
    assert err["message"] == "You do not have permission to modify this view"
    assert data(member, "mutation { createManyViewFields(inputs: []) { id } }") == {"createManyViewFields": []}
    with client.app.state.store.read() as conn:  # an empty batch wrote nothing, not even the computed views
        assert conn.execute("SELECT count(*) FROM view_item").fetchone() == (0,)


# ---- REST ---------------------------------------------------------------------------------------------------------


def test_rest_views_list_get_create_update_delete(client: Client) -> None:
    company = objects(client)["company"]
    listed = ok(client.get(f"/rest/metadata/views?objectMetadataId={company['id']}"))
    assert set(listed) == {"data", "pageInfo", "totalCount"} and listed["totalCount"] == 1
    (index,) = listed["data"]
    assert index["name"] == "All Companies" and index["workspaceId"] and index["applicationId"]
    assert ok(client.get(f"/rest/metadata/views/{index['id']}")) == index
    made = ok(client.post("/rest/metadata/views", json={"name": "Big ones", "objectMetadataId": company["id"],
                                                       "icon": "IconStar"}), 201)  # fmt: skip
    assert made["name"] == "Big ones" and made["type"] == "TABLE" and made["deletedAt"] is None
    field = next(f for f in company["fields"] if f["name"] == "employees")
    part = ok(client.post("/rest/metadata/viewSorts", json={"viewId": made["id"], "fieldMetadataId": field["id"],
                                                           "direction": "DESC"}), 201)  # fmt: skip
    assert ok(client.get(f"/rest/metadata/viewSorts?viewId={made['id']}"))["data"] == [part]
    assert ok(client.patch(f"/rest/metadata/views/{made['id']}", json={"name": "Bigger"}))["name"] == "Bigger"
    assert ok(client.delete(f"/rest/metadata/views/{made['id']}")) == {"success": True}
    assert client.get(f"/rest/metadata/views/{made['id']}").json() == {
        "statusCode": 404, "error": "NotFoundException", "messages": [f"View (id: {made['id']}) not found"],
        "code": "VIEW_NOT_FOUND"}  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("GET", "/rest/metadata/views/not-a-uuid", None, 400, "Validation failed (uuid is expected)"),
        ("GET", "/rest/metadata/viewFields?viewId=nope", None, 400, "viewId must be a UUID"),
        ("POST", "/rest/metadata/views", [], 400, "Request body must be a JSON object"),
        ("POST", "/rest/metadata/views", {"name": "x"}, 400, "icon should not be empty"),
        ("POST", "/rest/metadata/views", {"name": "x", "icon": "I", "type": "GRID"}, 400,
         "type must be one of TABLE, KANBAN, CALENDAR, LIST, FIELDS_WIDGET, TABLE_WIDGET, KANBAN_WIDGET, LIST_WIDGET, "
         "CALENDAR_WIDGET"),
        ("POST", "/rest/metadata/views", {"name": "x", "icon": "I", "extra": 1}, 400, "property extra should not exist"),
        ("POST", "/rest/metadata/viewSorts", {"fieldMetadataId": "00000000-0000-4000-8000-000000000000"}, 400,
         "viewId must be a UUID"),
        ("POST", "/rest/metadata/viewSorts", {"viewId": "00000000-0000-4000-8000-000000000000",
                                              "fieldMetadataId": "00000000-0000-4000-8000-000000000000"}, 404,
         "View (id: 00000000-0000-4000-8000-000000000000) not found"),
        ("PATCH", "/rest/metadata/viewFields/00000000-0000-4000-8000-000000000000", {}, 404,
         "View field (id: 00000000-0000-4000-8000-000000000000) not found"),
        ("DELETE", "/rest/metadata/viewGroups/00000000-0000-4000-8000-000000000000", None, 404,
         "View group (id: 00000000-0000-4000-8000-000000000000) not found"),
        ("GET", "/rest/metadata/viewFieldGroups", None, 404, None),
        ("PUT", "/rest/metadata/views", {}, 404, None),
    ],
)  # fmt: skip
def test_rest_views_bad_input(
    client: Client, method: str, path: str, body: Any, status: int, message: str | None
) -> None:
    before = ok(client.get("/rest/metadata/views"))
    kwargs = {} if body is None else {"data": json.dumps(body), "headers": {"Content-Type": "application/json"}}
    resp = client.request(method, path, **kwargs)
    assert resp.status_code == status, resp.json()
    if message:
        assert resp.json()["messages"] == [message]
    assert ok(client.get("/rest/metadata/views")) == before


def test_a_workspace_lists_its_views_and_parts() -> None:
    client = Client(make_app())
    listed = data(client, "{ currentWorkspace { views { id } viewFields { id } viewSorts { id } } }")[
        "currentWorkspace"
    ]
    assert len(listed["views"]) == len(views(client)) and len(listed["viewFields"]) > 20 and listed["viewSorts"] == []


def test_an_object_made_after_the_views_were_stored_has_its_index_view(client: Client) -> None:
    create_view(client, objects(client)["company"]["id"])  # the views are stored from here on
    made = ok(client.post("/rest/metadata/objects", json={"nameSingular": "kite", "namePlural": "kites",
                                                          "labelSingular": "Kite", "labelPlural": "Kites"}), 201)  # fmt: skip
    (view,) = views(client, made["id"])
    assert view["name"] == "All Kites" and view["key"] == "INDEX"
    field = next(f["id"] for f in made["fields"] if f["name"] == "createdAt")
    sort = data(client, "mutation($v: UUID!, $f: UUID!) { createViewSort(input: {viewId: $v, fieldMetadataId: $f}) { id } }",
                v=view["id"], f=field)["createViewSort"]  # fmt: skip
    renamed = data(
        client, 'mutation($id: String!) { updateView(id: $id, input: {name: "Kites!"}) { name } }', id=view["id"]
    )
    assert renamed == {"updateView": {"name": "Kites!"}}
    listed = data(
        client, "query($o: String) { getViews(objectMetadataId: $o) { id name viewSorts { id } } }", o=made["id"]
    )
    assert listed["getViews"] == [{"id": view["id"], "name": "Kites!", "viewSorts": [{"id": sort["id"]}]}]


def test_a_field_made_after_the_views_were_stored_gets_a_column(client: Client) -> None:
    company = objects(client)["company"]
    create_view(client, company["id"])  # the views are stored from here on
    before = index_view(client, "company")["viewFields"]
    field = ok(client.post("/rest/metadata/fields", json={"objectMetadataId": company["id"], "type": "TEXT",
                                                         "name": "motto", "label": "Motto"}), 201)  # fmt: skip
    after = index_view(client, "company")["viewFields"]
    assert after[:-1] == before
    assert after[-1] == {"fieldMetadataId": field["id"], "position": before[-1]["position"] + 1, "size": 180,
                         "isVisible": True}  # fmt: skip


def test_a_batch_of_view_fields_is_all_or_nothing(client: Client) -> None:
    company = objects(client)["company"]
    view = create_view(client, company["id"])
    fields = [f["id"] for f in company["fields"][:3]]
    made = data(client, "mutation($i: [CreateViewFieldInput!]!) { createManyViewFields(inputs: $i) { id position } }",
                i=[{"viewId": view["id"], "fieldMetadataId": f, "position": n} for n, f in enumerate(fields)])  # fmt: skip
    assert [m["position"] for m in made["createManyViewFields"]] == [0, 1, 2]
    bad = [{"viewId": view["id"], "fieldMetadataId": fields[0]},
           {"viewId": view["id"], "fieldMetadataId": "00000000-0000-4000-8000-000000000000"}]  # fmt: skip
    err = error(client, "mutation($i: [CreateViewFieldInput!]!) { createManyViewFields(inputs: $i) { id } }", i=bad)
    assert err["message"] == "Field metadata not found"
    listed = data(client, "query($v: String!) { getViewFields(viewId: $v) { id } }", v=view["id"])["getViewFields"]
    assert len(listed) == 3
