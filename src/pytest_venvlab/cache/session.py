"""The cache's part of a pytest session: where the stores live, the factory, and the hooks'
logic (``plugin.py`` only forwards to the functions here).

Two tiers:

* **per run**: ``<basetemp>/venvlab-envs``, where the controller's basetemp is the one its xdist
  workers' temp dirs live under; the controller passes the path to each worker through xdist's
  ``workerinput`` (``venvlab_run_dir``) rather than letting workers guess it;
* **persistent** (opt-in): ``--venv-cache-dir PATH`` or the ini key ``venv_cache_dir``; used
  instead of the per-run tier, entries validated before reuse. ``--venv-cache-clear`` empties it
  when the run starts (in the controller, before any worker starts).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ..errors import VenvlabError
from ..settings import get_settings
from ..summary import CacheStats, summary_lines
from .copies import CopyPool
from .factory import VenvFactory
from .safety import check_root
from .store import EnvStore

__all__ = [
    "XdistHooks",
    "configure",
    "get_factory",
    "session_finish",
    "terminal_summary",
]

RUN_DIR_KEY = "venvlab_run_dir"
PERSISTENT_KEY = "venvlab_cache_dir"
STATS_KEY = "venvlab_stats"

_FACTORY = pytest.StashKey[VenvFactory]()
_STATS = pytest.StashKey[CacheStats]()
_PERSISTENT = pytest.StashKey["Path | None"]()
_FALLBACK = pytest.StashKey[Path]()


def configure(config: pytest.Config) -> None:
    """Read the cache options; clear the persistent cache if asked (controller only)."""
    config.stash[_STATS] = CacheStats()
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None:
        given = workerinput.get(PERSISTENT_KEY)
        config.stash[_PERSISTENT] = Path(given) if given else None
        return
    persistent = _persistent_dir(config)
    if persistent is not None:
        try:
            check_root(persistent)
        except VenvlabError as exc:
            raise pytest.UsageError(f"--venv-cache-dir: {exc}") from None
    config.stash[_PERSISTENT] = persistent
    if persistent is not None and config.getoption("venv_cache_clear"):
        EnvStore(persistent, persistent=True).clear()
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(), "venvlab-cache-xdist")


def _persistent_dir(config: pytest.Config) -> Path | None:
    option: str | None = config.getoption("venv_cache_dir")
    if option:
        return Path(os.path.abspath(os.path.expanduser(option)))
    ini = config.getini("venv_cache_dir")
    if ini:
        base = config.inipath.parent if config.inipath is not None else config.rootpath
        return (base / os.path.expanduser(str(ini))).resolve()
    return None


def _basetemp(config: pytest.Config) -> Path:
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:  # the tmp_path plugin is disabled: one temporary dir for the session
        fallback = config.stash.get(_FALLBACK, None)
        if fallback is None:
            import tempfile

            fallback = config.stash[_FALLBACK] = Path(tempfile.mkdtemp(prefix="venvlab-"))
        return fallback
    base: Path = factory.getbasetemp()
    return base


def _run_dir(config: pytest.Config) -> Path:
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get(RUN_DIR_KEY):
        return Path(workerinput[RUN_DIR_KEY])
    return _basetemp(config) / "venvlab-envs"


def get_factory(config: pytest.Config) -> VenvFactory:
    """The session's factory, made on first use (runs that use no env create no directory)."""
    factory = config.stash.get(_FACTORY, None)
    if factory is None:
        persistent = config.stash.get(_PERSISTENT, None)
        if persistent is not None:
            store = EnvStore(persistent, persistent=True)
        else:
            store = EnvStore(_run_dir(config))
        pool = CopyPool(_basetemp(config) / "venvlab-private")
        settings = get_settings(config)
        factory = VenvFactory(
            store,
            pool,
            settings.default_spec,
            strict=settings.strict,
            stats=config.stash[_STATS],
        )
        config.stash[_FACTORY] = factory
    return factory


def runtest_call(item: pytest.Item) -> None:
    factory = item.config.stash.get(_FACTORY, None)
    if factory is not None:
        factory.begin_call()


def runtest_teardown(item: pytest.Item) -> None:
    """After the test's fixtures are torn down: fail its teardown if it changed a shared env."""
    factory = item.config.stash.get(_FACTORY, None)
    if factory is None:
        return
    problems = factory.end_test(item.nodeid)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def session_finish(session: pytest.Session) -> None:
    """Remove private copies; a worker hands its counters to the controller."""
    config = session.config
    factory = config.stash.get(_FACTORY, None)
    if factory is not None:
        factory.close()
    workeroutput: dict[str, Any] | None = getattr(config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput[STATS_KEY] = config.stash[_STATS].to_json()


def terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """``venvlab: N built, N reused, N private in X.Xs`` (and per-build lines with ``-v``)."""
    stats = config.stash.get(_STATS, None)
    if stats is None or not stats.used:
        return
    for line in summary_lines(stats, verbose=config.get_verbosity() > 0):
        terminalreporter.write_line(line)


class XdistHooks:
    """Hooks that exist only when pytest-xdist is installed (registered only then)."""

    @pytest.hookimpl
    def pytest_configure_node(self, node: Any) -> None:
        config: pytest.Config = node.config
        node.workerinput[RUN_DIR_KEY] = os.fspath(_basetemp(config) / "venvlab-envs")
        persistent = config.stash.get(_PERSISTENT, None)
        node.workerinput[PERSISTENT_KEY] = os.fspath(persistent) if persistent else ""

    @pytest.hookimpl
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        output = getattr(node, "workeroutput", None) or {}
        data = output.get(STATS_KEY)
        if data:
            node.config.stash[_STATS].merge(data)
