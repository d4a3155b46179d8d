"""A role that may not read a field (or an object) cannot learn its values another way: filters, sorts,
group-by, aggregates, duplicates, search and relation filters over it answer 403 as Twenty does
(PermissionsException PERMISSION_DENIED), and the same calls over readable fields keep working."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Client
from test_keys_and_roles import (
    DENIED_EXTENSIONS,
    FORBIDDEN_BODY,
    custom_client,
    field_restricted_client,
    gql,
    new_company,
    new_person,
)

ALL = {
    "canReadAllObjectRecords": True,
    "canUpdateAllObjectRecords": True,
    "canSoftDeleteAllObjectRecords": True,
    "canDestroyAllObjectRecords": True,
}


@pytest.fixture
def spy(client: Client) -> Client:
    """A key whose role reads people but not their jobTitle; one Engineer and one Pilot exist."""
    new_person(client, jobTitle="Engineer", city="London")
    new_person(client, name={"firstName": "Bob", "lastName": "Stone"}, jobTitle="Pilot", city="Paris")
    return field_restricted_client(client, "jobTitle", canReadFieldValue=False)


def denied(resp: Any) -> None:
    assert resp.status_code == 403, resp
    assert resp.json() == FORBIDDEN_BODY


def gql_denied(body: dict[str, Any]) -> None:
    assert body.get("data") in (None, {}) or all(v is None for v in body["data"].values()), body
    assert body["errors"][0]["message"] == FORBIDDEN_BODY["messages"][0]
    assert body["errors"][0]["extensions"] == DENIED_EXTENSIONS


@pytest.mark.parametrize(
    "filter_text",
    [
        "jobTitle[eq]:Engineer",
        "jobTitle[like]:%Eng%",
        "jobTitle[is]:NULL",
        "or(city[eq]:Nowhere,jobTitle[eq]:Pilot)",
        "not(jobTitle[neq]:Pilot)",
    ],
)
def test_rest_filter_on_an_unreadable_field_is_refused(spy: Client, filter_text: str) -> None:
    denied(spy.get("/rest/people", params={"filter": filter_text}))


def test_a_right_and_a_wrong_guess_answer_alike(spy: Client) -> None:
    right = spy.get("/rest/people", params={"filter": "jobTitle[eq]:Engineer"})
    wrong = spy.get("/rest/people", params={"filter": "jobTitle[eq]:Astronaut"})
    assert (right.status_code, right.body) == (wrong.status_code, wrong.body) == (403, wrong.body)


def test_readable_fields_still_filter_and_sort(spy: Client) -> None:
    resp = spy.get("/rest/people", params={"filter": "city[eq]:Paris", "order_by": "city[DescNullsLast]"})
    assert resp.status_code == 200, resp
    assert [p["city"] for p in resp.json()["data"]["people"]] == ["Paris"]


def test_rest_order_by_an_unreadable_field_is_refused(spy: Client) -> None:
    denied(spy.get("/rest/people", params={"order_by": "jobTitle[AscNullsFirst]"}))


def test_filtered_writes_on_an_unreadable_field_are_refused_and_change_nothing(client: Client, spy: Client) -> None:
    denied(spy.patch("/rest/people", params={"filter": "jobTitle[eq]:Pilot"}, json={"city": "Rome"}))
    denied(spy.delete("/rest/people", params={"filter": "jobTitle[eq]:Pilot"}))
    cities = sorted(p["city"] for p in client.get("/rest/people").json()["data"]["people"])
    assert cities == ["London", "Paris"]


def test_rest_group_by_an_unreadable_field_is_refused(spy: Client) -> None:
    denied(spy.get("/rest/people/groupBy", params={"group_by": '[{"jobTitle": true}]'}))
    denied(spy.get("/rest/people/groupBy", params={"group_by": '[{"city": true}]', "filter": "jobTitle[eq]:Pilot"}))
    assert spy.get("/rest/people/groupBy", params={"group_by": '[{"city": true}]'}).status_code == 200


def test_graphql_filter_and_order_on_an_unreadable_field_are_refused(spy: Client) -> None:
    gql_denied(gql(spy, "/graphql", '{ people(filter: {jobTitle: {eq: "Engineer"}}) { totalCount } }'))
    gql_denied(gql(spy, "/graphql", "{ people(orderBy: [{jobTitle: AscNullsFirst}]) { edges { node { id } } } }"))
    body = gql(spy, "/graphql", '{ people(filter: {city: {eq: "Paris"}}) { totalCount } }')
    assert body == {"data": {"people": {"totalCount": 1}}}


def test_graphql_group_by_and_aggregates_on_an_unreadable_field_are_refused(spy: Client) -> None:
    gql_denied(gql(spy, "/graphql", "{ peopleGroupBy(groupBy: [{jobTitle: true}]) { totalCount } }"))
    gql_denied(gql(spy, "/graphql", "{ people { countUniqueValuesJobTitle } }"))
    assert gql(spy, "/graphql", "{ people { countUniqueValuesCity } }") == {
        "data": {"people": {"countUniqueValuesCity": 2}}
    }


def test_search_does_not_match_or_show_an_unreadable_field(client: Client) -> None:
    new_person(client, jobTitle="Zeppelinist", city="London")
    query = '{ search(searchInput: "%s", limit: 10) { edges { node { recordId label } } } }'
    assert gql(client, "/graphql", query % "Zeppelinist")["data"]["search"]["edges"]  # the field is searched
    spy = field_restricted_client(client, "jobTitle", canReadFieldValue=False)
    assert gql(spy, "/graphql", query % "Zeppelinist")["data"]["search"]["edges"] == []
    assert gql(spy, "/graphql", query % "Lovelace")["data"]["search"]["edges"]  # readable fields still match


def test_search_does_not_show_an_unreadable_label(client: Client) -> None:
    new_person(client, city="London")
    query = '{ search(searchInput: "London", limit: 10) { edges { node { recordId label } } } }'
    assert [e["node"]["label"] for e in gql(client, "/graphql", query)["data"]["search"]["edges"]] == ["Ada Lovelace"]
    spy = field_restricted_client(client, "name", canReadFieldValue=False)
    assert [e["node"]["label"] for e in gql(spy, "/graphql", query)["data"]["search"]["edges"]] == [""]


def test_duplicates_over_an_unreadable_field_are_refused(client: Client) -> None:
    ada = new_person(client)
    new_person(client)  # the same name: a duplicate of ada by name
    assert (
        len(client.post("/rest/people/duplicates", json={"ids": [ada["id"]]}).json()["data"][0]["personDuplicates"])
        == 1
    )
    spy = field_restricted_client(client, "name", canReadFieldValue=False)
    denied(spy.post("/rest/people/duplicates", json={"ids": [ada["id"]]}))


def test_filter_through_a_relation_into_an_unreadable_object_is_refused(client: Client) -> None:
    company = new_company(client, "Secret Corp")
    new_person(client, companyId=company["id"])
    spy = custom_client(client, {"company": {"canReadObjectRecords": False}}, **ALL)
    denied(spy.get("/rest/people", params={"filter": "company.name[eq]:Secret Corp"}))
    denied(spy.get("/rest/people", params={"order_by": "company.name"}))
    gql_denied(gql(spy, "/graphql", '{ people(filter: {company: {name: {eq: "Secret Corp"}}}) { totalCount } }'))
    assert spy.get("/rest/people").json()["totalCount"] == 1


def test_filter_through_a_relation_on_an_unreadable_field_is_refused(client: Client) -> None:
    company = new_company(client, "Acme")
    new_person(client, companyId=company["id"])
    rid_client = field_restricted_client(client, "jobTitle", canReadFieldValue=False)  # person.jobTitle only
    assert rid_client.get("/rest/people", params={"filter": "company.name[eq]:Acme"}).json()["totalCount"] == 1


def test_filter_on_the_join_column_of_an_unreadable_relation_is_refused(client: Client) -> None:
    company = new_company(client, "Acme")
    new_person(client, companyId=company["id"])
    spy = field_restricted_client(client, "company", canReadFieldValue=False)
    denied(spy.get("/rest/people", params={"filter": f"companyId[eq]:{company['id']}"}))
