"""``virtualenv``: the virtualenv package, run in-process, offline."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING, ClassVar

from ..errors import CreatorError
from .base import Capabilities, CreateRequest, Creator

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["VirtualenvCreator"]


@functools.lru_cache(maxsize=1)
def _seedable_pythons() -> frozenset[str]:
    """The Python versions virtualenv's embedded wheels can seed pip into."""
    try:
        from virtualenv.seed.wheels.embed import BUNDLE_SUPPORT
    except ImportError:  # an older or newer layout: assume it can, as before
        return frozenset(f"3.{minor}" for minor in range(8, 30))
    return frozenset(BUNDLE_SUPPORT)


class VirtualenvCreator(Creator):
    """virtualenv with no periodic update and no downloads: pip comes from its embedded wheels."""

    documented_differences: ClassVar[dict[str, str]] = {
        "ACT-3:dash": "virtualenv changes PS1 only under bash and zsh; its activate script guards "
        "other POSIX shells away from the prompt on purpose",
        "ACT-4": "virtualenv sets VIRTUAL_ENV_PROMPT to the bare prompt on every Python version",
        "CFG-4": "virtualenv writes extra keys (version_info, virtualenv, base-prefix, ...)",
        "CFG-5": "virtualenv writes the executable key on every Python version",
        "CFG-6": "virtualenv writes its own command line in the command key",
        "CFG-7": "virtualenv quotes the prompt with double quotes",
        "LAY-2": "virtualenv does not create the lib64 link",
        "LAY-3": "virtualenv creates pythonX.Y on every Python version",
        "LAY-5": "virtualenv names the PowerShell script activate.ps1 and adds nushell, xonsh",
        "LAY-6": "virtualenv always writes .gitignore and CACHEDIR.TAG",
        "LAY-7": "virtualenv seeds pip from its embedded wheels; setuptools only where it chooses",
    }

    def version(self) -> str:
        import virtualenv

        return str(virtualenv.__version__)

    def capabilities(self, interpreter: Interpreter) -> Capabilities:
        # Its embedded seed wheels cover only the Pythons its bundle lists (3.9+ in 21.x).
        return Capabilities(with_pip=interpreter.version_short in _seedable_pythons())

    def create(self, request: CreateRequest) -> None:
        from virtualenv import cli_run

        spec = request.spec
        args = [
            os.fspath(request.dest),
            "--python",
            os.fspath(request.interpreter.executable),
            "--no-periodic-update",
            "--no-download",
            "--symlinks" if spec.symlinks else "--copies",
            "--activators",
            "bash,cshell,fish,nushell,powershell,python",
        ]
        if spec.system_site_packages:
            args.append("--system-site-packages")
        if not spec.pip:
            args.append("--no-seed")
        if spec.prompt is not None:
            args.extend(["--prompt", spec.prompt])
        try:
            cli_run(args, setup_logging=False, env=dict(request.env))
        except SystemExit as exc:  # virtualenv reports bad arguments this way
            raise CreatorError(f"creator 'virtualenv' refused {args!r} (exit {exc.code})") from exc
        except Exception as exc:
            raise CreatorError(f"creator 'virtualenv' failed: {exc}") from exc
