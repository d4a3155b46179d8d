"""Hardening: hostile or broken input is refused in Twenty's shape and never costs the server more than a bounded
amount of work. In-process: REST filter nesting, NUL and lone-surrogate escapes in JSON bodies, unexpected
exceptions as a bare 500, GraphQL complexity limits, secrets kept out of the request journal. Over real HTTP
(serve() on a free port): request line and header limits, bad Content-Length, body size limit, many simultaneous
connections and an idle one."""

from __future__ import annotations

import gc
import json
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import API_KEY, Client, assert_error, gql, http_send, make_app, ok

import twenty_lite as tl

JSON_TYPE = "application/json; charset=utf-8"
NUL_MESSAGE = "Invalid JSON body: NUL characters (\\u0000) are not allowed in strings"
FIELDS_FRIENDLY = "The request is too complex to process. Please try reducing the amount of requested fields."
ROOTS_FRIENDLY = "The request is too complex to process. Please try reducing the amount of requested root resolvers."
NESTED_FRIENDLY = "An error occurred."


def nested_filter(levels: int) -> str:
    """A REST filter with `levels` and(...) around one condition."""
    return "and(" * levels + "city[eq]:x" + ")" * levels


def person_count(client: Client) -> int:
    return ok(client.get("/rest/people"))["totalCount"]


def post_raw(client: Client, path: str, text: str) -> Any:
    """POST a JSON body given as raw text (so that escapes like \\u0000 reach the server's parser as written)."""
    return client.request("POST", path, data=text, headers={"content-type": "application/json"})


