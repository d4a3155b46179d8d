"""Concurrency stress over real HTTP: a server started with serve() takes, all at once and on a dozen
threads, data-model changes in one workspace, workspace creation and deletion through the admin API,
record traffic (REST and GraphQL) in several workspaces including the changing one, and the developer
tools (clock, fault rules, journal, export, snapshots and restores).

What is asserted does not depend on timing: every request answers, none answers 5xx (nor a GraphQL
INTERNAL_SERVER_ERROR), each thread's own read-your-writes checks hold, and at the end every record
whose create was acknowledged (in a workspace and object that still exist) reads back, and nothing else.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import http_send

import twenty_lite as tl

API_KEY = "stress-default-key"  # a key of the default workspace
ADMIN_KEY = "stress-admin-key"  # the /_lite admin API's key
REQUEST_TIMEOUT = 30  # seconds; a request that does not answer within it is a failure
THREAD_TIMEOUT = 120  # seconds for the whole run (it takes a few)

RECORD_THREADS = 5
RECORD_ITERATIONS = 24
MODEL_THREADS = 2
MODEL_ITERATIONS = 6
CHURN_ITERATIONS = 8
VICTIM_ITERATIONS = 5
DEVTOOLS_ITERATIONS = 10
SNAPSHOT_ITERATIONS = 5


@dataclass
class Call:
    who: str
    method: str
    path: str
    status: int | None  # None: no answer (timeout, reset, refused)
    body: str  # the start of the body (of a GraphQL answer with errors, the errors)
    internal: bool = False  # a 5xx, or a GraphQL INTERNAL_SERVER_ERROR


@dataclass
class Run:
    """Everything the threads saw and acknowledged, under one lock."""

    base_url: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken expectations, with the thread's name
    acked: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))  # (ws, plural) -> ids
    gone_workspaces: set[str] = field(default_factory=set)
    gone_objects: set[tuple[str, str]] = field(default_factory=set)
    victim: tuple[str, str] | None = None  # (workspace id, key) of a workspace about to be deleted
    live_objects: list[tuple[str, str, str, str]] = field(default_factory=list)  # (ws, key, singular, plural)
    dying_objects: set[tuple[str, str]] = field(default_factory=set)  # (ws, plural) about to be deactivated
    keys: dict[str, str] = field(default_factory=dict)  # workspace id -> key, of the workspaces checked at the end

    def request(
        self, who: str, token: str | None, method: str, path: str, body: Any = None, headers: dict | None = None
    ) -> tuple[int | None, Any]:
        """One HTTP call on a new connection: (status, parsed JSON or text); (None, None) if it did not answer."""
        try:
            status, raw = http_send(self.base_url, method, path, token, body, headers, REQUEST_TIMEOUT)
        except (OSError, http.client.HTTPException) as exc:
            with self.lock:
                self.calls.append(Call(who, method, path, None, f"{type(exc).__name__}: {exc}"))
            return None, None
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = text
        shown = text
        if isinstance(parsed, dict) and parsed.get("errors") and path in ("/graphql", "/metadata"):
            shown = json.dumps({"errors": parsed["errors"]})
        internal = status >= 500 or '"INTERNAL_SERVER_ERROR"' in shown
        with self.lock:
            self.calls.append(Call(who, method, path, status, shown[:800], internal))
        return status, parsed

    def expect(self, who: str, condition: bool, message: str) -> bool:
        if not condition:
            with self.lock:
                self.problems.append(f"[{who}] {message}")
        return condition

    def ack(self, workspace_id: str, plural: str, ids: list[str]) -> None:
        with self.lock:
            self.acked[(workspace_id, plural)].update(ids)


def created_ids(body: Any) -> list[str]:
    """The ids of a create answer, REST or GraphQL: {"data": {"createX": {...} | [...]}}."""
    (value,) = body["data"].values()
    return [r["id"] for r in value] if isinstance(value, list) else [value["id"]]


def graphql_ok(run: Run, who: str, status: int | None, body: Any, what: str) -> bool:
    return run.expect(
        who, status == 200 and isinstance(body, dict) and not body.get("errors") and body.get("data"), f"{what}: {body}"
    )


def all_ids(run: Run, token: str, plural: str) -> tuple[list[str], int | None]:
    """Every live record of an object over REST, page by page: (ids, totalCount of the first page)."""
    ids: list[str] = []
    cursor, total = None, None
    for _ in range(1000):
        path = f"/rest/{plural}?limit=60" + (f"&starting_after={cursor}" if cursor else "")
        status, body = run.request("verify", token, "GET", path)
        assert status == 200, f"GET {path}: {status} {body}"
        total = body["totalCount"] if total is None else total
        ids += [r["id"] for r in body["data"][plural]]
        if not body["pageInfo"]["hasNextPage"]:
            break
        cursor = body["pageInfo"]["endCursor"]
    return ids, total


def new_workspace(run: Run, who: str, name: str, seed: str = "none") -> tuple[str, str]:
    status, body = run.request(who, ADMIN_KEY, "POST", "/_lite/workspaces", {"displayName": name, "seed": seed})
    assert status == 201, f"POST /_lite/workspaces: {status} {body}"
    return body["id"], body["apiKey"]


# ---- the threads ----------------------------------------------------------------------------


def record_traffic(run: Run, n: int, targets: list[tuple[str, str]]) -> None:
    """Creates people (REST one and batch, GraphQL one and many) and reads them back, round robin over the
    stable workspaces, sometimes also in the workspace that is about to be deleted."""
    who = f"records-{n}"
    mine: dict[str, set[str]] = defaultdict(set)  # what this thread had acknowledged, per workspace
    for i in range(RECORD_ITERATIONS):
        workspace_id, token = targets[(n + i) % len(targets)]
        tag = f"r{n}i{i}"
        op = (n + i) % 6
        if op == 0:
            status, body = run.request(who, token, "POST", "/rest/people", {"name": {"firstName": tag}, "city": tag})
            if run.expect(who, status == 201, f"POST /rest/people: {status} {body}"):
                mine[workspace_id].update(created_ids(body))
        elif op == 1:
            batch = [{"name": {"firstName": f"{tag}b{k}"}, "city": tag} for k in range(5)]
            status, body = run.request(who, token, "POST", "/rest/batch/people", batch)
            if run.expect(who, status == 201, f"POST /rest/batch/people: {status} {body}"):
                mine[workspace_id].update(created_ids(body))
        elif op == 2:
            query = "mutation($d: PersonCreateInput) { createPerson(data: $d) { id city } }"
            status, body = run.request(
                who, token, "POST", "/graphql", {"query": query, "variables": {"d": {"city": tag}}}
            )
            if graphql_ok(run, who, status, body, "createPerson"):
                mine[workspace_id].update(created_ids(body))
        elif op == 3:
            query = "mutation($d: [PersonCreateInput!]) { createPeople(data: $d) { id } }"
            data = [{"city": tag, "jobTitle": f"j{k}"} for k in range(3)]
            status, body = run.request(who, token, "POST", "/graphql", {"query": query, "variables": {"d": data}})
            if graphql_ok(run, who, status, body, "createPeople"):
                mine[workspace_id].update(created_ids(body))
        elif op == 4:
            status, body = run.request(who, token, "GET", "/rest/people?limit=20&order_by=createdAt[DescNullsLast]")
            if run.expect(who, status == 200, f"GET /rest/people: {status} {body}"):
                run.expect(
                    who,
                    body["totalCount"] >= len(mine[workspace_id]),
                    f"{workspace_id}: totalCount {body['totalCount']} < {len(mine[workspace_id])} acknowledged",
                )
        else:
            query = "{ people(first: 10) { totalCount edges { node { id city } } } }"
            status, body = run.request(who, token, "POST", "/graphql", {"query": query})
            if graphql_ok(run, who, status, body, "people"):
                total = body["data"]["people"]["totalCount"]
                run.expect(
                    who,
                    total >= len(mine[workspace_id]),
                    f"{workspace_id}: GraphQL totalCount {total} < {len(mine[workspace_id])} acknowledged",
                )
        if mine[workspace_id] and i % 5 == 4:  # read one of this thread's own records back at once
            rid = sorted(mine[workspace_id])[i % len(mine[workspace_id])]
            status, body = run.request(who, token, "GET", f"/rest/people/{rid}")
            run.expect(who, status == 200 and body["data"]["person"]["id"] == rid, f"GET person {rid}: {body}")
        with run.lock:
            victim, live = run.victim, list(run.live_objects)
        if live and i % 2 == 1:  # a custom object of the changing workspace (that may be going)
            write_custom(run, who, live[(n + i) % len(live)], tag, graphql=(n + i) % 4 < 2)
        if victim is not None and i % 3 == 0:  # a workspace that may be deleted while this runs
            status, body = run.request(who, victim[1], "POST", "/rest/people", {"city": f"{tag}v"})
            run.expect(who, status in (201, 401), f"POST /rest/people in a dying workspace: {status} {body}")
            if status == 201:
                run.ack(victim[0], "people", created_ids(body))
    for workspace_id, ids in mine.items():
        run.ack(workspace_id, "people", sorted(ids))


def write_custom(run: Run, who: str, target: tuple[str, str, str, str], tag: str, graphql: bool) -> None:
    """A record of a custom object that another thread is changing. It may be refused once its object is
    being deactivated, never before; an acknowledged one is checked at the end unless its object went."""
    workspace_id, token, singular, plural = target
    if graphql:
        name = singular[0].upper() + singular[1:]
        query = f"mutation($d: {name}CreateInput) {{ create{name}(data: $d) {{ id }} }}"
        status, body = run.request(who, token, "POST", "/graphql", {"query": query, "variables": {"d": {"name": tag}}})
        done = status == 200 and isinstance(body, dict) and not body.get("errors")
    else:
        status, body = run.request(who, token, "POST", f"/rest/{plural}", {"name": tag, "size": 1})
        done = status == 201
    if done:
        run.ack(workspace_id, plural, created_ids(body))
        return
    with run.lock:
        dying = (workspace_id, plural) in run.dying_objects
    run.expect(
        who, dying and status in (200, 400), f"create {singular} ({'GraphQL' if graphql else 'REST'}): {status} {body}"
    )


def model_changes(run: Run, m: int, workspace_id: str, token: str) -> None:
    """Custom objects with fields and records, a field on person, then some of them deactivated and deleted."""
    who = f"model-{m}"
    person_id = None
    status, body = run.request(who, token, "GET", "/rest/metadata/objects?limit=1000")
    assert status == 200, body
    person_id = next(o["id"] for o in body["data"] if o["nameSingular"] == "person")
    for i in range(MODEL_ITERATIONS):
        singular, plural = f"m{m}Thing{i}", f"m{m}Things{i}"  # lodash camelCase: a capital after a digit
        status, body = run.request(
            who,
            token,
            "POST",
            "/rest/metadata/objects",
            {
                "nameSingular": singular,
                "namePlural": plural,
                "labelSingular": singular.title(),
                "labelPlural": plural.title(),
            },
        )
        if not run.expect(who, status == 201, f"create object {singular}: {status} {body}"):
            continue
        object_id = body["id"]
        fields = {}
        for name, ftype, extra in (
            ("memo", "TEXT", {}),
            ("size", "NUMBER", {}),
            ("kind", "SELECT", {"options": [{"value": "BIG", "label": "Big"}, {"value": "SMALL", "label": "Small"}]}),
        ):
            status, body = run.request(
                who,
                token,
                "POST",
                "/rest/metadata/fields",
                {"objectMetadataId": object_id, "type": ftype, "name": name, "label": name.title(), **extra},
            )
            if run.expect(who, status == 201, f"create field {singular}.{name}: {status} {body}"):
                fields[name] = body["id"]
        extra_name = f"extra{m}Field{i}"
        status, body = run.request(
            who,
            token,
            "POST",
            "/rest/metadata/fields",
            {"objectMetadataId": person_id, "type": "TEXT", "name": extra_name, "label": extra_name.title()},
        )
        person_field = body["id"] if status == 201 else None
        run.expect(who, status == 201, f"create field person.{extra_name}: {status} {body}")

        rows = [{"name": f"{singular}-{k}", "memo": "m", "size": k, "kind": "BIG"} for k in range(3)]
        status, body = run.request(who, token, "POST", f"/rest/batch/{plural}", rows)
        if run.expect(who, status == 201, f"POST /rest/batch/{plural}: {status} {body}"):
            run.ack(workspace_id, plural, created_ids(body))
        status, body = run.request(who, token, "POST", f"/rest/{plural}", {"name": f"{singular}-one", "size": 9})
        if run.expect(who, status == 201, f"POST /rest/{plural}: {status} {body}"):
            run.ack(workspace_id, plural, created_ids(body))
        with run.lock:
            run.live_objects.append((workspace_id, token, singular, plural))
            expected = len(run.acked[(workspace_id, plural)])  # at least: the record threads write too
        status, body = run.request(who, token, "POST", "/graphql", {"query": f"{{ {plural} {{ totalCount }} }}"})
        if graphql_ok(run, who, status, body, f"{plural} totalCount"):
            got = body["data"][plural]["totalCount"]
            run.expect(who, got >= expected, f"GraphQL {plural} totalCount {got} < {expected} acknowledged")

        if i % 2 == 1 and "memo" in fields:  # a custom field goes: deactivate, then delete
            status, body = run.request(
                who, token, "PATCH", f"/rest/metadata/fields/{fields['memo']}", {"isActive": False}
            )
            run.expect(who, status == 200, f"deactivate {singular}.memo: {status} {body}")
            status, body = run.request(who, token, "DELETE", f"/rest/metadata/fields/{fields['memo']}")
            run.expect(who, status == 200, f"delete {singular}.memo: {status} {body}")
            status, body = run.request(who, token, "GET", f"/rest/{plural}")
            if run.expect(who, status == 200, f"GET /rest/{plural} after a field went: {status} {body}"):
                run.expect(who, body["totalCount"] >= expected, f"{plural}: {body['totalCount']} < {expected}")
                run.expect(who, all("memo" not in r for r in body["data"][plural]), f"{plural} still shows memo")
        if person_field and i % 2 == 0:
            status, body = run.request(
                who, token, "PATCH", f"/rest/metadata/fields/{person_field}", {"isActive": False}
            )
            run.expect(who, status == 200, f"deactivate person.{extra_name}: {status} {body}")
            status, body = run.request(who, token, "DELETE", f"/rest/metadata/fields/{person_field}")
            run.expect(who, status == 200, f"delete person.{extra_name}: {status} {body}")
        if i % 3 == 2:  # the whole object goes, its records with it
            with run.lock:
                run.dying_objects.add((workspace_id, plural))
                run.live_objects.remove((workspace_id, token, singular, plural))
            status, body = run.request(who, token, "PATCH", f"/rest/metadata/objects/{object_id}", {"isActive": False})
            run.expect(who, status == 200, f"deactivate {singular}: {status} {body}")
            status, body = run.request(who, token, "DELETE", f"/rest/metadata/objects/{object_id}")
            if run.expect(who, status == 200, f"delete {singular}: {status} {body}"):
                with run.lock:
                    run.gone_objects.add((workspace_id, plural))
                status, body = run.request(who, token, "GET", f"/rest/{plural}")
                run.expect(who, status == 400, f"GET /rest/{plural} after its object went: {status} {body}")
        status, body = run.request(who, token, "GET", "/rest/metadata/fields?limit=100")
        run.expect(who, status == 200, f"GET /rest/metadata/fields: {status} {body}")
        status, body = run.request(
            who,
            token,
            "POST",
            "/metadata",
            {"query": "{ objects(paging: {first: 100}) { edges { node { nameSingular } } } }"},
        )
        graphql_ok(run, who, status, body, "metadata objects")


def churn(run: Run) -> None:
    """Workspaces made, used, listed, reset and deleted through the admin API; a new one is always empty."""
    who = "churn"
    for i in range(CHURN_ITERATIONS):
        seed = "demo" if i == 3 else "none"  # the demo one is deleted (3 % 3 == 0)
        workspace_id, token = new_workspace(run, who, f"churn{i}", seed)
        if seed == "none":
            for plural in ("people", "companies", "notes"):  # not opportunities: the fault rules
                status, body = run.request(who, token, "GET", f"/rest/{plural}?limit=1")
                run.expect(
                    who,
                    status == 200 and body["totalCount"] == 0,
                    f"new workspace {workspace_id} is not empty: {plural} {status} {body}",
                )
            status, body = run.request(who, token, "GET", "/rest/metadata/objects?limit=1000")
            if run.expect(who, status == 200, f"GET objects: {status} {body}"):
                custom = [o["nameSingular"] for o in body["data"] if o["isCustom"]]
                run.expect(who, custom == [], f"new workspace {workspace_id} has custom objects {custom}")
        status, body = run.request(who, token, "POST", "/rest/batch/people", [{"city": f"c{i}k{k}"} for k in range(4)])
        ids = created_ids(body) if run.expect(who, status == 201, f"batch people: {status} {body}") else []
        if i % 2 == 0:  # a changed data model: deleted, it is cleared rather than recycled
            status, body = run.request(
                who,
                token,
                "POST",
                "/rest/metadata/objects",
                {"nameSingular": "pet", "namePlural": "pets", "labelSingular": "Pet", "labelPlural": "Pets"},
            )
            run.expect(who, status == 201, f"create pet: {status} {body}")
        status, body = run.request(who, ADMIN_KEY, "GET", "/_lite/workspaces")
        if run.expect(who, status == 200, f"GET /_lite/workspaces: {status} {body}"):
            run.expect(who, workspace_id in {w["id"] for w in body["workspaces"]}, f"{workspace_id} not listed")
        if i % 4 == 1:
            status, body = run.request(who, ADMIN_KEY, "POST", f"/_lite/workspaces/{workspace_id}/reset")
            if run.expect(who, status == 200, f"reset: {status} {body}"):
                ids = []
                status, body = run.request(who, token, "GET", "/rest/people")
                run.expect(who, status == 200 and body["totalCount"] == 0, f"after reset: {status} {body}")
        if i % 3 == 2:  # kept: its records are checked at the end
            run.ack(workspace_id, "people", ids)
            with run.lock:
                run.keys[workspace_id] = token
            continue
        status, body = run.request(who, ADMIN_KEY, "DELETE", f"/_lite/workspaces/{workspace_id}")
        if run.expect(who, status == 200, f"DELETE workspace: {status} {body}"):
            with run.lock:
                run.gone_workspaces.add(workspace_id)
            status, body = run.request(who, token, "GET", "/rest/people")
            run.expect(who, status == 401, f"a deleted workspace's key still works: {status} {body}")


def victims(run: Run) -> None:
    """Workspaces that the record threads write to while this thread deletes them."""
    who = "victims"
    for i in range(VICTIM_ITERATIONS):
        workspace_id, token = new_workspace(run, who, f"victim{i}")
        with run.lock:
            run.victim = (workspace_id, token)
        for k in range(4):
            status, body = run.request(who, token, "POST", "/rest/people", {"city": f"v{i}k{k}"})
            run.expect(who, status == 201, f"POST /rest/people: {status} {body}")
            time.sleep(0.02)  # lets the record threads find it (what is asserted does not depend on it)
        status, body = run.request(who, ADMIN_KEY, "DELETE", f"/_lite/workspaces/{workspace_id}")
        if run.expect(who, status == 200, f"DELETE victim: {status} {body}"):
            with run.lock:
                run.gone_workspaces.add(workspace_id)
        status, body = run.request(who, token, "POST", "/rest/people", {"city": "late"})
        run.expect(who, status == 401, f"a deleted workspace accepts records: {status} {body}")
        time.sleep(0.02)
    with run.lock:
        run.victim = None


def devtools(run: Run, workspace_id: str, token: str, changing: str) -> None:
    """The clock, fault rules and header faults (never 5xx ones), the journal and exports."""
    who = "devtools"
    for i in range(DEVTOOLS_ITERATIONS):
        status, body = run.request(who, ADMIN_KEY, "GET", "/_lite/clock")
        run.expect(who, status == 200 and body["now"].endswith("Z"), f"GET clock: {status} {body}")
        status, body = run.request(who, ADMIN_KEY, "POST", "/_lite/clock", {"advance": 1})
        run.expect(who, status == 200, f"advance clock: {status} {body}")

        # Rules are global: only this thread touches opportunities.
        rule = {"object": "opportunities", "operation": "find", "fault": "429"}
        status, body = run.request(who, ADMIN_KEY, "POST", "/_lite/faults", rule)
        run.expect(who, status == 200, f"add fault rule: {status} {body}")
        status, body = run.request(who, token, "GET", "/rest/opportunities")
        run.expect(who, status == 429, f"a ruled fault did not fire: {status} {body}")
        rule = {"object": "opportunities", "operation": "create", "fault": "latency=15ms"}
        status, body = run.request(who, ADMIN_KEY, "POST", "/_lite/faults", rule)
        run.expect(who, status == 200, f"add latency rule: {status} {body}")
        status, body = run.request(who, token, "POST", "/rest/opportunities", {"name": f"deal{i}"})
        if run.expect(who, status == 201, f"POST /rest/opportunities under latency: {status} {body}"):
            run.ack(workspace_id, "opportunities", created_ids(body))
        status, body = run.request(who, ADMIN_KEY, "DELETE", "/_lite/faults")
        run.expect(who, status == 200 and body == {"rules": []}, f"clear faults: {status} {body}")
        status, body = run.request(who, token, "GET", "/rest/opportunities")
        run.expect(who, status == 200, f"GET /rest/opportunities after clearing: {status} {body}")

        status, body = run.request(who, token, "GET", "/rest/companies", headers={"X-Twenty-Lite-Fault": "429"})
        run.expect(who, status == 429, f"header fault 429: {status} {body}")
        status, body = run.request(
            who, token, "GET", "/rest/companies", headers={"X-Twenty-Lite-Fault": "latency=10ms"}
        )
        run.expect(who, status == 200, f"header latency: {status} {body}")
        status, body = run.request(who, ADMIN_KEY, "GET", f"/_lite/workspaces/{workspace_id}/journal")
        run.expect(who, status == 200 and isinstance(body.get("requests"), list), f"journal: {status} {body}")
        if i % 2 == 0:  # an export of the workspace whose data model is changing
            status, body = run.request(who, ADMIN_KEY, "GET", f"/_lite/workspaces/{changing}/export")
            run.expect(
                who, status == 200 and body.get("format") == "twenty_lite/1", f"export: {status} {str(body)[:300]}"
            )


def snapshots(run: Run, workspace_id: str, token: str, changing: str) -> None:
    """Snapshot, more records, restore; the restored workspace has exactly the snapshot's records."""
    who = "snapshots"
    expected: set[str] = set()
    for i in range(SNAPSHOT_ITERATIONS):
        status, body = run.request(who, token, "POST", "/rest/batch/people", [{"city": f"s{i}k{k}"} for k in range(3)])
        if run.expect(who, status == 201, f"batch people: {status} {body}"):
            expected.update(created_ids(body))
        status, body = run.request(who, ADMIN_KEY, "POST", f"/_lite/workspaces/{workspace_id}/snapshots")
        if not run.expect(who, status == 201, f"snapshot: {status} {body}"):
            continue
        snapshot_id, at_snapshot = body["snapshotId"], set(expected)
        status, body = run.request(who, token, "POST", "/rest/batch/people", [{"city": f"s{i}x{k}"} for k in range(2)])
        if run.expect(who, status == 201, f"batch people: {status} {body}"):
            expected.update(created_ids(body))
        if i % 2 == 0:
            status, body = run.request(
                who, ADMIN_KEY, "POST", f"/_lite/workspaces/{workspace_id}/restore", {"snapshotId": snapshot_id}
            )
            if run.expect(who, status == 200, f"restore: {status} {body}"):
                expected = at_snapshot
        status, body = run.request(
            who, token, "POST", "/graphql", {"query": "{ people(first: 100) { totalCount edges { node { id } } } }"}
        )
        if graphql_ok(run, who, status, body, "people after restore"):
            got = {e["node"]["id"] for e in body["data"]["people"]["edges"]}
            run.expect(who, got == expected, f"after snapshot {i}: {len(got)} people, {len(expected)} expected")
        status, body = run.request(who, ADMIN_KEY, "POST", f"/_lite/workspaces/{changing}/snapshots")
        run.expect(who, status == 201, f"snapshot of the changing workspace: {status} {body}")
    run.ack(workspace_id, "people", sorted(expected))


