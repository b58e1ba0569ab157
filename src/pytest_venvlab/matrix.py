"""``pytest --venv-matrix``: run each test that uses an environment once per point of the matrix
creator x Python x layout x site x pip.

The matrix parametrizes the ``venv_spec`` fixture directly, so the ``venv`` fixture (which takes its
spec only from ``venv_spec``) gives each point's environment. Points are computed once per process
from the options; ``@pytest.mark.venv(...)`` fixes the axes it names for one test.

Selection syntax, the value of ``--venv-matrix`` or the ``venv_matrix_axes`` ini key: terms
separated by commas or spaces, each ``AXIS=VALUE[+VALUE...]`` or a bare ``VALUE`` (every value
belongs to exactly one axis), e.g. ``layout=copies,pip=nopip`` or ``site=isolated+system`` or
``copies nopip``. ``AXIS=all`` selects every value. Creators and Pythons are chosen with
``--venv-creator`` and ``--venv-python``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from .build import Resolved
from .creators.command import PREFIX as CMD_PREFIX
from .creators.registry import creator_names, get_creator
from .errors import InterpreterNotFoundError, SpecError, VenvlabError
from .interpreters import Interpreter, find_interpreter
from .markers import MARKER, spec_from_node
from .settings import get_settings
from .spec import DEFAULT_PYTHON, VenvSpec

__all__ = [
    "AXES",
    "Axis",
    "Matrix",
    "Point",
    "Problem",
    "check_item",
    "configure",
    "generate_tests",
    "get_matrix",
    "marker_fields",
    "matrix_enabled",
    "parse_selection",
    "report_header",
]

#: The fixture the matrix parametrizes; tests using ``venv`` depend on it.
SPEC_FIXTURE = "venv_spec"
_USING = ("venv", SPEC_FIXTURE)


@dataclass(frozen=True)
class Axis:
    """One configuration axis: its name, the spec field it sets, and its labelled values."""

    name: str
    field: str
    values: tuple[tuple[str, bool], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(label for label, _ in self.values)

    def value(self, label: str) -> bool:
        return dict(self.values)[label]

    def label(self, value: bool) -> str:
        return next(label for label, v in self.values if v == value)


#: The configuration axes in ID order (after creator and Python).
AXES: tuple[Axis, ...] = (
    Axis("layout", "symlinks", (("symlinks", True), ("copies", False))),
    Axis("site", "system_site_packages", (("isolated", False), ("system", True))),
    Axis("pip", "pip", (("pip", True), ("nopip", False))),
)
_AXIS_BY_NAME = {axis.name: axis for axis in AXES}
_AXIS_BY_LABEL = {label: axis for axis in AXES for label in axis.labels}
_AXIS_FIELDS = {axis.field for axis in AXES} | {"creator", "python"}


def _accepted_axes() -> str:
    return ", ".join(f"{axis.name} ({', '.join(axis.labels)})" for axis in AXES)


def parse_selection(text: str, *, where: str = "--venv-matrix") -> dict[str, tuple[str, ...]]:
    """Parse ``layout=copies,pip=nopip`` into ``{axis: labels}`` (only the axes named).

    Several values of one axis are joined with ``+`` (``site=isolated+system``) or given by
    repeating the axis; a bare value names its own axis; ``AXIS=all`` means every value.
    Raises :class:`pytest.UsageError` naming an unknown axis or value and what is accepted.
    """
    chosen: dict[str, list[str]] = {}
    for term in re.split(r"[,\s]+", text.strip()):
        if not term:
            continue
        name, sep, values = term.partition("=")
        name = name.strip()
        if not sep:
            axis = _AXIS_BY_LABEL.get(name)
            if axis is None:
                hint = ""
                if os.path.exists(name.split("::")[0]):
                    hint = (
                        " (it looks like a path: write '--venv-matrix=' or put the paths before "
                        "--venv-matrix)"
                    )
                raise pytest.UsageError(
                    f"{where}: {name!r} is not an axis value{hint}; accepted: AXIS=VALUE[+VALUE] "
                    f"or a bare VALUE, with axes {_accepted_axes()}"
                )
            labels = [name]
        else:
            axis = _AXIS_BY_NAME.get(name)
            if axis is None:
                extra = ""
                if name in ("creator", "python"):
                    extra = f"; choose {name}s with --venv-{name} (ini venv_{name})"
                raise pytest.UsageError(
                    f"{where}: unknown axis {name!r} in {term!r}; accepted axes: "
                    f"{_accepted_axes()}{extra}"
                )
            labels = [v.strip() for v in values.split("+")]
            if labels == ["all"]:
                labels = list(axis.labels)
            for label in labels:
                if label not in axis.labels:
                    raise pytest.UsageError(
                        f"{where}: {axis.name} value {label!r} is not accepted; accepted: "
                        f"{', '.join(axis.labels)} or all (join several with '+', e.g. "
                        f"{axis.name}={'+'.join(axis.labels)})"
                    )
        picked = chosen.setdefault(axis.name, [])
        picked.extend(label for label in labels if label not in picked)
    # Keep each axis's own value order so IDs and point order do not depend on how it was typed.
    return {
        name: tuple(label for label in _AXIS_BY_NAME[name].labels if label in picked)
        for name, picked in chosen.items()
    }


@dataclass(frozen=True)
class Problem:
    """Why a point cannot run here: ``missing`` ones (Python, creator) fail under strict."""

    reason: str
    missing: bool


@dataclass(frozen=True)
class Point:
    """One point of the matrix: its spec and the parts of its test ID (creator, Python, layout,
    site, pip)."""

    spec: VenvSpec
    parts: tuple[str, ...]

    @property
    def id(self) -> str:
        """``venv-py3.12-symlinks-isolated-nopip``: readable, stable, selectable with ``-k``."""
        return "-".join(self.parts)


@dataclass(frozen=True)
class _PythonChoice:
    spec: str
    label: str
    interpreter: Interpreter | None
    reason: str = ""


@dataclass
class Matrix:
    """The session's matrix: the chosen creators, Pythons and axis values, and what was left out."""

    creators: tuple[str, ...]
    pythons: tuple[_PythonChoice, ...]
    axes: dict[str, tuple[str, ...]]
    strict: bool
    group: bool
    #: Human-readable notes on what was left out and why.
    left_out: list[str] = field(default_factory=list)
    _creator_labels: dict[str, str] = field(default_factory=dict)
    _python_choices: dict[str, _PythonChoice] = field(default_factory=dict)
    _problems: dict[VenvSpec, Problem | None] = field(default_factory=dict)

    # -- building --------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: pytest.Config) -> Matrix:
        """Read the options; raises :class:`pytest.UsageError` for anything not accepted."""
        settings = get_settings(config)
        axes = {axis.name: axis.labels for axis in AXES}
        narrowed: list[str] = []
        for source, text in _selection_sources(config):
            for name, labels in parse_selection(text, where=source).items():
                axes[name] = labels
        for axis in AXES:
            dropped = [label for label in axis.labels if label not in axes[axis.name]]
            if dropped:
                narrowed.append(f"{axis.name} {', '.join(dropped)} (not selected)")
        left_out: list[str] = []
        creators = _choose_creators(settings.creators, left_out)
        pythons = _choose_pythons(settings.pythons or (DEFAULT_PYTHON,), left_out)
        group = bool(config.getoption("venv_group")) or bool(config.getini("venv_group"))
        matrix = cls(creators, pythons, axes, settings.strict, group, left_out + narrowed)
        matrix._creator_labels = _creator_labels(creators)
        matrix._python_choices = {choice.spec: choice for choice in pythons}
        return matrix

    # -- points ----------------------------------------------------------------------------

    def points(self, fixed: Mapping[str, Any] | None = None) -> list[Point]:
        """Every point, or those left when ``fixed`` (spec fields from markers) fixes some axes.

        Fields of ``fixed`` that are not axes (``prompt``, ``packages``) go into every spec.
        """
        fixed = dict(fixed or {})
        creators = [fixed["creator"]] if "creator" in fixed else list(self.creators)
        pythons = [fixed["python"]] if "python" in fixed else [c.spec for c in self.pythons]
        choices: list[list[bool]] = []
        for axis in AXES:
            if axis.field in fixed:
                choices.append([fixed[axis.field]])
            else:
                choices.append([axis.value(label) for label in self.axes[axis.name]])
        extra = {k: v for k, v in fixed.items() if k not in _AXIS_FIELDS}
        seen: dict[VenvSpec, Point] = {}
        for creator in creators:
            for python in pythons:
                for values in itertools.product(*choices):
                    fields = dict(zip((axis.field for axis in AXES), values, strict=True))
                    spec = VenvSpec.from_fields(
                        {"creator": creator, "python": python, **fields, **extra}
                    )
                    if spec not in seen:
                        seen[spec] = Point(spec, self.id_parts(spec))
        return list(seen.values())

    def id_parts(self, spec: VenvSpec) -> tuple[str, ...]:
        """The parts of a point's ID: creator, Python, then each axis's value name."""
        parts = [self.creator_label(spec.creator), self.python_label(spec.python)]
        parts += [axis.label(getattr(spec, axis.field)) for axis in AXES]
        return tuple(parts)

    def creator_label(self, creator: str) -> str:
        label = self._creator_labels.get(creator)
        if label is None:
            label = self._creator_labels[creator] = _creator_labels([creator])[creator]
        return label

    def python_label(self, python: str) -> str:
        return self._python_choice(python).label

    def _python_choice(self, python: str) -> _PythonChoice:
        """The lookup of one Python spec, once per matrix (a missing Python is looked up once)."""
        choice = self._python_choices.get(python)
        if choice is None:
            choice = self._python_choices[python] = _python_choice(python)
        return choice

    def problem(self, spec: VenvSpec) -> Problem | None:
        """Why ``spec`` cannot be made here (cached per spec), or ``None``."""
        if spec not in self._problems:
            self._problems[spec] = self._find_problem(spec)
        return self._problems[spec]

    def _find_problem(self, spec: VenvSpec) -> Problem | None:
        try:
            creator = get_creator(spec.creator)
            availability = creator.availability()
            if not availability.available:
                reason = f"creator {spec.creator!r} is not available: {availability.reason}"
                return Problem(reason, missing=True)
            choice = self._python_choice(spec.python)
            if choice.interpreter is None:
                return Problem(choice.reason, missing=True)
            unsupported = Resolved(spec, creator, choice.interpreter).unsupported()
        except VenvlabError as exc:
            return Problem(str(exc), missing=False)
        return None if unsupported is None else Problem(unsupported, missing=False)

    def known_problem(self, spec: VenvSpec) -> Problem | None:
        """The problem recorded for ``spec`` when it was generated (no lookup)."""
        return self._problems.get(spec)

    # -- reporting -------------------------------------------------------------------------

    def header(self) -> list[str]:
        """The lines ``pytest_report_header`` shows."""
        points = self.points()
        pythons = ", ".join(
            f"{c.label} ({c.interpreter.executable})" if c.interpreter else f"{c.label} (not found)"
            for c in self.pythons
        )
        axes = " x ".join(f"{name} ({', '.join(labels)})" for name, labels in self.axes.items())
        count = f"{len(points)} point{'' if len(points) == 1 else 's'}"
        lines = [
            f"venvlab matrix: {count} = creators ({', '.join(self.creators)}) x "
            f"Pythons ({pythons}) x {axes}"
        ]
        if self.left_out:
            lines.append(f"venvlab matrix left out: {'; '.join(self.left_out)}")
        outcomes: dict[str, dict[str, list[Point]]] = {"skip": {}, "fail": {}}
        for point in points:
            problem = self.problem(point.spec)
            if problem is not None:
                verb = "fail" if problem.missing and self.strict else "skip"
                outcomes[verb].setdefault(problem.reason, []).append(point)
        for verb, by_reason in outcomes.items():
            if by_reason:
                notes = [f"{len(ps)} ({_glob(ps)}): {reason}" for reason, ps in by_reason.items()]
                lines.append(f"venvlab matrix points that will {verb}: {'; '.join(notes)}")
        return lines


