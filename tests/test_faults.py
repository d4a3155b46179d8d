"""Faults of the machine (issue 13): a full disk or a read-only database while serving answers 503 in
each API's shape and writes nothing; a damaged, foreign, locked or misplaced database file at start
gives one clear line, quickly."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Client

import twenty_lite as tl

KEY = "k"
FULL = "The database cannot be used: the disk is full. Nothing was written."
READ_ONLY = "The database cannot be used: the database file is read-only. Nothing was written."


@pytest.fixture
def app(tmp_path: Path) -> Iterator[object]:
    app = tl.create_app(tl.Settings(db=str(tmp_path / "db.sqlite"), api_key=KEY, seed="none", rate_limit="0"))
    yield app


def count(client: Client) -> int:
    return client.get("/rest/people").json()["totalCount"]


def fill_the_disk(app: object) -> None:
    """No page may be added to the file any more: SQLite answers SQLITE_FULL, as on a full disk."""
    with app.state.store.write() as conn:  # type: ignore[attr-defined]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_is_a_503_and_writes_nothing(app: object) -> None:
    client = Client(app, KEY)
    assert client.post("/rest/people", json={"city": "Before"}).status_code == 201
    fill_the_disk(app)
    resp = client.post("/rest/batch/people", json=[{"city": "x" * 5000} for _ in range(60)])
    assert resp.status_code == 503, resp
    assert resp.json() == {"statusCode": 503, "error": "ServiceUnavailableException", "messages": [FULL]}
    assert count(client) == 1
    with app.state.store.write() as conn:  # type: ignore[attr-defined]
        conn.execute("PRAGMA max_page_count = 1073741823")  # space again: writes resume
    assert client.post("/rest/people", json={"city": "After"}).status_code == 201
    assert count(client) == 2


def test_a_full_disk_under_graphql_is_an_error_and_writes_nothing(app: object) -> None:
    client = Client(app, KEY)
    fill_the_disk(app)
    people = ",".join(['{city: "%s"}' % ("y" * 5000)] * 60)
    resp = client.post("/graphql", json={"query": f"mutation {{ createPeople(data: [{people}]) {{ id }} }}"})
    assert resp.status_code == 200, resp
    assert resp.json() == {"errors": [{"message": FULL, "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    assert count(client) == 0


def test_a_read_only_database_is_a_503(app: object) -> None:
    client = Client(app, KEY)
    with app.state.store.write():  # type: ignore[attr-defined]
        pass  # the writer connection exists
    app.state.store._writer.execute("PRAGMA query_only = 1")  # type: ignore[attr-defined]
    resp = client.post("/rest/people", json={"city": "C"})
    assert resp.status_code == 503, resp
    assert resp.json()["messages"] == [READ_ONLY]
    assert client.get("/rest/people").status_code == 200  # reads go on


def start_error(db: str) -> str:
    with pytest.raises(tl.StoreError) as caught:
        tl.create_app(tl.Settings(db=db, api_key=KEY, seed="none"))
    return str(caught.value)


def test_a_folder_given_as_the_database(tmp_path: Path) -> None:
    assert start_error(str(tmp_path)) == (
        f"{tmp_path} is a folder: --db takes the path of a database file, e.g. {tmp_path}/twenty_lite.db"
    )


def test_a_database_in_a_missing_folder(tmp_path: Path) -> None:
    db = tmp_path / "nope" / "db.sqlite"
    assert start_error(str(db)) == (
        f"The folder {tmp_path / 'nope'} does not exist: create it, or give --db a path in a folder that does."
    )
    assert not (tmp_path / "nope").exists()


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_bytes(b"these are not the pages you are looking for " * 200)
    assert start_error(str(db)) == (
        f"{db} is not a SQLite database: give --db a twenty_lite database or a new file name."
    )


def test_a_truncated_database(tmp_path: Path) -> None:
    good = tmp_path / "good.sqlite"
    tl.create_app(tl.Settings(db=str(good), api_key=KEY, seed="demo")).state.store.checkpoint()
    cut = tmp_path / "cut.sqlite"
    cut.write_bytes(good.read_bytes()[:6000])
    message = start_error(str(cut))
    assert message.startswith(f"{cut} is damaged (")
    assert message.endswith("): restore it from a copy, or start with a new --db file.")


def test_a_database_locked_by_another_process_is_reported_in_seconds(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sqlite3, sys, time\n"
            f"c = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "c.execute('PRAGMA locking_mode=EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE')\n"
            "c.execute('CREATE TABLE held(x)'); print('held', flush=True); time.sleep(60)\n"
        )],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        message = start_error(str(db))
        assert time.monotonic() - started < 10
        assert message == f"{db} is locked by another process (another twenty_lite?): stop it, or use another --db."
    finally:
        holder.kill()
        holder.wait()


def test_the_command_line_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(Path(tl.__file__)), "--db", str(tmp_path), "--port", "0", "--seed", "none"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"twenty_lite: {tmp_path} is a folder: --db takes the path of a database file, e.g. {tmp_path}/twenty_lite.db"
    ]
    assert "Traceback" not in done.stdout + done.stderr


def test_a_removed_wal_loses_no_acknowledged_write_and_refuses_writes(app: object, tmp_path: Path) -> None:
    client = Client(app, KEY)
    assert client.post("/rest/people", json={"city": "Before"}).status_code == 201
    (tmp_path / "db.sqlite-wal").unlink()
    # The next commit notices, folds the lost log into the database file before answering, and is kept.
    assert client.post("/rest/people", json={"city": "Noticed"}).status_code == 201
    resp = client.post("/rest/people", json={"city": "Refused"})
    assert resp.status_code == 503, resp
    db = tmp_path / "db.sqlite"
    assert resp.json()["messages"] == [
        f"The database cannot be used: {db}-wal was removed while twenty_lite ran; everything written is safe in "
        f"{db}: restart twenty_lite to write again. Nothing was written."
    ]
    assert client.get("/rest/people").json()["totalCount"] == 2  # reads go on
    # What a crash would leave: the database file alone, read by a new process, holds both records.
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        cities = {r[0] for r in conn.execute("SELECT v FROM value WHERE v IN ('Before', 'Noticed', 'Refused')")}
    assert cities == {"Before", "Noticed"}
