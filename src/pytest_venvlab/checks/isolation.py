"""Isolation checks (CFG-1, CFG-3, PFX-1/2, SITE-1/2/3, SCH-2), measured from inside the env."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import VenvlabError
from ..handle import Venv
from ..introspection import INTROSPECT_SCRIPT, STDLIB_PROBE_MODULES, Introspection
from ..pyvenv_cfg import read_pyvenv_cfg
from .violation import Violation, drop_documented, env_version

__all__ = [
    "Facts",
    "cfg_violations",
    "gather",
    "isolated_site_violations",
    "isolation_violations",
    "own_site_violations",
    "prefix_violations",
    "same_path",
    "stdlib_violations",
    "system_site_violations",
]

# --- facts gathered from inside the environment ----------------------------------------------


@dataclass(frozen=True)
class Facts:
    env: Venv
    intro: Introspection | None
    cfg: dict[str, str] | None
    cfg_error: str | None
    claims_isolated: bool
    user_site_dir: str
    pth_lines: tuple[tuple[str, int, str], ...]

    @property
    def version(self) -> tuple[int, int]:
        return env_version(self.env, self.intro)


def gather(env: Venv) -> Facts:
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
    major, minor = env_version(env)
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
    return Facts(
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


def _origin(facts: Facts, entry: str) -> str:
    """Where a sys.path entry came from, as far as can be told from the outside."""
    for file, number, line in facts.pth_lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if entry in text or (not text.startswith("import") and same_path(text, entry)):
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
    if same_path(entry, facts.user_site_dir):
        return "the user site (PYTHONUSERBASE), added by site.py because ENABLE_USER_SITE is on"
    return "origin unknown (not named by any .pth file in the site-packages on sys.path)"


def same_path(a: str, b: str) -> bool:
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


def cfg_violations(facts: Facts) -> list[Violation]:
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


def prefix_violations(facts: Facts) -> list[Violation]:
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
    elif not same_path(intro.prefix, os.fspath(facts.env.path)):
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


def stdlib_violations(facts: Facts) -> list[Violation]:
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


def own_site_violations(facts: Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    env = facts.env
    found: list[Violation] = []
    own = os.fspath(env.site_packages)
    if not any(same_path(own, entry) for entry in intro.path):
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


def isolated_site_violations(facts: Facts) -> list[Violation]:
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
        if same_path(entry, facts.user_site_dir):
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


def system_site_violations(facts: Facts) -> list[Violation]:
    intro = facts.intro
    assert intro is not None
    own = os.fspath(facts.env.site_packages)
    own_index = next((i for i, e in enumerate(intro.path) if same_path(e, own)), None)
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


def isolation_violations(env: Venv) -> list[Violation]:
    """Everything :func:`assert_isolated` would report, as data (empty when all hold)."""
    facts = gather(env)
    found = cfg_violations(facts) + prefix_violations(facts)
    found += stdlib_violations(facts) + own_site_violations(facts)
    if facts.claims_isolated:
        found += isolated_site_violations(facts)
    else:
        found += system_site_violations(facts)
    return drop_documented(env, found)
