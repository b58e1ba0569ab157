"""What CPython's venv would put on disk for one interpreter, derived from its probed facts.

Everything here is computed once per (interpreter, options) and cached, so creating an
environment only has to make the directories, links and files a :class:`Layout` lists.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..interpreters import VENV_PLACEHOLDER

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["Layout", "layout_for"]


@dataclass(frozen=True)
class Layout:
    """The shape of a venv for one interpreter. Paths are relative to the environment root."""

    #: Where executables and activation scripts go (``bin``).
    bin_dir: str
    #: The environment's site-packages (``lib/python3.12/site-packages``).
    site_packages: str
    #: Directories to create, parents first, besides ``bin_dir`` and ``site_packages``.
    extra_dirs: tuple[str, ...]
    #: Whether to add the relative link ``lib64 -> lib``.
    lib64: bool
    #: The file the interpreter is linked or copied from (``sys._base_executable``, unresolved).
    source: str
    #: The executable names in the order CPython makes them; the first is the one named after
    #: ``source`` (an absolute link in symlink mode), the rest are relative links to it.
    executables: tuple[str, ...]
    #: ``..`` steps from ``bin_dir`` back to the root (for scripts that find their env).
    up: str
    #: Every directory to create, parents first.
    all_dirs: tuple[str, ...] = ()


def _relative(template: str) -> str:
    prefix = VENV_PLACEHOLDER + "/"
    if not template.startswith(prefix):
        raise ValueError(f"venv scheme path {template!r} is not under the environment root")
    return template[len(prefix) :]


@functools.lru_cache(maxsize=64)
def layout_for(interpreter: Interpreter) -> Layout:
    """The layout CPython's venv of ``interpreter``'s version makes on POSIX."""
    minor = interpreter.version_info[1]
    bin_dir = _relative(interpreter.venv_paths["scripts"])
    site_packages = _relative(interpreter.venv_paths["purelib"])
    dirs: list[str] = []
    if minor >= 11:
        # 3.11+ creates the scheme's include dir (include/pythonX.Y) as well as include/.
        include = _relative(interpreter.venv_paths["include"])
        parent = os.path.dirname(include)
        if parent:
            dirs.append(parent)
        dirs.append(include)
    else:
        dirs.append("include")
    lib64 = (
        interpreter.is_64bit
        and interpreter.os_name == "posix"
        and (interpreter.platform != "darwin")
    )
    source = os.fspath(interpreter.base_executable)
    exename = os.path.basename(source)
    names = ["python", "python3"]
    if minor >= 9:
        names.append(f"python3.{minor}")
    executables = (exename, *(n for n in names if n != exename))
    depth = len([p for p in bin_dir.split("/") if p])
    ordered: dict[str, None] = {}
    for rel in (bin_dir, site_packages, *dirs):
        parts = [p for p in rel.split("/") if p]
        for end in range(1, len(parts) + 1):
            ordered["/".join(parts[:end])] = None
    return Layout(
        bin_dir=bin_dir,
        site_packages=site_packages,
        extra_dirs=tuple(dirs),
        lib64=lib64,
        source=source,
        executables=executables,
        up="/".join([".."] * depth),
        all_dirs=tuple(ordered),
    )