def _glob(points: Sequence[Point]) -> str:
    """A compact pattern for some points' IDs: the parts they share, ``*`` where they differ."""
    columns = zip(*(point.parts for point in points), strict=True)
    return "-".join(column[0] if len(set(column)) == 1 else "*" for column in columns)


def _selection_sources(config: pytest.Config) -> Iterator[tuple[str, str]]:
    """The selection texts in the order they apply: the ini key, then the command line (which
    replaces the ini's values for each axis it names)."""
    ini = config.getini("venv_matrix_axes")
    if isinstance(ini, list):
        ini = " ".join(ini)
    if ini and ini.strip():
        yield "ini venv_matrix_axes", ini
    # Several --venv-matrix values read as one: naming an axis again adds to it.
    given = ",".join(value for value in config.getoption("venv_matrix") or [] if value)
    if given:
        yield "--venv-matrix", given


def _choose_creators(given: Sequence[str], left_out: list[str]) -> tuple[str, ...]:
    if given:
        chosen = list(dict.fromkeys(given))
        for name in chosen:
            try:
                get_creator(name)
            except VenvlabError as exc:
                raise pytest.UsageError(f"--venv-creator: {exc}") from None
        return tuple(chosen)
    chosen = []
    for name in creator_names():
        try:
            availability = get_creator(name).availability()
        except VenvlabError as exc:
            left_out.append(f"creator {name} ({exc})")
            continue
        if availability.available:
            chosen.append(name)
        else:
            left_out.append(f"creator {name} (not available: {availability.reason})")
    if not chosen:
        raise pytest.UsageError(
            "--venv-matrix: no creator is available here; "
            + "; ".join(left_out or ["no creator is registered"])
        )
    return tuple(chosen)


