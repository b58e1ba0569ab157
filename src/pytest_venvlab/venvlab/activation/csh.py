"""``bin/activate.csh`` for csh and tcsh."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quoting import csh_prompt, csh_quote
from .template import fill

if TYPE_CHECKING:
    from . import ActivationContext

__all__ = ["render_csh"]

# csh aliases must be one line; these are its commands, joined with "; ".
_DEACTIVATE = (
    'test $?_OLD_VIRTUAL_PATH = 1 && setenv PATH "$_OLD_VIRTUAL_PATH:q"',
    "test $?_OLD_VIRTUAL_PATH = 1 && unset _OLD_VIRTUAL_PATH",
    "rehash",
    'test $?_OLD_VIRTUAL_PROMPT = 1 && set prompt = "$_OLD_VIRTUAL_PROMPT:q"',
    "test $?_OLD_VIRTUAL_PROMPT = 1 && unset _OLD_VIRTUAL_PROMPT",
    "unsetenv VIRTUAL_ENV",
    "unsetenv VIRTUAL_ENV_PROMPT",
    'test "\\!*" != nondestructive && unalias pydoc',
    'test "\\!*" != nondestructive && unalias deactivate',
)
_DEACTIVATE_ALIAS = "alias deactivate '" + "; ".join(_DEACTIVATE) + "'"

# Written for venvlab from the requirements (ACT-C1). csh cannot tell a sourced script where it
# is, so the environment's path is the one it was created at. Like CPython, it leaves PYTHONHOME
# alone. Every @NAME@ becomes a quoted csh word.
_TEMPLATE = """\
# Activates the virtual environment this file belongs to, for csh and tcsh. Source it:
#     source <environment>/@BIN@/activate.csh
# Undo it with "deactivate"; "deactivate nondestructive" undoes it but keeps the alias.
# Written by the venvlab creator of pytest-venvlab. Values are quoted literals, never evaluated.

@DEACTIVATE@

# Start from the state before any environment was activated.
deactivate nondestructive

setenv VIRTUAL_ENV @ENV@

set _OLD_VIRTUAL_PATH = "$PATH:q"
setenv PATH "${VIRTUAL_ENV:q}/"@BINQ@":${PATH:q}"

if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    if ($?prompt) then
        set _OLD_VIRTUAL_PROMPT = "$prompt:q"
        set prompt = @PROMPT@"$prompt:q"
    endif
@PROMPT_WHEN_ENABLED@endif
@PROMPT_ALWAYS@
alias pydoc python -m pydoc

rehash
"""


def _set_prompt_var(value: str, indent: str) -> str:
    return f"{indent}setenv VIRTUAL_ENV_PROMPT {csh_quote(value)}\n"


def render_csh(ctx: ActivationContext) -> str:
    """The ``activate.csh`` script for ``ctx``."""
    enabled, always = ctx.prompt_var_lines(_set_prompt_var)
    replacements = {
        "@DEACTIVATE@": _DEACTIVATE_ALIAS,
        "@BIN@": ctx.bin_dir,
        "@ENV@": csh_quote(ctx.env_dir),
        "@BINQ@": csh_quote(ctx.bin_dir),
        "@PROMPT@": csh_quote(csh_prompt(ctx.csh_shown_prompt)),
        "@PROMPT_WHEN_ENABLED@": enabled,
        "@PROMPT_ALWAYS@": always,
    }
    return fill(_TEMPLATE, replacements)
