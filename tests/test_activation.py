"""assert_activation in the five real shells: it passes on envs from every creator (at paths with
spaces, quotes, ``$`` and non-ASCII characters), and fails, naming the requirement, on activate
scripts broken on purpose and on the real defects of the Pythons installed here."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_venvlab import (
    Venv,
    VenvSpec,
    assert_activation,
    create_venv,
    creator_names,
    get_creator,
    resolve,
)
from pytest_venvlab.errors import InterpreterNotFoundError

SHELLS = ["bash", "dash", "zsh", "fish", "tcsh"]
CREATORS = [
    "venv",
    "virtualenv",
    "uv",
    "cmd:{python} -m venv",
    *(["venvlab"] if "venvlab" in creator_names() else []),
]
#: Only what CPython's own (unfixed) templates survive: spaces, a single quote, non-ASCII.
SAFE_NAME = "sp ace 'q ü"
#: Everything: spaces, both quotes, ``$`` and non-ASCII.
HARD_NAME = "sp ace $x 'q\" ü"
INJECTION = "$(echo INJECTED)"

#: Real deviations of a creator from CPython's behaviour in one shell, observed here. If the
#: creator documents them (``documented_differences``, key ``REQ`` or ``REQ:shell``) the
#: assertion accepts them; if not, it must fail naming exactly that requirement.
KNOWN_DEVIATIONS = {
    ("virtualenv", "dash"): "ACT-3",  # virtualenv changes PS1 only in bash and zsh
    ("virtualenv", "tcsh"): "ACT-8",  # its csh deactivate always removes itself
}

EnvMaker = Callable[..., Venv]


def failed_ids(message: str) -> set[str]:
    return set(re.findall(r"^\s*([A-Z]+-[A-Z0-9]+) \(", message, flags=re.MULTILINE))


def make_env(dest: Path, **fields: object) -> Venv:
    spec = VenvSpec.from_fields(fields, where="test")
    try:
        reason = resolve(spec).unsupported()
    except InterpreterNotFoundError as exc:
        pytest.skip(str(exc))
    if reason is not None:
        pytest.skip(reason)
    return create_venv(spec, dest)


def cpython_fixed_cve_2024_9287(version: tuple[int, ...]) -> bool:
    """Whether this CPython quotes paths and prompts in its activate scripts (gh-124651)."""
    first_fixed = {(3, 9): 21, (3, 10): 16, (3, 11): 11, (3, 12): 8, (3, 13): 1}
    minor = tuple(version[:2])
    if minor in first_fixed:
        return version[2] >= first_fixed[minor]
    return minor > (3, 13)


def documented(creator: str, req_id: str, shell: str) -> bool:
    differences = get_creator(creator).documented_differences
    return req_id in differences or f"{req_id}:{shell}" in differences


def check(env: Venv, creator: str, shell: str, **kwargs: object) -> None:
    """assert_activation, holding the known deviations to exactly what they are."""
    known = KNOWN_DEVIATIONS.get((creator, shell))
    if known is None or documented(creator, known, shell):
        assert_activation(env, shell, **kwargs)  # type: ignore[arg-type]
        return
    with pytest.raises(AssertionError) as info:
        assert_activation(env, shell, **kwargs)  # type: ignore[arg-type]
    assert failed_ids(str(info.value)) == {known}


@pytest.fixture(scope="module")
def shared_env(tmp_path_factory: pytest.TempPathFactory) -> EnvMaker:
    """Envs made once per module, keyed by (creator, directory name, fields)."""
    root = tmp_path_factory.mktemp("activation")
    made: dict[tuple[object, ...], Venv] = {}

    def get(creator: str, name: str = SAFE_NAME, **fields: object) -> Venv:
        key = (creator, name, *sorted(fields.items()))
        if key not in made:
            parent = root / f"n{len(made)}"
            parent.mkdir()
            made[key] = make_env(parent / name, creator=creator, **fields)
        return made[key]

    return get


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("creator", CREATORS)
def test_activation_passes_for_every_creator(
    shared_env: EnvMaker, creator: str, shell: str
) -> None:
    check(shared_env(creator), creator, shell)


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize("creator", [c for c in CREATORS if c in {"virtualenv", "uv", "venvlab"}])
def test_activation_passes_at_a_path_with_quotes_and_dollar(
    shared_env: EnvMaker, creator: str, shell: str
) -> None:
    env = shared_env(creator, HARD_NAME)
    assert "$" in env.path.name
    assert '"' in env.path.name
    check(env, creator, shell)


@pytest.mark.parametrize("shell", SHELLS)
def test_cpython_activate_breaks_at_a_path_with_quotes_and_dollar(
    shared_env: EnvMaker, shell: str
) -> None:
    """A real defect of the CPythons installed here (unquoted templates, fixed by gh-124651):
    the assertion must catch it, naming ACT-1; a fixed CPython must pass."""
    env = shared_env("venv", HARD_NAME)
    assert env.interpreter is not None
    if cpython_fixed_cve_2024_9287(env.interpreter.version_info):
        assert_activation(env, shell)
        return
    with pytest.raises(AssertionError) as info:
        assert_activation(env, shell)
    assert "ACT-1" in failed_ids(str(info.value))


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_prompt_injection_is_caught(shared_env: EnvMaker, python: str) -> None:
    """CVE-2024-9287: CPython 3.12.1 and 3.13.0 (installed here) run a prompt's command
    substitution; the assertion must fail on them with ACT-11, and pass on a fixed CPython."""
    env = shared_env("venv", "injection", python=python, prompt=INJECTION)
    assert env.interpreter is not None
    if cpython_fixed_cve_2024_9287(env.interpreter.version_info):
        assert_activation(env, "bash")
        return
    with pytest.raises(AssertionError) as info:
        assert_activation(env, "bash")
    message = str(info.value)
    assert "ACT-11" in failed_ids(message)
    assert "CVE-2024-9287" in message
    assert "(INJECTED)" in message


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "tcsh"])
def test_injection_prompt_stays_literal_with_virtualenv(shared_env: EnvMaker, shell: str) -> None:
    env = shared_env("virtualenv", "injection", prompt=INJECTION)
    check(env, "virtualenv", shell)


@pytest.mark.parametrize("shell", SHELLS)
def test_one_env_after_another_leaves_one_bin_dir_on_path(shared_env: EnvMaker, shell: str) -> None:
    first = shared_env("venv")
    second = shared_env("venv", "second env ü")
    obs = assert_activation(first, shell, other_env=second)
    other = obs.other
    assert other is not None
    assert other.virtual_env == os.fspath(second.path)
    assert os.fspath(first.bin_dir) not in other.path_entries


# --- activate scripts broken on purpose ------------------------------------------------------


def break_script(env: Venv, name: str, old: str, new: str) -> None:
    script = env.bin_dir / name
    text = script.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {script}; the test needs updating"
    script.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def own_env(tmp_path: Path) -> Venv:
    """A private CPython venv from the running Python whose scripts a test may break."""
    return make_env(tmp_path / SAFE_NAME)


def failure(env: Venv, shell: str) -> str:
    with pytest.raises(AssertionError) as info:
        assert_activation(env, shell)
    return str(info.value)


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh"])
def test_activate_that_does_not_prepend_path_fails(own_env: Venv, shell: str) -> None:
    break_script(own_env, "activate", 'PATH="$VIRTUAL_ENV/bin:$PATH"', ":")
    message = failure(own_env, shell)
    assert "ACT-2" in failed_ids(message)
    assert "PATH gets the env's bin dir prepended exactly once" in message
    assert "PATH before:" in message


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh"])
def test_activate_that_keeps_pythonhome_fails(own_env: Venv, shell: str) -> None:
    break_script(own_env, "activate", "    unset PYTHONHOME\n", "    :\n")
    message = failure(own_env, shell)
    assert failed_ids(message) == {"ACT-6"}
    assert "/nonexistent/venvlab-pythonhome" in message


def test_fish_activate_that_keeps_pythonhome_fails(own_env: Venv) -> None:
    break_script(own_env, "activate.fish", "set -e PYTHONHOME", "true")
    assert failed_ids(failure(own_env, "fish")) == {"ACT-6"}


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh"])
def test_deactivate_that_leaves_path_changed_fails(own_env: Venv, shell: str) -> None:
    break_script(
        own_env,
        "activate",
        'PATH="${_OLD_VIRTUAL_PATH:-}"',
        'PATH="${_OLD_VIRTUAL_PATH:-}:/venvlab-leftover"',
    )
    message = failure(own_env, shell)
    assert {"ACT-7", "ACT-8"} <= failed_ids(message)
    assert "restores PATH byte for byte" in message
    assert "PATH after:" in message
    assert "/venvlab-leftover" in message


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh"])
def test_deactivate_that_survives_fails(own_env: Venv, shell: str) -> None:
    break_script(own_env, "activate", "unset -f deactivate", ":")
    message = failure(own_env, shell)
    assert failed_ids(message) == {"ACT-7"}
    assert "`deactivate` removes itself from the shell's function table" in message


def test_fish_deactivate_that_survives_fails(own_env: Venv) -> None:
    break_script(own_env, "activate.fish", "functions -e deactivate", "true")
    assert failed_ids(failure(own_env, "fish")) == {"ACT-7"}


def test_tcsh_deactivate_that_survives_fails(own_env: Venv) -> None:
    break_script(own_env, "activate.csh", "&& unalias deactivate", "&& true")
    assert failed_ids(failure(own_env, "tcsh")) == {"ACT-7"}


def test_activate_that_breaks_under_set_u_fails_in_bash(own_env: Venv) -> None:
    script = own_env.bin_dir / "activate"
    script.write_text(
        script.read_text(encoding="utf-8") + ': "$VENVLAB_NEVER_SET"\n', encoding="utf-8"
    )
    message = failure(own_env, "bash")
    assert failed_ids(message) == {"ACT-10"}
    assert "VENVLAB_NEVER_SET" in message


# --- missing shells ------------------------------------------------------------------------------

MISSING_SHELL_TEST = """
from pytest_venvlab import Venv, assert_activation

