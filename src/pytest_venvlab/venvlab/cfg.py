"""``pyvenv.cfg`` with the keys, order and formatting CPython's venv writes for each version."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["pyvenv_cfg_text", "venv_command"]

#: Resolving the base binary once per path is enough; it does not move while we run.
_realpath = functools.lru_cache(maxsize=64)(os.path.realpath)


def venv_command(
    interpreter: Interpreter,
    dest: str,
    *,
    symlinks: bool,
    system_site_packages: bool,
    pip: bool,
    prompt: str | None,
) -> str:
    """The ``python -m venv`` command line that asks CPython for the same environment.

    CPython 3.11+ records it as ``command``; the flags come in CPython's fixed order and the path
    is not shell-quoted (CFG-6). venvlab always writes ``.gitignore``, which is CPython 3.13's
    default, so ``--without-scm-ignore-files`` never appears.
    """
    words = [os.fspath(interpreter.executable), "-m", "venv"]
    if not symlinks:
        words.append("--copies")
    if not pip:
        words.append("--without-pip")
    if system_site_packages:
        words.append("--system-site-packages")
    if prompt is not None:
        words.append(f'--prompt="{prompt}"')
    words.append(dest)
    return " ".join(words)


def pyvenv_cfg_text(
    interpreter: Interpreter,
    dest: str,
    *,
    symlinks: bool,
    system_site_packages: bool,
    pip: bool,
    prompt: str | None,
    given_prompt: str | None = None,
) -> str:
    """The file's text. ``prompt`` is the effective prompt (``.`` already replaced on 3.9+);
    ``given_prompt`` is what the user typed, which 3.11+ repeats in ``command``.
    """
    lines = [
        f"home = {os.path.dirname(os.fspath(interpreter.base_executable))}",
        f"include-system-site-packages = {'true' if system_site_packages else 'false'}",
        f"version = {interpreter.version}",
    ]
    if prompt is not None:
        lines.append(f"prompt = {prompt!r}")
    if interpreter.version_info[:2] >= (3, 11):
        lines.append(f"executable = {_realpath(os.fspath(interpreter.executable))}")
        lines.append(
            "command = "
            + venv_command(
                interpreter,
                dest,
                symlinks=symlinks,
                system_site_packages=system_site_packages,
                pip=pip,
                prompt=given_prompt if given_prompt is not None else prompt,
            )
        )
    return "\n".join(lines) + "\n"
