"""pytest entry point: wires options, markers and hooks; the logic lives in the other modules."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from . import assertions, fixtures, hookspecs, matrix
from .cache import session as cache_session
from .conformance import session as conformance_session
from .creators.registry import get_creator, register_creator
from .errors import VenvlabError
from .options import add_options
from .settings import get_settings
from .spec import VenvSpec


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)
    pluginmanager.register(fixtures, "venvlab-fixtures")


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
    for creator in settings.creators:  # unknown names stop the run, naming the accepted ones
        try:
            get_creator(creator)
        except VenvlabError as exc:
            raise pytest.UsageError(f"--venv-creator: {exc}") from None
    matrix.configure(config)
    conformance_session.configure(config)
    cache_session.configure(config)
    assertions.configure(settings.strict)


def pytest_unconfigure(config: pytest.Config) -> None:
    assertions.unconfigure()


def pytest_report_header(config: pytest.Config) -> list[str]:
    return matrix.report_header(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    matrix.generate_tests(metafunc)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    matrix.check_item(item)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    conformance_session.early(early_config)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    return conformance_session.ignore_collect(collection_path, config)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    cache_session.runtest_call(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    result = yield
    cache_session.runtest_teardown(item)  # a test that changed a shared env errors here
    return result


def pytest_sessionfinish(session: pytest.Session) -> None:
    cache_session.session_finish(session)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    cache_session.terminal_summary(terminalreporter, config)
