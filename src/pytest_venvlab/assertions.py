"""Isolation and activation assertions for environments.

Each helper raises :class:`AssertionError` naming the invariant with its requirement ID (from the
PEP 405 requirements reference) and showing expected and actual values: the offending
``sys.path`` entry and where it came from, PATH before and after activation. pytest rewrites the
asserts in this module (it is registered in ``pytest_venvlab/__init__.py``), so a failure inside
a test also shows pytest's own comparison.

Where a creator documents a deliberate difference from CPython for a requirement
(``Creator.documented_differences``), the helpers accept the documented behaviour instead:
``ACT-4`` means ``VIRTUAL_ENV_PROMPT`` is the bare prompt, ``ACT-3`` that the prompt may be left
unchanged; any other documented requirement is not checked.
"""

from __future__ import annotations

import ast
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .creators.registry import get_creator
from .errors import VenvlabError
from .handle import Venv
from .introspection import INTROSPECT_SCRIPT, STDLIB_PROBE_MODULES, Introspection
from .pyvenv_cfg import read_pyvenv_cfg
from .shells import (
    ActivationObservation,
    ShellNotFoundError,
    ShellState,
    canonical_shell_name,
    find_shell,
    observe_activation,
)

__all__ = [
    "Violation",
    "assert_activation",
    "assert_isolated",
    "assert_site_packages_in_prefix",
    "assert_stdlib_from_base",
    "assert_system_site_packages",
    "expected_virtual_env_prompt",
    "isolation_violations",
]

#: ``PYTHONHOME`` exported before activation by :func:`assert_activation` (never used to run
#: anything: the checks only resolve ``python``, they do not start it).
SENTINEL_PYTHONHOME = "/nonexistent/venvlab-pythonhome"

_strict_stack: list[bool] = []


def configure(strict: bool) -> None:
    """Called by the plugin at configure time: whether a missing shell fails instead of skips."""
    _strict_stack.append(strict)


def unconfigure() -> None:
    """Called by the plugin at unconfigure time."""
    if _strict_stack:
        _strict_stack.pop()


def _strict_default() -> bool:
    if _strict_stack:
        return _strict_stack[-1]
    return bool(os.environ.get("CI"))


@dataclass(frozen=True)
class Violation:
    """One broken invariant: requirement ID, what should hold, and what was seen."""

    req_id: str
    invariant: str
    expected: str
    actual: str
    details: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        return f"Violation({self.req_id}: {self.invariant})"

    def format(self) -> str:
        lines = [
            f"{self.req_id} ({self.invariant})",
            f"    expected: {self.expected}",
            f"    actual:   {self.actual}",
        ]
        lines += [f"    {line}" for line in self.details]
        return "\n".join(lines)


def _report(env: Venv, what: str, violations: list[Violation]) -> str:
    body = "\n".join(v.format() for v in violations)
    return f"{what} failed for {env!r}:\n{body}"


# --- facts gathered from inside the environment ----------------------------------------------


@dataclass(frozen=True)
class _Facts:
    env: Venv
    intro: Introspection | None
    cfg: dict[str, str] | None
    cfg_error: str | None
    claims_isolated: bool
    user_site_dir: str
    pth_lines: tuple[tuple[str, int, str], ...]

    @property
    def version(self) -> tuple[int, int]:
        return _version(self.env, self.intro)


def _version(env: Venv, intro: Introspection | None = None) -> tuple[int, int]:
    if env.interpreter is not None:
        major, minor = env.interpreter.version_info[:2]
        return int(major), int(minor)
    if intro is not None:
        return int(intro.version_info[0]), int(intro.version_info[1])
    try:
        cfg = read_pyvenv_cfg(env.path)
    except (OSError, VenvlabError):
        cfg = {}
    for key in ("version", "version_info"):
        parts = cfg.get(key, "").split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
    return sys.version_info[:2]


