"""Hardening: the cache is never a way to run someone else's code.

Cache directories are 0700 whatever the umask; a cache root that is a symlink, owned by another
user, or writable by group or others is refused in one line; lock and record files are never
followed through a planted symlink; a corrupt entry record is rebuilt, never trusted.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

QUIET = ["-p", "no:cacheprovider"]

ONE_TEST = """
def test_env(venv_factory):
    assert venv_factory().python.exists()
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _no_traceback(result: pytest.RunResult) -> str:
    output = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in output
    return output


def test_cache_directories_are_0700_whatever_the_umask(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(ONE_TEST)
    cache = tmp_path / "made" / "for" / "cache"
    basetemp = tmp_path / "basetemp"
    old = os.umask(0)
    try:
        pytester.runpytest(*QUIET, "--venv-cache-dir", cache).assert_outcomes(passed=1)
        pytester.runpytest(*QUIET, "--basetemp", basetemp).assert_outcomes(passed=1)
    finally:
        os.umask(old)
    (entry,) = [p for p in cache.iterdir() if p.is_dir()]
    (lock,) = cache.glob("*.lock")
    for directory in (cache.parent.parent, cache.parent, cache, entry):
        assert _mode(directory) == 0o700, directory
    for file in (lock, cache / "CACHEDIR.TAG", entry / "entry.json"):
        assert _mode(file) == 0o600, file
    run_root = basetemp / "venvlab-envs"
    (run_entry,) = [p for p in run_root.iterdir() if p.is_dir()]
    assert _mode(run_root) == _mode(run_entry) == 0o700


def _symlink(path: Path) -> str:
    elsewhere = path.parent / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    path.symlink_to(elsewhere)
    return "is a symbolic link (to *elsewhere); refusing it*"


def _other_owner(path: Path) -> str:
    path.mkdir(mode=0o700)
    os.chown(path, 65534, 65534)
    return "is owned by uid 65534, not by you (uid *); refusing*"


def _group_writable(path: Path) -> str:
    path.mkdir()
    path.chmod(0o770)
    return "is writable by group or others (mode 0770); refusing*chmod go-w*"


def _world_writable(path: Path) -> str:
    path.mkdir()
    path.chmod(0o1777)
    return "is writable by group or others (mode 1777); refusing*"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another uid needs root")
@pytest.mark.parametrize(
    "poison", [_symlink, _other_owner, _group_writable, _world_writable], ids=lambda f: f.__name__
)
def test_a_cache_root_others_could_write_is_refused(
    pytester: pytest.Pytester, tmp_path: Path, poison: Callable[[Path], str]
) -> None:
    pytester.makepyfile(ONE_TEST)
    cache = tmp_path / "cache"
    expected = poison(cache)
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", cache)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    _no_traceback(result)
    result.stderr.fnmatch_lines([f"ERROR: --venv-cache-dir: cache directory {cache} {expected}"])
    assert not list(tmp_path.glob("*/CACHEDIR.TAG"))  # nothing was written into it


def test_the_ini_key_is_checked_too(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(ONE_TEST)
    cache = tmp_path / "cache"
    _group_writable(cache)
    pytester.makeini(f"[pytest]\nvenv_cache_dir = {cache}\n")
    result = pytester.runpytest(*QUIET)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --venv-cache-dir: cache directory * is writable by *"])


def test_a_planted_per_run_root_is_refused(pytester: pytest.Pytester, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pytester.makeconftest(
        f"""
        import os
        import pytest

        @pytest.fixture(scope="session", autouse=True)
        def plant(tmp_path_factory):
            os.symlink({str(elsewhere)!r}, tmp_path_factory.getbasetemp() / "venvlab-envs")
        """
    )
    pytester.makepyfile(ONE_TEST)
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    _no_traceback(result)
    result.stdout.fnmatch_lines(
        ["*per-run environment directory *venvlab-envs is a symbolic link (to *elsewhere)*"]
    )
    assert not list(elsewhere.iterdir())


@pytest.fixture
def built_cache(pytester: pytest.Pytester, tmp_path: Path) -> Path:
    """A persistent cache holding one built entry (the default spec)."""
    pytester.makepyfile(ONE_TEST)
    cache = tmp_path / "cache"
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", cache)
    result.stdout.fnmatch_lines(["venvlab: 1 built, *"])
    return cache


def test_a_symlink_planted_at_a_lock_is_not_followed(
    pytester: pytest.Pytester, tmp_path: Path, built_cache: Path
) -> None:
    (lock,) = built_cache.glob("*.lock")
    for entry in built_cache.glob("*/entry.json"):
        entry.unlink()  # so that the next session must take the lock to rebuild
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    lock.unlink()
    lock.symlink_to(victim)
    # A subprocess with a time limit: a lock that followed the link could also spin forever.
    result = pytester.runpytest_subprocess(*QUIET, "--venv-cache-dir", built_cache, timeout=60)
    result.assert_outcomes(failed=1)
    _no_traceback(result)
    result.stdout.fnmatch_lines(
        [f"*{lock} is a symbolic link (to {victim}); the cache never follows links*"]
    )
    assert victim.read_text() == "precious\n"


def test_a_symlink_planted_at_an_entry_record_is_not_followed(
    pytester: pytest.Pytester, tmp_path: Path, built_cache: Path
) -> None:
    (record,) = built_cache.glob("*/entry.json")
    outside = tmp_path / "outside.json"
    record.rename(outside)
    record.symlink_to(outside)
    before = outside.read_text()
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", built_cache)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["venvlab: rebuilt venv pycurrent *: its entry record is a symbolic link (not followed)"]
    )
    assert outside.read_text() == before
    assert not record.is_symlink()


@pytest.mark.parametrize(
    "corrupt",
    [
        pytest.param(lambda data: "{not json", id="garbage"),
        pytest.param(lambda data: json.dumps({**data, "env": "../../elsewhere"}), id="escape"),
        pytest.param(lambda data: json.dumps({**data, "manifest": 3}), id="bad-field"),
        pytest.param(lambda data: "[]", id="not-a-record"),
    ],
)
def test_a_corrupt_entry_record_is_rebuilt(
    pytester: pytest.Pytester, built_cache: Path, corrupt: Callable[[dict[str, object]], str]
) -> None:
    (record,) = built_cache.glob("*/entry.json")
    record.write_text(corrupt(json.loads(record.read_text())))
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", built_cache)
    result.assert_outcomes(passed=1)
    _no_traceback(result)
    result.stdout.fnmatch_lines(
        [
            "venvlab: 1 built, 0 reused, 0 private in *s",
            "venvlab: rebuilt venv pycurrent *: its entry record is unreadable",
        ]
    )


def test_clearing_a_symlinked_cache_deletes_nothing(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(ONE_TEST)
    cache = tmp_path / "cache"
    _symlink(cache)
    precious = tmp_path / "elsewhere" / "precious.txt"
    precious.write_text("keep me\n")
    result = pytester.runpytest(*QUIET, "--venv-cache-dir", cache, "--venv-cache-clear")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --venv-cache-dir: cache directory * is a symbolic link*"])
    assert precious.read_text() == "keep me\n"
