"""Turning arbitrary text into literals each shell reads back unchanged, never evaluated.

Two different jobs live here: *quoting* a value so that the shell's parser yields exactly that
text (``sh_quote``, ``fish_quote``, ...), and *escaping* text so that a shell's prompt expansion
shows it literally (``bash_prompt``, ``zsh_prompt``, ...). Prompt text needs both: first the
prompt escape, then the quoting of the result.
"""

from __future__ import annotations

__all__ = [
    "bash_prompt",
    "csh_prompt",
    "csh_quote",
    "fish_quote",
    "nu_quote",
    "ps_quote",
    "sh_prompt",
    "sh_quote",
    "zsh_prompt",
]


def sh_quote(text: str) -> str:
    """A POSIX shell word for ``text``: single quotes, each ``'`` written as ``'\\''``."""
    return "'" + text.replace("'", "'\\''") + "'"


def sh_prompt(text: str) -> str:
    """Escape for a POSIX sh (dash) ``PS1``, which undergoes parameter expansion and command
    substitution at display time: ``\\``, ``$`` and backquote get a backslash."""
    return "".join("\\" + c if c in "\\$`" else c for c in text)


def bash_prompt(text: str, *, promptvars: bool = True) -> str:
    """Escape for bash's ``PS1``. Bash first decodes backslash escapes (``\\u``, ``\\$``, ...)
    and then, with ``shopt promptvars`` (the default), expands ``$`` and backquotes."""
    if not promptvars:
        return text.replace("\\", "\\\\")
    table = {"\\": "\\\\\\\\", "$": "\\\\$", "`": "\\\\`"}
    return "".join(table.get(c, c) for c in text)


def zsh_prompt(text: str, *, promptsubst: bool = False) -> str:
    """Escape for zsh's ``PS1``: ``%`` sequences always, ``$``/backquote/``\\`` too when the
    ``PROMPT_SUBST`` option is on."""
    text = text.replace("%", "%%")
    if promptsubst:
        text = sh_prompt(text)
    return text


def fish_quote(text: str) -> str:
    """A fish word: single quotes, in which only ``\\`` and ``'`` need a backslash."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def csh_quote(text: str) -> str:
    """A csh/tcsh word: single quotes, ``'`` closed and re-opened around ``\\'``, and ``!``
    (history substitution, even inside single quotes) written as ``\\!``."""
    return "'" + text.replace("'", "'\\''").replace("!", "\\!") + "'"


def csh_prompt(text: str) -> str:
    """Escape for tcsh's ``prompt``, which expands ``%`` sequences and ``!`` (event number) and
    treats ``\\`` as an escape character."""
    return text.replace("\\", "\\\\").replace("%", "%%").replace("!", "\\!")


def ps_quote(text: str) -> str:
    """A PowerShell verbatim string: single quotes, ``'`` doubled (also the typographic ones
    PowerShell treats as quotes)."""
    out = []
    for c in text:
        out.append(c)
        if c in "'\u2018\u2019\u201a\u201b":
            out.append(c)
    return "'" + "".join(out) + "'"


def nu_quote(text: str) -> str:
    """A nushell raw string ``r#'...'#`` with enough ``#`` that the text cannot end it."""
    hashes = "#"
    while f"'{hashes}" in text:
        hashes += "#"
    return f"r{hashes}'{text}'{hashes}"
