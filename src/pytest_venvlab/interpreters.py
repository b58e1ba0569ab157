"""Finding base interpreters on this machine and reading their facts once.

Discovery is python-discovery's job; this module only widens where it looks (every pyenv version
directory, so that ``3.9`` is found even when pyenv's global version is another one), resolves pyenv
shims to the real binary once, and reads the facts the rest of the plugin needs with one probe per
interpreter binary, cached on disk keyed by the binary's path, size and modification time.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InterpreterNotFoundError, SpecError

__all__ = [
    "VENV_PLACEHOLDER",
    "Interpreter",
    "available_interpreters",
    "find_interpreter",
    "interpreter_from_path",
]

MINIMUM_VERSION = (3, 8)
#: Stands for the environment root in :attr:`Interpreter.venv_paths`.
VENV_PLACEHOLDER = "@@VENV@@"
_FACTS_FORMAT = 3

# Runs under every CPython 3.8+: keep it to the standard library and 3.8 syntax.
_PROBE = r"""
import json, os, sys, sysconfig, glob, struct
placeholder = sys.argv[1]
schemes = sysconfig.get_scheme_names()
venv_scheme = "venv" if "venv" in schemes else ("posix_prefix" if os.name == "posix" else "nt")
base_vars = {k: placeholder for k in ("base", "platbase", "installed_base", "installed_platbase")}
stdlib = sysconfig.get_paths()["stdlib"]
bundled = sorted(glob.glob(os.path.join(stdlib, "ensurepip", "_bundled", "*.whl")))
print(json.dumps({
    "executable": sys.executable,
    "base_executable": getattr(sys, "_base_executable", sys.executable),
    "version_info": list(sys.version_info),
    "implementation": sys.implementation.name,
    "cache_tag": sys.implementation.cache_tag,
    "prefix": sys.prefix,
    "exec_prefix": sys.exec_prefix,
    "base_prefix": sys.base_prefix,
    "base_exec_prefix": sys.base_exec_prefix,
    "platform": sys.platform,
    "os_name": os.name,
    "is_64bit": struct.calcsize("P") == 8,
    "abiflags": getattr(sys, "abiflags", ""),
    "build": sys.version,
    "paths": sysconfig.get_paths(),
    "venv_scheme": venv_scheme,
    "venv_paths": sysconfig.get_paths(venv_scheme, vars=base_vars),
    "config_vars": {k: sysconfig.get_config_var(k) for k in
                    ("VERSION", "LDVERSION", "EXT_SUFFIX", "SOABI", "Py_GIL_DISABLED", "BINDIR")},
    "bundled_wheels": bundled,
    "has_venv": os.path.isdir(os.path.join(stdlib, "venv")),
    "has_ensurepip": os.path.isdir(os.path.join(stdlib, "ensurepip")),
}))
"""


@dataclass(frozen=True)
class Interpreter:
    """Facts about one base interpreter, measured by running it once."""

    #: The interpreter binary as found (pyenv shims already resolved).
    executable: Path
    #: ``sys._base_executable`` as the interpreter reports it (CPython writes its directory as
    #: ``home``).
    base_executable: Path
    version_info: tuple[int, int, int, str, int]
    implementation: str
    prefix: Path
    exec_prefix: Path
    base_prefix: Path
    base_exec_prefix: Path
    platform: str
    os_name: str
    is_64bit: bool
    abiflags: str
    #: ``sys.version``: the build string, part of every cache key.
    build: str
    #: ``sysconfig.get_paths()`` of the interpreter itself.
    paths: dict[str, str] = field(hash=False, compare=False)
    #: The scheme a venv of this interpreter uses, with the env root as :data:`VENV_PLACEHOLDER`.
    venv_paths: dict[str, str] = field(hash=False, compare=False)
    venv_scheme: str = "posix_prefix"
    config_vars: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: The pip/setuptools wheels bundled with ``ensurepip``.
    bundled_wheels: tuple[Path, ...] = ()
    has_venv: bool = True
    has_ensurepip: bool = True
    cache_tag: str = ""

    @property
    def version(self) -> str:
        """``X.Y.Z``, as CPython writes ``version`` in ``pyvenv.cfg``."""
        return "{}.{}.{}".format(*self.version_info[:3])

    @property
    def version_short(self) -> str:
        """``X.Y``."""
        return "{}.{}".format(*self.version_info[:2])

    @property
    def real_executable(self) -> Path:
        """The binary with every symlink resolved."""
        return Path(os.path.realpath(self.executable))

    @property
    def is_venv(self) -> bool:
        return self.prefix != self.base_prefix

    @property
    def is_cpython(self) -> bool:
        return self.implementation == "cpython"

    def venv_path(self, key: str, root: Path) -> Path:
        """Where the venv scheme puts ``key`` (``purelib``, ``scripts``) for an env at ``root``."""
        return Path(self.venv_paths[key].replace(VENV_PLACEHOLDER, os.fspath(root)))

    def identity(self) -> dict[str, str]:
        """What identifies this interpreter in a cache key."""
        real = self.real_executable
        try:
            stat = real.stat()
            stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            stamp = "missing"
        return {
            "executable": os.fspath(self.executable),
            "real_executable": os.fspath(real),
            "binary": stamp,
            "build": self.build,
            "implementation": self.implementation,
        }

    def to_json(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key, value in data.items():
            if isinstance(value, Path):
                data[key] = os.fspath(value)
        data["bundled_wheels"] = [os.fspath(p) for p in self.bundled_wheels]
        data["version_info"] = list(self.version_info)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interpreter:
        paths = {
            "executable",
            "base_executable",
            "prefix",
            "exec_prefix",
            "base_prefix",
            "base_exec_prefix",
        }
        kwargs: dict[str, Any] = {k: (Path(v) if k in paths else v) for k, v in data.items()}
        kwargs["version_info"] = tuple(data["version_info"])
        kwargs["bundled_wheels"] = tuple(Path(p) for p in data.get("bundled_wheels", ()))
        return cls(**kwargs)


def _cache_root() -> Path:
    override = os.environ.get("VENVLAB_INTERPRETER_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("pytest-venvlab") / "interpreters"


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    candidate = Path(root) if root else Path.home() / ".pyenv"
    return candidate if candidate.is_dir() else None


def _is_shim(path: Path) -> bool:
    root = _pyenv_root()
    return root is not None and path.parent == root / "shims"


def _search_path() -> str:
    """PATH for discovery: every pyenv version's bin dir first, shims dropped, then PATH."""
    parts: list[str] = []
    root = _pyenv_root()
    if root is not None:
        parts.extend(sorted(glob.glob(os.fspath(root / "versions" / "*" / "bin"))))
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        if entry and not (root is not None and Path(entry) == root / "shims"):
            parts.append(entry)
    return os.pathsep.join(dict.fromkeys(parts))


