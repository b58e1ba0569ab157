"""``--venv-matrix``: which tests it makes, their IDs, the filters, markers, skips and header.

Counting and IDs run ``--collect-only`` with the running Python; only the skip/strict tests run
tests, and those test bodies only read ``venv_spec`` (no environment is built here; building once
per point under xdist is in ``test_matrix_xdist.py``).
"""

from __future__ import annotations

import sys

import pytest

from pytest_venvlab import creator_names, get_creator

PY = f"py{sys.version_info[0]}.{sys.version_info[1]}"
CONFIGS = [
    f"{layout}-{site}-{pip}"
    for layout in ("symlinks", "copies")
    for site in ("isolated", "system")
    for pip in ("pip", "nopip")
]

SPEC_TEST = """
def test_x(venv_spec):
    pass

def test_plain():
    pass
"""


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strictness is on when CI is set; tests that want it set it themselves."""
    monkeypatch.delenv("CI", raising=False)


# The hypothesis plugin imports hypothesis (pytest rewrites its ~300 modules) in every in-process
# run; none of these runs need it.
QUIET = ("-p", "no:hypothesispytest", "-p", "no:benchmark")


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*QUIET, *args)


def _run_subprocess(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*QUIET, *args)


def _collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def _ids(result: pytest.RunResult, test: str = "test_x") -> list[str]:
    prefix = f"test_it.py::{test}["
    return [line[len(prefix) : -1] for line in _collected(result) if line.startswith(prefix)]


def _collect(pytester: pytest.Pytester, *args: str, source: str = SPEC_TEST) -> pytest.RunResult:
    pytester.makepyfile(test_it=source)
    result = _run(pytester, "--collect-only", "-q", *args)
    assert result.ret == pytest.ExitCode.OK, result.stdout.str() + result.stderr.str()
    return result


def _available_creators() -> list[str]:
    return [name for name in creator_names() if get_creator(name).availability().available]


def test_without_matrix_each_test_runs_once(pytester: pytest.Pytester) -> None:
    result = _collect(pytester)
    assert _collected(result) == ["test_it.py::test_x", "test_it.py::test_plain"]


def test_without_matrix_venv_spec_is_the_default_spec(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_it="""
        from pytest_venvlab import VenvSpec

        def test_x(venv_spec):
            assert venv_spec == VenvSpec()
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_full_matrix_is_every_available_creator_times_every_configuration(
    pytester: pytest.Pytester,
) -> None:
    result = _collect(pytester, "--venv-matrix")
    expected = [f"{c}-{PY}-{config}" for c in _available_creators() for config in CONFIGS]
    assert _ids(result) == expected
    assert len(expected) == 8 * len(_available_creators())
    # Tests that use no environment are left alone.
    assert "test_it.py::test_plain" in _collected(result)
    assert len(_collected(result)) == len(expected) + 1


def test_creator_and_python_filters(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester, "--venv-matrix", "--venv-creator", "venv,virtualenv", "--venv-python", "3.9,3.13"
    )
    expected = [
        f"{c}-{py}-{config}"
        for c in ("venv", "virtualenv")
        for py in ("py3.9", "py3.13")
        for config in CONFIGS
    ]
    assert _ids(result) == expected


def test_axis_filter_in_the_matrix_value(pytester: pytest.Pytester) -> None:
    result = _collect(pytester, "--venv-matrix=layout=copies,pip=nopip", "--venv-creator=venv")
    assert _ids(result) == [f"venv-{PY}-copies-isolated-nopip", f"venv-{PY}-copies-system-nopip"]


def test_several_values_with_plus_bare_values_and_repeats(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester,
        "--venv-creator=venv",
        "--venv-matrix=site=system+isolated",
        "--venv-matrix",
        "copies nopip",
    )
    # Values keep the axis's own order however they were typed.
    assert _ids(result) == [f"venv-{PY}-copies-isolated-nopip", f"venv-{PY}-copies-system-nopip"]


def test_naming_an_axis_again_adds_to_it_also_across_repeated_options(
    pytester: pytest.Pytester,
) -> None:
    result = _collect(
        pytester,
        "--venv-creator=venv",
        "--venv-matrix=layout=copies,isolated,nopip",
        "--venv-matrix=layout=symlinks",
    )
    assert _ids(result) == [
        f"venv-{PY}-symlinks-isolated-nopip",
        f"venv-{PY}-copies-isolated-nopip",
    ]


