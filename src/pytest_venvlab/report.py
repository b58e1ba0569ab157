"""The conformance report: outcomes gathered from test reports, shown as a table and written as
JSON, Markdown or HTML.

Outcomes are read from each test report's ``user_properties`` (which travel from xdist workers to
the controller), so the report is the same with or without ``-n``. Schema of the JSON file::

    {"schema": 1,
     "results": [{"creator": "venv", "python": "3.12.1",
                  "config": {"symlinks": true, "system_site_packages": false,
                             "pip": false, "prompt": null},
                  "config_label": "symlinks-isolated-nopip",
                  "requirement": "CFG-1", "binding": "pep",
                  "outcome": "passed" | "failed" | "skipped" | "differs",
                  "message": "one line, empty when passed",
                  "test": "<pytest node id>"}, ...],
     "summary": {"passed": 0, "failed": 0, "skipped": 0, "differs": 0}}
"""

from __future__ import annotations

import html
import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conformance.requirements import REQUIREMENTS
from .conformance.session import PROPERTY

__all__ = ["OUTCOMES", "Result", "ResultsCollector", "render_html", "render_markdown", "to_json"]

#: Outcomes in the order the report counts them.
OUTCOMES = ("passed", "failed", "skipped", "differs")
_RANK = {"passed": 0, "skipped": 1, "differs": 2, "failed": 3}


@dataclass
class Result:
    """One check's outcome against one creator/Python/configuration."""

    creator: str
    python: str
    config: dict[str, Any]
    config_label: str
    requirement: str
    binding: str
    outcome: str
    message: str
    test: str = field(default="")

    @property
    def column(self) -> str:
        return f"{self.creator} {self.python}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "creator": self.creator,
            "python": self.python,
            "config": self.config,
            "config_label": self.config_label,
            "requirement": self.requirement,
            "binding": self.binding,
            "outcome": self.outcome,
            "message": self.message,
            "test": self.test,
        }


def _message(report: pytest.TestReport, outcome: str) -> str:
    if outcome == "differs":
        return str(getattr(report, "wasxfail", ""))
    longrepr = report.longrepr
    if outcome == "skipped" and isinstance(longrepr, tuple):
        return str(longrepr[2]).removeprefix("Skipped: ")
    text = report.longreprtext or ""
    lines = [ln for ln in text.splitlines() if ln.startswith("E ")]
    if lines:
        return " ".join(ln[1:].strip() for ln in lines[:3])[:400]
    # A failure without a traceback (pytest.fail(..., pytrace=False)): its first line says what
    # failed; for a command that failed, the last line is the last thing it printed.
    kept = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not kept:
        return ""
    if len(kept) == 1:
        return kept[0][:400]
    return f"{kept[0][:300]} ... {kept[-1][:150]}"


def _phase_outcome(report: pytest.TestReport) -> str | None:
    if report.failed:
        return "failed"
    if report.skipped:
        return "differs" if hasattr(report, "wasxfail") else "skipped"
    if report.when == "call":
        return "passed"
    return None


class ResultsCollector:
    """Gathers conformance outcomes on the controller, prints the table, writes the report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.results: dict[str, Result] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props = dict(report.user_properties).get(PROPERTY)
        if not isinstance(props, dict):
            return
        outcome = _phase_outcome(report)
        if outcome is None:
            return
        nodeid = report.nodeid
        current = self.results.get(nodeid)
        if current is not None and _RANK[current.outcome] >= _RANK[outcome]:
            return
        self.results[nodeid] = Result(
            creator=str(props["creator"]),
            python=str(props["python"]),
            config=dict(props["config"]),
            config_label=str(props["config_label"]),
            requirement=str(props["requirement"]),
            binding=str(props["binding"]),
            outcome=outcome,
            message="" if outcome == "passed" else _message(report, outcome),
            test=nodeid.split("@")[0],
        )

    def sorted_results(self) -> list[Result]:
        order = {rid: i for i, rid in enumerate(REQUIREMENTS)}
        return sorted(
            self.results.values(),
            key=lambda r: (order.get(r.requirement, 999), r.creator, r.python, r.config_label),
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if hasattr(self.config, "workerinput") or self.config.option.collectonly:
            return
        results = self.sorted_results()
        tr = terminalreporter
        tr.section("venvlab conformance")
        if not results:
            tr.write_line("no conformance checks ran")
            return
        for line in render_text(results):
            tr.write_line(line)
        path = self.config.getoption("venv_report", None)
        if path:
            tr.write_line(f"report written to {os.path.abspath(path)}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return
        path = self.config.getoption("venv_report", None)
        if path:
            write_report(Path(path), self.sorted_results())


def counts(results: Iterable[Result]) -> Counter[str]:
    return Counter(r.outcome for r in results)


def _cell(counter: Counter[str]) -> str:
    if not counter:
        return "-"
    parts = [f"{counter[o]}{o[0]}" for o in OUTCOMES if counter[o]]
    text = " ".join(parts)
    return f"FAIL {text}" if counter["failed"] else text


def _matrix(
    results: list[Result],
) -> tuple[list[str], list[str], dict[tuple[str, str], Counter[str]]]:
    columns = sorted({r.column for r in results}, key=_column_order)
    rows = [rid for rid in REQUIREMENTS if any(r.requirement == rid for r in results)]
    cells: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in results:
        cells[(r.requirement, r.column)][r.outcome] += 1
    return rows, columns, cells


def _column_order(column: str) -> tuple[str, tuple[int, ...], str]:
    creator, _, python = column.rpartition(" ")
    try:
        version = tuple(int(part) for part in python.split("."))
    except ValueError:
        version = ()
    return (creator, version, python)


def render_text(results: list[Result]) -> list[str]:
    """The terminal summary: one table per creator (requirement x Python), then the failures."""
    lines: list[str] = []
    total = counts(results)
    lines.append(
        "legend: p passed, f failed, s skipped, d differs (documented or CPython-specific "
        "difference, not a failure); counts are checks, one per configuration and shell"
    )
    by_creator: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        by_creator[r.creator].append(r)
    for creator, group in sorted(by_creator.items()):
        rows, columns, cells = _matrix(group)
        headers = [c.split(" ", 1)[1] for c in columns]
        table = [[rid, *(_cell(cells.get((rid, c), Counter())) for c in columns)] for rid in rows]
        widths = [
            max(len(x) for x in col) for col in zip(["requirement", *headers], *table, strict=False)
        ]
        lines.append("")
        lines.append(f"creator {creator}")
        lines.append(
            "  ".join(
                h.ljust(w) for h, w in zip(["requirement", *headers], widths, strict=False)
            ).rstrip()
        )
        lines.extend(
            "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)).rstrip()
            for row in table
        )
    failures = [r for r in results if r.outcome == "failed"]
    lines.append("")
    if failures:
        lines.append(f"failed requirements ({len(failures)}):")
        lines.extend(f"  {line}" for line in _grouped_failures(failures))
    lines.append(
        "conformance: "
        + ", ".join(f"{total[o]} {o}" for o in OUTCOMES)
        + (" -- every binding requirement passed" if not failures else "")
    )
    return lines


def _grouped_failures(failures: list[Result]) -> list[str]:
    """One line per creator/Python/configuration and message, naming every requirement ID it
    failed (an environment that cannot be built fails every check with the same message)."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for r in failures:
        ids = groups.setdefault((r.creator, r.python, r.config_label, r.message), [])
        if r.requirement not in ids:
            ids.append(r.requirement)
    lines = []
    for (creator, python, label, message), ids in groups.items():
        shown = ", ".join(ids) if len(ids) <= 6 else f"{', '.join(ids[:6])} and {len(ids) - 6} more"
        lines.append(f"{shown} {creator} {python} [{label}]: {message}")
    return lines


