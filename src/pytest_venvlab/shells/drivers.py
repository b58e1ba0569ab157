"""Driver scripts: the text each shell family runs to source activate scripts and write its state
to files after every step.

A driver never prints its observations: it writes them to files in a work directory (NUL
separated, so any byte but NUL round-trips), and prints only a marker line on stdout and stderr
before each step so the runner can tell which step printed what.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

__all__ = ["MARKER", "Plan", "Step", "render"]

#: Printed (with the step number) on stdout and stderr before each step.
MARKER = "\x1fvenvlab-step"

_OLD_PATTERN = "^_OLD_(VIRTUAL|FISH)_[A-Za-z0-9_]*"


@dataclass(frozen=True)
class Step:
    """One command run in the shell, leading to the phase ``phase``."""

    phase: str
    #: ``activate``, ``deactivate`` or ``deactivate nondestructive``.
    kind: str
    #: The activate script for ``activate`` steps.
    script: str | None = None


@dataclass(frozen=True)
class Plan:
    """Everything a driver needs: steps, starting state and tool paths."""

    shell: str
    steps: tuple[Step, ...]
    workdir: str
    initial_prompt: str | None
    pythonhome: str | None
    disable_prompt: str | None
    strict_mode: bool
    trace_hash: bool
    env_tool: str
    grep_tool: str
    tr_tool: str
    printf_tool: str


def render(family: str, plan: Plan) -> str:
    """The driver script for shell ``family`` (``sh``, ``fish`` or ``csh``)."""
    if family == "sh":
        return _render_sh(plan)
    if family == "fish":
        return _render_fish(plan)
    if family == "csh":
        return _render_csh(plan)
    raise ValueError(f"no driver for shell family {family!r}")


def _action(step: Step, source: str, quote: str) -> str:
    if step.kind == "activate":
        assert step.script is not None
        return f"{source} {quote}"
    return step.kind


# --- sh family: bash, dash, zsh -------------------------------------------------------------


def _deactivate_check_sh(shell: str) -> str:
    if shell == "bash":
        return "if declare -F deactivate >/dev/null 2>&1; then __vl_d=1; else __vl_d=0; fi"
    if shell == "zsh":
        return "if functions deactivate >/dev/null 2>&1; then __vl_d=1; else __vl_d=0; fi"
    return (
        "__vl_t=$(type deactivate 2>/dev/null) || __vl_t=\n"
        'case "$__vl_t" in *function*) __vl_d=1 ;; *) __vl_d=0 ;; esac'
    )


def _render_sh(plan: Plan) -> str:
    q = shlex.quote
    lines = [f"__vl_dir={q(plan.workdir)}", "__vl_hash=/dev/null", "__vl_rc=0"]
    if plan.initial_prompt is None:
        lines.append("unset PS1")
    else:
        lines.append(f"PS1={q(plan.initial_prompt)}")
    lines.append(_sh_export("PYTHONHOME", plan.pythonhome))
    lines.append(_sh_export("VIRTUAL_ENV_DISABLE_PROMPT", plan.disable_prompt))
    lines.append("unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT")
    if plan.trace_hash:
        real = "command hash" if plan.shell == "dash" else "builtin hash"
        lines.append('hash() { printf \'H %s\\n\' "$*" >> "$__vl_hash"; ' + real + ' "$@"; }')
    if plan.strict_mode:
        lines.append("set -eu" if plan.shell == "dash" else "set -euo pipefail")
    # What the user sees: zsh and bash expand PS1 when they draw it; dash shows it as it is.
    shown = {
        "zsh": '${PS1+1}$(print -rP -- "${PS1-}")',
        # In a subshell without -u/-e: a prompt naming an unset variable must not stop the run.
        "bash": "${PS1+1}$(set +eu; printf '%s' \"${PS1@P}\")",
    }.get(plan.shell, "${PS1+1}${PS1-}")
    check = _deactivate_check_sh(plan.shell)
    grep, tr, env = q(plan.grep_tool), q(plan.tr_tool), q(plan.env_tool)

    def dump(index: int) -> list[str]:
        values = " ".join(
            f'{name} "${{{name}+1}}${{{name}-}}"'
            for name in ("PATH", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME")
        )
        return [
            check,
            "__vl_py=$(command -v python 2>/dev/null) || __vl_py=",
            f"__vl_old=$(set | {grep} -a -o -E '{_OLD_PATTERN}' | {tr} '\\n' ' ') || __vl_old=",
            f'__vl_shown="{shown}"',
            f'printf \'%s\\0\' rc "$__vl_rc" {values} PROMPT_RAW "${{PS1+1}}${{PS1-}}" '
            'PROMPT "$__vl_shown" PYTHON "$__vl_py" DEACTIVATE "$__vl_d" OLD "$__vl_old" '
            f'> "$__vl_dir/{index}.state"',
            f'{env} -0 > "$__vl_dir/{index}.env"',
        ]

    lines += dump(0)
    for index, step in enumerate(plan.steps, start=1):
        marker = f"printf '\\037venvlab-step {index}\\037\\n'"
        lines += [marker, f"{marker} >&2", f'__vl_hash="$__vl_dir/{index}.hash"']
        lines.append(_action(step, ".", q(step.script or "")))
        lines.append("__vl_rc=$?")
        lines.append("__vl_hash=/dev/null")
        lines += dump(index)
    return "\n".join(lines) + "\n"


def _sh_export(name: str, value: str | None) -> str:
    if value is None:
        return f"unset {name}"
    return f"{name}={shlex.quote(value)}; export {name}"


# --- fish ------------------------------------------------------------------------------------


def fish_quote(value: str) -> str:
    """``value`` as one fish word."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _render_fish(plan: Plan) -> str:
    q = fish_quote
    lines = [f"set -g __vl_dir {q(plan.workdir)}", "set -g __vl_rc 0"]
    if plan.initial_prompt is None:
        lines.append("functions -e fish_prompt")
    else:
        lines.append(f"function fish_prompt; printf '%s' {q(plan.initial_prompt)}; end")
    for name, value in (
        ("PYTHONHOME", plan.pythonhome),
        ("VIRTUAL_ENV_DISABLE_PROMPT", plan.disable_prompt),
    ):
        lines.append(f"set -e {name}" if value is None else f"set -gx {name} {q(value)}")
    lines.append("set -e VIRTUAL_ENV; set -e VIRTUAL_ENV_PROMPT")

    def dump(index: int) -> list[str]:
        out = [
            "set -g __vl_d 0",
            "if functions -q deactivate; set __vl_d 1; end",
            "set -g __vl_py (command -s python)",
            "set -g __vl_old (set -n | string match -r -- '^_OLD_(?:VIRTUAL|FISH)_\\w*')",
        ]
        for name in ("PATH", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME"):
            out.append(f"set -g __vl_{name} ''; set -q {name}; and set __vl_{name} 1\"${name}\"")
        out += [
            "set -g __vl_p ''",
            f'if functions -q fish_prompt; fish_prompt > "$__vl_dir/{index}.prompt"; '
            "set __vl_p 1; end",
            'printf \'%s\\0\' rc "$__vl_rc" PATH "$__vl_PATH" VIRTUAL_ENV "$__vl_VIRTUAL_ENV" '
            'VIRTUAL_ENV_PROMPT "$__vl_VIRTUAL_ENV_PROMPT" PYTHONHOME "$__vl_PYTHONHOME" '
            'PROMPT_FILE "$__vl_p" PYTHON "$__vl_py" DEACTIVATE "$__vl_d" OLD "$__vl_old" '
            f'> "$__vl_dir/{index}.state"',
            f'{q(plan.env_tool)} -0 > "$__vl_dir/{index}.env"',
        ]
        return out

    lines += dump(0)
    for index, step in enumerate(plan.steps, start=1):
        marker = f"printf '\\037venvlab-step {index}\\037\\n'"
        lines += [marker, f"{marker} >&2"]
        lines.append(_action(step, "source", q(step.script or "")))
        lines.append("set __vl_rc $status")
        lines += dump(index)
    return "\n".join(lines) + "\n"


# --- csh / tcsh ------------------------------------------------------------------------------


def csh_quote(value: str) -> str:
    """``value`` as one csh word (single quotes; no newlines)."""
    return "'" + value.replace("'", "'\\''") + "'"


def _render_csh(plan: Plan) -> str:
    q = csh_quote
    printf = q(plan.printf_tool)
    # Built-ins where they are exact (fewer processes: tcsh is the slowest shell to drive).
    lines = [f"set __vl_dir = {q(plan.workdir)}", "set __vl_rc = 0", "set echo_style = bsd"]
    if plan.initial_prompt is None:
        lines.append("unset prompt")
    else:
        lines.append(f"set prompt = {q(plan.initial_prompt)}")
    for name, value in (
        ("PYTHONHOME", plan.pythonhome),
        ("VIRTUAL_ENV_DISABLE_PROMPT", plan.disable_prompt),
    ):
        lines.append(f"unsetenv {name}" if value is None else f"setenv {name} {q(value)}")
    lines.append("unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT")

    def dump(index: int) -> list[str]:
        base = f'"$__vl_dir/{index}'
        return [
            f'echo -n "$__vl_rc" > {base}.rc"',
            f'{q(plan.env_tool)} -0 > {base}.env"',
            f'alias deactivate > {base}.alias"',
            f'which python >& {base}.which"',
            f"set | {q(plan.grep_tool)} -a -o -E '{_OLD_PATTERN}' > {base}.old\"",
            "if ($?prompt) then",
            f'    {printf} "%s" "$prompt:q" > {base}.prompt"',
            "endif",
        ]

    lines += dump(0)
    for index, step in enumerate(plan.steps, start=1):
        marker = f"echo '{MARKER} {index}\x1f'"
        lines += [marker, f"{marker} >& /dev/stderr"]
        lines.append(_action(step, "source", q(step.script or "")))
        lines.append("set __vl_rc = $status")
        lines += dump(index)
    return "\n".join(lines) + "\n"
