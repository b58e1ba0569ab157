"""Hooks the plugin adds to pytest. Implement them in a ``conftest.py`` or a plugin."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .creators.base import Creator

__all__ = ["pytest_venvlab_register_creators"]


@pytest.hookspec(historic=True)
def pytest_venvlab_register_creators(
    register: Callable[[str, Callable[[], Creator]], None],
) -> None:
    """Register creators for this session: call ``register(name, factory)`` for each."""
