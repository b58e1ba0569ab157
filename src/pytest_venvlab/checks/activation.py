"""Activation checks (ACT-*), judged from a shell's raw observations."""

from __future__ import annotations

import ast
import os

from ..errors import VenvlabError
from ..handle import Venv
from ..pyvenv_cfg import read_pyvenv_cfg
from ..shells import ActivationObservation, ShellState
from .isolation import same_path
from .violation import Violation, documented_differences, env_version, is_documented

__all__ = [
    "activation_violations",
    "disabled_violations",
    "expected_label",
    "expected_virtual_env_prompt",
    "other_env_violations",
    "strict_mode_violations",
]

# --- activation ---------------------------------------------------------------------------------


def expected_label(env: Venv) -> str:
    """The prompt text ``P`` activation shows: the spec's prompt, pyvenv.cfg's, or the dir name."""
    if env.spec is not None and env.spec.prompt is not None:
        return env.spec.prompt
    if env.spec is None:
        try:
            raw = read_pyvenv_cfg(env.path).get("prompt")
        except (OSError, VenvlabError):
            raw = None
        if raw:
            if raw[:1] in {"'", '"'} and raw[-1:] == raw[:1]:
                try:
                    value = ast.literal_eval(raw)
                except (ValueError, SyntaxError):
                    return raw[1:-1]
                return value if isinstance(value, str) else raw
            return raw
    return env.path.name


def expected_virtual_env_prompt(env: Venv, *, prompt_disabled: bool = False) -> str | None:
    """``VIRTUAL_ENV_PROMPT`` as the env's creator and Python version define it (ACT-4).

    CPython: unset on 3.8-3.9; ``"(P) "`` on 3.10-3.12, and unset when the prompt is disabled;
    ``"P"`` on 3.13+, always. A creator that documents ``ACT-4`` (virtualenv, uv): ``"P"``,
    always. ``None`` means unset.
    """
    label = expected_label(env)
    if "ACT-4" in documented_differences(env):
        return label
    version = env_version(env)
    if version < (3, 10):
        return None
    if version < (3, 13):
        return None if prompt_disabled else f"({label}) "
    return label


def _shown_prompt_ok(state: ShellState, expected: str) -> bool:
    """The prompt shows ``expected``: as drawn, as written, or as written with the shell's own
    escapes (virtualenv backslash-escapes ``$``, backquotes and backslashes for bash)."""
    candidates = {state.prompt, state.prompt_raw}
    if state.prompt_raw is not None:
        candidates.add(_unescape_bash(state.prompt_raw))
    return expected in candidates


