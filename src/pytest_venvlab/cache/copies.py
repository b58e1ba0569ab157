"""Copying a cached environment into a fully independent private environment, fast.

A copy shares nothing with its source: every file is a new inode (no hardlinks, which a write
would pass through, since we may run as root and file modes protect nothing), symlinks that
pointed inside the source are re-pointed into the copy, and the files that name the source's
path (shebangs, activate scripts, ``pyvenv.cfg``) are rewritten.

The copy itself is ``cp -a`` (GNU cp uses reflinks, copy-on-write clones, where the file system
has them) run as a child process, so it needs no GIL and can run while a test runs: a
:class:`CopyPool` keeps the next private copy of an environment in preparation, and handing it
out then only waits for what is left of that copy and rewrites a dozen small files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import VenvlabError
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
    source: Path
    dest: Path
    proc: subprocess.Popen[bytes] | None


@dataclass
class CopyPool:
    """Private copies of cached environments, the next one for each source made ahead of time.

    ``take(source, manifest)`` returns a new, relocated, independent copy under ``root``. After
    the first copy of a source, the pool starts copying the next one in the background, so a
    suite that takes many copies mostly waits for nothing.
    """

    root: Path
    prepare_ahead: bool = True
    _pending: dict[Path, _Pending] = field(default_factory=dict)
    _removals: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _counter: int = 0

    def _next_dest(self) -> Path:
        self._counter += 1
        return self.root / f"venv-{os.getpid()}-{self._counter:04d}-{uuid.uuid4().hex[:6]}"

    def take(self, source: Path, manifest: Manifest) -> Path:
        """A private copy of ``source``, relocated to its own path."""
        self.root.mkdir(parents=True, exist_ok=True)
        pending = self._pending.pop(source, None)
        dest: Path | None = None
        if pending is not None:
            try:
                _finish_copy(pending.proc, source, pending.dest)
                dest = pending.dest
            except (VenvlabError, OSError):
                self._discard(pending.dest)
        if dest is None:
            dest = self._next_dest()
            _finish_copy(_start_copy(source, dest), source, dest)
        relocate(dest, source, manifest)
        if self.prepare_ahead:
            ahead = self._next_dest()
            self._pending[source] = _Pending(source, ahead, _start_copy(source, ahead))
        return dest

    def forget(self, source: Path) -> None:
        """Drop the copy in preparation for ``source`` (its cache entry changed)."""
        pending = self._pending.pop(source, None)
        if pending is not None:
            if pending.proc is not None:
                pending.proc.kill()
                pending.proc.wait()
            self._discard(pending.dest)

    def remove(self, path: Path) -> None:
        """Delete a copy this pool handed out (in the background)."""
        proc = remove_tree(path, self.root / ".trash")
        if proc is not None:
            self._removals.append(proc)
        self._removals = [p for p in self._removals if p.poll() is None]

    def _discard(self, path: Path) -> None:
        proc = remove_tree(path, self.root / ".trash")
        if proc is not None:
            self._removals.append(proc)

    def close(self) -> None:
        """Stop preparing copies, delete the unused ones and wait for every deletion."""
        for source in list(self._pending):
            self.forget(source)
        for proc in self._removals:
            proc.wait()
        self._removals.clear()
        shutil.rmtree(self.root / ".trash", ignore_errors=True)