# ---- the test -------------------------------------------------------------------------------


def run_all(targets: dict[str, Any]) -> None:
    errors: list[str] = []

    def guard(name: str, fn: Any, *args: Any) -> threading.Thread:
        def body() -> None:
            try:
                fn(*args)
            except BaseException as exc:  # reported below, with the thread's name
                import traceback

                errors.append(f"[{name}] {type(exc).__name__}: {exc}\n{traceback.format_exc()}")

        return threading.Thread(target=body, name=name, daemon=True)

    run: Run = targets["run"]
    model, rec, snap, default = targets["model"], targets["rec"], targets["snap"], targets["default"]
    stable = [model, rec, default]
    threads = [guard(f"records-{n}", record_traffic, run, n, stable) for n in range(RECORD_THREADS)]
    threads += [guard(f"model-{m}", model_changes, run, m, *model) for m in range(MODEL_THREADS)]
    threads += [
        guard("churn", churn, run),
        guard("victims", victims, run),
        guard("devtools", devtools, run, *rec, model[0]),
        guard("snapshots", snapshots, run, *snap, model[0]),
    ]
    for t in threads:
        t.start()
    deadline = time.monotonic() + THREAD_TIMEOUT
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    hung = [t.name for t in threads if t.is_alive()]
    assert not hung, f"threads still running after {THREAD_TIMEOUT}s: {hung}"
    targets["errors"] = errors


