"""What an environment's interpreter reports about itself, measured from inside it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["INTROSPECT_SCRIPT", "STDLIB_PROBE_MODULES", "Introspection"]

#: Pure-Python stdlib modules whose origin tells where the stdlib loads from.
STDLIB_PROBE_MODULES = ("os", "json", "site", "sysconfig", "encodings", "email", "textwrap")

# Runs inside the environment, on any CPython 3.8+: standard library and 3.8 syntax only.
INTROSPECT_SCRIPT = r"""
import importlib, json, os, site, sys, sysconfig
mods = {}
for name in sys.argv[1].split(","):
    try:
        mod = importlib.import_module(name)
        mods[name] = getattr(mod, "__file__", None)
    except Exception as exc:
        mods[name] = None
try:
    site_packages = site.getsitepackages()
except AttributeError:
    site_packages = []
try:
    user_site = site.getusersitepackages()
except Exception:
    user_site = None
get_default = getattr(sysconfig, "get_default_scheme", None)
print(json.dumps({
    "prefix": sys.prefix,
    "exec_prefix": sys.exec_prefix,
    "base_prefix": sys.base_prefix,
    "base_exec_prefix": sys.base_exec_prefix,
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", None),
    "home": getattr(sys, "_home", None),
    "path": sys.path,
    "site_packages": site_packages,
    "enable_user_site": site.ENABLE_USER_SITE,
    "user_site": user_site,
    "sysconfig_paths": sysconfig.get_paths(),
    "default_scheme": get_default() if get_default else None,
    "module_files": mods,
    "has_real_prefix": hasattr(sys, "real_prefix"),
    "version_info": list(sys.version_info),
    "no_site": bool(sys.flags.no_site),
    "isolated": bool(sys.flags.isolated),
}))
"""


@dataclass(frozen=True)
class Introspection:
    """The interpreter state of an environment, as its own ``python`` reports it."""

    prefix: str
    exec_prefix: str
    base_prefix: str
    base_exec_prefix: str
    executable: str
    #: ``sys._base_executable`` (``None`` where the attribute does not exist).
    base_executable: str | None
    #: ``sys._home``, which site.py sets from ``pyvenv.cfg``'s ``home``.
    home: str | None
    path: tuple[str, ...]
    #: ``site.getsitepackages()``.
    site_packages: tuple[str, ...]
    #: ``site.ENABLE_USER_SITE`` (``None`` when site decided nothing, e.g. under ``-S``).
    enable_user_site: bool | None
    user_site: str | None
    sysconfig_paths: dict[str, str]
    default_scheme: str | None
    #: Where each probed stdlib module was loaded from (``None`` if it failed to import).
    module_files: dict[str, str | None]
    has_real_prefix: bool
    version_info: tuple[Any, ...]
    no_site: bool
    isolated: bool

    @classmethod
    def from_json(cls, text: str) -> Introspection:
        data = json.loads(text)
        data["path"] = tuple(data["path"])
        data["site_packages"] = tuple(data["site_packages"])
        data["version_info"] = tuple(data["version_info"])
        return cls(**data)

    @property
    def is_venv(self) -> bool:
        """PEP 405's detection test: ``sys.prefix != sys.base_prefix``."""
        return self.prefix != self.base_prefix
