"""The shells package's raw observations: byte-exact values, phases, the shell's own function
table, hash calls, strict mode, and how missing or unknown shells are reported."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pytest_venvlab import SpecError, Venv, VenvSpec, create_venv
from pytest_venvlab.shells import (
    PHASES,
    ShellNotFoundError,
    activate_script,
    available_shells,
    canonical_shell_name,
    find_shell,
    observe_activation,
    shell_names,
    strip_ansi,
)

SHELLS = ["bash", "dash", "zsh", "fish", "tcsh"]
HARD_NAME = "sp ace $x 'q\" ü"


def need(shell: str) -> None:
    """Skip when the shell is missing here; fail under CI (where .ci/run installs all five)."""
    if shell not in available_shells():
        if os.environ.get("CI"):
            pytest.fail(f"shell {shell!r} is not installed", pytrace=False)
        pytest.skip(f"shell {shell!r} is not installed")


@pytest.fixture(scope="module")
def hard_env(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A virtualenv env (its scripts quote everything) at a path with every awkward character."""
    return create_venv(VenvSpec(creator="virtualenv"), tmp_path_factory.mktemp("obs") / HARD_NAME)


@pytest.fixture(scope="module")
def cpython_env(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return create_venv(VenvSpec(), tmp_path_factory.mktemp("obs") / "plain env")


def test_known_names_and_aliases() -> None:
    assert shell_names() == ["bash", "dash", "zsh", "fish", "tcsh", "pwsh", "nu"]
    assert canonical_shell_name("sh") == "dash"
    assert canonical_shell_name("csh") == "tcsh"
    assert canonical_shell_name("PowerShell") == "pwsh"
    with pytest.raises(SpecError, match=r"shell 'ksh' is not accepted; accepted: bash, dash, sh"):
        canonical_shell_name("ksh")


def test_available_shells_are_the_installed_ones() -> None:
    found = available_shells()
    for name, path in found.items():
        assert os.access(path, os.X_OK), name
    if os.environ.get("CI"):
        assert set(SHELLS) <= set(found)


def test_a_missing_shell_is_reported_with_its_name(cpython_env: Venv) -> None:
    if shutil.which("nu"):
        pytest.skip("nushell is installed here")
    with pytest.raises(ShellNotFoundError, match="shell 'nu' is not installed") as info:
        observe_activation(cpython_env, "nushell")
    assert info.value.shell == "nu"
    with pytest.raises(ShellNotFoundError):
        find_shell("nu")


@pytest.mark.parametrize("shell", SHELLS)
def test_values_round_trip_byte_for_byte(hard_env: Venv, shell: str) -> None:
    need(shell)
    initial = "we\"ird 'p ü> "
    obs = observe_activation(hard_env, shell, initial_ps1=initial, pythonhome="/py home $HOME")
    assert obs.completed, obs.describe()
    assert obs.returncode == 0
    assert list(obs.phases) == [
        "before",
        "activated",
        "nondestructive",
        "reactivated",
        "deactivated",
    ]
    before, active, after = obs["before"], obs["activated"], obs["deactivated"]
    env_path = os.fspath(hard_env.path)
    assert os.fsencode(active.virtual_env or "") == os.fsencode(env_path)
    assert active.virtual_env_exported
    assert active.path_entries[0] == os.fspath(hard_env.bin_dir)
    assert active.path_entries[1:] == before.path_entries
    assert active.python == os.fspath(hard_env.python)
    assert before.pythonhome == after.pythonhome == "/py home $HOME"
    assert before.pythonhome_exported
    assert active.pythonhome is None
    assert before.prompt_raw == initial
    assert after.prompt == before.prompt
    assert after.path == before.path
    assert active.deactivate_defined
    # virtualenv's csh deactivate ignores "nondestructive" (a real deviation, see test_activation).
    assert obs["nondestructive"].deactivate_defined or shell == "tcsh"
    assert not after.deactivate_defined
    assert not before.deactivate_defined
    assert after.leftovers == ()


@pytest.mark.parametrize("shell", SHELLS)
def test_a_deactivate_program_on_path_does_not_count(
    cpython_env: Venv, shell: str, tmp_path: Path
) -> None:
    need(shell)
    fake = tmp_path / "fake bin"
    fake.mkdir()
    program = fake / "deactivate"
    program.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    program.chmod(0o755)
    base_path = f"{fake}{os.pathsep}{os.environ['PATH']}"
    obs = observe_activation(cpython_env, shell, base_path=base_path, nondestructive=False)
    assert obs["before"].path_entries[0] == os.fspath(fake)
    assert not obs["before"].deactivate_defined
    assert obs["activated"].deactivate_defined
    assert not obs["deactivated"].deactivate_defined


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh"])
def test_hash_calls_are_recorded(cpython_env: Venv, shell: str) -> None:
    need(shell)
    obs = observe_activation(cpython_env, shell, nondestructive=False)
    assert obs["before"].hash_calls is None
    # ACT-9: hash -r at the start and end of activate, and in deactivate; before 3.11, CPython
    # calls it only under bash and zsh.
    assert cpython_env.interpreter is not None
    if shell == "dash" and cpython_env.interpreter.version_info < (3, 11):
        assert obs["activated"].hash_calls == ()
        return
    assert obs["activated"].hash_calls == ("-r", "-r")
    assert obs["deactivated"].hash_calls == ("-r",)


def test_all_phases_in_order(cpython_env: Venv, tmp_path: Path) -> None:
    other = create_venv(VenvSpec(), tmp_path / "other")
    obs = observe_activation(cpython_env, "bash", activate_twice=True, other_env=other)
    assert obs.planned == PHASES
    assert tuple(obs.phases) == PHASES
    assert obs.other_script == os.fspath(other.bin_dir / "activate")
    assert obs["other"].virtual_env == os.fspath(other.path)
    assert obs["again"].path == obs["activated"].path


def test_prompt_disabled_and_unset_prompt(cpython_env: Venv) -> None:
    obs = observe_activation(cpython_env, "bash", prompt_disabled=True, nondestructive=False)
    assert obs["activated"].prompt == obs["before"].prompt
    unset = observe_activation(cpython_env, "dash", initial_ps1=None, nondestructive=False)
    assert unset["before"].prompt is None
    assert unset["activated"].prompt is not None


def test_strict_mode_stops_at_the_failing_step(cpython_env: Venv, tmp_path: Path) -> None:
    script = tmp_path / "activate"
    script.write_text(
        (cpython_env.bin_dir / "activate").read_text(encoding="utf-8") + ': "$NEVER_SET"\n',
        encoding="utf-8",
    )
    obs = observe_activation(cpython_env, "bash", strict_mode=True, script=script)
    assert obs.returncode != 0
    assert not obs.completed
    assert list(obs.phases) == ["before"]
    assert "NEVER_SET" in obs.stderr
    with pytest.raises(KeyError, match="phase 'activated' was not reached in bash"):
        obs["activated"]


@pytest.mark.parametrize("shell", SHELLS)
def test_step_output_is_split_per_phase(cpython_env: Venv, shell: str, tmp_path: Path) -> None:
    need(shell)
    original = activate_script(cpython_env, shell)
    to_stderr = "> /dev/stderr" if shell == "tcsh" else ">&2"
    script = tmp_path / original.name
    script.write_text(
        original.read_text(encoding="utf-8") + f"echo hello-out\necho hello-err {to_stderr}\n",
        encoding="utf-8",
    )
    obs = observe_activation(cpython_env, shell, script=script, nondestructive=False)
    assert obs["activated"].stdout == "hello-out\n"
    assert obs["activated"].stderr == "hello-err\n"
    assert obs["deactivated"].stdout == ""
    assert obs.stdout == "hello-out\n"
    assert obs.stderr == "hello-err\n"


def test_fish_prompt_colours_are_stripped(cpython_env: Venv) -> None:
    need("fish")
    obs = observe_activation(cpython_env, "fish", nondestructive=False)
    active = obs["activated"]
    assert active.prompt == f"({cpython_env.path.name}) venvlab-prompt> "
    assert active.prompt_raw is not None
    assert strip_ansi(active.prompt_raw).rstrip("\n") == active.prompt


def test_activate_script_names() -> None:
    root = Path("/nowhere/env")
    assert activate_script(root, "bash") == root / "bin" / "activate"
    assert activate_script(root, "csh") == root / "bin" / "activate.csh"
    assert activate_script(root, "fish") == root / "bin" / "activate.fish"


def test_values_a_shell_cannot_take_are_refused(cpython_env: Venv) -> None:
    need("tcsh")
    with pytest.raises(SpecError, match=r"initial_ps1='a\\nb' cannot be passed to tcsh"):
        observe_activation(cpython_env, "tcsh", initial_ps1="a\nb")
    with pytest.raises(SpecError, match=r"pythonhome=.* cannot be passed to bash"):
        observe_activation(cpython_env, "bash", pythonhome="a\0b")
