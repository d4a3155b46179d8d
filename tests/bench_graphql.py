"""Benchmark: GraphQL relations in one call, and schema build time.

Not a test: it prints figures. Usage: python tests/bench_graphql.py [--people 100000] [--runs 20]

1. SQL statements and median latency (over HTTP) of
   people(first: N) { … company { … opportunities(first: 5) { … } } }
   at 100,000 people, for several page sizes: the count must not grow with N.
2. Time to build the /graphql schema for the standard model plus 50 custom objects.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench import KEY, fill, get, start_server  # noqa: E402
from conftest import Client  # noqa: E402

import twenty_lite as tl  # noqa: E402

QUERY = """query People($first: Int) {
  people(first: $first) {
    totalCount
    edges { cursor node { id name { firstName lastName } emails { primaryEmail } city
      company { id name domainName { primaryLinkUrl }
        opportunities(first: 5) { totalCount edges { node { id name stage amount { amountMicros currencyCode } } } } } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def add_opportunities(path: Path) -> None:
    """Ten opportunities for each of the filled companies."""
    app = tl.create_app(tl.Settings(db=str(path), seed="none", api_key=KEY, rate_limit="0"))
    client = Client(app, KEY)
    first = client.get("/rest/companies", params={"limit": 60}).json()
    companies = first["data"]["companies"]
    more = client.get("/rest/companies", params={"limit": 60, "starting_after": first["pageInfo"]["endCursor"]}).json()
    companies += more["data"]["companies"]
    for company in companies:
        batch = [{"name": f"{company['name']} deal {i}", "companyId": company["id"], "stage": "MEETING",
                  "amount": {"amountMicros": i * 1_000_000, "currencyCode": "USD"}} for i in range(10)]  # fmt: skip
        assert client.post("/rest/batch/opportunities", json=batch).status_code == 201
    app.state.store.checkpoint()


def statements(path: Path, first: int) -> int:
    """SQL statements one query runs, counted in-process (schema already built)."""
    app = tl.create_app(tl.Settings(db=str(path), seed="none", api_key=KEY, rate_limit="0"))
    client = Client(app, KEY)
    client.post("/graphql", json={"query": QUERY, "variables": {"first": first}})
    seen: list[str] = []
    with app.state.store.trace(seen.append):
        resp = client.post("/graphql", json={"query": QUERY, "variables": {"first": first}}).json()
    assert "errors" not in resp, resp
    assert len(resp["data"]["people"]["edges"]) == first
    return len([s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))])


def schema_build_times() -> tuple[float, float]:
    """(first build in a fresh process's terms, later builds) for the standard model + 50 custom objects."""
    app = tl.create_app(tl.Settings(db=":memory:", seed="none", api_key=KEY, rate_limit="0"))
    client = Client(app, KEY)
    for n in range(50):
        out = client.post("/rest/metadata/objects", json={"nameSingular": f"thing{n}", "namePlural": f"things{n}",
                                                          "labelSingular": f"Thing {n}", "labelPlural": f"Things {n}"})  # fmt: skip
        oid = out.json()["id"]
        for name, ftype in (("size", "NUMBER"), ("note", "TEXT"), ("due", "DATE_TIME"), ("price", "CURRENCY")):
            client.post("/rest/metadata/fields", json={"objectMetadataId": oid, "type": ftype, "name": name,
                                                       "label": name.title()})  # fmt: skip
    schema = app.state.schema(app.state.store._conn(), app.state.default_workspace)
    tl._shared_gql_types.cache_clear()
    start = time.perf_counter()
    tl._build_core_schema(schema)
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        tl._build_core_schema(schema)
        warm.append((time.perf_counter() - start) * 1000)
    return cold, statistics.median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    folder = ROOT / "bench-data"
    folder.mkdir(exist_ok=True)
    path = folder / f"bench-graphql-{args.people}.db"
    fill(path, args.people)
    add_opportunities(path)
    proc, port, _ = start_server(path)
    try:
        print(f"{args.people:,} people, 100 companies, 1,000 opportunities")
        for first in (10, 30, 60):
            body = json.dumps({"query": QUERY, "variables": {"first": first}}).encode()
            times = [get(port, "/graphql", "POST", body)[1] for _ in range(args.runs + 2)][2:]
            print(f"  people(first: {first:2}) with company and its first 5 opportunities: "
                  f"{statements(path, first)} SQL statements, median {statistics.median(times):.1f} ms over HTTP")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait()
    cold, warm = schema_build_times()
    print(
        f"schema build, standard model + 50 custom objects: {cold:.0f} ms including the shared types "
        f"(once per process), {warm:.0f} ms for each later data-model version"
    )


if __name__ == "__main__":
    main()
