"""``VenvSpec``: what an environment should be, checked when it is made."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import SpecError

__all__ = ["DEFAULT_CREATOR", "DEFAULT_PYTHON", "SPEC_FIELDS", "VenvSpec"]

DEFAULT_CREATOR = "venv"
#: The interpreter running pytest.
DEFAULT_PYTHON = "current"


@dataclass(frozen=True)
class VenvSpec:
    """A description of an environment: who creates it, from which Python, and how.

    Frozen and hashable, so it can key caches and parametrize tests. Every field is checked when
    the spec is made; a bad value raises :class:`~pytest_venvlab.SpecError` naming the field, the
    value and what is accepted.
    """

    #: A registered creator name (``venv``, ``virtualenv``, ``uv``, ``venvlab``) or
    #: ``cmd:TEMPLATE``.
    creator: str = DEFAULT_CREATOR
    #: A Python spec: ``3.12``, ``python3.12``, ``cpython3.11``, ``>=3.10``, an absolute path, or
    #: ``current`` for the interpreter running pytest.
    python: str = DEFAULT_PYTHON
    #: Symlink the interpreter into the env (``True``) or copy it (``False``).
    symlinks: bool = True
    #: Let the env see the base interpreter's site-packages.
    system_site_packages: bool = False
    #: Install pip into the env.
    pip: bool = False
    #: The prompt activation shows; ``None`` leaves it to the creator (the directory name).
    prompt: str | None = None
    #: Requirement strings, wheel files or project directories installed after creation.
    packages: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_str("creator", self.creator, "a creator name such as 'venv' or 'cmd:TEMPLATE'")
        if self.creator.startswith("cmd:") and "{python}" not in self.creator:
            raise SpecError(
                f"creator {self.creator!r}: a cmd: template must contain '{{python}}' where the "
                "base interpreter's path goes, e.g. 'cmd:{python} -m venv'"
            )
        _check_str("python", self.python, "a version such as '3.12', a specifier or a path")
        for name in ("symlinks", "system_site_packages", "pip"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise SpecError(f"{name}={value!r} is not accepted; accepted: True or False")
        if self.prompt is not None:
            if not isinstance(self.prompt, str):
                raise SpecError(
                    f"prompt={self.prompt!r} is not accepted; accepted: a string or None"
                )
            if "\n" in self.prompt or "\r" in self.prompt or "\0" in self.prompt:
                raise SpecError(
                    f"prompt={self.prompt!r} is not accepted; accepted: one line of text "
                    "without newlines or NUL"
                )
        packages = self.packages
        if isinstance(packages, (str, bytes, os.PathLike)) or not isinstance(packages, Iterable):
            raise SpecError(
                f"packages={packages!r} is not accepted; accepted: a list of requirement strings, "
                "wheel files or project directories"
            )
        normalised = []
        for item in packages:
            if isinstance(item, os.PathLike):
                item = os.fspath(item)
            if not isinstance(item, str) or not item.strip():
                raise SpecError(
                    f"packages entry {item!r} is not accepted; accepted: a requirement string, "
                    "a wheel file or a project directory"
                )
            normalised.append(item.strip())
        object.__setattr__(self, "packages", tuple(normalised))

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], *, where: str = "") -> VenvSpec:
        """Make a spec from keyword fields, naming unknown ones (``where`` says who gave them)."""
        unknown = sorted(set(fields) - set(SPEC_FIELDS))
        if unknown:
            origin = f"{where}: " if where else ""
            raise SpecError(
                f"{origin}unknown spec field {unknown[0]!r}; accepted: {', '.join(SPEC_FIELDS)}"
            )
        return cls(**fields)

    def replace(self, **changes: Any) -> VenvSpec:
        """A copy with ``changes`` applied (and checked)."""
        return VenvSpec.from_fields({**self.as_dict(), **changes})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def describe(self) -> str:
        """A short human label: ``venv py3.12 symlinks isolated nopip``."""
        parts = [
            self.creator,
            f"py{self.python}",
            "symlinks" if self.symlinks else "copies",
            "system" if self.system_site_packages else "isolated",
            "pip" if self.pip else "nopip",
        ]
        if self.prompt is not None:
            parts.append(f"prompt={self.prompt!r}")
        if self.packages:
            parts.append(f"+{len(self.packages)} packages")
        return " ".join(parts)


SPEC_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(VenvSpec))


def _check_str(name: str, value: object, accepted: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{name}={value!r} is not accepted; accepted: {accepted}")
