"""A cheap fingerprint of an environment's tree, to notice a test that changed a shared env."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

__all__ = ["fingerprint"]


def fingerprint(root: Path) -> str:
    """A digest of every entry's relative path, type, size, mode and modification time.

    It reads no file contents (one ``lstat`` per entry), so it costs milliseconds for an env
    with pip. Byte-code caches (``__pycache__``) are left out: running the env's Python may
    write them, and that is not a change to the environment.
    """
    digest = hashlib.blake2b(digest_size=16)
    stack = [(os.fspath(root), "")]
    while stack:
        directory, rel = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except FileNotFoundError:
            digest.update(f"missing:{rel}\0".encode())
            continue
        for entry in entries:
            name = entry.name
            if name == "__pycache__" or name.endswith(".pyc"):
                continue
            path = f"{rel}/{name}" if rel else name
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                digest.update(f"d:{path}:{info.st_mode:o}\0".encode())
                stack.append((entry.path, path))
            elif stat.S_ISLNK(info.st_mode):
                digest.update(f"l:{path}:{os.readlink(entry.path)}\0".encode())
            else:
                digest.update(
                    f"f:{path}:{info.st_mode:o}:{info.st_size}:{info.st_mtime_ns}\0".encode()
                )
    return digest.hexdigest()
