"""pytest-venvlab: cached virtual-environment fixtures, isolation assertions and a PEP 405
conformance suite."""

from __future__ import annotations

from .build import create_venv, resolve
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
from .spec import VenvSpec

__all__ = [
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
    "SpecError",
    "Venv",
    "VenvSpec",
    "VenvlabError",
    "available_interpreters",
    "create_venv",
    "creator_names",
    "find_interpreter",
    "get_creator",
    "parse_pyvenv_cfg",
    "register_creator",
    "resolve",
    "venv_flags",
]
