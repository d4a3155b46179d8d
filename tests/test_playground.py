"""The playground page: served offline, and driven in headless Chromium as a new user would."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Client

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.parametrize("path", ["/", "/playground"])
def test_page_is_served_without_a_token(app, path) -> None:
    resp = Client(app, None).get(path)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/html")
    assert "twenty_lite playground" in resp.text


def test_page_loads_nothing_from_the_internet(app) -> None:
    html = Client(app, None).get("/playground").text
    assert not re.search(r"(src|href)\s*=", html), "the page must be self-contained"
    assert "http://" not in html and "https://" not in html


def test_other_methods_on_the_page_are_not_found(app) -> None:
    assert Client(app, None).post("/playground").status_code == 404


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "twenty_lite.py"), "--port", str(port), "--db", str(tmp_path / "pg.db"),
         "--api-key", "play-key", "--rate-limit", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def page(server, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        tab = browser.new_page(viewport={"width": 1366, "height": 860})
        tab.on("dialog", lambda dialog: dialog.accept())
        tab.goto(server + "/playground")
        tab.fill("#key", "play-key")
        tab.click("#saveKey")
        yield tab
        tab.screenshot(path=str(tmp_path / "playground.png"))
        browser.close()


def api_call(server: str, method: str, path: str, body: Any = None, token: str = "play-key") -> tuple[int, Any]:
    """A call to the server under test, as another program would make it."""
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    resp = conn.getresponse()
    text = resp.read().decode()
    return resp.status, json.loads(text) if text else None


def open_graphql(page, empty: bool = False) -> None:
    """The GraphQL view with its schema loaded; with empty, the editor cleared and focused."""
    page.click('#tabs button[data-tab="graphql"]')
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    if empty:
        page.fill("#query", "")
        page.click("#query")


def list_through_the_rest_tab(page, operation: str, limit: int, curl: str) -> Any:
    """Pick a list operation in the REST tab, set its limit, check the curl line has `curl`, send: the JSON."""
    page.click(f'button.op[data-op="{operation}"]')
    page.fill('#opForm input[data-param="limit"]', str(limit))
    assert curl in page.text_content("#curl")
    page.click("#send")
    page.wait_for_function("document.querySelector('#restStatus').textContent.startsWith('200')")
    return json.loads(page.text_content("#restOut"))


def test_list_people_through_the_rest_tab(page) -> None:
    body = list_through_the_rest_tab(page, "findManyPeople", 3, "Authorization: Bearer play-key")
    assert len(body["data"]["people"]) == 3 and body["totalCount"] > 3


def test_create_a_company_through_the_rest_tab(page) -> None:
    page.click("#objFilter")
    page.fill("#objFilter", "companies")
    page.click('button.op[data-op="createOneCompany"]')
    page.fill("#body", json.dumps({"name": "Playground Inc"}))
    page.click("#send")
    page.wait_for_function("document.querySelector('#restStatus').textContent.startsWith('201')")
    assert json.loads(page.text_content("#restOut"))["data"]["createCompany"]["name"] == "Playground Inc"


def test_graphql_query_chosen_by_autocomplete(page) -> None:
    open_graphql(page, empty=True)
    page.keyboard.type("{ peo")
    page.wait_for_selector('#suggest div[data-name="people"]')
    page.keyboard.press("Tab")  # Tab takes the suggestion; Enter is always a new line (issue 14)
    page.keyboard.type("(first: 2) { totalCount edges { node { name { firstName } company { name } } } } }")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('totalCount')")
    data = json.loads(page.text_content("#gqlOut"))["data"]["people"]
    assert data["totalCount"] >= 2 and len(data["edges"]) == 2


def test_create_a_key_in_settings_and_use_it(page, server) -> None:
    page.click('#tabs button[data-tab="settings"]')
    page.wait_for_selector("#newKeyRole option", state="attached")
    page.fill("#newKeyName", "from the playground")
    page.select_option("#newKeyRole", label="Guest")
    page.click("#createKey")
    page.wait_for_selector("#tokenValue")
    token = page.text_content("#tokenValue").strip()
    page.wait_for_function("document.querySelector('#keys').textContent.includes('from the playground')")
    assert api_call(server, "GET", "/rest/people?limit=1", token=token)[0] == 200
    assert api_call(server, "POST", "/rest/people", {}, token=token)[0] == 403


def test_autocomplete_offers_arguments_and_types(page) -> None:
    open_graphql(page, empty=True)
    page.keyboard.type("query($f: PersonFil")
    page.wait_for_selector('#suggest div[data-name="PersonFilterInput"]')
    page.keyboard.press("Tab")  # Tab takes the suggestion; Enter is always a new line (issue 14)
    page.keyboard.type(") { people(fi")
    page.click('#suggest div[data-name="filter"]')
    page.keyboard.type(": $f, first: 1) { totalCount } }")
    page.fill("#vars", json.dumps({"f": {"city": {"eq": "London"}}}))
    page.click("#run")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('totalCount')")
    assert json.loads(page.text_content("#gqlOut"))["data"]["people"]["totalCount"] >= 1


def test_a_new_custom_object_shows_up_on_the_next_page_load(page, server) -> None:
    status, _ = api_call(server, "POST", "/rest/metadata/objects", {
        "nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket", "labelPlural": "Rockets"})  # fmt: skip
    assert status == 201
    page.reload()
    page.wait_for_selector('button.op[data-op="findManyRockets"]', state="attached")
    page.click('#tabs button[data-tab="graphql"]')
    page.fill("#typeFilter", "Rocket")
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('RocketConnection')")


def test_add_and_delete_a_webhook_in_settings(page, server) -> None:
    page.click('#tabs button[data-tab="settings"]')
    page.fill("#newHookUrl", "http://127.0.0.1:9/hook")
    page.fill("#newHookOps", "person.created, *.updated")
    page.click("#createHook")
    page.wait_for_selector("#hookSecret")
    assert len(page.text_content("#hookSecret").strip()) == 64
    page.wait_for_function("document.querySelector('#hooks').textContent.includes('person.created, *.updated')")
    page.click("#hooks button")
    page.wait_for_function("!document.querySelector('#hooks tbody').textContent.includes('127.0.0.1:9')")


def axe_problems(page) -> list[tuple[str, str, list[str]]]:
    """The critical and serious accessibility violations axe-core finds on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [(v["id"], v["impact"], [str(n["target"]) for n in v["nodes"]]) for v in found
            if v["impact"] in ("critical", "serious")]  # fmt: skip


