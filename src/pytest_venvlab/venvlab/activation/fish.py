"""``bin/activate.fish`` for fish 3."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quoting import fish_quote
from .template import fill

if TYPE_CHECKING:
    from . import ActivationContext

__all__ = ["render_fish"]

# Written for venvlab from the requirements (ACT-F1). Every @NAME@ becomes a quoted fish word.
_TEMPLATE = """\
# Activates the virtual environment this file belongs to, for fish. Source it:
#     source <environment>/@BIN@/activate.fish
# Undo it with "deactivate"; "deactivate nondestructive" undoes it but keeps the function.
# Written by the venvlab creator of pytest-venvlab. Values are quoted literals, never evaluated.

function deactivate --description 'Leave the virtual environment'
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if functions -q _venvlab_old_fish_prompt
        functions -e fish_prompt
        functions -c _venvlab_old_fish_prompt fish_prompt
        functions -e _venvlab_old_fish_prompt
    else if set -q _VENVLAB_OWN_PROMPT
        functions -e fish_prompt
    end
    set -e _VENVLAB_OWN_PROMPT
    functions -e _venvlab_status
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end

# Start from the state before any environment was activated.
deactivate nondestructive

# The environment's path as created, unless this script now lives somewhere else (the
# environment was moved): then the script's own location wins.
set -gx VIRTUAL_ENV @ENV@
set -l _venvlab_at (status filename)
if string match -q -- '*/*' $_venvlab_at
    set -l _venvlab_dir (string replace -r -- '/[^/]*$' '' $_venvlab_at)
    set -l _venvlab_here (builtin realpath -- $_venvlab_dir/@UP@ 2>/dev/null)
    set -l _venvlab_made (builtin realpath -- $VIRTUAL_ENV 2>/dev/null)
    if test -n "$_venvlab_here"; and test -f "$_venvlab_here/pyvenv.cfg"
        and test "$_venvlab_here" != "$_venvlab_made"
        set -gx VIRTUAL_ENV $_venvlab_here
    end
end

set -g _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV"/@BINQ@ $PATH

if set -q PYTHONHOME
    set -g _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    if functions -q fish_prompt
        functions -c fish_prompt _venvlab_old_fish_prompt
    else
        set -g _VENVLAB_OWN_PROMPT 1
    end
    function _venvlab_status --description 'Set $status for the previous prompt'
        return $argv[1]
    end
    function fish_prompt --description 'Show the virtual environment before the prompt'
        set -l last_status $status
        printf '%s' @PROMPT@
        if functions -q _venvlab_old_fish_prompt
            _venvlab_status $last_status
            _venvlab_old_fish_prompt
        end
    end
@PROMPT_WHEN_ENABLED@end
@PROMPT_ALWAYS@"""


def _set_prompt_var(value: str, indent: str) -> str:
    return f"{indent}set -gx VIRTUAL_ENV_PROMPT {fish_quote(value)}\n"


def render_fish(ctx: ActivationContext) -> str:
    """The ``activate.fish`` script for ``ctx``."""
    enabled, always = ctx.prompt_var_lines(_set_prompt_var)
    replacements = {
        "@BIN@": ctx.bin_dir,
        "@ENV@": fish_quote(ctx.env_dir),
        "@UP@": fish_quote(ctx.up),
        "@BINQ@": fish_quote(ctx.bin_dir),
        "@PROMPT@": fish_quote(ctx.shown_prompt),
        "@PROMPT_WHEN_ENABLED@": enabled,
        "@PROMPT_ALWAYS@": always,
    }
    return fill(_TEMPLATE, replacements)
