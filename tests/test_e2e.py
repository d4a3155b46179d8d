"""End to end: the real server process on a free port, driven over HTTP."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port: int, method: str, path: str, token: str | None = None, body=None) -> tuple[int, dict, object]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    resp = conn.getresponse()
    payload = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), json.loads(payload) if payload else None


class Server:
    """python twenty_lite.py … as a subprocess; the lines it printed and its port."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "twenty_lite.py"), "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        self.lines: list[str] = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.lstrip().startswith("Try:"):
                return
        self.stop()
        raise AssertionError(f"server did not start: {self.lines} {self.proc.stderr.read()}")

    @property
    def key(self) -> str:
        return next(re.search(r"API key:\s+(\S+)", line).group(1) for line in self.lines if "API key:" in line)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.returncode


@pytest.fixture
def demo_server(tmp_path):
    server = Server("--db", str(tmp_path / "demo.db"))
    yield server
    server.stop()


def test_demo_server_answers_with_the_printed_key(demo_server) -> None:
    assert any(f"http://127.0.0.1:{demo_server.port}" in line for line in demo_server.lines)
    status, headers, body = call(demo_server.port, "GET", "/rest/people", demo_server.key)
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body["totalCount"] > 0
    assert {"data", "pageInfo", "totalCount"} == set(body)


def test_healthz_needs_no_token(demo_server) -> None:
    assert call(demo_server.port, "GET", "/healthz")[::2] == (200, {"status": "ok"})


def test_create_read_and_missing_token_over_http(demo_server) -> None:
    status, _, body = call(demo_server.port, "POST", "/rest/companies", demo_server.key, {"name": "E2E Inc"})
    assert status == 201
    company = body["data"]["createCompany"]
    status, _, body = call(demo_server.port, "GET", f"/rest/companies/{company['id']}", demo_server.key)
    assert (status, body["data"]["company"]["name"]) == (200, "E2E Inc")
    status, _, body = call(demo_server.port, "GET", "/rest/companies")
    assert (status, body["error"]) == (403, "FORBIDDEN_EXCEPTION")


def test_concurrent_requests_are_served(demo_server) -> None:
    import concurrent.futures

    def one(i: int) -> int:
        return call(demo_server.port, "POST", "/rest/companies", demo_server.key, {"name": f"C{i}"})[0]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        assert set(pool.map(one, range(40))) == {201}
    status, _, body = call(demo_server.port, "GET", "/rest/companies?filter=name[startsWith]:C", demo_server.key)
    assert body["totalCount"] == 40


def test_ctrl_c_stops_cleanly(tmp_path) -> None:
    server = Server("--db", str(tmp_path / "x.db"), "--seed", "none", "--api-key", "abc")
    assert server.key == "abc"
    status, _, body = call(server.port, "GET", "/rest/people", "abc")
    assert (status, body["totalCount"]) == (200, 0)
    assert server.stop() == 0
    assert "stopped" in server.proc.stdout.read()


def test_memory_database_and_data_survive_restart(tmp_path) -> None:
    server = Server("--db", ":memory:", "--seed", "none", "--api-key", "k")
    call(server.port, "POST", "/rest/people", "k", {"city": "Oslo"})
    server.stop()
    path = str(tmp_path / "keep.db")
    first = Server("--db", path, "--seed", "none", "--api-key", "k")
    call(first.port, "POST", "/rest/people", "k", {"city": "Oslo"})
    first.stop()
    second = Server("--db", path, "--api-key", "k")
    try:
        assert call(second.port, "GET", "/rest/people", "k")[2]["totalCount"] == 1
    finally:
        second.stop()


def test_foreign_database_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"not a database at all" * 50)
    result = subprocess.run(
        [sys.executable, str(ROOT / "twenty_lite.py"), "--db", str(path), "--port", str(free_port())],
        capture_output=True, text=True, timeout=20, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 2
    assert "not a SQLite database" in result.stderr
    assert "Traceback" not in result.stderr


def keys(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "twenty_lite.py"), "keys", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=30)  # fmt: skip


def test_keys_command_creates_lists_and_revokes(tmp_path) -> None:
    db = tmp_path / "keys.db"
    created = keys(db, "create", "--name", "ci", "--role", "Guest", "--expires", "2099-01-01", "--create-db")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.count(".") == 2
    key_id = created.stdout.split()[3]
    listed = keys(db, "list")
    assert key_id in listed.stdout and "Guest" in listed.stdout and "ci" in listed.stdout
    server = Server("--db", str(db))
    try:
        assert call(server.port, "GET", "/rest/people", token)[0] == 200
        status, _, body = call(server.port, "POST", "/rest/people", token, {"city": "Oslo"})
        assert (status, body["error"]) == (403, "ForbiddenException")
    finally:
        server.stop()
    assert keys(db, "revoke", key_id).returncode == 0
    assert key_id not in keys(db, "list").stdout
    server = Server("--db", str(db))
    try:
        status, _, body = call(server.port, "GET", "/rest/people", token)
        assert (status, body["messages"]) == (403, ["This API Key is revoked"])
    finally:
        server.stop()


