"""The session's settings, read once from options and ini keys."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from .options import list_option
from .spec import DEFAULT_CREATOR, DEFAULT_PYTHON, VenvSpec

__all__ = ["SETTINGS_KEY", "Settings", "get_settings"]


@dataclass(frozen=True)
class Settings:
    creators: tuple[str, ...]
    pythons: tuple[str, ...]
    strict: bool

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        strict_option = config.getoption("venv_strict")
        strict = (
            bool(strict_option) or bool(config.getini("venv_strict")) or bool(os.environ.get("CI"))
        )
        return cls(
            creators=tuple(list_option(config, "venv_creator")),
            pythons=tuple(list_option(config, "venv_python")),
            strict=strict,
        )

    @property
    def default_spec(self) -> VenvSpec:
        """The spec fixtures use when a test asks for nothing in particular."""
        return VenvSpec(
            creator=self.creators[0] if self.creators else DEFAULT_CREATOR,
            python=self.pythons[0] if self.pythons else DEFAULT_PYTHON,
        )


SETTINGS_KEY = pytest.StashKey[Settings]()


def get_settings(config: pytest.Config) -> Settings:
    settings = config.stash.get(SETTINGS_KEY, None)
    if settings is None:
        settings = Settings.from_config(config)
        config.stash[SETTINGS_KEY] = settings
    return settings
