"""Core GraphQL API (POST /graphql): generated names, object types, root fields and their rules,
connections and aggregates, paging and cursors, filters, order-by, create/update inputs, batch
limit and upsert, duplicates and merge, the error envelope, auth errors, nested relations and the
schema lifecycle of custom objects.

Reference: graphql.md §1-§14; rest.md §4 (shared filter and cursor semantics), §6 (input
validation messages); auth-and-limits.md §5 (GraphQL auth errors); data-model.md §3, §7.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import conftest
import pytest
from conftest import gql, root_error

# --------------------------------------------------------------------------- ids and constants


def pid(n: int) -> str:
    """Person id n; the text order of ids equals the numeric order of n."""
    return f"10000000-0000-4000-8000-{n:012d}"


def cid(n: int) -> str:
    """Company id n."""
    return f"20000000-0000-4000-8000-{n:012d}"


def oid(n: int) -> str:
    """Opportunity id n."""
    return f"30000000-0000-4000-8000-{n:012d}"


def xid(n: int) -> str:
    """Any other record id n (pets, notes, …)."""
    return f"40000000-0000-4000-8000-{n:012d}"


MISSING_ID = "9f9f9f9f-0000-4000-8000-000000000000"
SPEC_ID = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e01"
SPEC_CURSOR = "eyJpZCI6IjdmM2MxYTUyLTRiOWUtNGQyYS05YzFlLTVhNmI3YzhkOWUwMSJ9"
NOT_FOUND_FRIENDLY = "This record does not exist or has been deleted."
REGEX_ERROR = (
    'Operator "regex" is not valid for field "jobTitle" of type TEXT - '
    "Allowed operators: eq, neq, gt, gte, lt, lte, in, is, like, ilike, startsWith, endsWith"
)
COMPLEXITY = "Query complexity is too high. One-to-Many relation cannot be nested"
SPECIES = [
    {"value": "DOG", "label": "Dog", "color": "blue", "position": 0},
    {"value": "CAT", "label": "Cat", "color": "red", "position": 1},
]
TRICKS = [
    {"value": "SIT", "label": "Sit", "color": "sky", "position": 0},
    {"value": "ROLL", "label": "Roll", "color": "purple", "position": 1},
    {"value": "FETCH", "label": "Fetch", "color": "yellow", "position": 2},
]


def sub(template: str, *values: str) -> str:
    """Fill each %s of a GraphQL document in turn (documents are full of braces, so no str.format)."""
    for value in values:
        template = template.replace("%s", value, 1)
    return template


def cursor_of(values: dict[str, Any]) -> str:
    """rest.md §4.4: base64 of the compact JSON of the sort values plus id."""
    return base64.b64encode(json.dumps(values, separators=(",", ":")).encode()).decode()


# --------------------------------------------------------------------------- client & helpers


class CheckedClient(conftest.Client):
    """The conftest client; /graphql must always answer HTTP 200 with a JSON body."""

    def request(self, method: str, path: str, **kw: Any) -> conftest.Response:
        resp = super().request(method, path, **kw)
        assert resp.status_code != 500, f"{method} {path} -> {resp!r}"
        if path.startswith("/graphql"):
            assert resp.status_code == 200, resp.text
            assert resp.headers.get("content-type", "").startswith("application/json"), resp.headers
        return resp


@pytest.fixture
def client(app: Any) -> CheckedClient:
    return CheckedClient(app)


def client_with(**settings: Any) -> CheckedClient:
    return CheckedClient(conftest.make_app(**settings))


def run(client: conftest.Client, query: str, variables: dict[str, Any] | None = None) -> dict:
    """A query that must succeed: returns `data`."""
    body = gql(client, query, variables)
    assert "errors" not in body, body
    return body["data"]


def validation_error(client: conftest.Client, query: str, variables: dict[str, Any] | None = None) -> list[str]:
    """graphql.md §12.1: code GRAPHQL_VALIDATION_FAILED, no data key, no subCode."""
    body = gql(client, query, variables)
    assert "data" not in body, body
    assert body["errors"], body
    for err in body["errors"]:
        assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", err
        assert "subCode" not in err["extensions"], err
    return [e["message"] for e in body["errors"]]


def rest_batch(client: conftest.Client, plural: str, rows: list[dict[str, Any]], chunk: int = 60) -> list[dict]:
    out: list[dict] = []
    for start in range(0, len(rows), chunk):
        resp = client.post(f"/rest/batch/{plural}", json=rows[start : start + chunk])
        assert resp.status_code == 201, resp.text
        data = resp.json()["data"]
        assert len(data) == 1, data
        out.extend(next(iter(data.values())))
    return out


def rest_get(client: conftest.Client, plural: str, rid: str) -> conftest.Response:
    return client.get(f"/rest/{plural}/{rid}")


def soft_delete(client: conftest.Client, plural: str, rid: str) -> None:
    resp = client.delete(f"/rest/{plural}/{rid}", params={"soft_delete": "true"})
    assert resp.status_code == 200, resp.text


def ids(connection: dict) -> list[str]:
    return [e["node"]["id"] for e in connection["edges"]]


def people_ids(client: conftest.Client, args: str = "", variables: dict | None = None, head: str = "") -> list[str]:
    query = f"query{head} {{ people{args} {{ totalCount edges {{ node {{ id }} }} }} }}"
    conn = run(client, query, variables)["people"]
    assert conn["totalCount"] >= len(conn["edges"])
    return ids(conn)


def object_ids(client: conftest.Client) -> dict[str, str]:
    resp = client.get("/rest/metadata/objects", params={"limit": 60})
    assert resp.status_code == 200, resp.text
    return {o["nameSingular"]: o["id"] for o in resp.json()["data"]}


def create_pet_object(client: conftest.Client) -> str:
    body = {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"}
    resp = client.post("/rest/metadata/objects", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def create_field(client: conftest.Client, object_id: str, type_: str, name: str, **extra: Any) -> dict:
    body = {
        "objectMetadataId": object_id,
        "type": type_,
        "name": name,
        "label": name[:1].upper() + name[1:],
        "isLabelSyncedWithName": False,
        **extra,
    }
    resp = client.post("/rest/metadata/fields", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


# --------------------------------------------------------------------------- introspection helpers

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
TYPE_QUERY = (
    "query($n: String!) { __type(name: $n) { name kind "
    f"fields {{ name type {{ {TYPE_REF} }} args {{ name type {{ {TYPE_REF} }} }} }} "
    f"inputFields {{ name type {{ {TYPE_REF} }} }} enumValues {{ name }} }} }}"
)


def render(t: dict) -> str:
    if t["kind"] == "NON_NULL":
        return render(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + render(t["ofType"]) + "]"
    return t["name"]


def type_of(client: conftest.Client, name: str) -> dict | None:
    return run(client, TYPE_QUERY, {"n": name})["__type"]


def field_types(client: conftest.Client, name: str) -> dict[str, str]:
    t = type_of(client, name)
    assert t is not None, name
    members = t["fields"] if t["fields"] is not None else t["inputFields"]
    return {f["name"]: render(f["type"]) for f in members}


def field_args(client: conftest.Client, type_name: str, field: str) -> dict[str, str]:
    t = type_of(client, type_name)
    assert t is not None, type_name
    (found,) = [f for f in t["fields"] if f["name"] == field]
    return {a["name"]: render(a["type"]) for a in found["args"]}


def enum_values(client: conftest.Client, name: str) -> list[str]:
    t = type_of(client, name)
    assert t is not None and t["kind"] == "ENUM", (name, t)
    return [v["name"] for v in t["enumValues"]]


def schema_names(client: conftest.Client) -> tuple[set[str], set[str], set[str]]:
    """(type names, Query field names, Mutation field names)."""
    data = run(
        client,
        "{ __schema { types { name } queryType { fields { name } } mutationType { fields { name } } } }",
    )["__schema"]
    return (
        {t["name"] for t in data["types"]},
        {f["name"] for f in data["queryType"]["fields"]},
        {f["name"] for f in data["mutationType"]["fields"]},
    )


# --------------------------------------------------------------------------- data sets


def seed_companies(client: conftest.Client) -> list[dict]:
    return rest_batch(
        client,
        "companies",
        [
            {
                "id": cid(1),
                "name": "Acme",
                "domainName": {"primaryLinkUrl": "https://acme.com"},
                "employees": 10,
                "idealCustomerProfile": True,
                "address": {"addressCity": "Springfield"},
            },
            {"id": cid(2), "name": "Globex", "employees": 200, "idealCustomerProfile": False},
            {"id": cid(3), "name": "Initech", "employees": None},
        ],
    )


@pytest.fixture
def crowd(client: CheckedClient) -> CheckedClient:
    """Three companies, four people (P1/P2 at Acme, P3 at Globex, P4 without company)."""
    seed_companies(client)
    rest_batch(
        client,
        "people",
        [
            {
                "id": pid(1),
                "name": {"firstName": "Ada", "lastName": "Lovelace"},
                "emails": {"primaryEmail": "ada@example.com", "additionalEmails": ["ada@work.example"]},
                "jobTitle": "Engineer",
                "city": "London",
                "companyId": cid(1),
            },
            {
                "id": pid(2),
                "name": {"firstName": "Grace", "lastName": "Hopper"},
                "emails": {"primaryEmail": "grace@navy.mil"},
                "jobTitle": "engineer lead",
                "city": "Paris",
                "companyId": cid(1),
                "createdBy": {"source": "EMAIL"},
            },
            {
                "id": pid(3),
                "name": {"firstName": "Alan", "lastName": "Turing"},
                "emails": {"primaryEmail": "alan@example.com"},
                "jobTitle": "Manager",
                "city": "Berlin",
                "companyId": cid(2),
            },
            {
                "id": pid(4),
                "name": {"firstName": "Linus", "lastName": "Torvalds"},
                "jobTitle": None,
                "city": "Oslo",
            },
        ],
    )
    return client


@pytest.fixture
def deals(crowd: CheckedClient) -> CheckedClient:
    """The crowd plus three opportunities."""
    rest_batch(
        crowd,
        "opportunities",
        [
            {
                "id": oid(1),
                "name": "Alpha",
                "stage": "NEW",
                "amount": {"amountMicros": 1000000, "currencyCode": "USD"},
                "closeDate": "2025-01-15T10:00:00.000Z",
                "companyId": cid(1),
                "pointOfContactId": pid(1),
            },
            {
                "id": oid(2),
                "name": "Beta",
                "stage": "MEETING",
                "amount": {"amountMicros": 3000000, "currencyCode": "EUR"},
                "closeDate": "2025-03-01T00:00:00.000Z",
                "companyId": cid(1),
            },
            {"id": oid(3), "name": "Gamma", "stage": "PROPOSAL", "closeDate": None, "companyId": cid(2)},
        ],
    )
    return crowd


def plain_people(client: conftest.Client, count: int, chunk: int = 60, **fields: Any) -> list[dict]:
    rows = [{"id": pid(n), "name": {"firstName": f"P{n}"}, **fields} for n in range(1, count + 1)]
    return rest_batch(client, "people", rows, chunk)


@pytest.fixture
def pets(client: CheckedClient) -> dict[str, Any]:
    """A custom object `pet` with TEXT, SELECT, MULTI_SELECT, ARRAY, DATE fields and company relation."""
    objects = object_ids(client)
    pet_id = create_pet_object(client)
    fields = {
        "nickname": create_field(client, pet_id, "TEXT", "nickname"),
        "species": create_field(client, pet_id, "SELECT", "species", options=SPECIES),
        "tricks": create_field(client, pet_id, "MULTI_SELECT", "tricks", options=TRICKS),
        "tags": create_field(client, pet_id, "ARRAY", "tags"),
        "birthday": create_field(client, pet_id, "DATE", "birthday"),
        "company": create_field(
            client,
            pet_id,
            "RELATION",
            "company",
            relationCreationPayload={
                "type": "MANY_TO_ONE",
                "targetObjectMetadataId": objects["company"],
                "targetFieldLabel": "Pets",
                "targetFieldIcon": "IconPaw",
            },
        ),
    }
    return {"client": client, "object_id": pet_id, "fields": fields}


# =========================================================================== §1 transport


def test_typename_of_query_root(client: CheckedClient) -> None:
    assert gql(client, "{ __typename }") == {"data": {"__typename": "Query"}}


def test_several_root_fields_are_resolved_separately(crowd: CheckedClient) -> None:
    body = gql(
        crowd,
        f'{{ people {{ totalCount }} person(filter: {{id: {{eq: "{MISSING_ID}"}}}}) {{ id }} '
        f"companies {{ totalCount }} }}",
    )
    assert body["data"] == {"people": {"totalCount": 4}, "person": None, "companies": {"totalCount": 3}}
    assert len(body["errors"]) == 1
    assert body["errors"][0]["path"] == ["person"]
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


# =========================================================================== §2 generated names

PERSON_TYPES = {
    "Person",
    "PersonEdge",
    "PersonConnection",
    "PersonFilterInput",
    "PersonOrderByInput",
    "PersonCreateInput",
    "PersonUpdateInput",
    "Company",
    "CompanyConnection",
    "Opportunity",
    "OpportunityStageEnum",
    "OpportunityStageEnumFilter",
    "FullName",
    "Emails",
    "Phones",
    "Links",
    "Currency",
    "Address",
    "Actor",
    "ActorSourceEnum",
    "FullNameFilterInput",
    "EmailsFilterInput",
    "CurrencyFilterInput",
    "StringFilter",
    "UUIDFilter",
    "FloatFilter",
    "BooleanFilter",
    "DateTimeFilter",
    "OrderByDirection",
    "FullNameOrderByInput",
    "PageInfo",
}
PERSON_QUERIES = {"people", "person", "personDuplicates"}
PERSON_MUTATIONS = {
    "createPerson",
    "createPeople",
    "updatePerson",
    "updatePeople",
    "deletePerson",
    "deletePeople",
    "destroyPerson",
    "destroyPeople",
    "restorePerson",
    "restorePeople",
    "mergePeople",
}


def test_generated_type_names(client: CheckedClient) -> None:
    types, _, _ = schema_names(client)
    assert types >= PERSON_TYPES, sorted(PERSON_TYPES - types)
    assert "peopleFilterInput" not in types and "PeopleFilterInput" not in types
    kinds = {n: type_of(client, n)["kind"] for n in ("Person", "PersonConnection", "PersonFilterInput")}
    assert kinds == {"Person": "OBJECT", "PersonConnection": "OBJECT", "PersonFilterInput": "INPUT_OBJECT"}
    assert type_of(client, "PersonCreateInput")["kind"] == "INPUT_OBJECT"
    assert type_of(client, "OpportunityStageEnum")["kind"] == "ENUM"


def test_root_field_names(client: CheckedClient) -> None:
    _, queries, mutations = schema_names(client)
    assert queries >= PERSON_QUERIES, sorted(PERSON_QUERIES - queries)
    assert mutations >= PERSON_MUTATIONS, sorted(PERSON_MUTATIONS - mutations)
    assert {"companies", "company", "companyDuplicates", "opportunities", "opportunity"} <= queries
    assert {"createCompanies", "mergeCompanies", "createOpportunity", "destroyOpportunities"} <= mutations
    # duplicates / merge only for objects with duplicateCriteria (opportunity has none)
    assert "opportunityDuplicates" not in queries and "mergeOpportunities" not in mutations


def test_custom_object_gets_the_same_family_at_once(client: CheckedClient) -> None:
    _, queries, _ = schema_names(client)
    assert "pets" not in queries
    create_pet_object(client)
    types, queries, mutations = schema_names(client)
    assert {"Pet", "PetEdge", "PetConnection", "PetFilterInput", "PetOrderByInput", "PetCreateInput"} <= types
    assert "PetUpdateInput" in types
    assert {"pets", "pet"} <= queries
    assert {
        "createPet",
        "createPets",
        "updatePet",
        "updatePets",
        "deletePet",
        "deletePets",
        "destroyPet",
        "destroyPets",
        "restorePet",
        "restorePets",
    } <= mutations
    assert "petDuplicates" not in queries and "mergePets" not in mutations
    assert field_types(client, "NoteTarget")["targetPet"] == "Pet"
    assert field_types(client, "Pet")["noteTargets"] == "NoteTargetConnection"


def test_client_using_other_type_names_fails_validation(client: CheckedClient) -> None:
    messages = validation_error(client, "query($f: peopleFilterInput) { people(filter: $f) { totalCount } }", {"f": {}})
    assert any(m.startswith('Unknown type "peopleFilterInput".') for m in messages), messages


# =========================================================================== §3 object type


def test_person_fields_and_nullability(client: CheckedClient) -> None:
    fields = field_types(client, "Person")
    expected = {
        "id": "UUID!",
        "createdAt": "DateTime!",
        "updatedAt": "DateTime!",
        "deletedAt": "DateTime",
        "position": "Position!",
        "createdBy": "Actor!",
        "updatedBy": "Actor!",
        "name": "FullName",
        "emails": "Emails",
        "linkedinLink": "Links",
        "xLink": "Links",
        "jobTitle": "String",
        "phones": "Phones",
        "city": "String",
        "avatarUrl": "String",
        "companyId": "ID",
        "company": "Company",
        "pointOfContactForOpportunities": "OpportunityConnection",
        "noteTargets": "NoteTargetConnection",
        "taskTargets": "TaskTargetConnection",
        "attachments": "AttachmentConnection",
        "favorites": "FavoriteConnection",
        "timelineActivities": "TimelineActivityConnection",
    }
    assert {k: fields.get(k) for k in expected} == expected


def test_opportunity_and_company_field_types(client: CheckedClient) -> None:
    opp = field_types(client, "Opportunity")
    assert opp["stage"] == "OpportunityStageEnum!"
    assert opp["amount"] == "Currency" and opp["closeDate"] == "DateTime"
    assert opp["companyId"] == "ID" and opp["company"] == "Company"
    assert opp["pointOfContactId"] == "ID" and opp["pointOfContact"] == "Person"
    company = field_types(client, "Company")
    assert company["employees"] == "Float"
    assert company["idealCustomerProfile"] == "Boolean!"
    assert company["domainName"] == "Links" and company["address"] == "Address"
    assert company["people"] == "PersonConnection" and company["opportunities"] == "OpportunityConnection"
    assert enum_values(client, "OpportunityStageEnum") == ["NEW", "SCREENING", "MEETING", "PROPOSAL", "CUSTOMER"]
    note_target = field_types(client, "NoteTarget")  # MORPH_RELATION members are ordinary many-to-one fields
    assert note_target["targetPerson"] == "Person" and note_target["targetPersonId"] == "ID"
    assert note_target["note"] == "Note" and note_target["noteId"] == "ID"


def test_composite_output_types(client: CheckedClient) -> None:
    assert field_types(client, "Currency") == {"amountMicros": "BigFloat", "currencyCode": "String"}
    assert field_types(client, "FullName") == {"firstName": "String", "lastName": "String"}
    assert field_types(client, "Emails") == {"primaryEmail": "String", "additionalEmails": "JSON"}
    assert field_types(client, "Links") == {
        "primaryLinkLabel": "String",
        "primaryLinkUrl": "String",
        "secondaryLinks": "JSON",
    }
    actor = field_types(client, "Actor")
    assert actor == {"source": "ActorSourceEnum!", "workspaceMemberId": "UUID", "name": "String!", "context": "JSON"}


def test_one_to_many_field_arguments(client: CheckedClient) -> None:
    args = field_args(client, "Company", "people")
    expected = {
        "first": "Int",
        "last": "Int",
        "before": "String",
        "after": "String",
        "filter": "PersonFilterInput",
        "orderBy": "[PersonOrderByInput]",
    }
    assert {k: args.get(k) for k in expected} == expected
    assert field_args(client, "Person", "pointOfContactForOpportunities")["filter"] == "OpportunityFilterInput"


def test_many_to_one_company_and_company_id(crowd: CheckedClient) -> None:
    data = run(
        crowd,
        "{ people(orderBy: [{id: AscNullsFirst}]) { edges { node { id companyId company { id name } } } } }",
    )
    nodes = [e["node"] for e in data["people"]["edges"]]
    assert nodes == [
        {"id": pid(1), "companyId": cid(1), "company": {"id": cid(1), "name": "Acme"}},
        {"id": pid(2), "companyId": cid(1), "company": {"id": cid(1), "name": "Acme"}},
        {"id": pid(3), "companyId": cid(2), "company": {"id": cid(2), "name": "Globex"}},
        {"id": pid(4), "companyId": None, "company": None},
    ]


def test_record_values_and_defaults(crowd: CheckedClient) -> None:
    node = run(
        crowd,
        f'{{ person(filter: {{id: {{eq: "{pid(4)}"}}}}) {{ id name {{ firstName lastName }} '
        "emails { primaryEmail additionalEmails } jobTitle city avatarUrl deletedAt searchVector "
        "createdBy { source workspaceMemberId name context } createdAt updatedAt position } }",
    )["person"]
    assert node["name"] == {"firstName": "Linus", "lastName": "Torvalds"}
    assert node["emails"] == {"primaryEmail": "", "additionalEmails": None}
    assert node["jobTitle"] is None and node["city"] == "Oslo" and node["avatarUrl"] == ""
    assert node["deletedAt"] is None and node["searchVector"] is None
    assert node["createdBy"]["source"] == "API" and node["createdBy"]["workspaceMemberId"] is None
    assert node["createdBy"]["name"] == rest_get(crowd, "people", pid(4)).json()["data"]["person"]["createdBy"]["name"]
    for key in ("createdAt", "updatedAt"):
        assert len(node[key]) == 24 and node[key].endswith("Z") and node[key][19] == ".", node[key]
    assert isinstance(node["position"], (int, float))


def test_one_to_many_connection_with_arguments(crowd: CheckedClient) -> None:
    data = run(
        crowd,
        f'{{ company(filter: {{id: {{eq: "{cid(1)}"}}}}) {{ name '
        "all: people { totalCount edges { node { id } } } "
        'some: people(filter: {city: {eq: "Paris"}}) { totalCount edges { node { id } } } '
        "desc: people(orderBy: [{id: DescNullsLast}], first: 1) { totalCount edges { node { id } } "
        "pageInfo { hasNextPage } } } }",
    )["company"]
    assert data["name"] == "Acme"
    assert ids(data["all"]) == [pid(1), pid(2)] and data["all"]["totalCount"] == 2
    assert ids(data["some"]) == [pid(2)] and data["some"]["totalCount"] == 1
    assert ids(data["desc"]) == [pid(2)] and data["desc"]["totalCount"] == 2
    assert data["desc"]["pageInfo"]["hasNextPage"] is True


def test_one_to_many_holds_at_most_60_and_hides_soft_deleted(client: CheckedClient) -> None:
    seed_companies(client)
    plain_people(client, 62, companyId=cid(1))
    soft_delete(client, "people", pid(62))
    company = run(
        client,
        f'{{ company(filter: {{id: {{eq: "{cid(1)}"}}}}) {{ people {{ totalCount edges {{ node {{ id }} }} }} }} }}',
    )["company"]
    assert company["people"]["totalCount"] == 61
    assert ids(company["people"]) == [pid(n) for n in range(1, 61)]


def test_relations_in_one_call(client: CheckedClient) -> None:
    seed_companies(client)
    opps = []
    counts = {1: 7, 2: 2, 3: 0}
    n = 0
    for company_no, count in counts.items():
        for _ in range(count):
            n += 1
            opps.append({"id": oid(n), "name": f"Deal {n}", "companyId": cid(company_no)})
    rest_batch(client, "opportunities", opps)
    companies_of = [1, 2, 3, None, 1, 2]
    rest_batch(
        client,
        "people",
        [{"id": pid(i + 1), "companyId": cid(c) if c else None} for i, c in enumerate(companies_of)],
    )
    data = run(
        client,
        "{ people(first: 60) { edges { node { id company { name opportunities(first: 5) "
        "{ totalCount edges { node { name } } } } } } } }",
    )
    names = {1: "Acme", 2: "Globex", 3: "Initech"}
    expected_deals = {1: [f"Deal {k}" for k in range(1, 6)], 2: ["Deal 8", "Deal 9"], 3: []}
    got = [e["node"] for e in data["people"]["edges"]]
    assert [g["id"] for g in got] == [pid(i + 1) for i in range(len(companies_of))]
    for node, company_no in zip(got, companies_of):
        if company_no is None:
            assert node["company"] is None
            continue
        comp = node["company"]
        assert comp["name"] == names[company_no]
        assert comp["opportunities"]["totalCount"] == counts[company_no]
        assert [e["node"]["name"] for e in comp["opportunities"]["edges"]] == expected_deals[company_no]


# =========================================================================== §4 root fields


def test_root_field_arguments_are_nullable_and_outputs(client: CheckedClient) -> None:
    assert field_args(client, "Query", "person").get("filter") == "PersonFilterInput"
    mutation = {
        "createPerson": {"data": "PersonCreateInput", "upsert": "Boolean"},
        "createPeople": {"data": "[PersonCreateInput!]", "upsert": "Boolean"},
        "updatePerson": {"id": "UUID", "data": "PersonUpdateInput"},
        "updatePeople": {"data": "PersonUpdateInput", "filter": "PersonFilterInput"},
        "deletePerson": {"id": "UUID"},
        "deletePeople": {"filter": "PersonFilterInput"},
        "destroyPerson": {"id": "UUID"},
        "restorePeople": {"filter": "PersonFilterInput"},
    }
    mutation["mergePeople"] = {"ids": "[UUID!]", "conflictPriorityIndex": "Int", "dryRun": "Boolean"}
    for name, expected in mutation.items():
        args = field_args(client, "Mutation", name)
        assert {k: args.get(k) for k in expected} == expected, name
    query = field_types(client, "Query")
    assert query["people"] == "PersonConnection" and query["person"] == "Person"
    assert query["personDuplicates"] == "[PersonConnection!]"
    outputs = field_types(client, "Mutation")
    assert outputs["createPerson"] == "Person" and outputs["createPeople"] == "[Person!]"
    assert outputs["deletePeople"] == "[Person!]" and outputs["mergePeople"] == "Person"


def test_find_one_returns_first_match(crowd: CheckedClient) -> None:
    by_email = run(crowd, '{ person(filter: {emails: {primaryEmail: {eq: "alan@example.com"}}}) { id jobTitle } }')
    assert by_email["person"] == {"id": pid(3), "jobTitle": "Manager"}
    first = run(crowd, sub('{ person(filter: {companyId: {eq: "%s"}}) { id } }', cid(1)))
    assert first["person"]["id"] in (pid(1), pid(2))


def test_find_one_without_match_is_not_found(crowd: CheckedClient) -> None:
    body = gql(crowd, f'query {{\n  person(filter: {{id: {{eq: "{MISSING_ID}"}}}}) {{ id }}\n}}')
    assert body == {
        "data": {"person": None},
        "errors": [
            {
                "message": "Record not found",
                "locations": [{"line": 2, "column": 3}],
                "path": ["person"],
                "extensions": {
                    "code": "NOT_FOUND",
                    "subCode": "RECORD_NOT_FOUND",
                    "userFriendlyMessage": NOT_FOUND_FRIENDLY,
                },
            }
        ],
    }


def test_find_one_needs_a_filter(crowd: CheckedClient) -> None:
    for args in ("(filter: {})", ""):
        root_error(crowd, f"{{ person{args} {{ id }} }}", "person", "BAD_USER_INPUT", message="Missing filter argument")


def test_find_one_ignores_soft_deleted_unless_filter_names_deleted_at(crowd: CheckedClient) -> None:
    soft_delete(crowd, "people", pid(3))
    root_error(crowd, sub('{ person(filter: {id: {eq: "%s"}}) { id } }', pid(3)), "person", "NOT_FOUND")
    found = run(crowd, sub('{ person(filter: {id: {eq: "%s"}, deletedAt: {is: NOT_NULL}}) { id deletedAt } }', pid(3)))
    assert found["person"]["id"] == pid(3) and found["person"]["deletedAt"]


def test_clients_may_declare_nullable_variables(client: CheckedClient) -> None:
    created = run(
        client,
        "mutation CreatePerson($data: PersonCreateInput) { createPerson(data: $data) { id name { firstName } } }",
        {"data": {"id": pid(1), "name": {"firstName": "Ada", "lastName": "Lovelace"}, "city": "Paris"}},
    )["createPerson"]
    assert created == {"id": pid(1), "name": {"firstName": "Ada"}}
    updated = run(
        client,
        "mutation UpdatePeople($data: PersonUpdateInput, $filter: PersonFilterInput) "
        "{ updatePeople(data: $data, filter: $filter) { id city } }",
        {"data": {"city": "Rome"}, "filter": {"city": {"eq": "Paris"}}},
    )["updatePeople"]
    assert updated == [{"id": pid(1), "city": "Rome"}]
    strict = run(
        client,
        "mutation($id: UUID!, $data: PersonUpdateInput!) { updatePerson(id: $id, data: $data) { city } }",
        {"id": pid(1), "data": {"city": "Oslo"}},
    )
    assert strict == {"updatePerson": {"city": "Oslo"}}


def test_missing_required_argument_is_checked_at_run_time(client: CheckedClient) -> None:
    root_error(client, "mutation { createPerson { id } }", "createPerson", "BAD_USER_INPUT")
    query = "mutation($d: PersonCreateInput) { createPerson(data: $d) { id } }"
    root_error(client, query, "createPerson", "BAD_USER_INPUT", variables={"d": None})
    query = "mutation($i: UUID) { deletePerson(id: $i) { id } }"
    root_error(client, query, "deletePerson", "BAD_USER_INPUT", variables={"i": None})
    assert run(client, "{ people { totalCount } }")["people"]["totalCount"] == 0


def test_update_one(crowd: CheckedClient) -> None:
    updated = run(
        crowd,
        sub(
            'mutation { updatePerson(id: "%s", data: {jobTitle: "CTO", city: "Rome"}) '
            "{ id jobTitle city name { firstName lastName } companyId } }",
            pid(1),
        ),
    )["updatePerson"]
    assert updated == {
        "id": pid(1),
        "jobTitle": "CTO",
        "city": "Rome",
        "name": {"firstName": "Ada", "lastName": "Lovelace"},
        "companyId": cid(1),
    }
    stored = rest_get(crowd, "people", pid(1)).json()["data"]["person"]
    assert stored["jobTitle"] == "CTO" and stored["city"] == "Rome"


def test_one_record_mutations_on_unknown_id_are_not_found(crowd: CheckedClient) -> None:
    for mutation in ("updatePerson", "deletePerson", "destroyPerson", "restorePerson"):
        data = ', data: {city: "X"}' if mutation == "updatePerson" else ""
        err = root_error(
            crowd,
            f'mutation {{ {mutation}(id: "{MISSING_ID}"{data}) {{ id }} }}',
            mutation,
            "NOT_FOUND",
            "RECORD_NOT_FOUND",
            "Record not found",
        )
        assert err["extensions"]["userFriendlyMessage"] == NOT_FOUND_FRIENDLY, mutation


def test_many_mutations_require_a_non_empty_filter(crowd: CheckedClient) -> None:
    soft_delete(crowd, "people", pid(4))
    for mutation in ("updatePeople", "deletePeople", "destroyPeople", "restorePeople"):
        data = 'data: {city: "X"}, ' if mutation == "updatePeople" else ""
        err = root_error(
            crowd,
            f"mutation {{ {mutation}({data}filter: {{}}) {{ id }} }}",
            mutation,
            "BAD_USER_INPUT",
            "INVALID_QUERY_INPUT",
            "A non-empty filter is required",
        )
        assert err["extensions"]["userFriendlyMessage"] == "An error occurred.", mutation
    live = run(crowd, "{ people { totalCount edges { node { city } } } }")["people"]
    assert live["totalCount"] == 3 and "X" not in [e["node"]["city"] for e in live["edges"]]
    assert rest_get(crowd, "people", pid(4)).status_code == 404


def test_update_many_by_filter(crowd: CheckedClient) -> None:
    updated = run(
        crowd,
        sub('mutation { updatePeople(filter: {companyId: {eq: "%s"}}, data: {city: "Zurich"}) { id city } }', cid(1)),
    )["updatePeople"]
    assert sorted(updated, key=lambda r: r["id"]) == [
        {"id": pid(1), "city": "Zurich"},
        {"id": pid(2), "city": "Zurich"},
    ]
    others = run(crowd, '{ people(filter: {city: {eq: "Zurich"}}) { totalCount } }')["people"]
    assert others["totalCount"] == 2
    assert rest_get(crowd, "people", pid(3)).json()["data"]["person"]["city"] == "Berlin"


def test_many_mutations_over_the_limit_fail_as_a_whole() -> None:
    client = client_with(max_records=2)
    plain_people(client, 3, chunk=2, city="Paris")
    root_error(
        client,
        'mutation { updatePeople(filter: {city: {eq: "Paris"}}, data: {city: "Rome"}) { id } }',
        "updatePeople",
        "BAD_USER_INPUT",
        message="Cannot update more than 2 records at once",
    )
    assert run(client, '{ people(filter: {city: {eq: "Rome"}}) { totalCount } }')["people"]["totalCount"] == 0
    root_error(
        client,
        'mutation { destroyPeople(filter: {city: {eq: "Paris"}}) { id } }',
        "destroyPeople",
        "BAD_USER_INPUT",
        "TOO_MANY_RECORDS_TO_DESTROY",
    )
    assert run(client, "{ people { totalCount } }")["people"]["totalCount"] == 3


def test_delete_one_is_a_soft_delete(crowd: CheckedClient) -> None:
    deleted = run(crowd, sub('mutation { deletePerson(id: "%s") { id deletedAt city } }', pid(2)))["deletePerson"]
    assert deleted["id"] == pid(2) and deleted["city"] == "Paris"
    assert isinstance(deleted["deletedAt"], str) and deleted["deletedAt"].endswith("Z")
    assert people_ids(crowd) == [pid(1), pid(3), pid(4)]
    trash = run(crowd, "{ people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount edges { node { id } } } }")
    assert ids(trash["people"]) == [pid(2)] and trash["people"]["totalCount"] == 1


def test_delete_many_returns_the_deleted_records(crowd: CheckedClient) -> None:
    deleted = run(crowd, sub('mutation { deletePeople(filter: {companyId: {eq: "%s"}}) { id deletedAt } }', cid(1)))[
        "deletePeople"
    ]
    assert sorted(r["id"] for r in deleted) == [pid(1), pid(2)]
    assert all(r["deletedAt"] for r in deleted)
    assert people_ids(crowd) == [pid(3), pid(4)]


def test_destroy_one_removes_the_row(crowd: CheckedClient) -> None:
    destroyed = run(crowd, sub('mutation { destroyPerson(id: "%s") { id } }', pid(3)))["destroyPerson"]
    assert destroyed == {"id": pid(3)}
    assert people_ids(crowd) == [pid(1), pid(2), pid(4)]
    assert people_ids(crowd, "(filter: {deletedAt: {is: NOT_NULL}})") == []
    assert rest_get(crowd, "people", pid(3)).status_code == 404


def test_destroy_many_and_on_delete_set_null(deals: CheckedClient) -> None:
    destroyed = run(deals, 'mutation { destroyCompanies(filter: {name: {eq: "Acme"}}) { id name } }')
    assert destroyed == {"destroyCompanies": [{"id": cid(1), "name": "Acme"}]}
    people = run(deals, "{ people { edges { node { id companyId } } } }")["people"]
    assert {e["node"]["id"]: e["node"]["companyId"] for e in people["edges"]} == {
        pid(1): None,
        pid(2): None,
        pid(3): cid(2),
        pid(4): None,
    }


def test_restore_one_and_many(crowd: CheckedClient) -> None:
    for n in (1, 2, 3):
        soft_delete(crowd, "people", pid(n))
    restored = run(crowd, sub('mutation { restorePerson(id: "%s") { id deletedAt } }', pid(1)))["restorePerson"]
    assert restored == {"id": pid(1), "deletedAt": None}
    many = run(
        crowd,
        sub('mutation { restorePeople(filter: {id: {in: ["%s", "%s"]}}) { id deletedAt } }', pid(2), pid(3)),
    )["restorePeople"]
    assert sorted(many, key=lambda r: r["id"]) == [{"id": pid(2), "deletedAt": None}, {"id": pid(3), "deletedAt": None}]
    assert people_ids(crowd) == [pid(1), pid(2), pid(3), pid(4)]


def test_custom_object_crud(pets: dict) -> None:
    client = pets["client"]
    created = run(
        client,
        sub(
            'mutation { createPets(data: [{id: "%s", name: "Rex", nickname: "Rexy"}, {id: "%s", name: "Tom"}]) '
            "{ id name nickname } }",
            xid(1),
            xid(2),
        ),
    )["createPets"]
    assert created == [
        {"id": xid(1), "name": "Rex", "nickname": "Rexy"},
        {"id": xid(2), "name": "Tom", "nickname": None},
    ]
    upd = run(client, sub('mutation { updatePet(id: "%s", data: {nickname: "Tommy"}) { nickname } }', xid(2)))
    assert upd == {"updatePet": {"nickname": "Tommy"}}
    assert run(client, sub('mutation { deletePet(id: "%s") { id } }', xid(1))) == {"deletePet": {"id": xid(1)}}
    listed = run(client, "{ pets { totalCount edges { node { id nickname } } } }")["pets"]
    assert listed == {"totalCount": 1, "edges": [{"node": {"id": xid(2), "nickname": "Tommy"}}]}
    assert run(client, sub('mutation { restorePet(id: "%s") { id } }', xid(1))) == {"restorePet": {"id": xid(1)}}
    gone = run(client, 'mutation { destroyPets(filter: {name: {eq: "Tom"}}) { id } }')
    assert gone == {"destroyPets": [{"id": xid(2)}]}
    one = run(client, '{ pet(filter: {nickname: {eq: "Rexy"}}) { id name } }')
    assert one == {"pet": {"id": xid(1), "name": "Rex"}}


# =========================================================================== §5 connections and aggregates


def test_connection_shape(crowd: CheckedClient) -> None:
    conn = run(
        crowd,
        "{ people(first: 2) { totalCount edges { cursor node { id } } "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    )["people"]
    assert conn["totalCount"] == 4
    assert [e["node"]["id"] for e in conn["edges"]] == [pid(1), pid(2)]
    assert [e["cursor"] for e in conn["edges"]] == [cursor_of({"id": pid(1)}), cursor_of({"id": pid(2)})]
    assert conn["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": cursor_of({"id": pid(1)}),
        "endCursor": cursor_of({"id": pid(2)}),
    }


def test_empty_connection(client: CheckedClient) -> None:
    conn = run(
        client,
        "{ people { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
    )["people"]
    assert conn == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
    }


def test_connection_edge_and_aggregate_field_types(client: CheckedClient) -> None:
    conn = field_types(client, "PersonConnection")
    assert conn["edges"] == "[PersonEdge!]!" and conn["pageInfo"] == "PageInfo!" and conn["totalCount"] == "Int"
    assert field_types(client, "PersonEdge") == {"node": "Person!", "cursor": "Cursor!"}
    page_info = field_types(client, "PageInfo")
    assert {k: page_info[k] for k in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")} == {
        "hasNextPage": "Boolean!",
        "hasPreviousPage": "Boolean!",
        "startCursor": "ConnectionCursor",
        "endCursor": "ConnectionCursor",
    }
    person = field_types(client, "PersonConnection")
    assert person["countNotEmptyId"] == "Int" and person["countEmptyJobTitle"] == "Int"
    assert person["countUniqueValuesCity"] == "Int" and person["percentageEmptyJobTitle"] == "Float"
    assert person["minCreatedAt"] == "DateTime" and person["maxCreatedAt"] == "DateTime"
    opp = field_types(client, "OpportunityConnection")
    for name in ("sumAmountAmountMicros", "minAmountAmountMicros", "maxAmountAmountMicros", "avgAmountAmountMicros"):
        assert opp[name] == "Float", name
    assert opp["maxCloseDate"] == "DateTime"
    company = field_types(client, "CompanyConnection")
    assert company["countTrueIdealCustomerProfile"] == "Int" and company["countFalseIdealCustomerProfile"] == "Int"
    assert company["sumEmployees"] == "Float" and company["avgEmployees"] == "Float"


def test_person_aggregates_cover_the_filtered_set(crowd: CheckedClient) -> None:
    conn = run(
        crowd,
        "{ people(first: 1) { totalCount countNotEmptyId countEmptyJobTitle countNotEmptyJobTitle "
        "countUniqueValuesCity edges { node { id } } } }",
    )["people"]
    assert conn == {
        "totalCount": 4,
        "countNotEmptyId": 4,
        "countEmptyJobTitle": 1,
        "countNotEmptyJobTitle": 3,
        "countUniqueValuesCity": 4,
        "edges": [{"node": {"id": pid(1)}}],
    }
    filtered = run(crowd, sub('{ people(filter: {companyId: {eq: "%s"}}) { countNotEmptyId } }', cid(1)))
    assert filtered == {"people": {"countNotEmptyId": 2}}


def test_currency_and_date_aggregates(deals: CheckedClient) -> None:
    conn = run(
        deals,
        "{ opportunities { sumAmountAmountMicros minAmountAmountMicros maxAmountAmountMicros "
        "avgAmountAmountMicros minCloseDate maxCloseDate countEmptyCloseDate } }",
    )["opportunities"]
    assert conn == {
        "sumAmountAmountMicros": 4000000,
        "minAmountAmountMicros": 1000000,
        "maxAmountAmountMicros": 3000000,
        "avgAmountAmountMicros": 2000000,
        "minCloseDate": "2025-01-15T10:00:00.000Z",
        "maxCloseDate": "2025-03-01T00:00:00.000Z",
        "countEmptyCloseDate": 1,
    }


def test_number_and_boolean_aggregates_skip_soft_deleted(crowd: CheckedClient) -> None:
    query = (
        "{ companies { sumEmployees avgEmployees minEmployees maxEmployees countEmptyEmployees "
        "countTrueIdealCustomerProfile countFalseIdealCustomerProfile } }"
    )
    assert run(crowd, query)["companies"] == {
        "sumEmployees": 210,
        "avgEmployees": 105,
        "minEmployees": 10,
        "maxEmployees": 200,
        "countEmptyEmployees": 1,
        "countTrueIdealCustomerProfile": 1,
        "countFalseIdealCustomerProfile": 2,
    }
    soft_delete(crowd, "companies", cid(2))
    after = run(crowd, "{ companies { totalCount sumEmployees countFalseIdealCustomerProfile } }")["companies"]
    assert after == {"totalCount": 2, "sumEmployees": 10, "countFalseIdealCustomerProfile": 1}


# =========================================================================== §6 paging and cursors

PAGE = (
    "query($first: Int, $last: Int, $after: String, $before: String) { "
    "people(first: $first, last: $last, after: $after, before: $before) { totalCount edges { node { id } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
)


def page(client: conftest.Client, **args: Any) -> dict:
    return run(client, PAGE, args)["people"]


def test_cursor_encoding_matches_the_reference_example(client: CheckedClient) -> None:
    rest_batch(client, "people", [{"id": SPEC_ID, "name": {"firstName": "Ada", "lastName": "Lovelace"}}])
    conn = run(client, "{ people { edges { cursor } pageInfo { startCursor endCursor } } }")["people"]
    assert conn["edges"] == [{"cursor": SPEC_CURSOR}]
    assert conn["pageInfo"] == {"startCursor": SPEC_CURSOR, "endCursor": SPEC_CURSOR}
    named = run(client, "{ people(orderBy: [{name: {firstName: AscNullsLast}}]) { edges { cursor } } }")["people"][
        "edges"
    ]
    assert named == [{"cursor": cursor_of({"name": {"firstName": "Ada"}, "id": SPEC_ID})}]


def test_cursors_are_identical_to_rest(crowd: CheckedClient) -> None:
    rest = crowd.get("/rest/people", params={"limit": 2, "order_by": "city[DescNullsLast]"}).json()
    conn = run(crowd, "{ people(first: 2, orderBy: [{city: DescNullsLast}]) { pageInfo { startCursor endCursor } } }")[
        "people"
    ]
    assert conn["pageInfo"]["startCursor"] == rest["pageInfo"]["startCursor"]
    assert conn["pageInfo"]["endCursor"] == rest["pageInfo"]["endCursor"]
    assert conn["pageInfo"]["startCursor"] == cursor_of({"city": "Paris", "id": pid(2)})
    end = conn["pageInfo"]["endCursor"]
    rest_after = crowd.get(
        "/rest/people", params={"starting_after": end, "limit": 1, "order_by": "city[DescNullsLast]"}
    )
    gql_after = run(
        crowd,
        "query($a: String) { people(first: 1, after: $a, orderBy: [{city: DescNullsLast}]) { edges { node { id } } } }",
        {"a": end},
    )["people"]
    assert [p["id"] for p in rest_after.json()["data"]["people"]] == ids(gql_after) == [pid(1)]


def test_forward_paging_with_after(client: CheckedClient) -> None:
    plain_people(client, 5)
    first = page(client, first=2)
    assert ids(first) == [pid(1), pid(2)] and first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True and first["pageInfo"]["hasPreviousPage"] is False
    second = page(client, first=2, after=first["pageInfo"]["endCursor"])
    assert ids(second) == [pid(3), pid(4)] and second["totalCount"] == 5
    assert second["pageInfo"]["hasNextPage"] is True and second["pageInfo"]["hasPreviousPage"] is True
    third = page(client, first=2, after=second["pageInfo"]["endCursor"])
    assert ids(third) == [pid(5)] and third["totalCount"] == 5
    assert third["pageInfo"]["hasNextPage"] is False and third["pageInfo"]["hasPreviousPage"] is True
    assert third["pageInfo"]["startCursor"] == third["pageInfo"]["endCursor"] == cursor_of({"id": pid(5)})


def test_backward_paging_with_before_and_last(client: CheckedClient) -> None:
    plain_people(client, 5)
    middle = page(client, last=2, before=cursor_of({"id": pid(4)}))
    assert ids(middle) == [pid(2), pid(3)] and middle["totalCount"] == 5
    assert middle["pageInfo"]["hasNextPage"] is True and middle["pageInfo"]["hasPreviousPage"] is True
    assert middle["pageInfo"]["startCursor"] == cursor_of({"id": pid(2)})
    assert middle["pageInfo"]["endCursor"] == cursor_of({"id": pid(3)})
    start = page(client, last=2, before=middle["pageInfo"]["startCursor"])
    assert ids(start) == [pid(1)]
    assert start["pageInfo"]["hasNextPage"] is True and start["pageInfo"]["hasPreviousPage"] is False


def test_url_safe_cursor_without_padding_is_accepted(client: CheckedClient) -> None:
    plain_people(client, 3)
    raw = json.dumps({"id": pid(1)})  # with spaces: 46 bytes, so base64 needs padding
    token = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    assert ids(page(client, first=5, after=token)) == [pid(2), pid(3)]


def test_default_page_size_is_60(client: CheckedClient) -> None:
    plain_people(client, 61)
    conn = page(client)
    assert len(conn["edges"]) == 60 and conn["totalCount"] == 61
    assert conn["pageInfo"]["hasNextPage"] is True
    zero = page(client, first=0)
    assert zero["edges"] == [] and zero["totalCount"] == 61


def test_first_above_the_maximum_is_clamped(client: CheckedClient) -> None:
    plain_people(client, 61)
    for size in (61, 1000):
        conn = page(client, first=size)
        assert len(conn["edges"]) == 60 and conn["pageInfo"]["hasNextPage"] is True, size
    assert len(page(client, last=1000, before=cursor_of({"id": pid(61)}))["edges"]) == 60


def test_page_size_and_batch_limit_follow_max_records() -> None:
    client = client_with(max_records=3)
    plain_people(client, 5, chunk=3)
    assert len(page(client)["edges"]) == 3
    assert len(page(client, first=10)["edges"]) == 3
    root_error(
        client,
        "mutation { createPeople(data: [{}, {}, {}, {}]) { id } }",
        "createPeople",
        "BAD_USER_INPUT",
        "TOO_MANY_RECORDS_TO_UPDATE",
        "Maximum number of records to upsert is 3.",
    )


C = cursor_of({"id": pid(1)})
PAGING_CONFLICTS = [
    ("first: 1, last: 1", "Cannot provide both first and last", "ARGS_CONFLICT"),
    (f'before: "{C}", after: "{C}"', "Cannot provide both before and after", "ARGS_CONFLICT"),
    (f'before: "{C}", first: 1', "Cannot provide both before and first", "ARGS_CONFLICT"),
    (f'after: "{C}", last: 1', "Cannot provide both after and last", "ARGS_CONFLICT"),
]
PAGING_VALUES = [
    ("first: -1", "First argument must be non-negative", "INVALID_ARGS_FIRST"),
    ("last: -1", "Last argument must be non-negative", "INVALID_ARGS_LAST"),
    ('after: "invalid-cursor"', "Invalid cursor: invalid-cursor", "INVALID_CURSOR"),
    ('before: "invalid-cursor"', "Invalid cursor: invalid-cursor", "INVALID_CURSOR"),
]


def check_paging_errors(client: conftest.Client, cases: list[tuple[str, str, str]]) -> None:
    wrong = []
    for args, message, sub_code in cases:
        body = gql(client, f"{{ people({args}) {{ totalCount }} }}")
        errors = body.get("errors") or [{}]
        got = (body.get("data"), errors[0].get("message"), errors[0].get("extensions"), len(errors))
        want = (
            {"people": None},
            message,
            {"code": "BAD_USER_INPUT", "subCode": sub_code, "userFriendlyMessage": "An error occurred."},
            1,
        )
        if got != want:
            wrong.append((args, got))
    assert not wrong, wrong


def test_paging_argument_conflicts(crowd: CheckedClient) -> None:
    check_paging_errors(crowd, PAGING_CONFLICTS)


def test_paging_argument_values(crowd: CheckedClient) -> None:
    check_paging_errors(crowd, PAGING_VALUES)


# =========================================================================== §7 filters


def check_filters(client: conftest.Client, root: str, make_id: Any, cases: list[tuple[str, list[int]]]) -> None:
    """Run every filter of `cases` on `root`; ids (in default order) and totalCount must match."""
    wrong = []
    for flt, expected in cases:
        body = gql(client, f"{{ {root}(filter: {{{flt}}}) {{ totalCount edges {{ node {{ id }} }} }} }}")
        want = [make_id(n) for n in expected]
        conn = (body.get("data") or {}).get(root)
        got = body.get("errors") if conn is None else (ids(conn), conn["totalCount"])
        if got != (want, len(want)):
            wrong.append((flt, got, want))
    assert not wrong, wrong


def test_text_filter_equality_lists_and_null(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "people",
        pid,
        [
            ('jobTitle: {eq: "Engineer"}', [1]),
            ('jobTitle: {neq: "Engineer"}', [2, 3]),
            ('jobTitle: {in: ["Manager", "Engineer"]}', [1, 3]),
            ("jobTitle: {is: NULL}", [4]),
            ("jobTitle: {is: NOT_NULL}", [1, 2, 3]),
        ],
    )


def test_text_filter_patterns_and_comparisons(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "people",
        pid,
        [
            ('jobTitle: {like: "%ngineer%"}', [1, 2]),
            ('jobTitle: {like: "Engineer%"}', [1]),
            ('jobTitle: {ilike: "engineer%"}', [1, 2]),
            ('jobTitle: {startsWith: "eng"}', [2]),
            ('jobTitle: {startsWith: "%"}', []),
            ('jobTitle: {endsWith: "lead"}', [2]),
            ('jobTitle: {endsWith: "LEAD"}', []),
            ('city: {gt: "London"}', [2, 4]),
            ('city: {gte: "London"}', [1, 2, 4]),
            ('city: {lt: "London"}', [3]),
            ('city: {lte: "London"}', [1, 3]),
        ],
    )


def test_empty_string_counts_as_null(crowd: CheckedClient) -> None:
    rest_batch(crowd, "people", [{"id": pid(5), "jobTitle": ""}])
    assert people_ids(crowd, "(filter: {jobTitle: {is: NULL}})") == [pid(4), pid(5)]
    assert people_ids(crowd, '(filter: {jobTitle: {eq: ""}})') == [pid(4), pid(5)]


def test_composite_sub_field_filters(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "people",
        pid,
        [
            ('name: {firstName: {eq: "Ada"}}', [1]),
            ('name: {lastName: {ilike: "%TUR%"}}', [3]),
            ('emails: {primaryEmail: {endsWith: "@example.com"}}', [1, 3]),
            ("emails: {primaryEmail: {is: NULL}}", [4]),
            ("emails: {additionalEmails: {is: NOT_NULL}}", [1]),
            ("createdBy: {source: {eq: EMAIL}}", [2]),
            ("createdBy: {source: {in: [API]}}", [1, 3, 4]),
        ],
    )


def test_uuid_and_join_column_filters(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "people",
        pid,
        [
            (f'id: {{eq: "{pid(2)}"}}', [2]),
            (f'id: {{neq: "{pid(2)}"}}', [1, 3, 4]),
            (f'id: {{in: ["{pid(1)}", "{pid(3)}"]}}', [1, 3]),
            (f'id: {{gt: "{pid(2)}"}}', [3, 4]),
            (f'id: {{lte: "{pid(2)}"}}', [1, 2]),
            (f'companyId: {{eq: "{cid(1)}"}}', [1, 2]),
            ("companyId: {is: NULL}", [4]),
            ("companyId: {is: NOT_NULL}", [1, 2, 3]),
        ],
    )


def test_relation_filter_through_many_to_one(deals: CheckedClient) -> None:
    check_filters(
        deals,
        "people",
        pid,
        [
            ('company: {name: {eq: "Globex"}}', [3]),
            ('company: {name: {in: ["Acme", "Globex"]}}', [1, 2, 3]),
        ],
    )
    check_filters(
        deals,
        "opportunities",
        oid,
        [('company: {name: {eq: "Acme"}}', [1, 2]), (sub('pointOfContactId: {eq: "%s"}', pid(1)), [1])],
    )


def test_and_or_not(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "people",
        pid,
        [
            ('jobTitle: {is: NOT_NULL}, city: {eq: "Paris"}', [2]),
            ('or: [{name: {firstName: {eq: "Ada"}}}, {city: {eq: "Berlin"}}]', [1, 3]),
            ('and: [{jobTitle: {ilike: "%engineer%"}}, {city: {eq: "Paris"}}]', [2]),
            ('not: {city: {in: ["Paris", "Berlin"]}}', [1, 4]),
            ('not: {or: [{city: {eq: "Paris"}}, {jobTitle: {is: NULL}}]}', [1, 3]),
            ('or: [{and: [{city: {eq: "Paris"}}, {jobTitle: {eq: "Nope"}}]}, {city: {eq: "Oslo"}}]', [4]),
        ],
    )


def test_filter_through_variables(crowd: CheckedClient) -> None:
    flt = {"or": [{"name": {"firstName": {"ilike": "%ada%"}}}, {"emails": {"primaryEmail": {"endsWith": "@navy.mil"}}}]}
    assert people_ids(crowd, "(filter: $f)", {"f": flt}, "($f: PersonFilterInput)") == [pid(1), pid(2)]


def test_enum_filters(deals: CheckedClient) -> None:
    check_filters(
        deals,
        "opportunities",
        oid,
        [
            ("stage: {eq: NEW}", [1]),
            ("stage: {neq: NEW}", [2, 3]),
            ("stage: {in: [NEW, MEETING]}", [1, 2]),
            ("stage: {containsAny: [PROPOSAL, CUSTOMER]}", [3]),
            ("stage: {is: NOT_NULL}", [1, 2, 3]),
        ],
    )


def test_currency_filters(deals: CheckedClient) -> None:
    check_filters(
        deals,
        "opportunities",
        oid,
        [
            ("amount: {amountMicros: {gte: 2000000}}", [2]),
            ("amount: {amountMicros: {lt: 2000000}}", [1]),
            ("amount: {amountMicros: {is: NULL}}", [3]),
            ('amount: {currencyCode: {eq: "EUR"}}', [2]),
            ("stage: {in: [NEW, MEETING]}, amount: {amountMicros: {gte: 1000000}}", [1, 2]),
        ],
    )


def test_date_time_filters(deals: CheckedClient) -> None:
    check_filters(
        deals,
        "opportunities",
        oid,
        [
            ('closeDate: {gte: "2025-02-01T00:00:00.000Z"}', [2]),
            ('closeDate: {lt: "2025-02-01T00:00:00Z"}', [1]),
            ('closeDate: {lte: "2025-03-01T00:00:00.000Z"}', [1, 2]),
            ('closeDate: {gt: "2025-01-15T10:00:00.000Z"}', [2]),
            ('closeDate: {eq: "2025-01-15T10:00:00.000Z"}', [1]),
            ('closeDate: {neq: "2025-01-15T10:00:00.000Z"}', [2]),
            ('closeDate: {in: ["2025-03-01T00:00:00.000Z"]}', [2]),
            ("closeDate: {is: NULL}", [3]),
        ],
    )


def test_number_boolean_links_and_address_filters(crowd: CheckedClient) -> None:
    check_filters(
        crowd,
        "companies",
        cid,
        [
            ("employees: {eq: 10}", [1]),
            ("employees: {neq: 10}", [2]),
            ("employees: {gt: 10}", [2]),
            ("employees: {gte: 10}", [1, 2]),
            ("employees: {lt: 200}", [1]),
            ("employees: {lte: 10}", [1]),
            ("employees: {in: [10, 200]}", [1, 2]),
            ("employees: {is: NULL}", [3]),
            ("idealCustomerProfile: {eq: true}", [1]),
            ("idealCustomerProfile: {eq: false}", [2, 3]),
            ('domainName: {primaryLinkUrl: {eq: "https://acme.com"}}', [1]),
            ('address: {addressCity: {eq: "Springfield"}}', [1]),
        ],
    )


def test_custom_field_filters(pets: dict) -> None:
    client = pets["client"]
    seed_companies(client)
    rest_batch(
        client,
        "pets",
        [
            {
                "id": xid(1),
                "name": "Rex",
                "species": "DOG",
                "tricks": ["SIT", "ROLL"],
                "tags": ["good", "boy"],
                "birthday": "2021-06-15",
                "companyId": cid(1),
            },
            {"id": xid(2), "name": "Tom", "species": "CAT", "tricks": ["FETCH"], "tags": ["lazy"], "birthday": None},
            {"id": xid(3), "name": "Nemo"},
        ],
    )
    cases = [
        ("species: {eq: CAT}", [2]),
        ("species: {in: [DOG, CAT]}", [1, 2]),
        ("species: {is: NULL}", [3]),
        ("tricks: {containsAny: [ROLL, FETCH]}", [1, 2]),
        ("tricks: {containsAny: [SIT]}", [1]),
        ("tricks: {is: NULL}", [3]),
        ('tags: {containsIlike: "%GOO%"}', [1]),
        ('birthday: {eq: "2021-06-15"}', [1]),
        ('birthday: {gt: "2020-01-01"}', [1]),
        ("birthday: {is: NULL}", [2, 3]),
        ('company: {name: {eq: "Acme"}}', [1]),
        (sub('companyId: {eq: "%s"}', cid(1)), [1]),
    ]
    check_filters(client, "pets", xid, cases)


def test_rich_text_filter(client: CheckedClient) -> None:
    rest_batch(
        client,
        "notes",
        [
            {"id": xid(1), "title": "Call", "bodyV2": {"markdown": "Went well"}},
            {"id": xid(2), "title": "Mail", "bodyV2": {"markdown": "No answer"}},
        ],
    )
    conn = run(client, '{ notes(filter: {bodyV2: {markdown: {ilike: "%WELL%"}}}) { edges { node { id } } } }')
    assert ids(conn["notes"]) == [xid(1)]


def test_search_vector_filter(crowd: CheckedClient) -> None:
    assert people_ids(crowd, '(filter: {searchVector: {search: "lovelace"}})') == [pid(1)]


def test_soft_deleted_rows_only_when_filter_names_deleted_at(crowd: CheckedClient) -> None:
    soft_delete(crowd, "people", pid(2))
    soft_delete(crowd, "people", pid(4))
    assert people_ids(crowd) == [pid(1), pid(3)]
    assert people_ids(crowd, '(filter: {city: {in: ["Paris", "Oslo", "Berlin"]}})') == [pid(3)]
    assert people_ids(crowd, "(filter: {deletedAt: {is: NOT_NULL}})") == [pid(2), pid(4)]
    assert people_ids(crowd, "(filter: {deletedAt: {is: NULL}})") == [pid(1), pid(3)]
    assert people_ids(crowd, "(filter: {not: {deletedAt: {is: NULL}}})") == [pid(2), pid(4)]
    everything = "(filter: {or: [{deletedAt: {is: NULL}}, {and: [{deletedAt: {is: NOT_NULL}}]}]})"
    assert people_ids(crowd, everything) == [pid(1), pid(2), pid(3), pid(4)]
    total = run(crowd, "{ people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount } }")["people"]["totalCount"]
    assert total == 2


def test_operator_not_allowed_at_run_time(crowd: CheckedClient) -> None:
    for op in ("regex", "iregex"):
        err = root_error(
            crowd,
            f'{{ people(filter: {{jobTitle: {{{op}: "^E"}}}}) {{ totalCount }} }}',
            "people",
            "BAD_USER_INPUT",
            "INVALID_ARGS_FILTER",
        )
        assert err["message"] == REGEX_ERROR.replace('"regex"', f'"{op}"')


def test_enum_operator_not_allowed_for_select(deals: CheckedClient) -> None:
    err = root_error(
        deals, "{ opportunities(filter: {stage: {gt: NEW}}) { totalCount } }", "opportunities", "BAD_USER_INPUT"
    )
    assert err["extensions"]["subCode"] == "INVALID_ARGS_FILTER"
    assert err["message"].startswith('Operator "gt" is not valid for field "stage" of type SELECT'), err


def test_more_than_one_operator_in_a_leaf(crowd: CheckedClient) -> None:
    root_error(
        crowd,
        '{ people(filter: {jobTitle: {eq: "Engineer", neq: "Manager"}}) { totalCount } }',
        "people",
        "BAD_USER_INPUT",
        "INVALID_ARGS_FILTER",
        'Filter for field "jobTitle" must have exactly one operator',
    )


def test_empty_in_list(crowd: CheckedClient) -> None:
    root_error(
        crowd,
        "{ people(filter: {id: {in: []}}) { totalCount } }",
        "people",
        "BAD_USER_INPUT",
        "INVALID_ARGS_FILTER",
        "Invalid filter value for field id. Expected non-empty array",
    )


def test_unknown_filter_field_is_a_validation_error(crowd: CheckedClient) -> None:
    body = gql(crowd, "{ people(filter: {foo: {eq: 1}}) { totalCount } }")
    assert "data" not in body
    (err,) = body["errors"]
    assert err["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert err["message"].startswith('Field "foo" is not defined by type "PersonFilterInput".'), err
    assert err["locations"][0]["line"] == 1


def test_wrong_enum_value_and_scalar_are_validation_errors(deals: CheckedClient) -> None:
    enum = validation_error(deals, "{ opportunities(filter: {stage: {eq: FOO}}) { totalCount } }")
    assert len(enum) == 1 and enum[0].startswith('Value "FOO" does not exist in "OpportunityStageEnum" enum.')
    scalar = validation_error(deals, "{ people(filter: {jobTitle: {eq: 2}}) { totalCount } }")
    assert scalar == ["String cannot represent a non string value: 2"]


def test_one_to_many_relations_cannot_be_filtered(client: CheckedClient) -> None:
    fields = field_types(client, "CompanyFilterInput")
    assert "people" not in fields and "opportunities" not in fields
    assert fields["name"] == "StringFilter" and fields["and"] == "[CompanyFilterInput]"
    assert fields["not"] == "CompanyFilterInput"
    person = field_types(client, "PersonFilterInput")
    assert person["companyId"] == "UUIDFilter" and person["deletedAt"] == "DateTimeFilter"
    assert person["name"] == "FullNameFilterInput" and person["createdBy"] == "ActorFilterInput"
    assert field_types(client, "StringFilter")["is"] == "FilterIs"
    assert sorted(enum_values(client, "FilterIs")) == ["NOT_NULL", "NULL"]


# =========================================================================== §8 order by

DIRECTIONS = [
    ("AscNullsFirst", [3, 1, 2]),
    ("AscNullsLast", [1, 2, 3]),
    ("DescNullsFirst", [3, 2, 1]),
    ("DescNullsLast", [2, 1, 3]),
]


def test_order_by_four_directions_and_nulls(crowd: CheckedClient) -> None:
    got = {}
    for direction, _ in DIRECTIONS:
        conn = run(crowd, f"{{ companies(orderBy: [{{employees: {direction}}}]) {{ edges {{ node {{ id }} }} }} }}")
        got[direction] = ids(conn["companies"])
    assert got == {direction: [cid(n) for n in expected] for direction, expected in DIRECTIONS}


def test_order_by_direction_enum(client: CheckedClient) -> None:
    assert sorted(enum_values(client, "OrderByDirection")) == sorted(
        ["AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast"]
    )
    order = field_types(client, "PersonOrderByInput")
    assert order["name"] == "FullNameOrderByInput" and order["companyId"] == "OrderByDirection"
    assert order["jobTitle"] == "OrderByDirection" and order["position"] == "OrderByDirection"
    assert "pointOfContactForOpportunities" not in order and "searchVector" not in order


def test_order_by_list_of_keys(crowd: CheckedClient) -> None:
    rest_batch(crowd, "people", [{"id": pid(5), "name": {"firstName": "Zed"}, "companyId": cid(1)}])
    got = people_ids(crowd, "(orderBy: [{companyId: AscNullsLast}, {name: {firstName: DescNullsLast}}])")
    assert got == [pid(5), pid(2), pid(1), pid(3), pid(4)]


def test_order_by_composite_sub_fields(deals: CheckedClient) -> None:
    assert people_ids(deals, "(orderBy: [{name: {lastName: AscNullsLast}}])") == [pid(2), pid(1), pid(4), pid(3)]
    conn = run(deals, "{ opportunities(orderBy: [{amount: {amountMicros: DescNullsLast}}]) { edges { node { id } } } }")
    assert ids(conn["opportunities"]) == [oid(2), oid(1), oid(3)]


def test_order_by_company_id_and_id_tie_breaker(crowd: CheckedClient) -> None:
    assert people_ids(crowd, "(orderBy: [{companyId: AscNullsFirst}])") == [pid(4), pid(1), pid(2), pid(3)]
    assert people_ids(crowd, "(orderBy: [{companyId: DescNullsLast}])") == [pid(3), pid(1), pid(2), pid(4)]
    assert people_ids(crowd, "(orderBy: [{id: DescNullsLast}])") == [pid(4), pid(3), pid(2), pid(1)]


def test_order_by_with_cursor_paging(crowd: CheckedClient) -> None:
    query = (
        "query($after: String) { people(first: 2, after: $after, orderBy: [{city: AscNullsFirst}]) "
        "{ edges { cursor node { id } } pageInfo { endCursor hasNextPage } } }"
    )
    first = run(crowd, query, {})["people"]
    assert ids(first) == [pid(3), pid(1)]
    assert first["edges"][0]["cursor"] == cursor_of({"city": "Berlin", "id": pid(3)})
    second = run(crowd, query, {"after": first["pageInfo"]["endCursor"]})["people"]
    assert ids(second) == [pid(4), pid(2)] and second["pageInfo"]["hasNextPage"] is False


def test_order_by_variable_declared_with_non_null_items(crowd: CheckedClient) -> None:
    got = people_ids(crowd, "(orderBy: $o)", {"o": [{"city": "DescNullsLast"}]}, "($o: [PersonOrderByInput!])")
    assert got == [pid(2), pid(4), pid(1), pid(3)]


# =========================================================================== §9 create and update inputs


def test_create_one_returns_record_with_api_actor(client: CheckedClient) -> None:
    created = run(
        client,
        "mutation CreatePerson($data: PersonCreateInput) { createPerson(data: $data) "
        "{ id name { firstName lastName } emails { primaryEmail } jobTitle createdBy { source name workspaceMemberId } } }",
        {"data": {"name": {"firstName": "Ada", "lastName": "Lovelace"}, "emails": {"primaryEmail": "ada@example.com"}}},
    )["createPerson"]
    assert len(created["id"]) == 36
    assert created["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert created["emails"] == {"primaryEmail": "ada@example.com"} and created["jobTitle"] == ""
    assert created["createdBy"]["source"] == "API" and created["createdBy"]["workspaceMemberId"] is None
    rest = rest_get(client, "people", created["id"]).json()["data"]["person"]
    assert created["createdBy"]["name"] == rest["createdBy"]["name"]
    assert rest["emails"]["primaryEmail"] == "ada@example.com"


def test_create_input_nullability(client: CheckedClient) -> None:
    create = field_types(client, "PersonCreateInput")
    assert create["id"] == "UUID" and create["name"] == "FullNameCreateInput"
    assert create["companyId"] == "ID" and create["position"] == "Position"
    assert all(not t.endswith("!") for t in create.values()), create
    for absent in ("updatedAt", "deletedAt", "updatedBy", "searchVector", "pointOfContactForOpportunities"):
        assert absent not in create, absent
    assert all(not t.endswith("!") for t in field_types(client, "PersonUpdateInput").values())
    assert field_types(client, "WorkspaceMemberCreateInput")["userId"] == "UUID!"
    assert "people" not in field_types(client, "CompanyCreateInput")
    assert field_types(client, "ActorCreateInput") == {"source": "ActorSourceEnum", "context": "JSON"}


def test_required_create_field_is_enforced_by_the_schema(client: CheckedClient) -> None:
    validation_error(client, 'mutation { createWorkspaceMember(data: {userEmail: "a@b.c"}) { id } }')
    assert run(client, "{ workspaceMembers { totalCount } }")["workspaceMembers"]["totalCount"] == 0


def test_not_nullable_field_set_to_null_is_bad_user_input(client: CheckedClient) -> None:
    member = run(
        client,
        sub('mutation { createWorkspaceMember(data: {userId: "%s", name: {firstName: "W"}}) { id userId } }', xid(9)),
    )["createWorkspaceMember"]
    err = root_error(
        client,
        sub('mutation { updateWorkspaceMember(id: "%s", data: {userId: null}) { id } }', member["id"]),
        "updateWorkspaceMember",
        "BAD_USER_INPUT",
        "INVALID_ARGS_DATA",
        "Field userId is not nullable and has no default value.",
    )
    assert err["extensions"]["userFriendlyMessage"]


def test_client_chosen_id_created_by_source_and_duplicate_id(client: CheckedClient) -> None:
    created = run(
        client,
        sub(
            'mutation { createPerson(data: {id: "%s", createdBy: {source: EMAIL}}) { id createdBy { source } } }',
            pid(7),
        ),
    )["createPerson"]
    assert created == {"id": pid(7), "createdBy": {"source": "EMAIL"}}
    query = sub('mutation { createPerson(data: {id: "%s"}) { id } }', pid(7))
    err = root_error(client, query, "createPerson", "BAD_USER_INPUT")
    assert "Record already exists" in err["message"]


def test_invalid_id_creates_nothing(client: CheckedClient) -> None:
    body = gql(client, "mutation($d: PersonCreateInput) { createPerson(data: $d) { id } }", {"d": {"id": "x"}})
    assert body.get("data") in (None, {"createPerson": None}) and body["errors"], body
    assert body["errors"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")
    assert run(client, "{ people { totalCount } }")["people"]["totalCount"] == 0


def test_position_first_and_last(client: CheckedClient) -> None:
    plain_people(client, 2)
    last = run(client, sub('mutation { createPerson(data: {id: "%s", position: "last"}) { position } }', pid(8)))
    first = run(client, sub('mutation { createPerson(data: {id: "%s", position: "first"}) { position } }', pid(9)))
    positions = run(client, "{ people { edges { node { id position } } } }")["people"]["edges"]
    others = [e["node"]["position"] for e in positions if e["node"]["id"] in (pid(1), pid(2))]
    assert first["createPerson"]["position"] < min(others)
    assert last["createPerson"]["position"] > max(others)
    ordered = people_ids(client, "(orderBy: [{position: AscNullsFirst}])")
    assert ordered[0] == pid(9) and ordered[-1] == pid(8)


def test_connect_by_unique_field_and_disconnect(crowd: CheckedClient) -> None:
    created = run(
        crowd,
        "mutation($d: PersonCreateInput) { createPerson(data: $d) { id companyId company { name } } }",
        {
            "d": {
                "name": {"firstName": "New"},
                "company": {"connect": {"where": {"domainName": {"primaryLinkUrl": "https://acme.com"}}}},
            }
        },
    )["createPerson"]
    assert created["companyId"] == cid(1) and created["company"] == {"name": "Acme"}
    moved = run(
        crowd,
        sub(
            'mutation { updatePerson(id: "%s", data: {company: {connect: {where: {id: "%s"}}}}) { companyId } }',
            created["id"],
            cid(2),
        ),
    )
    assert moved == {"updatePerson": {"companyId": cid(2)}}
    cut = run(
        crowd,
        sub(
            'mutation { updatePerson(id: "%s", data: {company: {disconnect: true}}) { companyId company { id } } }',
            created["id"],
        ),
    )
    assert cut == {"updatePerson": {"companyId": None, "company": None}}


def test_connect_to_no_record_is_bad_user_input(crowd: CheckedClient) -> None:
    root_error(
        crowd,
        sub('mutation { createPerson(data: {company: {connect: {where: {id: "%s"}}}}) { id } }', MISSING_ID),
        "createPerson",
        "BAD_USER_INPUT",
    )
    assert run(crowd, "{ people { totalCount } }")["people"]["totalCount"] == 4


def test_join_column_write(crowd: CheckedClient) -> None:
    upd = run(crowd, sub('mutation { updatePerson(id: "%s", data: {companyId: "%s"}) { companyId } }', pid(4), cid(3)))
    assert upd == {"updatePerson": {"companyId": cid(3)}}
    cleared = run(crowd, sub('mutation { updatePerson(id: "%s", data: {companyId: null}) { companyId } }', pid(4)))
    assert cleared == {"updatePerson": {"companyId": None}}


def test_enum_and_composite_input(deals: CheckedClient) -> None:
    opp = run(
        deals,
        'mutation { createOpportunity(data: {name: "Delta", stage: CUSTOMER, '
        'amount: {amountMicros: 2500000, currencyCode: "USD"}, closeDate: "2025-05-01T12:00:00Z"}) '
        "{ name stage amount { amountMicros currencyCode } closeDate } }",
    )["createOpportunity"]
    assert opp == {
        "name": "Delta",
        "stage": "CUSTOMER",
        "amount": {"amountMicros": 2500000, "currencyCode": "USD"},
        "closeDate": "2025-05-01T12:00:00.000Z",
    }
    default = run(deals, "mutation { createOpportunity(data: {}) { stage } }")
    assert default == {"createOpportunity": {"stage": "NEW"}}


# =========================================================================== §10 batch limit and upsert


def test_create_many_in_input_order(client: CheckedClient) -> None:
    data = [{"id": pid(n), "name": {"firstName": f"N{n}"}} for n in (3, 1, 2)]
    created = run(client, "mutation($d: [PersonCreateInput!]) { createPeople(data: $d) { id } }", {"d": data})
    assert [r["id"] for r in created["createPeople"]] == [pid(3), pid(1), pid(2)]


def test_create_many_batch_limit(client: CheckedClient) -> None:
    rows = [{"name": {"firstName": f"N{n}"}} for n in range(61)]
    for upsert in (False, True):
        err = root_error(
            client,
            "mutation($d: [PersonCreateInput!], $u: Boolean) { createPeople(data: $d, upsert: $u) { id } }",
            "createPeople",
            "BAD_USER_INPUT",
            "TOO_MANY_RECORDS_TO_UPDATE",
            "Maximum number of records to upsert is 60.",
            variables={"d": rows, "u": upsert},
        )
        assert err["extensions"]["userFriendlyMessage"] == "An error occurred."
    assert run(client, "{ people { totalCount } }")["people"]["totalCount"] == 0
    exact = run(client, "mutation($d: [PersonCreateInput!]) { createPeople(data: $d) { id } }", {"d": rows[:60]})
    assert len(exact["createPeople"]) == 60


def test_upsert_updates_soft_deleted_match_and_inserts_the_rest(client: CheckedClient) -> None:
    rest_batch(
        client,
        "people",
        [
            {
                "id": SPEC_ID,
                "name": {"firstName": "Ada", "lastName": "L"},
                "emails": {"primaryEmail": "ada@example.com"},
                "createdBy": {"source": "IMPORT"},
            }
        ],
    )
    before = rest_get(client, "people", SPEC_ID).json()["data"]["person"]
    soft_delete(client, "people", SPEC_ID)
    new_id = "7f3c1a52-4b9e-4d2a-9c1e-5a6b7c8d9e09"
    out = run(
        client,
        sub(
            'mutation { createPeople(upsert: true, data: [{name: {firstName: "Ada", lastName: "Lovelace"}, '
            'emails: {primaryEmail: "ada@example.com"}, jobTitle: "Countess"}, {id: "%s", name: {firstName: "New"}}]) '
            "{ id name { firstName } jobTitle deletedAt createdBy { source name } } }",
            new_id,
        ),
    )["createPeople"]
    assert [{k: r[k] for k in ("id", "name", "jobTitle", "deletedAt")} for r in out] == [
        {"id": SPEC_ID, "name": {"firstName": "Ada"}, "jobTitle": "Countess", "deletedAt": None},
        {"id": new_id, "name": {"firstName": "New"}, "jobTitle": "", "deletedAt": None},
    ]
    assert out[0]["createdBy"] == {"source": "IMPORT", "name": before["createdBy"]["name"]}
    assert out[1]["createdBy"]["source"] == "API"
    assert people_ids(client) == [SPEC_ID, new_id]


def test_upsert_one_by_id_keeps_created_by(crowd: CheckedClient) -> None:
    out = run(
        crowd,
        sub(
            'mutation { createPerson(upsert: true, data: {id: "%s", city: "Rome"}) { id city jobTitle createdBy { source } } }',
            pid(2),
        ),
    )["createPerson"]
    assert out == {"id": pid(2), "city": "Rome", "jobTitle": "engineer lead", "createdBy": {"source": "EMAIL"}}
    assert run(crowd, "{ people { totalCount } }")["people"]["totalCount"] == 4


def test_upsert_with_several_matches_is_a_conflict(crowd: CheckedClient) -> None:
    err = root_error(
        crowd,
        sub(
            'mutation { createPerson(upsert: true, data: {id: "%s", emails: {primaryEmail: "ada@example.com"}}) { id } }',
            pid(3),
        ),
        "createPerson",
        "BAD_USER_INPUT",
        "UPSERT_MULTIPLE_MATCHING_RECORDS_CONFLICT",
    )
    assert err["message"].startswith("Multiple records found with the same unique field values for ")
    assert err["message"].endswith(" Cannot determine which record to update.")


def test_create_many_without_upsert_fails_as_a_whole(crowd: CheckedClient) -> None:
    body = gql(crowd, sub('mutation { createPeople(data: [{id: "%s"}, {id: "%s"}]) { id } }', pid(9), pid(1)))
    assert body["data"] == {"createPeople": None} and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert rest_get(crowd, "people", pid(9)).status_code == 404


# =========================================================================== §11 duplicates and merge


@pytest.fixture
def twins(client: CheckedClient) -> CheckedClient:
    rest_batch(
        client,
        "people",
        [
            {"id": pid(1), "name": {"firstName": "John", "lastName": "Doe"}, "city": "Paris"},
            {"id": pid(2), "name": {"firstName": "John", "lastName": "Doe"}, "jobTitle": "CEO"},
            {"id": pid(3), "name": {"firstName": "Jane", "lastName": "Roe"}},
        ],
    )
    return client


def test_person_duplicates_by_data_and_ids(twins: CheckedClient) -> None:
    by_data = run(
        twins,
        '{ personDuplicates(data: [{name: {firstName: "John", lastName: "Doe"}}, '
        '{name: {firstName: "Not", lastName: "Existing"}}]) { totalCount edges { node { id } } } }',
    )["personDuplicates"]
    assert [sorted(ids(c)) for c in by_data] == [[pid(1), pid(2)], []]
    assert [c["totalCount"] for c in by_data] == [2, 0]
    by_ids = run(
        twins, sub('{ personDuplicates(ids: ["%s", "%s"]) { totalCount edges { node { id } } } }', pid(2), pid(3))
    )["personDuplicates"]
    assert [ids(c) for c in by_ids] == [[pid(1)], []]


def test_person_duplicates_argument_errors(twins: CheckedClient) -> None:
    for args, message in [
        ("(ids: [], data: [])", 'You cannot provide both "data" and "ids" arguments'),
        ("", 'The "data" condition can not be empty when "ids" input not provided'),
    ]:
        query = f"{{ personDuplicates{args} {{ totalCount }} }}"
        root_error(twins, query, "personDuplicates", "BAD_USER_INPUT", message=message)


def test_merge_people(twins: CheckedClient) -> None:
    merged = run(
        twins,
        sub(
            'mutation { mergePeople(ids: ["%s", "%s"], conflictPriorityIndex: 0) { id city jobTitle } }', pid(1), pid(2)
        ),
    )["mergePeople"]
    assert merged == {"id": pid(1), "city": "Paris", "jobTitle": "CEO"}
    root_error(twins, sub('{ person(filter: {id: {eq: "%s"}}) { id } }', pid(2)), "person", "NOT_FOUND")
    assert rest_get(twins, "people", pid(1)).json()["data"]["person"]["jobTitle"] == "CEO"


def test_merge_people_dry_run_saves_nothing(twins: CheckedClient) -> None:
    preview = run(
        twins,
        sub(
            'mutation { mergePeople(ids: ["%s", "%s"], conflictPriorityIndex: 1, dryRun: true) { city jobTitle } }',
            pid(1),
            pid(2),
        ),
    )["mergePeople"]
    assert preview == {"city": "Paris", "jobTitle": "CEO"}
    assert people_ids(twins) == [pid(1), pid(2), pid(3)]
    assert rest_get(twins, "people", pid(1)).json()["data"]["person"]["jobTitle"] == ""


def test_optional_group_by_opportunity_stage(deals: CheckedClient) -> None:
    """Optional (newer builds): opportunitiesGroupBy."""
    rest_batch(deals, "opportunities", [{"id": oid(4), "name": "Delta", "stage": "NEW"}])
    groups = run(deals, "{ opportunitiesGroupBy(groupBy: [{stage: true}]) { groupByDimensionValues totalCount } }")
    got = sorted((tuple(g["groupByDimensionValues"]), g["totalCount"]) for g in groups["opportunitiesGroupBy"])
    assert got == [(("MEETING",), 1), (("NEW",), 2), (("PROPOSAL",), 1)]


def test_optional_search_finds_person_by_name(crowd: CheckedClient) -> None:
    """Optional: the global search root field."""
    data = run(
        crowd,
        '{ search(searchInput: "Lovelace", limit: 10) { edges { node { recordId objectNameSingular label } } } }',
    )
    nodes = [e["node"] for e in data["search"]["edges"]]
    assert {"recordId": pid(1), "objectNameSingular": "person", "label": "Ada Lovelace"} in nodes
    assert all(n["recordId"] != pid(3) for n in nodes)


# =========================================================================== §12 errors


def test_parse_error(client: CheckedClient) -> None:
    body = gql(client, "{ people { ")
    assert "data" not in body
    (err,) = body["errors"]
    assert err["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}
    assert err["message"].startswith("Syntax Error")


def test_unknown_root_field_is_a_validation_error(client: CheckedClient) -> None:
    messages = validation_error(client, "{ peoples { totalCount } }")
    assert messages[0].startswith('Cannot query field "peoples" on type "Query".')


def test_nested_one_to_many_is_too_complex(crowd: CheckedClient) -> None:
    body = gql(
        crowd,
        "{ companies { edges { node { people { edges { node { noteTargets { edges { node { id } } } } } } } } } }",
    )
    assert body.get("data") in (None, {"companies": None}), body
    err = body["errors"][0]
    assert err["message"].startswith(COMPLEXITY), err
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and err["extensions"]["subCode"] == "TOO_COMPLEX_QUERY"


def test_error_keeps_the_other_root_fields(crowd: CheckedClient) -> None:
    body = gql(
        crowd,
        sub(
            'mutation { a: deletePeople(filter: {}) { id } b: updatePerson(id: "%s", data: {city: "Rome"}) { city } }',
            pid(1),
        ),
    )
    assert body["data"] == {"a": None, "b": {"city": "Rome"}}
    assert [e["path"] for e in body["errors"]] == [["a"]]


def auth_error(app: Any, token: str | None) -> dict:
    body = gql(CheckedClient(app, token), "{ people { totalCount } }")
    assert "data" not in body, body
    (err,) = body["errors"]
    return err


def test_missing_and_malformed_tokens(app: Any) -> None:
    missing = auth_error(app, None)
    assert missing["message"] == "Missing authentication token" and missing["extensions"]["code"] == "FORBIDDEN"
    err = auth_error(app, "invalid-token")
    assert err["message"] == "No payload" and err["extensions"]["code"] == "UNAUTHENTICATED"
    assert err["extensions"]["userFriendlyMessage"] == "You must be authenticated to perform this action."


def test_expired_and_forged_tokens_are_unauthenticated(app: Any) -> None:
    past = int((app.state.clock() - timedelta(days=1)).timestamp())
    expired = auth_error(app, conftest.jwt(app, exp=past))
    assert expired["message"] == "Token has expired." and expired["extensions"]["code"] == "UNAUTHENTICATED"
    good = conftest.jwt(app)
    head, payload, _sig = good.split(".")
    forged = auth_error(app, f"{head}.{payload}.{base64.urlsafe_b64encode(b'x' * 32).decode().rstrip('=')}")
    assert forged["message"] == "Token invalid." and forged["extensions"]["code"] == "UNAUTHENTICATED"
    assert gql(CheckedClient(app, good), "{ people { totalCount } }") == {"data": {"people": {"totalCount": 0}}}


# =========================================================================== §13 schema lifecycle


def test_custom_object_is_queryable_on_the_next_request(client: CheckedClient) -> None:
    pet_id = create_pet_object(client)
    assert run(client, "{ pets { totalCount } }") == {"pets": {"totalCount": 0}}
    create_field(client, pet_id, "TEXT", "nickname")
    assert field_types(client, "Pet")["nickname"] == "String"
    created = run(client, 'mutation { createPet(data: {name: "Rex", nickname: "R"}) { id name nickname } }')
    assert created["createPet"]["name"] == "Rex" and created["createPet"]["nickname"] == "R"
    assert ids(run(client, '{ pets(filter: {nickname: {eq: "R"}}) { edges { node { id } } } }')["pets"]) == [
        created["createPet"]["id"]
    ]


def test_custom_relation_both_sides(pets: dict) -> None:
    client = pets["client"]
    pet_fields = field_types(client, "Pet")
    assert pet_fields["company"] == "Company" and pet_fields["companyId"] == "ID"
    assert pet_fields["species"] == "PetSpeciesEnum" and pet_fields["tricks"] == "[PetTricksEnum!]"
    assert pet_fields["tags"] == "[String]" and pet_fields["birthday"] == "Date"
    assert field_types(client, "Company")["pets"] == "PetConnection"
    seed_companies(client)
    rex = run(
        client,
        sub(
            'mutation { createPet(data: {name: "Rex", companyId: "%s", species: DOG, tricks: [SIT]}) '
            "{ id species tricks company { name } } }",
            cid(1),
        ),
    )["createPet"]
    assert rex["species"] == "DOG" and rex["tricks"] == ["SIT"] and rex["company"] == {"name": "Acme"}
    company = run(
        client, sub('{ company(filter: {id: {eq: "%s"}}) { pets { totalCount edges { node { id } } } } }', cid(1))
    )
    assert company["company"]["pets"]["totalCount"] == 1 and ids(company["company"]["pets"]) == [rex["id"]]


def test_removed_select_option_disappears_from_the_enum(pets: dict) -> None:
    client = pets["client"]
    assert enum_values(client, "PetSpeciesEnum") == ["DOG", "CAT"]
    field_id = pets["fields"]["species"]["id"]
    resp = client.patch(f"/rest/metadata/fields/{field_id}", json={"options": SPECIES[:1]})
    assert resp.status_code == 200, resp.text
    assert enum_values(client, "PetSpeciesEnum") == ["DOG"]
    messages = validation_error(client, "{ pets(filter: {species: {eq: CAT}}) { totalCount } }")
    assert messages[0].startswith('Value "CAT" does not exist in "PetSpeciesEnum" enum.')


def test_deactivated_object_leaves_the_schema(pets: dict) -> None:
    client = pets["client"]
    resp = client.patch(f"/rest/metadata/objects/{pets['object_id']}", json={"isActive": False})
    assert resp.status_code == 200, resp.text
    messages = validation_error(client, "{ pets { totalCount } }")
    assert messages[0].startswith('Cannot query field "pets" on type "Query".')
    assert type_of(client, "Pet") is None
    resp = client.patch(f"/rest/metadata/objects/{pets['object_id']}", json={"isActive": True})
    assert resp.status_code == 200, resp.text
    assert run(client, "{ pets { totalCount } }") == {"pets": {"totalCount": 0}}


def test_deactivated_field_leaves_the_schema(pets: dict) -> None:
    client = pets["client"]
    field_id = pets["fields"]["nickname"]["id"]
    resp = client.patch(f"/rest/metadata/fields/{field_id}", json={"isActive": False})
    assert resp.status_code == 200, resp.text
    assert "nickname" not in field_types(client, "Pet")
    assert "nickname" not in field_types(client, "PetFilterInput")
    validation_error(client, "{ pets { edges { node { nickname } } } }")


# =========================================================================== two answers as Twenty gives them


def test_destroy_many_includes_soft_deleted_records(crowd: CheckedClient) -> None:
    """Twenty's destroy-many applies the filter without the soft-delete rule: a record moved to the trash
    first is destroyed and returned too (common-destroy-many-query-runner)."""
    soft_delete(crowd, "people", pid(1))
    gone = run(crowd, 'mutation { destroyPeople(filter: {city: {in: ["London", "Paris"]}}) { id city } }')
    assert sorted((p["id"], p["city"]) for p in gone["destroyPeople"]) == [(pid(1), "London"), (pid(2), "Paris")]
    trash = run(crowd, "{ people(filter: {deletedAt: {is: NOT_NULL}}) { totalCount } }")["people"]["totalCount"]
    assert trash == 0
    assert people_ids(crowd) == [pid(3), pid(4)]


def test_rest_destroy_many_includes_soft_deleted_records_too(crowd: CheckedClient) -> None:
    """The same rule over REST: one record service under both APIs."""
    soft_delete(crowd, "people", pid(1))
    resp = crowd.delete("/rest/people", params={"filter": "city[in]:[London,Paris]"})
    assert resp.status_code == 200, resp.text
    assert sorted(d["id"] for d in resp.json()["data"]["deletePeople"]) == [pid(1), pid(2)]
    trash = crowd.get("/rest/people", params={"filter": "deletedAt[is]:NOT_NULL"}).json()["totalCount"]
    assert trash == 0
    assert crowd.patch(f"/rest/restore/people/{pid(1)}").status_code == 404


def test_soft_delete_many_still_skips_the_trash(crowd: CheckedClient) -> None:
    soft_delete(crowd, "people", pid(1))
    deleted = run(crowd, 'mutation { deletePeople(filter: {city: {in: ["London", "Paris"]}}) { id } }')
    assert [p["id"] for p in deleted["deletePeople"]] == [pid(2)]


def test_last_without_before_pages_forward_as_twenty_does(crowd: CheckedClient) -> None:
    """Twenty pages backwards only when `before` is given (isForwardPagination = !before in its find-many
    runner): `last: 2` alone takes 2 records from the start, like `first: 2`."""
    assert page(crowd, last=2) == page(crowd, first=2)
    got = page(crowd, last=2)
    assert [e["node"]["id"] for e in got["edges"]] == [pid(1), pid(2)]
    assert (got["pageInfo"]["hasNextPage"], got["pageInfo"]["hasPreviousPage"], got["totalCount"]) == (True, False, 4)
    end = got["pageInfo"]["endCursor"]
    tail = page(crowd, last=2, before=cursor_of({"id": pid(4)}))
    assert [e["node"]["id"] for e in tail["edges"]] == [pid(2), pid(3)]
    assert end == cursor_of({"id": pid(2)})


# --------------------------------------------------------------------------- bulk resolution

NESTED = """query($first: Int) { people(first: $first) { totalCount edges { cursor node { id name { firstName }
  company { id name opportunities(first: 5) { totalCount edges { node { id name amount { amountMicros } } } } } } } } }"""


def statements_of(client: conftest.Client, query: str, variables: dict[str, Any]) -> tuple[int, dict]:
    """The SQL statements a query runs (SELECT and WITH), and its data."""
    seen: list[str] = []
    with client.app.state.store.trace(seen.append):
        data = run(client, query, variables)
    return len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]), data


def test_a_nested_query_runs_the_same_statements_for_any_number_of_records(client: CheckedClient) -> None:
    companies = rest_batch(client, "companies", [{"name": f"Co {n}"} for n in range(8)])
    rest_batch(
        client,
        "opportunities",
        [{"name": f"Deal {n}", "companyId": companies[n % 8]["id"]} for n in range(24)],
    )
    rest_batch(
        client,
        "people",
        [{"name": {"firstName": f"P{n}"}, "companyId": companies[n % 8]["id"]} for n in range(16)],
    )
    counts = {}
    for first in (2, 8, 16):
        counts[first], data = statements_of(client, NESTED, {"first": first})
        edges = data["people"]["edges"]
        assert len(edges) == first
        assert all(e["node"]["company"]["opportunities"]["totalCount"] == 3 for e in edges)
    assert counts[2] == counts[8] == counts[16], counts


def test_json_values_come_back_whole_whatever_their_keys(client: CheckedClient) -> None:
    person = object_ids(client)["person"]
    create_field(client, person, "RAW_JSON", "extra")
    value = {"_obj": 1, "_meta": [2, {"_obj": None}], "__typename": "x"}
    rid = rest_batch(client, "people", [{"extra": value}])[0]["id"]
    node = run(client, "query($id: UUID!) { person(filter: {id: {eq: $id}}) { extra } }", {"id": rid})["person"]
    assert node == {"extra": value}


def test_a_required_field_without_a_value_errors_as_graphql_core_does(client: CheckedClient) -> None:
    rest_batch(client, "people", [{"name": {"firstName": "A"}}])
    body = gql(client, "{ people { edges { node { id createdAt } } } }")
    assert "errors" not in body, body
    state = client.app.state
    with state.store.write() as conn:  # a value only a broken store could hold: null in a non-null field
        obj = state.schema(conn, state.default_workspace).by_plural["people"]
        conn.execute("UPDATE value SET v = NULL WHERE attr = ?", (obj.column("createdAt").key,))
    body = gql(client, "{ people { edges { node { id createdAt } } } }")
    assert body["data"] is None or body["data"]["people"] is None, body
    assert body["errors"][0]["path"][:2] == ["people", "edges"], body


DIFFERENTIAL = """query($withCity: Boolean!, $skipName: Boolean!) {
  everyone: people(first: 20, orderBy: [{position: AscNullsFirst}]) {
    __typename totalCount
    pageInfo { hasNextPage startCursor endCursor __typename }
    edges { cursor node { ...who id city @include(if: $withCity) score: position
      emails { primaryEmail additionalEmails } phones { primaryPhoneNumber additionalPhones }
      name @skip(if: $skipName) { firstName lastName __typename } createdBy { source name }
      company { id name __typename } } }
  }
  bare: people(first: 20) { edges { node { ...who id city @include(if: $withCity) __typename
    name @skip(if: $skipName) { firstName } emails { primaryEmail additionalEmails } } } }
  deals: opportunities { edges { node { id stage amount { amountMicros currencyCode } closeDate
    ... on Opportunity { pointOfContact { id name { firstName } } } } } }
}
fragment who on Person { jobTitle avatarUrl linkedinLink { primaryLinkUrl secondaryLinks } }"""


@pytest.mark.parametrize("variables", [{"withCity": True, "skipName": False}, {"withCity": False, "skipName": True}])
def test_bulk_completion_answers_as_graphql_core_alone(
    client: CheckedClient, monkeypatch: pytest.MonkeyPatch, variables: dict[str, Any]
) -> None:
    from graphql.execution import ExecutionContext

    company = rest_batch(client, "companies", [{"name": "Acme"}])[0]
    people = rest_batch(
        client,
        "people",
        [
            {
                "name": {"firstName": f"F{n}", "lastName": "L"},
                "city": None if n % 3 else f"C{n}",
                "position": n,
                "emails": {"primaryEmail": f"p{n}@x.io", "additionalEmails": [f"q{n}@x.io"] if n % 2 else None},
                "companyId": company["id"] if n % 2 else None,
            }
            for n in range(7)
        ],
    )
    rest_batch(
        client,
        "opportunities",
        [{"name": "D", "stage": "MEETING", "amount": {"amountMicros": 5, "currencyCode": "EUR"},
          "pointOfContactId": people[1]["id"]}, {"name": "E"}],
    )  # fmt: skip
    bulk = gql(client, DIFFERENTIAL, variables)
    monkeypatch.setattr(conftest.tl, "_bulk_execution", lambda: ExecutionContext)
    plain = gql(client, DIFFERENTIAL, variables)
    assert "errors" not in plain, plain
    assert json.dumps(bulk, sort_keys=False) == json.dumps(plain, sort_keys=False)
