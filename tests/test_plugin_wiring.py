"""The plugin as pytest sees it: how it loads, what `--help` shows, how bad input is reported,
and the hook that registers creators."""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

import pytest_venvlab.plugin

GROUP_TITLE = "virtual environments (pytest-venvlab):"
OPTIONS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "options.rst"


def _help_sections(text: str) -> dict[str, list[str]]:
    """`pytest --help` split into its option groups: heading -> option lines."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = sections.setdefault(line, [])
        elif line.startswith("  -"):
            current.append(line.strip())
    return sections


def _one_line_error(result: pytest.RunResult) -> str:
    """The usage error line; fails unless there is exactly one and no traceback."""
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    errors = [line for line in result.stderr.lines if line.startswith("ERROR:")]
    assert len(errors) == 1, output
    return errors[0]


def test_help_lists_the_options_in_a_group_of_their_own(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    sections = _help_sections(result.stdout.str())
    assert GROUP_TITLE in sections
    ours = sections[GROUP_TITLE]
    for option in ("--venv-creator", "--venv-python", "--venv-strict"):
        assert any(line.startswith(option) for line in ours), ours
    # Every --venv-* option lives in our group, none in another.
    for title, lines in sections.items():
        if title != GROUP_TITLE:
            assert not [line for line in lines if line.startswith("--venv-")], title
    # The ini keys come after the "[pytest] ..." heading (its wording varies across pytest).
    ini = result.stdout.str().split("\n[pytest] ", 1)[1]
    for key in ("venv_creator", "venv_python", "venv_strict"):
        assert f"\n  {key} (" in ini


def test_every_option_and_ini_key_is_in_the_options_index(pytester: pytest.Pytester) -> None:
    text = pytester.runpytest("--help").stdout.str()
    options = {
        re.split(r"[=\s]", line, maxsplit=1)[0] for line in _help_sections(text)[GROUP_TITLE]
    }
    ini_keys = set(re.findall(r"^  (venv_\w+) \(", text.split("\n[pytest] ", 1)[1], re.M))
    assert options
    assert ini_keys
    page = OPTIONS_PAGE.read_text(encoding="utf-8")
    documented = set(re.findall(r"``(--[\w-]+)", page)) | set(re.findall(r"``(venv_\w+)``", page))
    missing = sorted((options | ini_keys) - documented)
    assert not missing, f"add these to {OPTIONS_PAGE.name}: {missing}"


@pytest.mark.parametrize(
    ("args", "ini", "expected"),
    [
        pytest.param(
            ["--venv-creator", "nope"],
            "",
            "ERROR: --venv-creator: unknown creator 'nope'; accepted: ",
            id="unknown-creator",
        ),
        pytest.param(
            ["--venv-creator", "venv,nope"],
            "",
            "ERROR: --venv-creator: unknown creator 'nope'; accepted: ",
            id="unknown-creator-in-list",
        ),
        pytest.param(
            [],
            "venv_creator = nope",
            "ERROR: --venv-creator: unknown creator 'nope'; accepted: ",
            id="unknown-creator-ini",
        ),
        pytest.param(
            ["--venv-creator", "cmd:python -m venv"],
            "",
            "ERROR: creator 'cmd:python -m venv': a cmd: template must contain '{python}'",
            id="cmd-without-python",
        ),
    ],
)
def test_bad_options_are_one_clear_usage_error(
    pytester: pytest.Pytester, args: list[str], ini: str, expected: str
) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_never_runs(): pass")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    line = _one_line_error(result)
    assert line.startswith(expected)
    if "accepted" in expected:
        # The accepted names are the registered creators, plus the cmd: form.
        for name in ("venv", "virtualenv", "uv", "cmd:TEMPLATE"):
            assert name in line


def test_known_creators_are_accepted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_runs(): pass")
    result = pytester.runpytest("--venv-creator", "venv,virtualenv", "--venv-creator=uv")
    result.assert_outcomes(passed=1)


def test_plugin_loads_through_its_pytest11_entry_point(pytester: pytest.Pytester) -> None:
    (entry,) = [
        ep for ep in metadata.entry_points(group="pytest11") if ep.value == "pytest_venvlab.plugin"
    ]
    assert entry.name == "venvlab"
    assert entry.load() is pytest_venvlab.plugin
    # A fresh process, with nothing but the installed entry point to load the plugin ...
    pytester.makepyfile(
        """
        import pytest_venvlab.plugin

        def test_loaded(pytestconfig):
            plugin = pytestconfig.pluginmanager.get_plugin("venvlab")
            assert plugin is pytest_venvlab.plugin
            assert pytestconfig.getoption("venv_creator") == ["uv"]
        """
    )
    result = pytester.runpytest_subprocess("--venv-creator", "uv")
    result.assert_outcomes(passed=1)
    # ... and blocking the entry point by name removes the plugin and its options.
    result = pytester.runpytest_subprocess("-p", "no:venvlab", "--venv-creator", "uv")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unrecognized arguments: --venv-creator*"])


def test_builtin_creators_come_from_the_entry_point_group() -> None:
    names = {ep.name for ep in metadata.entry_points(group="pytest_venvlab.creators")}
    assert {"venv", "virtualenv", "uv"} <= names
    assert names <= set(pytest_venvlab.creator_names())


REGISTERING_CONFTEST = """
    from pytest_venvlab import Capabilities, CreateRequest, Creator, CommandCreator


    class Mirror(Creator):
        '''A third-party creator: stdlib venv run by the target Python, symlinks only.'''

        documented_differences = {"LAY-6": "writes no .gitignore"}

        def version(self):
            return "1.0"

        def capabilities(self, interpreter):
            return Capabilities(copies=False)

        def create(self, request: CreateRequest) -> None:
            CommandCreator("{python} -m venv").create(request)


    def pytest_venvlab_register_creators(register):
        register("mirror", Mirror)
