"""pip (and, where ensurepip adds it, setuptools) without running pip for every environment.

The interpreter's own ensurepip wheels are unpacked once per interpreter into a seed directory
in the user cache, byte-compiled once by that interpreter, and from then on hard-linked (or
copied, across file systems) into each new environment, with console scripts, ``INSTALLER``
and ``RECORD`` written for that environment. Building a seed is atomic (a temporary directory
renamed into place) and serialised with a file lock, so concurrent xdist workers share one.
"""

from __future__ import annotations

import base64
import configparser
import contextlib
import functools
import hashlib
import json
import os
import shutil
import subprocess
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CreatorError
from .layout import layout_for
from .scripts import console_script, script_names

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["install_seed_packages", "seed_root", "seed_wheels"]

SEED_FORMAT = "1"
INSTALLER = "venvlab\n"


def seed_root() -> Path:
    """Where seeds live: ``$VENVLAB_SEED_CACHE``, else the user cache directory."""
    override = os.environ.get("VENVLAB_SEED_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("pytest-venvlab") / "seed"


def _wheel_version(path: Path) -> tuple[int, ...]:
    parts = path.name.split("-")
    try:
        return tuple(int(p) for p in parts[1].split("."))
    except (IndexError, ValueError):
        return (0,)


def seed_wheels(interpreter: Interpreter) -> tuple[Path, ...]:
    """The wheels ensurepip of ``interpreter`` installs: the newest bundled pip, plus
    setuptools before Python 3.12."""
    by_name: dict[str, Path] = {}
    for wheel in interpreter.bundled_wheels:
        name = wheel.name.split("-")[0].lower()
        if name == "setuptools" and interpreter.version_info[:2] >= (3, 12):
            continue
        if name not in {"pip", "setuptools"}:
            continue
        current = by_name.get(name)
        if current is None or _wheel_version(wheel) > _wheel_version(current):
            by_name[name] = wheel
    if "pip" not in by_name:
        return ()
    return tuple(by_name[n] for n in sorted(by_name))


@dataclass(frozen=True)
class Seed:
    """One unpacked wheel, ready to be linked into environments."""

    root: Path
    #: Directories under ``site`` (relative, parents first).
    dirs: tuple[str, ...]
    #: Files under ``site`` (relative).
    files: tuple[str, ...]
    #: ``RECORD`` lines for ``files`` (the ``RECORD`` line itself and scripts come later).
    record: tuple[str, ...]
    dist_info: str
    #: ``(name, "module:attr")`` for the console scripts, names not yet versioned.
    scripts: tuple[tuple[str, str], ...]


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _seed_key(interpreter: Interpreter, wheel: Path) -> str:
    stat = wheel.stat()
    stamp = "|".join(
        [
            SEED_FORMAT,
            os.fspath(wheel),
            str(stat.st_size),
            str(stat.st_mtime_ns),
            interpreter.cache_tag,
            os.fspath(interpreter.real_executable),
        ]
    )
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return f"{wheel.stem.split('-')[0]}-{_wheel_version(wheel)[0]}-{interpreter.cache_tag}-{digest}"


def _unpack(wheel: Path, site: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            name = info.filename
            if name.endswith("/"):
                continue
            parts = name.split("/")
            if name.startswith("/") or ".." in parts:
                raise CreatorError(f"wheel {wheel} has an unsafe member {name!r}")
            if ".data" in parts[0] and parts[0].endswith(".data"):
                raise CreatorError(
                    f"wheel {wheel} has a .data directory; venvlab seeds only pure wheels"
                )
            target = site.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _compile(interpreter: Interpreter, site: Path) -> None:
    """Byte-compile the seed once with its own interpreter (a pip run then starts fast)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    subprocess.run(
        [
            os.fspath(interpreter.executable),
            *("-I", "-m", "compileall", "-q", os.fspath(site)),
        ],
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )


def _build(interpreter: Interpreter, wheel: Path, final: Path) -> None:
    tmp = final.with_name(f"{final.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(tmp, ignore_errors=True)
    site = tmp / "site"
    site.mkdir(parents=True)
    _unpack(wheel, site)
    dist_infos = [p for p in site.iterdir() if p.name.endswith(".dist-info")]
    if len(dist_infos) != 1:
        raise CreatorError(f"wheel {wheel} does not hold exactly one .dist-info directory")
    dist_info = dist_infos[0]
    (dist_info / "RECORD").unlink(missing_ok=True)
    (dist_info / "INSTALLER").write_text(INSTALLER, "utf-8")
    scripts: list[tuple[str, str]] = []
    entry_points = dist_info / "entry_points.txt"
    if entry_points.is_file():
        parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(entry_points.read_text("utf-8"))
        if parser.has_section("console_scripts"):
            scripts = list(parser.items("console_scripts"))
    _compile(interpreter, site)
    dirs: list[str] = []
    files: list[str] = []
    record: list[str] = []
    for current, subdirs, names in os.walk(site):
        subdirs.sort()
        rel_dir = os.path.relpath(current, site)
        if rel_dir != ".":
            dirs.append(rel_dir)
        for name in sorted(names):
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            files.append(rel)
            if name.endswith(".pyc"):
                record.append(f"{rel},,")
            else:
                data = (site / rel).read_bytes()
                record.append(f"{rel},{_hash(data)},{len(data)}")
    index = {
        "dirs": dirs,
        "files": files,
        "record": record,
        "dist_info": dist_info.name,
        "scripts": scripts,
    }
    (tmp / "index.json").write_text(json.dumps(index), "utf-8")
    try:
        os.rename(tmp, final)
    except OSError:
        # Another process finished the same seed first; theirs is as good as ours.
        shutil.rmtree(tmp, ignore_errors=True)
        if not (final / "index.json").is_file():
            raise


_lock = threading.Lock()


@functools.lru_cache(maxsize=32)
def _load(root: Path) -> Seed:
    data = json.loads((root / "index.json").read_text("utf-8"))
    return Seed(
        root=root,
        dirs=tuple(data["dirs"]),
        files=tuple(data["files"]),
        record=tuple(data["record"]),
        dist_info=data["dist_info"],
        scripts=tuple((n, t) for n, t in data["scripts"]),
    )


def get_seed(interpreter: Interpreter, wheel: Path) -> Seed:
    """The seed of ``wheel`` for ``interpreter``, built on first use."""
    final = seed_root() / _seed_key(interpreter, wheel)
    if not (final / "index.json").is_file():
        from filelock import FileLock

        final.parent.mkdir(parents=True, exist_ok=True)
        with _lock, FileLock(os.fspath(final) + ".lock"):
            if not (final / "index.json").is_file():
                _build(interpreter, wheel, final)
    return _load(final)


def _place(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except FileExistsError:
        os.unlink(dst)  # an environment created again over an old one (CLI-1)
        _place(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_executable(path: str, text: str) -> bytes:
    data = text.encode("utf-8")
    if os.path.lexists(path):
        os.unlink(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o755)
    return data


def install_seed(interpreter: Interpreter, seed: Seed, env_root: str) -> None:
    """Link ``seed`` into the environment at ``env_root`` and write its scripts and RECORD."""
    layout = layout_for(interpreter)
    site = os.path.join(env_root, layout.site_packages)
    bin_dir = os.path.join(env_root, layout.bin_dir)
    src_site = os.fspath(seed.root / "site")
    for rel in seed.dirs:
        os.makedirs(os.path.join(site, rel), exist_ok=True)
    for rel in seed.files:
        _place(os.path.join(src_site, rel), os.path.join(site, rel))
    python = os.path.join(bin_dir, "python")
    to_bin = os.path.relpath(bin_dir, site)
    record = list(seed.record)
    version = (interpreter.version_info[0], interpreter.version_info[1])
    targets = dict(seed.scripts)
    wanted = script_names([n for n, _ in seed.scripts], version)
    for name in wanted:
        target = targets.get(name)
        if target is None:  # a versioned name made up for this Python
            base = "pip" if name.startswith("pip") else "easy_install"
            target = targets[base]
        data = _write_executable(os.path.join(bin_dir, name), console_script(python, target, name))
        record.append(f"{to_bin}/{name},{_hash(data)},{len(data)}")
    record.append(f"{seed.dist_info}/RECORD,,")
    with open(os.path.join(site, seed.dist_info, "RECORD"), "w", encoding="utf-8") as out:
        out.write("\n".join(record) + "\n")


def install_seed_packages(interpreter: Interpreter, env_root: str) -> None:
    """Install pip (and setuptools where ensurepip would) into the environment at
    ``env_root``."""
    wheels = seed_wheels(interpreter)
    if not wheels:
        raise CreatorError(
            f"Python {interpreter.version} at {interpreter.executable} has no bundled pip "
            "wheel (ensurepip); create the environment without pip"
        )
    for wheel in wheels:
        seed = get_seed(interpreter, wheel)
        try:
            install_seed(interpreter, seed, env_root)
        except FileNotFoundError as exc:
            if not exc.filename or not os.fspath(exc.filename).startswith(os.fspath(seed.root)):
                raise
            # Part of the seed was deleted (a cache cleaner): rebuild it once and retry.
            _discard(seed)
            install_seed(interpreter, get_seed(interpreter, wheel), env_root)


def _discard(seed: Seed) -> None:
    from filelock import FileLock

    with _lock, FileLock(os.fspath(seed.root) + ".lock"):
        doomed = seed.root.with_name(f"{seed.root.name}.old-{os.getpid()}")
        with contextlib.suppress(OSError):
            os.rename(seed.root, doomed)
        shutil.rmtree(doomed, ignore_errors=True)
    _load.cache_clear()
