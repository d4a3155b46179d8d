"""The pytest plugin never prints a warning: an integrator's suite that treats warnings as errors
(`-W error`, `filterwarnings = error`) passes whether its tests use the plugin's fixtures or not.

The suite runs in a subprocess from a temporary folder, with the plugin loaded as pip installed it
(the pytest11 entry point `twenty_lite = "twenty_lite:pytest_plugin"`), not from this repository's conftest.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

USES_FIXTURES = """
import pytest


def test_a_fresh_workspace(twenty_workspace):
    status, body = twenty_workspace.post("/rest/people", {"city": "Oslo"})
    assert status == 201
    assert twenty_workspace.get("/rest/people")[1]["totalCount"] == 1


def test_the_server_and_a_workspace_deleted_by_the_test(twenty_lite_server, twenty_workspace):
    assert twenty_workspace.base_url == twenty_lite_server.base_url
    twenty_lite_server.delete_workspace(twenty_workspace.id)


class TestInAClass:
    def test_graphql(self, twenty_workspace):
        assert twenty_workspace.graphql("{ people { totalCount } }") == {"data": {"people": {"totalCount": 0}}}
"""

IGNORES_FIXTURES = """
def test_nothing_to_do_with_twenty():
    assert sum([1, 2, 3]) == 6
"""

# Variables that would change what the inner pytest loads or how it runs.
PYTEST_VARIABLES = (
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
    "PYTEST_XDIST_AUTO_NUM_WORKERS",
)


def run_suite(folder: Path, ini: str, *options: str) -> tuple[int, str]:
    """Write the sample suite into folder and run it with pytest in a subprocess: (exit code, all output)."""
    (folder / "pytest.ini").write_text(ini)
    (folder / "test_uses_fixtures.py").write_text(USES_FIXTURES)
    (folder / "test_ignores_fixtures.py").write_text(IGNORES_FIXTURES)
    env = {k: v for k, v in os.environ.items() if k not in PYTEST_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *options, "-p", "no:cacheprovider", "-rA", "."],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def assert_silent(code: int, output: str) -> None:
    noisy = [
        line for line in output.splitlines() if re.search(r"Warning|warnings summary|INTERNALERROR>\s*\S*Error", line)
    ]
    report = "\n".join(noisy[:20]) + "\n----- end of the output -----\n" + output[-3000:]
    assert code == 0, f"the sample suite failed (exit code {code}):\n{report}"
    assert re.search(r"(?m)^plugins:.*\btwenty-lite\b", output), f"the plugin was not loaded:\n{output[-2000:]}"
    assert re.search(r"\b4 passed\b", output), output[-2000:]
    for word in ("Warning", "warnings summary", "INTERNALERROR"):
        assert word not in output, f"{word!r} in the sample suite's output:\n{report}"


def test_plugin_is_silent_when_warnings_are_errors(tmp_path: Path) -> None:
    assert_silent(*run_suite(tmp_path, "[pytest]\nfilterwarnings =\n    error\n", "-W", "error"))


@pytest.mark.parametrize("options", [(), ("-W", "default")])
def test_plugin_prints_no_warning_when_warnings_are_shown(tmp_path: Path, options: tuple[str, ...]) -> None:
    assert_silent(*run_suite(tmp_path, "[pytest]\n", *options))


def test_the_plugin_is_public_and_importing_twenty_lite_never_needs_pytest() -> None:
    """`pytest_plugin` is in __all__; a star import in a process without pytest still works."""
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "from twenty_lite import *\n"
        "assert sorted(dir(pytest_plugin)) == ['twenty_lite_server', 'twenty_workspace']\n"
        "print(create_app.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "create_app", done.stdout + done.stderr
