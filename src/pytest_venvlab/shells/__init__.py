"""Activation observed in real shells.

This package runs a real shell (bash, dash, zsh, fish, tcsh; PowerShell and nushell are known
but not driven yet) over an environment's activate script and returns what the shell showed,
phase by phase. It judges nothing: :func:`pytest_venvlab.assert_activation` and the conformance
suite compare the observations with what the creator and Python version define.

API (stable)
============

``available_shells() -> dict[str, str]``
    ``{name: executable}`` of the shells installed here that can be driven.

``shell_names() -> list[str]``, ``canonical_shell_name(name) -> str``
    Known names; ``sh`` means dash and ``csh`` means tcsh.

``find_shell(name) -> (ShellInfo, executable)``
    Raises :class:`ShellNotFoundError` (a ``VenvlabError`` with ``.shell``) when the shell is
    not installed; :class:`~pytest_venvlab.SpecError` for an unknown name.

``activate_script(env, shell) -> Path``
    The script that shell sources: ``activate`` (sh family), ``activate.fish``,
    ``activate.csh``.

``observe_activation(env, shell="bash", *, ...) -> ActivationObservation``
    ``env`` is a :class:`~pytest_venvlab.Venv` or a path. The shell starts from a hermetic
    environment (no rc files, ``VIRTUAL_ENV*``/``PYTHONHOME``/``PS1`` removed, ``LC_ALL=C.UTF-8``)
    and runs these steps, recording a :class:`ShellState` after each:

    ==================  =====================================================================
    phase               step that leads to it
    ==================  =====================================================================
    ``before``          (nothing: the starting state)
    ``activated``       source the env's activate script
    ``again``           source it once more (only with ``activate_twice=True``)
    ``other``           source ``other_env``'s script (only with ``other_env=...``)
    ``nondestructive``  ``deactivate nondestructive`` (only with ``nondestructive=True``)
    ``reactivated``     source the env's script again (only with ``nondestructive=True``)
    ``deactivated``     ``deactivate``
    ==================  =====================================================================

    Options:

    - ``initial_ps1`` (default ``"venvlab-prompt> "``): the prompt before activation, as
      ``PS1`` (sh family), a ``fish_prompt`` function printing it (fish) or ``prompt`` (tcsh);
      ``None`` leaves it unset.
    - ``prompt_disabled``: ``True`` exports ``VIRTUAL_ENV_DISABLE_PROMPT=1``; a string exports
      that exact value (``"0"``, ``""``).
    - ``pythonhome``: export ``PYTHONHOME`` with this value before activation (``""`` allowed).
    - ``activate_twice``, ``other_env``, ``nondestructive``: add the phases above.
    - ``strict_mode``: run under ``set -euo pipefail`` (dash: ``set -eu``); sh family only.
    - ``trace_hash`` (default on, sh family): a ``hash`` function records each call's
      arguments in :attr:`ShellState.hash_calls` before running the real builtin.
    - ``script``: source this file instead of the env's own script.
    - ``base_path``: ``PATH`` to start from (default: the current one).

    A step that fails does not stop the run (except under ``strict_mode``, where the shell exits
    as it would for a user); phases not reached are absent from
    :attr:`ActivationObservation.phases`, and :attr:`ActivationObservation.completed` is false.

:class:`ShellState` fields: ``path``, ``virtual_env`` (+ ``virtual_env_exported``),
``virtual_env_prompt``, ``prompt`` (as the shell draws it: bash ``${PS1@P}``, zsh
``print -rP -- "$PS1"``, dash ``$PS1``, fish ``fish_prompt`` output with colour codes and the
final newline stripped, tcsh ``$prompt``) and ``prompt_raw`` (the unexpanded value), ``pythonhome``
(+ ``pythonhome_exported``), ``python`` (what ``python`` resolves to in the shell),
``deactivate_defined`` (asked of the shell's own function/alias table, never ``command -v``),
``leftovers`` (``_OLD_VIRTUAL_*`` variables), ``hash_calls``, ``status``, ``stdout``,
``stderr``, ``environ``. ``None`` means unset; values round-trip byte for byte
(``os.fsencode``).
"""

from __future__ import annotations

from .observation import (
    ACTIVATED,
    AGAIN,
    BEFORE,
    DEACTIVATED,
    NONDESTRUCTIVE,
    OTHER,
    PHASES,
    REACTIVATED,
    ActivationObservation,
    ShellState,
)
from .observe import DEFAULT_INITIAL_PROMPT, activate_script, observe_activation, strip_ansi
from .registry import (
    SHELLS,
    ShellInfo,
    ShellNotFoundError,
    available_shells,
    canonical_shell_name,
    find_shell,
    shell_names,
)

__all__ = [
    "ACTIVATED",
    "AGAIN",
    "BEFORE",
    "DEACTIVATED",
    "DEFAULT_INITIAL_PROMPT",
    "NONDESTRUCTIVE",
    "OTHER",
    "PHASES",
    "REACTIVATED",
    "SHELLS",
    "ActivationObservation",
    "ShellInfo",
    "ShellNotFoundError",
    "ShellState",
    "activate_script",
    "available_shells",
    "canonical_shell_name",
    "find_shell",
    "observe_activation",
    "shell_names",
    "strip_ansi",
]
