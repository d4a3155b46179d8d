"""The long fuzzing profile: tests/test_fuzz.py with many more cases, and what it ran.

    python tests/fuzz.py                # about 10,000 cases per OpenAPI document (70 per operation)
    python tests/fuzz.py --examples 10  # fewer, faster

Prints the cases run and the time per fuzzer, and pytest's failures if any; exits non-zero on a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=70, help="cases per OpenAPI operation (x50 for grammars)")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "cases.json")
        env = dict(os.environ, TWENTY_LITE_FUZZ_EXAMPLES=str(args.examples), TWENTY_LITE_FUZZ_REPORT=report)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(here / "test_fuzz.py"), "-q", "-p", "no:cacheprovider", "--durations=0"],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        cases = json.loads(Path(report).read_text()) if os.path.exists(report) else {}
    print(f"fuzzing, {args.examples} examples per operation, {seconds:.0f} s in all")
    print(f"{'fuzzer':32} {'cases':>8}")
    for name, n in sorted(cases.items()):
        print(f"{name:32} {n:>8,}")
    durations = [line for line in done.stdout.splitlines() if " call " in line]
    print("\n".join(durations))
    if done.returncode != 0:
        print(done.stdout[-6000:])
        print("FAILED")
    else:
        print("no 5xx, every answer as its document says")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
