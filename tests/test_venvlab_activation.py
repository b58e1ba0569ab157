"""venvlab's own activation scripts in real shells, at paths full of shell syntax.

The structured checks come from :func:`pytest_venvlab.assert_activation` (the shells package);
the prompt as an interactive shell really draws it, and relocation, are checked here directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_venvlab import InterpreterNotFoundError, Venv, assert_activation, create_venv
from pytest_venvlab.shells import available_shells, observe_activation

SHELLS = ["bash", "dash", "zsh", "fish", "tcsh"]
#: A directory name with spaces, both quotes, ``$`` and non-ASCII characters (CLI-7).
NASTY_DIR = "sp ace \"dq\" 'sq' $HOME ünï cødé"
#: A prompt that would run commands if any shell evaluated it (ACT-11, CVE-2024-9287).
INJECTION = "$(echo INJECTED) `echo BACKTICK` \"dq\" 'sq'"
#: What the prompt escaping for each shell's own prompt expansion must also survive.
PROMPT_SYNTAX = INJECTION + " %n !x \\u"


def _need_shell(name: str) -> str:
    found = available_shells().get(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"shell {name!r} is not installed (CI)", pytrace=False)
        pytest.skip(f"shell {name!r} is not installed")
    return found


def _env(tmp_path: Path, python: str, prompt: str | None = None, name: str = NASTY_DIR) -> Venv:
    try:
        return create_venv(dest=tmp_path / name, creator="venvlab", python=python, prompt=prompt)
    except InterpreterNotFoundError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.mark.parametrize("python", ["3.8", "current", "3.13"])
@pytest.mark.parametrize("shell", SHELLS)
def test_activation_in_every_shell(shell: str, python: str, tmp_path: Path) -> None:
    _need_shell(shell)
    env = _env(tmp_path, python, prompt=INJECTION)
    other = _env(tmp_path, python, name="other env")
    obs = assert_activation(env, shell=shell, other_env=other)
    assert obs.activated is not None
    assert obs.activated.virtual_env == os.fspath(env.path)
    assert "INJECTED\n" not in obs.stdout + obs.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_default_prompt_is_the_directory_name(shell: str, tmp_path: Path) -> None:
    _need_shell(shell)
    assert_activation(_env(tmp_path, "current"), shell=shell)


def _interactive_output(shell: str, exe: str, script: Path) -> str:
    """What an interactive ``shell`` prints after sourcing ``script`` (prompts included)."""
    source = "source" if shell == "tcsh" else "."
    flags = ["-f", "-i"] if shell == "tcsh" else ["-i"]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/nonexistent",
        "LC_ALL": "C.UTF-8",
        "TERM": "dumb",
        # No tty: line editors assume 80 columns and cut longer lines; keep every line whole.
        "COLUMNS": "4096",
        "S": os.fspath(script),
    }
    if shell != "tcsh":
        env["PS1"] = "BASE> "
    proc = subprocess.run(
        [exe, *flags],
        input=f'{source} "$S"\nexit\n',
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    return proc.stdout + proc.stderr


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "tcsh"])
def test_interactive_prompt_shows_the_prompt_literally(shell: str, tmp_path: Path) -> None:
    """The prompt is drawn as given: no command substitution, ``%`` escape, history number or
    backslash escape of the shell's own prompt language touches it."""
    exe = _need_shell(shell)
    env = _env(tmp_path, "current", prompt=PROMPT_SYNTAX)
    script = env.bin_dir / ("activate.csh" if shell == "tcsh" else "activate")
    out = _interactive_output(shell, exe, script)
    assert f"({PROMPT_SYNTAX}) " in out
    assert "INJECTED" not in out.replace(PROMPT_SYNTAX, "")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_moved_env_activates_at_its_new_path(shell: str, tmp_path: Path) -> None:
    """Where the shell can tell a sourced script's location, VIRTUAL_ENV follows the move."""
    _need_shell(shell)
    env = _env(tmp_path, "current")
    moved = tmp_path / "moved here ü"
    shutil.move(env.path, moved)
    obs = observe_activation(moved, shell)
    assert obs.activated is not None
    assert obs.activated.virtual_env == os.fspath(moved)
    assert obs.activated.path_entries[0] == os.fspath(moved / "bin")
    assert obs.deactivated is not None
    assert obs.before is not None
    assert obs.deactivated.path == obs.before.path


