"""``VenvFactory``: the object behind the ``venv_factory`` fixture."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from ..build import Resolved, resolve
from ..errors import InterpreterNotFoundError, VenvlabError
from ..handle import Venv
from ..spec import VenvSpec
from ..summary import BuildRecord, CacheStats
from .copies import CopyPool
from .fingerprint import fingerprint
from .key import CacheKey, cache_key
from .store import EnvStore, StoredEntry

__all__ = ["VenvFactory"]


@dataclass
class _Watched:
    key: CacheKey
    entry: StoredEntry
    spec: VenvSpec


class VenvFactory:
    """Hands out environments: ``venv_factory(spec=None, /, *, private=False, **fields)``.

    The same spec gives the same shared environment for the whole session, in every xdist
    worker; it is built once (the others wait for it) and must not be changed. With
    ``private=True`` you get a fresh copy only the caller may change.
    """

    def __init__(
        self,
        store: EnvStore,
        pool: CopyPool,
        default_spec: VenvSpec,
        *,
        strict: bool = False,
        stats: CacheStats | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.default_spec = default_spec
        self.strict = strict
        self.stats = stats if stats is not None else CacheStats()
        self._resolved: dict[VenvSpec, tuple[Resolved, CacheKey]] = {}
        self._watched: dict[str, _Watched] = {}
        self._in_call = False
        self._test_copies: list[Path] = []
        self._copies: set[Path] = set()

    def __call__(
        self, spec: VenvSpec | None = None, /, *, private: bool = False, **fields: object
    ) -> Venv:
        """The environment for ``spec`` (default: the session's default spec) updated with
        ``fields``; shared and read-only unless ``private``."""
        try:
            if spec is None:
                spec = self.default_spec
            elif not isinstance(spec, VenvSpec):
                raise VenvlabError(
                    f"venv_factory() got {spec!r} as its spec; accepted: a VenvSpec or None"
                )
            if fields:
                spec = spec.replace(**fields)
            resolved, key = self._lookup(spec)
            entry = self._acquire(resolved, key)
            if not private:
                self._watched.setdefault(key.digest, _Watched(key, entry, spec))
                return Venv(entry.env, spec, resolved.interpreter)
            started = time.perf_counter()
            path = self.pool.take(entry.env, entry.manifest)
            self.stats.seconds += time.perf_counter() - started
            self.stats.private += 1
            self._copies.add(path)
            if self._in_call:
                self._test_copies.append(path)
            return Venv(path, spec, resolved.interpreter)
        except InterpreterNotFoundError as exc:
            self._skip_or_fail(str(exc))
        except VenvlabError as exc:
            # from None: the message is the whole story; no "During handling..." repeat.
            raise pytest.fail.Exception(str(exc), pytrace=False) from None

    def remove(self, venv: Venv) -> None:
        """Give back a private environment now instead of at session end.

        The caller must not use it afterwards: it is reset to pristine and handed out again, or
        deleted in the background. Shared environments are not affected.
        """
        if venv.path in self._copies:
            self._copies.discard(venv.path)
            self.pool.remove(venv.path)

    # -- used by the plugin around each test --------------------------------------------------

    def begin_call(self) -> None:
        """The test function starts: private copies made from now on die with the test."""
        self._in_call = True

    def end_test(self, nodeid: str) -> list[str]:
        """The test is over: take back its private copies, and check the shared envs it used.

        Returns one message per shared environment the test changed; each is unpublished so
        that the next user rebuilds it.
        """
        self._in_call = False
        for path in self._test_copies:
            if path in self._copies:
                self._copies.discard(path)
                self.pool.remove(path)
        self._test_copies.clear()
        problems = []
        for watched in self._watched.values():
            if fingerprint(watched.entry.env) != watched.entry.fingerprint:
                reason = f"test {nodeid} changed it"
                try:
                    self.store.invalidate(watched.key, watched.entry.env, reason)
                    rebuilt = "it will be rebuilt"
                except VenvlabError as exc:  # e.g. a read-only cache: say so, in the same line
                    rebuilt = f"it could not be unpublished: {exc}"
                self.pool.forget(watched.entry.env)
                problems.append(
                    f"{nodeid} changed the shared environment {watched.spec.describe()} at "
                    f"{watched.entry.env}; shared environments are read-only, use "
                    f"venv_factory(..., private=True) or the venv fixture ({rebuilt})"
                )
        self._watched.clear()
        return problems

    def close(self) -> None:
        """Delete every private copy and stop preparing new ones."""
        for path in sorted(self._copies):
            self.pool.remove(path)
        self._copies.clear()
        self.pool.close()

    # -- internals ---------------------------------------------------------------------------

    def _lookup(self, spec: VenvSpec) -> tuple[Resolved, CacheKey]:
        found = self._resolved.get(spec)
        if found is None:
            resolved = resolve(spec)
            availability = resolved.creator.availability()
            if not availability.available:
                self._skip_or_fail(
                    f"creator {resolved.creator.name!r} is not available: {availability.reason}"
                )
            reason = resolved.unsupported()
            if reason is not None:
                pytest.skip(reason)
            found = (resolved, cache_key(resolved))
            self._resolved[spec] = found
        return found

    def _acquire(self, resolved: Resolved, key: CacheKey) -> StoredEntry:
        started = time.perf_counter()
        acquired = self.store.acquire(resolved, key)
        if acquired.built:
            seconds = time.perf_counter() - started
            self.stats.built += 1
            self.stats.seconds += seconds
            self.stats.builds.append(
                BuildRecord(resolved.spec.describe(), seconds, acquired.rebuild_reason)
            )
        else:
            self.stats.reused += 1
        return acquired.entry

    def _skip_or_fail(self, reason: str) -> NoReturn:
        if self.strict:
            message = f"{reason} (strict mode: --venv-strict or CI is set)"
            raise pytest.fail.Exception(message, pytrace=False) from None
        pytest.skip(reason)
