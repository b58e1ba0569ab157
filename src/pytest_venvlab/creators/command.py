"""``cmd:TEMPLATE``: any creator given as a command line that takes stdlib venv's flags."""

from __future__ import annotations

import hashlib
import os
import shlex
from typing import TYPE_CHECKING

from ..errors import CreatorError, SpecError
from ..process import run_command
from .base import CreateRequest, Creator

if TYPE_CHECKING:
    from ..spec import VenvSpec

__all__ = ["CommandCreator", "venv_flags"]

PREFIX = "cmd:"


def venv_flags(spec: VenvSpec) -> list[str]:
    """The stdlib venv command-line flags that ask for ``spec`` (destination not included)."""
    flags = ["--symlinks" if spec.symlinks else "--copies"]
    if spec.system_site_packages:
        flags.append("--system-site-packages")
    if not spec.pip:
        flags.append("--without-pip")
    if spec.prompt is not None:
        flags.extend(["--prompt", spec.prompt])
    return flags


class CommandCreator(Creator):
    """Runs ``TEMPLATE`` with ``{python}`` replaced by the base interpreter's path, then the
    stdlib venv flags for the spec, then the destination directory.
    """

    def __init__(self, template: str) -> None:
        words = _split(template)
        if not any("{python}" in word for word in words):
            raise SpecError(
                f"creator 'cmd:{template}': the template must contain '{{python}}' where the base "
                "interpreter's path goes, e.g. 'cmd:{python} -m venv'"
            )
        self.template = template
        self._words = words
        self.name = f"{PREFIX}{template}"

    def version(self) -> str:
        # The template is the only identity a command has; hash it so keys stay short.
        return hashlib.sha256(self.template.encode()).hexdigest()[:12]

    def command(self, request: CreateRequest) -> list[str]:
        python = os.fspath(request.interpreter.executable)
        argv = [word.replace("{python}", python) for word in self._words]
        return [*argv, *venv_flags(request.spec), os.fspath(request.dest)]

    def create(self, request: CreateRequest) -> None:
        run_command(
            self.command(request),
            env=request.env,
            cwd=request.dest.parent,
            what=f"creator {self.name!r}",
        )
        if not request.dest.is_dir():
            raise CreatorError(
                f"creator {self.name!r} exited 0 but left no environment at {request.dest}"
            )


def _split(template: str) -> list[str]:
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise SpecError(f"creator 'cmd:{template}': the template does not parse ({exc})") from exc
    if not words:
        raise SpecError("creator 'cmd:' has an empty template; give e.g. 'cmd:{python} -m venv'")
    return words