def test_ini_turns_the_matrix_on_and_the_option_overrides_per_axis(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(
        """
        [pytest]
        venv_matrix = true
        venv_creator = venv
        venv_matrix_axes = layout=copies pip=pip
        """
    )
    result = _collect(pytester)
    assert _ids(result) == [f"venv-{PY}-copies-isolated-pip", f"venv-{PY}-copies-system-pip"]
    result = _collect(pytester, "--venv-matrix=pip=nopip,site=isolated")
    assert _ids(result) == [f"venv-{PY}-copies-isolated-nopip"]
    result = _collect(pytester, "--no-venv-matrix")
    assert _collected(result) == ["test_it.py::test_x", "test_it.py::test_plain"]


def test_ids_are_selectable_with_k(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester, "--venv-matrix", "--venv-creator=venv", "-k", f"{PY}-copies and not nopip"
    )
    assert _ids(result) == [f"venv-{PY}-copies-isolated-pip", f"venv-{PY}-copies-system-pip"]


def test_cmd_creators_and_python_paths_get_short_stable_ids(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester,
        "--venv-matrix=symlinks,isolated,nopip",
        f"--venv-python={sys.executable}",
        "--venv-python=/nowhere/bin/python3",
        "--venv-creator",
        "venv",
        "--venv-creator",
        "cmd:{python} -m venv",
    )
    ids = _ids(result)
    assert ids[0] == f"venv-{PY}-symlinks-isolated-nopip"
    assert ids[1].startswith("venv-py-python3-")
    assert ids[1].endswith("-symlinks-isolated-nopip")
    assert ids[2:] == [
        f"cmd-venv-{PY}-symlinks-isolated-nopip",
        ids[1].replace("venv-", "cmd-venv-", 1),
    ]
    again = _collect(
        pytester,
        "--venv-matrix=symlinks,isolated,nopip",
        f"--venv-python={sys.executable},/nowhere/bin/python3",
        "--venv-creator=venv",
    )
    assert _ids(again) == ids[:2]


def test_the_same_interpreter_twice_is_one_point(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester,
        "--venv-matrix=symlinks,isolated,nopip",
        "--venv-creator=venv",
        f"--venv-python=current,{sys.executable}",
    )
    assert _ids(result) == [f"venv-{PY}-symlinks-isolated-nopip"]
    header = _run(pytester, "--collect-only", "--venv-matrix", f"--venv-python=current,{PY[2:]}")
    header.stdout.fnmatch_lines(
        [f"venvlab matrix left out: Python '{PY[2:]}' (the same interpreter as 'current')"]
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--venv-matrix=lay=copies"],
            "ERROR: --venv-matrix: unknown axis 'lay' in 'lay=copies'; accepted axes: "
            "layout (symlinks, copies), site (isolated, system), pip (pip, nopip)",
        ),
        (
            ["--venv-matrix=layout=copy"],
            "ERROR: --venv-matrix: layout value 'copy' is not accepted; accepted: symlinks, "
            "copies or all *",
        ),
        (
            ["--venv-matrix=creator=venv"],
            "ERROR: --venv-matrix: unknown axis 'creator' *; choose creators with --venv-creator *",
        ),
        (
            ["--venv-matrix=pip=nopip,wheel"],
            "ERROR: --venv-matrix: 'wheel' is not an axis value; accepted: *",
        ),
        (
            ["--venv-matrix", "--venv-creator=nosuch"],
            "ERROR: *unknown creator 'nosuch'; accepted: *venv*cmd:TEMPLATE",
        ),
        (
            ["--venv-matrix", "--venv-python=>=banana"],
            "ERROR: --venv-python: Python spec '>=banana' is not understood *",
        ),
        (
            ["-c", "matrix.ini"],
            "ERROR: ini venv_matrix_axes: site value 'both' is not accepted; *",
        ),
    ],
)
def test_a_bad_selection_is_one_clear_usage_error(
    pytester: pytest.Pytester, args: list[str], message: str
) -> None:
    pytester.makefile(".ini", matrix="[pytest]\nvenv_matrix = true\nvenv_matrix_axes = site=both")
    pytester.makepyfile(test_it=SPEC_TEST)
    result = _run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_a_path_taken_as_the_value_says_how_to_fix_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it=SPEC_TEST)
    result = _run(pytester, "--venv-matrix", "test_it.py")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'test_it.py' is not an axis value (it looks like a path*"])


MARKED = """
import pytest

pytestmark = pytest.mark.venv(pip=True)

def test_module_level(venv_spec):
    assert venv_spec.pip

@pytest.mark.venv(system_site_packages=False, prompt="demo")
class TestClass:
    def test_class_level(self, venv_spec):
        assert venv_spec.prompt == "demo"

    @pytest.mark.venv(pip=False, symlinks=False, creator="venv")
    def test_closest_wins(self, venv_spec):
        assert not venv_spec.pip and not venv_spec.symlinks and venv_spec.prompt == "demo"
"""


def test_markers_fix_the_axes_they_name(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it=MARKED)
    result = _run(pytester, "--venv-matrix", "--venv-creator=venv,virtualenv", "-v")
    result.assert_outcomes(passed=8 + 4 + 1)
    ids = [line.split("[", 1)[1].split("]")[0] for line in result.outlines if "PASSED" in line]
    assert ids == [
        *(
            f"{c}-{PY}-{layout}-{site}-pip"
            for c in ("venv", "virtualenv")
            for layout in ("symlinks", "copies")
            for site in ("isolated", "system")
        ),
        *(
            f"{c}-{PY}-{layout}-isolated-pip"
            for c in ("venv", "virtualenv")
            for layout in ("symlinks", "copies")
        ),
        f"venv-{PY}-copies-isolated-nopip",
    ]


MARKED_CREATOR = """
import pytest

@pytest.mark.venv(creator="virtualenv", python="3.12")
def test_x(venv_spec):
    pass
"""


def test_a_marker_can_ask_for_a_creator_the_options_left_out(pytester: pytest.Pytester) -> None:
    result = _collect(
        pytester, "--venv-matrix=symlinks,isolated", "--venv-creator=venv", source=MARKED_CREATOR
    )
    assert _ids(result) == [
        "virtualenv-py3.12-symlinks-isolated-pip",
        "virtualenv-py3.12-symlinks-isolated-nopip",
    ]


def test_a_bad_marker_is_one_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_it="""
        import pytest

        @pytest.mark.venv(layout="copies")
        def test_x(venv_spec):
            pass
        """
    )
    result = _run(pytester, "--venv-matrix")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(
        ["@pytest.mark.venv on test_it.py::test_x: unknown spec field 'layout'; accepted: creator*"]
    )
    assert "Traceback" not in result.stdout.str()


