"""The fixtures: ``venv_factory`` (session), ``venv_spec`` and ``venv`` (function)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .cache.factory import VenvFactory
from .cache.session import get_factory
from .errors import VenvlabError
from .handle import Venv
from .markers import spec_from_node
from .settings import get_settings
from .spec import VenvSpec

__all__ = ["venv", "venv_factory", "venv_spec"]


@pytest.fixture(scope="session")
def venv_factory(pytestconfig: pytest.Config) -> VenvFactory:
    """Hands out environments: ``venv_factory(spec=None, /, *, private=False, **fields)``.

    Shared environments (the default) are built once per session across xdist workers and must
    not be changed; ``private=True`` gives a copy only the caller may change.
    """
    return get_factory(pytestconfig)


@pytest.fixture
def venv_spec(request: pytest.FixtureRequest) -> VenvSpec:
    """The spec of this test's environment: the session default updated with
    ``@pytest.mark.venv(**fields)`` markers (module < class < function, closest wins)."""
    try:
        return spec_from_node(request.node, get_settings(request.config).default_spec)
    except VenvlabError as exc:
        raise pytest.fail.Exception(str(exc), pytrace=False) from None


@pytest.fixture
def venv(venv_factory: VenvFactory, venv_spec: VenvSpec) -> Iterator[Venv]:
    """A private environment for this test, made from ``venv_spec``; taken back afterwards."""
    env = venv_factory(venv_spec, private=True)
    yield env
    venv_factory.remove(env)
