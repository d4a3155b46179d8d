"""A sample integrator suite, written as a user of the plugin would: no imports from twenty_lite,
only the `twenty_workspace` fixture. Each test works in its own fresh workspace, so nothing leaks
between tests, in one process or across pytest-xdist workers (`pytest -n 4 tests/integrator`)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("n", range(100))
def test_create_then_read_in_my_own_workspace(twenty_workspace, n) -> None:
    status, people = twenty_workspace.get("/rest/people")
    assert (status, people["totalCount"]) == (200, 0), "a fresh workspace starts empty"
    status, made = twenty_workspace.post("/rest/companies", {"name": f"Company {n}"})
    assert status == 201
    company = made["data"]["createCompany"]
    status, made = twenty_workspace.post("/rest/batch/people", [
        {"name": {"firstName": f"P{n}-{i}", "lastName": "Test"}, "companyId": company["id"]} for i in range(3)
    ])  # fmt: skip
    assert status == 201
    data = twenty_workspace.graphql(
        "query($id: UUID!) { company(filter: {id: {eq: $id}}) { name people { totalCount } } }", {"id": company["id"]}
    )
    assert data["data"]["company"] == {"name": f"Company {n}", "people": {"totalCount": 3}}
    status, people = twenty_workspace.get("/rest/people?filter=name.lastName[eq]:Test")
    assert people["totalCount"] == 3
