"""The cache key: everything that changes what an environment contains."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import Resolved

__all__ = ["CacheKey", "cache_key", "content_hash"]

#: Bump when the layout of cache entries or the key's contents change.
KEY_FORMAT = 1

#: Directories skipped when hashing a local project directory (they do not change what is
#: installed, or are produced by installing it).
_SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".venv",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        "build",
        "dist",
        "node_modules",
    }
)


@dataclass(frozen=True)
class CacheKey:
    """A stable digest of an environment's inputs, with a readable label for directory names."""

    digest: str
    label: str
    #: What went into the digest (kept in the cache entry, for people reading it).
    data: dict[str, Any]

    @property
    def name(self) -> str:
        """The entry's directory name: readable label plus digest."""
        return f"{self.label}-{self.digest}"


def cache_key(resolved: Resolved) -> CacheKey:
    """The key of ``resolved``: creator name and version, the interpreter (path, resolved binary,
    ``sys.version`` build string, implementation) and every spec field, with local wheels and
    project directories replaced by their content hash."""
    spec = resolved.spec
    fields = spec.as_dict()
    fields["packages"] = [_package_identity(p) for p in spec.packages]
    data: dict[str, Any] = {
        "format": KEY_FORMAT,
        "creator": {"name": resolved.creator.name, "version": resolved.creator.version()},
        # The binary's size and mtime are left out on purpose: a changed binary keeps its key,
        # and validation (which compares them) rebuilds the entry and says why.
        "interpreter": {k: v for k, v in resolved.interpreter.identity().items() if k != "binary"},
        "spec": fields,
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    creator = re.sub(r"[^A-Za-z0-9_.]+", "_", resolved.creator.name.split(" ")[0])[:24]
    label = f"{creator}-py{resolved.interpreter.version_short}"
    return CacheKey(digest, label, data)


def _package_identity(requirement: str) -> str:
    """A requirement string as given, or a local path with the hash of its content."""
    path = Path(requirement)
    if requirement.endswith(".whl") or path.is_dir():
        absolute = Path(os.path.abspath(path))
        if absolute.exists():
            return f"{os.fspath(absolute)}#sha256={content_hash(absolute)}"
    return requirement


def content_hash(path: Path) -> str:
    """sha256 of a file's bytes, or of a directory's relative file names and contents."""
    digest = hashlib.sha256()
    if path.is_file():
        _hash_file(digest, path)
        return digest.hexdigest()
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            file = Path(root, name)
            digest.update(os.fspath(file.relative_to(path)).encode() + b"\0")
            if file.is_symlink():
                digest.update(os.readlink(file).encode() + b"\0")
            else:
                _hash_file(digest, file)
    return digest.hexdigest()


def _hash_file(digest: Any, path: Path) -> None:
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    digest.update(b"\0")
