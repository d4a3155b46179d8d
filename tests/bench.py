"""Benchmark: people lists, filters and batch writes at 10k, 100k and 1M people.

Not a test: it prints figures. Usage:

    python tests/bench.py [--sizes 10000,100000,1000000] [--runs 30] [--dir bench-data]

For each size it fills a fresh database file directly (the same EAV rows the API writes),
starts the real server as a subprocess, and reports the median latency of each request over
real HTTP on loopback, plus the start-up time to the first 200 on /healthz.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import twenty_lite as tl  # noqa: E402

KEY = "bench-key"
FIRST = ["Ada", "Grace", "Alan", "Linus", "Barbara", "Dennis", "Ken", "Margaret", "Edsger", "Donald"]
LAST = ["Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Ritchie", "Thompson", "Hamilton", "Dijkstra"]
CITIES = [f"City {i}" for i in range(50)]
BASE_TIME = 1_700_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def person_time(i: int) -> str:
    """Creation times one second apart, so ranges select a known number of people."""
    return tl._iso(tl.datetime.fromtimestamp(BASE_TIME + i, tl.timezone.utc))


def fill(path: Path, size: int) -> None:
    """A database with `size` people spread over 100 companies, written straight to the EAV tables."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    app = tl.create_app(tl.Settings(db=str(path), seed="none", api_key=KEY))
    state = app.state
    rng = random.Random(7)
    with state.store.write() as conn:
        schema = state.schema(conn, state.default_workspace)
        people, companies = schema.by_plural["people"], schema.by_plural["companies"]
        ctx = tl.Ctx(state, conn, schema, tl.Actor(state.default_workspace, "bench", None), tl._iso(state.clock()))
        company_ids = []
        for n in range(100):
            values, _ = tl._read_body_values(ctx, companies, {"name": f"Company {n}"}, creating=True)
            company_ids.append(tl._insert_record(ctx, companies, values, "last"))
        template = {}
        for meta in people.active_fields:
            if meta.columns and meta.relation_type is None:
                template.update(tl._default_values(ctx, meta))
        actor = json.dumps({})
        template.update(createdBySource="API", createdByName="bench", createdByContext=actor,
                        updatedBySource="API", updatedByName="bench", updatedByContext=actor)  # fmt: skip
        columns = list(people.columns_by_key.values())
        first_seq = conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM entity").fetchone()[0]
        batch_entities, batch_values = [], []
        for i in range(size):
            rid = rng.randbytes(16)
            at = person_time(i)
            row = dict(template)
            row.update({
                "nameFirstName": FIRST[i % len(FIRST)], "nameLastName": LAST[(i // 10) % len(LAST)],
                "emailsPrimaryEmail": f"person{i}@example.com", "city": CITIES[i % len(CITIES)],
                "jobTitle": "Engineer" if i % 3 else "Manager", "position": i, "createdAt": at, "updatedAt": at,
                "companyId": company_ids[i % 100],
            })  # fmt: skip
            batch_entities.append((first_seq + i, people.key, rid))
            batch_values.extend((first_seq + i, c.key, row.get(c.name)) for c in columns)
            if len(batch_entities) >= 20000 or i == size - 1:
                conn.executemany("INSERT INTO entity(seq, obj, id) VALUES (?, ?, ?)", batch_entities)
                conn.executemany("INSERT INTO value(seq, attr, v) VALUES (?, ?, ?)", batch_values)
                batch_entities, batch_values = [], []
        conn.execute(
            "UPDATE entity_count SET live = live + ?, total = total + ? WHERE obj = ?", (size, size, people.key)
        )
    with state.store.write() as conn:
        conn.execute("ANALYZE")
    state.store.checkpoint()


def get(port: int, path: str, method: str = "GET", body: bytes | None = None) -> tuple[int, float, bytes]:
    """One request on a new connection, as a plain client would make it; (status, ms, body)."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, (time.perf_counter() - start) * 1000, data


def median_ms(port: int, path: str, runs: int, method: str = "GET", body_fn=None) -> float:
    times = []
    for n in range(runs + 2):
        status, ms, data = get(port, path, method, body_fn(n) if body_fn else None)
        if status >= 300:
            raise SystemExit(f"{method} {path} -> {status}: {data[:300]!r}")
        if n >= 2:  # two warm-up calls
            times.append(ms)
    return statistics.median(times)


def start_server(path: Path) -> tuple[subprocess.Popen, int, float]:
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "twenty_lite.py"), "--db", str(path), "--port", str(port), "--api-key", KEY,
         "--rate-limit", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    while True:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc, port, (time.perf_counter() - start) * 1000
        except OSError:
            time.sleep(0.005)
        if time.perf_counter() - start > 30:
            proc.kill()
            raise SystemExit("server did not start")


def bench(size: int, runs: int, folder: Path) -> dict[str, float]:
    path = folder / f"bench-{size}.db"
    t0 = time.perf_counter()
    fill(path, size)
    fill_s = time.perf_counter() - t0
    startups = []
    for _ in range(5):
        proc, port, ms = start_server(path)
        startups.append(ms)
        proc.terminate()
        proc.wait()
    proc, port, _ = start_server(path)
    try:
        email = quote(f"emails.primaryEmail[eq]:person{size // 2}@example.com")
        few = quote(f"createdAt[gte]:{person_time(size - 1000)}")
        tenth = quote(f"createdAt[gte]:{person_time(size - size // 10)}")
        counter = iter(range(10**9))

        def batch(_: int) -> bytes:
            n = next(counter)
            return json.dumps([
                {"name": {"firstName": "New", "lastName": f"P{n}-{j}"}, "emails": {"primaryEmail": f"new{n}-{j}@x.io"}}
                for j in range(60)
            ]).encode()  # fmt: skip

        figures = {
            "fill (s)": fill_s,
            "start-up to /healthz 200": statistics.median(startups),
            "first page of 60, depth=0": median_ms(port, "/rest/people", runs),
            "first page of 60, depth=1": median_ms(port, "/rest/people?depth=1", runs),
            "selective equality filter": median_ms(port, f"/rest/people?filter={email}", runs),
            "range filter (1,000 rows) + sort": median_ms(
                port, f"/rest/people?filter={few}&order_by=createdAt[DescNullsLast]", runs),
            "range filter (10% of rows) + sort": median_ms(
                port, f"/rest/people?filter={tenth}&order_by=createdAt[DescNullsLast]", runs),
            "batch create of 60": median_ms(port, "/rest/batch/people", runs, "POST", batch),
        }  # fmt: skip
    finally:
        proc.terminate()
        proc.wait()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dir", default=str(ROOT / "bench-data"))
    args = parser.parse_args()
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        results[size] = bench(size, args.runs, folder)
        print(f"{size:>9,} people: " + ", ".join(f"{k} {v:.1f}" for k, v in results[size].items()), flush=True)
    names = list(next(iter(results.values())))
    print("\nmedian latency in ms over HTTP (fill in seconds)")
    print(f"{'':36}" + "".join(f"{s:>12,}" for s in sizes))
    for name in names:
        print(f"{name:36}" + "".join(f"{results[s][name]:>12.1f}" for s in sizes))


if __name__ == "__main__":
    main()
