"""Creating one environment: directories, interpreter links, ``pyvenv.cfg``, scripts, pip.

Nothing here starts the target interpreter. Everything version-specific comes from the probed
:class:`~pytest_venvlab.interpreters.Interpreter` facts (through :func:`layout_for`), so one host
process can create environments for every CPython 3.8+ on the machine.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CreatorError, SpecError
from .activation import ActivationContext, render_scripts
from .cfg import pyvenv_cfg_text
from .layout import layout_for

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["CACHEDIR_TAG", "GITIGNORE", "Options", "create_environment"]

#: Written to every environment so version control ignores it (CPython writes one from 3.13).
GITIGNORE = "# Created by venvlab (pytest-venvlab): this environment is not source code.\n*\n"
#: Marks the environment as a cache for backup tools (https://bford.info/cachedir/).
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by venvlab (pytest-venvlab).\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


@dataclass(frozen=True)
class Options:
    """How to create an environment; the same choices ``python -m venv`` offers."""

    symlinks: bool = True
    system_site_packages: bool = False
    pip: bool = False
    #: The prompt as given; ``None`` means the directory's name. ``.`` means the current
    #: directory's name on Python 3.9+ (CPython's rule; 3.8 keeps ``.``).
    prompt: str | None = None


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _copy_executable(src: str, dst: str) -> None:
    if os.path.lexists(dst):
        os.unlink(dst)
    shutil.copyfile(src, dst)
    os.chmod(dst, 0o755)


def _link_executables(
    interpreter: Interpreter, bin_dir: str, symlinks: bool, *, fresh: bool
) -> None:
    layout = layout_for(interpreter)
    first, *others = layout.executables
    first_path = os.path.join(bin_dir, first)
    if symlinks:
        try:
            if fresh or not os.path.lexists(first_path):
                os.symlink(layout.source, first_path)
            for name in others:
                path = os.path.join(bin_dir, name)
                if fresh or not os.path.lexists(path):
                    os.symlink(first, path)
            return
        except OSError:
            pass  # no symlinks here: copy, as CPython does
    _copy_executable(layout.source, first_path)
    for name in others:
        _copy_executable(first_path, os.path.join(bin_dir, name))


def _make_dirs(dest: str, dirs: tuple[str, ...]) -> bool:
    """Create ``dest`` and ``dirs`` under it; ``True`` if ``dest`` is new (nothing to reuse)."""
    try:
        os.mkdir(dest)
    except FileExistsError:
        if not os.path.isdir(dest):
            raise SpecError(
                f"cannot create an environment at {dest!r}: it exists and is not a directory"
            ) from None
        for rel in dirs:
            os.makedirs(os.path.join(dest, rel), exist_ok=True)
        return False
    except FileNotFoundError:
        os.makedirs(dest)
    for rel in dirs:
        os.mkdir(os.path.join(dest, rel))
    return True


def effective_prompt(prompt: str | None, interpreter: Interpreter, cwd: str | None = None) -> str:
    """The prompt activation shows (CPython's rules for ``None`` and ``.`` per version)."""
    if prompt == "." and interpreter.version_info[:2] >= (3, 9):
        return os.path.basename(os.path.abspath(cwd or os.getcwd()))
    if prompt is None:
        return ""
    return prompt


def create_environment(
    interpreter: Interpreter,
    dest: str | os.PathLike[str],
    options: Options = Options(),
) -> str:
    """Create a virtual environment for ``interpreter`` at ``dest``; return its absolute path.

    An existing directory is reused, like CPython's venv does (CLI-1).
    """
    root = os.path.abspath(os.fspath(dest))
    if os.pathsep in root:
        raise SpecError(
            f"destination {root!r} contains the PATH separator {os.pathsep!r}; activation "
            "would break PATH. Accepted: a path without it"
        )
    layout = layout_for(interpreter)
    fresh = _make_dirs(root, layout.all_dirs)
    if layout.lib64:
        lib64 = os.path.join(root, "lib64")
        if fresh or not os.path.lexists(lib64):
            os.symlink("lib", lib64)
    bin_dir = os.path.join(root, layout.bin_dir)
    _link_executables(interpreter, bin_dir, options.symlinks, fresh=fresh)

    shown = effective_prompt(options.prompt, interpreter)
    cfg_prompt = None if options.prompt is None else shown
    _write(
        os.path.join(root, "pyvenv.cfg"),
        pyvenv_cfg_text(
            interpreter,
            root,
            symlinks=options.symlinks,
            system_site_packages=options.system_site_packages,
            pip=options.pip,
            prompt=cfg_prompt,
            given_prompt=options.prompt,
        ),
    )
    ctx = ActivationContext(
        env_dir=root,
        bin_dir=layout.bin_dir,
        up=layout.up,
        prompt=os.path.basename(root) if options.prompt is None else shown,
        version=(interpreter.version_info[0], interpreter.version_info[1]),
    )
    for name, text in render_scripts(ctx).items():
        _write(os.path.join(bin_dir, name), text)
    _write(os.path.join(root, ".gitignore"), GITIGNORE)
    _write(os.path.join(root, "CACHEDIR.TAG"), CACHEDIR_TAG)
    if options.pip:
        from .seed import install_seed_packages

        try:
            install_seed_packages(interpreter, root)
        except OSError as exc:
            raise CreatorError(f"venvlab could not install pip into {root}: {exc}") from exc
    return root
