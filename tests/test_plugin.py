"""The pytest plugin: its fixtures, and the sample integrator suite under pytest-xdist."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_workspace_fixture_gives_a_fresh_isolated_workspace(twenty_workspace, twenty_lite_server) -> None:
    assert twenty_workspace.base_url == twenty_lite_server.base_url
    status, made = twenty_workspace.post("/rest/people", {"city": "Oslo"})
    assert status == 201
    status, body = twenty_workspace.get("/rest/people")
    assert body["totalCount"] == 1
    assert twenty_workspace.api_key != twenty_lite_server.api_key


def test_each_test_gets_its_own_workspace(twenty_workspace) -> None:
    assert twenty_workspace.get("/rest/people")[1]["totalCount"] == 0


def test_importing_twenty_lite_does_not_need_pytest() -> None:
    code = "import sys, twenty_lite; assert 'pytest' not in sys.modules; print('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert result.stdout.strip() == "ok", result.stderr


def test_sample_suite_passes_under_xdist() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-n", "2", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "integrator")],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\b100 passed\b", result.stdout), result.stdout[-500:]