def test_hash_r_runs_in_dash_too(tmp_path: Path) -> None:
    """ACT-9: ``hash -r`` at the start and end of activate and in deactivate, in every shell."""
    _need_shell("dash")
    obs = observe_activation(_env(tmp_path, "3.8"), "dash", nondestructive=False)
    assert obs.activated is not None
    assert obs.deactivated is not None
    assert list(obs.activated.hash_calls or ()).count("-r") == 2
    assert list(obs.deactivated.hash_calls or ()).count("-r") == 1


def test_unset_ps1_stays_unset(tmp_path: Path) -> None:
    _need_shell("bash")
    obs = observe_activation(_env(tmp_path, "current"), "bash", initial_ps1=None)
    assert obs.deactivated is not None
    assert obs.deactivated.prompt_raw is None


def test_powershell_and_nushell_scripts_hold_no_evaluated_values(tmp_path: Path) -> None:
    env = _env(tmp_path, "current", prompt=INJECTION)
    ps1 = (env.bin_dir / "Activate.ps1").read_bytes()
    assert b"\r\n" in ps1
    assert b"\n" not in ps1.replace(b"\r\n", b"")
    # Relocatable: neither the path nor the prompt is written into the PowerShell script.
    assert os.fsencode(env.path) not in ps1
    assert b"INJECTED" not in ps1
    nu = (env.bin_dir / "activate.nu").read_text("utf-8")
    assert f"r#'{env.path}'#" in nu
    assert f"r#'({INJECTION}) '#" in nu
    for name in ("activate", "activate.fish", "activate.csh", "Activate.ps1", "activate.nu"):
        assert (env.bin_dir / name).stat().st_mode & 0o777 == 0o644
        assert b"\r" not in (env.bin_dir / name).read_bytes() or name == "Activate.ps1"


@pytest.mark.parametrize("order", ["cpython-then-venvlab", "venvlab-then-cpython"])
@pytest.mark.parametrize("shell", ["bash", "fish", "tcsh"])
def test_switching_from_and_to_a_cpython_venv(shell: str, order: str, tmp_path: Path) -> None:
    """The saved values use the conventional names, so switching between a CPython venv and a
    venvlab environment leaves one env on PATH and ``deactivate`` restores the start."""
    _need_shell(shell)
    ours = _env(tmp_path, "current", name="ours")
    theirs = tmp_path / "theirs"
    subprocess.run(
        [
            os.fspath(ours.interpreter.executable if ours.interpreter else "python3"),
            "-m",
            "venv",
            "--without-pip",
            os.fspath(theirs),
        ],
        check=True,
        capture_output=True,
    )
    first, second = (theirs, ours.path) if order.startswith("cpython") else (ours.path, theirs)
    obs = observe_activation(first, shell, other_env=Venv(second))
    assert obs.before is not None
    assert obs.other is not None
    assert obs.deactivated is not None
    assert obs.other.path == os.fspath(second / "bin") + os.pathsep + (obs.before.path or "")
    assert obs.deactivated.path == obs.before.path
    assert obs.deactivated.virtual_env is None
    assert obs.deactivated.prompt == obs.before.prompt


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_copied_env_activates_as_the_copy_and_a_symlinked_script_as_the_original(
    shell: str, tmp_path: Path
) -> None:
    _need_shell(shell)
    env = _env(tmp_path, "current", name="orig")
    copy = tmp_path / "copy"
    shutil.copytree(env.path, copy, symlinks=True)
    obs = observe_activation(copy, shell)
    assert obs.activated is not None
    assert obs.activated.virtual_env == os.fspath(copy)
    # A script reached through a symlink elsewhere still activates the env it belongs to.
    elsewhere = tmp_path / "elsewhere" / "bin"
    elsewhere.mkdir(parents=True)
    name = "activate.fish" if shell == "fish" else "activate"
    (elsewhere / name).symlink_to(env.bin_dir / name)
    obs = observe_activation(env, shell, script=elsewhere / name)
    assert obs.activated is not None
    assert obs.activated.virtual_env == os.fspath(env.path)
