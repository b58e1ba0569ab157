"""``venv``: the standard library's venv module, run by the target interpreter itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from .base import Capabilities
from .command import CommandCreator

if TYPE_CHECKING:
    from ..interpreters import Interpreter

__all__ = ["StdlibVenvCreator"]


class StdlibVenvCreator(CommandCreator):
    """``{python} -m venv``: CPython's own creator, the reference every other one is held to."""

    follows_cpython: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__("{python} -m venv")
        self.name = "venv"

    def version(self) -> str:
        # The venv module ships with the interpreter, whose identity is already in the key.
        return "stdlib"

    def capabilities(self, interpreter: Interpreter) -> Capabilities:
        return Capabilities(with_pip=interpreter.has_ensurepip)
