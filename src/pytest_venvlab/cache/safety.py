"""Keeping the cache safe to trust: private directories, refused roots, no followed symlinks, and
a per-key lock that waits for a live builder and is freed by the kernel when the builder dies.

A cache entry is code the test session will run. So a cache root that someone else could have
written to (owned by another user, writable by group or others, or a symbolic link to somewhere
else) is refused, directories the cache creates are ``0700`` whatever the umask, and lock and
marker files are opened with ``O_NOFOLLOW``: a symbolic link planted at such a path is an error,
never followed.

The lock is ``flock(2)`` on a file next to the entry. The kernel releases it when its holder
exits, however it exits (``kill -9`` included), so a waiter needs no timeout: it waits as long as
the builder lives and takes over the moment it dies. The holder writes its pid and host into the
lock file, for people wondering who holds it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import socket
import stat
import time
from pathlib import Path
from types import TracebackType

from ..errors import VenvlabError

__all__ = [
    "CacheSecurityError",
    "KeyLock",
    "check_root",
    "make_private_dir",
    "read_text_nofollow",
    "write_text_nofollow",
]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class CacheSecurityError(VenvlabError):
    """A cache location someone else could have written to; using it would run their code."""


def check_root(path: Path, *, what: str = "cache directory") -> None:
    """Refuse ``path`` as a cache root unless it is missing or a real directory owned by the
    current user and not writable by group or others. The message is one line."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CacheSecurityError(f"{what} {os.fspath(path)} cannot be read: {exc}") from None
    fix = "use a directory you own that only you can write to"
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(path)
        raise CacheSecurityError(
            f"{what} {os.fspath(path)} is a symbolic link (to {target}); refusing it, since it "
            f"could point at files someone else controls: {fix}, or give the real path"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise CacheSecurityError(f"{what} {os.fspath(path)} exists and is not a directory")
    if info.st_uid != os.geteuid():
        raise CacheSecurityError(
            f"{what} {os.fspath(path)} is owned by uid {info.st_uid}, not by you "
            f"(uid {os.geteuid()}); refusing to run environments another user could have "
            f"written: {fix}"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CacheSecurityError(
            f"{what} {os.fspath(path)} is writable by group or others (mode "
            f"{stat.S_IMODE(info.st_mode):04o}); refusing to run environments someone else "
            f"could have written: {fix} (chmod go-w {os.fspath(path)})"
        )


def make_private_dir(path: Path) -> None:
    """Create ``path`` and any missing parents with mode ``0700`` (whatever the umask)."""
    missing: list[Path] = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            continue  # another process made it first; check_root judges it
        os.chmod(directory, 0o700)  # mkdir's mode is masked by the umask


def _open(path: Path, flags: int, mode: int = 0o600) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW | _CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP and os.path.islink(path):
            raise CacheSecurityError(
                f"{os.fspath(path)} is a symbolic link (to {os.readlink(path)}); the cache never "
                "follows links at its lock and record files: remove it if you did not put it "
                "there, and check who else can write to the cache directory"
            ) from None
        raise


def read_text_nofollow(path: Path) -> str:
    """The text of ``path``; a symbolic link there raises :class:`CacheSecurityError`."""
    fd = _open(path, os.O_RDONLY)
    with os.fdopen(fd, "r", encoding="utf-8") as stream:
        return stream.read()


def write_text_nofollow(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` (mode 0600) without following a symbolic link there; with
    ``exclusive`` the file must not exist yet."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = _open(path, flags)
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)


class KeyLock:
    """An exclusive ``flock`` on ``path``, held while building or invalidating one entry.

    Waits with no time limit while another live process holds it; the kernel frees it when that
    process dies. Use as a context manager.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> KeyLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()

    def acquire(self) -> None:
        pause = 0.005
        while True:
            fd = _open(self.path, os.O_RDWR | os.O_CREAT)
            try:
                if self._try_lock(fd):
                    self._fd = fd
                    self._record_holder(fd)
                    return
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    def _try_lock(self, fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES):
                return False
            raise VenvlabError(
                f"cannot lock {os.fspath(self.path)}: {exc.strerror} (the cache needs a file "
                "system with flock(2) locks; put --venv-cache-dir on a local disk)"
            ) from None
        # The file may have been deleted (--venv-cache-clear) between open and flock: a lock on
        # an unlinked inode guards nothing, so start over.
        try:
            same = os.path.samestat(os.fstat(fd), os.lstat(self.path))
        except FileNotFoundError:
            same = False
        if not same:
            fcntl.flock(fd, fcntl.LOCK_UN)
        return same

    def _record_holder(self, fd: int) -> None:
        with contextlib.suppress(OSError):  # only informative; a full disk must not stop it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the last descriptor releases the flock
