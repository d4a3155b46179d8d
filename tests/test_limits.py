"""Limits: the per-workspace rate limiter on REST and GraphQL, batch size and page clamps (auth-and-limits.md §8-9)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from conftest import Client, make_app

import twenty_lite as tl

LIMIT_BODY = {
    "statusCode": 429,
    "error": "TooManyRequestsException",
    "messages": ["Limit reached (3 tokens per 10000 ms)"],
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def limited(clock: Clock) -> Client:
    return Client(make_app(rate_limit="3/10", clock=clock))


def test_fourth_call_in_the_window_is_refused_with_retry_after(limited: Client, clock: Clock) -> None:
    for _ in range(3):
        assert limited.get("/rest/people").status_code == 200
        clock.advance(1)
    resp = limited.get("/rest/people")
    assert resp.status_code == 429
    assert resp.json() == LIMIT_BODY
    assert resp.headers["retry-after"] == "7"  # the oldest call (t=0) leaves the 10 s window at t=10; now t=3


def test_calls_resume_when_the_window_slides(limited: Client, clock: Clock) -> None:
    for _ in range(3):
        limited.get("/rest/people")
    assert limited.get("/rest/people").status_code == 429
    clock.advance(10)
    assert limited.get("/rest/people").status_code == 200


def test_refused_calls_do_not_count(limited: Client, clock: Clock) -> None:
    for _ in range(3):
        limited.get("/rest/people")
    for _ in range(5):
        assert limited.get("/rest/people").status_code == 429
    clock.advance(10.5)
    for _ in range(3):
        assert limited.get("/rest/people").status_code == 200


def test_a_refused_write_changes_nothing(limited: Client) -> None:
    for _ in range(3):
        limited.get("/rest/people")
    assert limited.post("/rest/people", json={"city": "Oslo"}).status_code == 429
    # the read budget is spent too, so look with a fresh app over the same workspace state
    assert limited.app.state.store._conn().execute("SELECT count(*) FROM entity").fetchone()[0] == 0


def test_auth_and_path_errors_do_not_count(limited: Client) -> None:
    for _ in range(5):
        assert limited.get("/rest/people", token=None).status_code == 403
        assert limited.get("/rest/nope").status_code == 400
    for _ in range(3):
        assert limited.get("/rest/people").status_code == 200


def test_metadata_openapi_and_healthz_do_not_count(limited: Client) -> None:
    for _ in range(5):
        assert limited.get("/rest/metadata/objects").status_code == 200
        assert limited.get("/healthz").status_code == 200
        assert limited.get("/rest/open-api/core").status_code == 200
        assert limited.post("/metadata", json={"query": "{ currentWorkspace { id } }"}).status_code == 200
    assert limited.get("/rest/people").status_code == 200


def test_graphql_counts_each_record_root_field(limited: Client) -> None:
    body = limited.post("/graphql", json={"query": "{ a: people { totalCount } b: people { totalCount } }"}).json()
    assert body["data"] == {"a": {"totalCount": 0}, "b": {"totalCount": 0}}
    body = limited.post(
        "/graphql", json={"query": "{ __typename c: people { totalCount } d: companies { totalCount } }"}
    ).json()
    assert body["data"] == {"__typename": "Query", "c": {"totalCount": 0}, "d": None}
    (err,) = body["errors"]
    assert err["message"] == "Limit reached (3 tokens per 10000 ms)"
    assert err["path"] == ["d"]
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED",
                                 "userFriendlyMessage": "Rate limit reached. Please try again later."}  # fmt: skip


def test_limit_is_per_workspace_and_shared_by_its_keys(clock: Clock) -> None:
    app = make_app(rate_limit="2/10", clock=clock)
    cli, jwt = Client(app), Client(app, app.state.token())
    assert cli.get("/rest/people").status_code == 200
    assert jwt.get("/rest/people").status_code == 200
    assert cli.get("/rest/people").status_code == 429
    assert jwt.get("/rest/people").status_code == 429


def test_zero_disables_the_limiter(clock: Clock) -> None:
    client = Client(make_app(rate_limit="0", clock=clock))
    assert all(client.get("/rest/people").status_code == 200 for _ in range(150))


def test_default_is_100_per_minute(clock: Clock) -> None:
    client = Client(make_app(rate_limit="100/60", clock=clock))
    assert all(client.get("/rest/people").status_code == 200 for _ in range(100))
    resp = client.get("/rest/people")
    assert resp.status_code == 429
    assert resp.json()["messages"] == ["Limit reached (100 tokens per 60000 ms)"]
    assert resp.headers["retry-after"] == "60"


@pytest.mark.parametrize("spec", ["abc", "10", "0/10", "5/0", "-1/60"])
def test_invalid_rate_limit_setting_is_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        tl._parse_rate_limit(spec)


def test_batch_limit_and_page_clamp_follow_max_records() -> None:
    client = Client(make_app(max_records=5))
    resp = client.post("/rest/batch/people", json=[{} for _ in range(6)])
    assert resp.status_code == 400
    assert resp.json()["messages"] == ["Maximum number of records to upsert is 5."]
    assert client.post("/rest/batch/people", json=[{} for _ in range(5)]).status_code == 201
    client.post("/rest/batch/people", json=[{} for _ in range(5)])
    assert len(client.get("/rest/people", params={"limit": 100}).json()["data"]["people"]) == 5
    body = client.post("/graphql", json={"query": "{ people(first: 100) { edges { cursor } } }"}).json()
    assert len(body["data"]["people"]["edges"]) == 5
