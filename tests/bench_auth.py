"""Benchmark: what authentication and rate limiting add to a request.

Not a test: it prints figures. Usage: python tests/bench_auth.py [--runs 20000]

Times, in-process, the median of: authenticating the CLI key, authenticating an API-key JWT
(signature, expiry, workspace, key and role lookups), and one rate-limiter step; then the
median of a whole small request (GET /rest/people?limit=1) with the limiter on and off.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import Client  # noqa: E402

import twenty_lite as tl  # noqa: E402


def median_us(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    args = parser.parse_args()
    app = tl.create_app(tl.Settings(db=":memory:", api_key="cli-key", seed="demo", rate_limit=f"{10**9}/60"))
    state = app.state
    now = state.clock()
    jwt = tl._api_key_token(
        state.app_secret, state.default_workspace, state.default_api_key, now, now + tl.HUNDRED_YEARS
    )
    cli = median_us(lambda: tl._authenticate(state, "Bearer cli-key"), args.runs)
    signed = median_us(lambda: tl._authenticate(state, f"Bearer {jwt}"), args.runs)
    limiter = tl.RateLimiter(f"{10**9}/60", state.clock)
    step = median_us(lambda: limiter.take("ws"), args.runs)
    print(f"authenticate, CLI key:          {cli:6.1f} µs")
    print(f"authenticate, API-key JWT:      {signed:6.1f} µs")
    print(f"rate limiter, one step:         {step:6.1f} µs")
    print(f"auth + limiter (JWT) per call:  {signed + step:6.1f} µs = {(signed + step) / 1000:.3f} ms")
    on = Client(app, jwt)
    off = Client(tl.create_app(tl.Settings(db=":memory:", api_key="cli-key", seed="demo", rate_limit="0")), "cli-key")
    runs = max(200, args.runs // 20)
    with_all = median_us(lambda: on.get("/rest/people?limit=1"), runs)
    without = median_us(lambda: off.get("/rest/people?limit=1"), runs)
    print(f"GET /rest/people?limit=1 in-process: {with_all / 1000:.3f} ms with a JWT and the limiter, "
          f"{without / 1000:.3f} ms with the CLI key and no limiter")  # fmt: skip


if __name__ == "__main__":
    main()
