"""Asks pytest to rewrite the asserts in the assertion helpers.

Imported first by ``pytest_venvlab/__init__.py``, before :mod:`pytest_venvlab.assertions`: the
pytest11 entry point alone does not cover modules of an editable install.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("pytest_venvlab.assertions")
