"""``Venv``: a handle to a built environment."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import SpecError, VenvlabError
from .introspection import INTROSPECT_SCRIPT, STDLIB_PROBE_MODULES, Introspection
from .process import Arg, hermetic_env, run_command
from .pyvenv_cfg import read_pyvenv_cfg

if TYPE_CHECKING:
    from .interpreters import Interpreter
    from .spec import VenvSpec

__all__ = ["Venv"]


class Venv:
    """A virtual environment on disk, with the spec it was made from.

    Paths come from the base interpreter's venv scheme when it is known, so nothing assumes
    ``bin`` or ``lib/pythonX.Y``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        spec: VenvSpec | None = None,
        interpreter: Interpreter | None = None,
    ) -> None:
        self.path = Path(os.path.abspath(path))
        self.spec = spec
        self.interpreter = interpreter

    def __repr__(self) -> str:
        label = f" ({self.spec.describe()})" if self.spec is not None else ""
        return f"<Venv {os.fspath(self.path)!r}{label}>"

    def __fspath__(self) -> str:
        return os.fspath(self.path)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Venv) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)

    @property
    def bin_dir(self) -> Path:
        """Where the environment's executables live (``bin`` on POSIX)."""
        if self.interpreter is not None:
            return self.interpreter.venv_path("scripts", self.path)
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        """The environment's ``python``."""
        return self.bin_dir / ("python.exe" if os.name == "nt" else "python")

    @property
    def site_packages(self) -> Path:
        """The environment's own (pure-Python) site-packages directory."""
        if self.interpreter is not None:
            return self.interpreter.venv_path("purelib", self.path)
        found = sorted(glob.glob(os.fspath(self.path / "lib" / "python*" / "site-packages")))
        if not found:
            raise VenvlabError(f"no site-packages directory found under {self.path}")
        return Path(found[-1])

    @property
    def cfg(self) -> dict[str, str]:
        """``pyvenv.cfg`` parsed as CPython reads it: keys lower-cased, values stripped."""
        return read_pyvenv_cfg(self.path)

    def env(
        self, *, user_site: bool = False, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        """The hermetic process environment :meth:`run` uses."""
        return hermetic_env(bin_dir=self.bin_dir, user_site=user_site, extra=extra)

    def run(
        self,
        args: Sequence[Arg] | str,
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        user_site: bool = False,
        cwd: Arg | None = None,
        input: str | None = None,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command inside the environment and return the completed process.

        The command is looked up in the environment's bin dir first. The process environment is
        hermetic (no PYTHONPATH, PYTHONHOME, VIRTUAL_ENV, PIP_*, UV_*, CONDA_*...; user site off
        unless ``user_site``); ``env`` adds or overrides variables. A non-zero exit raises
        :class:`~pytest_venvlab.CommandError` with the output, unless ``check=False``.
        """
        argv: list[Arg] = [args] if isinstance(args, str) else list(args)
        if not argv:
            raise SpecError("Venv.run() needs a command; got an empty argument list")
        first = os.fspath(argv[0])
        if os.sep not in first:
            candidate = self.bin_dir / first
            if candidate.exists():
                argv[0] = candidate
        return run_command(
            argv,
            env=self.env(user_site=user_site, extra=env),
            cwd=cwd,
            check=check,
            input=input,
            timeout=timeout,
            what=f"command in {self.path}",
        )

    def introspect(self, *extra_modules: str) -> Introspection:
        """sys.prefix, sys.path, site and sysconfig facts, as the environment's python sees them."""
        modules = ",".join(dict.fromkeys([*STDLIB_PROBE_MODULES, *extra_modules]))
        proc = self.run([self.python, "-c", INTROSPECT_SCRIPT, modules])
        return Introspection.from_json(proc.stdout)

    def install(
        self,
        *requirements: str | os.PathLike[str],
        find_links: Sequence[str | os.PathLike[str]] = (),
        offline: bool | None = None,
        installer: str = "auto",
    ) -> subprocess.CompletedProcess[str]:
        """Install requirements, wheel files or project directories into the environment.

        ``installer`` is ``"uv"``, ``"pip"`` or ``"auto"`` (uv when available, else the env's
        pip, else the host's pip targeting the env). Local files, ``find_links`` and
        ``offline=True`` install without an index; ``offline`` defaults to True when every
        requirement is a wheel file (a project directory needs its build backend, which may
        come from the index).
        """
        if not requirements:
            raise SpecError("Venv.install() needs at least one requirement, wheel or directory")
        reqs = [os.fspath(r) for r in requirements]
        links = [os.fspath(link) for link in find_links]
        if offline is None:
            offline = bool(links) or all(_is_local(r) for r in reqs)
        argv, is_uv = self._installer_command(installer)
        if offline:
            argv += ["--no-index", "--offline"] if is_uv else ["--no-index"]
        for link in links:
            argv += ["--find-links", link]
        return run_command([*argv, *reqs], env=self.env(), what=f"installing into {self.path}")

    def _installer_command(self, installer: str) -> tuple[list[str], bool]:
        from .creators.uv_creator import find_uv

        if installer not in {"auto", "uv", "pip"}:
            raise SpecError(f"installer={installer!r} is not accepted; accepted: auto, uv, pip")
        uv = find_uv() if installer in {"auto", "uv"} else None
        if uv is not None:
            return [
                uv,
                "pip",
                "install",
                "--no-config",
                "--quiet",
                "--python",
                os.fspath(self.python),
            ], True
        if installer == "uv":
            raise VenvlabError("installer='uv' was asked for, but no uv executable was found")
        pip_flags = ["install", "--disable-pip-version-check", "--no-input", "--quiet"]
        if (self.bin_dir / "pip").exists():
            return [os.fspath(self.python), "-m", "pip", *pip_flags], False
        return [sys.executable, "-m", "pip", "--python", os.fspath(self.python), *pip_flags], False


def _is_local(requirement: str) -> bool:
    # Only a wheel needs nothing from an index: a project directory needs its build backend.
    return requirement.endswith(".whl")
