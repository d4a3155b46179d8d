"""Read documents (storage): the JSON kept beside each record's EAV values stays equal to what those
values render, after every kind of write and data-model change, and after a crash in mid-write."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import API_KEY, Client, http_send, ok

import twenty_lite as tl

ROOT = Path(__file__).resolve().parent.parent


# ---- the invariant ---------------------------------------------------------------------------


def check_docs(app: Any) -> int:
    """Every read document of the current shape equals the rendering of its record's stored values;
    returns how many were compared."""
    state = app.state
    checked = 0
    with state.store.read() as conn:
        for (workspace_id,) in conn.execute("SELECT id FROM workspace").fetchall():
            schema = state.schema(conn, workspace_id)
            for obj in schema.objects:
                rows = conn.execute(
                    "SELECT e.seq, e.id, d.doc FROM entity e JOIN record_doc d ON d.seq = e.seq AND d.shape = ? "
                    "WHERE e.obj = ?",
                    (obj.doc_shape, obj.key),
                ).fetchall()
                fresh = tl._render_docs(conn, obj, {seq: rid for seq, rid, _ in rows})
                for seq, rid, doc in rows:
                    assert json.loads(doc) == json.loads(fresh[seq]), (obj.name_singular, tl._blob_uuid(rid))
                checked += len(rows)
    return checked


def orphan_docs(app: Any) -> int:
    """Documents whose record is gone."""
    with app.state.store.read() as conn:
        return conn.execute(
            "SELECT count(*) FROM record_doc d LEFT JOIN entity e ON e.seq = d.seq WHERE e.seq IS NULL"
        ).fetchone()[0]


def drop_docs(app: Any) -> None:
    with app.state.store.write() as conn:
        conn.execute("DELETE FROM record_doc")


def assert_true(client: Client, *plurals: str) -> None:
    """Documents equal their values, none is left without a record, and what the API shows from them is
    what it shows when every record is rendered from its values."""
    check_docs(client.app)
    assert orphan_docs(client.app) == 0
    paths = [f"/rest/{p}?limit=200&depth={d}" for p in plurals or ("people", "companies") for d in (0, 1)]
    from_docs = [client.get(path).json() for path in paths]
    drop_docs(client.app)
    assert [client.get(path).json() for path in paths] == from_docs


def current_docs(app: Any, plural: str) -> int:
    with app.state.store.read() as conn:
        obj = app.state.schema(conn, app.state.default_workspace).by_plural[plural]
        return conn.execute(
            "SELECT count(*) FROM record_doc d JOIN entity e ON e.seq = d.seq WHERE e.obj = ? AND d.shape = ?",
            (obj.key, obj.doc_shape),
        ).fetchone()[0]


# ---- helpers ---------------------------------------------------------------------------------


def create(client: Client, plural: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = ok(client.post(f"/rest/{plural}", json=body or {}), 201)["data"]
    return next(iter(data.values()))


def get(client: Client, plural: str, rid: str) -> dict[str, Any]:
    return next(iter(ok(client.get(f"/rest/{plural}/{rid}"))["data"].values()))


def objects(client: Client) -> dict[str, dict[str, Any]]:
    return {o["nameSingular"]: o for o in ok(client.get("/rest/metadata/objects"))["data"]}


def add_field(client: Client, singular: str, name: str, ftype: str = "TEXT", **extra: Any) -> str:
    body = {"objectMetadataId": objects(client)[singular]["id"], "type": ftype, "name": name, "label": name}
    body.update(extra)
    return ok(client.post("/rest/metadata/fields", json=body), 201)["id"]


def patch_field(client: Client, field_id: str, changes: dict[str, Any]) -> None:
    ok(client.patch(f"/rest/metadata/fields/{field_id}", json=changes))


def delete_field(client: Client, field_id: str) -> None:
    patch_field(client, field_id, {"isActive": False})
    ok(client.delete(f"/rest/metadata/fields/{field_id}"))


@pytest.fixture
def people(client: Client) -> list[dict[str, Any]]:
    """Five people, two of them at one company."""
    company = create(client, "companies", {"name": "Acme"})
    rows = [{"name": {"firstName": f"P{n}", "lastName": "Doe"}, "city": f"City {n}"} for n in range(5)]
    rows[0]["companyId"] = rows[1]["companyId"] = company["id"]
    return ok(client.post("/rest/batch/people", json=rows), 201)["data"]["createPeople"]


# ---- record writes ---------------------------------------------------------------------------


def test_created_records_have_their_document_at_once(client: Client, people: list[dict[str, Any]]) -> None:
    assert current_docs(client.app, "people") == 5
    assert check_docs(client.app) == 6
    assert_true(client)


def test_updates_rewrite_the_document(client: Client, people: list[dict[str, Any]]) -> None:
    ok(client.patch(f"/rest/people/{people[0]['id']}", json={"city": "Oslo", "name": {"firstName": "Ada"}}))
    ok(client.patch("/rest/people?filter=city[like]:City%25", json={"jobTitle": "CTO"}))
    assert get(client, "people", people[0]["id"])["city"] == "Oslo"
    assert {p["jobTitle"] for p in ok(client.get("/rest/people"))["data"]["people"]} == {"CTO", ""}
    assert current_docs(client.app, "people") == 5
    assert_true(client)


def test_upserts_and_graphql_writes_keep_documents_true(client: Client, people: list[dict[str, Any]]) -> None:
    body = [{"id": people[1]["id"], "city": "Upserted"}, {"name": {"firstName": "New"}, "city": "Fresh"}]
    ok(client.post("/rest/batch/people?upsert=true", json=body), 201)
    query = (
        'mutation($id: UUID!) { updatePerson(id: $id, data: {city: "ByGraphQL"}) { id city } '
        'createPerson(data: {city: "MadeByGraphQL"}) { id } }'
    )
    resp = ok(client.post("/graphql", json={"query": query, "variables": {"id": people[2]["id"]}}))
    assert "errors" not in resp, resp
    assert get(client, "people", people[1]["id"])["city"] == "Upserted"
    assert get(client, "people", people[2]["id"])["city"] == "ByGraphQL"
    assert_true(client)


def test_delete_restore_destroy_and_merge(client: Client, people: list[dict[str, Any]]) -> None:
    ok(client.delete(f"/rest/people/{people[0]['id']}?soft_delete=true"))
    deleted = ok(client.get("/rest/people?filter=deletedAt[is]:NOT_NULL"))["data"]["people"]
    assert [p["id"] for p in deleted] == [people[0]["id"]] and deleted[0]["deletedAt"] is not None
    check_docs(client.app)
    ok(client.patch(f"/rest/restore/people/{people[0]['id']}"))
    assert get(client, "people", people[0]["id"])["deletedAt"] is None
    ok(client.delete(f"/rest/people/{people[4]['id']}"))
    merged = ok(
        client.patch("/rest/people/merge", json={"ids": [people[1]["id"], people[2]["id"]], "conflictPriorityIndex": 0})
    )
    assert merged["data"]["mergePerson"]["id"] == people[1]["id"]
    assert {p["id"] for p in ok(client.get("/rest/people"))["data"]["people"]} == {
        people[0]["id"],
        people[1]["id"],
        people[3]["id"],
    }
    assert_true(client)


def test_on_delete_rules_reach_the_documents_of_other_records(client: Client, people: list[dict[str, Any]]) -> None:
    company_id = people[0]["companyId"]
    note = create(client, "notes", {"title": "n"})
    target = create(client, "noteTargets", {"noteId": note["id"], "targetPersonId": people[3]["id"]})
    opportunity = create(client, "opportunities", {"name": "Deal", "companyId": company_id})
    for plural in ("people", "opportunities", "noteTargets"):  # documents written before the destroys
        ok(client.get(f"/rest/{plural}?depth=1"))
    ok(client.delete(f"/rest/companies/{company_id}"))  # SET_NULL on people and opportunities
    assert get(client, "people", people[0]["id"])["companyId"] is None
    assert get(client, "opportunities", opportunity["id"])["companyId"] is None
    ok(client.delete(f"/rest/people/{people[3]['id']}"))  # CASCADE to its note targets
    assert client.get(f"/rest/noteTargets/{target['id']}").status_code == 404
    assert_true(client, "people", "opportunities", "noteTargets", "notes")


def test_a_value_changed_by_sql_alone_drops_the_document(client: Client, people: list[dict[str, Any]]) -> None:
    state = client.app.state
    with state.store.write() as conn:
        obj = state.schema(conn, state.default_workspace).by_plural["people"]
        conn.execute("UPDATE value SET v = 'Changed' WHERE attr = ?", (obj.column("city").key,))
    assert current_docs(client.app, "people") == 0
    assert {p["city"] for p in ok(client.get("/rest/people"))["data"]["people"]} == {"Changed"}


def test_a_failed_write_leaves_values_and_documents_as_they_were(
    client: Client, people: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ok(client.get("/rest/people?depth=1"))
    real, calls = tl._render_doc, []

    def failing(obj: Any, rid: bytes, values: dict[str, Any]) -> str:
        calls.append(rid)
        if len(calls) == 30:
            raise RuntimeError("disk on fire")
        return real(obj, rid, values)

    monkeypatch.setattr(tl, "_render_doc", failing)
    batch = [{"name": {"firstName": f"B{n}"}} for n in range(60)]
    assert client.post("/rest/batch/people", json=batch).status_code == 500
    calls.clear()
    assert client.patch(f"/rest/people/{people[0]['id']}", json={"city": "Never"}).status_code == 200
    monkeypatch.setattr(tl, "_render_doc", real)
    after = ok(client.get("/rest/people?depth=1"))
    changed = [p for p in after["data"]["people"] if p["id"] == people[0]["id"]][0]
    assert changed["city"] == "Never" and after["totalCount"] == before["totalCount"] == 5
    assert_true(client)


# ---- data-model changes ----------------------------------------------------------------------


def test_a_new_field_appears_in_every_record(client: Client, people: list[dict[str, Any]]) -> None:
    add_field(client, "person", "tier", "TEXT", defaultValue="'gold'")
    records = ok(client.get("/rest/people"))["data"]["people"]
    assert {r["tier"] for r in records} == {"gold"}
    assert_true(client)


def test_renamed_deactivated_and_deleted_fields(client: Client, people: list[dict[str, Any]]) -> None:
    field_id = add_field(client, "person", "nickname")
    ok(client.patch(f"/rest/people/{people[0]['id']}", json={"nickname": "Pim"}))
    patch_field(client, field_id, {"name": "alias", "label": "Alias"})
    record = get(client, "people", people[0]["id"])
    assert record["alias"] == "Pim" and "nickname" not in record
    patch_field(client, field_id, {"isActive": False})
    assert "alias" not in get(client, "people", people[0]["id"])
    check_docs(client.app)
    patch_field(client, field_id, {"isActive": True})
    assert get(client, "people", people[0]["id"])["alias"] == "Pim"
    delete_field(client, field_id)
    add_field(client, "person", "alias")  # the same name and type, another field: the old value is gone
    assert get(client, "people", people[0]["id"])["alias"] is None
    assert_true(client)


def test_removed_select_options_clear_values_in_documents(client: Client, people: list[dict[str, Any]]) -> None:
    options = [
        {"label": "A", "value": "A", "position": 0, "color": "red"},
        {"label": "B", "value": "B", "position": 1, "color": "blue"},
    ]
    field_id = add_field(client, "person", "grade", "SELECT", options=options)
    ok(client.patch(f"/rest/people/{people[0]['id']}", json={"grade": "B"}))
    assert get(client, "people", people[0]["id"])["grade"] == "B"
    patch_field(client, field_id, {"options": options[:1]})
    assert get(client, "people", people[0]["id"])["grade"] is None
    assert_true(client)


def test_renamed_custom_object_keeps_its_records(client: Client) -> None:
    body = {"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"}
    object_id = ok(client.post("/rest/metadata/objects", json=body), 201)["id"]
    rocket = create(client, "rockets", {"name": "Saturn"})
    ok(
        client.patch(
            f"/rest/metadata/objects/{object_id}",
            json={
                "nameSingular": "ship",
                "namePlural": "ships",
                "labelSingular": "Ship",
                "labelPlural": "Ships",
                "isLabelSyncedWithName": False,
            },
        )
    )
    assert get(client, "ships", rocket["id"])["name"] == "Saturn"
    assert_true(client, "ships")


def test_reads_write_back_the_documents_they_had_to_render(client: Client, people: list[dict[str, Any]]) -> None:
    add_field(client, "person", "tier")
    assert current_docs(client.app, "people") == 0  # another shape: none is current
    ok(client.get("/rest/people?limit=2"))
    assert current_docs(client.app, "people") == 2
    ok(client.post("/graphql", json={"query": "{ people { edges { node { id tier } } } }"}))
    assert current_docs(client.app, "people") == 5
    assert_true(client)


def test_a_database_of_schema_version_4_gets_its_documents(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    app = tl.create_app(tl.Settings(db=str(path), seed="demo", api_key=API_KEY))
    listed = Client(app).get("/rest/people?depth=1").json()
    app.state.store.checkpoint()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TRIGGER value_changed; DROP TRIGGER value_removed; DROP TRIGGER entity_removed; DROP TABLE record_doc;"
        "UPDATE meta_info SET value = '4' WHERE key = 'schema_version';"
    )
    conn.close()
    again = tl.create_app(tl.Settings(db=str(path), seed="demo", api_key=API_KEY))
    client = Client(again)
    assert client.get("/rest/people?depth=1").json() == listed
    ok(client.patch(f"/rest/people/{listed['data']['people'][0]['id']}", json={"city": "Migrated"}))
    assert_true(client)


# ---- a crash in mid-write --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(base: str, path: str, body: Any) -> int:
    """A POST's status, 0 when the server did not answer (it is being killed)."""
    try:
        return http_send(base, "POST", path, API_KEY, body)[0]
    except (OSError, http.client.HTTPException):
        return 0