def _gather(env: Venv) -> _Facts:
    cfg: dict[str, str] | None
    cfg_error: str | None = None
    if not (env.path / "pyvenv.cfg").is_file():
        cfg, cfg_error = None, f"{os.fspath(env.path / 'pyvenv.cfg')} does not exist"
    else:
        try:
            cfg = read_pyvenv_cfg(env.path)
        except (OSError, VenvlabError) as exc:
            cfg, cfg_error = None, str(exc)
    if env.spec is not None:
        claims_isolated = not env.spec.system_site_packages
    else:
        claims_isolated = (cfg or {}).get("include-system-site-packages", "").lower() != "true"
    major, minor = _version(env)
    with tempfile.TemporaryDirectory(prefix="venvlab-userbase-") as user_base:
        user_site = Path(user_base, "lib", f"python{major}.{minor}", "site-packages")
        user_site.mkdir(parents=True)
        modules = ",".join(STDLIB_PROBE_MODULES)
        proc = env.run(
            [env.python, "-c", INTROSPECT_SCRIPT, modules],
            check=False,
            user_site=True,
            env={"PYTHONUSERBASE": user_base},
            cwd=user_base,
        )
        intro = Introspection.from_json(proc.stdout) if proc.returncode == 0 else None
        if intro is None:
            raise AssertionError(
                f"the environment's python could not report its state ({env!r}, exit "
                f"{proc.returncode}):\n{proc.stderr.strip()[-2000:]}"
            )
    return _Facts(
        env=env,
        intro=intro,
        cfg=cfg,
        cfg_error=cfg_error,
        claims_isolated=claims_isolated,
        user_site_dir=os.fspath(user_site),
        pth_lines=tuple(_pth_lines(intro)),
    )


def _pth_lines(intro: Introspection) -> Iterable[tuple[str, int, str]]:
    """Every line of every ``.pth`` file in the site dirs on sys.path: (file, number, text)."""
    seen: set[str] = set()
    for entry in intro.path:
        if "site-packages" not in entry and "dist-packages" not in entry:
            continue
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".pth"):
                continue
            file = os.path.join(entry, name)
            if file in seen:
                continue
            seen.add(file)
            try:
                text = Path(file).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                yield file, number, line


def _origin(facts: _Facts, entry: str) -> str:
    """Where a sys.path entry came from, as far as can be told from the outside."""
    for file, number, line in facts.pth_lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if entry in text or (not text.startswith("import") and _same(text, entry)):
            return f"added by {file} (line {number}: {text!r})"
    intro = facts.intro
    cfg = facts.cfg or {}
    if (
        intro is not None
        and _under(entry, intro.base_prefix)
        and cfg.get("include-system-site-packages", "").lower() == "true"
    ):
        return "added by site.py because pyvenv.cfg has include-system-site-packages = true"
    if facts.cfg is None:
        return "added by site.py: without pyvenv.cfg the interpreter is not in a venv"
    if _same(entry, facts.user_site_dir):
        return "the user site (PYTHONUSERBASE), added by site.py because ENABLE_USER_SITE is on"
    return "origin unknown (not named by any .pth file in the site-packages on sys.path)"


