"""The on-disk store of built environments: one entry per cache key, built once across processes.

Layout of a store root::

    <root>/<key-name>.lock        per-key flock (see .safety), held while building or invalidating
    <root>/<key-name>/entry.json  the commit record, written last (temp file + rename)
    <root>/<key-name>/env-<token> the environment the entry names

An environment is built in place at its final path (creators and byte-code files embed it), and
becomes visible only when ``entry.json`` naming it is renamed into place. A session killed in the
middle of a build leaves an ``env-*`` directory that no entry names: the next builder reports it
and deletes it. Readers never see a half-built environment.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import Resolved, build
from ..errors import VenvlabError
from .fingerprint import fingerprint
from .key import CacheKey
from .relocate import Manifest, scan
from .safety import (
    CacheSecurityError,
    KeyLock,
    check_root,
    make_private_dir,
    read_text_nofollow,
    write_text_nofollow,
)

__all__ = ["Acquired", "EnvStore", "StoredEntry"]

ENTRY_FORMAT = 1
ENTRY_FILE = "entry.json"
INVALID_FILE = "invalidated.txt"
#: What an entry record may name as its environment (never a path outside the entry).
_ENV_NAME = re.compile(r"env-[0-9a-f]{1,32}")
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This directory holds virtual environments cached by pytest-venvlab.\n"
)


@dataclass(frozen=True)
class StoredEntry:
    """A published environment, as its ``entry.json`` describes it."""

    env: Path
    manifest: Manifest
    fingerprint: str
    seconds: float
    interpreter: dict[str, str]
    stamp: tuple[int, int]


@dataclass(frozen=True)
class Acquired:
    """The result of asking the store for a key."""

    entry: StoredEntry
    built: bool
    #: Why an existing entry was not reused (``None`` for a first build or a reuse).
    rebuild_reason: str | None = None


class EnvStore:
    """Environments keyed by :class:`CacheKey` under ``root``, shared by every process that uses
    the same root (xdist workers of a run, or runs sharing a persistent cache directory)."""

    def __init__(self, root: Path, *, persistent: bool = False) -> None:
        self.root = root
        self.persistent = persistent
        self._known: dict[str, StoredEntry] = {}
        self._root_ready = False
        #: Builds that failed in this process: not retried for every test that asks.
        self._failed: dict[str, str] = {}

    def acquire(self, resolved: Resolved, key: CacheKey) -> Acquired:
        """The entry for ``key``: reused if published and valid, else built exactly once.

        Waits, with no time limit, while another live process builds it (a pip build may take
        minutes); the lock is freed by the kernel if that process dies, and this one takes over.
        """
        known = self._known.get(key.digest)
        if known is not None and self._stamp(key) == known.stamp:
            return Acquired(known, built=False)
        failed = self._failed.get(key.digest)
        if failed is not None:
            raise VenvlabError(failed)
        try:
            self._prepare_root()
            entry, _ = self._load_valid(key, resolved)
            if entry is not None:
                self._known[key.digest] = entry
                return Acquired(entry, built=False)
            with KeyLock(self.root / f"{key.name}.lock"):
                entry, reason = self._load_valid(key, resolved)
                if entry is not None:
                    self._known[key.digest] = entry
                    return Acquired(entry, built=False)
                reason = reason or self._leftover_reason(key)
                entry = self._build(resolved, key)
        except (OSError, VenvlabError) as exc:
            message = self._explain(exc, resolved)
            if not isinstance(exc, CacheSecurityError):
                self._failed[key.digest] = message
            if isinstance(exc, VenvlabError) and message == str(exc):
                raise
            raise VenvlabError(message) from None
        self._known[key.digest] = entry
        return Acquired(entry, built=True, rebuild_reason=reason)

    def invalidate(self, key: CacheKey, env: Path, reason: str) -> None:
        """Unpublish ``env`` (if it is still the entry of ``key``) so the next user rebuilds.

        Raises :class:`VenvlabError` (one line) if the cache does not let it.
        """
        self._known.pop(key.digest, None)
        try:
            with KeyLock(self.root / f"{key.name}.lock"):
                data = self._read(key)
                if data is None or data.get("env") != env.name:
                    return
                entry_dir = self.root / key.name
                (entry_dir / ENTRY_FILE).unlink()
                write_text_nofollow(entry_dir / INVALID_FILE, reason + "\n")
        except OSError as exc:
            raise VenvlabError(f"could not unpublish {env}: {exc}") from None

    def clear(self) -> None:
        """Delete every entry (``--venv-cache-clear``)."""
        if not self.root.is_dir():
            return
        for child in self.root.iterdir():
            if child.name == "CACHEDIR.TAG":
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    # -- internals ---------------------------------------------------------------------------

    def _explain(self, exc: OSError | VenvlabError, resolved: Resolved) -> str:
        """The message for a failure to reuse or build: a full disk and file system errors in
        one line (a full disk's tracebacks from the creator are noise), anything else as is."""
        spec = resolved.spec.describe()
        if _disk_full(exc):
            return (
                f"no space left on the device holding {self.root} while building {spec}: "
                "free some space, or point --venv-cache-dir (or --basetemp) at another disk"
            )
        if isinstance(exc, OSError):
            return f"the environment cache in {self.root} cannot be used for {spec}: {exc}"
        return str(exc)

    def _prepare_root(self) -> None:
        """Refuse a root someone else could have written to; create it ``0700`` (once)."""
        if self._root_ready:
            return
        what = "cache directory" if self.persistent else "per-run environment directory"
        check_root(self.root, what=what)
        make_private_dir(self.root)
        check_root(self.root, what=what)  # it may have been made by someone else meanwhile
        if self.persistent:
            tag = self.root / "CACHEDIR.TAG"
            if not os.path.lexists(tag):
                # Best effort: a read-only cache can still hand out the entries it holds.
                with contextlib.suppress(OSError):
                    write_text_nofollow(tag, _CACHEDIR_TAG, exclusive=True)
        self._root_ready = True

    def _stamp(self, key: CacheKey) -> tuple[int, int]:
        try:
            info = os.stat(self.root / key.name / ENTRY_FILE)
        except OSError:
            return (0, 0)
        return (info.st_ino, info.st_mtime_ns)

    def _read(self, key: CacheKey) -> dict[str, Any] | None:
        try:
            text = read_text_nofollow(self.root / key.name / ENTRY_FILE)
            data: dict[str, Any] = json.loads(text)
        except CacheSecurityError:
            raise
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _load_valid(
        self, key: CacheKey, resolved: Resolved
    ) -> tuple[StoredEntry | None, str | None]:
        """The published entry if it can be reused, else ``(None, why not)``."""
        stamp = self._stamp(key)
        try:
            data = self._read(key)
        except CacheSecurityError:
            return None, "its entry record is a symbolic link (not followed)"
        if data is None:
            if os.path.lexists(self.root / key.name / ENTRY_FILE):
                return None, "its entry record is unreadable"
            return None, None
        if not _ENV_NAME.fullmatch(str(data.get("env"))):
            return None, "its entry record is unreadable"
        try:
            entry = StoredEntry(
                env=self.root / key.name / str(data["env"]),
                manifest=Manifest.from_json(data["manifest"]),
                fingerprint=str(data["fingerprint"]),
                seconds=float(data["seconds"]),
                interpreter=dict(data["interpreter"]),
                stamp=stamp,
            )
            if data.get("format") != ENTRY_FORMAT or data.get("digest") != key.digest:
                return None, "its entry was written by another version of pytest-venvlab"
        except (AttributeError, KeyError, TypeError, ValueError):
            return None, "its entry record is unreadable"
        why = validate(entry, resolved)
        if why is not None:
            return None, why
        return entry, None

    def _leftover_reason(self, key: CacheKey) -> str | None:
        entry_dir = self.root / key.name
        invalid = entry_dir / INVALID_FILE
        if os.path.lexists(invalid):
            try:
                return read_text_nofollow(invalid).strip() or "it was invalidated"
            except (OSError, CacheSecurityError):
                return "it was invalidated"
        if entry_dir.is_dir() and any(p.name.startswith("env-") for p in entry_dir.iterdir()):
            return "an earlier session stopped while building it (left half-built)"
        return None

    def _build(self, resolved: Resolved, key: CacheKey) -> StoredEntry:
        entry_dir = self.root / key.name
        if os.path.lexists(entry_dir):
            if entry_dir.is_symlink() or not entry_dir.is_dir():
                entry_dir.unlink()
            else:
                shutil.rmtree(entry_dir)
        make_private_dir(entry_dir)
        env = entry_dir / f"env-{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        try:
            build(resolved, env)
        except BaseException:
            # A failed or interrupted (Ctrl-C) build leaves nothing that looks like an env.
            shutil.rmtree(env, ignore_errors=True)
            raise
        seconds = time.perf_counter() - started
        manifest = scan(env)
        data = {
            "format": ENTRY_FORMAT,
            "digest": key.digest,
            "env": env.name,
            "spec": resolved.spec.describe(),
            "key": key.data,
            "interpreter": resolved.interpreter.identity(),
            "fingerprint": fingerprint(env),
            "manifest": manifest.to_json(),
            "seconds": seconds,
            "created": time.time(),
        }
        temp = entry_dir / f".{ENTRY_FILE}.{os.getpid()}.tmp"
        write_text_nofollow(temp, json.dumps(data, indent=1, sort_keys=True), exclusive=True)
        os.replace(temp, entry_dir / ENTRY_FILE)
        return StoredEntry(
            env=env,
            manifest=manifest,
            fingerprint=str(data["fingerprint"]),
            seconds=seconds,
            interpreter=dict(data["interpreter"]),  # type: ignore[call-overload]
            stamp=self._stamp(key),
        )


def _disk_full(exc: OSError | VenvlabError) -> bool:
    if isinstance(exc, OSError):
        return exc.errno == errno.ENOSPC
    text = f"{exc} {getattr(exc, 'stdout', '')} {getattr(exc, 'stderr', '')}"
    return "No space left on device" in text or "[Errno 28]" in text


def validate(entry: StoredEntry, resolved: Resolved) -> str | None:
    """Why a published entry must not be reused, or ``None`` if it can be."""
    current = resolved.interpreter.identity()
    if current.get("binary") == "missing":
        return f"its interpreter {current['real_executable']} is gone"
    if current != entry.interpreter:
        return f"its interpreter {current['real_executable']} changed since it was built"
    # The binary may survive its standard library (a half-removed install): its facts are
    # cached by the binary's stamp, so look at the library itself (one stat).
    stdlib = resolved.interpreter.paths.get("stdlib")
    if stdlib and not os.path.isdir(stdlib):
        return f"its interpreter's standard library {stdlib} is gone"
    for required in (entry.env / "pyvenv.cfg", entry.env):
        if not required.exists():
            return f"it is incomplete ({required} is missing)"
    if fingerprint(entry.env) != entry.fingerprint:
        return "its files changed since it was built"
    return None
