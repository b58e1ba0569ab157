"""``uv``: ``uv venv``, when a uv executable is available."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from ..errors import CreatorError
from ..process import run_command
from .base import Availability, Capabilities, CreateRequest, Creator

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["UvCreator", "find_uv"]


@functools.lru_cache(maxsize=1)
def find_uv() -> str | None:
    """The uv executable: the ``uv`` package's own binary if installed, else ``uv`` on PATH."""
    try:
        from uv import find_uv_bin
    except ImportError:
        pass
    else:
        try:
            return os.fspath(find_uv_bin())
        except FileNotFoundError:
            pass
    return shutil.which("uv")


@functools.cache
def _uv_version(uv: str) -> str:
    proc = subprocess.run([uv, "--version"], capture_output=True, text=True, check=False)
    words = proc.stdout.split()
    return words[1] if proc.returncode == 0 and len(words) > 1 else "unknown"


class UvCreator(Creator):
    """``uv venv``. uv always symlinks the interpreter on POSIX, so it cannot make copies. pip is
    installed offline from the interpreter's own ensurepip wheel (``uv venv --seed`` would need
    ``wheel`` from an index on Python < 3.12).
    """

    documented_differences: ClassVar[dict[str, str]] = {
        "ACT-4": "uv sets VIRTUAL_ENV_PROMPT to the bare prompt on every Python version",
        "CFG-4": "uv writes version_info and no version key",
        "CFG-5": "uv writes no executable key",
        "CFG-6": "uv writes no command key",
        "CFG-7": "uv writes the prompt unquoted",
        "LAY-1": "uv creates no include directory",
        "LAY-2": "uv does not create the lib64 link",
        "LAY-3": "uv creates pythonX.Y on every Python version",
        "LAY-5": "uv names the PowerShell script activate.ps1 and adds nushell, xonsh, .bat files",
        "LAY-6": "uv always writes .gitignore and CACHEDIR.TAG",
        "LAY-7": "uv installs no pip unless seeded; pip only, no pip3.X on some versions",
    }

    def version(self) -> str:
        uv = find_uv()
        return _uv_version(uv) if uv else "missing"

    def availability(self) -> Availability:
        if find_uv() is None:
            return Availability.no(
                "no uv executable found (install the 'uv' extra: pip install 'pytest-venvlab[uv]')"
            )
        return Availability.yes()

    def capabilities(self, interpreter: Interpreter) -> Capabilities:
        return Capabilities(copies=False, with_pip=bool(_pip_wheels(interpreter)))

    def create(self, request: CreateRequest) -> None:
        uv = find_uv()
        if uv is None:
            raise CreatorError(self.availability().reason)
        spec = request.spec
        env = {**request.env, "UV_NO_CONFIG": "1", "UV_OFFLINE": "1", "UV_NO_PROGRESS": "1"}
        argv = [uv, "venv", "--no-config", "--offline", "--quiet"]
        argv += ["--python", os.fspath(request.interpreter.executable), "--no-python-downloads"]
        if spec.system_site_packages:
            argv.append("--system-site-packages")
        if spec.prompt is not None:
            argv += ["--prompt", spec.prompt]
        argv.append(os.fspath(request.dest))
        run_command(argv, env=env, what="creator 'uv'")
        if spec.pip:
            wheels = _pip_wheels(request.interpreter)
            python = request.interpreter.venv_path("scripts", request.dest) / "python"
            run_command(
                [
                    uv,
                    "pip",
                    "install",
                    "--no-config",
                    "--offline",
                    "--quiet",
                    "--no-index",
                    "--python",
                    os.fspath(python),
                    *map(os.fspath, wheels),
                ],
                env=env,
                what="creator 'uv' (installing pip)",
            )


def _pip_wheels(interpreter: Interpreter) -> list[Path]:
    return [w for w in interpreter.bundled_wheels if w.name.startswith("pip-")][-1:]