OWN_PARAMETRIZE = """
import pytest
from pytest_venvlab import VenvSpec

@pytest.mark.parametrize("venv_spec", [VenvSpec()], ids=["mine"])
def test_x(venv_spec):
    pass
"""


def test_a_test_that_parametrizes_venv_spec_itself_keeps_its_values(
    pytester: pytest.Pytester,
) -> None:
    result = _collect(pytester, "--venv-matrix", source=OWN_PARAMETRIZE)
    assert _collected(result) == ["test_it.py::test_x[mine]"]


POINTS = """
def test_x(venv_spec):
    pass
"""


def test_points_a_creator_cannot_make_skip_with_its_reason(pytester: pytest.Pytester) -> None:
    # uv is a test dependency (the "test" extra); it cannot copy the interpreter.
    assert "uv" in _available_creators(), "install the test extra: pip install -e '.[test]'"
    pytester.makepyfile(test_it=POINTS)
    result = _run(pytester, "--venv-matrix=isolated,nopip", "--venv-creator=uv", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"venvlab matrix points that will skip: 1 (uv-{PY}-copies-isolated-nopip): creator "
            "'uv' does not support environments with copied interpreters",
            "SKIPPED [[]1[]] test_it.py*: creator 'uv' does not support environments with copied "
            "interpreters",
        ]
    )


def test_a_missing_python_skips_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it=POINTS)
    result = _run(
        pytester,
        "--venv-matrix=symlinks,isolated,nopip",
        "--venv-creator=venv",
        f"--venv-python={PY[2:]},3.99",
        "-rs",
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            f"venvlab matrix: 2 points = creators (venv) x Pythons ({PY} (*), py3.99 (not found))*",
            "venvlab matrix points that will skip: 1 (venv-py3.99-symlinks-isolated-nopip): "
            "Python '3.99' not found: no CPython 3.8+ matches it on PATH or among the pyenv "
            "versions",
            "SKIPPED [[]1[]] test_it.py*: Python '3.99' not found: *",
        ]
    )