def test_missing(tmp_path):
    assert_activation(Venv(tmp_path), "pwsh")
"""


def test_missing_shell_skips_with_its_name(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(MISSING_SHELL_TEST)
    result = pytester.runpytest("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*shell 'pwsh' *"])


@pytest.mark.parametrize("how", ["--venv-strict", "CI"])
def test_missing_shell_fails_when_strict(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ["-p", "no:cacheprovider"]
    if how == "CI":
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
        args.append(how)
    pytester.makepyfile(MISSING_SHELL_TEST)
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*shell 'pwsh' *strict mode: missing shells fail*"])


@pytest.mark.parametrize("creator", ["venv", "virtualenv", "uv"])
def test_a_bare_path_is_judged_by_its_pyvenv_cfg(shared_env: EnvMaker, creator: str) -> None:
    """Without a spec, the creator (virtualenv and uv name themselves in pyvenv.cfg), the prompt
    and the Python version come from pyvenv.cfg."""
    made = shared_env(creator, "bare", prompt="my prompt")
    bare = Venv(made.path)
    assert bare.spec is None
    obs = assert_activation(bare, "bash")
    assert obs["activated"].prompt == "(my prompt) venvlab-prompt> "


def test_a_missing_activate_script_fails(own_env: Venv) -> None:
    (own_env.bin_dir / "activate.fish").unlink()
    message = failure(own_env, "fish")
    assert failed_ids(message) == {"LAY-5"}
    assert "activate.fish" in message


def test_the_how_to_examples_run_as_written(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The examples in docs/howto/activation-checks.rst, in a user's suite."""
    monkeypatch.delenv("CI", raising=False)
    pytester.makepyfile(
        """
        import pytest
        from pytest_venvlab import assert_activation, observe_activation

        @pytest.mark.parametrize("shell", ["bash", "dash"])
        def test_activation(venv_factory, shell):
            assert_activation(venv_factory(), shell)

        @pytest.mark.venv(prompt="demo")
        def test_private_copy_with_a_prompt(venv):
            assert_activation(venv, "bash")

        def test_switching(venv_factory, tmp_path):
            first = venv_factory(prompt="first")
            second = venv_factory(prompt="second")
            assert_activation(first, "zsh", other_env=second)

        def test_empty_pythonhome_is_left_alone(venv):
            obs = observe_activation(venv, "bash", pythonhome="")
            assert obs["activated"].pythonhome == ""

        def test_prompt_when_disabled(venv):
            obs = observe_activation(venv, "fish", prompt_disabled="0")
            assert obs["activated"].prompt == obs["before"].prompt
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_a_moved_env_fails_and_the_message_says_why(own_env: Venv, tmp_path: Path) -> None:
    moved_path = tmp_path / "moved env"
    own_env.path.rename(moved_path)
    moved = Venv(moved_path, own_env.spec, own_env.interpreter)
    message = failure(moved, "bash")
    assert {"ACT-1", "ACT-3"} <= failed_ids(message)  # REL-1: activate keeps the old path
    assert "an env copied or moved since keeps its old name in the activate scripts" in message