def test_keys_command_refuses_an_unknown_role(tmp_path) -> None:
    result = keys(tmp_path / "k.db", "create", "--name", "x", "--role", "Nope", "--create-db")
    assert result.returncode == 1
    assert "No role labelled 'Nope'" in result.stderr


# ---- the command line never shows a traceback for a user's mistake (issue 14) -------------------------


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "twenty_lite.py"), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def test_keys_refuses_a_missing_database_unless_asked_to_make_it(tmp_path) -> None:
    db = tmp_path / "typo.db"
    result = keys(db, "list")
    assert result.returncode == 2
    assert result.stderr.strip() == f"twenty_lite: {db} does not exist (a mistyped --db?); add --create-db to make it."
    assert not db.exists()
    assert keys(db, "list", "--create-db").returncode == 0 and db.exists()


def test_keys_takes_its_options_anywhere(tmp_path) -> None:
    db = tmp_path / "k.db"
    first = run_cli("keys", "--db", str(db), "--create-db", "create", "--name", "a")
    second = run_cli("keys", "create", "--name", "b", "--db", str(db))
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    listed = run_cli("keys", "list", "--db", str(db)).stdout
    assert " a " in listed and " b " in listed


def test_keys_refuses_a_past_expiry_before_writing(tmp_path) -> None:
    db = tmp_path / "k.db"
    result = keys(db, "create", "--name", "old", "--expires", "2001-01-01", "--create-db")
    assert result.returncode == 1
    assert result.stdout == ""  # no "Created …" first
    assert result.stderr.strip() == "twenty_lite: --expires 2001-01-01 is in the past: give a later date"
    assert " old " not in keys(db, "list").stdout


def test_a_port_in_use_is_one_line_with_what_to_do(tmp_path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("--db", str(tmp_path / "x.db"), "--seed", "none", "--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"twenty_lite: port {port} is in use (another twenty_lite?): stop it, or use --port 0 for any free port."
    )


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_wrong_port_is_one_line(port: str) -> None:
    result = run_cli("--port", port)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"twenty_lite: error: argument --port: '{port}' is not a port: 0 (any free port) to 65535"
    )


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.strip() == "twenty_lite 0.1.0"
    shown = " ".join(run_cli("--help").stdout.split())  # argparse wraps at the terminal's width
    for text in ("(default: 3000)", "(default: twenty_lite.db)", "(default: 100/60)", "examples:",
                 "python twenty_lite.py keys create --name NAME", "twenty-lite", "--cors-origin", "--quiet"):  # fmt: skip
        assert text in shown, text


def test_port_zero_picks_a_free_port_and_the_start_message_says_everything(tmp_path) -> None:
    server = Server("--db", str(tmp_path / "x.db"), "--seed", "none", "--port", "0", "--rate-limit", "7/60")
    try:
        server.port = int(re.search(r"serving http://127\.0\.0\.1:(\d+)", server.lines[0]).group(1))
        assert server.port != 0
        base = f"http://127.0.0.1:{server.port}"
        shown = "\n".join(server.lines)
        for text in (f"serving {base}", f"{base}/playground", f"{base}/rest/people", f"{base}/graphql",
                     f"{base}/metadata", f"Database:   {tmp_path / 'x.db'}", "7 calls per 60 s per workspace"):  # fmt: skip
            assert text in shown, text
        assert shown.count(server.key) == 1  # the long key once, not twice
        assert call(server.port, "GET", "/rest/people", server.key)[0] == 200
    finally:
        server.stop()


def test_sigterm_stops_as_cleanly_as_ctrl_c(tmp_path) -> None:
    server = Server("--db", str(tmp_path / "x.db"), "--seed", "none")
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=10) == 0
    assert "twenty_lite stopped." in server.proc.stdout.read()


def test_the_printed_key_works_after_the_default_key_was_revoked(tmp_path) -> None:
    db = tmp_path / "x.db"
    server = Server("--db", str(db), "--seed", "none")
    try:
        key_id = [line.split()[0] for line in keys(db, "list").stdout.splitlines() if "Default admin key" in line][0]
        assert keys(db, "revoke", key_id).returncode == 0
    finally:
        server.stop()
    server = Server("--db", str(db), "--seed", "none")
    try:
        assert call(server.port, "GET", "/rest/people", server.key)[0] == 200
    finally:
        server.stop()


# ---- data on the command line: export, import, seed (issue 14) ---------------------------------------


