"""Conformance mode: what pytest collects, how checks are parametrized, and what ``differs`` is.

:func:`redirect_collection` runs before any conftest of the invocation directory is loaded, so
the cwd's ``conftest.py``, ``testpaths`` and test-discovery ini keys cannot change what runs.
:class:`ConformancePlugin` is registered for the session when ``--venv-conformance`` is given.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..creators.base import CreateRequest
from ..errors import CreatorUnavailableError, VenvlabError
from ..handle import Venv
from ..process import hermetic_env
from ..settings import get_settings
from ..spec import VenvSpec
from . import SUITE_DIR
from .facts import EnvFacts
from .requirements import Binding, binding_verdict
from .targets import Target, make_targets, select

__all__ = [
    "CHECK_KEY",
    "PROPERTY",
    "Check",
    "ConformancePlugin",
    "EnvBuilder",
    "redirect_collection",
]

#: The ``user_properties`` name under which each check's identity travels to the report.
PROPERTY = "venvlab_conformance"

#: ini keys that decide what pytest collects; conformance mode pins them to pytest's defaults.
_PINNED_INI: dict[str, Any] = {
    "python_files": ["test_*.py"],
    "python_classes": ["Test"],
    "python_functions": ["test"],
    "usefixtures": [],
    "testpaths": [],
    "xfail_strict": False,
}


def redirect_collection(early_config: pytest.Config) -> None:
    """Point collection at the bundled suite and load no conftest of the invocation directory."""
    ns = early_config.known_args_namespace
    ns.file_or_dir = [os.fspath(SUITE_DIR)]
    ns.pyargs = False
    ns.noconftest = True


def pin_collection(config: pytest.Config) -> None:
    """After option parsing: collect exactly the suite with default discovery rules."""
    config.args = [os.fspath(SUITE_DIR)]
    # pytest has no public way to override ini values after parsing; the cache is what getini
    # consults first, so the cwd's ini cannot narrow or widen what the suite collects.
    config._inicache.update(
        {k: list(v) if isinstance(v, list) else v for k, v in _PINNED_INI.items()}
    )
    if getattr(config.option, "dist", "no") == "load":
        # Keep every check of one environment on one worker: it is built once there.
        config.option.dist = "loadgroup"


@dataclass(frozen=True)
class Check:
    """One collected check: which requirement, of which kind, against which target."""

    requirement: str
    binding: Binding
    target: Target
    #: Set when a failure of this check is reported as ``differs`` instead.
    differs: str | None

    def properties(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "binding": self.binding.value,
            "creator": self.target.creator_name,
            "python": self.target.version,
            "config": self.target.config,
            "config_label": self.target.config_label,
        }


CHECK_KEY = pytest.StashKey[Check]()


class EnvBuilder:
    """Gets each target's environment once per process and hands out private copies.

    Environments come from the session's ``venv_factory`` (built once across xdist workers, and
    kept between runs when the persistent cache is on). When the factory refuses a creator's
    result (no ``pyvenv.cfg``, no ``python``), the creator is run again directly: a creator that
    leaves a broken environment must still yield one, so that each check reports what exactly is
    wrong with it instead of every check failing with the same build error.
    """

    def __init__(self, config: pytest.Config, root: Path, strict: bool) -> None:
        self.config = config
        self.root = root
        self.strict = strict
        self._built: dict[Target, EnvFacts | str] = {}
        self._from_factory: set[Path] = set()
        self._count = 0

    def missing(self, reason: str) -> None:
        if self.strict:
            pytest.fail(f"{reason} (--venv-strict)", pytrace=False)
        pytest.skip(reason)

    def shared(self, target: Target) -> EnvFacts:
        """The target's environment, shared by every check: do not change it."""
        if target.problem is not None:
            self.missing(target.problem)
        found = self._built.get(target)
        if found is None:
            assert target.interpreter is not None
            venv = self._from_cache(target)
            if venv is None:
                try:
                    venv = self.create(target, self._fresh_dir(target.id) / "env")
                except VenvlabError as exc:
                    found = str(exc)
            if venv is not None:
                found = EnvFacts(venv, target.interpreter)
            assert found is not None
            self._built[target] = found
        if isinstance(found, str):
            pytest.fail(f"the environment could not be built: {found}", pytrace=False)
        return found

    def _factory(self) -> Callable[..., Venv] | None:
        try:
            from ..cache.session import get_factory
        except ImportError:  # pragma: no cover - the cache package ships with the plugin
            return None
        return get_factory(self.config)

    def _from_cache(self, target: Target) -> Venv | None:
        factory = self._factory()
        if factory is None or target.spec is None:
            return None
        try:
            venv = factory(target.spec)
        except pytest.fail.Exception:
            return None  # the checked build refused it: build it directly to diagnose
        self._from_factory.add(venv.path)
        return venv

    def private(self, target: Target, dest: Path) -> EnvFacts:
        """A copy of the target's environment at ``dest`` that a check may change."""
        shared = self.shared(target)
        factory = self._factory()
        if shared.path in self._from_factory and factory is not None and target.spec is not None:
            venv = factory(target.spec, private=True)
            assert target.interpreter is not None
            return EnvFacts(venv, target.interpreter)
        shutil.copytree(shared.path, dest, symlinks=True)
        assert target.interpreter is not None
        return EnvFacts(Venv(dest, target.spec, target.interpreter), target.interpreter)

    def create(self, target: Target, dest: Path, spec: VenvSpec | None = None) -> Venv:
        """Run the target's creator for ``spec`` (default: the target's) at ``dest``."""
        spec = spec or target.spec
        if target.creator is None or target.interpreter is None or spec is None:
            raise CreatorUnavailableError(target.problem or "target cannot be built")
        dest.parent.mkdir(parents=True, exist_ok=True)
        request = CreateRequest(spec, target.interpreter, dest, hermetic_env())
        try:
            target.creator.create(request)
        except OSError as exc:
            raise VenvlabError(f"creator {target.creator_name!r} failed at {dest}: {exc}") from exc
        return Venv(dest, spec, target.interpreter)

    def _fresh_dir(self, label: str) -> Path:
        self._count += 1
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in label)[:80]
        path = self.root / f"{self._count:03d}-{safe}"
        path.mkdir(parents=True)
        return path


