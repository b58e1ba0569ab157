"""``pytest --venv-conformance`` run the way a user runs it: a pytest subprocess in a scratch
directory, real creators, real Pythons, real shells; results read back from the JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from pytest_venvlab.creators.uv_creator import find_uv

CURRENT = "{}.{}.{}".format(*sys.version_info[:3])


class Run:
    """One conformance run: exit code, output and the JSON report's results."""

    def __init__(self, returncode: int, output: str, data: dict[str, Any]) -> None:
        self.returncode = returncode
        self.output = output
        self.data = data

    @classmethod
    def from_process(cls, proc: subprocess.CompletedProcess[str], report: Path) -> Run:
        data: dict[str, Any] = {}
        if report.suffix == ".json" and report.exists():
            data = json.loads(report.read_text("utf-8"))
        return cls(proc.returncode, proc.stdout + proc.stderr, data)

    @property
    def results(self) -> list[dict[str, Any]]:
        return list(self.data.get("results", []))

    def ids(self, outcome: str, creator: str | None = None) -> set[str]:
        return {
            r["requirement"]
            for r in self.results
            if r["outcome"] == outcome and (creator is None or r["creator"] == creator)
        }

    def __repr__(self) -> str:  # shown when an assertion about the run fails
        return f"<Run rc={self.returncode}>\n{self.output[-6000:]}"


def conformance(
    cwd: Path, *args: str, report: str = "report.json", strict: bool | None = None
) -> Run:
    """Run ``pytest --venv-conformance ARGS`` in ``cwd`` as a user would, with a JSON report.

    ``strict=False`` runs without ``CI`` in the environment (so missing things skip).
    """
    path = cwd / report
    env = dict(os.environ)
    if strict is False:
        env.pop("CI", None)
    for name in [k for k in env if k.startswith("PYTEST_")]:  # the outer run's xdist state
        del env[name]
    basetemp = cwd / f"basetemp-{report}"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--venv-conformance",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            os.fspath(basetemp),
            "--venv-report",
            os.fspath(path),
            *args,
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return Run.from_process(proc, path)