def test_documents_stay_true_when_the_server_is_killed_mid_write(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "twenty_lite.py"), "--db", str(db), "--port", str(port), "--api-key", API_KEY,
         "--seed", "none", "--rate-limit", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 20
        while _post(base, "/rest/companies", {"name": "Warm-up"}) != 201:
            assert time.time() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.05)
        stop = threading.Event()
        acknowledged: list[int] = []

        def writer(n: int) -> None:
            k = 0
            while not stop.is_set():
                batch = [{"name": {"firstName": f"W{n}", "lastName": f"{k}-{j}"}, "city": f"C{j}"} for j in range(60)]
                if _post(base, "/rest/batch/people", batch) == 201:
                    acknowledged.append(60)
                if _post(base, "/rest/companies", {"name": f"Co {n}-{k}"}) == 201:
                    acknowledged.append(0)
                k += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        stop.set()
        for t in threads:
            t.join()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert sum(acknowledged) > 0
    app = tl.create_app(tl.Settings(db=str(db), seed="none", api_key=API_KEY))
    client = Client(app)
    assert ok(client.get("/rest/people?limit=1"))["totalCount"] >= sum(acknowledged)
    assert check_docs(app) > 0
    assert orphan_docs(app) == 0
    assert_true(client)
    with app.state.store.read() as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_document_reads_stay_lookups_whatever_the_statistics(client: Client, people: list[dict[str, Any]]) -> None:
    state = client.app.state
    with state.store.write() as conn:  # statistics taken when the table was small (ANALYZE, PRAGMA optimize)
        conn.execute("ANALYZE")
        conn.execute("UPDATE sqlite_stat1 SET stat = '1' WHERE tbl = 'record_doc'")
        conn.execute("ANALYZE sqlite_master")  # load them
    seen: list[str] = []
    with state.store.trace(seen.append):
        ok(client.get("/rest/people"))
        ok(client.post("/graphql", json={"query": "{ people { edges { node { id city } } } }"}))
    reads = [sql for sql in seen if "record_doc" in sql and sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(reads) == 2, seen
    with state.store.read() as conn:
        for sql in reads:
            plan = " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "SCAN record_doc" not in plan and "SCAN d" not in plan, plan
