"""Errors that reach the user as one readable line (plus captured output where there is some)."""

from __future__ import annotations

__all__ = [
    "CommandError",
    "CreatorError",
    "CreatorUnavailableError",
    "InterpreterNotFoundError",
    "SpecError",
    "VenvlabError",
]


class VenvlabError(Exception):
    """Base of every error the plugin raises on purpose.

    The message is written for the person running the tests: it names the offending value and what
    would have been accepted. The pytest plugin shows it without a traceback.
    """


class SpecError(VenvlabError, ValueError):
    """A value given for an environment spec, option or marker is not acceptable."""


class InterpreterNotFoundError(VenvlabError, LookupError):
    """No interpreter on this machine matches a Python spec."""


class CreatorError(VenvlabError):
    """A creator ran but did not leave a working environment."""


class CreatorUnavailableError(VenvlabError):
    """A creator cannot run here (its tool is missing, or it cannot do what was asked)."""


class CommandError(VenvlabError):
    """A command run inside (or for) an environment exited non-zero."""

    def __init__(
        self, message: str, *, returncode: int, stdout: str = "", stderr: str = ""
    ) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    def __str__(self) -> str:
        parts = [super().__str__()]
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            tail = _tail(text)
            if tail:
                parts.append(f"--- {name} (last lines) ---\n{tail}")
        return "\n".join(parts)


def _tail(text: str, lines: int = 25) -> str:
    kept = text.rstrip().splitlines()[-lines:]
    return "\n".join(kept)
