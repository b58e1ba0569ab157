"""``venvlab``: the project's own creator, pure Python, run in the host process."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, ClassVar

from ..errors import CreatorUnavailableError
from .base import Availability, Capabilities, CreateRequest, Creator

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["VenvlabCreator"]

#: Bumped whenever what venvlab writes changes; part of every cache key.
VENVLAB_FORMAT = "1"


class VenvlabCreator(Creator):
    """Creates CPython's venv layout for any discovered CPython 3.8+ without starting it, with
    its own quoted, relocatable activation scripts and pip copied from a per-interpreter seed.
    """

    follows_cpython: ClassVar[bool] = True
    documented_differences: ClassVar[dict[str, str]] = {
        "ACT-7": "deactivate unsets PS1 when it was unset before activation (CPython leaves "
        "'(P) ' behind)",
        "ACT-9": "activate and deactivate run hash -r in every POSIX shell on every Python "
        "version (CPython 3.8-3.10 only under bash and zsh)",
        "ACT-11": "the prompt is never evaluated, on every Python version, also when the "
        "shell shows it: it is escaped for bash, dash and zsh prompt expansion",
        "LAY-5": "venvlab also writes activate.nu (nushell)",
        "LAY-6": "venvlab always writes .gitignore and CACHEDIR.TAG, on every Python version",
        "LAY-7": "pip is copied from a seed of the interpreter's bundled wheel (setuptools too "
        "on 3.8-3.11, as ensurepip does) and only when asked: the default is without pip",
        "REL-1": "activate, activate.fish and Activate.ps1 find the environment from their own "
        "location, so a moved environment activates at its new path",
    }

    def version(self) -> str:
        from importlib.metadata import version

        try:
            return f"{version('pytest-venvlab')}+{VENVLAB_FORMAT}"
        except Exception:
            return f"unknown+{VENVLAB_FORMAT}"

    def availability(self) -> Availability:
        if os.name != "posix":
            return Availability.no("venvlab creates POSIX environments only (bin/, symlinks)")
        return Availability.yes()

    def capabilities(self, interpreter: Interpreter) -> Capabilities:
        from ..venvlab.seed import seed_wheels

        return Capabilities(
            with_pip=bool(seed_wheels(interpreter)),
            pythons=">=3.8",
        )

    def create(self, request: CreateRequest) -> None:
        from ..venvlab.builder import Options, create_environment

        spec = request.spec
        if not request.interpreter.is_cpython:
            raise CreatorUnavailableError(
                f"creator 'venvlab' creates environments for CPython only, not "
                f"{request.interpreter.implementation} at {request.interpreter.executable}"
            )
        create_environment(
            request.interpreter,
            os.fspath(request.dest),
            Options(
                symlinks=spec.symlinks,
                system_site_packages=spec.system_site_packages,
                pip=spec.pip,
                prompt=spec.prompt,
            ),
        )
