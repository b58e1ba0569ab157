"""Hardening: bad input and a hostile disk give one clear line naming the value and what is
accepted (or what to do), never a traceback and never a silent default.

Cases already proven elsewhere are listed in docs/explanation/hardening.rst with their tests;
this module covers the rest through real pytest runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

QUIET = ["-p", "no:cacheprovider"]

BAD_INPUT = """
import pytest

@pytest.mark.venv(creator="nope")
def test_unknown_creator(venv):
    pass

@pytest.mark.venv(python="9.9")
def test_no_such_python(venv):
    pass

@pytest.mark.venv("3.12")
def test_positional_marker(venv):
    pass

@pytest.mark.venv(symlinks="yes")
def test_wrong_type_in_marker(venv):
    pass

def test_creator_exits_non_zero(venv_factory):
    venv_factory(creator="cmd:sh -c 'echo the-creator-says-no >&2; exit 3' {python}")

def test_creator_exits_0_without_env(venv_factory):
    venv_factory(creator="cmd:sh -c 'exit 0' {python}")

def test_creator_leaves_an_empty_dir(venv_factory):
    venv_factory(creator="cmd:sh -c 'for d; do :; done; mkdir \\"$d\\"' {python}")

def test_package_fails_to_install(venv_factory, tmp_path):
    wheel = tmp_path / "broken-1.0-py3-none-any.whl"
    wheel.write_text("not a zip file")
    venv_factory(packages=[str(wheel)])

def test_factory_gets_a_bad_spec(venv_factory):
    venv_factory("3.12")
"""


def _clean(result: pytest.RunResult) -> str:
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    return output


def test_bad_input_is_one_line_each(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)  # CI turns the missing Python's skip into a failure
    pytester.makepyfile(test_bad=BAD_INPUT)
    result = pytester.runpytest(*QUIET, "-rs")
    result.assert_outcomes(failed=5, errors=3, skipped=1)
    _clean(result)
    result.stdout.fnmatch_lines(
        [
            "unknown creator 'nope'; accepted: *venv*, cmd:TEMPLATE",
            "@pytest.mark.venv on *test_positional_marker: takes keyword fields only, got "
            "positional ('3.12',); accepted: creator, python, symlinks, *",
            "@pytest.mark.venv on *test_wrong_type_in_marker: symlinks='yes' is not accepted; "
            "accepted: True or False",
            "creator \"cmd:sh -c 'echo the-creator-says-no*' {python}\" failed with exit code 3:*",
            "--- stderr (last lines) ---",
            "the-creator-says-no",
            "creator \"cmd:sh -c 'exit 0' {python}\" exited 0 but left no environment at *",
            "creator 'cmd:sh -c * finished but left no environment at * (missing *pyvenv.cfg*)",
            "installing into * failed with exit code *broken-1.0-py3-none-any.whl",
            "--- stderr (last lines) ---",
            "*broken-1.0-py3-none-any.whl*",
            "venv_factory() got '3.12' as its spec; accepted: a VenvSpec or None",
            "SKIPPED * no CPython 3.8+ interpreter matches Python spec '9.9'; searched *",
        ],
        consecutive=False,
    )


def test_a_python_that_matches_nothing_fails_under_strict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_env(venv_factory):
            venv_factory(python="9.9")
        """
    )
    result = pytester.runpytest(*QUIET, "--venv-strict")
    result.assert_outcomes(failed=1)
    _clean(result)
    result.stdout.fnmatch_lines(
        ["no CPython 3.8+ interpreter matches Python spec '9.9'; *(strict mode: *)"]
    )


def test_a_destination_with_the_path_separator_is_refused(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(
        """
        def test_env(venv_factory):
            venv_factory()
        """
    )
    result = pytester.runpytest(*QUIET, "--basetemp", tmp_path / "a:b")
    result.assert_outcomes(failed=1)
    _clean(result)
    result.stdout.fnmatch_lines(
        [
            "destination '*a:b/venvlab-envs/*' contains the PATH separator ':'; activation would "
            "break PATH. Accepted: a path without it"
        ]
    )


# -- a hostile disk: tmpfs mounts (root only; skipped where mounting is not permitted) --------


@pytest.fixture
def mount_tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """``mount_tmpfs(options)`` mounts a fresh tmpfs and returns its directory."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        where = tmp_path / f"mnt{len(mounted)}"
        where.mkdir()
        if shutil.which("mount") is None:
            pytest.skip("no mount command")
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", where],
            check=False,
            capture_output=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", where], check=False, capture_output=True)


def test_a_full_disk_is_one_line(
    pytester: pytest.Pytester, mount_tmpfs: Callable[[str], Path]
) -> None:
    disk = mount_tmpfs("size=8k,mode=0700")
    pytester.makepyfile(
        """
        def test_env(venv_factory):
            venv_factory()
        """
    )
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", disk / "cache")
    result.assert_outcomes(failed=1)
    _clean(result)
    result.stdout.fnmatch_lines(
        [
            f"no space left on the device holding {disk}/cache while building venv pycurrent *: "
            "free some space, or point --venv-cache-dir (or --basetemp) at another disk"
        ]
    )
    assert not list((disk / "cache").glob("*/env-*")), "the failed build was left behind"


def test_a_read_only_cache_hands_out_what_it_has_and_refuses_to_build(
    pytester: pytest.Pytester, mount_tmpfs: Callable[[str], Path]
) -> None:
    disk = mount_tmpfs("size=64m,mode=0700")
    cache = disk / "cache"
    pytester.makepyfile(
        """
        def test_cached(venv_factory):
            assert venv_factory().python.exists()

        def test_not_cached(venv_factory):
            venv_factory(symlinks=False)
        """
    )
    first = pytester.runpytest(*QUIET, "--venv-cache-dir", cache, "-k", "test_cached")
    first.stdout.fnmatch_lines(["venvlab: 1 built, 0 reused, 0 private in *s"])
    subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", cache)
    result.assert_outcomes(passed=1, failed=1)
    _clean(result)
    result.stdout.fnmatch_lines(
        [
            f"the environment cache in {cache} cannot be used for venv pycurrent copies*: "
            "[[]Errno 30[]] Read-only file system: *",
            "venvlab: 0 built, 1 reused, 0 private in *s",
        ]
    )


def test_a_failed_build_is_not_retried_by_every_test(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    creator = f"cmd:sh -c 'echo run >> {calls}; echo cannot-build >&2; exit 1' {{python}}"
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.parametrize("i", range(5))
        def test_env(venv_factory, i):
            venv_factory(creator={creator!r})
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=5)
    _clean(result)
    # Every test's failure section shows the stderr (pytest 9.2's summary may repeat it) ...
    failures = result.stdout.str().split("short test summary info")[0]
    sections = re.split(r"_{3,} test_env\[\d\] _{3,}", failures)[1:]
    assert len(sections) == 5
    assert all(section.splitlines().count("cannot-build") == 1 for section in sections)
    assert calls.read_text() == "run\n"  # ... from the one attempt