"""


def test_register_creators_hook_adds_a_usable_creator(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(REGISTERING_CONFTEST)
    pytester.makepyfile(
        """
        import pytest
        from pytest_venvlab import (
            CreatorUnavailableError, create_venv, creator_names, get_creator
        )

        def test_registered(tmp_path):
            assert "mirror" in creator_names()
            creator = get_creator("mirror")
            assert creator.name == "mirror"
            assert creator.documented_differences == {"LAY-6": "writes no .gitignore"}
            env = create_venv(creator="mirror", dest=tmp_path / "env")
            info = env.introspect()
            assert info.prefix == str(env.path)
            assert str(env.site_packages) in info.path

        def test_declared_capabilities_are_honoured(tmp_path):
            with pytest.raises(CreatorUnavailableError, match="copied interpreters"):
                create_venv(creator="mirror", symlinks=False, dest=tmp_path / "env")
        """
    )
    # A subprocess: registration is process-wide, and must not leak into this test session.
    result = pytester.runpytest_subprocess("--venv-creator", "mirror")
    result.assert_outcomes(passed=2)
    # Without the conftest, the name is unknown.
    (pytester.path / "conftest.py").unlink()
    result = pytester.runpytest_subprocess("--venv-creator", "mirror")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert _one_line_error(result).startswith("ERROR: --venv-creator: unknown creator 'mirror'")


FAILING_CREATOR = (
    "cmd:{python} -c 'import sys; sys.stderr.write(\"boom-from-creator\\n\"); sys.exit(3)'"
)


@pytest.mark.parametrize(
    ("args", "marker", "expected"),
    [
        pytest.param(
            ["--venv-python", "3.99", "--venv-strict"],
            "",
            "no CPython 3.8+ interpreter matches Python spec '3.99'; searched ",
            id="python-matches-nothing",
        ),
        pytest.param(
            [],
            "@pytest.mark.venv(symlink=True)",
            "@pytest.mark.venv on test_it.py::test_it: unknown spec field 'symlink'; accepted: ",
            id="bad-marker-field",
        ),
        pytest.param(
            [],
            f"@pytest.mark.venv(creator={FAILING_CREATOR!r})",
            "creator 'cmd:{python} -c ",
            id="failing-creator",
        ),
    ],
)
def test_bad_input_in_a_test_is_one_clear_error(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    marker: str,
    expected: str,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(
        test_it=f"""
        import pytest

        {marker}
        def test_it(venv):
            pass
        """
    )
    result = pytester.runpytest(*args)
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    section = output.split(" ERROR at setup of test_it ", 1)[1].split("short test summary", 1)[0]
    assert "Traceback" not in output
    assert "During handling" not in section
    assert "def test_it" not in section  # pytrace=False: no source listing
    lines = [line for line in section.splitlines()[1:] if line.strip("= ")]
    assert lines[0].startswith(expected), lines
    assert output.count(lines[0]) == 1
    if "cmd:" in expected:
        assert "boom-from-creator" in section  # the creator's stderr is shown


def test_a_python_that_matches_nothing_skips_with_the_reason_when_not_strict(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile("def test_it(venv): pass")
    result = pytester.runpytest("--venv-python", "3.99", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED *no CPython 3.8+ interpreter matches Python spec '3.99'*"]
    )


PROBE_FROM_INSIDE = """
import sys
from pytest_venvlab import find_interpreter
short = "%d.%d" % sys.version_info[:2]
print(sys.prefix != sys.base_prefix)
print(find_interpreter("current").prefix)
print(find_interpreter(short).prefix)
print(sys.base_prefix)
"""


def test_run_from_inside_a_venv_the_base_interpreter_is_used(venv_factory: Any) -> None:
    """pytest often runs in a virtual environment (tox, a project's .venv); "current" and
    version specs then mean that venv's base Python, not the venv's own python."""
    import _pytest
    import python_discovery

    import pytest_venvlab

    env = venv_factory()
    # Make the plugin importable inside the env without installing anything.
    path = os.pathsep.join(
        str(Path(module.__file__).resolve().parent.parent)
        for module in (pytest_venvlab, _pytest, python_discovery)
    )
    lines = env.run(["python", "-c", PROBE_FROM_INSIDE], env={"PYTHONPATH": path}).stdout.split()
    assert lines[0] == "True"
    assert lines[1] == lines[2] == lines[3]


def test_a_third_party_entry_point_adds_a_creator(pytester: pytest.Pytester) -> None:
    """A distribution that declares ``[pytest_venvlab.creators]`` is found with no code in the
    test suite (here a bare .dist-info on sys.path stands for an installed package)."""
    pytester.makepyfile(
        thirdparty_creator="""
        from pytest_venvlab import CommandCreator

        class Mirror(CommandCreator):
            def __init__(self):
                super().__init__("{python} -m venv")

            def version(self):
                return "2.0"
        """
    )
    info = pytester.mkdir("thirdparty_creator-2.0.dist-info")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: thirdparty-creator\nVersion: 2.0\n"
    )
    (info / "entry_points.txt").write_text(
        "[pytest_venvlab.creators]\nmirror = thirdparty_creator:Mirror\n"
    )
    pytester.makepyfile(
        test_it="""
        from pytest_venvlab import create_venv, creator_names, get_creator

        def test_found(tmp_path):
            assert "mirror" in creator_names()
            assert get_creator("mirror").version() == "2.0"
            env = create_venv(creator="mirror", dest=tmp_path / "env")
            assert env.cfg["home"]
        """
    )
    result = pytester.runpytest_subprocess("--venv-creator", "mirror", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
