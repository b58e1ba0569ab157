"""Filling a script template's ``@NAME@`` placeholders."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["fill"]


def fill(template: str, replacements: Mapping[str, str]) -> str:
    """``template`` with each placeholder replaced, in the order given."""
    for key, value in replacements.items():
        template = template.replace(key, value)
    return template
