"""The bundled PEP 405 conformance suite, run by ``pytest --venv-conformance``.

The suite's test modules (``test_*.py`` in this package) are collected only in conformance mode;
:mod:`.session` builds the environments, parametrizes every check over creator x Python x
configuration and turns a failed CPython-specific check of a creator that does not follow CPython
into ``differs``. :mod:`pytest_venvlab.report` summarises the outcomes.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SUITE_DIR", "suite_files"]

#: Where the suite's test modules live (inside the installed package).
SUITE_DIR = Path(__file__).resolve().parent


def suite_files() -> list[Path]:
    """The suite's test modules, in a fixed order."""
    return sorted(SUITE_DIR.glob("test_*.py"))
