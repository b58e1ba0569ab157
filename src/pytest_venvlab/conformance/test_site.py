"""Section 3: site-packages and isolation (SITE-1 ... SITE-5)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable

from .facts import EnvFacts, bare_env, run_probe
from .marks import requirement
from .support import CONTRACT, CPY, PEP, base_site_packages, is_under
from .targets import Target


def _site_dir(env: EnvFacts) -> str:
    return os.fspath(env.venv.site_packages)


@requirement("SITE-1", PEP, configs="isolated")
def test_isolated_site(conf_env: EnvFacts, conf_target: Target) -> None:
    probe = conf_env.probe
    assert _site_dir(conf_env) in probe["path"], f"{_site_dir(conf_env)} is not on sys.path"
    base = probe["base_prefix"]
    leaked = [
        p
        for p in probe["path"]
        if is_under(p, base) and os.path.basename(p) in {"site-packages", "dist-packages"}
    ]
    assert not leaked, f"base site-packages on sys.path of an isolated venv: {leaked}"
    assert probe["enable_user_site"] is False, (
        f"site.ENABLE_USER_SITE is {probe['enable_user_site']!r}"
    )
    assert probe["site_packages"] == [_site_dir(conf_env)], (
        f"site.getsitepackages() is {probe['site_packages']}"
    )
    user_probe, user_dir = conf_env.user_site_probe()
    assert os.fspath(user_dir) not in user_probe["path"], (
        f"the user site {user_dir} is on sys.path (PEP 370)"
    )


@requirement("SITE-2", PEP)
def test_stdlib_from_base(conf_env: EnvFacts) -> None:
    probe = conf_env.probe
    base = probe["base_prefix"]
    assert probe["os_file"].startswith(base), f"os comes from {probe['os_file']}, not {base}"
    path = probe["path"]
    site_dir = _site_dir(conf_env)
    stdlib = [
        i
        for i, p in enumerate(path)
        if is_under(p, base) and os.path.basename(p) not in {"site-packages", "dist-packages"}
    ]
    assert site_dir in path, f"{site_dir} is not on sys.path"
    assert all(i < path.index(site_dir) for i in stdlib), (
        f"stdlib entries come after the venv site-packages: {path}"
    )


@requirement("SITE-3", CONTRACT, configs="system")
def test_system_site_visible(conf_env: EnvFacts, conf_target: Target) -> None:
    path = conf_env.probe["path"]
    bases = [p for p in base_site_packages(conf_target) if os.path.isdir(p)]
    assert any(p in path for p in bases), (
        f"--system-site-packages given, but no base site-packages ({bases}) is on sys.path"
    )


@requirement("SITE-3", PEP, configs="system")
def test_system_site_order(conf_env: EnvFacts, conf_target: Target) -> None:
    probe, user_dir = conf_env.user_site_probe()
    path = probe["path"]
    site_dir = _site_dir(conf_env)
    assert probe["enable_user_site"] is True, (
        f"site.ENABLE_USER_SITE is {probe['enable_user_site']!r} with system site-packages"
    )
    bases = [p for p in base_site_packages(conf_target) if p in path]
    assert site_dir in path, f"{site_dir} is not on sys.path"
    assert os.fspath(user_dir) in path, f"the user site {user_dir} is not on sys.path"
    order = [path.index(site_dir), path.index(os.fspath(user_dir)), *map(path.index, bases)]
    assert order == sorted(order), (
        f"sys.path order is not venv site, user site, base site: {path[-6:]}"
    )
    pip = conf_env.probe["pip_origin"]
    if conf_target.spec is not None and conf_target.spec.pip and pip:
        assert is_under(pip, conf_env.path), (
            f"pip (in the venv and the base) resolves to {pip}, not the venv's copy"
        )


@requirement("SITE-4", CPY, configs="default")
def test_missing_key_means_visible(
    conf_private: Callable[[], EnvFacts], conf_target: Target
) -> None:
    env = conf_private()
    lines = (env.path / "pyvenv.cfg").read_text("utf-8").splitlines(keepends=True)
    kept = [
        ln for ln in lines if ln.split("=")[0].strip().lower() != "include-system-site-packages"
    ]
    (env.path / "pyvenv.cfg").write_text("".join(kept), encoding="utf-8")
    path = run_probe(env.python)["path"]
    bases = [p for p in base_site_packages(conf_target) if os.path.isdir(p)]
    assert any(p in path for p in bases), (
        "without include-system-site-packages the base site-packages should be visible"
    )


#: The second line of the ``/bin/sh`` trampoline installers write when the interpreter path has a
#: space or is too long for a shebang: ``'''exec' "PATH" "$0" "$@"``.
_TRAMPOLINE = re.compile(r"""^'''exec' (?:"(?P<quoted>[^"]+)"|(?P<bare>\S+)) "\$0" "\$@"$""")


def _script_interpreter(lines: list[str]) -> str | None:
    """The interpreter a console script runs: its shebang, or what the trampoline execs."""
    if not lines or not lines[0].startswith("#!"):
        return None
    if lines[0].strip() != "#!/bin/sh":
        return lines[0][2:].strip()
    for line in lines[1:4]:
        match = _TRAMPOLINE.match(line.strip())
        if match:
            return match.group("quoted") or match.group("bare")
    return None


@requirement("SITE-5", PEP, configs="pip")
def test_console_script_without_activation(conf_env: EnvFacts) -> None:
    pip = conf_env.bin_dir / "pip"
    assert pip.is_file(), f"{pip} is missing"
    lines = pip.read_text("utf-8", errors="replace").splitlines()
    interpreter = _script_interpreter(lines)
    assert interpreter is not None, f"bin/pip names no interpreter: {lines[:2]}"
    assert os.path.dirname(interpreter) == os.fspath(conf_env.bin_dir), (
        f"bin/pip runs {interpreter!r}, not a python in {conf_env.bin_dir}"
    )
    proc = subprocess.run(
        [os.fspath(pip), "--version"],
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"bin/pip --version failed without activation: {proc.stderr}"
