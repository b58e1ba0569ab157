"""venvlab's own activation scripts, one module per shell.

Each ``render_*`` function takes an :class:`ActivationContext` and returns the script's text.
The version rules (which prompt variable CPython sets when, csh's ``[P]`` on 3.8) live in the
context, so the scripts only format them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .csh import render_csh
from .fish import render_fish
from .nushell import render_nushell
from .posix import render_posix
from .powershell import render_powershell

__all__ = ["SCRIPTS", "ActivationContext", "render_scripts"]


@dataclass(frozen=True)
class ActivationContext:
    """What the activation scripts of one environment need to know."""

    #: The environment's absolute path as created.
    env_dir: str
    #: The scripts directory relative to the environment (``bin``).
    bin_dir: str
    #: The way back from the scripts directory to the environment (``..``).
    up: str
    #: The prompt name: the given prompt, or the environment directory's name.
    prompt: str
    #: ``(major, minor)`` of the environment's Python; selects CPython's version rules.
    version: tuple[int, int]

    @property
    def shown_prompt(self) -> str:
        """What goes before the shell's prompt: ``(P) ``."""
        return f"({self.prompt}) "

    @property
    def csh_shown_prompt(self) -> str:
        """csh's prefix: ``[P] `` on 3.8, as CPython 3.8 shows it, else ``(P) ``."""
        if self.version < (3, 9):
            return f"[{self.prompt}] "
        return self.shown_prompt

    @property
    def virtual_env_prompt(self) -> str | None:
        """``VIRTUAL_ENV_PROMPT`` per ACT-4: unset before 3.10, ``(P) `` on 3.10-3.12, ``P``
        from 3.13."""
        if self.version < (3, 10):
            return None
        if self.version < (3, 13):
            return self.shown_prompt
        return self.prompt

    @property
    def prompt_var_always(self) -> bool:
        """Whether ``VIRTUAL_ENV_PROMPT`` is set even with the prompt disabled (3.13+)."""
        return self.version >= (3, 13)

    def prompt_var_lines(self, set_line: Callable[[str, str], str]) -> tuple[str, str]:
        """The lines that set ``VIRTUAL_ENV_PROMPT``, as ``(when enabled, always)``.

        ``set_line(value, indent)`` writes them in the shell's language. At most one of the two
        is non-empty; both are empty where the version never sets the variable (ACT-4).
        """
        value = self.virtual_env_prompt
        if value is None:
            return "", ""
        if self.prompt_var_always:
            return "", set_line(value, "")
        return set_line(value, "    "), ""


#: Script file name -> renderer, in the order they are written.
SCRIPTS = {
    "activate": render_posix,
    "activate.fish": render_fish,
    "activate.csh": render_csh,
    "Activate.ps1": render_powershell,
    "activate.nu": render_nushell,
}


def render_scripts(ctx: ActivationContext) -> dict[str, str]:
    """Every activation script for ``ctx``, by file name."""
    return {name: render(ctx) for name, render in SCRIPTS.items()}
