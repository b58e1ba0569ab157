"""Creating an environment from a spec, outside or inside pytest."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .creators.base import CreateRequest, Creator
from .creators.registry import get_creator
from .errors import CreatorError, CreatorUnavailableError, SpecError, VenvlabError
from .handle import Venv
from .interpreters import Interpreter, find_interpreter
from .process import hermetic_env
from .spec import VenvSpec

__all__ = ["Resolved", "create_venv", "resolve"]


@dataclass(frozen=True)
class Resolved:
    """A spec with its creator and interpreter looked up."""

    spec: VenvSpec
    creator: Creator
    interpreter: Interpreter

    def unsupported(self) -> str | None:
        """Why the creator cannot make this spec here, or ``None`` if it can."""
        availability = self.creator.availability()
        if not availability.available:
            return f"creator {self.creator.name!r} is not available: {availability.reason}"
        reason = self.creator.capabilities(self.interpreter).unsupported(
            self.spec, self.interpreter
        )
        if reason is not None:
            return f"creator {self.creator.name!r} {reason}"
        return None


def resolve(spec: VenvSpec) -> Resolved:
    """Look up the spec's creator and interpreter (errors name what was asked and accepted)."""
    return Resolved(spec, get_creator(spec.creator), find_interpreter(spec.python))


def create_venv(
    spec: VenvSpec | None = None,
    dest: str | os.PathLike[str] = "",
    **fields: object,
) -> Venv:
    """Create the environment ``spec`` (or ``VenvSpec(**fields)``) at ``dest`` and return it.

    ``dest`` must not exist yet, or be an empty directory. Raises
    :class:`~pytest_venvlab.CreatorUnavailableError` if the creator cannot make the spec here.
    """
    if spec is None:
        spec = VenvSpec.from_fields(fields, where="create_venv()")
    elif fields:
        spec = spec.replace(**fields)
    if not dest:
        raise SpecError("create_venv() needs a destination directory")
    return build(resolve(spec), Path(os.path.abspath(dest)))


def build(resolved: Resolved, dest: Path) -> Venv:
    """Run the creator for ``resolved`` at ``dest``, check the result and install packages."""
    reason = resolved.unsupported()
    if reason is not None:
        raise CreatorUnavailableError(reason)
    _check_destination(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    request = CreateRequest(resolved.spec, resolved.interpreter, dest, hermetic_env())
    try:
        resolved.creator.create(request)
    except VenvlabError:
        raise
    except OSError as exc:
        raise CreatorError(f"creator {resolved.creator.name!r} failed at {dest}: {exc}") from exc
    venv = Venv(dest, resolved.spec, resolved.interpreter)
    missing = [p for p in (dest / "pyvenv.cfg", venv.python) if not os.path.lexists(p)]
    if missing:
        raise CreatorError(
            f"creator {resolved.creator.name!r} finished but left no environment at {dest} "
            f"(missing {', '.join(os.fspath(p) for p in missing)})"
        )
    if resolved.spec.packages:
        venv.install(*resolved.spec.packages)
    return venv


def _check_destination(dest: Path) -> None:
    if os.pathsep in os.fspath(dest):
        raise SpecError(
            f"destination {os.fspath(dest)!r} contains the PATH separator {os.pathsep!r}; "
            "activation would break PATH. Accepted: a path without it"
        )
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise SpecError(
            f"destination {os.fspath(dest)!r} already exists and is not an empty directory"
        )