def to_json(results: list[Result]) -> dict[str, Any]:
    total = counts(results)
    return {
        "schema": 1,
        "results": [r.as_dict() for r in results],
        "summary": {o: total[o] for o in OUTCOMES},
    }


def render_markdown(results: list[Result]) -> str:
    rows, columns, cells = _matrix(results)
    out = ["# Conformance report", ""]
    total = counts(results)
    out.append(", ".join(f"**{total[o]}** {o}" for o in OUTCOMES))
    out.append("")
    out.append("| requirement | title | " + " | ".join(columns) + " |")
    out.append("|---|---|" + "---|" * len(columns))
    for rid in rows:
        title = REQUIREMENTS[rid].title.replace("|", "\\|")
        out.append(
            f"| {rid} | {title} | "
            + " | ".join(_cell(cells.get((rid, c), Counter())) for c in columns)
            + " |"
        )
    problems = [r for r in results if r.outcome in {"failed", "differs"}]
    if problems:
        out += ["", "## Failures and differences", ""]
        for r in problems:
            msg = r.message.replace("\n", " ")
            out.append(f"- **{r.outcome}** {r.requirement} {r.column} `{r.config_label}`: {msg}")
    return "\n".join(out) + "\n"


_COLOURS = {"failed": "#f4b6b6", "differs": "#fbe3a6", "skipped": "#e4e4e4", "passed": "#c5ebc5"}


def render_html(results: list[Result]) -> str:
    rows, columns, cells = _matrix(results)
    esc = html.escape
    total = counts(results)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Conformance report</title>",
        "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:2px 6px;font-size:13px}"
        "td.c{text-align:center;white-space:nowrap}</style></head><body>",
        "<h1>Conformance report</h1><p>",
        ", ".join(f"<b>{total[o]}</b> {o}" for o in OUTCOMES),
        "</p><table><tr><th>requirement</th><th>title</th>",
        *(f"<th>{esc(c)}</th>" for c in columns),
        "</tr>",
    ]
    for rid in rows:
        parts.append(f"<tr><td>{esc(rid)}</td><td>{esc(REQUIREMENTS[rid].title)}</td>")
        for c in columns:
            counter = cells.get((rid, c), Counter())
            worst = max(counter, key=lambda o: _RANK[o]) if counter else None
            colour = _COLOURS.get(worst or "", "#ffffff")
            parts.append(f"<td class='c' style='background:{colour}'>{esc(_cell(counter))}</td>")
        parts.append("</tr>")
    parts.append("</table>")
    problems = [r for r in results if r.outcome in {"failed", "differs"}]
    if problems:
        parts.append("<h2>Failures and differences</h2><ul>")
        for r in problems:
            colour = _COLOURS[r.outcome]
            parts.append(
                f"<li><span style='background:{colour}'>{r.outcome}</span> {esc(r.requirement)} "
                f"{esc(r.column)} <code>{esc(r.config_label)}</code>: {esc(r.message)}</li>"
            )
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "".join(parts)


def write_report(path: Path, results: list[Result]) -> None:
    """Write ``results`` to ``path``: ``.md`` Markdown, ``.html``/``.htm`` HTML, else JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".md":
        text = render_markdown(results)
    elif suffix in {".html", ".htm"}:
        text = render_html(results)
    else:
        text = json.dumps(to_json(results), indent=2) + "\n"
    path.write_text(text, encoding="utf-8")
