"""The conformance report's renderings, from results made by hand (no environments needed)."""

from __future__ import annotations

import json
from pathlib import Path

from pytest_venvlab.report import Result, render_html, render_markdown, render_text, write_report


def result(requirement: str, outcome: str, python: str = "3.12.1", **kw: str) -> Result:
    fields = {
        "creator": "venv",
        "python": python,
        "config": {"symlinks": True, "system_site_packages": False, "pip": False, "prompt": None},
        "config_label": "symlinks-isolated-nopip",
        "requirement": requirement,
        "binding": "pep",
        "outcome": outcome,
        "message": "" if outcome == "passed" else f"{requirement} {outcome}",
        "test": f"test_x.py::test_x[{requirement}]",
    }
    fields.update(kw)
    return Result(**fields)  # type: ignore[arg-type]


RESULTS = [
    result("CFG-1", "passed"),
    result("CFG-1", "passed", python="3.13.0"),
    result("CFG-4", "differs", creator="uv", binding="cpy"),
    result("LAY-6", "skipped", python="3.13.0"),
    result("ACT-11", "failed", message="CVE-2024-9287: bash evaluated the prompt"),
    result("ACT-11", "failed", message="CVE-2024-9287: zsh evaluated the prompt"),
]


def test_text_has_one_table_per_creator_and_lists_failures() -> None:
    lines = render_text(RESULTS)
    text = "\n".join(lines)
    assert "creator venv" in text
    assert "creator uv" in text
    assert ["requirement", "3.12.1", "3.13.0"] in [line.split() for line in lines]
    assert any(line.startswith("ACT-11       FAIL 2f") for line in lines)
    assert "failed requirements (2):" in text
    assert "ACT-11 venv 3.12.1 [symlinks-isolated-nopip]: CVE-2024-9287: bash" in text
    assert lines[-1] == "conformance: 2 passed, 2 failed, 1 skipped, 1 differs"


def test_identical_failures_are_grouped() -> None:
    broken = [
        result(rid, "failed", message="the environment could not be built")
        for rid in ("CFG-1", "CFG-2", "CFG-3", "PFX-1", "PFX-2", "PFX-3", "SITE-1", "LAY-1")
    ]
    lines = render_text(broken)
    grouped = [line for line in lines if "could not be built" in line]
    assert grouped == [
        "  CFG-1, CFG-2, CFG-3, PFX-1, PFX-2, PFX-3 and 2 more venv 3.12.1 "
        "[symlinks-isolated-nopip]: the environment could not be built"
    ]


def test_everything_passed_is_said() -> None:
    assert render_text([result("CFG-1", "passed")])[-1].endswith("every binding requirement passed")


def test_json_report(tmp_path: Path) -> None:
    path = tmp_path / "out" / "report.json"
    write_report(path, RESULTS)
    data = json.loads(path.read_text("utf-8"))
    assert data["schema"] == 1
    assert data["summary"] == {"passed": 2, "failed": 2, "skipped": 1, "differs": 1}
    first = data["results"][0]
    assert first["requirement"] == "CFG-1"
    assert first["config"]["symlinks"] is True
    assert {r["outcome"] for r in data["results"]} == {"passed", "failed", "skipped", "differs"}


def test_markdown_and_html(tmp_path: Path) -> None:
    md = render_markdown(RESULTS)
    assert "| requirement | title | uv 3.12.1 | venv 3.12.1 | venv 3.13.0 |" in md
    assert "| CFG-4 | version = X.Y.Z of the base | 1d | - | - |" in md
    assert "- **differs** CFG-4 uv 3.12.1" in md
    html = render_html(RESULTS)
    assert html.startswith("<!DOCTYPE html>")
    assert "background:#f4b6b6'>FAIL 2f" in html
    assert "background:#fbe3a6'>1d" in html
    assert "&lt;" not in render_html([result("CFG-1", "passed")])
    write_report(tmp_path / "r.html", RESULTS)
    write_report(tmp_path / "r.md", RESULTS)
    assert (tmp_path / "r.html").read_text("utf-8") == html
    assert (tmp_path / "r.md").read_text("utf-8") == md


def test_python_columns_in_version_order() -> None:
    results = [result("CFG-1", "passed", python=v) for v in ("3.13.0", "3.8.18", "3.10.13")]
    header = next(line for line in render_text(results) if line.startswith("requirement"))
    assert header.split() == ["requirement", "3.8.18", "3.10.13", "3.13.0"]
