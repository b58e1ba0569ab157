"""Section 4: sysconfig (SCH-1 ... SCH-3)."""

from __future__ import annotations

from .facts import EnvFacts
from .marks import requirement
from .support import CPY, PEP, is_under, needs_version
from .targets import Target


@requirement("SCH-1", CPY)
def test_schemes(conf_env: EnvFacts, conf_target: Target) -> None:
    probe = conf_env.probe
    if conf_target.version_info >= (3, 11):
        missing = {"venv", "posix_venv", "nt_venv"} - set(probe["scheme_names"])
        assert not missing, f"sysconfig lacks the schemes {sorted(missing)}"
        assert probe["default_scheme"] == "venv", (
            f"get_default_scheme() is {probe['default_scheme']!r} inside the venv"
        )
        assert probe["preferred_prefix"] == "venv", (
            f"get_preferred_scheme('prefix') is {probe['preferred_prefix']!r} inside the venv"
        )
        assert conf_env.base["default_scheme"] == "posix_prefix", (
            f"outside the venv get_default_scheme() is {conf_env.base['default_scheme']!r}"
        )
    elif conf_target.version_info >= (3, 10):
        assert probe["default_scheme"] == "posix_prefix", (
            f"get_default_scheme() is {probe['default_scheme']!r} (3.10 gives posix_prefix)"
        )
    else:
        assert probe["default_scheme"] is None, "get_default_scheme exists before 3.10"


@requirement("SCH-2", PEP)
def test_install_paths(conf_env: EnvFacts) -> None:
    paths = conf_env.probe["paths"]
    base = conf_env.probe["base_prefix"]
    outside = {
        k: paths[k]
        for k in ("purelib", "platlib", "scripts", "data")
        if not is_under(paths[k], conf_env.path)
    }
    assert not outside, f"install paths outside the venv: {outside}"
    not_base = {k: paths[k] for k in ("stdlib", "include") if not is_under(paths[k], base)}
    assert not not_base, f"paths not under the base prefix {base}: {not_base}"


@requirement("SCH-3", CPY)
def test_layout_is_venv_scheme(conf_env: EnvFacts, conf_target: Target) -> None:
    needs_version(conf_target, (3, 11), "the venv scheme")
    probe = conf_env.probe
    assert probe["venv_scheme_paths"] == probe["paths"], (
        "sysconfig.get_paths() differs from the venv scheme: "
        + ", ".join(
            f"{k}={probe['paths'].get(k)!r} vs {v!r}"
            for k, v in (probe["venv_scheme_paths"] or {}).items()
            if probe["paths"].get(k) != v
        )
    )
