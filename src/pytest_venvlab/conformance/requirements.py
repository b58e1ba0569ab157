"""The requirement IDs the suite checks, and who each kind of check binds.

IDs and titles follow the project's PEP 405 requirements reference. A check carries one
requirement ID and one :class:`Binding`; a row that mixes portable and CPython-specific facts is
checked by several tests with the same ID and different bindings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..creators.base import Creator

__all__ = ["REQUIREMENTS", "Binding", "Requirement", "binding_verdict"]


class Binding(enum.Enum):
    """Who a check binds."""

    #: PEP 405 (and facts every working venv shares): binds every creator.
    PEP = "pep"
    #: The venv flag contract (copies, --without-pip, --system-site-packages, --prompt): binds
    #: every creator, since every creator is asked for the spec through those flags.
    CONTRACT = "contract"
    #: CPython venv's observed behaviour: binds ``venv`` and ``follows_cpython`` creators; for
    #: others a failure is reported as ``differs``.
    CPY = "cpy"
    #: Security fixes: bind every creator.
    SECURITY = "security"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    section: str


def _rows(section: str, *rows: tuple[str, str]) -> list[Requirement]:
    return [Requirement(rid, title, section) for rid, title in rows]


_ALL = [
    *_rows(
        "pyvenv.cfg",
        ("CFG-1", "pyvenv.cfg exists"),
        ("CFG-2", "home is absolute and holds the base python; base_prefix is B's prefix"),
        ("CFG-3", "include-system-site-packages is always written, true only when asked"),
        ("CFG-4", "version = X.Y.Z of the base"),
        ("CFG-5", "executable = realpath of the creating python (3.11+)"),
        ("CFG-6", "command = the venv command line (3.11+)"),
        ("CFG-7", "prompt written only when given, as a Python repr"),
        ("CFG-8", "pyvenv.cfg parsing rules are honoured"),
        ("CFG-9", "pyvenv.cfg is UTF-8 with LF line endings"),
    ),
    *_rows(
        "prefixes",
        ("PFX-1", "sys.prefix != sys.base_prefix"),
        ("PFX-2", "sys.prefix == sys.exec_prefix == V; base prefixes are B's"),
        ("PFX-3", "sys.executable is V/bin/python as invoked"),
        ("PFX-4", "sys._base_executable (3.11+: the base binary)"),
        ("PFX-5", "sys._home equals home"),
        ("PFX-6", "pyvenv.cfg is found next to the executable or one directory up"),
        ("PFX-7", "-S, -I and PYTHONHOME behaviour"),
        ("PFX-8", "sys.real_prefix is not set"),
    ),
    *_rows(
        "site",
        ("SITE-1", "isolated: own site-packages only, no user site"),
        ("SITE-2", "the stdlib comes from the base, before site-packages"),
        ("SITE-3", "system site-packages: V, then user site, then base site-packages"),
        ("SITE-4", "a missing include-system-site-packages key means visible"),
        ("SITE-5", "console scripts run without activation"),
    ),
    *_rows(
        "sysconfig",
        ("SCH-1", "venv schemes and the default scheme"),
        ("SCH-2", "install paths under V; stdlib and include under the base"),
        ("SCH-3", "the layout equals the venv scheme (3.11+)"),
    ),
    *_rows(
        "layout",
        ("LAY-1", "bin, include, lib/pythonX.Y/site-packages exist"),
        ("LAY-2", "lib64 is a relative symlink to lib (64-bit Linux)"),
        ("LAY-3", "python, python3 (and python3.X on 3.9+) resolve to the base"),
        ("LAY-4", "symlinks versus copies"),
        ("LAY-5", "activation scripts installed, mode 0644, no CR"),
        ("LAY-6", ".gitignore from the 3.13 CLI"),
        ("LAY-7", "pip present exactly when asked for"),
    ),
    *_rows(
        "creation",
        ("CLI-1", "an existing directory is reused"),
        ("CLI-2", "--clear empties the directory and recreates"),
        ("CLI-3", "--upgrade rewrites pyvenv.cfg from the current flags only"),
        ("CLI-4", "a path containing the PATH separator"),
        ("CLI-5", "a target that is a file is refused"),
        ("CLI-6", "several ENV_DIR arguments; relative paths made absolute"),
        ("CLI-7", "a path with spaces and non-ASCII characters works"),
        ("CLI-8", "version-gated flags"),
    ),
    *_rows(
        "activation",
        ("ACT-1", "VIRTUAL_ENV is V, exported"),
        ("ACT-2", "PATH is V/bin:OLDPATH, once"),
        ("ACT-3", "PS1 is '(P) ' + old PS1"),
        ("ACT-4", "VIRTUAL_ENV_PROMPT per version"),
        ("ACT-5", "VIRTUAL_ENV_DISABLE_PROMPT leaves PS1 alone"),
        ("ACT-6", "PYTHONHOME unset while active, restored after"),
        ("ACT-7", "deactivate restores and removes itself"),
        ("ACT-8", "deactivate nondestructive keeps the function"),
        ("ACT-9", "hash -r around activation"),
        ("ACT-10", "activate and deactivate under set -euo pipefail"),
        ("ACT-11", "the prompt is never evaluated (CVE-2024-9287)"),
        ("ACT-F1", "fish activation"),
        ("ACT-C1", "csh/tcsh activation"),
        ("ACT-P1", "PowerShell script (read, not run)"),
    ),
    *_rows(
        "relocation and markers",
        ("REL-1", "a moved venv: python runs with the new prefix"),
        ("REL-2", "home is absolute"),
        ("MRK-1", "PEP 508 marker values equal the base's"),
        ("MRK-2", "VIRTUAL_ENV is set only by activation"),
    ),
]

#: Every requirement the suite knows, by ID, in the reference's order.
REQUIREMENTS: dict[str, Requirement] = {r.id: r for r in _ALL}


def binding_verdict(
    binding: Binding, creator: Creator, requirement_id: str, shell: str | None = None
) -> str | None:
    """``None`` if a failed check of this kind is a failure for ``creator``; otherwise the
    ``differs`` explanation to report instead.

    Only CPython-specific checks can differ: where the creator documents a difference for the
    row (any creator; a key ``"ACT-3:dash"`` documents it for one shell only), or where the
    creator does not claim to follow CPython at all.
    """
    if binding is not Binding.CPY:
        return None
    differences = creator.documented_differences
    documented = (differences.get(f"{requirement_id}:{shell}") if shell else None) or (
        differences.get(requirement_id)
    )
    if documented:
        return f"documented difference: {documented}"
    if creator.follows_cpython:
        return None
    return "CPython-specific behaviour; the creator does not claim to follow CPython here"
