"""pytest-venvlab: cached virtual-environment fixtures, isolation assertions and a PEP 405
conformance suite."""

from __future__ import annotations

from . import _rewrite  # noqa: F401 - must come before .assertions is imported
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
