"""Hardening: faults around a persistent cache between runs.

The base interpreter of a cached environment removed, or replaced by another build at the same
path; files deleted from a cached environment. Each is detected before reuse and either rebuilt
with a one-line reason or (the base is gone) skipped naming the missing interpreter.

The base interpreter is a copy of a real CPython install under ``tmp_path`` so it can be
deleted and replaced. The sessions run in subprocesses, as users run them: a fresh process, with
the on-disk interpreter facts cache in place (it must not hide the change).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_venvlab import InterpreterNotFoundError, find_interpreter

QUIET = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark"]

#: Parts of an install a bare venv does not need (most of its 300 MB).
_SKIPPED = {
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "site-packages",
    "lib2to3",
    "ensurepip",
    "pydoc_data",
}


def _copy_install(prefix: Path, version: str, dest: Path, *, keep_times: bool = True) -> Path:
    """A runnable copy of the CPython install at ``prefix`` (bin/python, libpython, stdlib);
    returns the copy's interpreter. ``keep_times=False`` gives the binary a new mtime, like a
    fresh build of the same version."""
    copy = shutil.copy2 if keep_times else shutil.copy
    (dest / "bin").mkdir(parents=True)
    binary = dest / "bin" / f"python{version}"
    copy(prefix / "bin" / f"python{version}", binary)
    (dest / "lib").mkdir()
    for lib in (prefix / "lib").glob(f"libpython{version}*.so*"):
        shutil.copy2(lib, dest / "lib" / lib.name, follow_symlinks=False)
    shutil.copytree(
        prefix / "lib" / f"python{version}",
        dest / "lib" / f"python{version}",
        symlinks=True,
        ignore=lambda _dir, names: [n for n in names if n in _SKIPPED or n.startswith("config-")],
    )
    (dest / "lib" / f"python{version}" / "site-packages").mkdir()
    return binary


@pytest.fixture(scope="module")
def cpython_install() -> tuple[Path, str]:
    """A real CPython install other than the running one (its prefix and X.Y)."""
    for spec in ("3.12", "3.13", "3.10"):
        try:
            found = find_interpreter(spec)
        except InterpreterNotFoundError:
            continue
        prefix = Path(found.base_prefix)
        if (prefix / "bin" / f"python{found.version_short}").is_file():
            return prefix, found.version_short
    pytest.skip("no pyenv-style CPython install (3.10, 3.12 or 3.13) to copy")


def test_base_interpreter_replaced_or_removed(
    pytester: pytest.Pytester,
    tmp_path: Path,
    cpython_install: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)  # CI turns the removed Python's skip into a failure
    prefix, version = cpython_install
    base = tmp_path / "base"
    python = _copy_install(prefix, version, base)
    pytester.makepyfile(
        f"""
        def test_env(venv_factory):
            env = venv_factory(python={str(python)!r})
            assert env.run(["python", "-c", "import os"]).returncode == 0
        """
    )
    args = [*QUIET, "--venv-cache-dir", str(tmp_path / "cache")]
    first = pytester.runpytest_subprocess(*args)
    first.assert_outcomes(passed=1)
    first.stdout.fnmatch_lines(["venvlab: 1 built, 0 reused, 0 private in *s"])

    # Another build of the same version at the same path (a reinstall): new binary mtime.
    shutil.rmtree(base)
    _copy_install(prefix, version, base, keep_times=False)
    replaced = pytester.runpytest_subprocess(*args)
    replaced.assert_outcomes(passed=1)
    replaced.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            f"venvlab: rebuilt venv py{python} *: its interpreter {python} changed since it "
            "was built",
        ]
    )

    # Its standard library removed, the binary left: the binary's facts are cached by its
    # stamp, so the library itself is looked at.
    shutil.rmtree(base / "lib" / f"python{version}")
    half = pytester.runpytest_subprocess(*args)
    half.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            f"venvlab: rebuilt venv py{python} *: its interpreter's standard library "
            f"{base}/lib/python{version} is gone",
        ]
    )

    # The whole install removed: skipped naming it (failed under --venv-strict), never reused.
    shutil.rmtree(base)
    gone = pytester.runpytest_subprocess(*args, "-rs")
    gone.assert_outcomes(skipped=1)
    gone.stdout.fnmatch_lines([f"SKIPPED * interpreter '{python}' does not exist"])
    strict = pytester.runpytest_subprocess(*args, "--venv-strict")
    strict.assert_outcomes(failed=1)
    assert "Traceback" not in strict.stdout.str()
    strict.stdout.fnmatch_lines([f"interpreter '{python}' does not exist (strict mode: *)"])


@pytest.mark.parametrize(
    ("victim", "reason"),
    [
        ("bin/activate", "its files changed since it was built"),
        ("lib", "its files changed since it was built"),
        ("pyvenv.cfg", "it is incomplete (*pyvenv.cfg is missing)"),
        (".", "it is incomplete (*env-* is missing)"),
    ],
)
def test_files_deleted_from_a_cached_env_are_rebuilt(
    pytester: pytest.Pytester, tmp_path: Path, victim: str, reason: str
) -> None:
    pytester.makepyfile(
        """
        def test_env(venv_factory):
            env = venv_factory()
            assert env.run(["python", "-c", "print('ok')"]).stdout.strip() == "ok"
        """
    )
    cache = tmp_path / "cache"
    pytester.runpytest(*QUIET, "--venv-cache-dir", cache).assert_outcomes(passed=1)
    (env,) = cache.glob("*/env-*")
    target = env / victim
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", cache)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            f"venvlab: rebuilt venv pycurrent *: {reason}",
        ]
    )