_lock = threading.Lock()
_by_path: dict[str, Interpreter] = {}


def interpreter_from_path(path: str | os.PathLike[str]) -> Interpreter:
    """The facts of the interpreter at ``path``, probed once (per process, and on disk)."""
    given = Path(path)
    if not given.is_absolute():
        raise SpecError(f"interpreter path {os.fspath(path)!r} is not absolute")
    with _lock:
        cached = _by_path.get(os.fspath(given))
        if cached is not None:
            return cached
    if _is_shim(given):
        # A shim picks a version by the environment; ask it once which binary it runs.
        real = _run_probe(given)["executable"]
        info = interpreter_from_path(real)
    else:
        info = _probe_cached(given)
    with _lock:
        _by_path[os.fspath(given)] = info
    return info


def _probe_cached(path: Path) -> Interpreter:
    try:
        real = Path(os.path.realpath(path))
        stat = real.stat()
    except OSError as exc:
        raise InterpreterNotFoundError(f"interpreter {os.fspath(path)!r} does not exist") from exc
    stamp = f"{_FACTS_FORMAT}|{path}|{real}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_file = _cache_root() / (hashlib.sha256(stamp.encode()).hexdigest()[:32] + ".json")
    try:
        return Interpreter.from_json(json.loads(cache_file.read_text("utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        pass
    data = _run_probe(path)
    # Keep the path as found: ``sys.executable`` may differ for a symlinked binary.
    data["executable"] = os.fspath(path)
    info = Interpreter.from_json(data)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only cache only costs a probe next time
    return info


def _run_probe(path: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    try:
        proc = subprocess.run(
            [os.fspath(path), "-I", "-c", _PROBE, VENV_PLACEHOLDER],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    except OSError as exc:
        raise InterpreterNotFoundError(
            f"interpreter {os.fspath(path)!r} could not be run: {exc.strerror}"
        ) from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise InterpreterNotFoundError(
            f"interpreter {os.fspath(path)!r} could not be probed "
            f"(exit {proc.returncode}): {detail}"
        )
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def _discovery_cache() -> Any:
    from python_discovery import DiskCache

    return DiskCache(_cache_root() / "discovery")


@functools.cache
def find_interpreter(spec: str) -> Interpreter:
    """Resolve ``spec``: ``3.12``, ``python3.12``, ``cpython3.11``, ``>=3.10`` or a path."""
    text = spec.strip()
    if not text:
        raise SpecError("Python spec is empty; give a version such as '3.12', or a path")
    if os.path.isabs(text):
        info = interpreter_from_path(text)
        _check_supported(info, text)
        return info
    if text in {"current", "running"}:
        return _base_of(interpreter_from_path(sys.executable))
    from python_discovery import get_interpreter

    search = _search_path()
    logger = logging.getLogger("python_discovery")
    previous = logger.level
    logger.setLevel(logging.ERROR)  # it logs every too-old interpreter it meets
    try:
        found = get_interpreter(
            text,
            cache=_discovery_cache(),
            env={**os.environ, "PATH": search},
            predicate=lambda i: tuple(i.version_info[:2]) >= MINIMUM_VERSION,
        )
    except ValueError as exc:
        raise SpecError(
            f"Python spec {text!r} is not understood ({exc}); accepted: a version such as '3.12', "
            "'python3.12', 'cpython3.11', a specifier such as '>=3.10', or an absolute path"
        ) from exc
    finally:
        logger.setLevel(previous)
    if found is None:
        dirs = ", ".join(search.split(os.pathsep))
        raise InterpreterNotFoundError(
            f"no CPython 3.8+ interpreter matches Python spec {text!r}; searched the running "
            f"interpreter, PATH and pyenv versions: {dirs}"
        )
    info = _base_of(interpreter_from_path(found.executable))
    _check_supported(info, text)
    return info


def _base_of(info: Interpreter) -> Interpreter:
    """The base interpreter of a virtual environment's python (pytest itself often runs in one,
    e.g. under tox, and discovery tries the running interpreter first); others unchanged."""
    if not info.is_venv:
        return info
    candidate = info.base_prefix / "bin" / f"python{info.version_short}"
    return interpreter_from_path(candidate) if candidate.is_file() else info


def _check_supported(info: Interpreter, spec: str) -> None:
    if tuple(info.version_info[:2]) < MINIMUM_VERSION:
        raise InterpreterNotFoundError(
            f"Python spec {spec!r} found {info.executable} (Python {info.version}), but only "
            "Python 3.8 and later are supported"
        )


@functools.lru_cache(maxsize=1)
def available_interpreters() -> tuple[Interpreter, ...]:
    """Every distinct CPython 3.8+ on this machine, newest first."""
    from python_discovery import iter_interpreters

    logger = logging.getLogger("python_discovery")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        found = list(
            iter_interpreters(
                ">=3.8",
                cache=_discovery_cache(),
                env={**os.environ, "PATH": _search_path()},
            )
        )
    finally:
        logger.setLevel(previous)
    seen: dict[str, Interpreter] = {}
    for candidate in found:
        try:
            info = interpreter_from_path(candidate.executable)
        except InterpreterNotFoundError:
            continue
        if info.is_venv:
            continue
        seen.setdefault(os.fspath(info.real_executable), info)
    return tuple(sorted(seen.values(), key=lambda i: i.version_info, reverse=True))
