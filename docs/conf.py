"""Sphinx configuration for the pytest-venvlab documentation."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

project = "pytest-venvlab"
author = "pytest-venvlab developers"
copyright = "2026, pytest-venvlab developers"

try:
    from importlib.metadata import version as _version

    release = _version("pytest-venvlab")
except Exception:  # not installed: build from the source tree anyway
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

# Offline builds: no intersphinx. References to the standard library and pytest therefore
# cannot resolve; they are listed in nitpick_ignore_regex instead of being silenced wholesale.
nitpicky = True
nitpick_ignore_regex = [
    # Standard library, typing and third-party types that appear in signatures.
    (r"py:.*", r"(os|pathlib|subprocess|collections\.abc|typing|typing_extensions|abc)\..*"),
    (r"py:.*", r"(pytest|_pytest|pluggy|packaging|filelock|virtualenv)(\..*)?"),
    (r"py:.*", r"(Path|PathLike|Callable|Mapping|Sequence|Iterable|Iterator|Any|ClassVar)"),
    (r"py:.*", r"(Final|Literal|Self|TypeAlias|NamedTuple|Enum|IO|TextIO)"),
    (r"py:class", r"(str|int|float|bool|bytes|dict|list|tuple|set|frozenset|object|type|None)"),
    (r"py:class", r"(CompletedProcess|StashKey|Config|Item|Parser|FixtureRequest|Pytester)"),
    (r"py:class", r"(datetime\..*|enum\..*|dataclasses\..*|re\..*|threading\..*)"),
    (r"py:class", r"(CreatorFactory|T|_T|P)"),
    (r"py:class", r"(NoneType|ellipsis|EllipsisType)"),
    (r"py:(exc|class)", r"(Exception|RuntimeError|ValueError|OSError|KeyError|TypeError)"),
]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_preserve_defaults = True

default_role = "py:obj"
primary_domain = "py"
suppress_warnings: list[str] = []

templates_path: list[str] = []
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

html_theme = "furo"
html_title = "pytest-venvlab"


def _resolve_public_name(app, env, node, contnode):  # type: ignore[no-untyped-def]
    """Resolve ``pytest_venvlab.sub.module.Name`` (type hints) and short names in docstrings
    (``Interpreter.venv_paths``) to the page that documents them, usually as the public
    ``pytest_venvlab.Name``."""
    from sphinx.util.nodes import make_refnode

    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if target.startswith("pytest_venvlab."):
        suffix = target.rsplit(".", 1)[-1]
    elif target and target[0].isalpha():
        suffix = target
    else:
        return None
    objects = env.get_domain("py").objects
    matches = sorted(
        name
        for name in objects
        if name.startswith("pytest_venvlab.") and name.endswith(f".{suffix}")
    )
    preferred = f"pytest_venvlab.{suffix}"
    name = preferred if preferred in objects else (matches[0] if len(matches) == 1 else None)
    if name is None:
        return None
    entry = objects[name]
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, name)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("missing-reference", _resolve_public_name)