def refusal(message: str, friendly: str) -> dict[str, Any]:
    """A GraphQL complexity refusal: one error, no data."""
    return {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT", "userFriendlyMessage": friendly}}]}


def aliased_roots(count: int, field: str = "people { totalCount }") -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def people_chain(depth: int) -> str:
    """A valid selection `depth` fields deep: people > edges > node > company > people > … > id."""
    names = [("people", "edges", "node", "company")[i % 4] for i in range(depth - 1)]
    assert names[-1] in ("node", "company"), "the chain must end on a record to select its id"
    return "{ " + " { ".join(names) + " { id }" + " }" * len(names)


# ---- REST filter nesting --------------------------------------------------------------------------------------


def test_filter_nested_past_the_limit_is_refused(client: Client) -> None:
    resp = client.get("/rest/people", params={"filter": nested_filter(2000)})
    assert_error(resp, 400, "BadRequestException", "'filter' invalid. Conditions are nested more than 32 levels deep")


def test_filter_one_level_past_the_limit_is_refused(client: Client) -> None:
    resp = client.get("/rest/people", params={"filter": nested_filter(33)})
    assert_error(resp, 400, "BadRequestException", "'filter' invalid. Conditions are nested more than 32 levels deep")


def test_filter_nested_at_the_limit_works(client: Client) -> None:
    assert ok(client.get("/rest/people", params={"filter": nested_filter(32)}))["totalCount"] == 0


def test_filter_nesting_limit_follows_the_setting() -> None:
    client = Client(make_app(max_nesting=5))
    assert client.get("/rest/people", params={"filter": nested_filter(5)}).status_code == 200
    resp = client.get("/rest/people", params={"filter": nested_filter(6)})
    assert_error(resp, 400, "BadRequestException", "'filter' invalid. Conditions are nested more than 5 levels deep")


# ---- NUL and lone surrogates in JSON bodies --------------------------------------------------------------------


def test_nul_escape_in_a_body_is_refused_and_nothing_stored(client: Client) -> None:
    resp = post_raw(client, "/rest/people", '{"city": "a\\u0000b"}')
    assert_error(resp, 400, "BadRequestException", NUL_MESSAGE)
    assert "\\u0000" in resp.json()["messages"][0] and "\\\\u0000" not in resp.json()["messages"][0]
    assert person_count(client) == 0


def test_nul_escape_in_a_batch_is_refused_and_nothing_stored(client: Client) -> None:
    resp = post_raw(client, "/rest/batch/people", '[{"city": "fine"}, {"city": "a\\u0000b"}]')
    assert_error(resp, 400, "BadRequestException", NUL_MESSAGE)
    assert person_count(client) == 0


def test_nul_escape_in_graphql_variables_is_a_400_graphql_error(client: Client) -> None:
    text = json.dumps(
        {
            "query": "mutation($d: PersonCreateInput) { createPerson(data: $d) { id } }",
            "variables": {"d": {"city": "a\x00b"}},
        }
    )
    assert "\\u0000" in text  # json.dumps writes the NUL as an escape, as any client would
    resp = post_raw(client, "/graphql", text)
    assert resp.status_code == 400, resp.text
    assert resp.headers["content-type"] == JSON_TYPE
    assert resp.json() == {"errors": [{"message": NUL_MESSAGE, "extensions": {"code": "BAD_REQUEST"}}]}
    assert person_count(client) == 0


@pytest.mark.parametrize(
    ("body", "escape"),
    [
        ('{"city": "\\ud800"}', "\\ud800"),
        ('{"city": "\\udfff"}', "\\udfff"),
        ('{"city": "\\ude00\\ud83d"}', "\\ude00"),  # a pair in the wrong order is two lone halves
        ('{"\\ud800": "x"}', "\\ud800"),  # in a key too
    ],
)
def test_lone_surrogate_escape_is_refused_and_nothing_stored(client: Client, body: str, escape: str) -> None:
    resp = post_raw(client, "/rest/people", body)
    message = f"Invalid JSON body: lone UTF-16 surrogate {escape} in a string (not valid Unicode)"
    assert_error(resp, 400, "BadRequestException", message)
    assert person_count(client) == 0


def test_escaped_surrogate_pair_is_stored_as_the_character(client: Client) -> None:
    created = ok(post_raw(client, "/rest/people", '{"city": "\\ud83d\\ude00"}'), 201)["data"]["createPerson"]
    assert created["city"] == "\U0001f600"
    assert ok(client.get(f"/rest/people/{created['id']}"))["data"]["person"]["city"] == "\U0001f600"


def test_body_nested_past_the_json_decoder_is_a_400(client: Client) -> None:
    resp = post_raw(client, "/rest/people", "[" * 5000 + "]" * 5000)
    assert_error(resp, 400, "BadRequestException", "Invalid JSON body: nested too deeply")


def test_a_large_body_leaves_no_file_open(client: Client) -> None:
    """A body past bottle's in-memory size (100 KiB) is spooled to a temporary file: it must be closed once the
    request is answered, not left to the garbage collector (a file descriptor per worker thread meanwhile)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        created = post_raw(client, "/rest/people", json.dumps({"city": "x" * 200_000}))
        assert created.status_code == 201, created
        client.get("/healthz")  # the next request replaces the previous one in bottle's thread-local request
        gc.collect()
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


# ---- unexpected exceptions --------------------------------------------------------------------------------------


def test_unexpected_exception_is_a_bare_500(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(tl, "_find", boom)
    resp = client.get("/rest/people")
    assert_error(resp, 500, "InternalServerErrorException", "Internal server error")
    assert resp.headers["content-type"] == JSON_TYPE
    assert "secret detail" not in resp.text and "RuntimeError" not in resp.text


def test_recursion_error_is_a_400(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def deep(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("maximum recursion depth exceeded (secret detail)")

    monkeypatch.setattr(tl, "_find", deep)
    resp = client.get("/rest/people")
    assert_error(resp, 400, "BadRequestException", "The request is nested too deeply")
    assert "secret detail" not in resp.text


# ---- GraphQL complexity -------------------------------------------------------------------------------------------


def test_graphql_too_many_fields(client: Client) -> None:
    body = gql(client, aliased_roots(3000))
    message = "Query too complex - Too many fields requested: 6000 - Maximum allowed fields: 2000"
    assert body == refusal(message, FIELDS_FRIENDLY)


def test_graphql_too_many_root_resolvers(client: Client) -> None:
    body = gql(client, aliased_roots(21))
    message = "Query too complex - Too many root resolvers requested: 21 - Maximum allowed root resolvers: 20"
    assert body == refusal(message, ROOTS_FRIENDLY)


def test_graphql_root_resolvers_at_the_limit_work(client: Client) -> None:
    body = gql(client, aliased_roots(20))
    assert body == {"data": {f"a{i}": {"totalCount": 0} for i in range(20)}}


def test_graphql_fragment_bomb_is_refused_quickly(client: Client) -> None:
    fragments = ["fragment F0 on Person { id }"]
    fragments += [f"fragment F{i} on Person {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 25)]
    query = "{ people { edges { node { ...F24 } } } }\n" + "\n".join(fragments)
    started = time.perf_counter()
    body = gql(client, query)
    assert time.perf_counter() - started < 2
    fields = 3 + 2**24  # people, edges, node and F24's 2^24 ids
    message = f"Query too complex - Too many fields requested: {fields} - Maximum allowed fields: 2000"
    assert body == refusal(message, FIELDS_FRIENDLY)


def test_graphql_nesting_at_the_limit_works(client: Client) -> None:
    assert gql(client, people_chain(32)) == {"data": {"people": {"edges": []}}}


@pytest.mark.parametrize("depth", [33, 40, 100])
def test_graphql_nesting_past_the_limit_is_refused(client: Client, depth: int) -> None:
    message = f"Query too complex - Too many nested fields requested: {depth} - Maximum allowed nested fields: 32"
    assert gql(client, people_chain(depth)) == refusal(message, NESTED_FRIENDLY)


def test_graphql_depth_is_checked_before_validation(client: Client) -> None:
    query = "{ " + "a { " * 40 + "b" + " }" * 41  # no such field: validation would say so, but depth comes first
    message = "Query too complex - Too many nested fields requested: 41 - Maximum allowed nested fields: 32"
    assert gql(client, query) == refusal(message, NESTED_FRIENDLY)


def test_graphql_nesting_limit_follows_the_setting() -> None:
    client = Client(make_app(max_nesting=5))
    assert "errors" not in gql(client, "{ people { edges { node { company { id } } } } }")  # 5 levels
    message = "Query too complex - Too many nested fields requested: 6 - Maximum allowed nested fields: 5"
    assert gql(client, "{ people { edges { node { company { people { totalCount } } } } } }") == refusal(
        message, NESTED_FRIENDLY
    )


def test_graphql_thousands_of_levels_are_a_graphql_error(client: Client) -> None:
    query = "{" + "a{" * 5000 + "b" + "}" * 5001
    body = gql(client, query)
    assert "data" not in body, body
    assert len(body["errors"]) == 1, body
    assert "nested" in body["errors"][0]["message"], body  # the parser's or the depth check's refusal


def test_introspection_fields_do_not_count_as_roots(client: Client) -> None:
    query = aliased_roots(20)[:-1] + " __schema { queryType { name } } __typename }"
    body = gql(client, query)
    assert "errors" not in body, body
    assert body["data"]["__typename"] == "Query" and body["data"]["a19"] == {"totalCount": 0}


def test_introspection_fields_do_not_count_for_depth(client: Client) -> None:
    query = '{ __type(name: "Person") { fields { type { ' + "ofType { " * 40 + "name" + " }" * 40 + " } } } }"
    body = gql(client, query)
    assert "errors" not in body, body
    assert body["data"]["__type"]["fields"]


def test_metadata_nesting_limit_is_ten(client: Client) -> None:
    ten = "{ objects { edges { node { fields { edges { node { object { fields { edges { cursor } } } } } } } } } }"
    eleven = (
        "{ objects { edges { node { fields { edges { node { object { fields { edges { node { id } } } } } } } } } } }"
    )
    assert "errors" not in ok(client.post("/metadata", json={"query": ten}))
    message = "Query too complex - Too many nested fields requested: 11 - Maximum allowed nested fields: 10"
    assert ok(client.post("/metadata", json={"query": eleven})) == refusal(message, NESTED_FRIENDLY)


def test_metadata_root_resolver_limit_is_ten(client: Client) -> None:
    ten = ok(client.post("/metadata", json={"query": aliased_roots(10, "currentWorkspace { id }")}))
    assert "errors" not in ten and len(ten["data"]) == 10
    body = ok(client.post("/metadata", json={"query": aliased_roots(11, "currentWorkspace { id }")}))
    message = "Query too complex - Too many root resolvers requested: 11 - Maximum allowed root resolvers: 10"
    assert body == refusal(message, ROOTS_FRIENDLY)


# ---- request journal ----------------------------------------------------------------------------------------------


def test_journal_redacts_secrets_in_query_strings(app: Any, client: Client) -> None:
    assert client.get("/rest/people?apiKey=SECRET123&limit=1").status_code == 200
    resp = client.get(f"/_lite/workspaces/{app.state.default_workspace}/journal")
    entries = ok(resp)["requests"]
    assert [e["path"] for e in entries if e["path"].startswith("/rest/people")] == [
        "/rest/people?apiKey=[redacted]&limit=1"
    ]
    assert "SECRET123" not in resp.text


# ---- over real HTTP ----------------------------------------------------------------------------------------------

BODY_LIMIT = 1000


@pytest.fixture
def server() -> Iterator[tl.Served]:
    settings = tl.Settings(
        db=":memory:", api_key=API_KEY, port=0, seed="none", rate_limit="0", max_body_bytes=BODY_LIMIT
    )
    with tl.serve(settings) as served:
        yield served


def port_of(server: tl.Served) -> int:
    port = urlsplit(server.base_url).port
    assert port is not None
    return port


class RawResponse:
    """An HTTP answer read off a socket: status, headers (lower-case names) and body."""

    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}

    def json(self) -> Any:
        return json.loads(self.body)


def read_all(sock: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:  # the server closed with part of an oversized request unread
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def send_raw(port: int, request: bytes, timeout: float = 5.0) -> RawResponse:
    """Write bytes on a new connection and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        return RawResponse(read_all(sock))


def post_people(content_length: bytes, body: bytes = b"{}") -> bytes:
    return (
        b"POST /rest/people HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + API_KEY.encode() + b"\r\n"
        b"Content-Type: application/json\r\nContent-Length: " + content_length + b"\r\n\r\n" + body
    )


def http_count(server: tl.Served) -> int:
    status, raw = http_send(server.base_url, "GET", "/rest/people", API_KEY)
    assert status == 200, raw
    return json.loads(raw)["totalCount"]


def test_request_line_too_long_is_a_json_414(server: tl.Served) -> None:
    resp = send_raw(port_of(server), b"GET /rest/people?x=" + b"a" * 70_000 + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
    assert resp.status == 414, resp.body
    assert resp.headers["content-type"] == JSON_TYPE
    assert resp.json() == {"statusCode": 414, "error": "URITooLongException", "messages": ["URI Too Long"]}


def test_header_line_too_long_is_a_json_431(server: tl.Served) -> None:
    request = b"GET /rest/people HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n"
    resp = send_raw(port_of(server), request)
    assert resp.status == 431, resp.body
    assert resp.headers["content-type"] == JSON_TYPE
    assert resp.json() == {
        "statusCode": 431,
        "error": "RequestHeaderFieldsTooLargeException",
        "messages": ["Line too long"],
    }


@pytest.mark.parametrize("declared", [b"-5", b"abc"])
def test_invalid_content_length_is_a_400(server: tl.Served, declared: bytes) -> None:
    resp = send_raw(port_of(server), post_people(declared, b'{"city": "Oslo"}'))
    assert resp.status == 400, resp.body
    assert resp.headers["content-type"] == JSON_TYPE
    body = resp.json()
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException", body
    assert body["messages"][0].startswith("Invalid Content-Length header"), body
    assert http_count(server) == 0


def body_of_size(size: int) -> bytes:
    body = json.dumps({"city": "x" * (size - len('{"city": ""}'))}).encode()
    assert len(body) == size
    return body


def test_body_over_the_limit_is_a_413(server: tl.Served) -> None:
    resp = send_raw(port_of(server), post_people(str(BODY_LIMIT + 1).encode(), body_of_size(BODY_LIMIT + 1)))
    assert resp.status == 413, resp.body
    assert resp.headers["content-type"] == JSON_TYPE
    assert resp.json() == {
        "statusCode": 413,
        "error": "PayloadTooLargeException",
        "messages": [f"request entity too large (limit: {BODY_LIMIT} bytes)"],
    }
    assert http_count(server) == 0


def test_body_at_the_limit_is_taken(server: tl.Served) -> None:
    resp = send_raw(port_of(server), post_people(str(BODY_LIMIT).encode(), body_of_size(BODY_LIMIT)))
    assert resp.status == 201, resp.body
    assert http_count(server) == 1


def test_two_hundred_simultaneous_connections_are_all_answered(server: tl.Served) -> None:
    count = 200
    port = port_of(server)
    request = b"GET /rest/people?limit=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + API_KEY.encode()
    request += b"\r\nConnection: close\r\n\r\n"
    barrier = threading.Barrier(count, timeout=10)
    results: list[Any] = [None] * count

    def one(i: int) -> None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                barrier.wait()  # all connections are open before any request is sent
                sock.sendall(request)
                results[i] = RawResponse(read_all(sock)).status
        except Exception as exc:  # reported below, not as an unhandled thread exception
            results[i] = repr(exc)

    started = time.perf_counter()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    elapsed = time.perf_counter() - started
    failures = [r for r in results if r != 200]
    assert not failures, failures[:5]
    assert elapsed < 10, elapsed


def test_a_silent_connection_does_not_block_others(server: tl.Served) -> None:
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=5) as idle:
        time.sleep(0.1)  # the server has accepted it and waits for a request line that does not come
        started = time.perf_counter()
        status, raw = http_send(server.base_url, "GET", "/rest/people?limit=1", API_KEY, timeout=3)
        assert status == 200, raw
        assert time.perf_counter() - started < 1
        idle.settimeout(0.05)
        with pytest.raises(TimeoutError):  # still open: the server neither answered nor closed it
            idle.recv(1)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rest/people/%C3%BEk%0A%1D", {"statusCode": 400, "error": "BadRequestException",
                                        "messages": ["'\u00fek\n\u001d' is not a valid UUID"]}),
        ("/no%0Awhere", {"statusCode": 404, "message": "Cannot GET /no\nwhere", "error": "Not Found"}),
    ],
)  # fmt: skip
def test_a_path_with_a_line_break_answers_json(server: tl.Served, path: str, expected: dict[str, Any]) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {API_KEY}\r\n\r\n".encode()
    resp = send_raw(port_of(server), request)
    assert resp.headers["content-type"] == JSON_TYPE
    assert (resp.status, resp.json()) == (expected["statusCode"], expected)


