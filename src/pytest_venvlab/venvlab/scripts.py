"""Console scripts for packages venvlab installs itself (pip), written the way installers do.

A script starts with ``#!<env>/bin/python``. A kernel cannot run that line when the path holds
whitespace or is too long, so then the script starts with ``#!/bin/sh`` and a line that is both
shell (it re-executes the file with the environment's python) and a Python string literal.
"""

from __future__ import annotations

import re

from .activation.quoting import sh_quote

__all__ = ["console_script", "script_names", "shebang"]

#: Linux reads at most this many bytes of a ``#!`` line (BINPRM_BUF_SIZE was 128 before 5.1).
MAX_SHEBANG = 127

_PIP_NAME = re.compile(r"pip(\d+(\.\d+)?)?$")
_EASY_INSTALL_NAME = re.compile(r"easy_install(-\d+\.\d+)?$")


def _needs_trampoline(python: str) -> bool:
    line = "#!" + python
    return len(line.encode("utf-8")) > MAX_SHEBANG or any(
        c.isspace() or not c.isprintable() for c in python
    )


def _trampoline_word(python: str) -> str:
    """``python`` as one sh word that is also harmless inside a Python ``'''`` string: each
    backslash is written outside the sh quotes as ``\\\\``, which both languages read as one
    backslash; :func:`sh_quote` never produces three quotes in a row."""
    return "\\\\".join(sh_quote(part) for part in python.split("\\"))


def shebang(python: str) -> str:
    """The first line(s) of a script run by ``python``."""
    if not _needs_trampoline(python):
        return f"#!{python}\n"
    return f"#!/bin/sh\n'''exec' {_trampoline_word(python)} \"$0\" \"$@\"\n' '''\n"


def script_names(names: list[str], version: tuple[int, int]) -> list[str]:
    """The script names an installer writes for a wheel's console scripts on ``version``.

    Wheels built by pip record ``pipX.Y`` for the Python that built them, so installers drop the
    versioned names and write ``pip``, ``pipX`` and ``pipX.Y`` for the target Python instead
    (the same for setuptools' old ``easy_install-X.Y``).
    """
    result: list[str] = []
    major, minor = version
    for name in names:
        if _PIP_NAME.match(name):
            if name == "pip":
                result.extend(["pip", f"pip{major}", f"pip{major}.{minor}"])
            continue
        if _EASY_INSTALL_NAME.match(name):
            if name == "easy_install":
                result.extend(["easy_install", f"easy_install-{major}.{minor}"])
            continue
        result.append(name)
    return list(dict.fromkeys(result))


def console_script(python: str, target: str, name: str) -> str:
    """A console script ``name`` that calls ``module:attr`` (``target``) with ``python``."""
    module, _, attr = target.partition(":")
    module = module.strip()
    attr = attr.strip() or "main"
    head = attr.split(".")[0]
    return (
        f"{shebang(python)}"
        f"# {name}: console script written by venvlab (pytest-venvlab).\n"
        "import sys\n"
        f"from {module} import {head}\n"
        "\n"
        'if __name__ == "__main__":\n'
        f"    sys.exit({attr}())\n"
    )
