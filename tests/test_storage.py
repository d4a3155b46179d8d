"""Storage: schema version checks, transactions, indexes and the standard model's metadata rows."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import API_KEY, STANDARD_SINGULARS, Client, make_app

import twenty_lite as tl


def test_new_file_database_uses_wal(tmp_path) -> None:
    path = tmp_path / "t.db"
    make_app(db=str(path))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    info = dict(conn.execute("SELECT key, value FROM meta_info"))
    assert info["application"] == "twenty_lite"
    assert info["schema_version"] == str(tl.SCHEMA_VERSION)


def test_reopening_keeps_data_and_does_not_seed_again(tmp_path) -> None:
    path = str(tmp_path / "t.db")
    first = Client(make_app(db=path, seed="demo"))
    count = first.get("/rest/people").json()["totalCount"]
    assert count > 0
    again = Client(make_app(db=path, seed="demo"))
    assert again.get("/rest/people").json()["totalCount"] == count


def test_foreign_sqlite_file_is_refused_clearly(tmp_path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t(x)")
    with pytest.raises(tl.StoreError, match="not one of twenty_lite's"):
        make_app(db=str(path))


def test_not_a_database_is_refused_clearly(tmp_path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(tl.StoreError, match="not a SQLite database"):
        make_app(db=str(path))


def test_other_schema_version_is_refused_clearly(tmp_path) -> None:
    path = tmp_path / "old.db"
    make_app(db=str(path))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta_info SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(tl.StoreError, match="schema version 0"):
        make_app(db=str(path))


def test_failed_request_changes_nothing(client) -> None:
    ok = {"name": {"firstName": "A", "lastName": "B"}}
    bad = {"name": {"firstName": "C"}, "unknownField": 1}
    assert client.post("/rest/batch/people", json=[ok, ok, bad]).status_code == 400
    assert client.get("/rest/people").json()["totalCount"] == 0


def test_live_counter_follows_soft_delete_restore_and_destroy(client) -> None:
    ids = [r["id"] for r in client.post("/rest/batch/people", json=[{}, {}, {}]).json()["data"]["createPeople"]]
    assert client.get("/rest/people").json()["totalCount"] == 3
    client.delete(f"/rest/people/{ids[0]}", params={"soft_delete": "true"})
    assert client.get("/rest/people").json()["totalCount"] == 2
    client.patch(f"/rest/people/{ids[0]}/restore")
    assert client.get("/rest/people").json()["totalCount"] == 3
    client.delete(f"/rest/people/{ids[0]}", params={"soft_delete": "true"})
    client.delete(f"/rest/people/{ids[0]}")
    client.delete(f"/rest/people/{ids[1]}")
    assert client.get("/rest/people").json()["totalCount"] == 1
    trash = client.get("/rest/people", params={"filter": "deletedAt[is]:NOT_NULL"}).json()
    assert trash["totalCount"] == 0


def _plan(app, sql: str, params: tuple) -> str:
    conn = app.state.store._conn()
    return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def _page_sql(app, raw_filter: str | None, order_by: str | None) -> tuple[str, tuple]:
    """The SQL that a list request runs, captured from the query engine."""
    state = app.state
    captured: list[tuple[str, tuple]] = []
    conn = state.store._conn()
    conn.set_trace_callback(lambda sql: captured.append((sql, ())))
    try:
        params = {}
        if raw_filter:
            params["filter"] = raw_filter
        if order_by:
            params["order_by"] = order_by
        Client(app).get("/rest/people", params=params)
    finally:
        conn.set_trace_callback(None)
    return next(sql for sql, _ in captured if "ORDER BY" in sql and "LIMIT" in sql), ()


@pytest.mark.parametrize(
    ("raw_filter", "order_by"),
    [
        (None, None),
        ("emails.primaryEmail[eq]:a@b.c", None),
        ("createdAt[gte]:2020-01-01", "createdAt[DescNullsLast]"),
        ("city[eq]:Paris", "name.lastName"),
    ],
)
def test_list_queries_use_indexes_not_scans(app, raw_filter, order_by) -> None:
    sql, params = _page_sql(app, raw_filter, order_by)
    plan = _plan(app, sql, params)
    assert "SCAN value" not in plan and "SCAN a" not in plan, plan
    assert "SCAN e" not in plan or raw_filter is None, plan


def test_standard_model_rows(app) -> None:
    conn = app.state.store._conn()
    names = {r[0] for r in conn.execute("SELECT name_singular FROM object_meta")}
    assert names == STANDARD_SINGULARS


def test_the_wal_starts_over_under_writes_that_never_pause(tmp_path) -> None:
    import os
    import time

    app = tl.create_app(tl.Settings(db=str(tmp_path / "busy.db"), seed="none", api_key=API_KEY, rate_limit="0"))
    app.state.store.wal_limit = 1 << 20
    client = Client(app)
    sizes = []
    deadline = time.monotonic() + 3
    n = 0
    while time.monotonic() < deadline:  # no pause of 0.25 s: only the size limit folds the WAL in
        batch = [{"name": {"firstName": f"W{n}-{j}"}, "city": f"C{j}"} for j in range(60)]
        assert client.post("/rest/batch/people", json=batch).status_code == 201
        sizes.append(os.path.getsize(str(tmp_path / "busy.db-wal")))
        n += 1
    assert n > 60
    # Without the limit the WAL grows by over 1 MB a batch, for good; with it, it starts over (its file keeps
    # the size it reached between two looks of the checkpointer, a quarter of a second apart).
    assert max(sizes) < min(100 << 20, n * (1 << 20) // 2), (n, sizes[-5:])
    assert client.get("/rest/people?limit=1").json()["totalCount"] == 60 * n
