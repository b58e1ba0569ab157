"""The creator interface: what every creator (built-in or third-party) provides."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from packaging.specifiers import SpecifierSet

if TYPE_CHECKING:
    from ..interpreters import Interpreter
    from ..spec import VenvSpec

__all__ = ["Availability", "Capabilities", "CreateRequest", "Creator"]


@dataclass(frozen=True)
class Availability:
    """Whether a creator can run on this machine at all, and if not, why."""

    available: bool
    reason: str = ""

    @classmethod
    def yes(cls) -> Availability:
        return cls(True)

    @classmethod
    def no(cls, reason: str) -> Availability:
        return cls(False, reason)


@dataclass(frozen=True)
class Capabilities:
    """What a creator can make; callers skip (not fail) what it declares it cannot do."""

    symlinks: bool = True
    copies: bool = True
    system_site_packages: bool = True
    with_pip: bool = True
    without_pip: bool = True
    prompt: bool = True
    #: The base Python versions it can create environments for.
    pythons: str = ">=3.8"

    def unsupported(self, spec: VenvSpec, interpreter: Interpreter) -> str | None:
        """Why this creator cannot make ``spec`` for ``interpreter``, or ``None`` if it can."""
        checks = [
            (spec.symlinks and not self.symlinks, "symlinked environments"),
            (not spec.symlinks and not self.copies, "environments with copied interpreters"),
            (spec.system_site_packages and not self.system_site_packages, "system site-packages"),
            (spec.pip and not self.with_pip, "environments with pip"),
            (not spec.pip and not self.without_pip, "environments without pip"),
            (spec.prompt is not None and not self.prompt, "a custom prompt"),
        ]
        for failed, what in checks:
            if failed:
                return f"does not support {what}"
        if interpreter.version not in SpecifierSet(self.pythons):
            return f"does not support Python {interpreter.version} (supports {self.pythons})"
        return None


@dataclass(frozen=True)
class CreateRequest:
    """One environment to create."""

    spec: VenvSpec
    interpreter: Interpreter
    #: The directory to create; its parent exists, the directory itself does not.
    dest: Path
    #: Environment variables for any process the creator starts (already made hermetic).
    env: Mapping[str, str] = field(default_factory=dict)


class Creator(abc.ABC):
    """Makes virtual environments. Subclass it and register the class under the
    ``pytest_venvlab.creators`` entry-point group (or through the
    ``pytest_venvlab_register_creators`` hook) to add a creator.
    """

    #: The name users select it by; the registry sets it from the registered name if empty.
    name: str = ""
    #: Requirement IDs where this creator documents a behaviour different from CPython's venv,
    #: each with the documented reason. The conformance suite reports those as ``differs``.
    documented_differences: ClassVar[Mapping[str, str]] = {}
    #: Whether the [CPY] requirements (CPython venv's observed behaviour) bind this creator.
    follows_cpython: ClassVar[bool] = False

    @abc.abstractmethod
    def version(self) -> str:
        """The creator's version; part of every cache key."""

    def availability(self) -> Availability:
        """Whether the creator can run here; the default is yes."""
        return Availability.yes()

    def capabilities(self, interpreter: Interpreter) -> Capabilities:
        """What the creator can make for ``interpreter``; the default is everything."""
        return Capabilities()

    @abc.abstractmethod
    def create(self, request: CreateRequest) -> None:
        """Create the environment at ``request.dest``; raise on failure."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"
