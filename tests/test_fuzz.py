"""Property-based fuzzing over real HTTP (issue 13): schemathesis over the served OpenAPI documents, and
Hypothesis over the REST filter / order_by grammars and GraphQL documents. Never a 5xx, every answer
as its document says. A short profile runs here (fixed seed); tests/fuzz.py runs the long one."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import hypothesis_graphql
import pytest
import schemathesis
from conftest import http_send
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import twenty_lite as tl

KEY = "fuzz-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
EXAMPLES = int(os.environ.get("TWENTY_LITE_FUZZ_EXAMPLES", "4"))  # per operation (tests/fuzz.py raises it)
CASES: dict[str, int] = {}  # cases run per fuzzer, for tests/fuzz.py's report
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    """Write the cases run to TWENTY_LITE_FUZZ_REPORT, if set (tests/fuzz.py)."""
    yield
    path = os.environ.get("TWENTY_LITE_FUZZ_REPORT")
    if path:
        with open(path, "w") as out:
            json.dump(CASES, out)


def count(name: str) -> None:
    CASES[name] = CASES.get(name, 0) + 1


@pytest.fixture(scope="module")
def served() -> Iterator[tl.Served]:
    """A server with the demo data, no rate limit."""
    with tl.serve(tl.Settings(db=":memory:", api_key=KEY, port=0, seed="demo", rate_limit="0")) as server:
        yield server


def operations(document: str, base_url: str) -> list[Any]:
    """The operations of a served OpenAPI document."""
    schema = schemathesis.openapi.from_url(f"{base_url}/rest/open-api/{document}", headers=AUTH)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("document", ["core", "metadata"])
def test_openapi_documents_describe_every_answer(served: tl.Served, document: str) -> None:
    """Every operation, with generated parameters and bodies: no 5xx, and each answer's status, content
    type and body as the document says."""
    failures: list[str] = []
    for operation in operations(document, served.base_url):

        @seed(13)
        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            count(f"OpenAPI {document}")
            try:
                case.call_and_validate(headers=AUTH, checks=CHECKS)
            except AssertionError as failure:
                failures.append(f"{case.method} {case.formatted_path}: {str(failure)[:300]}")
                raise

        try:
            run()
        except AssertionError:
            pass
    assert not failures, "\n".join(failures)


# ---- the REST filter and order_by grammars ----------------------------------------------------------

FIELDS = ["city", "jobTitle", "name.firstName", "name", "emails.primaryEmail", "createdAt", "position", "id",
          "companyId", "company.name", "company.employees", "avatarUrl", "nope", "name.nope", "", "deletedAt"]  # fmt: skip
OPERATORS = ["eq", "neq", "in", "containsAny", "is", "gt", "gte", "lt", "lte", "like", "ilike", "startsWith", "x", ""]
VALUES = st.one_of(
    st.sampled_from(["NULL", "NOT_NULL", "London", "[London,Paris]", "[]", "1", "-1.5", "2026-01-01", '"x"', "%"]),
    st.text(max_size=12),
)


@st.composite
def filters(draw: Any, depth: int = 0) -> str:
    """Filter texts: mostly well formed, sometimes broken in every way the grammar can be."""
    if depth < 3 and draw(st.booleans()):
        conj = draw(st.sampled_from(["and", "or", "not", "nand", ""]))
        items = draw(st.lists(filters(depth + 1), min_size=0, max_size=3))
        return f"{conj}({','.join(items)})"
    return f"{draw(st.sampled_from(FIELDS))}[{draw(st.sampled_from(OPERATORS))}]:{draw(VALUES)}"


ORDERS = st.lists(
    st.tuples(
        st.sampled_from(FIELDS),
        st.sampled_from(["", "[AscNullsFirst]", "[DescNullsLast]", "[Up]", "["]),
    ),
    max_size=3,
).map(lambda items: ",".join(f + d for f, d in items))


def assert_rest_answer(status: int, raw: bytes) -> None:
    """2xx, or a 4xx in Twenty's error shape: never a 5xx."""
    assert status < 500, raw[:500]
    body = json.loads(raw)
    if status >= 400:
        assert set(body) == {"statusCode", "error", "messages"}, body
        assert body["statusCode"] == status and body["messages"] and all(isinstance(m, str) for m in body["messages"])


@seed(13)
@settings(FUZZ_SETTINGS, max_examples=EXAMPLES * 50)
@given(text=st.one_of(filters(), st.text(max_size=40)), order=st.one_of(ORDERS, st.text(max_size=20)))
def test_rest_filter_and_order_by_never_fail(served: tl.Served, text: str, order: str) -> None:
    from urllib.parse import urlencode

    count("REST filter / order_by")
    query = urlencode({"filter": text, "order_by": order, "limit": 5})
    status, raw = http_send(served.base_url, "GET", f"/rest/people?{query}", KEY)
    assert_rest_answer(status, raw)


# ---- GraphQL documents -----------------------------------------------------------------------------


def served_sdl(served: tl.Served, endpoint: str) -> str:
    """The schema a GraphQL endpoint serves, as SDL (from its introspection)."""
    from graphql import build_client_schema, get_introspection_query, print_schema

    status, raw = http_send(served.base_url, "POST", endpoint, KEY, {"query": get_introspection_query()})
    assert status == 200
    return print_schema(build_client_schema(json.loads(raw)["data"]))


def assert_graphql_answer(status: int, raw: bytes) -> None:
    """HTTP 200 with data or errors, no error an unexpected exception made."""
    assert status in (200, 400), raw[:500]
    body = json.loads(raw)
    assert "data" in body or "errors" in body, body
    for error in body.get("errors") or []:
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", error


def custom_scalars(sdl: str) -> dict[str, Any]:
    """Values for the schema's own scalars (UUID, DateTime, JSON, …): well-formed ones and text."""
    from graphql import build_schema
    from graphql.type import GraphQLScalarType, specified_scalar_types

    text = st.one_of(
        st.uuids().map(str), st.sampled_from(["2026-01-01", "2026-01-01T00:00:00.000Z", "{}", "[]"]), st.text()
    )
    value = st.one_of(
        text.map(hypothesis_graphql.nodes.String), st.floats(allow_nan=False).map(hypothesis_graphql.nodes.Float)
    )
    names = [
        name
        for name, kind in build_schema(sdl).type_map.items()
        if isinstance(kind, GraphQLScalarType) and name not in specified_scalar_types
    ]
    return dict.fromkeys(names, value)


@pytest.mark.parametrize("endpoint", ["/graphql", "/metadata"])
@pytest.mark.parametrize("kind", ["queries", "mutations"])
def test_graphql_documents_never_fail(served: tl.Served, endpoint: str, kind: str) -> None:
    sdl = served_sdl(served, endpoint)
    strategy = getattr(hypothesis_graphql, kind)(sdl, allow_x00=False, custom_scalars=custom_scalars(sdl))

    @seed(13)
    @settings(FUZZ_SETTINGS, max_examples=EXAMPLES * 10)
    @given(document=strategy)
    def run(document: str) -> None:
        count(f"GraphQL {endpoint} {kind}")
        status, raw = http_send(served.base_url, "POST", endpoint, KEY, {"query": document})
        assert_graphql_answer(status, raw)

    run()