def _unescape_bash(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text.startswith("\\\\\\\\", i):
            out.append("\\")
            i += 4
        elif text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "$`":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def activation_violations(
    env: Venv, obs: ActivationObservation, family: str, version: tuple[int, int]
) -> list[Violation]:
    found: list[Violation] = []
    env_path = os.fspath(env.path)
    bin_dir = os.fspath(env.bin_dir)
    label = expected_label(env)
    documented = documented_differences(env)
    before = obs.before
    if not obs.completed or obs.returncode != 0:
        found.append(
            Violation(
                "ACT-1",
                "the activate script runs in the shell",
                "every step runs, exit 0",
                f"exit {obs.returncode}; reached {', '.join(obs.phases) or 'nothing'} of "
                f"{', '.join(obs.planned)}",
                (f"stderr: {obs.stderr.strip()[-1500:]!r}",),
            )
        )
    if before is None:
        return found
    old_path = before.path or ""
    expected_path = bin_dir + os.pathsep + old_path if old_path else bin_dir
    for name in ("activated", "again", "reactivated"):
        state = obs.get(name)
        if state is None:
            continue
        if state.status != 0:
            found.append(
                Violation(
                    "ACT-1",
                    f"sourcing the activate script succeeds ({name})",
                    "exit status 0",
                    f"exit status {state.status}",
                    (f"stderr: {state.stderr.strip()[-1500:]!r}",),
                )
            )
        if state.virtual_env != env_path or not state.virtual_env_exported:
            found.append(
                Violation(
                    "ACT-1",
                    f"VIRTUAL_ENV is the env's absolute path and exported ({name})",
                    f"{env_path!r}, exported",
                    f"{state.virtual_env!r}, "
                    + ("exported" if state.virtual_env_exported else "unexported"),
                )
            )
        if state.path != expected_path:
            count = sum(1 for e in state.path_entries if same_path(e, bin_dir))
            found.append(
                Violation(
                    "ACT-2",
                    f"PATH gets the env's bin dir prepended exactly once ({name})",
                    f"PATH = {expected_path!r}",
                    f"PATH = {state.path!r} (bin dir appears {count} times)",
                    (f"PATH before: {old_path!r}",),
                )
            )
        if state.python is None or not same_path(state.python, os.fspath(env.python)):
            found.append(
                Violation(
                    "CLI-7",
                    f"`python` resolves to the env's interpreter ({name})",
                    repr(os.fspath(env.python)),
                    repr(state.python),
                )
            )
        if family != "csh" and state.pythonhome is not None:
            found.append(
                Violation(
                    "ACT-6",
                    f"PYTHONHOME is unset while the env is active ({name})",
                    "unset",
                    repr(state.pythonhome),
                    (f"PYTHONHOME before: {before.pythonhome!r}",),
                )
            )
        found += _prompt_violations(
            env,
            state,
            before=before,
            family=family,
            shell=obs.shell,
            version=version,
            label=label,
            documented=documented,
            name=name,
        )
    for name in ("nondestructive", "deactivated"):
        state = obs.get(name)
        if state is None:
            continue
        req = "ACT-8" if name == "nondestructive" else "ACT-7"
        restored = [
            ("PATH", before.path, state.path),
            ("the prompt", before.prompt, state.prompt),
            ("PYTHONHOME", before.pythonhome, state.pythonhome),
            ("VIRTUAL_ENV", None, state.virtual_env),
            ("VIRTUAL_ENV_PROMPT", None, state.virtual_env_prompt),
        ]
        for what, want, got in restored:
            if want != got:
                found.append(
                    Violation(
                        req,
                        f"`{state.action}` restores {what} byte for byte",
                        f"{what} = {want!r}",
                        f"{what} = {got!r}",
                        (f"PATH before: {before.path!r}", f"PATH after:  {state.path!r}"),
                    )
                )
        if state.leftovers:
            found.append(
                Violation(
                    req,
                    f"`{state.action}` leaves no _OLD_VIRTUAL_* variables",
                    "none",
                    ", ".join(state.leftovers),
                )
            )
        keeps = name == "nondestructive"
        if state.deactivate_defined != keeps:
            found.append(
                Violation(
                    req,
                    "`deactivate nondestructive` keeps the deactivate function"
                    if keeps
                    else "`deactivate` removes itself from the shell's function table",
                    f"deactivate {'defined' if keeps else 'gone'} (asked of the shell itself)",
                    f"deactivate {'defined' if state.deactivate_defined else 'gone'}",
                )
            )
    return found


def _prompt_violations(
    env: Venv,
    state: ShellState,
    *,
    before: ShellState,
    family: str,
    version: tuple[int, int],
    label: str,
    documented: dict[str, str],
    name: str,
    shell: str,
) -> list[Violation]:
    found: list[Violation] = []
    hint: tuple[str, ...] = ()
    if env.spec is None or env.spec.prompt is None:
        hint = (
            f"the default prompt is the directory name when the env was made ({label!r} "
            "expected here); an env copied or moved since keeps its old name in the activate "
            "scripts",
        )
    template = "[{}] " if family == "csh" and version < (3, 9) else "({}) "
    old = before.prompt or ""
    expected = template.format(label) + old
    if not _shown_prompt_ok(state, expected) and not (
        is_documented(documented, "ACT-3", shell) and state.prompt == before.prompt
    ):
        found.append(
            Violation(
                "ACT-3",
                f"the prompt shows the env's prompt ({name})",
                repr(expected),
                f"{state.prompt!r} (unexpanded: {state.prompt_raw!r})",
                hint,
            )
        )
    want = expected_virtual_env_prompt(env)
    if state.virtual_env_prompt != want:
        injected = any(c in label for c in "$`\\\"'") and want is not None
        found.append(
            Violation(
                "ACT-11" if injected else "ACT-4",
                (
                    f"a prompt with shell syntax stays literal in VIRTUAL_ENV_PROMPT ({name}); "
                    "see CVE-2024-9287"
                )
                if injected
                else f"VIRTUAL_ENV_PROMPT as the creator and Python {version[0]}.{version[1]} "
                f"define it ({name})",
                repr(want) + (" (unset)" if want is None else ""),
                repr(state.virtual_env_prompt),
                () if injected else hint,
            )
        )
    return found


def disabled_violations(env: Venv, obs: ActivationObservation) -> list[Violation]:
    found: list[Violation] = []
    before, active = obs.before, obs.activated
    if before is None or active is None:
        return found
    if active.prompt != before.prompt:
        found.append(
            Violation(
                "ACT-5",
                "VIRTUAL_ENV_DISABLE_PROMPT=1 leaves the prompt unchanged",
                repr(before.prompt),
                repr(active.prompt),
            )
        )
    want = expected_virtual_env_prompt(env, prompt_disabled=True)
    if active.virtual_env_prompt != want:
        found.append(
            Violation(
                "ACT-4",
                "VIRTUAL_ENV_PROMPT with the prompt disabled, as the creator and Python define it",
                repr(want),
                repr(active.virtual_env_prompt),
            )
        )
    return found


def strict_mode_violations(obs: ActivationObservation) -> list[Violation]:
    printed = (obs.stdout + obs.stderr).strip()
    if obs.returncode == 0 and obs.completed and not printed:
        return []
    return [
        Violation(
            "ACT-10",
            "`set -euo pipefail; source activate; deactivate` prints nothing and exits 0",
            "exit 0, no output",
            f"exit {obs.returncode}, reached {', '.join(obs.phases)}; output {printed[-1500:]!r}",
        )
    ]


def other_env_violations(env: Venv, other_env: Venv, obs: ActivationObservation) -> list[Violation]:
    state, before = obs.other, obs.before
    if state is None or before is None:
        return []
    other_bin = os.fspath(other_env.bin_dir)
    expected = other_bin + os.pathsep + (before.path or "")
    if state.path == expected and state.virtual_env == os.fspath(other_env.path):
        return []
    return [
        Violation(
            "ACT-2",
            "activating one env after another leaves exactly one env bin dir on PATH",
            f"PATH = {expected!r}, VIRTUAL_ENV = {os.fspath(other_env.path)!r}",
            f"PATH = {state.path!r}, VIRTUAL_ENV = {state.virtual_env!r}",
            (f"PATH before: {before.path!r}", f"first env's bin dir: {os.fspath(env.bin_dir)!r}"),
        )
    ]
