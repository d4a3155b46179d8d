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


def test_list_people_through_the_rest_tab(page) -> None:
    page.click('button.op[data-op="findManyPeople"]')
    page.fill('#opForm input[data-param="limit"]', "3")
    assert "Authorization: Bearer play-key" in page.text_content("#curl")
    page.click("#send")
    page.wait_for_function("document.querySelector('#restOut').textContent.includes('totalCount')")
    body = json.loads(page.text_content("#restOut"))
    assert len(body["data"]["people"]) == 3
    assert page.text_content("#restStatus").startswith("200")


def test_create_a_company_through_the_rest_tab(page) -> None:
    page.click("#objFilter")
    page.fill("#objFilter", "companies")
    page.click('button.op[data-op="createOneCompany"]')
    page.fill("#body", json.dumps({"name": "Playground Inc"}))
    page.click("#send")
    page.wait_for_function("document.querySelector('#restStatus').textContent.startsWith('201')")
    assert json.loads(page.text_content("#restOut"))["data"]["createCompany"]["name"] == "Playground Inc"


def test_graphql_query_chosen_by_autocomplete(page) -> None:
    page.click('#tabs button[data-tab="graphql"]')
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    page.fill("#query", "")
    page.click("#query")
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
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", "/rest/people?limit=1", headers={"Authorization": f"Bearer {token}"})
    assert conn.getresponse().status == 200
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("POST", "/rest/people", body="{}", headers={"Authorization": f"Bearer {token}",
                                                              "Content-Type": "application/json"})  # fmt: skip
    assert conn.getresponse().status == 403


def test_autocomplete_offers_arguments_and_types(page) -> None:
    page.click('#tabs button[data-tab="graphql"]')
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    page.fill("#query", "")
    page.click("#query")
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
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    body = json.dumps({"nameSingular": "rocket", "namePlural": "rockets", "labelSingular": "Rocket",
                       "labelPlural": "Rockets"})  # fmt: skip
    conn.request("POST", "/rest/metadata/objects", body=body,
                 headers={"Authorization": "Bearer play-key", "Content-Type": "application/json"})  # fmt: skip
    assert conn.getresponse().status == 201
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
    page.click('#tabs button[data-tab="graphql"]')
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    page.click("#run")
    page.wait_for_function("document.querySelector('#gqlOut').textContent.includes('people')")
    seen["GraphQL and its explorer"] = axe_problems(page)
    page.click('#tabs button[data-tab="settings"]')
    seen["Settings"] = axe_problems(page)
    page.set_viewport_size({"width": 390, "height": 800})
    for tab in ("rest", "graphql", "settings"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        seen[f"{tab} at 390 px"] = axe_problems(page)
    page.emulate_media(color_scheme="dark")
    for tab in ("rest", "graphql", "settings"):
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


def test_suggestions_wait_for_a_word_and_enter_is_a_new_line(page) -> None:
    page.click('#tabs button[data-tab="graphql"]')
    page.wait_for_function("document.querySelector('#explorer').textContent.includes('Query')")
    page.fill("#query", "")
    page.click("#query")
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
    for tab in ("rest", "graphql", "settings"):
        page.click(f'#tabs button[data-tab="{tab}"]')
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (tab, overflow)  # nothing scrolls sideways
    page.click('#tabs button[data-tab="graphql"]')
    assert page.eval_on_selector("#query", "e => e.getBoundingClientRect().height") >= 200
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.emulate_media(color_scheme="dark")
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (light, dark) == ("rgb(247, 247, 248)", "rgb(21, 22, 26)")
