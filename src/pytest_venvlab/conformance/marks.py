"""The ``requirement`` marker every conformance check carries."""

from __future__ import annotations

import pytest

from .requirements import REQUIREMENTS, Binding
from .targets import CONFIG_KINDS

__all__ = ["MARKER_HELP", "requirement"]

MARKER_HELP = (
    "requirement(id, binding='pep', configs='all'): the PEP 405 requirement ID a conformance check "
    "covers, who it binds (pep, contract, cpy, security) and which configurations it runs on"
)


def requirement(
    rid: str, binding: Binding = Binding.PEP, configs: str = "all"
) -> pytest.MarkDecorator:
    """Mark a conformance check: ``@requirement("CFG-1")``, ``@requirement("CFG-5", CPY)``."""
    if rid not in REQUIREMENTS:
        raise ValueError(f"unknown requirement ID {rid!r}; accepted: {', '.join(REQUIREMENTS)}")
    if configs not in CONFIG_KINDS:
        raise ValueError(
            f"configs={configs!r} is not accepted; accepted: {', '.join(CONFIG_KINDS)}"
        )
    return pytest.mark.requirement(rid, binding=binding.value, configs=configs)