class ConformancePlugin:
    """Registered for a ``--venv-conformance`` session: parametrizes and judges the checks."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self._targets: list[Target] | None = None

    @property
    def targets(self) -> list[Target]:
        if self._targets is None:
            settings = get_settings(self.config)
            try:
                self._targets = make_targets(list(settings.creators), list(settings.pythons))
            except VenvlabError as exc:
                raise pytest.UsageError(str(exc)) from None
        return self._targets

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        # Only the suite runs (its own directory, and the files in it, are the arguments).
        if SUITE_DIR in (collection_path, collection_path.parent):
            return None
        return True

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        marker = metafunc.definition.get_closest_marker("requirement")
        if marker is None or "conf_target" not in metafunc.fixturenames:
            return
        rid = marker.args[0]
        configs = marker.kwargs.get("configs", "all")
        chosen = select(self.targets, configs)
        params = [
            pytest.param(t, id=f"{rid}:{t.id}", marks=[pytest.mark.xdist_group(t.group)])
            for t in chosen
        ]
        metafunc.parametrize("conf_target", params)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("requirement")
            callspec = getattr(item, "callspec", None)
            if marker is None or callspec is None or "conf_target" not in callspec.params:
                continue
            target: Target = callspec.params["conf_target"]
            rid = marker.args[0]
            binding = Binding(marker.kwargs.get("binding", Binding.PEP))
            differs = None
            if target.creator is not None:
                shell = callspec.params.get("shell")
                differs = binding_verdict(
                    binding, target.creator, rid, shell if isinstance(shell, str) else None
                )
            check = Check(rid, binding, target, differs)
            item.stash[CHECK_KEY] = check
            item.user_properties.append((PROPERTY, check.properties()))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        check = item.stash.get(CHECK_KEY, None)
        if check is None:
            return report
        excinfo = call.excinfo
        if (
            report.when == "call"
            and report.failed
            and check.differs is not None
            and excinfo is not None
            and excinfo.errisinstance((AssertionError, pytest.fail.Exception))
        ):
            observed = _first_line(str(excinfo.value))
            report.outcome = "skipped"
            report.wasxfail = f"differs ({check.differs}): {observed}"
        return report

    @pytest.fixture(scope="session")
    def conf_builder(self, tmp_path_factory: pytest.TempPathFactory) -> EnvBuilder:
        """Builds and caches the suite's environments (per process)."""
        strict = get_settings(self.config).strict
        return EnvBuilder(self.config, tmp_path_factory.mktemp("conformance"), strict)

    @pytest.fixture
    def conf_env(self, conf_target: Target, conf_builder: EnvBuilder) -> EnvFacts:
        """The target's shared environment, with its measured facts."""
        return conf_builder.shared(conf_target)

    @pytest.fixture
    def conf_private(
        self, conf_target: Target, conf_builder: EnvBuilder, tmp_path: Path
    ) -> Callable[[], EnvFacts]:
        """Make a private copy of the target's environment (for checks that change it)."""

        def make() -> EnvFacts:
            return conf_builder.private(conf_target, tmp_path / "copy")

        return make

    @pytest.fixture
    def conf_create(self, conf_target: Target, conf_builder: EnvBuilder) -> Callable[..., Venv]:
        """Run the target's creator at a given destination (optionally another spec)."""
        if conf_target.problem is not None:
            conf_builder.missing(conf_target.problem)

        def make(dest: Path, spec: VenvSpec | None = None, *, may_fail: bool = False) -> Venv:
            try:
                return conf_builder.create(conf_target, dest, spec)
            except VenvlabError as exc:
                if may_fail:
                    raise
                pytest.fail(f"the creator failed: {exc}", pytrace=False)

        return make


def _first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def early(early_config: pytest.Config) -> None:
    """``pytest_load_initial_conftests``: redirect collection in conformance mode."""
    if getattr(early_config.known_args_namespace, "venv_conformance", False):
        redirect_collection(early_config)


def configure(config: pytest.Config) -> None:
    """``pytest_configure``: register the marker; in conformance mode, the suite's plugins."""
    from ..report import ResultsCollector
    from .marks import MARKER_HELP

    config.addinivalue_line("markers", MARKER_HELP)
    if not config.getoption("venv_conformance", False):
        return
    pin_collection(config)
    # Registered here too, so that --strict-markers accepts it when xdist is disabled (-p no:xdist).
    config.addinivalue_line("markers", "xdist_group(name): run tests of one group on one worker")
    config.pluginmanager.register(ConformancePlugin(config), "venvlab-conformance")
    config.pluginmanager.register(ResultsCollector(config), "venvlab-conformance-report")


def ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Outside conformance mode, never collect the bundled suite (it needs its plugin)."""
    if config.getoption("venv_conformance", False):
        return None
    if collection_path == SUITE_DIR or SUITE_DIR in collection_path.parents:
        return True
    return None