def _choose_pythons(given: Sequence[str], left_out: list[str]) -> tuple[_PythonChoice, ...]:
    chosen: list[_PythonChoice] = []
    by_executable: dict[str, _PythonChoice] = {}
    labels: set[str] = set()
    for spec in dict.fromkeys(given):
        try:
            choice = _python_choice(spec)
        except SpecError as exc:
            raise pytest.UsageError(f"--venv-python: {exc}") from None
        if choice.interpreter is not None:
            real = os.fspath(choice.interpreter.real_executable)
            same = by_executable.get(real)
            if same is not None:
                left_out.append(f"Python {spec!r} (the same interpreter as {same.spec!r})")
                continue
            by_executable[real] = choice
            if choice.label in labels:
                tag = hashlib.sha256(real.encode()).hexdigest()[:6]
                choice = _PythonChoice(spec, f"{choice.label}-{tag}", choice.interpreter)
        labels.add(choice.label)
        chosen.append(choice)
    return tuple(chosen)


_VERSION_LIKE = re.compile(r"^(?:c?python|py)?(\d+(?:\.\d+)*t?)$", re.IGNORECASE)


def _python_choice(spec: str) -> _PythonChoice:
    """Look up ``spec``; a missing Python is recorded, a spec not understood raises SpecError."""
    try:
        interpreter = find_interpreter(spec)
    except InterpreterNotFoundError as exc:
        return _PythonChoice(spec, _python_label_from_text(spec), None, _not_found(spec, exc))
    return _PythonChoice(spec, f"py{interpreter.version_short}", interpreter)


