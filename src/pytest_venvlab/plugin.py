"""pytest entry point: wires options, markers and hooks; the logic lives in the other modules."""

from __future__ import annotations

import pytest

from . import hookspecs
from .creators.registry import register_creator
from .errors import VenvlabError
from .options import add_options
from .settings import get_settings
from .spec import VenvSpec


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "venv(**fields): the spec of the environment the `venv` fixture gives this test "
        "(creator, python, symlinks, system_site_packages, pip, prompt, packages)",
    )
    config.hook.pytest_venvlab_register_creators.call_historic(
        kwargs={"register": register_creator}
    )
    settings = get_settings(config)
    try:
        settings.default_spec  # noqa: B018 - validates the options
        for creator in settings.creators:
            VenvSpec(creator=creator)
    except VenvlabError as exc:
        raise pytest.UsageError(str(exc)) from None
