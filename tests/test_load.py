"""Load and concurrency over real HTTP (issue 13): 32 clients mixing reads, writes, batch upserts,
data-model changes and workspace creation lose nothing and see no 5xx and no "database is locked",
with a silent connection held open all along; the rate limiter lets exactly N calls through a burst."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from conftest import http_send
from load import ADMIN_KEY, run_load

import twenty_lite as tl


def test_thirty_two_clients_lose_nothing_and_never_fail(tmp_path: Path) -> None:
    settings = tl.Settings(db=str(tmp_path / "load.db"), api_key=ADMIN_KEY, port=0, seed="none", rate_limit="0")
    with tl.serve(settings) as server:
        report = run_load(server.base_url, seconds=4, clients=32)
    assert report.failures == []
    assert report.requests > 200  # it did run
    assert all(check.startswith("ok ") for check in report.checks) and len(report.checks) == 3


def test_a_concurrent_burst_gets_exactly_the_limit_through(tmp_path: Path) -> None:
    settings = tl.Settings(db=":memory:", api_key="burst-key", port=0, seed="none", rate_limit="50/60")
    with tl.serve(settings) as server:
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        start = threading.Barrier(16)

        def client() -> None:
            start.wait()
            for _ in range(10):
                status, _ = http_send(server.base_url, "GET", "/rest/people?limit=1", "burst-key")
                with lock:
                    statuses[status] += 1

        threads = [threading.Thread(target=client) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert statuses == Counter({200: 50, 429: 110})
