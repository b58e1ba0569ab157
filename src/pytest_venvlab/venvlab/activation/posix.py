"""``bin/activate`` for the POSIX sh family (sh, dash, bash, zsh, ksh)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quoting import bash_prompt, sh_prompt, sh_quote, zsh_prompt
from .template import fill

if TYPE_CHECKING:
    from . import ActivationContext

__all__ = ["render_posix"]

# Written for venvlab from the requirements (ACT-1..ACT-11). Placeholders are @NAME@; every
# value substituted is a complete single-quoted shell word, so nothing from the environment's
# path or prompt is ever parsed as code, at activation or (through the escaping of the prompt
# for each shell's own prompt expansion) when the prompt is shown.
_TEMPLATE = """\
# Activates the virtual environment this file belongs to, for POSIX shells (sh, dash, bash,
# zsh, ksh). Source it, do not run it:   . <environment>/@BIN@/activate
# Undo it with "deactivate"; "deactivate nondestructive" undoes it but keeps the function.
# Written by the venvlab creator of pytest-venvlab. Values are quoted literals, never evaluated.

deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH+x}" ]; then
        PATH=$_OLD_VIRTUAL_PATH
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME+x}" ]; then
        PYTHONHOME=$_OLD_VIRTUAL_PYTHONHOME
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1+x}" ]; then
        PS1=$_OLD_VIRTUAL_PS1
        unset _OLD_VIRTUAL_PS1
    elif [ -n "${_VENVLAB_PS1_UNSET:-}" ]; then
        unset PS1
    fi
    unset _VENVLAB_PS1_UNSET VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    hash -r 2>/dev/null || :
    if [ "${1:-}" != nondestructive ]; then
        unset -f deactivate
    fi
}

# Leave any environment activated before this one and start from the original state. The
# saved values use the conventional _OLD_VIRTUAL_* names, so this also undoes an environment
# of another creator that uses them (CPython's venv, virtualenv), and theirs undoes ours.
deactivate nondestructive

# The environment's path as created; if this script was moved or copied with its environment
# and the shell can tell where the script is (bash, zsh), use that location instead. A script
# reached through a symlink from elsewhere (no pyvenv.cfg there) keeps the created path.
VIRTUAL_ENV=@ENV@
_venvlab_at=
if [ -n "${BASH_VERSION:-}" ]; then
    _venvlab_at=${BASH_SOURCE:-}
elif [ -n "${ZSH_VERSION:-}" ]; then
    eval '_venvlab_at=${(%):-%x}'
fi
case $_venvlab_at in
    */*) _venvlab_at=$(CDPATH='' cd -- "${_venvlab_at%/*}/"@UP@ 2>/dev/null && pwd) \\
            || _venvlab_at= ;;
    *) _venvlab_at= ;;
esac
if [ -n "$_venvlab_at" ] && [ -f "$_venvlab_at/pyvenv.cfg" ] \\
        && ! [ "$_venvlab_at" -ef "$VIRTUAL_ENV" ]; then
    VIRTUAL_ENV=$_venvlab_at
fi
unset _venvlab_at
export VIRTUAL_ENV

_OLD_VIRTUAL_PATH=${PATH:-}
PATH=$VIRTUAL_ENV/@BINQ@:${PATH:-}
export PATH

if [ -n "${PYTHONHOME:-}" ]; then
    _OLD_VIRTUAL_PYTHONHOME=$PYTHONHOME
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    if [ -n "${PS1+x}" ]; then
        _OLD_VIRTUAL_PS1=$PS1
    else
        _VENVLAB_PS1_UNSET=1
    fi
    if [ -n "${ZSH_VERSION:-}" ]; then
        if eval '[[ -o promptsubst ]]'; then
            PS1=@PS1_ZSH_SUBST@${PS1:-}
        else
            PS1=@PS1_ZSH@${PS1:-}
        fi
    elif [ -n "${BASH_VERSION:-}" ]; then
        if shopt -q promptvars 2>/dev/null; then
            PS1=@PS1_BASH@${PS1:-}
        else
            PS1=@PS1_BASH_PLAIN@${PS1:-}
        fi
    else
        PS1=@PS1_SH@${PS1:-}
    fi
@PROMPT_WHEN_ENABLED@fi
@PROMPT_ALWAYS@
hash -r 2>/dev/null || :
"""


def _export_prompt(value: str, indent: str) -> str:
    return f"{indent}VIRTUAL_ENV_PROMPT={sh_quote(value)}\n{indent}export VIRTUAL_ENV_PROMPT\n"


def render_posix(ctx: ActivationContext) -> str:
    """The ``activate`` script for ``ctx``."""
    shown = ctx.shown_prompt
    enabled, always = ctx.prompt_var_lines(_export_prompt)
    replacements = {
        "@BIN@": ctx.bin_dir,
        "@ENV@": sh_quote(ctx.env_dir),
        "@BINQ@": sh_quote(ctx.bin_dir),
        "@UP@": sh_quote(ctx.up),
        "@PS1_ZSH_SUBST@": sh_quote(zsh_prompt(shown, promptsubst=True)),
        "@PS1_ZSH@": sh_quote(zsh_prompt(shown)),
        "@PS1_BASH@": sh_quote(bash_prompt(shown)),
        "@PS1_BASH_PLAIN@": sh_quote(bash_prompt(shown, promptvars=False)),
        "@PS1_SH@": sh_quote(sh_prompt(shown)),
        "@PROMPT_WHEN_ENABLED@": enabled,
        "@PROMPT_ALWAYS@": always,
    }
    return fill(_TEMPLATE, replacements)