def test_seed_from_csv_and_json_then_export_and_import(tmp_path) -> None:
    db = tmp_path / "d.db"
    assert keys(db, "list", "--create-db").returncode == 0
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        "name.firstName,name.lastName,emails.primaryEmail,city,position\n"
        "Ada,Lovelace,ada@x.io,London,1\nAlan,Turing,alan@x.io,Manchester,2.5\n"
    )
    seeded = run_cli("seed", "people", str(csv_file), "--db", str(db))
    assert (seeded.returncode, seeded.stdout.strip()) == (0, f"Created 2 people from {csv_file}.")
    json_file = tmp_path / "companies.json"
    json_file.write_text(json.dumps([{"name": f"Acme {i}", "employees": i} for i in range(130)]))
    assert run_cli("seed", "companies", str(json_file), "--db", str(db)).stdout.strip().startswith("Created 130")
    again = run_cli("seed", "person", str(csv_file), "--db", str(db))  # unique emails: refused, nothing made
    assert again.returncode == 1
    assert again.stderr.strip() == (
        "twenty_lite: records 1-2 were refused: A duplicate entry was detected. The combination of "
        "emailsPrimaryEmail must be unique. 0 records before them were created."
    )
    out = tmp_path / "out.json"
    assert run_cli("export", "--db", str(db), "-o", str(out)).returncode == 0
    imported = run_cli("import", str(out), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    token = imported.stdout.strip().splitlines()[-1]
    server = Server("--db", str(db))
    try:
        mine = "/rest/people?filter=emails.primaryEmail%5Bin%5D%3A%5Bada%40x.io%2Calan%40x.io%5D&order_by=position"
        status, _, body = call(server.port, "GET", mine, token)
        assert status == 200
        assert [(p["name"]["firstName"], p["city"], p["position"]) for p in body["data"]["people"]] == [
            ("Ada", "London", 1), ("Alan", "Manchester", 2.5)]  # fmt: skip
        for path in ("/rest/people?limit=200", "/rest/companies?limit=200"):  # the copy has what the source has
            source, copy = call(server.port, "GET", path, server.key)[2], call(server.port, "GET", path, token)[2]
            assert copy["totalCount"] == source["totalCount"] > 0
            assert copy["data"] == source["data"]
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["seed", "nope", "x.csv"],
            "twenty_lite: no object named 'nope': one of attachments, blocklists, calendarChannelEventAssociations,",
        ),
        (["seed", "people", "missing.csv"], "twenty_lite: missing.csv: No such file or directory"),
        (["import", "missing.json"], "twenty_lite: missing.json: No such file or directory"),
    ],
)
def test_data_commands_say_what_is_wrong(tmp_path, args: list[str], message: str) -> None:
    db = tmp_path / "d.db"
    assert keys(db, "list", "--create-db").returncode == 0
    result = subprocess.run(
        [sys.executable, str(ROOT / "twenty_lite.py"), *args, "--db", str(db)],
        capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().startswith(message), result.stderr


GC_PROBE = """
import gc, runpy, socketserver, sqlite3, sys
import twenty_lite  # imported, the module leaves the collector alone
assert gc.isenabled()
seen = {}
connect = sqlite3.connect
def watched_connect(*args, **kwargs):
    seen.setdefault("building", gc.isenabled())
    return connect(*args, **kwargs)
def serve(self, poll_interval=0.5):
    seen["serving"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count() > 0
    raise KeyboardInterrupt
sqlite3.connect = watched_connect
socketserver.BaseServer.serve_forever = serve
sys.argv = ["twenty_lite.py", "--port", "0", "--db", ":memory:", "--seed", "none"]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    assert stop.code == 0, stop.code
print(sorted(seen.items()))
"""


def test_run_as_a_script_it_starts_without_the_cyclic_collector_and_serves_with_it() -> None:
    """Start-up makes objects that live as long as the process: the collector stays off while the app is built,
    then is on for serving, with what start-up made frozen out of its scans."""
    result = subprocess.run([sys.executable, "-c", GC_PROBE], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[('building', False), ('frozen', True), ('serving', True)]"


def test_the_keys_command_runs_with_the_cyclic_collector() -> None:
    probe = GC_PROBE.replace('"--port", "0", "--db", ":memory:", "--seed", "none"', '"keys", "--help"')
    probe = probe.replace("    assert stop.code == 0, stop.code\n", "    pass\n")
    probe = probe.replace("print(sorted(seen.items()))", "print(gc.isenabled())")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_binding_looks_up_no_host_name(monkeypatch) -> None:
    """HTTPServer asks DNS for the address's name on every start (seconds where DNS is slow); ours does not."""
    import twenty_lite as tl

    def no_lookup(*args: object) -> str:
        raise AssertionError("socket.getfqdn was called")

    monkeypatch.setattr(socket, "getfqdn", no_lookup)
    server = tl.ThreadingServer(("127.0.0.1", 0), tl.QuietHandler)
    try:
        assert server.server_name == "127.0.0.1" and server.server_port == server.socket.getsockname()[1]
        assert server.base_environ["SERVER_NAME"] == "127.0.0.1"
        assert server.base_environ["SERVER_PORT"] == str(server.server_port)
    finally:
        server.server_close()
