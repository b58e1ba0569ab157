"""The plugin's command-line options and ini keys, in one group."""

from __future__ import annotations

import pytest

__all__ = ["add_options", "list_option", "split_list"]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("venvlab", "virtual environments (pytest-venvlab)")
    group.addoption(
        "--venv-creator",
        action="append",
        dest="venv_creator",
        default=[],
        metavar="NAME[,NAME...]",
        help="creator(s) to use: venv, virtualenv, uv, venvlab or cmd:TEMPLATE; the first is the "
        "default for fixtures, all are used by --venv-matrix and --venv-conformance "
        "(repeatable, comma-separated). ini: venv_creator",
    )
    group.addoption(
        "--venv-python",
        action="append",
        dest="venv_python",
        default=[],
        metavar="SPEC[,SPEC...]",
        help="base Python(s): 3.12, python3.12, cpython3.11, >=3.10 or a path; the first is the "
        "default for fixtures (repeatable, comma-separated). ini: venv_python",
    )
    group.addoption(
        "--venv-matrix",
        action="append",
        nargs="?",
        const="",
        dest="venv_matrix",
        default=None,
        metavar="AXES",
        help="run each test that uses the venv fixture once per point of creator x Python x "
        "layout x site x pip; AXES narrows the axes: AXIS=VALUE[+VALUE],... with layout "
        "(symlinks, copies), site (isolated, system), pip (pip, nopip), e.g. "
        "--venv-matrix=layout=copies,pip=nopip. ini: venv_matrix, venv_matrix_axes",
    )
    group.addoption(
        "--no-venv-matrix",
        action="store_true",
        dest="venv_no_matrix",
        default=False,
        help="run tests once with the default spec even if the ini key venv_matrix is set",
    )
    group.addoption(
        "--venv-group",
        action="store_true",
        dest="venv_group",
        default=False,
        help="mark each matrix point's tests with xdist_group so '--dist loadgroup' keeps them "
        "on one worker. ini: venv_group",
    )
    group.addoption(
        "--venv-strict",
        action="store_true",
        dest="venv_strict",
        default=None,
        help="fail instead of skip when a shell, Python or creator asked for is missing "
        "(on by default when the CI environment variable is set). ini: venv_strict",
    )
    group.addoption(
        "--venv-conformance",
        action="store_true",
        dest="venv_conformance",
        default=False,
        help="run the bundled PEP 405 conformance suite (and nothing else) against the "
        "--venv-creator creators (default: every available built-in) and --venv-python Pythons "
        "(default: the running one)",
    )
    group.addoption(
        "--venv-report",
        dest="venv_report",
        default=None,
        metavar="PATH",
        help="write the conformance results to PATH: JSON, or a readable matrix if PATH ends "
        "in .md or .html",
    )
    group.addoption(
        "--venv-cache-dir",
        dest="venv_cache_dir",
        default=None,
        metavar="PATH",
        help="keep built environments in PATH across runs (validated before reuse; PATH must be "
        "yours and writable only by you); without it they last for one run. ini: venv_cache_dir",
    )
    group.addoption(
        "--venv-cache-clear",
        action="store_true",
        dest="venv_cache_clear",
        default=False,
        help="empty the --venv-cache-dir cache before the run starts",
    )
    parser.addini("venv_creator", "default creator(s) for fixtures, comma-separated", default="")
    parser.addini("venv_python", "default base Python(s) for fixtures, comma-separated", default="")
    parser.addini(
        "venv_cache_dir",
        "keep built environments here across runs (relative to the ini file's directory)",
        default="",
    )
    parser.addini(
        "venv_strict", "fail instead of skip on missing shells/Pythons", type="bool", default=False
    )
    parser.addini("venv_matrix", "run the --venv-matrix by default", type="bool", default=False)
    parser.addini(
        "venv_matrix_axes",
        "matrix axes to run, same syntax as the --venv-matrix value (which overrides it per axis)",
        default="",
    )
    parser.addini(
        "venv_group", "group matrix points for --dist loadgroup", type="bool", default=False
    )


def list_option(config: pytest.Config, name: str) -> list[str]:
    """A comma-separated, repeatable option, falling back to its ini key."""
    given: list[str] = config.getoption(name) or []
    if not given:
        ini = config.getini(name)
        given = [ini] if isinstance(ini, str) else list(ini)
    return [part for value in given for part in split_list(value)]


def split_list(value: str) -> list[str]:
    """Split at commas, except inside a ``cmd:`` template (which runs to the end of the value)."""
    parts: list[str] = []
    rest = value
    while rest:
        head, _, tail = rest.partition(",")
        if head.strip().startswith("cmd:"):
            parts.append(rest.strip())
            break
        if head.strip():
            parts.append(head.strip())
        rest = tail
    return parts
