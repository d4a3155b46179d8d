"""The README's command examples run as written (issue 14): the `keys`, data and `curl` blocks, in a
fresh folder where the server has made its database (only the port differs: 3000 may be taken)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def shell_lines() -> list[str]:
    """Every line of every ```sh block, comments dropped."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = line.split("   #")[0].strip()
            if command:
                lines.append(command)
    return lines


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A README line, with `python twenty_lite.py` being this checkout's script under this Python."""
    command = command.replace("python twenty_lite.py", f"{sys.executable} {ROOT / 'twenty_lite.py'}")
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder where `python twenty_lite.py` has run once (its database exists), with sample files."""
    made = run("python twenty_lite.py keys list --create-db", tmp_path)
    assert made.returncode == 0, made.stderr
    (tmp_path / "people.csv").write_text("name.firstName,emails.primaryEmail,city\nAda,ada@x.io,London\n")
    (tmp_path / "companies.json").write_text(json.dumps([{"name": "Acme", "employees": 5}]))
    return tmp_path


def test_the_offline_commands_run_as_written(folder: Path) -> None:
    offline = [line for line in shell_lines() if line.startswith("python twenty_lite.py ")
               and not line.endswith("&") and "<" not in line and line != "python twenty_lite.py"]  # fmt: skip
    assert len(offline) >= 6, offline  # keys create/list, export, import, seed ×2
    for line in offline:
        done = run(line, folder)
        assert done.returncode == 0, (line, done.stderr)
        assert "Traceback" not in done.stderr


def test_the_curl_example_runs_as_written(folder: Path) -> None:
    lines = shell_lines()
    start = next(line for line in lines if line.startswith("python twenty_lite.py --db :memory:"))
    curl = next(line for line in lines if line.startswith("curl "))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = start.removesuffix("&").split()[2:]
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "twenty_lite.py"), *args, "--port", str(port), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            done = run(curl.replace("127.0.0.1:3000", f"127.0.0.1:{port}"), folder)
            if done.returncode != 7:  # 7: the server does not listen yet
                break
            time.sleep(0.1)
        assert done.returncode == 0, done.stderr
        body = json.loads(done.stdout)
        assert body["totalCount"] >= 1 and all(p["city"] == "London" for p in body["data"]["people"])
    finally:
        server.terminate()
        server.wait(10)
