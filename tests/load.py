"""Mixed load over real HTTP, and what it did: 32 clients at once reading, writing, upserting in batches,
changing the data model and creating workspaces, while one client holds a connection open and sends
nothing. Afterwards every acknowledged record must read back and every totalCount must be exact.

    python tests/load.py                  # 32 clients for 60 s
    python tests/load.py --seconds 10 --clients 8

Prints requests per second and p50/p99 latency per kind of request, and the checks; exits non-zero if a
request failed (5xx, "database is locked", no answer) or a check did not hold. tests/test_load.py runs it
for a few seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conftest import http_send

import twenty_lite as tl

ADMIN_KEY = "load-admin-key"
MIX = [  # (kind, weight)
    ("list", 30), ("filter", 10), ("get", 10), ("create", 15), ("update", 10), ("batch upsert", 8),
    ("graphql", 8), ("delete", 4), ("metadata", 3), ("workspace", 2),
]  # fmt: skip


@dataclass
class Report:
    """What a load run did: latencies per kind, failures, and the final checks."""

    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies.values())

    def table(self) -> str:
        """Throughput and p50/p99 per kind of request."""

        def pct(values: list[float], p: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

        rows = [f"{'request':14} {'count':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"]
        for kind, _ in MIX:
            values = self.latencies.get(kind, [])
            rows.append(
                f"{kind:14} {len(values):>7,} {len(values) / self.seconds:>8.1f} {pct(values, 0.5):>8.2f} "
                f"{pct(values, 0.99):>8.2f}"
            )
        every = [v for values in self.latencies.values() for v in values]
        rows.append(
            f"{'all':14} {len(every):>7,} {len(every) / self.seconds:>8.1f} {pct(every, 0.5):>8.2f} "
            f"{pct(every, 0.99):>8.2f}"
        )
        return "\n".join(rows)


class Workspace:
    """A workspace the clients write to, and the people whose create (or upsert) was acknowledged."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.lock = threading.Lock()
        self.people: dict[str, str] = {}  # id -> city, as last acknowledged
        self.deleted: set[str] = set()
        self.busy: set[str] = set()  # ids an operation in flight names: no other one touches them

    def claim(self, rng: random.Random) -> str | None:
        """A live person no request in flight names, now reserved for the caller (or None)."""
        with self.lock:
            free = [pid for pid in self.people if pid not in self.deleted and pid not in self.busy]
            pid = rng.choice(free) if free else None
            if pid is not None:
                self.busy.add(pid)
            return pid

    def release(self, pid: str | None) -> None:
        with self.lock:
            self.busy.discard(pid or "")