# ---- the admin API takes any body without a 5xx ----------------------------------------------------------

BAD_VALUES = [None, 1, -1, 10**30, 1.5, "x", "", [], [1], {}, {"a": 1}, True, json.loads("[" * 200 + "]" * 200)]
ADMIN_KEYS = ["fault", "probability", "object", "operation", "set", "advance", "seed", "displayName", "snapshotId",
              "objects", "fields", "records", "roles", "webhooks", "format"]  # fmt: skip


def test_admin_api_answers_every_wrong_body_with_a_4xx(app: Any, client: Client) -> None:
    made = client.post("/_lite/workspaces", json={}).json()
    ws = made["id"]
    Client(app, made["apiKey"]).post("/rest/companies", json={"name": "Acme", "employees": 5})
    export = client.get(f"/_lite/workspaces/{ws}/export").json()
    routes = [("POST", "/_lite/faults"), ("POST", "/_lite/clock"), ("POST", "/_lite/workspaces"),
              ("POST", f"/_lite/workspaces/{ws}/reset"), ("POST", "/_lite/workspaces/import"),
              ("POST", f"/_lite/workspaces/{ws}/restore"), ("POST", "/_lite/workspaces/nope/reset")]  # fmt: skip
    answers = []
    for method, path in routes:
        for value in BAD_VALUES:
            answers.append((path, value, client.request(method, path, data=json.dumps(value))))
            for key in ADMIN_KEYS:
                answers.append((path, {key: value}, client.request(method, path, json_body={key: value})))
    for part in ("objects", "fields", "records", "roles", "webhooks", "displayName"):
        for value in BAD_VALUES:
            answers.append(("import", part, client.post("/_lite/workspaces/import", json={**export, part: value})))
    for part in ("objects", "fields"):
        for key in export[part][0]:
            for value in BAD_VALUES:
                broken = json.loads(json.dumps(export))
                broken[part][0][key] = value
                answers.append(("import", (part, key), client.post("/_lite/workspaces/import", json=broken)))
    failed = [(where, what, r.status_code, r.body[:120]) for where, what, r in answers if r.status_code >= 500]
    assert failed == []
    assert len(answers) > 1500
    assert client.get("/_lite/clock").status_code == 200  # the clock was never moved out of range
