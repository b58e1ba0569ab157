"""Putting a used private copy back into the state of the environment it was copied from.

Making a copy means creating every file again (about 1,700 for an environment with pip); most
tests change a handful. So a copy a test is done with is kept, and before it is handed out again
it is *reset*: everything that changed since the copy was last made pristine is put back from
the source, and everything that was added is deleted. The copy stays fully independent: the
reset copies bytes, it never links.

What changed is found by the inode change time (``ctime``), which every write, ``chmod``,
rename or new hardlink updates and no unprivileged call can set back: an entry whose ctime is
not older than the moment the copy was last made pristine is restored. Entries the source does
not have are deleted; entries the copy lost are copied back.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from .relocate import Manifest, relocate

__all__ = ["Listing", "listing", "reset", "stamp"]


@dataclass(frozen=True)
class Listing:
    """Every entry of an environment: relative path -> (kind, mode); kind is d, f or l."""

    entries: dict[str, tuple[str, int]]


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "d"
    if stat.S_ISLNK(mode):
        return "l"
    return "f"


def listing(root: Path) -> Listing:
    """The entries of ``root`` (one ``lstat`` each)."""
    entries: dict[str, tuple[str, int]] = {}
    stack = [(os.fspath(root), "")]
    while stack:
        directory, rel = stack.pop()
        with os.scandir(directory) as found:
            for entry in found:
                path = f"{rel}/{entry.name}" if rel else entry.name
                mode = entry.stat(follow_symlinks=False).st_mode
                kind = _kind(mode)
                entries[path] = (kind, stat.S_IMODE(mode))
                if kind == "d":
                    stack.append((entry.path, path))
    return Listing(entries)


def stamp(scratch: Path) -> int:
    """A file-system timestamp (ns) taken now: entries changed from now on have a ctime >= it.

    It is read from a file created on the same file system, so it uses the clock (and the
    granularity) the file system stamps ctimes with.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    marker = scratch / f".stamp-{os.getpid()}"
    marker.write_bytes(b"")
    try:
        return os.lstat(marker).st_ctime_ns
    finally:
        marker.unlink()


def reset(copy: Path, source: Path, known: Listing, manifest: Manifest, since: int) -> int:
    """Make ``copy`` equal to ``source`` again; return how many entries had to be fixed.

    ``since`` is the :func:`stamp` taken when ``copy`` was last pristine; ``known`` is the
    listing of ``source``.
    """
    fixed = 0
    restored: list[str] = []
    seen: set[str] = set()
    stack = [(os.fspath(copy), "")]
    while stack:
        directory, rel = stack.pop()
        with os.scandir(directory) as found:
            entries = list(found)
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            info = entry.stat(follow_symlinks=False)
            kind = _kind(info.st_mode)
            expected = known.entries.get(path)
            if expected is None or expected[0] != kind:
                _delete(Path(entry.path), kind)
                fixed += 1
                continue
            seen.add(path)
            if kind == "d":
                if info.st_ctime_ns >= since and stat.S_IMODE(info.st_mode) != expected[1]:
                    os.chmod(entry.path, expected[1])
                    fixed += 1
                stack.append((entry.path, path))
            elif info.st_ctime_ns >= since:
                _restore(copy, source, path, kind)
                restored.append(path)
                fixed += 1
    restored_dirs: list[str] = []
    for path in sorted(set(known.entries) - seen):
        if any(path.startswith(d + "/") for d in restored_dirs):
            continue
        kind = known.entries[path][0]
        _restore(copy, source, path, kind)
        restored.append(path)
        if kind == "d":
            restored_dirs.append(path)
        fixed += 1
    if restored:
        # Restored entries came from the source: point those that name it at the copy again.
        done = set(restored)

        def again(paths: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(
                p for p in paths if p in done or any(p.startswith(d + "/") for d in restored_dirs)
            )

        relocate(copy, source, Manifest(again(manifest.files), again(manifest.links)))
    return fixed


def _delete(path: Path, kind: str) -> None:
    if kind == "d":
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _restore(copy: Path, source: Path, rel: str, kind: str) -> None:
    target = copy / rel
    origin = source / rel
    if os.path.lexists(target):
        _delete(target, "d" if target.is_dir() and not target.is_symlink() else "f")
    if kind == "d":
        shutil.copytree(origin, target, symlinks=True)
    elif kind == "l":
        os.symlink(os.readlink(origin), target)
    else:
        shutil.copy2(origin, target, follow_symlinks=False)