def shared_run(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, *args: str
) -> Run:
    """``conformance(...)`` once per test session, even when xdist workers all ask for it (they
    share the parent of their temp roots)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if worker_id != "master" else base
    cwd = root / f"conformance-{name}"
    result = root / f"conformance-{name}.json"
    with FileLock(os.fspath(root / f"conformance-{name}.lock")):
        if not result.exists():
            cwd.mkdir(exist_ok=True)
            run = conformance(cwd, *args)
            payload = {"returncode": run.returncode, "output": run.output, "data": run.data}
            result.write_text(json.dumps(payload), encoding="utf-8")
    saved = json.loads(result.read_text("utf-8"))
    return Run(saved["returncode"], saved["output"], saved["data"])


@pytest.fixture(scope="module")
def venv_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Run:
    """The whole suite, every configuration, stdlib venv on the running Python (the slowest run
    here; several tests read it, and it runs once per session)."""
    return shared_run(tmp_path_factory, worker_id, "venv", "--venv-creator", "venv", "-n", "2")


def test_venv_passes_everything_but_the_prompt_injection(venv_run: Run) -> None:
    # CPython 3.11.7 predates the CVE-2024-9287 fix (3.11.11): a real defect, reported as such.
    assert venv_run.returncode == 1, venv_run
    assert venv_run.ids("failed") == {"ACT-11"}, venv_run
    assert venv_run.ids("differs") == set(), venv_run
    covered = {r["requirement"] for r in venv_run.results}
    sections = {rid.split("-")[0] for rid in covered}
    assert sections == {"CFG", "PFX", "SITE", "SCH", "LAY", "CLI", "ACT", "REL", "MRK"}
    assert len(covered) >= 55, sorted(covered)


def test_every_configuration_runs(venv_run: Run) -> None:
    labels = {r["config_label"] for r in venv_run.results if r["requirement"] == "CFG-1"}
    assert labels == {
        f"{layout}-{site}-{pip}"
        for layout in ("symlinks", "copies")
        for site in ("isolated", "system")
        for pip in ("pip", "nopip")
    }
    prompts = {r["config"]["prompt"] for r in venv_run.results if r["requirement"] == "ACT-11"}
    assert prompts == {"$(echo INJECTED)"}


def test_json_schema(venv_run: Run) -> None:
    first = venv_run.results[0]
    assert set(first) >= {"creator", "python", "config", "requirement", "outcome", "message"}
    assert first["creator"] == "venv"
    assert first["python"] == CURRENT
    assert set(first["config"]) == {"symlinks", "system_site_packages", "pip", "prompt"}
    summary = venv_run.data["summary"]
    assert summary["failed"] == sum(1 for r in venv_run.results if r["outcome"] == "failed")
    failed = [r for r in venv_run.results if r["outcome"] == "failed"]
    assert all("CVE-2024-9287" in r["message"] for r in failed), failed


def test_terminal_table_and_failures(venv_run: Run) -> None:
    out = venv_run.output
    assert "venvlab conformance" in out
    assert "creator venv" in out
    assert f"requirement  {CURRENT}" in out
    assert "ACT-11       FAIL 1p 4f" in out
    assert "failed requirements (4):" in out
    assert "ACT-11 venv" in out
    assert "CVE-2024-9287" in out


def test_virtualenv_differs_where_documented(tmp_path: Path) -> None:
    select = "symlinks-isolated-nopip and (CFG or LAY or ACT-11)"
    run = conformance(tmp_path, "--venv-creator", "virtualenv", "-k", select)
    assert run.returncode == 0, run
    assert run.ids("failed") == set(), run
    documented = {"CFG-4", "CFG-5", "CFG-6", "LAY-2", "LAY-3", "LAY-5", "LAY-6"}
    assert documented & run.ids("differs"), run
    assert "ACT-11" in run.ids("passed"), run  # virtualenv quotes the prompt


@pytest.mark.skipif(find_uv() is None, reason="uv is not installed")
def test_uv_prompt_injection_is_reported(tmp_path: Path) -> None:
    run = conformance(tmp_path, "--venv-creator", "uv", "-k", "ACT-11 or CFG-1 or LAY-1")
    assert run.returncode == 1, run
    assert run.ids("failed") == {"ACT-11"}, run
    assert "LAY-1" in run.ids("differs"), run  # uv documents that it makes no include/


# -- deliberately broken creators: a real `python -m venv`, damaged in one way each ---------------

#: name -> (shell lines run after `python -m venv ARGS` with $dest set, flag to drop, caught by)
BROKEN: dict[str, tuple[str, str | None, set[str]]] = {
    "no_cfg": ('rm -f "$dest/pyvenv.cfg"', None, {"CFG-1", "PFX-1"}),
    "no_site_key": (
        "sed -i '/include-system-site-packages/d' \"$dest/pyvenv.cfg\"",
        None,
        {"CFG-3", "SITE-1"},
    ),
    "copies_as_links": (":", "--copies", {"LAY-4"}),
    "keeps_pip": (
        # pip left behind despite --without-pip (a stand-in package: no ensurepip, no network)
        'site=$(echo "$dest"/lib/python3*/site-packages); mkdir -p "$site/pip"; '
        'echo "" > "$site/pip/__init__.py"; echo "print(\'pip 0\')" > "$site/pip/__main__.py"; '
        'printf "#!%s\\n" "$dest/bin/python" > "$dest/bin/pip"; chmod +x "$dest/bin/pip"',
        None,
        {"LAY-7"},
    ),
    "drops_system_site": (":", "--system-site-packages", {"CFG-3", "SITE-3"}),
    "drops_prompt": (":", "--prompt", {"CFG-7", "ACT-3"}),
    "path_appended": (
        'sed -i \'s|^PATH="$VIRTUAL_ENV/bin:$PATH"|PATH="$PATH:$VIRTUAL_ENV/bin"|\' '
        '"$dest/bin/activate"',
        None,
        {"ACT-2"},
    ),
}
FAITHFUL = "cmd:{python} -m venv"


def _script(directory: Path, name: str) -> str:
    damage, drop, _ = BROKEN[name]
    lines = [
        "#!/bin/bash",
        "set -eu",
        'py="$1"; shift',
        "args=()",
        "skip=0",
        'for a in "$@"; do',
        '  if [ "$skip" = 1 ]; then skip=0; continue; fi',
    ]
    if drop == "--prompt":
        lines.append('  if [ "$a" = "--prompt" ]; then skip=1; continue; fi')
    elif drop is not None:
        lines.append(f'  if [ "$a" = "{drop}" ]; then continue; fi')
    lines += ['  args+=("$a")', "done", 'dest="${args[-1]}"', '"$py" -m venv "${args[@]}"', damage]
    path = directory / f"{name}.sh"
    # Written aside and renamed: another xdist worker may be running the previous copy.
    partial = directory / f".{name}.{os.getpid()}"
    partial.write_text("\n".join(lines) + "\n")
    partial.chmod(0o755)
    os.replace(partial, path)
    return f"cmd:{path} {{python}}"


@pytest.fixture(scope="module")
def broken_run(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> tuple[Run, dict[str, str]]:
    """One run over every broken creator and the faithful wrapper (nopip configurations)."""
    base = tmp_path_factory.getbasetemp()
    scripts = (base.parent if worker_id != "master" else base) / "conformance-broken-scripts"
    scripts.mkdir(exist_ok=True)
    creators = {name: _script(scripts, name) for name in BROKEN}
    args = [
        arg for creator in [*creators.values(), FAITHFUL] for arg in ("--venv-creator", creator)
    ]
    select = (
        "(symlinks-isolated-nopip or copies-isolated-nopip or symlinks-system-nopip) "
        "and not inject and (CFG-1 or CFG-3 or CFG-7 or PFX-1 or SITE-1 or SITE-3 or LAY-4 "
        "or LAY-7 or ACT-2 or ACT-3)"
    )
    run = shared_run(tmp_path_factory, worker_id, "broken", *args, "-k", select, "-n", "2")
    return run, creators


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_creator_is_caught(broken_run: tuple[Run, dict[str, str]], name: str) -> None:
    run, creators = broken_run
    assert run.returncode == 1, run
    caught = BROKEN[name][2]
    assert caught <= run.ids("failed", creator=creators[name]), run


def test_faithful_wrapper_is_not_flagged(broken_run: tuple[Run, dict[str, str]]) -> None:
    run, _ = broken_run
    assert run.ids("failed", creator=FAITHFUL) == set(), run
    passed = run.ids("passed", creator=FAITHFUL)
    assert passed >= {"CFG-1", "CFG-3", "CFG-7", "SITE-3", "LAY-4", "LAY-7", "ACT-2", "ACT-3"}
    # A cmd: creator does not claim CPython's behaviour: where it differs, it is not a failure.
    assert all(r["binding"] == "cpy" for r in run.results if r["outcome"] == "differs"), run


# -- running from anywhere ------------------------------------------------------------------------


def test_hostile_cwd_cannot_change_what_runs(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("raise RuntimeError('the cwd conftest was imported')\n")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\npython_files = check_*.py\npython_functions = check_*\n"
        "python_classes = Check\ntestpaths = nowhere\nusefixtures = no_such_fixture\n"
        "xfail_strict = true\n"
    )
    (tmp_path / "test_user.py").write_text("def test_user():\n    raise AssertionError('ran')\n")
    run = conformance(tmp_path, "--venv-creator", "venv", "-k", "CFG-1 and symlinks-isolated-nopip")
    assert run.returncode == 0, run
    assert "1 passed" in run.output, run
    assert [r["requirement"] for r in run.results] == ["CFG-1"]


def test_xdist_report_is_complete(venv_run: Run, tmp_path: Path) -> None:
    # venv_run ran under -n 2; the same checks run serially give the same results.
    select = "symlinks-isolated-nopip and (CFG or PFX)"
    serial = conformance(tmp_path, "--venv-creator", "venv", "-k", select)
    chosen = {r["test"] for r in serial.results}
    assert len(chosen) > 10

    def key(r: dict[str, Any]) -> tuple[str, str]:
        return (r["test"], r["outcome"])

    spread = [r for r in venv_run.results if r["test"] in chosen]
    assert sorted(map(key, spread)) == sorted(map(key, serial.results))


def test_html_report(tmp_path: Path) -> None:
    select = "ACT-11 and bash or CFG-1 and symlinks-isolated-nopip"
    run = conformance(tmp_path, "--venv-creator", "venv", "-k", select, report="report.html")
    assert run.returncode == 1
    text = (tmp_path / "report.html").read_text("utf-8")
    assert "<table>" in text
    assert "CFG-1" in text
    assert "background:#f4b6b6" in text  # the ACT-11 failure is coloured
    assert "CVE-2024-9287" in text


def test_markdown_matrix(venv_run: Run) -> None:
    from pytest_venvlab.report import Result, render_markdown

    results = [Result(**r) for r in venv_run.results]
    text = render_markdown(results)
    assert f"| requirement | title | venv {CURRENT} |" in text
    assert "| ACT-11 | the prompt is never evaluated (CVE-2024-9287) | FAIL 1p 4f |" in text
    assert "**failed** ACT-11" in text


def test_unknown_creator_is_a_usage_error(tmp_path: Path) -> None:
    run = conformance(tmp_path, "--venv-creator", "no-such-creator")
    assert run.returncode == 4, run
    assert "no-such-creator" in run.output
    assert "Traceback" not in run.output


def test_missing_python_is_skipped_or_failed_when_strict(tmp_path: Path) -> None:
    args = ("--venv-creator", "venv", "--venv-python", "3.99", "-k", "CFG-1")
    run = conformance(tmp_path, *args, strict=False)
    assert run.returncode == 0, run
    assert run.ids("skipped") == {"CFG-1"}
    assert all("3.99" in r["message"] for r in run.results)
    strict = conformance(tmp_path, *args, "--venv-strict")
    assert strict.returncode == 1, strict
    assert strict.ids("failed") == {"CFG-1"}


def test_suite_is_not_collected_without_the_flag(pytester: pytest.Pytester) -> None:
    from pytest_venvlab.conformance import SUITE_DIR

    result = pytester.runpytest_subprocess(os.fspath(SUITE_DIR), "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


PLUGIN = '''
from pytest_venvlab import CommandCreator


class MyTool(CommandCreator):
    """stdlib venv, except that pyvenv.cfg has no version key (documented)."""

    documented_differences = {"CFG-4": "mytool writes no version key"}

    def __init__(self):
        super().__init__("{python} -m venv")
        self.name = "mytool"

    def create(self, request):
        super().create(request)
        cfg = request.dest / "pyvenv.cfg"
        lines = cfg.read_text().splitlines(keepends=True)
        cfg.write_text("".join(line for line in lines if not line.startswith("version")))


def pytest_venvlab_register_creators(register):
    register("mytool", MyTool)
'''


def test_creator_authors_recipe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The how-to's recipe: a third-party creator, loaded as a plugin module (no conftest.py).
    (tmp_path / "mytool_plugin.py").write_text(PLUGIN)
    monkeypatch.setenv("PYTHONPATH", os.fspath(tmp_path))
    select = "symlinks-isolated-nopip and CFG"
    run = conformance(tmp_path, "-p", "mytool_plugin", "--venv-creator", "mytool", "-k", select)
    assert run.returncode == 0, run
    assert {r["creator"] for r in run.results} == {"mytool"}
    assert run.ids("differs") == {"CFG-4"}, run
    differs = [r for r in run.results if r["outcome"] == "differs"]
    assert "mytool writes no version key" in differs[0]["message"]
    assert run.ids("failed") == set()
