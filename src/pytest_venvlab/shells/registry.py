"""The shells activation can be observed in, and where they are installed."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from ..errors import SpecError, VenvlabError

__all__ = [
    "SHELLS",
    "ShellInfo",
    "ShellNotFoundError",
    "available_shells",
    "canonical_shell_name",
    "find_shell",
    "shell_names",
]


class ShellNotFoundError(VenvlabError):
    """The shell asked for is not installed here (or not supported yet). ``shell`` is its name."""

    def __init__(self, message: str, *, shell: str) -> None:
        super().__init__(message)
        self.shell = shell


@dataclass(frozen=True)
class ShellInfo:
    """A shell: how to find it and which activate script it sources."""

    #: The canonical name (``bash``, ``dash``, ``zsh``, ``fish``, ``tcsh``, ``pwsh``, ``nu``).
    name: str
    #: Other names it is asked for by (``sh`` for dash, ``csh`` for tcsh...).
    aliases: tuple[str, ...]
    #: Executable names looked up on PATH, first found wins.
    executables: tuple[str, ...]
    #: Activate script names in the env's bin dir, first existing wins.
    scripts: tuple[str, ...]
    #: The driver family: ``sh``, ``fish``, ``csh`` (``pwsh``/``nu`` have no driver yet).
    family: str
    #: Whether this package can drive it (PowerShell and nushell: not yet).
    supported: bool = True


SHELLS: dict[str, ShellInfo] = {
    info.name: info
    for info in (
        ShellInfo("bash", (), ("bash",), ("activate",), "sh"),
        ShellInfo("dash", ("sh",), ("dash",), ("activate",), "sh"),
        ShellInfo("zsh", (), ("zsh",), ("activate",), "sh"),
        ShellInfo("fish", (), ("fish",), ("activate.fish",), "fish"),
        ShellInfo("tcsh", ("csh",), ("tcsh",), ("activate.csh",), "csh"),
        ShellInfo(
            "pwsh",
            ("powershell",),
            ("pwsh", "powershell"),
            ("Activate.ps1", "activate.ps1"),
            "pwsh",
            supported=False,
        ),
        ShellInfo("nu", ("nushell",), ("nu",), ("activate.nu",), "nu", supported=False),
    )
}


def shell_names() -> list[str]:
    """Every shell name this package knows (canonical names, installed or not)."""
    return list(SHELLS)


def canonical_shell_name(name: str) -> str:
    """``sh`` -> ``dash``, ``csh`` -> ``tcsh``...; raises :class:`SpecError` for unknown names."""
    key = name.strip().lower() if isinstance(name, str) else name
    for info in SHELLS.values():
        if key == info.name or key in info.aliases:
            return info.name
    accepted = ", ".join(n for info in SHELLS.values() for n in (info.name, *info.aliases))
    raise SpecError(f"shell {name!r} is not accepted; accepted: {accepted}")


def find_shell(name: str) -> tuple[ShellInfo, str]:
    """The shell called ``name`` and its executable; raises :class:`ShellNotFoundError` if it is
    not installed (or cannot be driven yet)."""
    info = SHELLS[canonical_shell_name(name)]
    path = _which(info)
    if path is None:
        raise ShellNotFoundError(
            f"shell {info.name!r} is not installed (looked for {', '.join(info.executables)} "
            "on PATH)",
            shell=info.name,
        )
    if not info.supported:
        raise ShellNotFoundError(
            f"shell {info.name!r} is installed at {path} but pytest-venvlab cannot drive it yet",
            shell=info.name,
        )
    return info, path


def available_shells() -> dict[str, str]:
    """``{name: executable}`` for every shell that is installed here and can be driven."""
    found: dict[str, str] = {}
    for info in SHELLS.values():
        path = _which(info)
        if path is not None and info.supported:
            found[info.name] = path
    return found


def _which(info: ShellInfo) -> str | None:
    for exe in info.executables:
        path = shutil.which(exe)
        if path is not None:
            return path
    return None
