"""``--venv-matrix`` under xdist: each point's environment is built once for the whole run, and
``--venv-group`` keeps a point's tests on one worker with ``--dist loadgroup``.

Real environments: ``venv`` creator, the running Python, no pip, two layouts (two points).
"""

from __future__ import annotations

import re
import sys

import pytest

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"
POINTS = [f"venv-{PY}-symlinks-isolated-nopip", f"venv-{PY}-copies-isolated-nopip"]
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark")
MATRIX = ("--venv-matrix=isolated,nopip", "--venv-creator=venv")

USES_ENVS = """
import os
import pytest

@pytest.mark.parametrize("n", range(3))
def test_env_is_the_point(venv, venv_spec, n):
    assert venv.spec == venv_spec
    assert os.path.islink(venv.python) == venv_spec.symlinks
    assert not venv_spec.pip and not venv_spec.system_site_packages

def test_env_runs(venv):
    out = venv.run(["python", "-c", "import sys; print(sys.prefix != sys.base_prefix)"])
    assert out.stdout.strip() == "True"
"""


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


def test_each_point_is_built_once_across_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it=USES_ENVS)
    result = pytester.runpytest_subprocess(*QUIET, *MATRIX, "-n", "2")
    result.assert_outcomes(passed=8)
    # 8 tests over 2 points: 2 built, every other request reused them, each test a private copy.
    result.stdout.re_match_lines([r"venvlab: 2 built, 6 reused, 8 private in \d+\.\ds"])
    result.stdout.fnmatch_lines(["venvlab matrix: 2 points = creators (venv) x *"])


def test_group_keeps_a_points_tests_on_one_worker(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it=USES_ENVS)
    result = pytester.runpytest_subprocess(
        *QUIET, *MATRIX, "-n", "2", "--dist", "loadgroup", "--venv-group", "-v"
    )
    result.assert_outcomes(passed=8)
    result.stdout.re_match_lines([r"venvlab: 2 built, 6 reused, 8 private in \d+\.\ds"])
    passed = [line for line in result.outlines if " PASSED " in line]
    if not any("]@" in line for line in passed):
        # xdist 3.8 groups by rewriting item._nodeid, which pytest 9.2 no longer reads: the
        # marks are there (checked below) but loadgroup cannot act on them.
        pytester.makeconftest(
            """
            def pytest_collection_finish(session):
                for item in session.items:
                    mark = item.get_closest_marker("xdist_group")
                    print("GROUP", item.name, mark.kwargs["name"] if mark else None)
            """
        )
        check = pytester.runpytest_subprocess(
            *QUIET, *MATRIX, "--venv-group", "--collect-only", "-s"
        )
        groups = [line.split()[1:] for line in check.outlines if line.startswith("GROUP ")]
        assert len(groups) == 8
        for name, group in groups:
            assert re.sub(r"-\d+$", "", name.split("[")[1].rstrip("]")) == group
        pytest.skip(f"xdist's --dist loadgroup has no effect with pytest {pytest.__version__}")
    # Group by the point in the test ID.
    workers: dict[str, set[str]] = {}
    for line in result.outlines:
        found = re.search(r"\[(gw\d)\].* PASSED \S*?\[([^\]]+)\]", line)
        if found:
            worker, params = found.groups()
            point = re.sub(r"-\d+$", "", params)
            workers.setdefault(point, set()).add(worker)
    assert sorted(workers) == sorted(POINTS)
    assert all(len(used) == 1 for used in workers.values()), workers
