"""CORS as Twenty answers it (NestJS `cors: true`): any origin by default, preflights answered 204 with
the methods and the headers asked for; `--cors-origin` restricts it. Checked header by header, and with
a real cross-origin fetch from a page in headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from conftest import Client, make_app

import twenty_lite as tl

ORIGIN = "http://localhost:5173"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def preflight(client: Client, path: str, method: str = "POST", origin: str = ORIGIN) -> Any:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    return client.request("OPTIONS", path, headers=headers, token=None)


@pytest.mark.parametrize("path", ["/rest/people", "/rest/people/x", "/graphql", "/metadata", "/rest/metadata/objects"])
def test_a_preflight_is_answered_on_every_api_route(client: Client, path: str) -> None:
    resp = preflight(client, path)
    assert resp.status_code == 204
    assert resp.body == b""
    assert resp.headers["access-control-allow-origin"] == "*"
    assert resp.headers["access-control-allow-methods"] == "GET,HEAD,PUT,PATCH,POST,DELETE"
    assert resp.headers["access-control-allow-headers"] == "authorization,content-type"
    assert resp.headers["vary"] == "Access-Control-Request-Headers"


@pytest.mark.parametrize(
    ("method", "path", "token", "status"),
    [
        ("GET", "/rest/people", True, 200),
        ("POST", "/graphql", True, 200),
        ("GET", "/rest/people", None, 403),  # refusals too: a browser must be able to read the error
        ("GET", "/nowhere", True, 404),
        ("GET", "/rest/open-api/core", None, 200),
    ],
)
def test_every_answer_allows_any_origin(client: Client, method: str, path: str, token: Any, status: int) -> None:
    body = {"query": "{ people { totalCount } }"} if method == "POST" else None
    resp = client.request(method, path, headers={"Origin": ORIGIN}, token=token, json_body=body)
    assert resp.status_code == status
    assert resp.headers["access-control-allow-origin"] == "*"


def test_cors_origin_restricts_the_origins() -> None:
    client = Client(make_app(cors_origin="http://a.test, http://b.test/"))
    allowed = client.get("/rest/people", headers={"Origin": "http://b.test"})
    assert allowed.headers["access-control-allow-origin"] == "http://b.test"
    assert allowed.headers["vary"] == "Origin"
    refused = client.get("/rest/people", headers={"Origin": "http://evil.test"})
    assert refused.status_code == 200  # the server answers; the browser keeps the answer from the page
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in preflight(client, "/rest/people", origin="http://evil.test").headers


def test_the_command_line_takes_cors_origin() -> None:
    assert tl._parse_args(["--cors-origin", "http://a.test"]).cors_origin == "http://a.test"
    assert tl._parse_args([]).cors_origin == "*"


# ---- a real browser on another origin -----------------------------------------------------------------

PAGE = """<!doctype html><meta charset="utf-8"><title>app</title><script>
async function run(base, key) {
  const out = {};
  const auth = {"Authorization": "Bearer " + key};
  try {
    const made = await fetch(base + "/rest/people", {method: "POST",
      headers: {...auth, "Content-Type": "application/json"}, body: JSON.stringify({city: "Cross"})});
    out.create = [made.status, (await made.json()).data.createPerson.city];
    const listed = await fetch(base + "/rest/people?filter=city[eq]:Cross", {headers: auth});
    out.list = [listed.status, (await listed.json()).totalCount];
    const gql = await fetch(base + "/graphql", {method: "POST", headers: {...auth, "Content-Type": "application/json"},
      body: JSON.stringify({query: "{ people { totalCount } }"})});
    out.graphql = [gql.status, (await gql.json()).data.people.totalCount];
    const refused = await fetch(base + "/rest/people", {headers: {"Authorization": "Bearer wrong"}});
    out.refused = [refused.status, (await refused.json()).statusCode];
  } catch (error) {
    out.error = String(error);
  }
  return out;
}
</script>"""


@pytest.fixture
def app_origin() -> Iterator[str]:
    """A page on another origin (another port) than the API."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()


def browser_run(page_url: str, api: str, key: str) -> dict[str, Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            tab = browser.new_page()
            tab.goto(page_url)
            return tab.evaluate("([base, key]) => run(base, key)", [api, key])
        finally:
            browser.close()


def test_a_page_on_another_origin_calls_the_api(app_origin: str) -> None:
    settings = tl.Settings(db=":memory:", api_key="cors-key", port=0, seed="none", rate_limit="0")
    with tl.serve(settings) as server:
        result = browser_run(app_origin, server.base_url, "cors-key")
    assert result == {"create": [201, "Cross"], "list": [200, 1], "graphql": [200, 1], "refused": [401, 401]}


def test_a_page_on_an_origin_not_allowed_cannot_read_the_api(app_origin: str) -> None:
    settings = tl.Settings(
        db=":memory:", api_key="cors-key", port=0, seed="none", rate_limit="0", cors_origin="http://allowed.test"
    )
    with tl.serve(settings) as server:
        result = browser_run(app_origin, server.base_url, "cors-key")
    assert result == {"error": "TypeError: Failed to fetch"}
