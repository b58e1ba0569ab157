"""Copying a cached environment into a fully independent private environment, fast.

A copy shares nothing with its source: every file is a new inode (no hardlinks, which a write
would pass through, since we may run as root and file modes protect nothing), symlinks that
pointed inside the source are re-pointed into the copy, and the files that name the source's
path (shebangs, activate scripts, ``pyvenv.cfg``) are rewritten.

The copy itself is ``cp -a`` (GNU cp uses reflinks, copy-on-write clones, where the file system
has them) run as a child process, so it needs no GIL and can run while a test runs. Creating
~1,700 files is the cost, so a :class:`CopyPool` avoids doing it per test: a copy a test gave
back is reset to pristine and handed out again (:mod:`.recycle`), and otherwise the next copy of
an environment is already being made in the background.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VenvlabError
from .recycle import Listing, listing, reset, stamp
from .relocate import Manifest, relocate

__all__ = ["CopyPool", "copy_tree", "remove_tree"]


def _cp() -> str | None:
    return shutil.which("cp")


def _start_copy(source: Path, dest: Path) -> subprocess.Popen[bytes] | None:
    cp = _cp()
    if cp is None:
        return None
    return subprocess.Popen(
        [cp, "-a", "--", os.fspath(source), os.fspath(dest)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finish_copy(proc: subprocess.Popen[bytes] | None, source: Path, dest: Path) -> None:
    if proc is None:
        shutil.copytree(source, dest, symlinks=True)
        return
    _, err = proc.communicate()
    if proc.returncode != 0:
        detail = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise VenvlabError(f"copying {source} to {dest} failed: {detail[0]}")


def copy_tree(source: Path, dest: Path, manifest: Manifest) -> None:
    """Copy the environment ``source`` to ``dest`` (which must not exist) and relocate it."""
    _finish_copy(_start_copy(source, dest), source, dest)
    relocate(dest, source, manifest)


def remove_tree(path: Path, trash: Path) -> subprocess.Popen[bytes] | None:
    """Move ``path`` out of the way at once and delete it in the background.

    Returns the deleting process (wait for it before the session ends), or ``None`` when it was
    deleted in place.
    """
    if not os.path.lexists(path):
        return None
    trash.mkdir(parents=True, exist_ok=True)
    doomed = trash / f"{path.name}-{uuid.uuid4().hex[:8]}"
    try:
        os.rename(path, doomed)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return None
    rm = shutil.which("rm")
    if rm is None:
        shutil.rmtree(doomed, ignore_errors=True)
        return None
    return subprocess.Popen(
        [rm, "-rf", "--", os.fspath(doomed)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@dataclass
class _Pending:
    dest: Path
    proc: subprocess.Popen[bytes] | None


@dataclass
class CopyPool:
    """Private copies of cached environments: recycled when possible, else made ahead of time.

    ``take(source, manifest)`` returns a pristine, relocated, independent copy under ``root``.
    A copy given back with :meth:`remove` is kept (up to ``keep`` per source) and reset to the
    source's state before it is handed out again (see :mod:`.recycle`), which rewrites only what
    the test changed. When no used copy is waiting, the pool uses the copy it started in the
    background after the previous take, and starts the next one.
    """

    root: Path
    prepare_ahead: bool = True
    recycle: bool = True
    keep: int = 2
    _pending: dict[Path, _Pending] = field(default_factory=dict)
    _recycled: dict[Path, list[tuple[Path, int]]] = field(default_factory=dict)
    _listings: dict[Path, Listing] = field(default_factory=dict)
    _manifests: dict[Path, Manifest] = field(default_factory=dict)
    #: Copies handed out: copy -> (its source, the stamp taken when it was pristine).
    _out: dict[Path, tuple[Path, int]] = field(default_factory=dict)
    _removals: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _counter: int = 0

    def _next_dest(self, source: Path) -> Path:
        # Each copy keeps its source's directory name, inside a directory of its own: CPython's
        # activate scripts show that name as the prompt, so it must still be the env's own.
        self._counter += 1
        holder = self.root / f"copy-{os.getpid()}-{self._counter:04d}-{uuid.uuid4().hex[:6]}"
        holder.mkdir()
        return holder / source.name

    def take(self, source: Path, manifest: Manifest) -> Path:
        """A private copy of ``source``, pointing at its own path."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._manifests[source] = manifest
        dest = self._take_recycled(source, manifest)
        if dest is None:
            dest = self._take_fresh(source, manifest)
            if self.prepare_ahead and source not in self._pending:
                ahead = self._next_dest(source)
                self._pending[source] = _Pending(ahead, _start_copy(source, ahead))
        self._out[dest] = (source, stamp(self.root))
        return dest

    def _take_recycled(self, source: Path, manifest: Manifest) -> Path | None:
        waiting = self._recycled.get(source)
        while waiting:
            copy, since = waiting.pop()
            known = self._listings.get(source)
            if known is None:
                known = self._listings[source] = listing(source)
            try:
                reset(copy, source, known, manifest, since)
            except OSError:
                self._discard(copy)
                continue
            return copy
        return None

    def _take_fresh(self, source: Path, manifest: Manifest) -> Path:
        pending = self._pending.pop(source, None)
        if pending is not None:
            try:
                _finish_copy(pending.proc, source, pending.dest)
            except (VenvlabError, OSError):
                self._discard(pending.dest)
            else:
                relocate(pending.dest, source, manifest)
                return pending.dest
        dest = self._next_dest(source)
        _finish_copy(_start_copy(source, dest), source, dest)
        relocate(dest, source, manifest)
        return dest

    def forget(self, source: Path) -> None:
        """Drop the copies waiting for ``source`` (its cache entry changed)."""
        pending = self._pending.pop(source, None)
        if pending is not None:
            if pending.proc is not None:
                pending.proc.kill()
                pending.proc.communicate()
            self._discard(pending.dest)
        for copy, _ in self._recycled.pop(source, []):
            self._discard(copy)
        self._listings.pop(source, None)

    def remove(self, path: Path) -> None:
        """Give back a copy this pool handed out: kept for reuse, or deleted in the background."""
        owner = self._out.pop(path, None)
        if owner is not None and self.recycle and os.path.isdir(owner[0]):
            waiting = self._recycled.setdefault(owner[0], [])
            if len(waiting) < self.keep:
                waiting.append((path, owner[1]))
                return
        self._discard(path)
        self._removals = [p for p in self._removals if p.poll() is None]

    def _discard(self, path: Path) -> None:
        holder = path.parent
        if holder.parent == self.root and holder.name.startswith("copy-"):
            path = holder
        proc = remove_tree(path, self.root / ".trash")
        if proc is not None:
            self._removals.append(proc)

    def close(self) -> None:
        """Stop preparing copies, delete the unused ones and wait for every deletion."""
        for source in list(self._pending) + list(self._recycled):
            self.forget(source)
        for path in list(self._out):
            self._discard(path)
        self._out.clear()
        for proc in self._removals:
            proc.wait()
        self._removals.clear()
        shutil.rmtree(self.root / ".trash", ignore_errors=True)
