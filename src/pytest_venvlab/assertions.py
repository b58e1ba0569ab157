"""Isolation and activation assertions for environments.

Each helper raises :class:`AssertionError` naming the invariant with its requirement ID (from the
PEP 405 requirements reference) and showing expected and actual values: the offending
``sys.path`` entry and where it came from, PATH before and after activation. pytest rewrites the
asserts in this module (it is registered in ``pytest_venvlab/__init__.py``), so a failure inside
a test also shows pytest's own comparison.

Where a creator documents a deliberate difference from CPython for a requirement
(``Creator.documented_differences``), the helpers accept the documented behaviour instead:
``ACT-4`` means ``VIRTUAL_ENV_PROMPT`` is the bare prompt, ``ACT-3`` that the prompt may be left
unchanged; ``ACT-5``, ``ACT-6``, ``ACT-8`` and ``ACT-10`` are then not checked. A key may name
one shell (``ACT-3:dash``). The invariants in ``checks.violation.NEVER_EXCUSED`` (isolation,
VIRTUAL_ENV, PATH, deactivate, prompt injection...) are never excused.
"""

from __future__ import annotations

import os

import pytest

from .checks.activation import (
    activation_violations,
    disabled_violations,
    expected_virtual_env_prompt,
    other_env_violations,
    strict_mode_violations,
)
from .checks.isolation import (
    cfg_violations,
    gather,
    isolated_site_violations,
    isolation_violations,
    own_site_violations,
    prefix_violations,
    stdlib_violations,
    system_site_violations,
)
from .checks.violation import Violation, drop_documented, env_version
from .handle import Venv
from .shells import (
    ActivationObservation,
    ShellNotFoundError,
    activate_script,
    canonical_shell_name,
    find_shell,
    observe_activation,
)

__all__ = [
    "Violation",
    "assert_activation",
    "assert_isolated",
    "assert_site_packages_in_prefix",
    "assert_stdlib_from_base",
    "assert_system_site_packages",
    "expected_virtual_env_prompt",
    "isolation_violations",
]

#: ``PYTHONHOME`` exported before activation by :func:`assert_activation`. Never used to run
#: anything: the checks resolve ``python`` in the shell, they do not start it.
SENTINEL_PYTHONHOME = "/nonexistent/venvlab-pythonhome"

_strict_stack: list[bool] = []


def configure(strict: bool) -> None:
    """Called by the plugin at configure time: whether a missing shell fails instead of skips."""
    _strict_stack.append(strict)


def unconfigure() -> None:
    """Called by the plugin at unconfigure time."""
    if _strict_stack:
        _strict_stack.pop()


def _strict_default() -> bool:
    if _strict_stack:
        return _strict_stack[-1]
    return bool(os.environ.get("CI"))


def _report(env: Venv, what: str, violations: list[Violation]) -> str:
    body = "\n".join(v.format() for v in violations)
    return f"{what} failed for {env!r}:\n{body}"


def assert_stdlib_from_base(env: Venv) -> None:
    """The stdlib loads from under ``sys.base_prefix``; its entries on sys.path lie under the base,
    ahead of every site-packages, and nothing ahead of them shadows a stdlib module (SITE-2)."""
    __tracebackhide__ = True
    facts = gather(env)
    violations = drop_documented(env, prefix_violations(facts) + stdlib_violations(facts))
    assert not violations, _report(env, "assert_stdlib_from_base", violations)


def assert_site_packages_in_prefix(env: Venv) -> None:
    """The env's site-packages lie under ``sys.prefix`` and are on sys.path; for an isolated env,
    no base or user site-packages is on sys.path and the user site is off (CFG-1, PFX-1, SITE-1).
    """
    __tracebackhide__ = True
    facts = gather(env)
    found = cfg_violations(facts) + prefix_violations(facts) + own_site_violations(facts)
    if facts.claims_isolated:
        found += isolated_site_violations(facts)
    violations = drop_documented(env, found)
    assert not violations, _report(env, "assert_site_packages_in_prefix", violations)


def assert_system_site_packages(env: Venv) -> None:
    """For an env made with system site-packages: the base site-packages are on sys.path, after
    the env's own (SITE-3)."""
    __tracebackhide__ = True
    facts = gather(env)
    found = cfg_violations(facts) + prefix_violations(facts) + system_site_violations(facts)
    violations = drop_documented(env, found)
    assert not violations, _report(env, "assert_system_site_packages", violations)


def assert_isolated(env: Venv) -> None:
    """All of the above that apply to the env's spec, reported together: pyvenv.cfg present, the
    stdlib from the base, the env's site-packages, and either isolation (no base or user site) or
    the base site-packages after the env's own."""
    __tracebackhide__ = True
    violations = isolation_violations(env)
    assert not violations, _report(env, "assert_isolated", violations)


def assert_activation(
    env: Venv,
    shell: str = "bash",
    *,
    other_env: Venv | None = None,
    strict: bool | None = None,
) -> ActivationObservation:
    """Activate ``env`` in the real ``shell`` and check what it did.

    Before activation, after it (once and twice, and after ``other_env`` if given) and after
    ``deactivate`` / ``deactivate nondestructive``: PATH gets the bin dir prepended exactly once
    (ACT-2); ``VIRTUAL_ENV`` is the env's path, exported (ACT-1); the prompt shows the env's
    prompt (ACT-3) unless ``VIRTUAL_ENV_DISABLE_PROMPT`` is set (ACT-5); ``VIRTUAL_ENV_PROMPT``
    is what the creator and Python version define (ACT-4), literal even for a prompt with shell
    syntax (ACT-11); ``PYTHONHOME`` is unset while active and restored after (ACT-6; not in csh,
    where CPython leaves it); ``python`` resolves to the env's; ``deactivate`` restores PATH, the
    prompt and PYTHONHOME byte for byte and removes itself (ACT-7), ``deactivate nondestructive``
    keeps it (ACT-8); in bash, ``set -euo pipefail`` prints nothing (ACT-10).

    A shell that is not installed skips the test, naming it; with ``strict`` (default: the
    session's ``--venv-strict`` / ``venv_strict`` setting, on when ``CI`` is set) it fails.
    Returns the main observation.
    """
    __tracebackhide__ = True
    name = canonical_shell_name(shell)
    try:
        info, _ = find_shell(name)
    except ShellNotFoundError as exc:
        if _strict_default() if strict is None else strict:
            message = f"{exc} (strict mode: missing shells fail)"
            raise pytest.fail.Exception(message, pytrace=False) from None
        pytest.skip(str(exc))
    script = activate_script(env, name)
    missing = Violation(
        "LAY-5",
        f"the environment has the activate script {name} sources",
        f"a file at {os.fspath(script)!r}",
        "missing",
    )
    assert script.is_file(), _report(env, f"assert_activation (shell {name})", [missing])
    version = env_version(env)
    obs = observe_activation(
        env,
        name,
        pythonhome=SENTINEL_PYTHONHOME,
        activate_twice=True,
        other_env=other_env,
    )
    violations = activation_violations(env, obs, info.family, version)
    if other_env is not None:
        violations += other_env_violations(env, other_env, obs)
    disabled = observe_activation(env, name, prompt_disabled=True, nondestructive=False)
    violations += disabled_violations(env, disabled)
    if name == "bash":
        strict_obs = observe_activation(
            env, name, strict_mode=True, nondestructive=False, trace_hash=False
        )
        violations += strict_mode_violations(strict_obs)
    violations = drop_documented(env, violations, name)
    assert not violations, (
        _report(env, f"assert_activation (shell {name})", violations) + "\n" + obs.describe()
    )
    return obs
