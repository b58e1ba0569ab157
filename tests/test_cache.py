"""The environment cache in real sessions: once per key across xdist workers, across runs,
after a kill -9, and when a test changes a shared environment."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

#: Inner sessions load only what they need (xdist workers each import every plugin).
QUIET = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark"]

#: 40 tests asking for 3 distinct specs (no pip: the cache is what is under test, not pip).
FORTY_TESTS = """
import pytest

SPECS = [{}, {"symlinks": False}, {"system_site_packages": True}]

@pytest.mark.parametrize("i", range(40))
def test_env(venv_factory, i):
    env = venv_factory(**SPECS[i % 3])
    assert env.python.exists()
"""


def test_three_specs_over_four_workers_build_three_then_none(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_forty=FORTY_TESTS)
    cache = tmp_path / "cache"
    args = [*QUIET, "-n", "4", "--venv-cache-dir", str(cache)]
    first = pytester.runpytest_subprocess(*args)
    first.assert_outcomes(passed=40)
    first.stdout.fnmatch_lines(["venvlab: 3 built, 37 reused, 0 private in *s"])
    assert (cache / "CACHEDIR.TAG").is_file()

    again = pytester.runpytest_subprocess(*args, "-v")
    again.assert_outcomes(passed=40)
    again.stdout.fnmatch_lines(["venvlab: 0 built, 40 reused, 0 private in *s"])
    again.stdout.no_fnmatch_line("venvlab: built *")


def test_per_run_tier_without_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_forty=FORTY_TESTS,
        test_where="""
        def test_under_the_runs_basetemp(venv_factory, tmp_path_factory):
            base = tmp_path_factory.getbasetemp()
            assert venv_factory().path.is_relative_to(base / "venvlab-envs")
        """,
    )
    result = pytester.runpytest(*QUIET, "-v")
    result.assert_outcomes(passed=41)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 3 built, 38 reused, 0 private in *s",
            "venvlab: built venv pycurrent symlinks isolated nopip in *s",
            "venvlab: built venv pycurrent copies isolated nopip in *s",
            "venvlab: built venv pycurrent symlinks system nopip in *s",
        ]
    )


def test_private_copies_across_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("i", range(6))
        def test_private(venv, i):
            marker = venv.path / "mine"
            assert not marker.exists()
            marker.write_text("x")
        """
    )
    result = pytester.runpytest_subprocess(*QUIET, "-n", "2")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["venvlab: 1 built, 5 reused, 6 private in *s"])


def test_changing_a_shared_env_is_an_error_and_it_is_rebuilt(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_changes_it(venv_factory):
            env = venv_factory()
            (env.site_packages / "sneaky.py").write_text("x = 1\\n")

        def test_sees_a_clean_env(venv_factory):
            env = venv_factory()
            assert not (env.site_packages / "sneaky.py").exists()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_changes_it*",
            "*test_changes_it changed the shared environment venv pycurrent*read-only*",
            "venvlab: 2 built, 0 reused, 0 private in *s",
            "venvlab: rebuilt venv pycurrent *: test *test_changes_it changed it",
        ]
    )


def test_persistent_entry_changed_between_runs_is_rebuilt(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(
        """
        def test_env(venv_factory):
            assert venv_factory().python.exists()
        """
    )
    cache = tmp_path / "cache"
    pytester.makeini(f"[pytest]\nvenv_cache_dir = {cache}\n")
    pytester.runpytest("-p", "no:cacheprovider").stdout.fnmatch_lines(["venvlab: 1 built, *"])
    (cfg,) = cache.glob("venv-py*/env-*/pyvenv.cfg")
    cfg.write_text(cfg.read_text() + "extra = 1\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            "venvlab: rebuilt venv pycurrent *: its files changed since it was built",
        ]
    )
    reused = pytester.runpytest("-p", "no:cacheprovider")
    reused.stdout.fnmatch_lines(["venvlab: 0 built, 1 reused, 0 private in *s"])
    cleared = pytester.runpytest("-p", "no:cacheprovider", "--venv-cache-clear")
    cleared.stdout.fnmatch_lines(["venvlab: 1 built, 0 reused, 0 private in *s"])
    cleared.stdout.no_fnmatch_line("venvlab: rebuilt*")


SLOW_CREATOR = """\
#!/bin/sh
# Creates the env with the stdlib, then (when asked) says so and hangs, to be killed mid-build.
python="$1"; shift
"$python" -m venv "$@"
if [ -n "$VENVLAB_TEST_HANG" ]; then
    : > "$VENVLAB_TEST_HANG"
    sleep 120
fi
"""


def test_kill_9_mid_build_then_the_next_session_rebuilds(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    script = tmp_path / "slow_creator.sh"
    script.write_text(SLOW_CREATOR)
    creator = f"cmd:sh {script} {{python}}"
    pytester.makepyfile(
        f"""
        def test_env(venv_factory):
            env = venv_factory(creator={creator!r})
            assert (env.path / "pyvenv.cfg").is_file()
            assert env.run(["python", "-c", "print('ok')"]).stdout.strip() == "ok"
        """
    )
    cache = tmp_path / "cache"
    hung = tmp_path / "hung"
    args = ["-m", "pytest", *QUIET, "--venv-cache-dir", str(cache)]
    session = subprocess.Popen(
        [sys.executable, *args],
        cwd=pytester.path,
        env={**os.environ, "VENVLAB_TEST_HANG": str(hung)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not hung.exists():
            assert session.poll() is None, "the first session ended before it was killed"
            assert time.monotonic() < deadline, "the first session never reached the build"
            time.sleep(0.05)
    finally:
        os.killpg(session.pid, signal.SIGKILL)
        session.wait()
    (half_built,) = cache.glob("*/env-*")
    assert (half_built / "pyvenv.cfg").is_file()  # it looks complete, but was never published

    result = pytester.runpytest_subprocess(*QUIET, "--venv-cache-dir", cache)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            "venvlab: rebuilt cmd:sh *: an earlier session stopped while building it*",
        ]
    )
    assert not half_built.exists()


def test_persistent_entry_of_a_changed_interpreter_is_rebuilt(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    base = tmp_path / "base"
    subprocess.run(
        [sys.executable, "-m", "venv", "--copies", "--without-pip", base],
        check=True,
        capture_output=True,
    )
    interpreter = base / "bin" / "python"
    pytester.makepyfile(
        f"""
        def test_env(venv_factory):
            assert venv_factory(python={str(interpreter)!r}).python.exists()
        """
    )
    args = [*QUIET, "--venv-cache-dir", str(tmp_path / "cache")]
    pytester.runpytest(*args).stdout.fnmatch_lines(["venvlab: 1 built, 0 reused, 0 private*"])
    stat = interpreter.stat()
    os.utime(interpreter, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            f"venvlab: rebuilt venv py{interpreter} *: its interpreter * changed since it was *",
        ]
    )