@pytest.mark.parametrize("how", ["option", "CI"])
def test_a_missing_python_fails_under_strict(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["--venv-matrix=symlinks,isolated,nopip", "--venv-creator=venv", "--venv-python=3.99"]
    if how == "CI":
        monkeypatch.setenv("CI", "true")
    else:
        args.append("--venv-strict")
    pytester.makepyfile(test_it=POINTS)
    result = _run(pytester, *args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "venvlab matrix points that will fail: 1 *",
            "Python '3.99' not found: * (strict mode: --venv-strict or CI is set)",
        ]
    )


def test_strict_header_tells_which_points_fail_and_which_still_skip(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "1")
    pytester.makepyfile(test_it=POINTS)
    result = _run(
        pytester,
        "--collect-only",
        "--venv-matrix=isolated,nopip",
        "--venv-creator=uv",
        f"--venv-python={PY[2:]},3.99",
    )
    result.stdout.fnmatch_lines(
        [
            f"venvlab matrix points that will skip: 1 (uv-{PY}-copies-isolated-nopip): creator "
            "'uv' does not support environments with copied interpreters",
            "venvlab matrix points that will fail: 2 (uv-py3.99-*-isolated-nopip): Python '3.99' "
            "not found: *",
        ]
    )


UNAVAILABLE = """
from pytest_venvlab import Availability, Creator

class Absent(Creator):
    def version(self):
        return "0"

    def availability(self):
        return Availability.no("the absent tool is not installed")

    def create(self, request):
        raise AssertionError("never called")

def pytest_venvlab_register_creators(register):
    register("absent", Absent)
"""


def test_unavailable_creators_are_left_out_by_default_and_skip_when_asked_for(
    pytester: pytest.Pytester,
) -> None:
    # A subprocess: the creator registry is process-wide.
    pytester.makeconftest(UNAVAILABLE)
    pytester.makepyfile(test_it=POINTS)
    result = _run_subprocess(pytester, "--venv-matrix=symlinks,isolated,nopip", "-rs")
    result.stdout.fnmatch_lines(
        ["venvlab matrix left out: creator absent (not available: the absent tool is not *"]
    )
    assert "absent-" not in result.stdout.str().replace("creator absent", "")
    result = _run_subprocess(
        pytester, "--venv-matrix=symlinks,isolated,nopip", "--venv-creator=absent,venv", "-rs"
    )
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] *: creator 'absent' is not available: the absent tool is not installed"]
    )


def test_header_tells_points_creators_pythons_and_what_was_left_out(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_it=POINTS)
    result = _run(
        pytester,
        "--collect-only",
        "--venv-matrix=copies,pip=nopip",
        "--venv-creator=venv,virtualenv",
    )
    result.stdout.fnmatch_lines(
        [
            f"venvlab matrix: 4 points = creators (venv, virtualenv) x Pythons ({PY} (*)) x "
            "layout (copies) x site (isolated, system) x pip (nopip)",
            "venvlab matrix left out: layout symlinks (not selected); pip pip (not selected)",
        ]
    )
    plain = _run(pytester, "--collect-only")
    assert "venvlab matrix" not in plain.stdout.str()


def test_group_option_marks_each_point_for_loadgroup(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_it="""
        def test_x(venv_spec):
            pass

        def test_y(venv_spec):
            pass
        """
    )
    pytester.makeconftest(
        """
        def pytest_collection_modifyitems(items):
            for item in items:
                groups = [m.kwargs["name"] for m in item.iter_markers("xdist_group")]
                print("GROUP", item.name, groups)
        """
    )
    args = ["--collect-only", "-s", "--venv-matrix=symlinks,isolated", "--venv-creator=venv"]
    result = _run(pytester, *args, "--venv-group")
    point = f"venv-{PY}-symlinks-isolated-pip"
    assert f"GROUP test_x[{point}] ['{point}']" in result.outlines
    assert f"GROUP test_y[{point}] ['{point}']" in result.outlines
    result = _run(pytester, *args)
    assert f"GROUP test_x[{point}] []" in result.outlines
    pytester.makeini("[pytest]\nvenv_group = true\n")
    result = _run(pytester, *args)
    assert f"GROUP test_x[{point}] ['{point}']" in result.outlines
