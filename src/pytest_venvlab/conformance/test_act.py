"""Section 7: activation in real shells (ACT-1 ... ACT-11, ACT-F1, ACT-C1).

Every check reads structured observations from :mod:`pytest_venvlab.shells`; one standard run per
environment and shell (activate, again, deactivate nondestructive, reactivate, deactivate) serves
most rows, and the rows that need other options make their own runs.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ..handle import Venv
from ..settings import get_settings
from ..shells import (
    DEFAULT_INITIAL_PROMPT,
    ActivationObservation,
    ShellState,
    available_shells,
    observe_activation,
)
from .facts import EnvFacts
from .marks import requirement
from .support import CONTRACT, CPY, PEP, SECURITY
from .targets import INJECTION_PROMPT, Target

SH_FAMILY = ("bash", "dash", "zsh")
#: The PYTHONHOME exported before activation in the standard run.
PYTHONHOME = "/opt/venvlab-home"


@functools.cache
def _available_shells() -> frozenset[str]:
    return frozenset(available_shells())


ALL_SHELLS = ("bash", "dash", "zsh", "fish", "tcsh")

_observations: dict[tuple[str, str, str], ActivationObservation] = {}


def _observe(
    env: EnvFacts, shell: str, request: pytest.FixtureRequest, **options: Any
) -> ActivationObservation:
    if shell not in _available_shells():
        reason = f"shell {shell!r} is not installed"
        if get_settings(request.config).strict:
            pytest.fail(f"{reason} (--venv-strict)", pytrace=False)
        pytest.skip(reason)
    # One standard run per env and shell serves most rows; other options make their own runs.
    options.setdefault("activate_twice", True)
    options.setdefault("nondestructive", True)
    options.setdefault("pythonhome", PYTHONHOME)
    if options.get("prompt_disabled") is False:
        del options["prompt_disabled"]
    key = (os.fspath(env.path), shell, repr(sorted(options.items(), key=lambda kv: kv[0])))
    found = _observations.get(key)
    if found is None:
        found = observe_activation(env.venv, shell, **options)
        _observations[key] = found
    return found


def _state(obs: ActivationObservation, phase: str) -> ShellState:
    state = obs.get(phase)
    assert state is not None, f"phase {phase!r} not reached:\n{obs.describe()}"
    return state


def _prompt_name(env: EnvFacts, target: Target) -> str:
    assert target.spec is not None
    return target.spec.prompt if target.spec.prompt is not None else env.path.name


@requirement("ACT-1", PEP, configs="default")
@pytest.mark.parametrize("shell", ALL_SHELLS)
def test_virtual_env_exported(
    conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest
) -> None:
    state = _state(_observe(conf_env, shell, request), "activated")
    assert state.virtual_env == os.fspath(conf_env.path), f"VIRTUAL_ENV is {state.virtual_env!r}"
    assert state.virtual_env_exported, "VIRTUAL_ENV is not exported"


@requirement("ACT-2", PEP, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_path_prepended_once(
    conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, shell, request)
    before, activated, again = (_state(obs, p) for p in ("before", "activated", "again"))
    expected = f"{conf_env.bin_dir}{os.pathsep}{before.path}"
    assert activated.path == expected, f"PATH after activate is {activated.path!r}"
    assert again.path == expected, f"PATH after activating twice is {again.path!r}"


@requirement("ACT-2", PEP, configs="default")
def test_switching_envs(
    conf_env: EnvFacts,
    conf_create: Callable[..., Venv],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    other = conf_create(tmp_path / "other")
    obs = _observe(conf_env, "bash", request, other_env=other, activate_twice=False)
    before, switched = _state(obs, "before"), _state(obs, "other")
    assert switched.path == f"{other.bin_dir}{os.pathsep}{before.path}", (
        f"after activating A then B, PATH is {switched.path!r}"
    )


def _check_ps1(env: EnvFacts, target: Target, shell: str, request: pytest.FixtureRequest) -> None:
    state = _state(_observe(env, shell, request), "activated")
    expected = f"({_prompt_name(env, target)}) {DEFAULT_INITIAL_PROMPT}"
    assert state.prompt == expected, f"{shell} prompt is {state.prompt!r}, expected {expected!r}"


@requirement("ACT-3", CPY, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_ps1(
    conf_env: EnvFacts, conf_target: Target, shell: str, request: pytest.FixtureRequest
) -> None:
    _check_ps1(conf_env, conf_target, shell, request)


@requirement("ACT-3", CPY, configs="prompt")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_ps1_custom_prompt(
    conf_env: EnvFacts, conf_target: Target, shell: str, request: pytest.FixtureRequest
) -> None:
    _check_ps1(conf_env, conf_target, shell, request)


@requirement("ACT-3", CONTRACT, configs="prompt")
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "tcsh"])
def test_prompt_shown(
    conf_env: EnvFacts, conf_target: Target, shell: str, request: pytest.FixtureRequest
) -> None:
    state = _state(_observe(conf_env, shell, request), "activated")
    name = _prompt_name(conf_env, conf_target)
    assert state.prompt is not None, f"{shell}: activation left no prompt"
    assert name in state.prompt, (
        f"--prompt {name!r} is not shown; the {shell} prompt is {state.prompt!r}"
    )


def _expected_venv_prompt(target: Target, name: str, disabled: bool) -> str | None:
    if target.version_info < (3, 10):
        return None
    if target.version_info < (3, 13):
        return None if disabled else f"({name}) "
    return name


@requirement("ACT-4", CPY, configs="prompt")
@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "fish"])
@pytest.mark.parametrize("disabled", [False, True], ids=["enabled", "disabled"])
def test_virtual_env_prompt(
    conf_env: EnvFacts,
    conf_target: Target,
    shell: str,
    disabled: bool,
    request: pytest.FixtureRequest,
) -> None:
    obs = _observe(conf_env, shell, request, prompt_disabled=disabled)
    state = _state(obs, "activated")
    expected = _expected_venv_prompt(conf_target, _prompt_name(conf_env, conf_target), disabled)
    assert state.virtual_env_prompt == expected, (
        f"VIRTUAL_ENV_PROMPT is {state.virtual_env_prompt!r}, expected {expected!r} "
        f"on {conf_target.version}"
    )


@requirement("ACT-5", PEP, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
@pytest.mark.parametrize("value", ["1", "0"], ids=["one", "zero"])
def test_disable_prompt(
    conf_env: EnvFacts, shell: str, value: str, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, shell, request, prompt_disabled=value)
    before, activated = _state(obs, "before"), _state(obs, "activated")
    assert activated.prompt == before.prompt, (
        f"VIRTUAL_ENV_DISABLE_PROMPT={value!r} but the prompt changed to {activated.prompt!r}"
    )


@requirement("ACT-5", CPY, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_empty_disable_prompt(
    conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, shell, request, prompt_disabled="")
    before, activated = _state(obs, "before"), _state(obs, "activated")
    assert activated.prompt != before.prompt, (
        f"{shell}: with VIRTUAL_ENV_DISABLE_PROMPT='' the prompt stayed {activated.prompt!r} "
        "(CPython treats empty as unset)"
    )


@requirement("ACT-6", PEP, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_pythonhome(conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest) -> None:
    obs = _observe(conf_env, shell, request)
    activated, deactivated = _state(obs, "activated"), _state(obs, "deactivated")
    assert activated.pythonhome is None, f"PYTHONHOME is {activated.pythonhome!r} while active"
    assert deactivated.pythonhome == PYTHONHOME, (
        f"deactivate left PYTHONHOME={deactivated.pythonhome!r}"
    )


@requirement("ACT-6", CPY, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_empty_pythonhome(conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest) -> None:
    empty = _state(_observe(conf_env, shell, request, pythonhome=""), "activated")
    assert empty.pythonhome == "", (
        f"{shell}: an empty PYTHONHOME became {empty.pythonhome!r} (CPython leaves it as it is)"
    )


@requirement("ACT-7", PEP, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_deactivate(conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest) -> None:
    obs = _observe(conf_env, shell, request)
    before, after = _state(obs, "before"), _state(obs, "deactivated")
    assert after.path == before.path, f"PATH not restored: {after.path!r}"
    assert after.prompt == before.prompt, f"prompt not restored: {after.prompt!r}"
    assert after.virtual_env is None, f"VIRTUAL_ENV still {after.virtual_env!r}"
    assert after.virtual_env_prompt is None, (
        f"VIRTUAL_ENV_PROMPT still {after.virtual_env_prompt!r}"
    )
    assert not after.leftovers, f"variables left behind: {after.leftovers}"
    assert not after.deactivate_defined, "deactivate is still defined"


@requirement("ACT-8", PEP, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_deactivate_nondestructive(
    conf_env: EnvFacts, shell: str, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, shell, request)
    before, state = _state(obs, "before"), _state(obs, "nondestructive")
    assert state.path == before.path, f"PATH not restored: {state.path!r}"
    assert state.virtual_env is None, f"VIRTUAL_ENV still {state.virtual_env!r}"
    assert state.deactivate_defined, "deactivate nondestructive removed the function"


@requirement("ACT-9", CPY, configs="default")
@pytest.mark.parametrize("shell", SH_FAMILY)
def test_hash_reset(
    conf_env: EnvFacts, conf_target: Target, shell: str, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, shell, request)
    calls = [
        *(_state(obs, "activated").hash_calls or ()),
        *(_state(obs, "deactivated").hash_calls or ()),
    ]
    resets = sum(1 for c in calls if c.strip() == "-r")
    expected = 3 if conf_target.version_info >= (3, 11) or shell in {"bash", "zsh"} else 0
    assert resets == expected, f"{shell}: hash -r ran {resets} times, expected {expected}"


@requirement("ACT-10", PEP, configs="default")
def test_strict_mode(conf_env: EnvFacts, request: pytest.FixtureRequest) -> None:
    obs = _observe(
        conf_env, "bash", request, strict_mode=True, activate_twice=False, nondestructive=False
    )
    assert obs.returncode == 0, f"set -euo pipefail: exit {obs.returncode}\n{obs.describe()}"
    assert obs.completed, obs.describe()
    noise = [(s.phase, s.stdout, s.stderr) for s in obs.phases.values() if s.stdout or s.stderr]
    assert not noise, f"activate/deactivate printed something: {noise}"


@requirement("ACT-11", SECURITY, configs="inject")
@pytest.mark.parametrize("shell", ALL_SHELLS)
def test_prompt_not_evaluated(
    conf_env: EnvFacts, conf_target: Target, shell: str, request: pytest.FixtureRequest
) -> None:
    state = _state(_observe(conf_env, shell, request), "activated")
    name = "VIRTUAL_ENV_PROMPT" if state.virtual_env_prompt is not None else "the prompt"
    value = state.virtual_env_prompt if state.virtual_env_prompt is not None else state.prompt_raw
    assert value is not None, f"{shell}: neither VIRTUAL_ENV_PROMPT nor the prompt is set"
    # The command's output without the command itself: the shell ran it. (A prompt that is lost
    # or mangled without running anything is a prompt problem, checked by ACT-3, not this one.)
    evaluated = "INJECTED" in value and INJECTION_PROMPT not in value
    assert not evaluated, (
        f"CVE-2024-9287: {shell} evaluated the prompt {INJECTION_PROMPT!r} while sourcing "
        f"activate ({name} = {value!r})"
    )


@requirement("ACT-F1", PEP, configs="default")
def test_fish(conf_env: EnvFacts, conf_target: Target, request: pytest.FixtureRequest) -> None:
    obs = _observe(conf_env, "fish", request)
    before, activated = _state(obs, "before"), _state(obs, "activated")
    nondestructive, after = _state(obs, "nondestructive"), _state(obs, "deactivated")
    assert activated.path_entries[:1] == (os.fspath(conf_env.bin_dir),), f"PATH {activated.path!r}"
    assert activated.virtual_env == os.fspath(conf_env.path), (
        f"VIRTUAL_ENV {activated.virtual_env!r}"
    )
    assert activated.pythonhome is None, f"PYTHONHOME {activated.pythonhome!r} while active"
    expected = f"({_prompt_name(conf_env, conf_target)}) {DEFAULT_INITIAL_PROMPT}"
    assert activated.prompt == expected, (
        f"fish_prompt shows {activated.prompt!r}, expected {expected!r}"
    )
    assert nondestructive.deactivate_defined, "deactivate nondestructive removed the function"
    assert after.path == before.path, f"PATH not restored: {after.path!r}"
    assert after.pythonhome == PYTHONHOME, f"PYTHONHOME not restored: {after.pythonhome!r}"
    assert after.prompt == before.prompt, f"fish_prompt not restored: {after.prompt!r}"
    assert not after.deactivate_defined, "deactivate is still defined"
    empty = _state(_observe(conf_env, "fish", request, pythonhome=""), "activated")
    assert empty.pythonhome is None, f"an empty PYTHONHOME was kept ({empty.pythonhome!r})"


@requirement("ACT-C1", PEP, configs="default")
def test_tcsh(conf_env: EnvFacts, request: pytest.FixtureRequest) -> None:
    obs = _observe(conf_env, "tcsh", request)
    before, activated, after = (_state(obs, p) for p in ("before", "activated", "deactivated"))
    assert activated.path_entries[:1] == (os.fspath(conf_env.bin_dir),), f"PATH {activated.path!r}"
    assert activated.virtual_env == os.fspath(conf_env.path), (
        f"VIRTUAL_ENV {activated.virtual_env!r}"
    )
    assert after.path == before.path, f"PATH not restored: {after.path!r}"
    assert after.prompt == before.prompt, f"prompt not restored: {after.prompt!r}"
    assert not after.deactivate_defined, "deactivate is still defined"


@requirement("ACT-C1", CPY, configs="default")
def test_tcsh_cpython(
    conf_env: EnvFacts, conf_target: Target, request: pytest.FixtureRequest
) -> None:
    obs = _observe(conf_env, "tcsh", request)
    activated = _state(obs, "activated")
    name = _prompt_name(conf_env, conf_target)
    shown = f"[{name}] " if conf_target.version_info < (3, 9) else f"({name}) "
    assert activated.prompt == shown + DEFAULT_INITIAL_PROMPT, f"prompt is {activated.prompt!r}"
    assert activated.pythonhome == PYTHONHOME, (
        f"PYTHONHOME became {activated.pythonhome!r} (CPython's csh script never touches it)"
    )
    script = (conf_env.bin_dir / "activate.csh").read_text("utf-8", errors="replace")
    assert "alias pydoc" in script, "activate.csh defines no pydoc alias"
    disabled = _observe(conf_env, "tcsh", request, prompt_disabled="")
    before = _state(disabled, "before")
    assert _state(disabled, "activated").prompt == before.prompt, (
        "a defined (even empty) VIRTUAL_ENV_DISABLE_PROMPT did not disable the tcsh prompt"
    )
