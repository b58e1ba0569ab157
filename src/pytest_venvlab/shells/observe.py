"""Running a real shell over an env's activate script and reading back what it showed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CommandError, SpecError
from ..process import hermetic_env
from .drivers import MARKER, Plan, Step, render
from .observation import (
    ACTIVATED,
    AGAIN,
    BEFORE,
    DEACTIVATED,
    NONDESTRUCTIVE,
    OTHER,
    REACTIVATED,
    ActivationObservation,
    ShellState,
)
from .registry import SHELLS, ShellInfo, canonical_shell_name, find_shell

if TYPE_CHECKING:
    from ..handle import Venv

__all__ = ["activate_script", "observe_activation", "strip_ansi"]

#: What runs a driver file, per shell (no rc files: the user's setup must not leak in).
_ARGV = {
    "bash": ("--norc", "--noprofile"),
    "dash": (),
    "zsh": ("-f",),
    "fish": ("--no-config",),
    "tcsh": ("-f",),
}
#: Variables removed from the shell's environment on top of the hermetic scrub.
_SHELL_SCRUB = ("BASH_ENV", "ENV", "ZDOTDIR", "PS1", "PROMPT_COMMAND", "VIRTUAL_ENV_DISABLE_PROMPT")
_ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][A-Za-z0-9]|.)")
_MARKER_LINE = re.compile(re.escape(MARKER.encode()) + rb" (\d+)\x1f\n")

DEFAULT_INITIAL_PROMPT = "venvlab-prompt> "


def strip_ansi(text: str) -> str:
    """``text`` without terminal escape sequences (colours, ``\\e(B``...)."""
    return _ANSI.sub("", text)


def activate_script(env: Venv | str | os.PathLike[str], shell: str) -> Path:
    """The activate script ``shell`` sources for ``env`` (the first existing candidate, else the
    first candidate's path)."""
    return _script_for(_bin_dir(env), SHELLS[canonical_shell_name(shell)])


def observe_activation(
    env: Venv | str | os.PathLike[str],
    shell: str = "bash",
    *,
    initial_ps1: str | None = DEFAULT_INITIAL_PROMPT,
    prompt_disabled: bool | str = False,
    pythonhome: str | None = None,
    activate_twice: bool = False,
    other_env: Venv | str | os.PathLike[str] | None = None,
    nondestructive: bool = True,
    strict_mode: bool = False,
    trace_hash: bool = True,
    script: str | os.PathLike[str] | None = None,
    base_path: str | None = None,
    timeout: float = 60.0,
) -> ActivationObservation:
    """Run ``shell`` over ``env``'s activate script and return what it showed at each phase.

    The shell starts from a hermetic environment: no rc files, no ``VIRTUAL_ENV*``,
    ``PYTHONHOME`` or ``PS1`` from the caller, and ``LC_ALL=C.UTF-8``. A failing step does not
    stop the run, except under ``strict_mode``. Phases that were not reached are missing from
    :attr:`ActivationObservation.phases`.

    :param env: a :class:`~pytest_venvlab.Venv` or the environment's path.
    :param shell: ``bash``, ``dash`` (``sh``), ``zsh``, ``fish`` or ``tcsh`` (``csh``).
    :param initial_ps1: the prompt before activation. It is ``PS1`` in the sh family, a
        ``fish_prompt`` function printing it in fish, and ``prompt`` in tcsh. ``None`` leaves
        it unset (fish: erases ``fish_prompt``, and fish may load its default one).
    :param prompt_disabled: ``True`` exports ``VIRTUAL_ENV_DISABLE_PROMPT=1``. A string exports
        exactly that value, such as ``"0"`` or ``""``.
    :param pythonhome: export ``PYTHONHOME`` with this value before activation; ``""`` is
        allowed.
    :param activate_twice: add the ``again`` phase (source the script a second time).
    :param other_env: add the ``other`` phase (source this env's script on top).
    :param nondestructive: add the ``nondestructive`` and ``reactivated`` phases.
    :param strict_mode: run under ``set -euo pipefail`` (``set -eu`` in dash). It applies to the
        sh family only.
    :param trace_hash: in the sh family, a ``hash`` function records the arguments of every
        call in :attr:`ShellState.hash_calls`, then runs the real builtin.
    :param script: source this file instead of the env's own activate script.
    :param base_path: the ``PATH`` to start from; by default, the current one.
    :param timeout: seconds before the shell is stopped.
    :raises ShellNotFoundError: the shell is not installed, or cannot be driven yet.
    :raises ~pytest_venvlab.CommandError: the shell did not finish within ``timeout``.
    """
    info, shell_path = find_shell(shell)
    env_path = Path(os.path.abspath(os.fspath(env)))
    main_script = Path(script) if script is not None else _script_for(_bin_dir(env), info)
    if not main_script.is_file():
        raise SpecError(f"no {info.name} activate script at {os.fspath(main_script)}")
    other_script = None if other_env is None else _script_for(_bin_dir(other_env), info)
    steps = [Step(ACTIVATED, "activate", os.fspath(main_script))]
    if activate_twice:
        steps.append(Step(AGAIN, "activate", os.fspath(main_script)))
    if other_script is not None:
        steps.append(Step(OTHER, "activate", os.fspath(other_script)))
    if nondestructive:
        steps.append(Step(NONDESTRUCTIVE, "deactivate nondestructive"))
        steps.append(Step(REACTIVATED, "activate", os.fspath(main_script)))
    steps.append(Step(DEACTIVATED, "deactivate"))
    disable = _disable_value(prompt_disabled)
    _check_values(
        info,
        {
            "initial_ps1": initial_ps1,
            "pythonhome": pythonhome,
            "prompt_disabled": disable,
            "script": os.fspath(main_script),
            "other_env": None if other_script is None else os.fspath(other_script),
            "base_path": base_path,
        },
    )
    options: dict[str, object] = {
        "initial_ps1": initial_ps1,
        "prompt_disabled": disable,
        "pythonhome": pythonhome,
        "activate_twice": activate_twice,
        "other_env": None if other_env is None else os.fspath(other_env),
        "nondestructive": nondestructive,
        "strict_mode": strict_mode and info.family == "sh",
        "trace_hash": trace_hash and info.family == "sh",
    }
    shell_env = _shell_environment(info, base_path)
    with tempfile.TemporaryDirectory(prefix="venvlab-shell-") as workdir:
        shell_env.setdefault("XDG_CONFIG_HOME", os.path.join(workdir, "config"))
        shell_env.setdefault("XDG_DATA_HOME", os.path.join(workdir, "data"))
        plan = Plan(
            shell=info.name,
            steps=tuple(steps),
            workdir=workdir,
            initial_prompt=initial_ps1,
            pythonhome=pythonhome,
            disable_prompt=disable,
            strict_mode=bool(options["strict_mode"]),
            trace_hash=bool(options["trace_hash"]),
            env_tool=_tool("env"),
            grep_tool=_tool("grep"),
            tr_tool=_tool("tr"),
            printf_tool=_tool("printf"),
        )
        driver = render(info.family, plan)
        driver_file = Path(workdir, f"driver.{info.name}")
        driver_file.write_text(driver, encoding="utf-8")
        argv = [shell_path, *_ARGV.get(info.name, ()), os.fspath(driver_file)]
        try:
            proc = subprocess.run(
                argv,
                env=shell_env,
                cwd=workdir,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise CommandError(
                f"{info.name} did not finish activating {os.fspath(env_path)} in {timeout}s",
                returncode=-1,
            ) from exc
        out_parts = _split(proc.stdout)
        err_parts = _split(proc.stderr)
        phases: dict[str, ShellState] = {}
        labels = [(BEFORE, "")] + [
            (s.phase, s.kind if s.script is None else f"{s.kind} {s.script}") for s in steps
        ]
        for index, (phase, action) in enumerate(labels):
            state = _read_state(
                info,
                workdir=Path(workdir),
                index=index,
                phase=phase,
                action=action,
                out_parts=out_parts,
                err_parts=err_parts,
                options=options,
            )
            if state is None:
                break
            phases[phase] = state
    return ActivationObservation(
        shell=info.name,
        shell_path=shell_path,
        env_path=os.fspath(env_path),
        script=os.fspath(main_script),
        other_script=None if other_script is None else os.fspath(other_script),
        planned=tuple(name for name, _ in labels),
        phases=phases,
        returncode=proc.returncode,
        stdout=_text(b"".join(out_parts.values())),
        stderr=_text(b"".join(err_parts.values())),
        options=options,
        driver=driver,
    )


def _check_values(info: ShellInfo, values: Mapping[str, str | None]) -> None:
    """Values go into the driver as quoted words: no NUL anywhere, no newline for csh."""
    for name, value in values.items():
        if value is None:
            continue
        if "\0" in value or (info.family == "csh" and ("\n" in value or "\r" in value)):
            accepted = "text without NUL" + (" or newlines" if info.family == "csh" else "")
            raise SpecError(
                f"{name}={value!r} cannot be passed to {info.name}; accepted: {accepted}"
            )


def _bin_dir(env: Venv | str | os.PathLike[str]) -> Path:
    bin_dir = getattr(env, "bin_dir", None)
    if isinstance(bin_dir, Path):
        return bin_dir
    return Path(os.path.abspath(os.fspath(env))) / ("Scripts" if os.name == "nt" else "bin")


def _script_for(bin_dir: Path, info: ShellInfo) -> Path:
    for name in info.scripts:
        candidate = bin_dir / name
        if candidate.is_file():
            return candidate
    return bin_dir / info.scripts[0]


def _disable_value(prompt_disabled: bool | str) -> str | None:
    if isinstance(prompt_disabled, str):
        return prompt_disabled
    return "1" if prompt_disabled else None


def _tool(name: str) -> str:
    found = shutil.which(name, path=os.defpath + os.pathsep + os.environ.get("PATH", ""))
    if found is None:
        raise SpecError(f"observing activation needs the {name!r} program, which was not found")
    return found


def _shell_environment(info: ShellInfo, base_path: str | None) -> dict[str, str]:
    env = hermetic_env()
    for name in _SHELL_SCRUB:
        env.pop(name, None)
    if base_path is not None:
        env["PATH"] = base_path
    env["LC_ALL"] = "C.UTF-8"
    return env


def _split(data: bytes) -> dict[int, bytes]:
    """Output per step: index 0 is what came before the first marker."""
    parts: dict[int, bytes] = {}
    index, pos = 0, 0
    for match in _MARKER_LINE.finditer(data):
        parts[index] = parts.get(index, b"") + data[pos : match.start()]
        index, pos = int(match.group(1)), match.end()
    parts[index] = parts.get(index, b"") + data[pos:]
    return parts


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _records(data: bytes) -> dict[str, str]:
    fields = data.split(b"\0")
    return {_text(fields[i]): _text(fields[i + 1]) for i in range(0, len(fields) - 1, 2)}


def _environ(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    result = {}
    for entry in path.read_bytes().split(b"\0"):
        key, sep, value = entry.partition(b"=")
        if sep:
            result[_text(key)] = _text(value)
    return result


def _flagged(value: str | None) -> str | None:
    """Driver encoding: ``""`` is unset, ``"1" + value`` is set."""
    return value[1:] if value else None


def _read_state(
    info: ShellInfo,
    *,
    workdir: Path,
    index: int,
    phase: str,
    action: str,
    out_parts: Mapping[int, bytes],
    err_parts: Mapping[int, bytes],
    options: Mapping[str, object],
) -> ShellState | None:
    environ = _environ(workdir / f"{index}.env")
    if info.family == "csh":
        values = _read_csh(workdir, index, environ)
    else:
        state_file = workdir / f"{index}.state"
        if not state_file.is_file():
            return None
        values = _records(state_file.read_bytes())
        if info.family == "fish":
            raw = _read_optional(workdir / f"{index}.prompt") if values.get("PROMPT_FILE") else None
            values["PROMPT_RAW"] = "" if raw is None else "1" + raw
            # fish draws the prompt without the output's final newline.
            shown = None if raw is None else strip_ansi(raw).removesuffix("\n")
            values["PROMPT"] = "" if shown is None else "1" + shown
    if values is None:
        return None
    hash_calls: tuple[str, ...] | None = None
    if options.get("trace_hash") and index > 0:
        hash_file = workdir / f"{index}.hash"
        text = _read_optional(hash_file) or ""
        hash_calls = tuple(line[2:] for line in text.splitlines() if line.startswith("H "))
    rc = values.get("rc", "0")
    return ShellState(
        phase=phase,
        action=action,
        status=int(rc) if rc.lstrip("-").isdigit() else -1,
        path=_flagged(values.get("PATH")),
        virtual_env=_flagged(values.get("VIRTUAL_ENV")),
        virtual_env_exported="VIRTUAL_ENV" in environ,
        virtual_env_prompt=_flagged(values.get("VIRTUAL_ENV_PROMPT")),
        prompt=_flagged(values.get("PROMPT")),
        prompt_raw=_flagged(values.get("PROMPT_RAW")),
        pythonhome=_flagged(values.get("PYTHONHOME")),
        pythonhome_exported="PYTHONHOME" in environ,
        python=values.get("PYTHON") or None,
        deactivate_defined=values.get("DEACTIVATE") == "1",
        leftovers=tuple(sorted(set(values.get("OLD", "").split()))),
        hash_calls=hash_calls,
        stdout=_text(out_parts.get(index, b"")),
        stderr=_text(err_parts.get(index, b"")),
        environ=environ,
    )


def _read_optional(path: Path) -> str | None:
    return _text(path.read_bytes()) if path.is_file() else None


def _read_csh(workdir: Path, index: int, environ: Mapping[str, str]) -> dict[str, str] | None:
    rc = _read_optional(workdir / f"{index}.rc")
    if rc is None:
        return None
    values = {"rc": rc}
    for name in ("PATH", "VIRTUAL_ENV", "VIRTUAL_ENV_PROMPT", "PYTHONHOME"):
        values[name] = "1" + environ[name] if name in environ else ""
    prompt = _read_optional(workdir / f"{index}.prompt")
    values["PROMPT"] = values["PROMPT_RAW"] = "" if prompt is None else "1" + prompt
    which = (_read_optional(workdir / f"{index}.which") or "").strip()
    values["PYTHON"] = which if which.startswith("/") else ""
    alias = (_read_optional(workdir / f"{index}.alias") or "").strip()
    values["DEACTIVATE"] = "1" if alias else "0"
    old = _read_optional(workdir / f"{index}.old") or ""
    env_old = [k for k in environ if re.match(r"_OLD_(VIRTUAL|FISH)_", k)]
    values["OLD"] = " ".join([*old.split(), *env_old])
    return values