@pytest.mark.parametrize("db", [":memory:", "file"])
def test_concurrent_model_changes_workspaces_records_and_devtools(db: str, tmp_path) -> None:
    settings = tl.Settings(
        db=str(tmp_path / "stress.db") if db == "file" else db,
        api_key=API_KEY,
        admin_key=ADMIN_KEY,
        port=0,
        seed="none",
        rate_limit="0",
    )
    with tl.serve(settings) as server:
        run = Run(server.base_url)
        status, body = run.request("setup", ADMIN_KEY, "GET", "/_lite/workspaces")
        assert status == 200, body
        default_id = body["workspaces"][0]["id"]
        targets: dict[str, Any] = {
            "run": run,
            "model": new_workspace(run, "setup", "model"),
            "rec": new_workspace(run, "setup", "records"),
            "snap": new_workspace(run, "setup", "snapshots"),
            "default": (default_id, API_KEY),
        }
        run_all(targets)

        unanswered = [c for c in run.calls if c.status is None]
        assert not unanswered, "requests without an answer:\n" + "\n".join(
            f"  [{c.who}] {c.method} {c.path}: {c.body}" for c in unanswered
        )
        internal = [c for c in run.calls if c.internal]
        assert not internal, f"{len(internal)} of {len(run.calls)} answers were server errors:\n" + "\n".join(
            f"  [{c.who}] {c.method} {c.path} -> {c.status} {c.body}" for c in internal
        )
        assert not targets["errors"], "threads failed:\n" + "\n".join(targets["errors"])
        assert not run.problems, f"{len(run.problems)} broken expectations:\n" + "\n".join(run.problems)

        # No acknowledged record is lost, and none appears that was not acknowledged.
        tokens = dict(run.keys)
        tokens.update(dict((targets["model"], targets["rec"], targets["snap"], targets["default"])))
        checked = Counter()
        for (workspace_id, plural), ids in sorted(run.acked.items()):
            if workspace_id in run.gone_workspaces or (workspace_id, plural) in run.gone_objects:
                continue
            found, total = all_ids(run, tokens[workspace_id], plural)
            assert len(found) == len(set(found)), f"{workspace_id} {plural}: duplicate ids in the listing"
            missing, unexpected = ids - set(found), set(found) - ids
            assert not missing, (
                f"{workspace_id} {plural}: {len(missing)} acknowledged records lost: {sorted(missing)[:5]}"
            )
            assert not unexpected, f"{workspace_id} {plural}: {len(unexpected)} records nobody acknowledged"
            assert total == len(ids), f"{workspace_id} {plural}: totalCount {total} != {len(ids)}"
            checked[plural] += len(ids)
        assert checked["people"] > 0 and checked["opportunities"] == DEVTOOLS_ITERATIONS
        statuses = Counter(c.status for c in run.calls)
        print(f"\n{len(run.calls)} requests, statuses {dict(sorted(statuses.items()))}, checked {dict(checked)}")
