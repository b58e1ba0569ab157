"""``@pytest.mark.venv(**fields)``: the spec a test's ``venv`` fixture uses."""

from __future__ import annotations

from typing import Any

import pytest

from .errors import SpecError
from .spec import SPEC_FIELDS, VenvSpec

__all__ = ["MARKER", "spec_from_node"]

MARKER = "venv"


def spec_from_node(node: pytest.Item | pytest.Collector, base: VenvSpec) -> VenvSpec:
    """``base`` updated with every ``venv`` marker on the node: module < class < function,
    the closest marker winning for each field it sets.

    A marker with positional arguments or an unknown field raises
    :class:`~pytest_venvlab.SpecError` naming where it is.
    """
    markers = list(node.iter_markers(MARKER))  # closest first
    fields: dict[str, Any] = {}
    for marker in reversed(markers):
        where = f"@pytest.mark.{MARKER} on {node.nodeid}"
        if marker.args:
            raise SpecError(
                f"{where}: takes keyword fields only, got positional {marker.args!r}; "
                f"accepted: {', '.join(SPEC_FIELDS)}"
            )
        unknown = sorted(set(marker.kwargs) - set(SPEC_FIELDS))
        if unknown:
            raise SpecError(
                f"{where}: unknown spec field {unknown[0]!r}; accepted: {', '.join(SPEC_FIELDS)}"
            )
        fields.update(marker.kwargs)
    if not fields:
        return base
    try:
        return base.replace(**fields)
    except SpecError as exc:
        raise SpecError(f"@pytest.mark.{MARKER} on {node.nodeid}: {exc}") from None
