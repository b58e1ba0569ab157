"""``python -m pytest_venvlab.create`` (console script ``venvlab``): the venvlab creator from the
command line, with ``python -m venv``'s flags, so it can be used and timed outside pytest.

Exit status: 0 on success, 2 for bad input (one line on stderr naming the value and what is
accepted), 1 when creating failed for another reason (also one line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["main"]

PROG = "venvlab"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Create virtual environments the way CPython's venv does, for any "
        "CPython 3.8+ on this machine, without starting that interpreter.",
    )
    parser.add_argument("dest", nargs="+", metavar="DEST", help="environment directory")
    parser.add_argument(
        "--python",
        default="current",
        metavar="SPEC",
        help="base interpreter: a version such as 3.12, a specifier such as '>=3.10', an "
        "absolute path, or 'current' (the default: the Python running this command)",
    )
    links = parser.add_mutually_exclusive_group()
    links.add_argument(
        "--symlinks",
        dest="symlinks",
        action="store_true",
        default=True,
        help="symlink the interpreter (the default)",
    )
    links.add_argument(
        "--copies", dest="symlinks", action="store_false", help="copy the interpreter"
    )
    parser.add_argument(
        "--system-site-packages",
        action="store_true",
        help="let the environment see the base interpreter's site-packages",
    )
    parser.add_argument(
        "--without-pip", dest="pip", action="store_false", help="do not install pip"
    )
    parser.add_argument(
        "--prompt",
        default=None,
        help="the prompt shown while the environment is active ('.' means the name of the "
        "current directory on Python 3.9+)",
    )
    return parser


def _fail(message: str, status: int) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        args = _parser().parse_args(argv)
    except _UsageError as exc:
        return _fail(f"{exc} (see '{PROG} --help')", 2)
    from .errors import CreatorError, SpecError, VenvlabError
    from .interpreters import find_interpreter
    from .venvlab.builder import Options, create_environment

    prompt: str | None = args.prompt
    if prompt is not None and any(c in prompt for c in "\n\r\0"):
        return _fail(
            f"--prompt {prompt!r} is not accepted; accepted: one line of text without newlines",
            2,
        )
    try:
        interpreter = find_interpreter(args.python)
        if not interpreter.is_cpython:
            raise SpecError(
                f"--python {args.python!r} found {interpreter.implementation}, but venvlab "
                "creates environments for CPython only"
            )
        options = Options(
            symlinks=args.symlinks,
            system_site_packages=args.system_site_packages,
            pip=args.pip,
            prompt=prompt,
        )
        for dest in args.dest:
            create_environment(interpreter, dest, options)
    except CreatorError as exc:
        return _fail(str(exc).splitlines()[0], 1)
    except VenvlabError as exc:
        return _fail(str(exc).splitlines()[0], 2)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"could not create the environment: {exc.strerror or exc}{where}", 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
