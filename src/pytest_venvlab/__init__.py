"""pytest-venvlab: cached virtual-environment fixtures, isolation assertions and a PEP 405
conformance suite.

Names are imported on first use, so ``python -m pytest_venvlab.create`` (and anything else that
needs one piece) does not pay for importing pytest and the whole plugin.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if "pytest" in sys.modules:  # inside a pytest run: rewrite asserts in the assertion helpers
    from . import _rewrite  # noqa: F401

if TYPE_CHECKING:
    from .assertions import (
        Violation,
        assert_activation,
        assert_isolated,
        assert_site_packages_in_prefix,
        assert_stdlib_from_base,
        assert_system_site_packages,
        expected_virtual_env_prompt,
        isolation_violations,
    )
    from .build import create_venv, resolve
    from .cache import VenvFactory
    from .creators.base import Availability, Capabilities, CreateRequest, Creator
    from .creators.command import CommandCreator, venv_flags
    from .creators.registry import creator_names, get_creator, register_creator
    from .errors import (
        CommandError,
        CreatorError,
        CreatorUnavailableError,
        InterpreterNotFoundError,
        SpecError,
        VenvlabError,
    )
    from .handle import Venv
    from .interpreters import Interpreter, available_interpreters, find_interpreter
    from .introspection import Introspection
    from .pyvenv_cfg import parse_pyvenv_cfg
    from .shells import (
        ActivationObservation,
        ShellNotFoundError,
        ShellState,
        available_shells,
        observe_activation,
    )
    from .spec import VenvSpec

_EXPORTS: dict[str, str] = {
    "ActivationObservation": ".shells",
    "Availability": ".creators.base",
    "Capabilities": ".creators.base",
    "CommandCreator": ".creators.command",
    "CommandError": ".errors",
    "CreateRequest": ".creators.base",
    "Creator": ".creators.base",
    "CreatorError": ".errors",
    "CreatorUnavailableError": ".errors",
    "Interpreter": ".interpreters",
    "InterpreterNotFoundError": ".errors",
    "Introspection": ".introspection",
    "ShellNotFoundError": ".shells",
    "ShellState": ".shells",
    "SpecError": ".errors",
    "Venv": ".handle",
    "VenvFactory": ".cache",
    "VenvSpec": ".spec",
    "VenvlabError": ".errors",
    "Violation": ".assertions",
    "assert_activation": ".assertions",
    "assert_isolated": ".assertions",
    "assert_site_packages_in_prefix": ".assertions",
    "assert_stdlib_from_base": ".assertions",
    "assert_system_site_packages": ".assertions",
    "available_interpreters": ".interpreters",
    "available_shells": ".shells",
    "create_venv": ".build",
    "creator_names": ".creators.registry",
    "expected_virtual_env_prompt": ".assertions",
    "find_interpreter": ".interpreters",
    "get_creator": ".creators.registry",
    "isolation_violations": ".assertions",
    "observe_activation": ".shells",
    "parse_pyvenv_cfg": ".pyvenv_cfg",
    "register_creator": ".creators.registry",
    "resolve": ".build",
    "venv_flags": ".creators.command",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "ActivationObservation",
    "Availability",
    "Capabilities",
    "CommandCreator",
    "CommandError",
    "CreateRequest",
    "Creator",
    "CreatorError",
    "CreatorUnavailableError",
    "Interpreter",
    "InterpreterNotFoundError",
    "Introspection",
    "ShellNotFoundError",
    "ShellState",
    "SpecError",
    "Venv",
    "VenvFactory",
    "VenvSpec",
    "VenvlabError",
    "Violation",
    "assert_activation",
    "assert_isolated",
    "assert_site_packages_in_prefix",
    "assert_stdlib_from_base",
    "assert_system_site_packages",
    "available_interpreters",
    "available_shells",
    "create_venv",
    "creator_names",
    "expected_virtual_env_prompt",
    "find_interpreter",
    "get_creator",
    "isolation_violations",
    "observe_activation",
    "parse_pyvenv_cfg",
    "register_creator",
    "resolve",
    "venv_flags",
]
