"""A broken invariant, and the creator's documented differences that excuse one."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from ..creators.registry import creator_names, get_creator
from ..errors import VenvlabError
from ..handle import Venv
from ..introspection import Introspection
from ..pyvenv_cfg import read_pyvenv_cfg

__all__ = [
    "NEVER_EXCUSED",
    "Violation",
    "creator_name",
    "documented_differences",
    "drop_documented",
    "env_version",
    "is_documented",
]


@dataclass(frozen=True)
class Violation:
    """One broken invariant: requirement ID, what should hold, and what was seen."""

    req_id: str
    invariant: str
    expected: str
    actual: str
    details: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Violation({self.req_id}: {self.invariant})"

    def format(self) -> str:
        lines = [
            f"{self.req_id} ({self.invariant})",
            f"    expected: {self.expected}",
            f"    actual:   {self.actual}",
        ]
        lines += [f"    {line}" for line in self.details]
        return "\n".join(lines)


def env_version(env: Venv, intro: Introspection | None = None) -> tuple[int, int]:
    if env.interpreter is not None:
        major, minor = env.interpreter.version_info[:2]
        return int(major), int(minor)
    if intro is not None:
        return int(intro.version_info[0]), int(intro.version_info[1])
    try:
        cfg = read_pyvenv_cfg(env.path)
    except (OSError, VenvlabError):
        cfg = {}
    for key in ("version", "version_info"):
        parts = cfg.get(key, "").split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
    return sys.version_info[:2]


def creator_name(env: Venv) -> str | None:
    """The creator that made ``env``: its spec's, or for a bare ``Venv(path)`` the creator whose
    name ``pyvenv.cfg`` carries as a key (virtualenv and uv record their version that way)."""
    if env.spec is not None:
        return env.spec.creator
    try:
        cfg = read_pyvenv_cfg(env.path)
    except (OSError, VenvlabError):
        return None
    for name in creator_names():
        if name in cfg:
            return name
    return None


def documented_differences(env: Venv) -> dict[str, str]:
    """The documented differences of the creator that made ``env`` (empty if unknown)."""
    name = creator_name(env)
    if name is None:
        return {}
    try:
        return dict(get_creator(name).documented_differences)
    except VenvlabError:
        return {}


def is_documented(documented: dict[str, str], req_id: str, shell: str | None) -> bool:
    """Whether the creator documents a difference for ``req_id`` (in every shell, or with a
    ``REQ:shell`` key such as ``ACT-3:dash``, in this one)."""
    return req_id in documented or (shell is not None and f"{req_id}:{shell}" in documented)


#: What makes an environment isolated and an activation usable at all; a documented difference
#: never excuses these (a creator documenting e.g. ACT-7 describes a CPython quirk it does not
#: share, not a licence to leave PATH changed).
NEVER_EXCUSED = frozenset(
    {
        "CFG-1",
        "CFG-3",
        "PFX-1",
        "PFX-2",
        "SCH-2",
        "SITE-1",
        "SITE-2",
        "SITE-3",
        "ACT-1",
        "ACT-2",
        "ACT-7",
        "ACT-11",
        "CLI-7",
        "LAY-5",
    }
)
#: Checked with the documented behaviour accepted, rather than skipped.
_ADJUSTED = frozenset({"ACT-3", "ACT-4"})


def drop_documented(
    env: Venv, violations: list[Violation], shell: str | None = None
) -> list[Violation]:
    """``violations`` without those the env's creator documents as deliberate (never the
    :data:`NEVER_EXCUSED` ones)."""
    documented = documented_differences(env)
    return [
        v
        for v in violations
        if v.req_id in NEVER_EXCUSED
        or v.req_id in _ADJUSTED
        or not is_documented(documented, v.req_id, shell)
    ]
