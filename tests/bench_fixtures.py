"""Benchmark: the overhead of the twenty_workspace fixture per test.

Not a test: it prints figures. Usage: python tests/bench_fixtures.py [--runs 100]

A "test" here is what the sample integrator suite does (create a company, three people, read
them back through GraphQL and REST). It is timed with the fixture (a fresh workspace made
before and deleted after) and without it (all runs in one workspace); the difference of the
medians is the fixture's overhead. Spare workspaces are made, and deleted ones cleared, off
the request's thread, so they overlap with the test's own work.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import twenty_lite as tl  # noqa: E402


def body(ws: tl.Workspace, n: int) -> None:
    company = ws.post("/rest/companies", {"name": f"C{n}"})[1]["data"]["createCompany"]
    ws.post("/rest/batch/people", [{"name": {"firstName": f"P{i}"}, "companyId": company["id"]} for i in range(3)])
    ws.graphql(
        "query($id: UUID!) { company(filter: {id: {eq: $id}}) { people { totalCount } } }", {"id": company["id"]}
    )
    ws.get("/rest/people?limit=5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    settings = tl.Settings(db=":memory:", api_key="admin", port=0, seed="none", rate_limit="0")
    with tl.serve(settings) as server:
        admin = tl.Workspace("", server.base_url, "admin")
        with_fixture, without = [], []
        shared = admin.post("/_lite/workspaces", {})[1]
        plain = tl.Workspace(shared["id"], server.base_url, shared["apiKey"])
        for n in range(args.runs + 3):
            start = time.perf_counter()
            made = admin.post("/_lite/workspaces", {"displayName": "bench"})[1]
            body(tl.Workspace(made["id"], server.base_url, made["apiKey"]), n)
            admin.delete(f"/_lite/workspaces/{made['id']}")
            with_fixture.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            body(plain, n)
            without.append((time.perf_counter() - start) * 1000)
    a, b = statistics.median(with_fixture[3:]), statistics.median(without[3:])
    print(f"per test, median of {args.runs}: {a:.1f} ms with a fresh workspace, {b:.1f} ms in a shared one: "
          f"fixture overhead {a - b:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
