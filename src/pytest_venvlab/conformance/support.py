"""Small helpers the suite's checks share."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ..creators.base import CreateRequest
from ..creators.command import CommandCreator, venv_flags
from .requirements import Binding
from .targets import Target

__all__ = [
    "CONTRACT",
    "CPY",
    "PEP",
    "SECURITY",
    "base_site_packages",
    "cli_command",
    "is_under",
    "needs_version",
    "same_path",
]

PEP = Binding.PEP
CPY = Binding.CPY
CONTRACT = Binding.CONTRACT
SECURITY = Binding.SECURITY


def is_under(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """Whether ``path`` lies inside ``root`` (lexically, no symlinks resolved)."""
    p = os.path.normpath(os.fspath(path))
    r = os.path.normpath(os.fspath(root))
    return p == r or p.startswith(r.rstrip(os.sep) + os.sep)


def same_path(a: str | os.PathLike[str] | None, b: str | os.PathLike[str] | None) -> bool:
    """Equal after resolving symlinks (both must exist or be equal as text)."""
    if a is None or b is None:
        return False
    return os.path.realpath(a) == os.path.realpath(b)


def needs_version(target: Target, minimum: tuple[int, int], what: str = "") -> None:
    """Skip when the target's Python is older than ``minimum``."""
    if target.version_info < minimum:
        pytest.skip(f"{what or 'this check'} applies to Python {minimum[0]}.{minimum[1]}+ only")


def base_site_packages(target: Target) -> list[str]:
    """The base interpreter's own site-packages directories."""
    assert target.interpreter is not None
    paths = target.interpreter.paths
    return sorted({paths["purelib"], paths["platlib"]})


def cli_command(target: Target, *args: str | os.PathLike[str]) -> list[str]:
    """The creator's ``python -m venv``-compatible command line with ``args`` (no defaults).

    Skips the check for creators that are not driven through such a command line.
    """
    creator = target.creator
    if not isinstance(creator, CommandCreator):
        pytest.skip(f"creator {target.creator_name!r} has no 'python -m venv'-compatible CLI")
    assert target.interpreter is not None
    assert target.spec is not None
    request = CreateRequest(target.spec, target.interpreter, Path("/dest"))
    argv = creator.command(request)
    words = argv[: len(argv) - len(venv_flags(target.spec)) - 1]
    return [*words, *(os.fspath(a) for a in args)]


def read_text(path: Path) -> str:
    return path.read_text("utf-8", errors="replace")
