"""``bin/Activate.ps1`` for PowerShell (written from ACT-P1; not run on this machine)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import ActivationContext

__all__ = ["render_powershell"]

# Nothing about the environment's path or prompt is substituted: the script finds its
# environment from its own location and the prompt from -Prompt, pyvenv.cfg or the directory
# name, so it is relocatable and no value is ever parsed as code. Only the version rule for
# $env:VIRTUAL_ENV_PROMPT (ACT-4) is filled in.
_TEMPLATE = """\
<#
.SYNOPSIS
Activates the virtual environment this script belongs to.

.DESCRIPTION
Dot-source it:  . <environment>/@BIN@/Activate.ps1 [-Prompt <text>]
Undo it with "deactivate"; "deactivate -NonDestructive" undoes it but keeps the function.
Written by the venvlab creator of pytest-venvlab.

.PARAMETER Prompt
The text shown in parentheses before the prompt. Defaults to the "prompt" in pyvenv.cfg, then
to the environment directory's name.
#>
param(
    [Parameter(Mandatory = $false)]
    [String] $Prompt
)

function global:deactivate([Switch] $NonDestructive) {
    if (Test-Path -Path Env:_OLD_VIRTUAL_PATH) {
        Copy-Item -Path Env:_OLD_VIRTUAL_PATH -Destination Env:PATH -Force
        Remove-Item -Path Env:_OLD_VIRTUAL_PATH
    }
    if (Test-Path -Path Env:_OLD_VIRTUAL_PYTHONHOME) {
        Copy-Item -Path Env:_OLD_VIRTUAL_PYTHONHOME -Destination Env:PYTHONHOME -Force
        Remove-Item -Path Env:_OLD_VIRTUAL_PYTHONHOME
    }
    if (Test-Path -Path Function:_venvlab_old_prompt) {
        Copy-Item -Path Function:_venvlab_old_prompt -Destination Function:prompt -Force
        Remove-Item -Path Function:_venvlab_old_prompt
    }
    Remove-Item -Path Env:VIRTUAL_ENV -ErrorAction SilentlyContinue
    Remove-Item -Path Env:VIRTUAL_ENV_PROMPT -ErrorAction SilentlyContinue
    Remove-Variable -Name _VENVLAB_PROMPT_TEXT -Scope Global -ErrorAction SilentlyContinue
    if (-not $NonDestructive) {
        Remove-Item -Path Function:deactivate -ErrorAction SilentlyContinue
    }
}

function Get-VenvlabPrompt([String] $VenvDir, [String] $Given) {
    if ($Given) { return $Given }
    $cfg = Join-Path -Path $VenvDir -ChildPath 'pyvenv.cfg'
    if (Test-Path -Path $cfg) {
        foreach ($line in Get-Content -Path $cfg -Encoding UTF8) {
            $at = $line.IndexOf('=')
            if ($at -lt 0) { continue }
            if ($line.Substring(0, $at).Trim().ToLowerInvariant() -ne 'prompt') { continue }
            $value = $line.Substring($at + 1).Trim()
            if ($value.Length -ge 2 -and ($value[0] -eq "'" -or $value[0] -eq '"') -and
                    $value[-1] -eq $value[0]) {
                $value = $value.Substring(1, $value.Length - 2)
            }
            return $value
        }
    }
    return Split-Path -Path $VenvDir -Leaf
}

deactivate -NonDestructive

$VenvDir = Join-Path -Path $PSScriptRoot -ChildPath '@UP@'
$VenvDir = (Resolve-Path -LiteralPath $VenvDir).ProviderPath
$ShownPrompt = Get-VenvlabPrompt -VenvDir $VenvDir -Given $Prompt

$env:VIRTUAL_ENV = $VenvDir

if (Test-Path -Path Env:PYTHONHOME) {
    Copy-Item -Path Env:PYTHONHOME -Destination Env:_OLD_VIRTUAL_PYTHONHOME -Force
    Remove-Item -Path Env:PYTHONHOME
}

Copy-Item -Path Env:PATH -Destination Env:_OLD_VIRTUAL_PATH -Force
$env:PATH = $PSScriptRoot + [System.IO.Path]::PathSeparator + $env:PATH

if (-not $env:VIRTUAL_ENV_DISABLE_PROMPT) {
    $global:_VENVLAB_PROMPT_TEXT = $ShownPrompt
    function global:_venvlab_old_prompt { '' }
    Copy-Item -Path Function:prompt -Destination Function:_venvlab_old_prompt -Force
    function global:prompt {
        Write-Host -NoNewline -ForegroundColor Green "($global:_VENVLAB_PROMPT_TEXT) "
        _venvlab_old_prompt
    }
    if (@WHEN_ENABLED@) { $env:VIRTUAL_ENV_PROMPT = $ShownPrompt }
}
if (@ALWAYS@) { $env:VIRTUAL_ENV_PROMPT = $ShownPrompt }
"""


def render_powershell(ctx: ActivationContext) -> str:
    """The ``Activate.ps1`` script for ``ctx`` (CRLF line endings, like CPython's)."""
    value = ctx.virtual_env_prompt
    enabled = value is not None and not ctx.prompt_var_always
    always = value is not None and ctx.prompt_var_always
    text = (
        _TEMPLATE.replace("@BIN@", ctx.bin_dir)
        .replace("@UP@", ctx.up.replace("'", "''"))
        .replace("@WHEN_ENABLED@", "$true" if enabled else "$false")
        .replace("@ALWAYS@", "$true" if always else "$false")
    )
    return text.replace("\n", "\r\n")
