"""What a shell showed at each phase of an activation run (plain data, no logic about what is
right: that belongs to :mod:`pytest_venvlab.assertions` and the conformance suite)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "ACTIVATED",
    "AGAIN",
    "BEFORE",
    "DEACTIVATED",
    "NONDESTRUCTIVE",
    "OTHER",
    "PHASES",
    "REACTIVATED",
    "ActivationObservation",
    "ShellState",
]

#: The shell's state before anything was sourced.
BEFORE = "before"
#: After sourcing the env's activate script once.
ACTIVATED = "activated"
#: After sourcing the same activate script a second time (``activate_twice=True``).
AGAIN = "again"
#: After sourcing another env's activate script on top (``other_env=...``).
OTHER = "other"
#: After ``deactivate nondestructive`` (``nondestructive=True``, the default).
NONDESTRUCTIVE = "nondestructive"
#: After sourcing the env's activate script again, following ``deactivate nondestructive``.
REACTIVATED = "reactivated"
#: After a plain ``deactivate``.
DEACTIVATED = "deactivated"
#: Every phase name, in the order phases run.
PHASES = (BEFORE, ACTIVATED, AGAIN, OTHER, NONDESTRUCTIVE, REACTIVATED, DEACTIVATED)


@dataclass(frozen=True)
class ShellState:
    """The shell's state at one phase, read back byte for byte.

    Strings are decoded from UTF-8 with ``surrogateescape``, so ``os.fsencode(value)`` gives the
    exact bytes the shell held. ``None`` means *unset* (distinct from the empty string).
    """

    #: The phase name (one of ``PHASES``).
    phase: str
    #: The command that led to this phase, as the shell ran it (``""`` for ``before``).
    action: str
    #: The exit status of that command (``0`` for ``before``).
    status: int
    #: ``$PATH`` (fish: its elements joined with ``:``).
    path: str | None
    virtual_env: str | None
    #: Whether ``VIRTUAL_ENV`` is in the environment child processes get.
    virtual_env_exported: bool
    virtual_env_prompt: str | None
    #: The prompt as the shell shows it: ``$PS1`` (bash, dash), the expanded ``$PS1``
    #: (zsh, ``print -rP``), ``fish_prompt``'s output without colour codes (fish), ``$prompt``
    #: (tcsh). ``None`` when no prompt is set.
    prompt: str | None
    #: The prompt before expansion or colour stripping (zsh: ``$PS1``; fish: raw output).
    prompt_raw: str | None
    pythonhome: str | None
    pythonhome_exported: bool
    #: What ``python`` resolves to in the shell (``command -v`` / ``command -s`` / ``which``),
    #: ``None`` if nothing.
    python: str | None
    #: Whether ``deactivate`` is in the shell's own function (or, in tcsh, alias) table. A
    #: ``deactivate`` *program* on PATH does not count.
    deactivate_defined: bool
    #: Names of ``_OLD_VIRTUAL_*`` / ``_OLD_FISH_*`` variables still set.
    leftovers: tuple[str, ...]
    #: The arguments of each ``hash`` call made during the step (sh family only; ``None`` where
    #: it is not observable).
    hash_calls: tuple[str, ...] | None
    #: What the step wrote to stdout and stderr (split at markers the driver prints on both
    #: streams before each step).
    stdout: str
    stderr: str
    #: The exported environment at this phase (``env -0``), for anything not listed above.
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def path_entries(self) -> tuple[str, ...]:
        """``PATH`` split at ``os.pathsep`` (empty if unset)."""
        return tuple(self.path.split(os.pathsep)) if self.path is not None else ()


@dataclass(frozen=True)
class ActivationObservation:
    """One run of a real shell over an env's activate script, phase by phase."""

    #: The shell's canonical name (``bash``, ``dash``, ``zsh``, ``fish``, ``tcsh``...).
    shell: str
    #: The shell executable that ran.
    shell_path: str
    #: The env's absolute path, and the activate script sourced.
    env_path: str
    script: str
    #: The other env's activate script (``other_env=...``), if any.
    other_script: str | None
    #: The phases that were planned, in order.
    planned: tuple[str, ...]
    #: The phases the shell reached, in order (fewer than planned if it exited early).
    phases: Mapping[str, ShellState]
    #: The shell's exit status, and everything it printed (step markers removed).
    returncode: int
    stdout: str
    stderr: str
    #: The options the run was made with (``initial_ps1``, ``pythonhome``, ``prompt_disabled``,
    #: ``strict_mode``, ``trace_hash``...), for messages.
    options: Mapping[str, object] = field(default_factory=dict)
    #: The driver script the shell ran, for debugging a surprising result.
    driver: str = field(default="", repr=False)

    @property
    def completed(self) -> bool:
        """Whether every planned phase was reached."""
        return all(name in self.phases for name in self.planned)

    def get(self, phase: str) -> ShellState | None:
        """The state at ``phase``, or ``None`` if it was not planned or not reached."""
        return self.phases.get(phase)

    def __getitem__(self, phase: str) -> ShellState:
        try:
            return self.phases[phase]
        except KeyError:
            reached = ", ".join(self.phases) or "none"
            raise KeyError(
                f"phase {phase!r} was not reached in {self.shell} (planned: "
                f"{', '.join(self.planned)}; reached: {reached}; exit {self.returncode})"
            ) from None

    @property
    def before(self) -> ShellState | None:
        return self.get(BEFORE)

    @property
    def activated(self) -> ShellState | None:
        return self.get(ACTIVATED)

    @property
    def again(self) -> ShellState | None:
        return self.get(AGAIN)

    @property
    def other(self) -> ShellState | None:
        return self.get(OTHER)

    @property
    def nondestructive(self) -> ShellState | None:
        return self.get(NONDESTRUCTIVE)

    @property
    def reactivated(self) -> ShellState | None:
        return self.get(REACTIVATED)

    @property
    def deactivated(self) -> ShellState | None:
        return self.get(DEACTIVATED)

    def describe(self) -> str:
        """A multi-line summary (phase by phase) for failure messages."""
        lines = [
            f"{self.shell} ({self.shell_path}) over {self.script!r}: exit {self.returncode}",
        ]
        for name, state in self.phases.items():
            lines.append(
                f"  {name:<15} status={state.status} PATH={state.path!r} "
                f"VIRTUAL_ENV={state.virtual_env!r} prompt={state.prompt!r} "
                f"PYTHONHOME={state.pythonhome!r} deactivate={state.deactivate_defined}"
            )
        missing = [name for name in self.planned if name not in self.phases]
        if missing:
            lines.append(f"  not reached: {', '.join(missing)}")
        if self.stderr.strip():
            lines.append(f"  stderr: {self.stderr.strip()[-500:]!r}")
        return "\n".join(lines)