def _python_label_from_text(spec: str) -> str:
    text = spec.strip()
    match = _VERSION_LIKE.match(text)
    if match:
        return f"py{match.group(1)}"
    base = os.path.basename(text) if os.path.isabs(text) else text
    word = _sanitize(base) or "python"
    tag = hashlib.sha256(text.encode()).hexdigest()[:6]
    return f"py-{word}-{tag}"


def _sanitize(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "_", text).strip("_")


def _creator_labels(creators: Iterable[str]) -> dict[str, str]:
    """IDs for creators: registered names as they are; ``cmd:`` templates as ``cmd-WORD``
    (the program or module the template runs), with a short hash when two would clash."""
    labels: dict[str, str] = {}
    for name in creators:
        if not name.startswith(CMD_PREFIX):
            labels[name] = name
            continue
        words = [
            w
            for w in name[len(CMD_PREFIX) :].split()
            if "{python}" not in w and not w.startswith("-")
        ]
        word = _sanitize(os.path.basename(words[-1])) if words else ""
        labels[name] = f"cmd-{word}" if word else "cmd"
    counts: dict[str, int] = {}
    for label in labels.values():
        counts[label] = counts.get(label, 0) + 1
    for name, label in labels.items():
        if name.startswith(CMD_PREFIX) and (counts[label] > 1 or label in creators):
            labels[name] = f"{label}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
    return labels


