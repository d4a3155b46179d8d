"""Lint and format: the code base stays ruff-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("ruff")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "ruff", *args]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_ruff_is_installed() -> None:
    assert ruff("--version").returncode == 0, "ruff is part of the test extra: pip install '.[test]'"


@pytest.mark.parametrize("args", [("check", "."), ("format", "--check", ".")])
def test_ruff(args: tuple[str, ...]) -> None:
    result = ruff(*args)
    assert result.returncode == 0, result.stdout + result.stderr


SOURCE = (ROOT / "twenty_lite.py").read_text(encoding="utf-8")


def banners() -> list[tuple[int, str]]:
    """The numbered section banners, `# 7. Auth`, in file order."""
    import re

    return [(int(n), name) for n, name in re.findall(r"(?m)^# (\d+)\. (.+)$", SOURCE)]


def test_the_module_map_lists_every_section_in_order() -> None:
    """The docstring's map and the banners name the same sections, numbered 1..n in file order."""
    import re

    import twenty_lite

    doc = twenty_lite.__doc__ or ""
    listed = [(int(n), name.strip()) for n, name in re.findall(r"(?m)^ {3,4}(\d+)\. (\S+(?: \S+)*?)(?:  +|$)", doc)]
    found = banners()
    assert [n for n, _ in found] == list(range(1, len(found) + 1)), found
    assert len(listed) == len(found), (listed, found)
    for (n, name), (m, banner) in zip(listed, found):
        assert (n, name) == (m, banner)


def test_the_public_api_is_listed_and_documented() -> None:
    import twenty_lite

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in twenty_lite.__all__:
        assert hasattr(twenty_lite, name), name
        assert f"`{name}" in readme or f"{name}(" in readme, f"{name} is public but not in the README"


def sections() -> dict[str, str]:
    """Each numbered section's source, by banner name."""
    import re

    parts = re.split(r"(?m)^# \d+\. (.+)$", SOURCE)
    return dict(zip(parts[1::2], parts[2::2]))


def defined_in(text: str) -> set[str]:
    import re

    return set(re.findall(r"(?m)^(?:def|class) (\w+)", text))


@pytest.mark.parametrize(
    ("caller", "callee"),
    [("GraphQL core", "REST core"), ("REST core", "GraphQL core"), ("GraphQL metadata", "REST core"),
     ("REST core", "GraphQL metadata")],
)  # fmt: skip
def test_the_adapters_do_not_call_each_other(caller: str, callee: str) -> None:
    """REST and GraphQL are translators over the record service: neither uses what the other defines."""
    import re

    parts = sections()
    used = {name for name in defined_in(parts[callee]) if re.search(rf"\b{name}\b", parts[caller])}
    assert not used, f"{caller} uses {sorted(used)} from {callee}"


def test_record_operations_live_in_the_record_service() -> None:
    """The adapters reach records only through the service: no adapter writes or pages records itself."""
    import re

    parts = sections()
    primitives = ("_insert_records", "_update_record", "_destroy_records", "_find_page", "_find_ids", "_capped_ids",
                  "_filter_sql", "SqlQuery", "_existing_ids", "_read_body_values")  # fmt: skip
    for adapter in ("REST core", "GraphQL core"):
        called = [p for p in primitives if re.search(rf"\b{p}\(", parts[adapter])]
        called += ["SQL"] if ".execute(" in parts[adapter] else []
        assert not called, f"{adapter} calls {called} directly"
