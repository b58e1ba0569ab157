"""Where creators come from: the ``pytest_venvlab.creators`` entry-point group, creators
registered at run time (the ``pytest_venvlab_register_creators`` hook calls
:func:`register_creator`), and ``cmd:TEMPLATE``.

Built-in creators are entry points of this package, registered exactly as a third party's are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import metadata

from ..errors import SpecError
from .base import Creator
from .command import PREFIX, CommandCreator

__all__ = ["ENTRY_POINT_GROUP", "creator_names", "get_creator", "register_creator"]

ENTRY_POINT_GROUP = "pytest_venvlab.creators"

CreatorFactory = Callable[[], Creator]

_lock = threading.Lock()
_registered: dict[str, CreatorFactory] = {}
_instances: dict[str, Creator] = {}


def register_creator(name: str, factory: CreatorFactory, *, replace: bool = False) -> None:
    """Make ``factory()`` available as creator ``name`` (a class works as a factory)."""
    if not name or name.startswith(PREFIX) or any(c in name for c in ", \t\n"):
        raise SpecError(
            f"creator name {name!r} is not accepted; accepted: a word without spaces or commas "
            "that does not start with 'cmd:'"
        )
    with _lock:
        if name in _registered and not replace:
            return
        _registered[name] = factory
        _instances.pop(name, None)


def _entry_points() -> dict[str, CreatorFactory]:
    found = metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {ep.name: _lazy(ep) for ep in found}


def _lazy(ep: metadata.EntryPoint) -> CreatorFactory:
    def load() -> Creator:
        factory = ep.load()
        creator = factory()
        if not isinstance(creator, Creator):
            raise SpecError(
                f"entry point {ep.name!r} = {ep.value!r} in group {ENTRY_POINT_GROUP!r} "
                "did not make a pytest_venvlab.Creator"
            )
        return creator

    return load


def _all_factories() -> dict[str, CreatorFactory]:
    with _lock:
        return {**_entry_points(), **_registered}


def creator_names() -> list[str]:
    """Every registered creator's name (``cmd:`` creators are made on demand, not listed)."""
    return sorted(_all_factories())


def get_creator(name: str) -> Creator:
    """The creator called ``name``, or a :class:`CommandCreator` for ``cmd:TEMPLATE``."""
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"creator {name!r} is not accepted; accepted: {_accepted()}")
    name = name.strip()
    if name.startswith(PREFIX):
        return CommandCreator(name[len(PREFIX) :])
    with _lock:
        cached = _instances.get(name)
    if cached is not None:
        return cached
    factories = _all_factories()
    factory = factories.get(name)
    if factory is None:
        raise SpecError(f"unknown creator {name!r}; accepted: {_accepted(factories)}")
    creator = factory()
    if not creator.name:
        creator.name = name
    with _lock:
        _instances[name] = creator
    return creator


def _accepted(factories: dict[str, CreatorFactory] | None = None) -> str:
    names = sorted(factories if factories is not None else _all_factories())
    return ", ".join([*names, "cmd:TEMPLATE"])
