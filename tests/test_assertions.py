"""The isolation assertions: they pass on real envs from every creator and fail, naming the
broken requirement, on envs broken on purpose."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import pytest_venvlab.assertions as assertions_module
from pytest_venvlab import (
    Venv,
    VenvSpec,
    assert_isolated,
    assert_site_packages_in_prefix,
    assert_stdlib_from_base,
    assert_system_site_packages,
    create_venv,
    creator_names,
    resolve,
)

CREATORS = [
    "venv",
    "virtualenv",
    "uv",
    "cmd:{python} -m venv",
    *(["venvlab"] if "venvlab" in creator_names() else []),
]

EnvMaker = Callable[..., Venv]


def failed_ids(message: str) -> set[str]:
    """The requirement IDs a failure message names (one per violation line)."""
    return set(re.findall(r"^\s*([A-Z]+-[A-Z0-9]+) \(", message, flags=re.MULTILINE))


def make_env(dest: Path, **fields: object) -> Venv:
    spec = VenvSpec.from_fields(fields, where="test")
    reason = resolve(spec).unsupported()
    if reason is not None:
        pytest.skip(reason)
    return create_venv(spec, dest)


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> EnvMaker:
    """One env per (creator, system site) for the whole module; tests must not change them."""
    root = tmp_path_factory.mktemp("assert-envs")
    made: dict[tuple[str, bool], Venv] = {}

    def get(creator: str, system_site_packages: bool = False) -> Venv:
        key = (creator, system_site_packages)
        if key not in made:
            dest = root / f"env{len(made)} {'sys' if system_site_packages else 'iso'}"
            made[key] = make_env(dest, creator=creator, system_site_packages=system_site_packages)
        return made[key]

    return get


@pytest.fixture
def fresh_env(tmp_path: Path) -> Venv:
    """A private stdlib-venv env (cheap: symlinks, no pip) that a test may break."""
    return make_env(tmp_path / "broken env")


def broken(check: Callable[[Venv], None], env: Venv) -> str:
    with pytest.raises(AssertionError) as info:
        check(env)
    message = str(info.value)
    assert "expected:" in message
    assert "actual:" in message
    return message


@pytest.mark.parametrize("creator", CREATORS)
def test_isolated_env_passes_every_isolation_assertion(shared_env: EnvMaker, creator: str) -> None:
    env = shared_env(creator)
    assert_stdlib_from_base(env)
    assert_site_packages_in_prefix(env)
    assert_isolated(env)


@pytest.mark.parametrize("creator", CREATORS)
def test_system_site_env_passes_the_assertions_that_apply(
    shared_env: EnvMaker, creator: str
) -> None:
    env = shared_env(creator, system_site_packages=True)
    assert_stdlib_from_base(env)
    assert_site_packages_in_prefix(env)
    assert_system_site_packages(env)
    assert_isolated(env)


def test_pth_adding_the_base_site_packages_fails_and_names_the_file(fresh_env: Venv) -> None:
    assert fresh_env.interpreter is not None
    base_site = fresh_env.interpreter.paths["purelib"]
    assert os.path.isdir(base_site)
    (fresh_env.site_packages / "leak.pth").write_text(base_site + "\n", encoding="utf-8")
    message = broken(assert_site_packages_in_prefix, fresh_env)
    assert failed_ids(message) == {"SITE-1"}
    assert base_site in message
    assert os.fspath(fresh_env.site_packages / "leak.pth") in message
    assert "SITE-1" in failed_ids(broken(assert_isolated, fresh_env))


def test_pth_putting_a_copied_stdlib_module_first_fails(fresh_env: Venv, tmp_path: Path) -> None:
    assert fresh_env.interpreter is not None
    shadow = tmp_path / "shadow dir"
    shutil.copytree(Path(fresh_env.interpreter.paths["stdlib"], "json"), shadow / "json")
    line = f"import sys; sys.path.insert(0, {os.fspath(shadow)!r})"
    (fresh_env.site_packages / "shadow.pth").write_text(line + "\n", encoding="utf-8")
    message = broken(assert_stdlib_from_base, fresh_env)
    assert failed_ids(message) == {"SITE-2"}
    assert "stdlib module 'json' loads from under sys.base_prefix" in message
    assert "no sys.path entry ahead of the stdlib can shadow a stdlib module" in message
    assert os.fspath(shadow / "json" / "__init__.py") in message
    assert "shadow.pth (line 1" in message


def test_missing_pyvenv_cfg_fails(fresh_env: Venv) -> None:
    (fresh_env.path / "pyvenv.cfg").unlink()
    message = broken(assert_isolated, fresh_env)
    assert {"CFG-1", "PFX-1"} <= failed_ids(message)
    assert "pyvenv.cfg does not exist" in message
    assert {"CFG-1", "PFX-1"} <= failed_ids(broken(assert_site_packages_in_prefix, fresh_env))


def test_system_site_packages_in_an_env_that_claims_isolation_fails(fresh_env: Venv) -> None:
    cfg = fresh_env.path / "pyvenv.cfg"
    text = cfg.read_text(encoding="utf-8")
    assert "include-system-site-packages = false" in text
    cfg.write_text(
        text.replace("include-system-site-packages = false", "include-system-site-packages = true"),
        encoding="utf-8",
    )
    message = broken(assert_isolated, fresh_env)
    assert failed_ids(message) == {"CFG-3", "SITE-1"}
    assert "include-system-site-packages = true" in message
    assert "added by site.py because pyvenv.cfg has include-system-site-packages = true" in message


def test_system_site_assertion_fails_on_an_isolated_env(shared_env: EnvMaker) -> None:
    message = broken(assert_system_site_packages, shared_env("venv"))
    assert failed_ids(message) == {"SITE-3"}
    assert "include-system-site-packages = false" in message


def test_user_site_is_checked_with_the_user_site_enabled(fresh_env: Venv) -> None:
    # The env's python runs with PYTHONUSERBASE set to a temp dir that has a user site; an
    # isolated env must not see it even so (SITE-1). A system-site env does see it.
    assert_site_packages_in_prefix(fresh_env)
    violations = assertions_module.isolation_violations(fresh_env)
    assert violations == []


def test_pytest_rewrites_asserts_in_the_assertions_module() -> None:
    # Modules rewritten by pytest import builtins under this name.
    assert hasattr(assertions_module, "@py_builtins")


def test_failure_in_a_user_suite_is_one_readable_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest_venvlab.assertions as mod
        from pytest_venvlab import create_venv, assert_isolated

        def test_rewritten():
            assert hasattr(mod, "@py_builtins")

        def test_broken(tmp_path):
            env = create_venv(dest=tmp_path / "env")
            (env.path / "pyvenv.cfg").unlink()
            assert_isolated(env)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*assert_isolated failed for <Venv*",
            "*CFG-1 (the environment has a pyvenv.cfg)",
            "*expected: a file at *pyvenv.cfg",
        ]
    )


def test_documented_differences_excuse_only_what_they_may(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pytest_venvlab import Violation, get_creator
    from pytest_venvlab.checks.violation import drop_documented

    creator_class = type(get_creator("venv"))
    monkeypatch.setattr(
        creator_class,
        "documented_differences",
        {"ACT-7": "a quirk it does not share", "ACT-6": "all shells", "ACT-8:tcsh": "csh only"},
    )
    env = Venv(tmp_path, VenvSpec())
    found = [Violation(req, "inv", "e", "a") for req in ("ACT-6", "ACT-7", "ACT-8", "SITE-1")]

    def kept(shell: str) -> list[str]:
        return [v.req_id for v in drop_documented(env, found, shell)]

    assert kept("bash") == ["ACT-7", "ACT-8", "SITE-1"]
    assert kept("tcsh") == ["ACT-7", "SITE-1"]
