"""``bin/activate.nu`` for nushell (written from the requirements; nu is not run here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .quoting import nu_quote

if TYPE_CHECKING:
    from . import ActivationContext

__all__ = ["render_nushell"]

# nushell strings in raw form (r#'...'#) are never interpolated, so the values are literals.
_TEMPLATE = """\
# Activates the virtual environment this file belongs to, for nushell:
#     overlay use <environment>/@BIN@/activate.nu
# Leave it with "deactivate" (the same as "overlay hide activate").
# Written by the venvlab creator of pytest-venvlab. Values are raw-string literals.

export-env {
    let venv_dir = @ENV@
    let bin_dir = ($venv_dir | path join @BINQ@)
    let path_name = if ('Path' in $env) { 'Path' } else { 'PATH' }
    let old_path = ($env | get $path_name)
    let old_path_list = if (($old_path | describe) == 'string') {
        $old_path | split row (char esep)
    } else {
        $old_path
    }
    let new_path = ($old_path_list | prepend $bin_dir)
    let disabled = (('VIRTUAL_ENV_DISABLE_PROMPT' in $env) and
        (($env.VIRTUAL_ENV_DISABLE_PROMPT | into string) != ''))
    let shown = @PROMPT@
    let old_prompt = if ('PROMPT_COMMAND' in $env) { $env.PROMPT_COMMAND } else { '' }
    let new_prompt = if $disabled {
        $old_prompt
    } else if (($old_prompt | describe) == 'string') {
        {|| $'($shown)($old_prompt)' }
    } else {
        {|| $'($shown)(do $old_prompt)' }
    }
    load-env {
        VIRTUAL_ENV: $venv_dir
        $path_name: $new_path
        PROMPT_COMMAND: $new_prompt
    }
    if ('PYTHONHOME' in $env) { hide-env PYTHONHOME }
@PROMPT_VAR@}

export alias deactivate = overlay hide activate
"""


def render_nushell(ctx: ActivationContext) -> str:
    """The ``activate.nu`` script for ``ctx``."""
    value = ctx.virtual_env_prompt
    line = ""
    if value is not None:
        cond = "true" if ctx.prompt_var_always else "(not $disabled)"
        line = f"    if {cond} {{ $env.VIRTUAL_ENV_PROMPT = {nu_quote(value)} }}\n"
    return (
        _TEMPLATE.replace("@BIN@", ctx.bin_dir)
        .replace("@ENV@", nu_quote(ctx.env_dir))
        .replace("@BINQ@", nu_quote(ctx.bin_dir))
        .replace("@PROMPT@", nu_quote(ctx.shown_prompt))
        .replace("@PROMPT_VAR@", line)
    )
