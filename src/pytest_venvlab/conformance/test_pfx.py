"""Section 2: interpreter discovery and prefixes (PFX-1 ... PFX-8), run without activation."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from .facts import EnvFacts, run_probe
from .marks import requirement
from .support import CPY, PEP, is_under, same_path
from .targets import Target


@requirement("PFX-1", PEP)
def test_detected_as_venv(conf_env: EnvFacts) -> None:
    probe = conf_env.probe
    assert probe["prefix"] != probe["base_prefix"], (
        f"sys.prefix == sys.base_prefix == {probe['prefix']!r}: not detected as a venv"
    )


@requirement("PFX-2", PEP)
def test_prefixes(conf_env: EnvFacts) -> None:
    probe = conf_env.probe
    assert Path(probe["prefix"]) == conf_env.path, f"sys.prefix is {probe['prefix']!r}"
    assert Path(probe["exec_prefix"]) == conf_env.path, (
        f"sys.exec_prefix is {probe['exec_prefix']!r}"
    )
    base = conf_env.base
    assert Path(probe["base_prefix"]) == Path(base["base_prefix"]), (
        f"sys.base_prefix is {probe['base_prefix']!r}, the base's prefix is {base['base_prefix']!r}"
    )
    assert Path(probe["base_exec_prefix"]) == Path(base["base_exec_prefix"]), (
        f"sys.base_exec_prefix is {probe['base_exec_prefix']!r}, "
        f"the base's is {base['base_exec_prefix']!r}"
    )


@requirement("PFX-3", PEP)
def test_executable_as_invoked(conf_env: EnvFacts) -> None:
    assert conf_env.probe["executable"] == os.fspath(conf_env.python), (
        f"sys.executable is {conf_env.probe['executable']!r}, not {os.fspath(conf_env.python)!r}"
    )


@requirement("PFX-4", CPY)
def test_base_executable(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.interpreter is not None
    value = conf_env.probe["base_executable"]
    if conf_target.version_info >= (3, 11):
        assert value is not None, "sys._base_executable is not set"
        assert not is_under(value, conf_env.path), (
            f"sys._base_executable {value!r} is not outside the venv"
        )
        assert same_path(value, conf_target.interpreter.real_executable), (
            f"sys._base_executable {value!r} is not the base binary"
        )
    else:
        assert value == conf_env.probe["executable"], (
            f"sys._base_executable {value!r} is not sys.executable (CPython < 3.11)"
        )


@requirement("PFX-5", CPY)
def test_home_attribute(conf_env: EnvFacts) -> None:
    assert conf_env.probe["home"] == conf_env.cfg.get("home"), (
        f"sys._home {conf_env.probe['home']!r} != home {conf_env.cfg.get('home')!r}"
    )


@requirement("PFX-6", PEP, configs="default")
def test_cfg_found_next_to_executable(conf_private: Callable[[], EnvFacts]) -> None:
    env = conf_private()
    shutil.move(env.path / "pyvenv.cfg", env.bin_dir / "pyvenv.cfg")
    probe = run_probe(env.python)
    assert Path(probe["prefix"]) == env.path, (
        f"with pyvenv.cfg in bin/, sys.prefix is {probe['prefix']!r}, not the venv"
    )


@requirement("PFX-7", CPY, configs="default")
def test_no_site_isolated_and_pythonhome(conf_env: EnvFacts) -> None:
    no_site = conf_env.probe_with("-S")
    assert no_site["prefix"] == no_site["base_prefix"], (
        f"under -S sys.prefix is {no_site['prefix']!r}, expected the base prefix"
    )
    isolated = conf_env.probe_with("-I")
    assert Path(isolated["prefix"]) == conf_env.path, (
        f"under -I sys.prefix is {isolated['prefix']!r}"
    )
    home = conf_env.probe_with(env={"PYTHONHOME": conf_env.base["prefix"]})
    assert Path(home["prefix"]) == conf_env.path, (
        f"with PYTHONHOME=<base> sys.prefix is {home['prefix']!r}"
    )


@requirement("PFX-8", PEP)
def test_no_real_prefix(conf_env: EnvFacts) -> None:
    assert not conf_env.probe["has_real_prefix"], "sys.real_prefix is set (legacy virtualenv)"
