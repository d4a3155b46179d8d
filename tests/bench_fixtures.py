"""Benchmark: the overhead of the twenty_workspace fixture per test.

Not a test: it prints figures. Usage: python tests/bench_fixtures.py [--runs 100]

A "test" here is what the sample integrator suite does (create a company, three people, read
them back through GraphQL and REST). It is timed with the fixture (a fresh workspace made
before and deleted after, as the twenty_workspace fixture does) and without it (all runs in one
workspace), in alternating blocks; the difference of the per-test times is the fixture's overhead. Spare workspaces are made, and deleted ones cleared, off
the request's thread, so they overlap with the test's own work. The figures of each admin
operation on its own, over HTTP, come first.
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


def timed(call, *args):
    """(wall time of call(*args) in ms, its result)."""
    start = time.perf_counter()
    result = call(*args)
    return (time.perf_counter() - start) * 1000, result


def operations(admin: tl.Workspace, base_url: str, runs: int) -> None:
    """Each admin operation on its own, over HTTP."""
    created, deleted, resets, changed = [], [], [], []
    for n in range(runs):  # one workspace per test, as fixtures use them
        ms, (_, made) = timed(admin.post, "/_lite/workspaces", {})
        created.append(ms)
        ws = tl.Workspace(made["id"], base_url, made["apiKey"])
        body(ws, n)
        resets.append(timed(admin.post, f"/_lite/workspaces/{ws.id}/reset")[0])
        ws.post("/rest/metadata/fields", {"objectMetadataId": company_object(ws), "name": "tier", "label": "Tier",
                                           "type": "TEXT"})  # fmt: skip
        changed.append(timed(admin.post, f"/_lite/workspaces/{ws.id}/reset")[0])
        body(ws, n)
        deleted.append(timed(admin.delete, f"/_lite/workspaces/{ws.id}")[0])
    time.sleep(0.5)  # let the spares be made again
    burst = [timed(admin.post, "/_lite/workspaces", {}) for _ in range(runs)]
    for _, (_, made) in burst:
        admin.delete(f"/_lite/workspaces/{made['id']}")
    ready = tl.SPARE_TARGET
    rows = [
        ("create a workspace (one per test)", statistics.median(created)),
        ("reset (records only)", statistics.median(resets)),
        ("reset after a data-model change", statistics.median(changed)),
        ("delete a workspace", statistics.median(deleted)),
        (f"{runs} created in a row: the first {ready}", statistics.median(ms for ms, _ in burst[:ready])),
        ("  the others (made on demand)", statistics.median(ms for ms, _ in burst[ready:])),
    ]
    print(f"admin API over HTTP, median of {runs}:")
    for label, ms in rows:
        print(f"  {label:<40}{ms:6.1f} ms")


def plugin_overhead() -> None:
    """Run the sample integrator suite (tests/integrator) with the plugin, timing the setup and the
    teardown of every test: the twenty_workspace fixture's own cost."""
    import pytest

    class Timer:
        def __init__(self) -> None:
            self.times: dict[str, list[float]] = {"setup": [], "teardown": []}

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_setup(self, item):
            start = time.perf_counter()
            yield
            self.times["setup"].append((time.perf_counter() - start) * 1000)

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_teardown(self, item):
            start = time.perf_counter()
            yield
            self.times["teardown"].append((time.perf_counter() - start) * 1000)

    timer = Timer()
    args = ["-qq", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    code = pytest.main([*args, str(ROOT / "tests" / "integrator")], plugins=[timer])
    setup, teardown = timer.times["setup"][1:], timer.times["teardown"][:-1]  # not the server's start and stop
    print(f"sample suite (exit {code}), per test: fixture setup median {statistics.median(setup):.2f} ms "
          f"(max {max(setup):.1f}), teardown median {statistics.median(teardown):.2f} ms (max {max(teardown):.1f})")  # fmt: skip


def company_object(ws: tl.Workspace) -> str:
    objects = ws.get("/rest/metadata/objects")[1]["data"]
    return next(o["id"] for o in objects if o["nameSingular"] == "company")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    plugin_overhead()
    settings = tl.Settings(db=":memory:", api_key="admin", port=0, seed="none", rate_limit="0")
    with tl.serve(settings) as server:
        admin = tl.Workspace("", server.base_url, "admin")
        operations(admin, server.base_url, 50)
        shared = server.new_workspace("shared")

        def fresh(n: int) -> None:
            workspace = server.new_workspace("bench")  # what the twenty_workspace fixture does
            body(workspace, n)
            server.delete_workspace(workspace.id)

        # Blocks of tests, alternated, each timed as a whole: work that the fixture leaves to
        # background threads runs during the next test and counts against it, as in a real suite.
        block = max(1, args.runs // 5)
        with_fixture, without = [], []
        for _ in range(6):
            start = time.perf_counter()
            for n in range(block):
                fresh(n)
            with_fixture.append((time.perf_counter() - start) * 1000 / block)
            start = time.perf_counter()
            for n in range(block):
                body(shared, n)
            without.append((time.perf_counter() - start) * 1000 / block)
    a, b = statistics.median(with_fixture[1:]), statistics.median(without[1:])
    print(f"per test, {5 * block} tests each way: {a:.1f} ms with a fresh workspace, {b:.1f} ms in a shared one: "
          f"fixture overhead {a - b:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
