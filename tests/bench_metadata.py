"""Benchmark: the cost of a data-model change in a workspace with 50 custom objects.

Not a test: it prints figures. Usage: python tests/bench_metadata.py [--objects 50] [--runs 15]

It builds a workspace with N custom objects (each with a few fields and 20 records), then times,
over real HTTP to the server process, the median of: creating a custom object, creating a field,
updating a field, deactivating and deleting a field, deactivating and deleting an object, and the
first record request after a change (which rebuilds the cached data model).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import KEY, get, start_server


def call(port: int, method: str, path: str, body: object | None = None) -> tuple[int, float, dict]:
    status, ms, data = get(port, path, method, json.dumps(body).encode() if body is not None else None)
    if status >= 300:
        raise SystemExit(f"{method} {path} -> {status}: {data[:300]!r}")
    return status, ms, json.loads(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=50)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tl-bench-meta-"))
    proc, port, _ = start_server(folder / "meta.db")
    assert KEY
    try:
        for n in range(args.objects):
            _, _, out = call(port, "POST", "/rest/metadata/objects", {
                "nameSingular": f"thing{n}", "namePlural": f"things{n}", "labelSingular": f"Thing {n}",
                "labelPlural": f"Things {n}"})  # fmt: skip
            oid = out["id"]
            for name, ftype in (("size", "NUMBER"), ("note", "TEXT"), ("due", "DATE_TIME"), ("price", "CURRENCY")):
                call(port, "POST", "/rest/metadata/fields",
                     {"objectMetadataId": oid, "type": ftype, "name": name, "label": name.title()})  # fmt: skip
            call(port, "POST", f"/rest/batch/things{n}", [{"name": f"t{i}", "size": i} for i in range(20)])
        figures: dict[str, list[float]] = {k: [] for k in (
            "create a custom object", "create a field", "update a field", "deactivate + delete a field",
            "deactivate + delete an object", "first record request after a change")}  # fmt: skip
        for run in range(args.runs):
            _, ms, out = call(port, "POST", "/rest/metadata/objects", {
                "nameSingular": f"extra{run}", "namePlural": f"extras{run}", "labelSingular": f"Extra {run}",
                "labelPlural": f"Extras {run}"})  # fmt: skip
            figures["create a custom object"].append(ms)
            oid = out["id"]
            _, ms, _ = call(port, "GET", f"/rest/extras{run}")
            figures["first record request after a change"].append(ms)
            _, ms, out = call(port, "POST", "/rest/metadata/fields",
                              {"objectMetadataId": oid, "type": "TEXT", "name": "colour", "label": "Colour"})  # fmt: skip
            figures["create a field"].append(ms)
            fid = out["id"]
            _, ms, _ = call(port, "PATCH", f"/rest/metadata/fields/{fid}", {"label": "Color"})
            figures["update a field"].append(ms)
            _, a, _ = call(port, "PATCH", f"/rest/metadata/fields/{fid}", {"isActive": False})
            _, b, _ = call(port, "DELETE", f"/rest/metadata/fields/{fid}")
            figures["deactivate + delete a field"].append(a + b)
            _, a, _ = call(port, "PATCH", f"/rest/metadata/objects/{oid}", {"isActive": False})
            _, b, _ = call(port, "DELETE", f"/rest/metadata/objects/{oid}")
            figures["deactivate + delete an object"].append(a + b)
        _, _, listing = call(port, "GET", "/rest/metadata/objects?limit=1")
        print(
            f"workspace: {listing['totalCount']} objects ({args.objects} custom), median of {args.runs} runs over HTTP"
        )
        for name, values in figures.items():
            print(f"  {name:40} {statistics.median(values):7.1f} ms")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