def test_every_view_passes_axe_core_without_a_critical_or_serious_violation(page) -> None:
    seen = {"first visit": axe_problems(page)}
    page.click('button.op[data-op="findManyPeople"]')
    page.click("#send")
    page.wait_for_function("document.querySelector('#restOut').textContent.includes('totalCount')")
    seen["REST after a run"] = axe_problems(page)
    open_graphql(page)
    page.click("#run")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('people')")
    seen["GraphQL and its explorer"] = axe_problems(page)
    page.click("#explorer .obj > button.head")
    page.click("#explorer .type")
    seen["explorer on one type"] = axe_problems(page)
    page.click('#tabs button[data-tab="settings"]')
    seen["Settings"] = axe_problems(page)
    page.click('#tabs button[data-tab="requests"]')
    page.wait_for_selector("#reqList details")
    page.click("#reqList details summary")
    seen["Requests with an entry open"] = axe_problems(page)
    page.set_viewport_size({"width": 390, "height": 800})
    for tab in ("rest", "graphql", "settings", "requests"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        seen[f"{tab} at 390 px"] = axe_problems(page)
    page.emulate_media(color_scheme="dark")
    for tab in ("rest", "graphql", "settings", "requests"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        seen[f"{tab} in dark mode"] = axe_problems(page)
    assert {view: problems for view, problems in seen.items() if problems} == {}


def test_tabs_headers_and_types_work_from_the_keyboard(page) -> None:
    tabs = page.query_selector_all("#tabs [role=tab]")
    assert [t.get_attribute("aria-selected") for t in tabs] == ["true", "false", "false", "false"]
    page.focus('#tabs button[data-tab="graphql"]')
    page.keyboard.press("Enter")
    assert page.get_attribute('#tabs button[data-tab="graphql"]', "aria-selected") == "true"
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    header = page.query_selector("#explorer .obj > button.head")
    header.focus()
    page.keyboard.press("Enter")  # opens the type's field list
    first_type = page.query_selector("#explorer .type")
    first_type.focus()
    page.keyboard.press("Enter")  # follows the field's type
    assert page.query_selector_all("#explorer .obj") and len(page.query_selector_all("#explorer .obj")) == 1
    page.focus('#tabs button[data-tab="rest"]')
    page.keyboard.press("Enter")
    people = page.query_selector("#ops .obj > button.head")
    assert people.get_attribute("aria-expanded") in ("true", "false")
    before = people.get_attribute("aria-expanded")
    people.focus()
    page.keyboard.press("Enter")
    assert people.get_attribute("aria-expanded") != before
    assert page.eval_on_selector("#suggest", "e => e.getAttribute('role')") == "listbox"
    page.focus('#tabs button[data-tab="settings"]')
    page.keyboard.press("ArrowRight")  # arrows move along the tab list
    assert page.get_attribute('#tabs button[data-tab="requests"]', "aria-selected") == "true"
    assert page.evaluate("document.activeElement.dataset.tab") == "requests"
    page.wait_for_selector("#reqList details")
    page.focus("#reqList details summary")
    page.keyboard.press("Enter")
    assert page.eval_on_selector("#reqList details", "d => d.open")


def test_suggestions_wait_for_a_word_and_enter_is_a_new_line(page) -> None:
    open_graphql(page, empty=True)
    page.keyboard.type("{ ")
    assert page.eval_on_selector("#suggest", "e => e.style.display") != "block"  # nothing after "{" or a space
    page.keyboard.press("Enter")
    assert page.input_value("#query") == "{ \n"
    page.keyboard.press("Control+Space")  # asked for: every root field
    page.wait_for_selector('#suggest div[data-name="people"]')
    page.keyboard.type("peo")
    page.keyboard.press("Enter")
    assert page.input_value("#query") == "{ \npeo\n"  # Enter did not take the suggestion


def test_the_layout_stacks_on_a_phone_and_follows_dark_mode(page) -> None:
    assert page.text_content("#version") == "v0.1.0"
    page.set_viewport_size({"width": 390, "height": 800})
    for tab in ("rest", "graphql", "settings", "requests"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (tab, overflow)  # nothing scrolls sideways
    page.click('#tabs button[data-tab="graphql"]')
    assert page.eval_on_selector("#query", "e => e.getBoundingClientRect().height") >= 200
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (light, dark) == ("rgb(247, 247, 248)", "rgb(21, 22, 26)")


def test_the_editor_highlights_the_query_and_marks_the_bracket_pair_at_the_caret(page) -> None:
    open_graphql(page)
    page.fill("#query", 'query Q($n: Int) { people(filter: {city: {eq: "Paris"}}, first: $n) { totalCount } }')
    page.click("#query")
    page.keyboard.press("End")  # the caret after the last "}"
    classes = page.eval_on_selector_all("#hl span[class]", "ss => ss.map(s => [s.className, s.textContent])")
    assert ["k", "query"] in classes and ["t", "Q"] in classes and ["t", "Int"] in classes
    assert ["s", '"Paris"'] in classes and ["v", "$n"] in classes and ["a", "filter"] in classes
    assert [c for c in classes if c[0] == "bm"] == [["bm", "{"], ["bm", "}"]]  # the outer pair
    assert page.eval_on_selector("#hl", "e => e.textContent.trimEnd()") == page.input_value("#query")
    page.fill("#query", "{ people { totalCount }")  # one "{" has no partner
    page.keyboard.press("End")
    assert page.eval_on_selector_all("#hl .bx", "ss => ss.map(s => s.textContent)") == ["{"]


def suggestions(page) -> list[str]:
    page.wait_for_selector("#suggest div[data-name]")
    return page.eval_on_selector_all("#suggest div[data-name]", "ds => ds.map(d => d.dataset.name)")


def test_completion_reaches_into_filters_orders_and_input_objects(page) -> None:
    open_graphql(page, empty=True)
    page.keyboard.type("{ people(filter: { ci")
    assert suggestions(page) == ["city"]  # a key of PersonFilterInput
    page.keyboard.press("Tab")
    page.keyboard.type(": { ")
    page.keyboard.press("Control+Space")  # the comparators of a string filter
    assert {"eq", "neq", "like", "ilike", "in", "is"} <= set(suggestions(page))
    page.keyboard.type("il")
    page.keyboard.press("Tab")
    page.keyboard.type(': "%a%" } }, orderBy: [{ createdAt: Desc')
    assert suggestions(page) == ["DescNullsFirst", "DescNullsLast"]  # values of the enum
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type(" }]) { totalCount } }")
    assert page.input_value("#query") == (
        '{ people(filter: { city: { ilike: "%a%" } }, orderBy: [{ createdAt: DescNullsLast }]) { totalCount } }'
    )
    page.keyboard.press("Control+Enter")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('totalCount')")
    assert "errors" not in json.loads(page.text_content("#gqlOut"))


def test_prettify_and_the_history_bring_back_a_query(page) -> None:
    open_graphql(page)
    page.fill("#query", "query Q($f: PersonFilterInput) {people(filter:$f,first:2){totalCount edges{node{id}}}}")
    page.fill("#vars", '{"f":{"city":{"eq":"Paris"}}}')
    page.click("#prettify")
    assert page.input_value("#query") == (
        "query Q($f: PersonFilterInput) {\n  people(filter: $f, first: 2) {\n    totalCount\n    edges {\n"
        "      node {\n        id\n      }\n    }\n  }\n}"
    )
    assert page.input_value("#vars") == '{\n  "f": {\n    "city": {\n      "eq": "Paris"\n    }\n  }\n}'
    page.click("#run")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('totalCount')")
    page.fill("#vars", "{}")
    page.fill("#query", "{ companies { totalCount } }")
    page.keyboard.press("Control+Shift+P")  # the shortcut, in the editor
    assert page.input_value("#query") == "{\n  companies {\n    totalCount\n  }\n}"
    options = page.eval_on_selector_all("#history option", "os => os.map(o => o.textContent)")
    assert options[0] == "History (1)" and "/graphql  query Q($f: PersonFilterInput) { people(" in options[1]
    page.select_option("#history", index=1)
    assert page.input_value("#query").startswith("query Q($f: PersonFilterInput) {\n  people(")
    assert json.loads(page.input_value("#vars")) == {"f": {"city": {"eq": "Paris"}}}
    page.reload()  # the history is kept in the browser
    assert page.eval_on_selector("#history option", "o => o.textContent") == "History (1)"


def test_copy_buttons_put_the_curl_line_and_the_response_on_the_clipboard(page, server) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page.click('button.op[data-op="findManyPeople"]')
    page.click("#send")
    page.wait_for_function("document.querySelector('#restOut').textContent.includes('totalCount')")
    page.click('button[data-copy="#curl"]')
    page.wait_for_function("document.querySelector('button[data-copy=\"#curl\"]').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == page.text_content("#curl")
    assert page.text_content("#curl").startswith("curl -g -X GET ")
    page.click('button[data-copy="#restOut"]')
    assert json.loads(page.evaluate("navigator.clipboard.readText()"))["data"]["people"]


def test_the_rest_tab_switches_to_the_metadata_api_and_reads_views(page) -> None:
    page.wait_for_selector('button.op[data-op="findManyPeople"]', state="attached")
    page.click('button.op[data-op="findManyPeople"]')
    page.select_option("#restApi", "metadata")
    page.wait_for_selector('button.op[data-op="findManyObjects"]', state="visible")
    assert page.query_selector('button.op[data-op="findManyPeople"]') is None
    assert page.is_disabled("#send") and "Choose a resource" in page.text_content("#opForm")
    page.fill("#objFilter", "views")
    body = list_through_the_rest_tab(page, "findManyViews", 2, "/rest/metadata/views?limit=2")
    assert len(body["data"]) == 2 and body["totalCount"] > 2 and body["pageInfo"]["hasNextPage"] is True
    assert all({"id", "objectMetadataId", "type", "name", "position"} <= set(view) for view in body["data"])
    page.fill("#objFilter", "")
    page.click('button.op[data-op="findOneObject"]')
    assert page.get_attribute('#opForm input[data-param="id"]', "placeholder") == "id"
    page.select_option("#restApi", "core")
    page.wait_for_selector('button.op[data-op="findManyPeople"]', state="visible")


def test_example_bodies_come_from_the_schema_and_are_accepted(page) -> None:
    page.click('button.op[data-op="createOnePerson"]')
    body = json.loads(page.input_value("#body"))
    assert body["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert body["emails"] == {"primaryEmail": "ada@example.com"} and "id" not in body and "createdAt" not in body
    page.click("#send")
    page.wait_for_function("document.querySelector('#restStatus').textContent.startsWith('201')")
    assert json.loads(page.text_content("#restOut"))["data"]["createPerson"]["name"]["lastName"] == "Lovelace"


def test_empty_states_say_what_to_do_and_long_errors_are_shown_whole(page) -> None:
    assert page.eval_on_selector("#restOut", "e => getComputedStyle(e, '::before').content") == (
        '"Send the request to see the response."'
    )
    assert "Choose an object" in page.text_content("#opForm")
    page.click('button.op[data-op="findManyPeople"]')
    page.fill('#opForm input[data-param="filter"]', "x" * 400 + "[eq]:1")
    page.click("#send")
    page.wait_for_function("document.querySelector('#restStatus').textContent.startsWith('400')")
    out = page.query_selector("#restOut")
    assert out.evaluate("e => e.scrollWidth <= e.clientWidth")  # wrapped, nothing cut off at the right
    assert "x" * 400 in out.text_content()


def test_the_object_list_and_the_schema_follow_a_data_model_change_without_a_reload(page, server) -> None:
    open_graphql(page)
    page.click('#tabs button[data-tab="rest"]')
    page.wait_for_selector('button.op[data-op="findManyPeople"]', state="attached")
    status, _ = api_call(server, "POST", "/rest/metadata/objects", {
        "nameSingular": "satellite", "namePlural": "satellites", "labelSingular": "Satellite",
        "labelPlural": "Satellites"})  # fmt: skip
    assert status == 201
    page.wait_for_selector('button.op[data-op="findManySatellites"]', state="attached", timeout=10000)
    assert "data model changed" in page.text_content("#toast")
    page.click('#tabs button[data-tab="graphql"]')
    page.fill("#typeFilter", "Satellite")
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('SatelliteConnection')")


def test_each_openapi_document_downloads_with_the_key(page) -> None:
    for button, title in (("#dlCore", "core"), ("#dlMetadata", "metadata")):
        with page.expect_download() as info:
            page.click(button)
        download = info.value
        assert download.suggested_filename == f"twenty-lite-{title}.json"
        doc = json.loads(Path(download.path()).read_text())
        assert doc["openapi"].startswith("3.")
        if title == "core":
            assert "/people" in doc["paths"]  # the workspace's objects: the key was sent


def test_the_requests_view_shows_calls_and_deliveries_live_newest_first(page, server, tmp_path) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", "6")
            self.end_headers()
            self.wfile.write(b"thanks")

        def log_message(self, *args: Any) -> None:
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        page.click('#tabs button[data-tab="requests"]')
        page.wait_for_selector("#reqList details")  # the page's own calls (the OpenAPI document)
        hook_url = f"http://127.0.0.1:{receiver.server_port}/hook"
        status, hook = api_call(server, "POST", "/rest/webhooks", {"targetUrl": hook_url, "operations": ["*.*"]})
        assert status == 201 and len(hook["secret"]) == 64
        assert api_call(server, "POST", "/rest/people", {"name": {"firstName": "Grace"}})[0] == 201
        assert api_call(server, "GET", "/rest/people", token="wrong")[0] == 401
        page.wait_for_function(
            "[...document.querySelectorAll('#reqList summary')].some(s => s.textContent.includes('HOOK'))",
            timeout=10000,
        )
        rows = page.eval_on_selector_all("#reqList summary", "ss => ss.map(s => s.textContent)")
        assert "person.created" in rows[0] and "200" in rows[0]  # newest first: the delivery
        assert "POST/rest/people201" in rows[1] and "POST/rest/webhooks201" in rows[2]
        page.click("#reqList details:nth-of-type(2) summary")
        detail = page.text_content("#reqList details:nth-of-type(2) .detail")
        assert '"firstName": "Grace"' in detail and "createPerson" in detail
        page.select_option("#reqKind", "hooks")
        assert len(page.query_selector_all("#reqList details")) == 1
        page.click("#reqList details summary")
        detail = page.text_content("#reqList details .detail")
        assert "X-Twenty-Webhook-Signature: " in detail and "X-Twenty-Webhook-Timestamp: " in detail
        assert '"eventName": "person.created"' in detail and "Receiver's answer (200)thanks" in detail
        page.select_option("#reqKind", "")
        page.fill("#reqFilter", "webhooks")
        assert len(page.query_selector_all("#reqList details")) == 1
        assert hook["secret"] not in page.evaluate("JSON.stringify(state.requests)")  # redacted in the view
    finally:
        receiver.shutdown()


def test_the_requests_view_tells_a_key_without_the_permission_why_it_sees_nothing(page, server) -> None:
    roles = api_call(server, "POST", "/metadata", {"query": "{ getRoles { id label } }"})[1]["data"]["getRoles"]
    member = next(r["id"] for r in roles if r["label"] == "Member")
    expires = "2099-01-01T00:00:00.000Z"
    key = api_call(server, "POST", "/rest/metadata/apiKeys", {"name": "m", "expiresAt": expires, "roleId": member})[1]
    query = "mutation($id: UUID!, $e: String!) { generateApiKeyToken(apiKeyId: $id, expiresAt: $e) { token } }"
    made = api_call(server, "POST", "/metadata", {"query": query, "variables": {"id": key["id"], "e": expires}})[1]
    page.fill("#key", made["data"]["generateApiKeyToken"]["token"])
    page.click("#saveKey")
    page.click('#tabs button[data-tab="requests"]')
    page.wait_for_function("document.querySelector('#reqList').textContent.includes('permission')")
    assert page.text_content("#reqList") == (
        "Entity performing the request does not have permission: this key's role needs the API keys and webhooks "
        "permission to see the requests."
    )
