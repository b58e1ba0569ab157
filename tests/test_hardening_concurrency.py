"""Hardening: many workers on few cores, a worker killed mid-build, Ctrl-C mid-build.

Real multi-process sessions (``runpytest_subprocess`` / ``Popen``), no mocks. Builds are made
slow and deterministic by ``cmd:`` creators that wait for a file rather than for time to pass.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

QUIET = ["-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark"]

#: 100 tests over 5 specs; each build takes a second, so all 8 workers meet at the locks.
HUNDRED_TESTS = """
import pytest

SLOW = "cmd:sh -c 'sleep 1; exec \\"$0\\" -m venv \\"$@\\"' {python}"
SPECS = [{}, {"symlinks": False}, {"system_site_packages": True}, {"prompt": "a"},
         {"prompt": "b"}]

@pytest.mark.parametrize("i", range(100))
def test_env(venv_factory, i):
    env = venv_factory(creator=SLOW, **SPECS[i % 5])
    assert (env.path / "pyvenv.cfg").is_file()
"""


def test_eight_workers_on_two_cores_build_each_spec_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_hundred=HUNDRED_TESTS)
    result = pytester.runpytest_subprocess(*QUIET, "-n", "8")
    result.assert_outcomes(passed=100)
    result.stdout.fnmatch_lines(["venvlab: 5 built, 95 reused, 0 private in *s"])
    output = result.stdout.str() + result.stderr.str()
    for word in ("Timeout", "waited", "Traceback", "crashed"):
        assert word not in output


#: Builds with the stdlib; the first build of a run (per FLAGS dir) then reports its worker's pid
#: and waits for the release file: a build that looks complete but is never published.
HANGING_CREATOR = """\
#!/bin/sh
python="$1"; shift
"$python" -m venv "$@" || exit 1
if mkdir "$FLAGS/first" 2>/dev/null; then
    echo $$ > "$FLAGS/script.pid"
    echo $PPID > "$FLAGS/tmp.pid" && mv "$FLAGS/tmp.pid" "$FLAGS/builder.pid"
    while [ ! -e "$FLAGS/release" ]; do sleep 0.05; done
fi
"""


@pytest.fixture
def flags(tmp_path: Path) -> Iterator[Path]:
    """The hanging creator's signal directory; releases (ends) any creator left waiting."""
    path = tmp_path / "flags"
    path.mkdir()
    yield path
    (path / "release").touch()


def _wait_for(path: Path, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, f"the session ended before {path.name} appeared"
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_worker_killed_mid_build_another_worker_takes_over(
    pytester: pytest.Pytester, tmp_path: Path, flags: Path
) -> None:
    script = tmp_path / "hanging.sh"
    script.write_text(HANGING_CREATOR)
    creator = f"cmd:sh {script} {{python}}"
    pytester.makepyfile(
        test_kill=f"""
        import os
        import pytest

        @pytest.mark.parametrize("i", range(4))
        def test_env(venv_factory, i):
            open(os.path.join(os.environ["FLAGS"], "started-" + os.environ["PYTEST_XDIST_WORKER"]),
                 "w").close()
            env = venv_factory(creator={creator!r})
            assert env.run(["python", "-c", "print('ok')"]).stdout.strip() == "ok"
        """
    )
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", *QUIET, "-n", "2"],
        cwd=pytester.path,
        env={**os.environ, "FLAGS": str(flags)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(flags / "builder.pid", session)
        _wait_for(flags / "started-gw0", session)
        _wait_for(flags / "started-gw1", session)  # the other worker is at (or on) the lock
        builder = int((flags / "builder.pid").read_text())
        os.kill(builder, signal.SIGKILL)
        output, _ = session.communicate(timeout=120)
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
    text = output.decode(errors="replace")
    assert "crashed while running" in text, text
    assert "1 failed, 3 passed" in text, text  # only the killed worker's own test is lost
    assert "venvlab: rebuilt cmd:sh " in text
    assert "an earlier session stopped while building it (left half-built)" in text


#: Builds with the stdlib, says so, then waits; its ``sleep`` runs in the background, where a
#: non-interactive shell ignores SIGINT, so it outlives a Ctrl-C (and would keep any lock
#: descriptor it inherited).
INTERRUPTED_CREATOR = """\
#!/bin/sh
python="$1"; shift
"$python" -m venv "$@" || exit 1
if [ ! -e "$FLAGS/release" ]; then
    sleep 60 &
    echo $! > "$FLAGS/sleeper.pid"
    : > "$FLAGS/built"
    wait
fi
"""


def _lock_is_free(lock: Path) -> bool:
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_ctrl_c_mid_build_leaves_no_lock_and_no_env(
    pytester: pytest.Pytester, tmp_path: Path, flags: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "interrupted.sh"
    script.write_text(INTERRUPTED_CREATOR)
    creator = f"cmd:sh {script} {{python}}"
    pytester.makepyfile(
        f"""
        def test_env(venv_factory):
            assert venv_factory(creator={creator!r}).python.exists()
        """
    )
    cache = tmp_path / "cache"
    args = [*QUIET, "--venv-cache-dir", str(cache)]
    session = subprocess.Popen(
        [sys.executable, "-m", "pytest", *args],
        cwd=pytester.path,
        env={**os.environ, "FLAGS": str(flags)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    sleeper = None
    try:
        _wait_for(flags / "built", session)
        sleeper = int((flags / "sleeper.pid").read_text())
        os.killpg(session.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        output, _ = session.communicate(timeout=30)
        text = output.decode(errors="replace")
        assert session.returncode == pytest.ExitCode.INTERRUPTED, text
        assert "KeyboardInterrupt" in text
        os.kill(sleeper, 0)  # the creator's background child is still alive ...
        (lock,) = cache.glob("*.lock")
        assert _lock_is_free(lock)  # ... and holds no lock
        assert not list(cache.glob("*/entry.json"))
        assert not list(cache.glob("*/env-*")), "an interrupted build left an environment"
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
            session.wait()
        if sleeper is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(sleeper, signal.SIGKILL)

    (flags / "release").touch()
    monkeypatch.setenv("FLAGS", str(flags))
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["venvlab: 1 built, 0 reused, 0 private in *s"])


HOLDER = """
import sys, time
from pathlib import Path
from pytest_venvlab.cache.safety import KeyLock

lock = KeyLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
time.sleep(600)
"""


def test_a_waiter_waits_while_the_holder_lives_and_takes_over_when_it_dies(
    tmp_path: Path,
) -> None:
    from pytest_venvlab.cache.safety import KeyLock

    path = tmp_path / "key.lock"
    waiting = KeyLock(path)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == "held\n"
            assert path.read_text().startswith(f"pid {holder.pid} on ")  # who holds it
            waiter = threading.Thread(target=waiting.acquire, daemon=True)
            waiter.start()
            waiter.join(2.0)
            assert waiter.is_alive(), "took a lock that a live process holds"
            holder.kill()  # SIGKILL: no cleanup in the holder; the kernel frees its flock
            holder.wait()
            waiter.join(5.0)
            assert not waiter.is_alive(), "did not take over the lock of a dead holder"
            assert path.read_text().startswith(f"pid {os.getpid()} on ")
        finally:
            holder.kill()
    waiting.release()
