"""What the suite runs against: creator x Python x configuration."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from ..build import resolve
from ..creators.base import Creator
from ..creators.registry import ENTRY_POINT_GROUP, get_creator
from ..errors import VenvlabError
from ..interpreters import Interpreter, find_interpreter
from ..spec import VenvSpec

__all__ = [
    "CONFIG_KINDS",
    "INJECTION_PROMPT",
    "QUOTED_PROMPT",
    "Target",
    "builtin_creator_names",
    "make_targets",
]

#: A prompt with a quote and a space: CFG-7 expects ``prompt = "it's me"`` from CPython.
QUOTED_PROMPT = "it's me"
#: CVE-2024-9287: a prompt that a vulnerable activate script evaluates.
INJECTION_PROMPT = "$(echo INJECTED)"

#: The configuration kinds a check can ask for (``configs=`` of the requirement marker).
CONFIG_KINDS = ("all", "default", "pip", "system", "isolated", "copies", "prompt", "inject")


@dataclass(frozen=True)
class Target:
    """One environment configuration of one creator on one Python."""

    creator_name: str
    python: str
    spec: VenvSpec | None = None
    creator: Creator | None = field(default=None, compare=False, hash=False)
    interpreter: Interpreter | None = field(default=None, compare=False, hash=False)
    #: ``default`` for the base configurations, else ``prompt`` or ``inject``.
    kind: str = "default"
    #: Why this target cannot run at all (creator or Python missing), if it cannot.
    problem: str | None = None

    @property
    def version(self) -> str:
        return self.interpreter.version if self.interpreter is not None else self.python

    @property
    def version_info(self) -> tuple[int, int]:
        assert self.interpreter is not None
        return (self.interpreter.version_info[0], self.interpreter.version_info[1])

    @property
    def config(self) -> dict[str, Any]:
        """The configuration as the report shows it."""
        if self.spec is None:
            return {}
        return {
            "symlinks": self.spec.symlinks,
            "system_site_packages": self.spec.system_site_packages,
            "pip": self.spec.pip,
            "prompt": self.spec.prompt,
        }

    @property
    def config_label(self) -> str:
        if self.spec is None:
            return "unavailable"
        parts = [
            "symlinks" if self.spec.symlinks else "copies",
            "system" if self.spec.system_site_packages else "isolated",
            "pip" if self.spec.pip else "nopip",
        ]
        if self.kind != "default":
            parts.append(self.kind)
        return "-".join(parts)

    @property
    def id(self) -> str:
        return f"{short_creator_name(self.creator_name)}-{self.version}-{self.config_label}"

    @property
    def group(self) -> str:
        """Targets sharing an environment share a group (one xdist worker builds it)."""
        return f"{short_creator_name(self.creator_name)}-{self.version}-{self.config_label}"


def short_creator_name(name: str) -> str:
    """``cmd:/x/broken.sh {python}`` becomes ``cmd[broken.sh]`` for test IDs."""
    if not name.startswith("cmd:"):
        return name
    words = [w for w in name[4:].split() if "{python}" not in w]
    label = "_".join(os.path.basename(w) for w in words) or "python"
    return f"cmd[{label}]"


def builtin_creator_names() -> list[str]:
    """Creators this package registers itself (entry points pointing into pytest_venvlab)."""
    names = {
        ep.name
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)
        if ep.value.startswith("pytest_venvlab.")
    }
    return sorted(names)


def _base_specs(creator: str, python: str) -> list[VenvSpec]:
    return [
        VenvSpec(creator=creator, python=python, symlinks=s, system_site_packages=sy, pip=p)
        for s, sy, p in itertools.product((True, False), (False, True), (False, True))
    ]


def make_targets(creators: list[str], pythons: list[str]) -> list[Target]:
    """Every supported configuration of every creator on every Python.

    A creator or Python that cannot be used gives one target carrying the problem, so that the
    report says why nothing ran for it. Configurations the creator declares it cannot make are
    left out.
    """
    explicit = bool(creators)
    names = creators or builtin_creator_names()
    interpreters: list[tuple[str, Interpreter | None, str | None]] = []
    seen: set[str] = set()
    for python in pythons or ["current"]:
        try:
            interp = find_interpreter(python)
        except VenvlabError as exc:
            interpreters.append((python, None, str(exc)))
            continue
        key = os.fspath(interp.real_executable)
        if key not in seen:
            seen.add(key)
            interpreters.append((python, interp, None))
    targets: list[Target] = []
    for name in names:
        creator = get_creator(name)
        availability = creator.availability()
        if not availability.available:
            if explicit:
                reason = f"creator {name!r} is not available: {availability.reason}"
                targets.append(Target(name, "-", creator=creator, problem=reason))
            continue
        for python, found, problem in interpreters:
            if found is None:
                targets.append(Target(name, python, creator=creator, problem=problem))
                continue
            targets.extend(_targets_for(name, creator, found))
    return targets


def _targets_for(name: str, creator: Creator, interp: Interpreter) -> list[Target]:
    python = os.fspath(interp.executable)
    found: list[Target] = []
    for spec in _base_specs(name, python):
        if resolve(spec).unsupported() is None:
            found.append(Target(name, interp.version, spec, creator, interp))
    if not found:
        return found
    base = found[0].spec
    assert base is not None
    for kind, prompt in (("prompt", QUOTED_PROMPT), ("inject", INJECTION_PROMPT)):
        spec = base.replace(prompt=prompt)
        if resolve(spec).unsupported() is None:
            found.append(Target(name, interp.version, spec, creator, interp, kind=kind))
    return found


def select(targets: list[Target], kind: str) -> list[Target]:
    """The targets a check with ``configs=kind`` runs against."""
    usable = [t for t in targets if t.problem is None]
    broken = [t for t in targets if t.problem is not None]
    base = [t for t in usable if t.kind == "default"]
    if kind == "all":
        chosen = base
    elif kind == "default":
        chosen = _first_per_pair(base)
    elif kind == "pip":
        chosen = [t for t in base if t.spec is not None and t.spec.pip]
    elif kind == "system":
        chosen = [t for t in base if t.spec is not None and t.spec.system_site_packages]
    elif kind == "isolated":
        chosen = [t for t in base if t.spec is not None and not t.spec.system_site_packages]
    elif kind == "copies":
        chosen = [t for t in base if t.spec is not None and not t.spec.symlinks]
    elif kind in {"prompt", "inject"}:
        chosen = [t for t in usable if t.kind == kind]
    else:
        raise ValueError(f"configs={kind!r} is not accepted; accepted: {', '.join(CONFIG_KINDS)}")
    return chosen + _first_per_pair(broken, key_all=True)


def _first_per_pair(targets: list[Target], *, key_all: bool = False) -> list[Target]:
    seen: set[tuple[str, str]] = set()
    chosen = []
    for target in targets:
        key = (target.creator_name, target.python if key_all else target.version)
        if key not in seen:
            seen.add(key)
            chosen.append(target)
    return chosen
