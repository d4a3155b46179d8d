"""The request log (issue 14): a line per request on stdout, secrets redacted, the reason of a refusal;
as text (coloured on a terminal) or JSON; silent unless asked for (the pytest plugin never prints)."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
from conftest import Client, make_app

import twenty_lite as tl


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line]


@pytest.fixture
def json_log() -> Client:
    return Client(make_app(request_log="json", rate_limit="2/60"))


def test_json_lines_say_method_path_status_duration(json_log: Client, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    json_log.get("/rest/people?limit=2&apiKey=SECRET123")
    [line] = lines(capsys)
    entry = json.loads(line)
    assert set(entry) == {"time", "method", "path", "status", "durationMs"}
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/rest/people?limit=2&apiKey=[redacted]", 200)
    assert isinstance(entry["durationMs"], float) and entry["durationMs"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_refusals_carry_their_reason(json_log: Client, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    json_log.request("GET", "/rest/people", token="not-a-token")
    json_log.request("POST", "/graphql", token="not-a-token", json_body={"query": "{ people { totalCount } }"})
    json_log.get("/rest/people")
    json_log.get("/rest/people")
    json_log.get("/rest/people")  # the third call in the window: rate limited
    entries = [json.loads(line) for line in lines(capsys)]
    assert [(e["status"], e.get("reason")) for e in entries] == [
        (401, "No payload"),
        (200, "No payload"),
        (200, None),
        (200, None),
        (429, "Limit reached (2 tokens per 60000 ms)"),
    ]
    assert "not-a-token" not in json.dumps(entries)


def test_text_lines(capsys: pytest.CaptureFixture[str]) -> None:
    client = Client(make_app(request_log="text"))
    capsys.readouterr()
    client.get("/rest/people?token=abc")
    client.request("GET", "/rest/people", token=None)
    first, second = lines(capsys)
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET     /rest/people\?token=\[redacted\] 200 [\d.]+ ms", first)
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET     /rest/people 403 [\d.]+ ms - Missing authentication token", second)
    assert "\033[" not in first  # not a terminal: no colour


def test_text_lines_are_coloured_on_a_terminal(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    client = Client(make_app(request_log="text"))
    capsys.readouterr()
    client.get("/rest/people")
    client.get("/nowhere")
    ok, missing = lines(capsys)
    assert " \033[32m200\033[0m " in ok and " \033[33m404\033[0m " in missing


def test_nothing_is_printed_unless_asked(client: Client, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    client.get("/rest/people")
    client.request("GET", "/rest/people", token="bad")
    assert capsys.readouterr().out == ""


def test_the_command_line_logs_text_unless_told_otherwise() -> None:
    assert tl._parse_args([]).request_log == "text"
    assert tl._parse_args(["--quiet"]).request_log is None
    assert tl._parse_args(["--log-json"]).request_log == "json"
