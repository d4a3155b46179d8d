"""Benchmark: start-up time of `python twenty_lite.py`, for versions side by side.

Not a test: it prints figures. Usage: python tests/bench_startup.py [--rounds 15] [REV ...]

Each REV is a git revision of this checkout; WT (the default, and always measured) is the working tree.
For each version: launch to the first 200 on /healthz (polled every 2 ms), on an existing database with
--seed none (what ../shared/perf/run.sh measures) and on --db :memory: with the demo (a first start),
launches interleaved so that the machine's drift falls on all versions alike; then, in one cold process
per launch, the time Python takes to compile the script (a script's bytecode is never cached) and the
time from there to serving (imports, the module body, main()).
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: compile the script, then run it as __main__ until it would serve.
PHASES = """
import contextlib, io, socketserver, sys, time
start = time.perf_counter()
code = compile(open(sys.argv[1]).read(), sys.argv[1], "exec")
compiled = time.perf_counter()
class Serving(BaseException):
    pass
def serve(self, poll_interval=0.5):
    raise Serving
socketserver.BaseServer.serve_forever = serve
sys.argv = ["twenty_lite.py", "--port", "0", "--db", sys.argv[2], "--seed", "none", "--api-key", "k"]
try:
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, {"__name__": "__main__", "__file__": sys.argv[0]})
except (Serving, SystemExit):
    pass
print((compiled - start) * 1000, (time.perf_counter() - compiled) * 1000)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def checkout(rev: str, into: Path) -> Path:
    """The version's twenty_lite.py in a folder of its own, with a database made by a first start."""
    folder = into / rev.replace("/", "_")
    folder.mkdir()
    source = (ROOT / "twenty_lite.py").read_bytes() if rev == "WT" else git_show(rev)
    (folder / "twenty_lite.py").write_bytes(source)
    launch(folder, str(folder / "db.sqlite"), "none")
    return folder


def git_show(rev: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{rev}:twenty_lite.py"], capture_output=True, check=True
    ).stdout


def launch(folder: Path, db: str, seed: str) -> float:
    """Milliseconds from launch to the first 200 on /healthz."""
    port = free_port()
    command = [sys.executable, "twenty_lite.py", "--port", str(port), "--db", db, "--seed", seed, "--api-key", "k"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            url = f"http://127.0.0.1:{port}/healthz"
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return (time.perf_counter() - started) * 1000
            if proc.poll() is not None:
                raise SystemExit(f"{folder.name}: twenty_lite exited with {proc.returncode}")
            time.sleep(0.002)
    finally:
        proc.terminate()
        proc.wait()


def phases(folder: Path) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", PHASES, str(folder / "twenty_lite.py"), str(folder / "db.sqlite")],
        capture_output=True, text=True, check=True, cwd=folder,
    ).stdout  # fmt: skip
    compiled, served = out.split()
    return float(compiled), float(served)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("revs", nargs="*", help="git revisions to compare with the working tree")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    revs = [*dict.fromkeys([*args.revs, "WT"])]
    samples: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {rev: checkout(rev, Path(tmp)) for rev in revs}
        for n in range(args.rounds):
            for rev in revs if n % 2 == 0 else revs[::-1]:
                folder = folders[rev]
                samples.setdefault((rev, "existing"), []).append(launch(folder, str(folder / "db.sqlite"), "none"))
                samples.setdefault((rev, "demo"), []).append(launch(folder, ":memory:", "demo"))
                compiled, served = phases(folder)
                samples.setdefault((rev, "compile"), []).append(compiled)
                samples.setdefault((rev, "serve"), []).append(served)
        lines = {rev: len((folder / "twenty_lite.py").read_text().splitlines()) for rev, folder in folders.items()}
    print(f"median of {args.rounds} launches each, ms")
    print(f"{'version':<12} {'existing db':>12} {'memory+demo':>12} {'compile':>9} {'to serving':>11} {'lines':>7}")
    for rev in revs:
        cells = [statistics.median(samples[(rev, what)]) for what in ("existing", "demo", "compile", "serve")]
        print(f"{rev:<12} {cells[0]:>12.1f} {cells[1]:>12.1f} {cells[2]:>9.1f} {cells[3]:>11.1f} {lines[rev]:>7,}")


if __name__ == "__main__":
    main()
