"""Issue acceptance: a custom object with a field of every type and a relation to company, made
through GraphQL /metadata and through REST metadata, then used through /rest/ at once."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Client

# (name, type, extra input, value written, filter that must match it, filter that must not)
FIELDS: list[tuple[str, str, dict[str, Any], Any, str, str]] = [
    ("title", "TEXT", {}, "Alpha", 'title[eq]:"Alpha"', "title[eq]:Beta"),
    ("size", "NUMBER", {}, 42, "size[gte]:40", "size[lt]:40"),
    ("weight", "NUMERIC", {}, 12.5, "weight[lt]:13", "weight[gt]:13"),
    ("active", "BOOLEAN", {}, True, "active[eq]:true", "active[eq]:false"),
    ("seenAt", "DATE_TIME", {}, "2026-03-01T10:00:00.000Z", "seenAt[gte]:2026-03-01", "seenAt[lt]:2026-03-01"),
    ("birthday", "DATE", {}, "2020-05-04", "birthday[eq]:2020-05-04", "birthday[eq]:2020-05-05"),
    ("kind", "SELECT", {"options": [{"value": "DOG", "label": "Dog", "color": "blue"},
                                    {"value": "CAT", "label": "Cat", "color": "red"}]},
     "CAT", "kind[eq]:CAT", "kind[eq]:DOG"),
    ("tags", "MULTI_SELECT", {"options": [{"value": "A", "label": "A"}, {"value": "B", "label": "B"}]},
     ["A", "B"], "tags[containsAny]:[B]", "tags[is]:NULL"),
    ("stars", "RATING", {}, "RATING_4", "stars[eq]:RATING_4", "stars[eq]:RATING_1"),
    ("extra", "RAW_JSON", {}, {"k": "needle"}, "extra[like]:%needle%", "extra[like]:%hay%"),
    ("labels", "ARRAY", {}, ["x", "y"], "labels[is]:NOT_NULL", "labels[is]:NULL"),
    ("price", "CURRENCY", {}, {"amountMicros": 5_000_000, "currencyCode": "EUR"},
     "price.amountMicros[gt]:1000000", "price.currencyCode[eq]:USD"),
    ("owner", "FULL_NAME", {}, {"firstName": "Ada", "lastName": "L"}, "owner.firstName[eq]:Ada",
     "owner.firstName[eq]:Bob"),
    ("mail", "EMAILS", {}, {"primaryEmail": "a@b.io", "additionalEmails": ["c@d.io"]},
     "mail.primaryEmail[eq]:a@b.io", "mail.primaryEmail[eq]:x@b.io"),
    ("phone", "PHONES", {}, {"primaryPhoneNumber": "612345678", "primaryPhoneCountryCode": "FR",
                             "primaryPhoneCallingCode": "+33", "additionalPhones": None},
     "phone.primaryPhoneNumber[eq]:612345678", "phone.primaryPhoneCountryCode[eq]:US"),
    ("site", "LINKS", {}, {"primaryLinkUrl": "https://a.io", "primaryLinkLabel": "", "secondaryLinks": []},
     "site.primaryLinkUrl[startsWith]:https://a", "site.primaryLinkUrl[endsWith]:.com"),
    ("place", "ADDRESS", {}, {"addressCity": "Oslo", "addressLat": 59.9}, "place.addressCity[eq]:Oslo",
     "place.addressLat[gt]:60"),
    ("story", "RICH_TEXT_V2", {}, {"markdown": "Hello world", "blocknote": None}, "story.markdown[ilike]:%WORLD%",
     "story.markdown[ilike]:%moon%"),
    ("ref", "UUID", {}, "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01", "ref[eq]:7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01",
     "ref[is]:NULL"),
]  # fmt: skip


def gql(client: Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    resp = client.post("/metadata", json={"query": query, "variables": variables})
    assert resp.status_code == 200
    body = resp.json()
    assert "errors" not in body, body
    return body["data"]


def object_id(client: Client, singular: str) -> str:
    objects = client.get("/rest/metadata/objects", params={"limit": 60}).json()["data"]
    return next(o["id"] for o in objects if o["nameSingular"] == singular)


def build_with_graphql(client: Client) -> None:
    created = gql(client, "mutation($input: CreateOneObjectInput!) { createOneObject(input: $input) { id } }",
                  {"input": {"object": {"nameSingular": "gadget", "namePlural": "gadgets", "labelSingular": "Gadget",
                                        "labelPlural": "Gadgets"}}})  # fmt: skip
    oid = created["createOneObject"]["id"]
    mutation = "mutation($v: CreateOneFieldMetadataInput!) { createOneField(input: $v) { id name type } }"
    for name, ftype, extra, *_ in FIELDS:
        field = {"objectMetadataId": oid, "type": ftype, "name": name, "label": name.title(), **extra}
        out = gql(client, mutation, {"v": {"field": field}})["createOneField"]
        assert out["type"] == ("RICH_TEXT" if ftype == "RICH_TEXT_V2" else ftype)
    relation = {"objectMetadataId": oid, "type": "RELATION", "name": "company", "label": "Company",
                "relationCreationPayload": {"type": "MANY_TO_ONE", "targetObjectMetadataId": object_id(client, "company"),
                                            "targetFieldLabel": "Gadgets", "targetFieldIcon": "IconBox"}}  # fmt: skip
    gql(client, mutation, {"v": {"field": relation}})


def build_with_rest(client: Client) -> None:
    resp = client.post("/rest/metadata/objects", json={"nameSingular": "gadget", "namePlural": "gadgets",
                                                       "labelSingular": "Gadget", "labelPlural": "Gadgets"})  # fmt: skip
    assert resp.status_code == 201
    oid = resp.json()["id"]
    for name, ftype, extra, *_ in FIELDS:
        body = {"objectMetadataId": oid, "type": ftype, "name": name, "label": name.title(), **extra}
        assert client.post("/rest/metadata/fields", json=body).status_code == 201, name
    relation = {"objectMetadataId": oid, "type": "RELATION", "name": "company", "label": "Company",
                "relationCreationPayload": {"type": "MANY_TO_ONE", "targetObjectMetadataId": object_id(client, "company"),
                                            "targetFieldLabel": "Gadgets"}}  # fmt: skip
    assert client.post("/rest/metadata/fields", json=relation).status_code == 201


@pytest.mark.parametrize("build", [build_with_graphql, build_with_rest], ids=["graphql", "rest"])
def test_custom_object_with_every_field_type_works_through_rest(client: Client, build) -> None:
    build(client)
    company = client.post("/rest/companies", json={"name": "Acme"}).json()["data"]["createCompany"]
    record = {name: value for name, _, _, value, *_ in FIELDS}
    resp = client.post("/rest/gadgets", json=dict(record, companyId=company["id"]))
    assert resp.status_code == 201, resp.text
    stored = resp.json()["data"]["createGadget"]
    for name, _, _, value, *_ in FIELDS:
        if isinstance(value, dict):
            assert {k: stored[name][k] for k in value} == value, name
        else:
            assert stored[name] == value, name
    blank = client.post("/rest/gadgets", json={"name": "blank"}).json()["data"]["createGadget"]
    for name, _, _, _, hit, miss in FIELDS:
        found = client.get("/rest/gadgets", params={"filter": hit}).json()
        assert [r["id"] for r in found["data"]["gadgets"]] == [stored["id"]], (name, hit)
        assert stored["id"] not in [r["id"] for r in client.get("/rest/gadgets", params={"filter": miss}).json()[
            "data"]["gadgets"]], (name, miss)  # fmt: skip
    by_company = client.get("/rest/gadgets", params={"filter": "company.name[eq]:Acme", "depth": 1}).json()
    assert [r["company"]["name"] for r in by_company["data"]["gadgets"]] == ["Acme"]
    linked = client.get(f"/rest/companies/{company['id']}", params={"depth": 1}).json()["data"]["company"]
    assert [g["id"] for g in linked["gadgets"]] == [stored["id"]]
    more = client.post("/rest/batch/gadgets", json=[{"size": n} for n in range(10)]).json()["data"]["createGadgets"]
    assert len(more) == 10
    ordered = client.get("/rest/gadgets", params={"order_by": "size[DescNullsLast]", "limit": 5}).json()
    assert [r["size"] for r in ordered["data"]["gadgets"]] == [42, 9, 8, 7, 6]
    assert ordered["totalCount"] == 12 and ordered["pageInfo"]["hasNextPage"] is True
    cursor = ordered["pageInfo"]["endCursor"]
    page2 = client.get("/rest/gadgets", params={"order_by": "size[DescNullsLast]", "limit": 5,
                                                "starting_after": cursor}).json()  # fmt: skip
    assert [r["size"] for r in page2["data"]["gadgets"]] == [5, 4, 3, 2, 1]
    last = client.get("/rest/gadgets", params={"order_by": "size[DescNullsLast]", "limit": 5,
                                               "starting_after": page2["pageInfo"]["endCursor"]}).json()  # fmt: skip
    assert [r["size"] for r in last["data"]["gadgets"]] == [0, None]
    assert blank["id"] == last["data"]["gadgets"][-1]["id"]
