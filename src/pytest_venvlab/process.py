"""Running commands in a hermetic process environment, with readable failures."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Union

from .errors import CommandError

__all__ = ["SCRUBBED_PREFIXES", "SCRUBBED_VARIABLES", "hermetic_env", "run_command"]

#: Variables removed from every process the plugin starts: each changes what an env sees.
SCRUBBED_VARIABLES = frozenset(
    {
        "PYTHONPATH",
        "PYTHONHOME",
        "PYTHONSTARTUP",
        "PYTHONEXECUTABLE",
        "PYTHONUSERBASE",
        "VIRTUAL_ENV",
        "VIRTUAL_ENV_PROMPT",
        "__PYVENV_LAUNCHER__",
    }
)
#: Variable prefixes removed likewise (installer and other environment managers' settings).
SCRUBBED_PREFIXES = ("PIP_", "UV_", "CONDA_", "VIRTUALENV_", "PYENV_VIRTUAL_ENV")

Arg = Union[str, "os.PathLike[str]"]


def hermetic_env(
    *,
    bin_dir: Path | None = None,
    user_site: bool = False,
    extra: Mapping[str, str] | None = None,
    base: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A copy of ``base`` (default: ``os.environ``) with nothing in it that could leak into an env.

    ``bin_dir`` goes first on PATH. ``PYTHONNOUSERSITE`` is set unless ``user_site``. ``extra`` is
    applied last, so a caller can put back anything on purpose.
    """
    source = os.environ if base is None else base
    env = {
        key: value
        for key, value in source.items()
        if key not in SCRUBBED_VARIABLES and not key.startswith(SCRUBBED_PREFIXES)
    }
    if bin_dir is not None:
        env["PATH"] = os.pathsep.join(filter(None, [os.fspath(bin_dir), env.get("PATH", "")]))
    if user_site:
        env.pop("PYTHONNOUSERSITE", None)
    else:
        env["PYTHONNOUSERSITE"] = "1"
    if extra:
        env.update(extra)
    return env


def run_command(
    args: Sequence[Arg],
    *,
    env: Mapping[str, str],
    cwd: Arg | None = None,
    check: bool = True,
    input: str | None = None,
    timeout: float | None = None,
    what: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` and return the completed process (text output captured).

    With ``check``, a non-zero exit raises :class:`CommandError` carrying the output.
    """
    argv = [os.fspath(a) for a in args]
    try:
        proc = subprocess.run(
            argv,
            env=dict(env),
            cwd=None if cwd is None else os.fspath(cwd),
            input=input,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise CommandError(
            f"{what or 'command'} could not start: {argv[0]!r} was not found",
            returncode=127,
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(
            f"{what or 'command'} timed out after {timeout}s: {shlex.join(argv)}",
            returncode=-1,
            stdout=_text(exc.stdout),
            stderr=_text(exc.stderr),
        ) from exc
    if check and proc.returncode != 0:
        raise CommandError(
            f"{what or 'command'} failed with exit code {proc.returncode}: {shlex.join(argv)}",
            returncode=proc.returncode,
            stdout=proc.stdout,
            stderr=proc.stderr,
        )
    return proc


def _text(data: str | bytes | None) -> str:
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data
