"""venvlab makes what CPython's venv of the same version makes: same tree, same pyvenv.cfg.

Each case builds both, side by side, with the same interpreter path (so ``home``, the name of
the absolute link and ``command`` line up), and compares them entry by entry.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_venvlab import (
    Interpreter,
    InterpreterNotFoundError,
    create_venv,
    find_interpreter,
    parse_pyvenv_cfg,
)
from pytest_venvlab.creators.venvlab_creator import VenvlabCreator
from pytest_venvlab.venvlab.builder import Options, create_environment

PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
#: Files venvlab adds on purpose (documented differences LAY-5, LAY-6).
EXTRAS = {"CACHEDIR.TAG", "bin/activate.nu"}


def _interpreter(version: str) -> Interpreter:
    try:
        return find_interpreter(version)
    except InterpreterNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


def _snapshot(root: Path) -> dict[str, tuple[str, int, str]]:
    """``relative path -> (kind, mode, link target)`` for everything under ``root``."""
    found: dict[str, tuple[str, int, str]] = {}
    for current, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(current, name)
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path).replace(os.fspath(root), "<V>")
                found[rel] = ("link", 0, target)
            elif stat.S_ISDIR(info.st_mode):
                found[rel] = ("dir", stat.S_IMODE(info.st_mode), "")
            else:
                found[rel] = ("file", stat.S_IMODE(info.st_mode), "")
    return found


def _cfg(root: Path) -> dict[str, str]:
    text = (root / "pyvenv.cfg").read_text("utf-8")
    assert "\r" not in text
    return {k: v.replace(os.fspath(root), "<V>") for k, v in parse_pyvenv_cfg(text).items()}


def _cfg_keys(root: Path) -> list[str]:
    lines = (root / "pyvenv.cfg").read_text("utf-8").splitlines()
    return [line.split("=", 1)[0].strip() for line in lines]


def _cpython_venv(interp: Interpreter, dest: Path, flags: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    subprocess.run(
        [os.fspath(interp.executable), "-m", "venv", "--without-pip", *flags, os.fspath(dest)],
        check=True,
        env=env,
        cwd=dest.parent,
        capture_output=True,
    )


CASES = {
    "symlinks-prompt-system": (["--system-site-packages", "--prompt", "my env's"], True),
    "copies": (["--copies"], False),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("version", PYTHONS)
def test_layout_and_cfg_match_cpython(version: str, case: str, tmp_path: Path) -> None:
    interp = _interpreter(version)
    flags, symlinks = CASES[case]
    ours, theirs = tmp_path / "ours" / "env", tmp_path / "theirs" / "env"
    ours.parent.mkdir()
    theirs.parent.mkdir()
    _cpython_venv(interp, theirs, flags)
    prompt = flags[flags.index("--prompt") + 1] if "--prompt" in flags else None
    create_environment(
        interp,
        ours,
        Options(
            symlinks=symlinks,
            system_site_packages="--system-site-packages" in flags,
            prompt=prompt,
        ),
    )

    mine, cpython = _snapshot(ours), _snapshot(theirs)
    extras = set(EXTRAS)
    if interp.version_info[:2] < (3, 13):
        extras.add(".gitignore")
    assert set(mine) - set(cpython) == extras
    assert set(cpython) - set(mine) == set()
    for rel, entry in cpython.items():
        assert mine[rel] == entry, rel
    assert _cfg(ours) == _cfg(theirs)
    assert _cfg_keys(ours) == _cfg_keys(theirs)
    if interp.version_info[:2] >= (3, 13):
        assert (ours / ".gitignore").read_text().splitlines()[-1] == "*"


@pytest.mark.parametrize("version", PYTHONS)
def test_env_runs_as_a_venv_of_its_base(version: str, tmp_path: Path) -> None:
    interp = _interpreter(version)
    root = Path(create_environment(interp, tmp_path / "env"))
    code = (
        "import sys, site, sysconfig;"
        "print(sys.prefix); print(sys.base_prefix); print(sys.executable);"
        "print(site.ENABLE_USER_SITE); print(sysconfig.get_paths()['purelib'])"
    )
    out = subprocess.run(
        [os.fspath(root / "bin" / "python"), "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout.splitlines()
    assert out == [
        os.fspath(root),
        os.fspath(interp.prefix),
        os.fspath(root / "bin" / "python"),
        "False",
        os.fspath(root / "lib" / f"python{interp.version_short}" / "site-packages"),
    ]


def test_prompt_dot_is_the_current_directory_from_39(tmp_path: Path) -> None:
    """``--prompt .`` means the current directory's name on 3.9+ (CFG-7)."""
    interp = find_interpreter("current")
    (tmp_path / "work dir").mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "pytest_venvlab.create", "--without-pip", "--prompt", ".", "e"],
        cwd=tmp_path / "work dir",
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stderr == ""
    cfg = (tmp_path / "work dir" / "e" / "pyvenv.cfg").read_text("utf-8")
    assert "prompt = 'work dir'\n" in cfg
    if interp.version_info[:2] >= (3, 11):
        assert '--prompt="."' in cfg


def test_existing_directory_is_reused_and_a_file_is_refused(tmp_path: Path) -> None:
    interp = find_interpreter("current")
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "keep.txt").write_text("x")
    create_environment(interp, tmp_path / "env")
    assert (tmp_path / "env" / "keep.txt").exists()
    create_environment(interp, tmp_path / "env")  # again: CLI-1 reuses
    (tmp_path / "file").write_text("x")
    with pytest.raises(Exception, match="not a directory"):
        create_environment(interp, tmp_path / "file")


def test_creator_is_registered_and_follows_cpython(tmp_path: Path) -> None:
    venv = create_venv(dest=tmp_path / "env", creator="venvlab", python="current")
    assert venv.cfg["include-system-site-packages"] == "false"
    assert VenvlabCreator.follows_cpython is True
    assert {"LAY-5", "LAY-6", "REL-1"} <= set(VenvlabCreator.documented_differences)
    facts = venv.introspect()
    assert Path(facts.prefix) == venv.path
