"""``python -m pytest_venvlab.create``: venv's flags, one clear line for bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_venvlab import parse_pyvenv_cfg


def _create(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_venvlab.create", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_creates_several_envs_with_venv_flags(tmp_path: Path) -> None:
    proc = _create(
        "--copies",
        "--system-site-packages",
        "--without-pip",
        "--prompt",
        "P Q",
        "a",
        "b",
        cwd=tmp_path,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    for name in ("a", "b"):
        root = tmp_path / name
        cfg = parse_pyvenv_cfg((root / "pyvenv.cfg").read_text("utf-8"))
        assert cfg["include-system-site-packages"] == "true"
        assert cfg["prompt"] == "'P Q'"
        python = root / "bin" / "python"
        assert not python.is_symlink()
        assert python.stat().st_mode & 0o777 == 0o755
        assert not (root / "bin" / "pip").exists()
        if sys.version_info >= (3, 11):
            assert cfg["command"].endswith(
                f' --copies --without-pip --system-site-packages --prompt="P Q" {root}'
            )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus", "x"], "unrecognized arguments: --bogus"),
        ([], "the following arguments are required: DEST"),
        (["--python", "2.1", "x"], "'2.1'"),
        (["--python", "relative/python", "x"], "relative/python"),
        (["--symlinks", "--copies", "x"], "not allowed with argument"),
        (["--without-pip", "a:b"], "PATH separator"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    proc = _create(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("venvlab: error: ")
    assert message in lines[0]
    assert "Traceback" not in proc.stderr


def test_existing_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    proc = _create("--without-pip", "f", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("venvlab: error: ")
    assert "not a directory" in proc.stderr


def test_console_script_and_help(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("venvlab")
    if not script.exists():
        pytest.skip("the venvlab console script is not installed next to this Python")
    proc = subprocess.run(
        [os.fspath(script), "--help"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert "--system-site-packages" in proc.stdout
