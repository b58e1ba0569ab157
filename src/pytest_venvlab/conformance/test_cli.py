"""Section 6: creation semantics of a ``python -m venv``-compatible command line (CLI-1 ... CLI-8).

CLI-5 and CLI-7 hold for every creator (through its own interface); the others are CPython
venv's command-line behaviour, checked for ``venv`` and ``cmd:`` creators.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ..errors import VenvlabError
from ..handle import Venv
from ..process import hermetic_env, run_command
from ..pyvenv_cfg import read_pyvenv_cfg
from .facts import run_probe
from .marks import requirement
from .support import CPY, PEP, cli_command
from .targets import Target


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_command(
        argv, env=hermetic_env(), cwd=cwd, check=False, timeout=300, what="creator command line"
    )


_FAST = ("--without-pip",)


@requirement("CLI-1", CPY, configs="default")
def test_existing_directory_reused(conf_target: Target, tmp_path: Path) -> None:
    dest = tmp_path / "env"
    dest.mkdir()
    (dest / "foreign.txt").write_text("keep me")
    proc = _run(cli_command(conf_target, *_FAST, dest))
    assert proc.returncode == 0, f"creating in an existing directory failed: {proc.stderr.strip()}"
    assert (dest / "foreign.txt").exists(), "a foreign file in the target directory was removed"
    assert (dest / "pyvenv.cfg").is_file(), "no venv was made in the existing directory"


@requirement("CLI-2", CPY, configs="default")
def test_clear(conf_target: Target, tmp_path: Path) -> None:
    dest = tmp_path / "env"
    assert _run(cli_command(conf_target, *_FAST, dest)).returncode == 0
    (dest / "marker.txt").write_text("old")
    inode = dest.stat().st_ino
    proc = _run(cli_command(conf_target, *_FAST, "--clear", dest))
    assert proc.returncode == 0, f"--clear failed: {proc.stderr.strip()}"
    assert not (dest / "marker.txt").exists(), "--clear left a file behind"
    assert dest.stat().st_ino == inode, "--clear replaced the directory instead of emptying it"
    assert (dest / "pyvenv.cfg").is_file(), "--clear did not recreate the venv"


@requirement("CLI-3", CPY, configs="default")
def test_upgrade(conf_target: Target, tmp_path: Path) -> None:
    dest = tmp_path / "env"
    first = _run(cli_command(conf_target, *_FAST, "--system-site-packages", "--prompt", "up", dest))
    assert first.returncode == 0, first.stderr
    activate = dest / "bin" / "activate"
    with activate.open("a", encoding="utf-8") as f:
        f.write("\n# venvlab-marker\n")
    proc = _run(cli_command(conf_target, *_FAST, "--upgrade", dest))
    assert proc.returncode == 0, f"--upgrade failed: {proc.stderr.strip()}"
    cfg = read_pyvenv_cfg(dest)
    assert "prompt" not in cfg, "--upgrade kept the prompt (CPython rewrites from current flags)"
    assert cfg.get("include-system-site-packages") == "false", (
        "--upgrade kept include-system-site-packages = true"
    )
    assert "# venvlab-marker" in activate.read_text("utf-8"), "--upgrade rewrote bin/activate"
    both = _run(cli_command(conf_target, *_FAST, "--upgrade", "--clear", dest))
    assert both.returncode == 1, f"--upgrade --clear gave rc {both.returncode}"
    assert "you cannot supply --upgrade and --clear together" in both.stderr, both.stderr


@requirement("CLI-4", CPY, configs="default")
def test_path_separator(conf_target: Target, tmp_path: Path) -> None:
    dest = tmp_path / f"a{os.pathsep}b"
    proc = _run(cli_command(conf_target, *_FAST, dest))
    if conf_target.version_info >= (3, 11):
        assert proc.returncode == 1, f"a path with {os.pathsep!r} gave rc {proc.returncode}"
        assert "Refusing to create a venv in" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 0, f"CPython < 3.11 creates it; got: {proc.stderr.strip()}"


@requirement("CLI-5", PEP, configs="default")
def test_target_is_a_file(conf_create: Callable[..., Venv], tmp_path: Path) -> None:
    dest = tmp_path / "file"
    dest.write_text("not a directory")
    try:
        conf_create(dest, may_fail=True)
    except VenvlabError:
        return
    pytest.fail(f"creating a venv at an existing file {dest} succeeded", pytrace=False)


@requirement("CLI-5", CPY, configs="default")
def test_target_is_a_file_message(conf_target: Target, tmp_path: Path) -> None:
    dest = tmp_path / "file"
    dest.write_text("not a directory")
    proc = _run(cli_command(conf_target, *_FAST, dest))
    assert proc.returncode == 1, f"rc {proc.returncode}"
    assert "Error: Unable to create directory" in proc.stderr, proc.stderr


@requirement("CLI-6", CPY, configs="default")
def test_several_and_relative(conf_target: Target, tmp_path: Path) -> None:
    proc = _run(cli_command(conf_target, *_FAST, "one", "two"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for name in ("one", "two"):
        cfg = read_pyvenv_cfg(tmp_path / name)
        assert cfg, f"{name}: no venv made"
        text = (tmp_path / name / "bin" / "activate").read_text("utf-8")
        assert os.fspath(tmp_path / name) in text, f"{name}: activate has no absolute path"


@requirement("CLI-7", PEP, configs="default")
def test_spaces_and_non_ascii(conf_create: Callable[..., Venv], tmp_path: Path) -> None:
    dest = tmp_path / "sp ace" / "ünï cødé"
    env = conf_create(dest)
    probe = run_probe(env.python)
    assert Path(probe["prefix"]) == dest, f"sys.prefix is {probe['prefix']!r}"
    script = '. "$1/bin/activate" && printf "%s\\n" "$VIRTUAL_ENV" && command -v python'
    proc = subprocess.run(
        ["bash", "-c", script, "bash", os.fspath(dest)],
        env={"PATH": "/usr/bin:/bin", "HOME": os.fspath(tmp_path)},
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    lines = proc.stdout.splitlines()
    assert lines[0] == os.fsencode(dest), f"$VIRTUAL_ENV is {lines[0]!r}"
    assert lines[1].startswith(os.fsencode(dest) + b"/"), f"python resolves to {lines[1]!r}"


@requirement("CFG-9", CPY, configs="default")
def test_non_ascii_command(
    conf_create: Callable[..., Venv], conf_target: Target, tmp_path: Path
) -> None:
    dest = tmp_path / "ünï"
    conf_create(dest)
    data = (dest / "pyvenv.cfg").read_bytes()
    if conf_target.version_info >= (3, 11):
        assert os.fsencode(dest) in data, "the non-ASCII path is not UTF-8 encoded in 'command'"


@requirement("CLI-8", CPY, configs="default")
def test_version_gated_flags(conf_target: Target) -> None:
    proc = _run(cli_command(conf_target, "--help"))
    assert proc.returncode == 0, proc.stderr
    has_upgrade_deps = "--upgrade-deps" in proc.stdout
    has_scm = "--without-scm-ignore-files" in proc.stdout
    assert has_upgrade_deps == (conf_target.version_info >= (3, 9)), (
        f"--upgrade-deps {'offered' if has_upgrade_deps else 'missing'}"
    )
    assert has_scm == (conf_target.version_info >= (3, 13)), (
        f"--without-scm-ignore-files {'offered' if has_scm else 'missing'}"
    )
