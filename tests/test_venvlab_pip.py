"""pip in a venvlab environment is a real, working pip, installed without running pip."""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_venvlab import InterpreterNotFoundError, Venv, create_venv
from pytest_venvlab.venvlab.scripts import shebang

BARE_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "PYTHONNOUSERSITE": "1"}


def _env(tmp_path: Path, name: str, python: str = "current") -> Venv:
    try:
        return create_venv(dest=tmp_path / name, creator="venvlab", python=python, pip=True)
    except InterpreterNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


def _run(*args: str | os.PathLike[str], cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [os.fspath(a) for a in args],
        capture_output=True,
        text=True,
        env=BARE_ENV,
        cwd=cwd,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_pip_runs_at_a_path_a_shebang_cannot_hold(tmp_path: Path) -> None:
    """Space, quotes, ``$``, a backslash and non-ASCII: venvlab's scripts use the sh
    trampoline, and pip runs from there without activation (SITE-5)."""
    env = _env(tmp_path, "sp ace 'q' \"dq\" $x back\\slash ünï")
    pip = env.bin_dir / "pip"
    assert pip.read_text("utf-8").startswith("#!/bin/sh\n")
    assert os.fspath(env.path) in _run(pip, "--version")


def test_pip_installs_offline_and_uninstalls(tmp_path: Path, wheel_factory) -> None:  # type: ignore[no-untyped-def]
    # pip's own script writer cannot handle quotes or $ in the path, so only space + non-ASCII.
    env = _env(tmp_path, "sp ace ünï")
    wheel = wheel_factory(
        name="venvlab_seeded", console_scripts={"seeded-hello": "venvlab_seeded:main"}
    )
    pip = env.bin_dir / "pip3"
    _run(pip, "install", "--no-index", "--no-deps", "--disable-pip-version-check", wheel)
    assert _run(env.bin_dir / "seeded-hello") == "probe ok\n"
    _run(pip, "uninstall", "-y", "venvlab_seeded")
    assert not (env.bin_dir / "seeded-hello").exists()


@pytest.mark.parametrize("python", ["3.12"])
def test_pip_scripts_record_and_installer(python: str, tmp_path: Path) -> None:
    env = _env(tmp_path, "env", python)
    minor = env.interpreter.version_info[1] if env.interpreter else 0
    names = {p.name for p in env.bin_dir.iterdir()}
    assert {"pip", "pip3", f"pip3.{minor}"} <= names
    pip = env.bin_dir / "pip"
    assert pip.read_text("utf-8").splitlines()[0] == f"#!{env.bin_dir / 'python'}"
    assert pip.stat().st_mode & 0o777 == 0o755
    (dist_info,) = env.site_packages.glob("pip-*.dist-info")
    assert (dist_info / "INSTALLER").read_text() == "venvlab\n"
    rows = list(csv.reader((dist_info / "RECORD").read_text("utf-8").splitlines()))
    recorded = {row[0] for row in rows}
    assert f"{dist_info.name}/RECORD" in recorded
    assert f"../../../bin/pip3.{minor}" in recorded
    for path, digest, size in rows:
        target = env.site_packages / path
        assert target.exists(), path
        if digest:
            data = target.read_bytes()
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode(), path
            assert int(size) == len(data), path
    # setuptools only where ensurepip installs it (before 3.12).
    assert not list(env.site_packages.glob("setuptools*"))
    out = _run(env.python, "-m", "pip", "list", "--disable-pip-version-check", "--format=freeze")
    assert out.startswith("pip==")


def test_setuptools_too_before_312_and_pip_version(tmp_path: Path) -> None:
    env = _env(tmp_path, "env", "3.8")
    assert list(env.site_packages.glob("setuptools-*.dist-info"))
    assert "python 3.8" in _run(env.bin_dir / "pip3", "--version")
    # 3.8's ensurepip bundles two pips; the newer is the one ensurepip installs.
    assert "pip 23.0.1" in _run(env.bin_dir / "pip", "--version")


def test_without_pip_has_no_pip(tmp_path: Path) -> None:
    env = create_venv(dest=tmp_path / "env", creator="venvlab", python="current")
    proc = subprocess.run(
        [os.fspath(env.python), "-m", "pip"], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0
    assert "No module named pip" in proc.stderr
    assert not (env.bin_dir / "pip").exists()


def test_concurrent_first_use_builds_one_seed_and_repairs_it(tmp_path: Path) -> None:
    """Two processes creating pip environments with an empty seed cache share one seed, and a
    seed damaged afterwards is rebuilt."""
    cache = tmp_path / "seed cache"
    env = {**os.environ, "VENVLAB_SEED_CACHE": os.fspath(cache)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "pytest_venvlab.create", "--python", "3.12", f"env{i}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    seeds = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert len(seeds) == 1
    assert not [p for p in cache.iterdir() if ".tmp-" in p.name]
    for i in range(2):
        _run(tmp_path / f"env{i}" / "bin" / "pip", "--version")

    # A cache cleaner removes part of the seed: the next environment rebuilds it.
    (seed,) = [p for p in cache.iterdir() if p.is_dir()]
    (seed / "site" / "pip" / "__init__.py").unlink()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest_venvlab.create", "--python", "3.12", "env2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert (
        tmp_path / "env2" / "lib" / "python3.12" / "site-packages" / "pip" / "__init__.py"
    ).is_file()
    _run(tmp_path / "env2" / "bin" / "pip", "--version")


def test_trampoline_survives_backslashes_and_triple_quotes() -> None:
    python = "/tmp/a b/x'''y\\N{z}\\x/bin/python"
    text = shebang(python)
    compile(text + "pass\n", "<script>", "exec")  # still Python
    line = text.splitlines()[1]
    assert line.startswith("'''exec' ")
    assert line.endswith(' "$0" "$@"')
    word = line[len("'''exec' ") : -len(' "$0" "$@"')]
    proc = subprocess.run(
        ["sh", "-c", f"printf '%s\\n' {word}"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines()[0] == python
