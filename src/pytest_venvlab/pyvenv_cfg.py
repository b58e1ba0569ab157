"""Reading ``pyvenv.cfg`` the way CPython's ``site.py`` and ``getpath`` do."""

from __future__ import annotations

from pathlib import Path

__all__ = ["parse_pyvenv_cfg", "read_pyvenv_cfg"]


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """Split each line at its first ``=``; keys stripped and lower-cased, values stripped.

    Lines without ``=`` are ignored; there are no sections and no comments (PEP 405, CFG-8).
    A later duplicate key wins, as in ``site.py``.
    """
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip().lower()] = value.strip()
    return values


def read_pyvenv_cfg(root: Path) -> dict[str, str]:
    """The parsed ``pyvenv.cfg`` of the environment at ``root`` (empty if there is none)."""
    try:
        text = (root / "pyvenv.cfg").read_text("utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return {}
    return parse_pyvenv_cfg(text)
