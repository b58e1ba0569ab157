"""Making a copied environment point at itself instead of at the environment it was copied from.

Creators write the environment's absolute path into console-script shebangs, activate scripts,
``pyvenv.cfg`` and sometimes other text files. When an environment is published, the files that
contain its path are listed once (a *manifest*); a copy rewrites only those files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Manifest", "relocate", "scan"]

#: Files larger than this are not searched for the env's path (wheels of data, binaries).
_MAX_SCANNED = 4 << 20


@dataclass(frozen=True)
class Manifest:
    """Where an environment at some root mentions that root."""

    #: Files (relative paths) whose bytes contain the root's absolute path.
    files: tuple[str, ...]
    #: Symlinks (relative paths) whose absolute target lies inside the root.
    links: tuple[str, ...]

    def to_json(self) -> dict[str, list[str]]:
        return {"files": list(self.files), "links": list(self.links)}

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> Manifest:
        return cls(tuple(data.get("files", ())), tuple(data.get("links", ())))


def scan(root: Path) -> Manifest:
    """List the files and symlinks under ``root`` that mention ``root`` itself.

    Byte-code files are skipped: their embedded source path only shows in tracebacks, and the
    source next to it is identical in a copy.
    """
    needle = os.fsencode(root)
    files: list[str] = []
    links: list[str] = []
    for directory, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names + [d for d in dirs if os.path.islink(os.path.join(directory, d))]:
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(path)
                if os.path.isabs(target) and _inside(target, os.fspath(root)):
                    links.append(rel)
                continue
            if name.endswith(".pyc") or info.st_size > _MAX_SCANNED:
                continue
            try:
                with open(path, "rb") as stream:
                    if needle in stream.read():
                        files.append(rel)
            except OSError:
                continue
    return Manifest(tuple(sorted(files)), tuple(sorted(links)))


def relocate(copy: Path, old_root: Path, manifest: Manifest) -> None:
    """Rewrite ``old_root`` to ``copy`` in the manifest's files and symlinks under ``copy``.

    Each file is replaced by a new file (write, then rename over it), so a rewrite can never
    reach another file that shares the inode.
    """
    old = os.fsencode(old_root)
    new = os.fsencode(copy)
    for rel in manifest.files:
        path = copy / rel
        info = os.lstat(path)
        data = path.read_bytes().replace(old, new)
        temp = path.with_name(f".{path.name}.venvlab-relocate")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IMODE(info.st_mode))
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        os.chmod(temp, stat.S_IMODE(info.st_mode))
        os.replace(temp, path)
    for rel in manifest.links:
        path = copy / rel
        target = os.readlink(path)
        if not _inside(target, os.fspath(old_root)):
            continue
        fresh = os.fspath(copy) + target[len(os.fspath(old_root)) :]
        path.unlink()
        os.symlink(fresh, path)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