def run_load(base_url: str, seconds: float, clients: int, seed: int = 13) -> Report:
    """Run the mix with this many clients for this long against a running server; check what stayed."""
    report = Report()
    workspaces = [Workspace(_new_workspace(base_url)) for _ in range(3)]
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    silent = socket.create_connection((urlsplit(base_url).hostname, urlsplit(base_url).port))  # slowloris

    def client(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        kinds = [k for k, w in MIX for _ in range(w)]
        while time.monotonic() < stop:
            ws = rng.choice(workspaces)
            kind = rng.choice(kinds)
            started = time.perf_counter()
            try:
                problem = _one(base_url, ws, kind, rng, n)
            except OSError as exc:
                problem = f"no answer ({type(exc).__name__})"
            took = time.perf_counter() - started
            with lock:
                report.latencies[kind].append(took)
                if problem:
                    report.failures.append(f"{kind}: {problem}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    report.seconds = time.monotonic() - started
    silent.close()
    for ws in workspaces:
        _check(base_url, ws, report)
    return report


def _new_workspace(base_url: str) -> str:
    status, raw = http_send(base_url, "POST", "/_lite/workspaces", ADMIN_KEY, {"seed": "none"})
    assert status == 201, raw
    return json.loads(raw)["apiKey"]


def _failed(status: int, raw: bytes) -> str | None:
    """What is wrong with an answer that must never come: a 5xx, a lock error, a GraphQL internal error."""
    text = raw.decode("utf-8", "replace")
    if status >= 500 or "database is locked" in text or "INTERNAL_SERVER_ERROR" in text:
        return f"{status} {text[:200]}"
    return None


def _one(base_url: str, ws: Workspace, kind: str, rng: random.Random, n: int) -> str | None:
    """One request of a kind; what went wrong, if anything."""
    pid = ws.claim(rng) if kind in ("get", "update", "batch upsert", "delete") else None
    try:
        return _request(base_url, ws, kind, rng, n, pid)
    finally:
        ws.release(pid)


def _request(base_url: str, ws: Workspace, kind: str, rng: random.Random, n: int, pid: str | None) -> str | None:
    """Send one request of a kind (pid: the person it names, reserved); what went wrong, if anything."""
    city = f"C{rng.randrange(20)}"
    if kind == "list":
        status, raw = http_send(base_url, "GET", "/rest/people?limit=20", ws.key)
    elif kind == "filter":
        status, raw = http_send(base_url, "GET", f"/rest/people?filter=city%5Beq%5D%3A{city}", ws.key)
    elif kind == "get" and pid:
        status, raw = http_send(base_url, "GET", f"/rest/people/{pid}", ws.key)
    elif kind == "create":
        new = str(uuid.uuid4())
        status, raw = http_send(base_url, "POST", "/rest/people", ws.key, {"id": new, "city": city})
        if status == 201:
            with ws.lock:
                ws.people[new] = city
    elif kind == "update" and pid:
        status, raw = http_send(base_url, "PATCH", f"/rest/people/{pid}", ws.key, {"city": city})
        if status == 200:
            with ws.lock:
                ws.people[pid] = city
    elif kind == "batch upsert":
        ids = [str(uuid.uuid4()) for _ in range(rng.randrange(1, 30))] + ([pid] if pid else [])
        body = [{"id": i, "city": city} for i in ids]
        status, raw = http_send(base_url, "POST", "/rest/batch/people?upsert=true", ws.key, body)
        if status == 201:
            with ws.lock:
                ws.people.update(dict.fromkeys(ids, city))
    elif kind == "graphql":
        query = {
            "query": f'{{ people(filter: {{city: {{eq: "{city}"}}}}) {{ totalCount edges {{ node {{ id }} }} }} }}'
        }
        status, raw = http_send(base_url, "POST", "/graphql", ws.key, query)
    elif kind == "delete" and pid:
        status, raw = http_send(base_url, "DELETE", f"/rest/people/{pid}", ws.key)
        if status == 200:
            with ws.lock:
                ws.deleted.add(pid)
    elif kind == "metadata":
        status, raw = _metadata_change(base_url, ws, rng, n)
    elif kind == "workspace":
        status, raw = http_send(base_url, "POST", "/_lite/workspaces", ADMIN_KEY, {"seed": "none"})
        if status == 201:
            made = json.loads(raw)["id"]
            status, raw = http_send(base_url, "DELETE", f"/_lite/workspaces/{made}", ADMIN_KEY)
    else:
        return None
    return _failed(status, raw)


def _metadata_change(base_url: str, ws: Workspace, rng: random.Random, n: int) -> tuple[int, bytes]:
    """Add a custom field to people, then remove it: the data model changes under the record traffic."""
    status, raw = http_send(base_url, "GET", "/rest/metadata/objects", ws.key)
    if status != 200:
        return status, raw
    person = next(o for o in json.loads(raw)["data"] if o["nameSingular"] == "person")
    name = f"load{n}x{rng.randrange(10**6)}"
    body = {"objectMetadataId": person["id"], "name": name, "label": name, "type": "TEXT"}
    status, raw = http_send(base_url, "POST", "/rest/metadata/fields", ws.key, body)
    if status != 201:
        return status, raw
    field_id = json.loads(raw)["id"]
    http_send(base_url, "PATCH", f"/rest/metadata/fields/{field_id}", ws.key, {"isActive": False})
    return http_send(base_url, "DELETE", f"/rest/metadata/fields/{field_id}", ws.key)


def _check(base_url: str, ws: Workspace, report: Report) -> None:
    """Every acknowledged person reads back with its last acknowledged city; totalCount is exact."""
    expected = {pid: city for pid, city in ws.people.items() if pid not in ws.deleted}
    found: dict[str, str] = {}
    cursor = ""
    while True:
        status, raw = http_send(base_url, "GET", f"/rest/people?limit=200{cursor}", ws.key)
        page = json.loads(raw)
        found.update({p["id"]: p["city"] for p in page["data"]["people"]})
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = f"&starting_after={page['pageInfo']['endCursor']}"
    total = page["totalCount"]
    lost = [pid for pid in expected if pid not in found]
    wrong = [pid for pid, city in expected.items() if pid in found and found[pid] != city]
    extra = [pid for pid in found if pid not in expected]
    ok = not lost and not wrong and not extra and total == len(expected)
    report.checks.append(
        f"{'ok ' if ok else 'BAD'} {len(expected):,} acknowledged people read back"
        f"{'' if ok else f' (lost {len(lost)}, wrong city {len(wrong)}, unexpected {len(extra)}, totalCount {total})'}"
    )
    if not ok:
        report.failures.append(report.checks[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = tl.Settings(db=f"{tmp}/load.db", api_key=ADMIN_KEY, port=0, seed="none", rate_limit="0")
        with tl.serve(settings) as server:
            report = run_load(server.base_url, args.seconds, args.clients)
    print(f"{args.clients} clients for {report.seconds:.0f} s, one silent connection held open")
    print(report.table())
    print("\n".join(report.checks))
    print(f"{len(report.failures)} failures")
    for failure in report.failures[:20]:
        print("  " + failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