def _same(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _under(path: str, root: str) -> bool:
    if not path or not root:
        return False
    for p, r in ((os.path.abspath(path), os.path.abspath(root)), (_real(path), _real(root))):
        try:
            if os.path.commonpath([p, r]) == r:
                return True
        except ValueError:
            continue
    return False


def _real(path: str) -> str:
    return os.path.realpath(path)


def _is_site_dir(entry: str) -> bool:
    base = os.path.basename(os.path.normpath(entry))
    return base in {"site-packages", "dist-packages"}


def _stdlib_dirs(intro: Introspection) -> list[str]:
    """sys.path entries that are the base's stdlib (under base_prefix, not site dirs)."""
    return [
        entry
        for entry in intro.path
        if entry and _under(entry, intro.base_prefix) and not _is_site_dir(entry)
    ]


def _path_listing(intro: Introspection) -> str:
    return "sys.path: " + "\n              ".join(
        f"[{i}] {entry!r}" for i, entry in enumerate(intro.path)
    )


def _cfg_violations(facts: _Facts) -> list[Violation]:
    if facts.cfg_error is not None:
        return [
            Violation(
                "CFG-1",
                "the environment has a pyvenv.cfg",
                f"a file at {os.fspath(facts.env.path / 'pyvenv.cfg')}",
                facts.cfg_error,
            )
        ]
    return []


def _prefix_violations(facts: _Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    found: list[Violation] = []
    if not intro.is_venv:
        found.append(
            Violation(
                "PFX-1",
                "sys.prefix != sys.base_prefix inside the environment",
                f"sys.prefix == {os.fspath(facts.env.path)!r}",
                f"sys.prefix == sys.base_prefix == {intro.prefix!r}",
                ("the interpreter does not see a venv; is pyvenv.cfg missing or unreadable?",),
            )
        )
    elif not _same(intro.prefix, os.fspath(facts.env.path)):
        found.append(
            Violation(
                "PFX-2",
                "sys.prefix is the environment's directory",
                repr(os.fspath(facts.env.path)),
                repr(intro.prefix),
            )
        )
    return found


# --- SITE-2: the stdlib comes from the base ----------------------------------------------------


def _stdlib_violations(facts: _Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    found: list[Violation] = []
    for module, file in sorted(intro.module_files.items()):
        if file is None or _under(file, intro.base_prefix):
            continue
        entry = _providing_entry(intro, file)
        found.append(
            Violation(
                "SITE-2",
                f"stdlib module {module!r} loads from under sys.base_prefix",
                f"a file under {intro.base_prefix!r}",
                f"{file!r}",
                (
                    f"from sys.path entry {entry!r}: {_origin(facts, entry)}"
                    if entry
                    else "no sys.path entry holds it",
                    _path_listing(intro),
                ),
            )
        )
    stdlib = _stdlib_dirs(intro)
    if not stdlib:
        found.append(
            Violation(
                "SITE-2",
                "the base stdlib directories are on sys.path",
                f"entries under sys.base_prefix {intro.base_prefix!r}",
                "none",
                (_path_listing(intro),),
            )
        )
        return found
    last_stdlib = max(intro.path.index(entry) for entry in stdlib)
    stdlib_names = _stdlib_names(stdlib)
    for index, entry in enumerate(intro.path[:last_stdlib]):
        if not entry or entry in stdlib:
            continue
        where = f"sys.path[{index}] = {entry!r}: {_origin(facts, entry)}"
        if _is_site_dir(entry):
            found.append(
                Violation(
                    "SITE-2",
                    "every stdlib entry comes before every site-packages on sys.path",
                    f"site-packages after the last stdlib entry (sys.path[{last_stdlib}])",
                    where,
                    (_path_listing(intro),),
                )
            )
            continue
        shadows = sorted(stdlib_names & _top_level_names(entry))
        if shadows:
            found.append(
                Violation(
                    "SITE-2",
                    "no sys.path entry ahead of the stdlib can shadow a stdlib module",
                    "no stdlib module names in entries before the stdlib",
                    f"{where} holds {', '.join(shadows)}",
                    (_path_listing(intro),),
                )
            )
    return found


def _providing_entry(intro: Introspection, file: str) -> str | None:
    best = None
    for entry in intro.path:
        if entry and _under(file, entry) and (best is None or len(entry) > len(best)):
            best = entry
    return best


def _top_level_names(directory: str) -> set[str]:
    names: set[str] = set()
    try:
        children = os.listdir(directory)
    except OSError:
        return names
    for child in children:
        stem, ext = os.path.splitext(child)
        if ext in {".py", ".pyc"} or (ext == ".so" and "." in stem):
            names.add(stem.split(".")[0])
        elif not ext and os.path.isfile(os.path.join(directory, child, "__init__.py")):
            names.add(child)
    return names


def _stdlib_names(stdlib_dirs: list[str]) -> set[str]:
    names: set[str] = set()
    for directory in stdlib_dirs:
        names |= _top_level_names(directory)
    names.discard("__future__")
    names |= set(getattr(sys, "stdlib_module_names", ()))
    return names - {"__main__", "this", "antigravity"}


# --- SITE-1 / SITE-3: site-packages --------------------------------------------------------------


def _own_site_violations(facts: _Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    env = facts.env
    found: list[Violation] = []
    own = os.fspath(env.site_packages)
    if not any(_same(own, entry) for entry in intro.path):
        found.append(
            Violation(
                "SITE-1",
                "the environment's site-packages is on sys.path",
                repr(own),
                "absent",
                (_path_listing(intro),),
            )
        )
    for site_dir in intro.site_packages:
        if _under(site_dir, intro.base_prefix) and not _under(site_dir, intro.prefix):
            continue  # base site dirs are judged by the isolation checks
        if not _under(site_dir, intro.prefix):
            found.append(
                Violation(
                    "SCH-2",
                    "the environment's site-packages lie under sys.prefix",
                    f"under {intro.prefix!r}",
                    repr(site_dir),
                )
            )
    return found


def _base_site_entries(intro: Introspection) -> list[tuple[int, str]]:
    return [
        (index, entry)
        for index, entry in enumerate(intro.path)
        if _is_site_dir(entry)
        and _under(entry, intro.base_prefix)
        and not _under(entry, intro.prefix)
    ]


def _isolation_violations(facts: _Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    found: list[Violation] = []
    cfg = facts.cfg or {}
    if facts.cfg is not None and cfg.get("include-system-site-packages", "").lower() == "true":
        found.append(
            Violation(
                "CFG-3",
                "pyvenv.cfg of an isolated environment keeps the system site-packages out",
                "include-system-site-packages = false",
                f"include-system-site-packages = {cfg['include-system-site-packages']}",
            )
        )
    for index, entry in _base_site_entries(intro):
        found.append(
            Violation(
                "SITE-1",
                "an isolated environment has no base site-packages on sys.path",
                f"no site-packages under sys.base_prefix {intro.base_prefix!r}",
                f"sys.path[{index}] = {entry!r}: {_origin(facts, entry)}",
                (_path_listing(intro),),
            )
        )
    for index, entry in enumerate(intro.path):
        if _same(entry, facts.user_site_dir):
            found.append(
                Violation(
                    "SITE-1",
                    "an isolated environment has no user site-packages on sys.path",
                    "the user site absent (PEP 370)",
                    f"sys.path[{index}] = {entry!r}: {_origin(facts, entry)}",
                )
            )
    if intro.enable_user_site:
        found.append(
            Violation(
                "SITE-1",
                "an isolated environment turns the user site off",
                "site.ENABLE_USER_SITE is False",
                f"site.ENABLE_USER_SITE is {intro.enable_user_site!r}",
            )
        )
    return found


def _system_site_violations(facts: _Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    own = os.fspath(facts.env.site_packages)
    own_index = next((i for i, e in enumerate(intro.path) if _same(e, own)), None)
    base_entries = _base_site_entries(intro)
    if not base_entries:
        cfg_value = (facts.cfg or {}).get("include-system-site-packages", "(missing)")
        return [
            Violation(
                "SITE-3",
                "an environment with system site-packages sees the base site-packages",
                f"a site-packages under sys.base_prefix {intro.base_prefix!r} on sys.path",
                f"none (pyvenv.cfg: include-system-site-packages = {cfg_value})",
                (_path_listing(intro),),
            )
        ]
    found: list[Violation] = []
    for index, entry in base_entries:
        if own_index is None or index < own_index:
            found.append(
                Violation(
                    "SITE-3",
                    "the base site-packages come after the environment's own",
                    f"after sys.path[{own_index}] = {own!r}",
                    f"sys.path[{index}] = {entry!r}: {_origin(facts, entry)}",
                    (_path_listing(intro),),
                )
            )
    return found


def _documented(env: Venv) -> dict[str, str]:
    if env.spec is None:
        return {}
    try:
        return dict(get_creator(env.spec.creator).documented_differences)
    except VenvlabError:
        return {}


def _is_documented(documented: dict[str, str], req_id: str, shell: str | None) -> bool:
    """Whether the creator documents a difference for ``req_id`` (in every shell, or with a
    ``REQ:shell`` key such as ``ACT-3:dash``, in this one)."""
    return req_id in documented or (shell is not None and f"{req_id}:{shell}" in documented)


def _drop_documented(
    env: Venv, violations: list[Violation], shell: str | None = None
) -> list[Violation]:
    documented = _documented(env)
    return [
        v
        for v in violations
        if v.req_id in {"ACT-3", "ACT-4"} or not _is_documented(documented, v.req_id, shell)
    ]


def isolation_violations(env: Venv) -> list[Violation]:
    """Everything :func:`assert_isolated` would report, as data (empty when all hold)."""
    facts = _gather(env)
    found = _cfg_violations(facts) + _prefix_violations(facts)
    found += _stdlib_violations(facts) + _own_site_violations(facts)
    if facts.claims_isolated:
        found += _isolation_violations(facts)
    else:
        found += _system_site_violations(facts)
    return _drop_documented(env, found)


def assert_stdlib_from_base(env: Venv) -> None:
    """The stdlib loads from under ``sys.base_prefix``; its entries on sys.path lie under the base,
    ahead of every site-packages, and nothing ahead of them shadows a stdlib module (SITE-2)."""
    __tracebackhide__ = True
    facts = _gather(env)
    violations = _drop_documented(env, _prefix_violations(facts) + _stdlib_violations(facts))
    assert not violations, _report(env, "assert_stdlib_from_base", violations)


def assert_site_packages_in_prefix(env: Venv) -> None:
    """The env's site-packages lie under ``sys.prefix`` and are on sys.path; for an isolated env,
    no base or user site-packages is on sys.path and the user site is off (CFG-1, PFX-1, SITE-1).
    """
    __tracebackhide__ = True
    facts = _gather(env)
    found = _cfg_violations(facts) + _prefix_violations(facts) + _own_site_violations(facts)
    if facts.claims_isolated:
        found += _isolation_violations(facts)
    violations = _drop_documented(env, found)
    assert not violations, _report(env, "assert_site_packages_in_prefix", violations)


def assert_system_site_packages(env: Venv) -> None:
    """For an env made with system site-packages: the base site-packages are on sys.path, after
    the env's own (SITE-3)."""
    __tracebackhide__ = True
    facts = _gather(env)
    found = _cfg_violations(facts) + _prefix_violations(facts) + _system_site_violations(facts)
    violations = _drop_documented(env, found)
    assert not violations, _report(env, "assert_system_site_packages", violations)


def assert_isolated(env: Venv) -> None:
    """All of the above that apply to the env's spec, reported together: pyvenv.cfg present, the
    stdlib from the base, the env's site-packages, and either isolation (no base or user site) or
    the base site-packages after the env's own."""
    __tracebackhide__ = True
    violations = isolation_violations(env)
    assert not violations, _report(env, "assert_isolated", violations)


# --- activation ---------------------------------------------------------------------------------


def _expected_label(env: Venv) -> str:
    """The prompt text ``P`` activation shows: the spec's prompt, pyvenv.cfg's, or the dir name."""
    if env.spec is not None and env.spec.prompt is not None:
        return env.spec.prompt
    if env.spec is None:
        try:
            raw = read_pyvenv_cfg(env.path).get("prompt")
        except (OSError, VenvlabError):
            raw = None
        if raw:
            if raw[:1] in {"'", '"'} and raw[-1:] == raw[:1]:
                try:
                    value = ast.literal_eval(raw)
                except (ValueError, SyntaxError):
                    return raw[1:-1]
                return value if isinstance(value, str) else raw
            return raw
    return env.path.name


def expected_virtual_env_prompt(env: Venv, *, prompt_disabled: bool = False) -> str | None:
    """``VIRTUAL_ENV_PROMPT`` as the env's creator and Python version define it (ACT-4).

    CPython: unset on 3.8-3.9; ``"(P) "`` on 3.10-3.12, and unset when the prompt is disabled;
    ``"P"`` on 3.13+, always. A creator that documents ``ACT-4`` (virtualenv, uv): ``"P"``,
    always. ``None`` means unset.
    """
    label = _expected_label(env)
    if "ACT-4" in _documented(env):
        return label
    version = _version(env)
    if version < (3, 10):
        return None
    if version < (3, 13):
        return None if prompt_disabled else f"({label}) "
    return label


def _shown_prompt_ok(state: ShellState, expected: str) -> bool:
    """The prompt shows ``expected``: as drawn, as written, or as written with the shell's own
    escapes (virtualenv backslash-escapes ``$``, backquotes and backslashes for bash)."""
    candidates = {state.prompt, state.prompt_raw}
    if state.prompt_raw is not None:
        candidates.add(_unescape_bash(state.prompt_raw))
    return expected in candidates


def _unescape_bash(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text.startswith("\\\\\\\\", i):
            out.append("\\")
            i += 4
        elif text[i] == "\\" and i + 1 < len(text) and text[i + 1] in "$`":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _activation_violations(
    env: Venv, obs: ActivationObservation, family: str, version: tuple[int, int]
) -> list[Violation]:
    found: list[Violation] = []
    env_path = os.fspath(env.path)
    bin_dir = os.fspath(env.bin_dir)
    label = _expected_label(env)
    documented = _documented(env)
    before = obs.before
    if not obs.completed or obs.returncode != 0:
        found.append(
            Violation(
                "ACT-1",
                "the activate script runs in the shell",
                "every step runs, exit 0",
                f"exit {obs.returncode}; reached {', '.join(obs.phases) or 'nothing'} of "
                f"{', '.join(obs.planned)}",
                (f"stderr: {obs.stderr.strip()[-1500:]!r}",),
            )
        )
    if before is None:
        return found
    old_path = before.path or ""
    expected_path = bin_dir + os.pathsep + old_path if old_path else bin_dir
    for name in ("activated", "again", "reactivated"):
        state = obs.get(name)
        if state is None:
            continue
        if state.status != 0:
            found.append(
                Violation(
                    "ACT-1",
                    f"sourcing the activate script succeeds ({name})",
                    "exit status 0",
                    f"exit status {state.status}",
                    (f"stderr: {state.stderr.strip()[-1500:]!r}",),
                )
            )
        if state.virtual_env != env_path or not state.virtual_env_exported:
            found.append(
                Violation(
                    "ACT-1",
                    f"VIRTUAL_ENV is the env's absolute path and exported ({name})",
                    f"{env_path!r}, exported",
                    f"{state.virtual_env!r}, "
                    + ("exported" if state.virtual_env_exported else "unexported"),
                )
            )
        if state.path != expected_path:
            count = sum(1 for e in state.path_entries if _same(e, bin_dir))
            found.append(
                Violation(
                    "ACT-2",
                    f"PATH gets the env's bin dir prepended exactly once ({name})",
                    f"PATH = {expected_path!r}",
                    f"PATH = {state.path!r} (bin dir appears {count} times)",
                    (f"PATH before: {old_path!r}",),
                )
            )
        if state.python is None or not _same(state.python, os.fspath(env.python)):
            found.append(
                Violation(
                    "CLI-7",
                    f"`python` resolves to the env's interpreter ({name})",
                    repr(os.fspath(env.python)),
                    repr(state.python),
                )
            )
        if family != "csh" and state.pythonhome is not None:
            found.append(
                Violation(
                    "ACT-6",
                    f"PYTHONHOME is unset while the env is active ({name})",
                    "unset",
                    repr(state.pythonhome),
                    (f"PYTHONHOME before: {before.pythonhome!r}",),
                )
            )
        found += _prompt_violations(
            env,
            state,
            before=before,
            family=family,
            shell=obs.shell,
            version=version,
            label=label,
            documented=documented,
            name=name,
        )
    for name in ("nondestructive", "deactivated"):
        state = obs.get(name)
        if state is None:
            continue
        req = "ACT-8" if name == "nondestructive" else "ACT-7"
        restored = [
            ("PATH", before.path, state.path),
            ("the prompt", before.prompt, state.prompt),
            ("PYTHONHOME", before.pythonhome, state.pythonhome),
            ("VIRTUAL_ENV", None, state.virtual_env),
            ("VIRTUAL_ENV_PROMPT", None, state.virtual_env_prompt),
        ]
        for what, want, got in restored:
            if want != got:
                found.append(
                    Violation(
                        req,
                        f"`{state.action}` restores {what} byte for byte",
                        f"{what} = {want!r}",
                        f"{what} = {got!r}",
                        (f"PATH before: {before.path!r}", f"PATH after:  {state.path!r}"),
                    )
                )
        if state.leftovers:
            found.append(
                Violation(
                    req,
                    f"`{state.action}` leaves no _OLD_VIRTUAL_* variables",
                    "none",
                    ", ".join(state.leftovers),
                )
            )
        keeps = name == "nondestructive"
        if state.deactivate_defined != keeps:
            found.append(
                Violation(
                    req,
                    "`deactivate nondestructive` keeps the deactivate function"
                    if keeps
                    else "`deactivate` removes itself from the shell's function table",
                    f"deactivate {'defined' if keeps else 'gone'} (asked of the shell itself)",
                    f"deactivate {'defined' if state.deactivate_defined else 'gone'}",
                )
            )
    return found


def _prompt_violations(
    env: Venv,
    state: ShellState,
    *,
    before: ShellState,
    family: str,
    version: tuple[int, int],
    label: str,
    documented: dict[str, str],
    name: str,
    shell: str,
) -> list[Violation]:
    found: list[Violation] = []
    template = "[{}] " if family == "csh" and version < (3, 9) else "({}) "
    old = before.prompt or ""
    expected = template.format(label) + old
    if not _shown_prompt_ok(state, expected) and not (
        _is_documented(documented, "ACT-3", shell) and state.prompt == before.prompt
    ):
        found.append(
            Violation(
                "ACT-3",
                f"the prompt shows the env's prompt ({name})",
                repr(expected),
                f"{state.prompt!r} (unexpanded: {state.prompt_raw!r})",
            )
        )
    want = expected_virtual_env_prompt(env)
    if state.virtual_env_prompt != want:
        injected = any(c in label for c in "$`\\\"'") and want is not None
        found.append(
            Violation(
                "ACT-11" if injected else "ACT-4",
                (
                    f"a prompt with shell syntax stays literal in VIRTUAL_ENV_PROMPT ({name}); "
                    "see CVE-2024-9287"
                )
                if injected
                else f"VIRTUAL_ENV_PROMPT as the creator and Python {version[0]}.{version[1]} "
                f"define it ({name})",
                repr(want) + (" (unset)" if want is None else ""),
                repr(state.virtual_env_prompt),
            )
        )
    return found


def _disabled_violations(env: Venv, obs: ActivationObservation) -> list[Violation]:
    found: list[Violation] = []
    before, active = obs.before, obs.activated
    if before is None or active is None:
        return found
    if active.prompt != before.prompt:
        found.append(
            Violation(
                "ACT-5",
                "VIRTUAL_ENV_DISABLE_PROMPT=1 leaves the prompt unchanged",
                repr(before.prompt),
                repr(active.prompt),
            )
        )
    want = expected_virtual_env_prompt(env, prompt_disabled=True)
    if active.virtual_env_prompt != want:
        found.append(
            Violation(
                "ACT-4",
                "VIRTUAL_ENV_PROMPT with the prompt disabled, as the creator and Python define it",
                repr(want),
                repr(active.virtual_env_prompt),
            )
        )
    return found


def _strict_mode_violations(obs: ActivationObservation) -> list[Violation]:
    printed = (obs.stdout + obs.stderr).strip()
    if obs.returncode == 0 and obs.completed and not printed:
        return []
    return [
        Violation(
            "ACT-10",
            "`set -euo pipefail; source activate; deactivate` prints nothing and exits 0",
            "exit 0, no output",
            f"exit {obs.returncode}, reached {', '.join(obs.phases)}; output {printed[-1500:]!r}",
        )
    ]


def assert_activation(
    env: Venv,
    shell: str = "bash",
    *,
    other_env: Venv | None = None,
    strict: bool | None = None,
) -> ActivationObservation:
    """Activate ``env`` in the real ``shell`` and check what it did.

    Before activation, after it (once and twice, and after ``other_env`` if given) and after
    ``deactivate`` / ``deactivate nondestructive``: PATH gets the bin dir prepended exactly once
    (ACT-2); ``VIRTUAL_ENV`` is the env's path, exported (ACT-1); the prompt shows the env's
    prompt (ACT-3) unless ``VIRTUAL_ENV_DISABLE_PROMPT`` is set (ACT-5); ``VIRTUAL_ENV_PROMPT``
    is what the creator and Python version define (ACT-4), literal even for a prompt with shell
    syntax (ACT-11); ``PYTHONHOME`` is unset while active and restored after (ACT-6; not in csh,
    where CPython leaves it); ``python`` resolves to the env's; ``deactivate`` restores PATH, the
    prompt and PYTHONHOME byte for byte and removes itself (ACT-7), ``deactivate nondestructive``
    keeps it (ACT-8); in bash, ``set -euo pipefail`` prints nothing (ACT-10).

    A shell that is not installed skips the test, naming it; with ``strict`` (default: the
    session's ``--venv-strict`` / ``venv_strict`` setting, on when ``CI`` is set) it fails.
    Returns the main observation.
    """
    __tracebackhide__ = True
    name = canonical_shell_name(shell)
    try:
        info, _ = find_shell(name)
    except ShellNotFoundError as exc:
        if _strict_default() if strict is None else strict:
            pytest.fail(f"{exc} (strict mode: missing shells fail)", pytrace=False)
        pytest.skip(str(exc))
    version = _version(env)
    obs = observe_activation(
        env,
        name,
        pythonhome=SENTINEL_PYTHONHOME,
        activate_twice=True,
        other_env=other_env,
    )
    violations = _activation_violations(env, obs, info.family, version)
    if other_env is not None:
        violations += _other_env_violations(env, other_env, obs)
    disabled = observe_activation(env, name, prompt_disabled=True, nondestructive=False)
    violations += _disabled_violations(env, disabled)
    if name == "bash":
        strict_obs = observe_activation(
            env, name, strict_mode=True, nondestructive=False, trace_hash=False
        )
        violations += _strict_mode_violations(strict_obs)
    violations = _drop_documented(env, violations, name)
    assert not violations, (
        _report(env, f"assert_activation (shell {name})", violations) + "\n" + obs.describe()
    )
    return obs


def _other_env_violations(
    env: Venv, other_env: Venv, obs: ActivationObservation
) -> list[Violation]:
    state, before = obs.other, obs.before
    if state is None or before is None:
        return []
    other_bin = os.fspath(other_env.bin_dir)
    expected = other_bin + os.pathsep + (before.path or "")
    if state.path == expected and state.virtual_env == os.fspath(other_env.path):
        return []
    return [
        Violation(
            "ACT-2",
            "activating one env after another leaves exactly one env bin dir on PATH",
            f"PATH = {expected!r}, VIRTUAL_ENV = {os.fspath(other_env.path)!r}",
            f"PATH = {state.path!r}, VIRTUAL_ENV = {state.virtual_env!r}",
            (f"PATH before: {before.path!r}", f"first env's bin dir: {os.fspath(env.bin_dir)!r}"),
        )
    ]
