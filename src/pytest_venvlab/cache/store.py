"""The on-disk store of built environments: one entry per cache key, built once across processes.

Layout of a store root::

    <root>/<key-name>.lock        per-key lock (filelock), held while building or invalidating
    <root>/<key-name>/entry.json  the commit record, written last (temp file + rename)
    <root>/<key-name>/env-<token> the environment the entry names

An environment is built in place at its final path (creators and byte-code files embed it), and
becomes visible only when ``entry.json`` naming it is renamed into place. A session killed in the
middle of a build leaves an ``env-*`` directory that no entry names: the next builder reports it
and deletes it. Readers never see a half-built environment.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..build import Resolved, build
from ..errors import VenvlabError
from .fingerprint import fingerprint
from .key import CacheKey
from .relocate import Manifest, scan

__all__ = ["Acquired", "EnvStore", "StoredEntry"]

ENTRY_FORMAT = 1
ENTRY_FILE = "entry.json"
INVALID_FILE = "invalidated.txt"
LOCK_TIMEOUT = 1800.0
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

    def acquire(self, resolved: Resolved, key: CacheKey) -> Acquired:
        """The entry for ``key``: reused if published and valid, else built exactly once."""
        known = self._known.get(key.digest)
        if known is not None and self._stamp(key) == known.stamp:
            return Acquired(known, built=False)
        entry, _ = self._load_valid(key, resolved)
        if entry is not None:
            self._known[key.digest] = entry
            return Acquired(entry, built=False)
        self._prepare_root()
        lock = FileLock(os.fspath(self.root / f"{key.name}.lock"), timeout=LOCK_TIMEOUT)
        try:
            with lock:
                entry, reason = self._load_valid(key, resolved)
                if entry is not None:
                    self._known[key.digest] = entry
                    return Acquired(entry, built=False)
                reason = reason or self._leftover_reason(key)
                entry = self._build(resolved, key)
        except Timeout:
            raise VenvlabError(
                f"waited {LOCK_TIMEOUT:.0f}s for another process to finish building "
                f"{resolved.spec.describe()} (lock {lock.lock_file}); remove the lock file if "
                "no pytest run is using it"
            ) from None
        self._known[key.digest] = entry
        return Acquired(entry, built=True, rebuild_reason=reason)

    def invalidate(self, key: CacheKey, env: Path, reason: str) -> None:
        """Unpublish ``env`` (if it is still the entry of ``key``) so the next user rebuilds."""
        self._known.pop(key.digest, None)
        lock = FileLock(os.fspath(self.root / f"{key.name}.lock"), timeout=LOCK_TIMEOUT)
        with lock:
            data = self._read(key)
            if data is None or data.get("env") != env.name:
                return
            entry_dir = self.root / key.name
            (entry_dir / INVALID_FILE).write_text(reason + "\n", "utf-8")
            (entry_dir / ENTRY_FILE).unlink()

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

    def _prepare_root(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.persistent:
            tag = self.root / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(_CACHEDIR_TAG, "utf-8")

    def _stamp(self, key: CacheKey) -> tuple[int, int]:
        try:
            info = os.stat(self.root / key.name / ENTRY_FILE)
        except OSError:
            return (0, 0)
        return (info.st_ino, info.st_mtime_ns)

    def _read(self, key: CacheKey) -> dict[str, Any] | None:
        try:
            text = (self.root / key.name / ENTRY_FILE).read_text("utf-8")
            data: dict[str, Any] = json.loads(text)
        except (OSError, ValueError):
            return None
        return data

    def _load_valid(
        self, key: CacheKey, resolved: Resolved
    ) -> tuple[StoredEntry | None, str | None]:
        """The published entry if it can be reused, else ``(None, why not)``."""
        stamp = self._stamp(key)
        data = self._read(key)
        if data is None:
            return None, None
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
        except (KeyError, TypeError, ValueError):
            return None, "its entry record is unreadable"
        why = validate(entry, resolved)
        if why is not None:
            return None, why
        return entry, None

    def _leftover_reason(self, key: CacheKey) -> str | None:
        entry_dir = self.root / key.name
        invalid = entry_dir / INVALID_FILE
        if invalid.exists():
            return invalid.read_text("utf-8").strip() or "it was invalidated"
        if entry_dir.is_dir() and any(p.name.startswith("env-") for p in entry_dir.iterdir()):
            return "an earlier session stopped while building it (left half-built)"
        return None

    def _build(self, resolved: Resolved, key: CacheKey) -> StoredEntry:
        entry_dir = self.root / key.name
        if entry_dir.exists():
            shutil.rmtree(entry_dir)
        entry_dir.mkdir(parents=True)
        env = entry_dir / f"env-{uuid.uuid4().hex[:10]}"
        started = time.perf_counter()
        build(resolved, env)
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
        temp.write_text(json.dumps(data, indent=1, sort_keys=True), "utf-8")
        os.replace(temp, entry_dir / ENTRY_FILE)
        return StoredEntry(
            env=env,
            manifest=manifest,
            fingerprint=str(data["fingerprint"]),
            seconds=seconds,
            interpreter=dict(data["interpreter"]),  # type: ignore[call-overload]
            stamp=self._stamp(key),
        )


def validate(entry: StoredEntry, resolved: Resolved) -> str | None:
    """Why a published entry must not be reused, or ``None`` if it can be."""
    current = resolved.interpreter.identity()
    if current.get("binary") == "missing":
        return f"its interpreter {current['real_executable']} is gone"
    if current != entry.interpreter:
        return f"its interpreter {current['real_executable']} changed since it was built"
    for required in (entry.env / "pyvenv.cfg", entry.env):
        if not required.exists():
            return f"it is incomplete ({required} is missing)"
    if fingerprint(entry.env) != entry.fingerprint:
        return "its files changed since it was built"
    return None
