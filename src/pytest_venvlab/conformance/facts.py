"""What an environment under test looks like, measured once and shared by many checks."""

from __future__ import annotations

import functools
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..handle import Venv
from ..interpreters import Interpreter
from ..process import run_command
from ..pyvenv_cfg import parse_pyvenv_cfg

__all__ = ["PROBE_SCRIPT", "EnvFacts", "bare_env", "run_probe"]

# Runs inside the environment on any CPython 3.8+: standard library and 3.8 syntax only.
PROBE_SCRIPT = r"""
import importlib.util, json, os, platform, sys
out = {
    "prefix": sys.prefix, "exec_prefix": sys.exec_prefix,
    "base_prefix": sys.base_prefix, "base_exec_prefix": sys.base_exec_prefix,
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None),
    "has_real_prefix": hasattr(sys, "real_prefix"),
    "virtual_env": os.environ.get("VIRTUAL_ENV"),
    "path": sys.path,
    "no_site": bool(sys.flags.no_site),
}
if not sys.flags.no_site:
    import site, sysconfig
    out["home"] = getattr(sys, "_home", None)
    out["site_packages"] = site.getsitepackages()
    out["enable_user_site"] = site.ENABLE_USER_SITE
    out["user_site"] = site.getusersitepackages()
    out["os_file"] = os.__file__
    names = list(sysconfig.get_scheme_names())
    out["scheme_names"] = names
    get_default = getattr(sysconfig, "get_default_scheme", None)
    out["default_scheme"] = get_default() if get_default else None
    get_pref = getattr(sysconfig, "get_preferred_scheme", None)
    out["preferred_prefix"] = get_pref("prefix") if get_pref else None
    out["paths"] = sysconfig.get_paths()
    if "venv" in names:
        keys = ("base", "platbase")
        out["venv_scheme_paths"] = sysconfig.get_paths(
            "venv", vars=dict((k, sys.prefix) for k in keys))
    else:
        out["venv_scheme_paths"] = None
    spec = importlib.util.find_spec("pip")
    out["pip_origin"] = spec.origin if spec is not None else None
    impl = sys.implementation
    iv = impl.version
    impl_version = "%d.%d.%d" % (iv.major, iv.minor, iv.micro)
    if iv.releaselevel != "final":
        impl_version += iv.releaselevel[0] + str(iv.serial)
    out["markers"] = {
        "implementation_name": impl.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }
print(json.dumps(out))
"""


def bare_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Close to ``env -i``: a minimal PATH and nothing else (plus ``extra``)."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    if extra:
        env.update(extra)
    return env


def run_probe(
    python: str | os.PathLike[str],
    *flags: str,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run the probe with ``python`` (and interpreter ``flags``) in a bare environment."""
    proc = run_command(
        [os.fspath(python), *flags, "-c", PROBE_SCRIPT],
        env=bare_env(extra_env),
        check=False,
        timeout=120,
        what="the conformance probe",
    )
    if proc.returncode != 0:
        raise AssertionError(
            f"{python} {' '.join(flags)} failed to run (exit {proc.returncode}): "
            f"{proc.stderr.strip().splitlines()[-1:] or proc.stdout.strip()}"
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@functools.cache
def base_probe(executable: str) -> dict[str, Any]:
    """The probe run by a base interpreter itself (cached per process)."""
    return run_probe(executable)


class EnvFacts:
    """An environment plus facts measured from it, each measured at most once."""

    def __init__(self, venv: Venv, interpreter: Interpreter) -> None:
        self.venv = venv
        self.interpreter = interpreter
        self.path = venv.path
        self.bin_dir = venv.bin_dir
        self.python = venv.python
        self._cache: dict[str, Any] = {}

    def _memo(self, key: str, compute: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def cfg_bytes(self) -> bytes:
        return bytes(self._memo("cfg_bytes", (self.path / "pyvenv.cfg").read_bytes))

    @property
    def cfg(self) -> dict[str, str]:
        return dict(self._memo("cfg", lambda: parse_pyvenv_cfg(self.cfg_bytes.decode("utf-8"))))

    @property
    def probe(self) -> dict[str, Any]:
        """The probe as ``env -i V/bin/python`` reports it."""
        return dict(self._memo("probe", lambda: run_probe(self.python)))

    def probe_with(self, *flags: str, env: dict[str, str] | None = None) -> dict[str, Any]:
        key = json.dumps([flags, env], sort_keys=True)
        return dict(self._memo(key, lambda: run_probe(self.python, *flags, extra_env=env)))

    def user_site_probe(self) -> tuple[dict[str, Any], Path]:
        """The probe with ``PYTHONUSERBASE`` pointing at a base whose user site exists."""

        def compute() -> tuple[dict[str, Any], Path]:
            base = Path(tempfile.mkdtemp(prefix="venvlab-userbase-"))
            vi = self.interpreter.version_info
            site_dir = base / "lib" / f"python{vi[0]}.{vi[1]}" / "site-packages"
            site_dir.mkdir(parents=True)
            return run_probe(self.python, extra_env={"PYTHONUSERBASE": os.fspath(base)}), site_dir

        result: tuple[dict[str, Any], Path] = self._memo("user_site", compute)
        return result

    @property
    def base(self) -> dict[str, Any]:
        """The probe as the base interpreter reports it about itself (run by its real binary, so
        that a base found inside another virtual environment reports the real base)."""
        return base_probe(os.fspath(self.interpreter.real_executable))
