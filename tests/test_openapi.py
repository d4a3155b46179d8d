"""OpenAPI documents of a workspace (rest.md §14)."""

from __future__ import annotations

import pytest
from conftest import Client

SECURITY = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


@pytest.mark.parametrize("path", ["/rest/open-api/core", "/open-api/core"])
def test_core_document_without_token_is_a_skeleton(app, path) -> None:
    resp = Client(app, None).get(path)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/json")
    doc = resp.json()
    assert doc["openapi"] == "3.1.1"
    assert doc["info"]["title"] == "Twenty Api"
    assert doc["info"]["version"] == "v0.1"
    assert doc["info"]["license"]["name"] == "AGPL-3.0"
    assert doc["servers"] == [{"url": "http://localhost:3000/rest/", "description": "Production Development"}]
    assert doc["components"]["securitySchemes"] == SECURITY
    assert doc["security"] == [{"bearerAuth": []}]
    assert list(doc["paths"]) == ["/open-api/core"]
    assert "/people" not in doc["paths"]


@pytest.mark.parametrize("token", [None, "invalid-token"])
def test_query_token_or_bad_token_still_gets_the_skeleton(app, token) -> None:
    resp = Client(app, token).get("/rest/open-api/core?token=test-key")
    assert resp.status_code == 200
    assert list(resp.json()["paths"]) == ["/open-api/core"]


def test_core_document_with_token_lists_every_object_and_route(client) -> None:
    doc = client.get("/rest/open-api/core").json()
    paths = doc["paths"]
    expected = {
        "/people": {"get": "findManyPeople", "post": "createOnePerson", "patch": "updateManyPeople",
                    "delete": "deleteManyPeople"},
        "/batch/people": {"post": "createManyPeople"},
        "/people/{id}": {"get": "findOnePerson", "patch": "UpdateOnePerson", "delete": "deleteOnePerson"},
        "/people/duplicates": {"post": "findPersonDuplicates"},
        "/restore/people/{id}": {"patch": "restoreOnePerson"},
        "/restore/people": {"patch": "restoreManyPeople"},
        "/people/merge": {"patch": "mergeManyPeople"},
        "/people/groupBy": {"get": "groupByPeople"},
    }  # fmt: skip
    for path, ops in expected.items():
        assert {m: paths[path][m]["operationId"] for m in ops} == ops
    plurals = {t["name"] for t in doc["tags"]}
    assert {"companies", "people", "opportunities", "notes", "noteTargets", "tasks", "taskTargets",
            "workspaceMembers", "attachments", "favorites", "timelineActivities"} <= plurals  # fmt: skip
    assert "/companies/{id}" in paths and "/timelineActivities" in paths


def test_component_schemas_and_parameters(client) -> None:
    doc = client.get("/rest/open-api/core").json()
    schemas = doc["components"]["schemas"]
    for name in ("Person", "People", "PersonForUpdate", "PersonForResponse"):
        assert name in schemas
    person = schemas["Person"]["properties"]
    assert person["emails"]["properties"]["primaryEmail"] == {"type": "string"}
    assert person["companyId"] == {"type": "string", "format": "uuid"}
    assert "searchVector" not in person
    assert schemas["People"] == {"type": "array", "items": {"$ref": "#/components/schemas/Person"}}
    response = schemas["PersonForResponse"]["properties"]
    # A person without a company answers "company": null (issue 13: responses validate against the document).
    assert response["company"] == {"anyOf": [{"$ref": "#/components/schemas/CompanyForResponse"}, {"type": "null"}]}
    assert response["companyId"] == {"type": ["string", "null"], "format": "uuid"}
    assert response["noteTargets"]["items"] == {"$ref": "#/components/schemas/NoteTargetForResponse"}
    assert schemas["WorkspaceMember"]["required"] == ["userId"]
    stage = schemas["Opportunity"]["properties"]["stage"]
    assert stage["enum"] == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]
    params = doc["components"]["parameters"]
    assert {p["name"] for p in params.values()} >= {
        "order_by", "filter", "limit", "depth", "starting_after", "ending_before", "id", "upsert", "soft_delete",
        "fields", "group_by", "aggregate",
    }  # fmt: skip
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 0, "maximum": 60, "default": 60}
    assert params["depth"]["schema"]["enum"] == [0, 1]
    assert params["depth"]["schema"]["default"] == 0
    # Every status the server can answer is documented (issue 13), each with the error body's schema.
    assert set(doc["components"]["responses"]) == {"400", "401", "403", "404", "408", "413", "429", "500", "503"}


def test_refs_all_resolve(client) -> None:
    doc = client.get("/rest/open-api/core").json()

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for item in node:
                yield from refs(item)

    for ref in set(refs(doc)):
        _, section, kind, name = ref.split("/")
        assert name in doc[section][kind], ref


def test_webhooks_section(client) -> None:
    hooks = client.get("/rest/open-api/core").json()["webhooks"]
    for name in ("Person Created", "Person Updated", "Person Deleted"):
        body = hooks[name]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body["properties"]["record"] == {"$ref": "#/components/schemas/PersonForResponse"}


def test_metadata_document(client) -> None:
    doc = client.get("/rest/open-api/metadata").json()
    assert doc["servers"][0]["url"] == "http://localhost:3000/rest/metadata"
    for resource in ("objects", "fields", "webhooks", "apiKeys"):
        assert set(doc["paths"][f"/{resource}"]) == {"get", "post"}
        assert set(doc["paths"][f"/{resource}/{{id}}"]) == {"get", "patch", "delete"}
    skeleton = Client(client.app, None).get("/open-api/metadata").json()
    assert list(skeleton["paths"]) == ["/open-api/metadata"]


@pytest.mark.parametrize("kind", ["core", "metadata"])
@pytest.mark.parametrize("token", [True, None])
def test_documents_validate_as_openapi(app, kind, token) -> None:
    from openapi_spec_validator import validate

    doc = Client(app, "test-key" if token else None).get(f"/rest/open-api/{kind}").json()
    validate(doc)


def test_custom_object_appears_in_the_document(client) -> None:
    resp = client.post("/rest/metadata/objects", json={"nameSingular": "pet", "namePlural": "pets",
                                                       "labelSingular": "Pet", "labelPlural": "Pets"})  # fmt: skip
    assert resp.status_code == 201
    doc = client.get("/rest/open-api/core").json()
    assert doc["paths"]["/pets"]["get"]["operationId"] == "findManyPets"
    assert "PetForResponse" in doc["components"]["schemas"]
    oid = resp.json()["id"]
    client.patch(f"/rest/metadata/objects/{oid}", json={"isActive": False})
    assert "/pets" not in client.get("/rest/open-api/core").json()["paths"]