def _not_found(python: str, exc: InterpreterNotFoundError) -> str:
    """A one-line reason for a missing Python (the search path is noise in a skip reason)."""
    text = str(exc)
    if text.startswith("no CPython"):
        return (
            f"Python {python!r} not found: no CPython 3.8+ matches it on PATH or among the pyenv "
            "versions"
        )
    return text


# -- markers -------------------------------------------------------------------------------


def marker_fields(node: pytest.Item | pytest.Collector) -> dict[str, Any]:
    """The spec fields ``@pytest.mark.venv(...)`` sets on ``node`` (module < class < function,
    the closest wins per field): the axes a test fixes, plus ``prompt``/``packages`` to carry.

    Checked with :func:`~pytest_venvlab.markers.spec_from_node` first, so a bad marker gives the
    same one-line :class:`~pytest_venvlab.SpecError` with or without the matrix.
    """
    spec_from_node(node, VenvSpec())
    fields: dict[str, Any] = {}
    for mark in node.iter_markers(MARKER):  # closest first
        for key, value in mark.kwargs.items():
            fields.setdefault(key, value)
    return fields


# -- pytest hooks (wired in plugin.py) -----------------------------------------------------

_MATRIX_KEY = pytest.StashKey[Matrix | None]()


def matrix_enabled(config: pytest.Config) -> bool:
    """Whether this run expands tests over the matrix (``--venv-matrix`` or ini ``venv_matrix``)."""
    if config.getoption("venv_no_matrix"):
        return False
    return config.getoption("venv_matrix") is not None or bool(config.getini("venv_matrix"))


def configure(config: pytest.Config) -> None:
    """Build the matrix at configure time so bad options stop the run with one line."""
    config.stash[_MATRIX_KEY] = Matrix.from_config(config) if matrix_enabled(config) else None


def get_matrix(config: pytest.Config) -> Matrix | None:
    """The session's matrix, or ``None`` when the matrix is off."""
    if _MATRIX_KEY not in config.stash:
        configure(config)
    return config.stash[_MATRIX_KEY]


def report_header(config: pytest.Config) -> list[str]:
    matrix = get_matrix(config)
    return matrix.header() if matrix is not None else []


def generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``venv_spec`` with the matrix points for every test that uses an env."""
    matrix = get_matrix(metafunc.config)
    if matrix is None or not any(name in metafunc.fixturenames for name in _USING):
        return
    if _parametrized_by_test(metafunc):
        return
    try:
        points = matrix.points(marker_fields(metafunc.definition))
    except VenvlabError as exc:
        pytest.fail(str(exc), pytrace=False)
    group = matrix.group and metafunc.config.pluginmanager.hasplugin("xdist")
    params = []
    for point in points:
        marks: list[pytest.MarkDecorator] = []
        if group:
            marks.append(pytest.mark.xdist_group(name=point.id))
        problem = matrix.problem(point.spec)
        if problem is not None and not (problem.missing and matrix.strict):
            marks.append(pytest.mark.skip(reason=problem.reason))
        params.append(pytest.param(point.spec, id=point.id, marks=marks))
    metafunc.parametrize(SPEC_FIXTURE, params)


def _parametrized_by_test(metafunc: pytest.Metafunc) -> bool:
    """A test that parametrizes ``venv_spec`` itself keeps its own values."""
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if SPEC_FIXTURE in names:
            return True
    return False


def check_item(item: pytest.Item) -> None:
    """Under strict, fail a point whose Python or creator is missing, before its fixtures run.

    (Points that merely skip carry a ``skip`` mark from :func:`generate_tests`.)
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return
    spec = callspec.params.get(SPEC_FIXTURE)
    matrix = get_matrix(item.config)
    if matrix is None or not matrix.strict or not isinstance(spec, VenvSpec):
        return
    problem = matrix.known_problem(spec)
    if problem is not None and problem.missing:
        pytest.fail(f"{problem.reason} (strict mode: --venv-strict or CI is set)", pytrace=False)
