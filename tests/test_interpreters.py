from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pytest_venvlab import InterpreterNotFoundError, SpecError, find_interpreter
from pytest_venvlab.interpreters import available_interpreters, interpreter_from_path


def test_current_is_the_running_interpreter() -> None:
    info = find_interpreter("current")
    assert info.version_info[:3] == tuple(sys.version_info[:3])
    assert os.path.samefile(info.executable, sys.executable)
    assert info.base_prefix == Path(sys.base_prefix)


@pytest.mark.parametrize("spec", ["3.11", "python3.11", "cpython3.11", ">=3.11,<3.12"])
def test_spec_forms_resolve_to_a_real_binary(spec: str) -> None:
    info = find_interpreter(spec)
    assert info.version_short == "3.11"
    assert info.implementation == "cpython"
    assert info.executable.is_file()
    assert "shims" not in info.executable.parts


def test_absolute_path_is_probed_and_cached() -> None:
    current = find_interpreter("current")
    again = interpreter_from_path(current.executable)
    assert again is interpreter_from_path(current.executable)
    assert again.version == current.version


def test_pyenv_shim_resolves_to_the_real_binary() -> None:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    shim = root / "shims" / "python3"
    if not shim.exists():
        pytest.skip("no pyenv shims on this machine")
    info = find_interpreter(os.fspath(shim))
    assert "shims" not in info.executable.parts


def test_every_cpython_from_38_is_found() -> None:
    versions = {i.version_short for i in available_interpreters()}
    assert "3.11" in versions
    assert all(tuple(map(int, v.split("."))) >= (3, 8) for v in versions)


def test_facts_include_what_creators_need() -> None:
    info = find_interpreter("current")
    assert info.venv_path("purelib", Path("/x")) == Path(
        f"/x/lib/python{info.version_short}/site-packages"
    )
    assert info.venv_path("scripts", Path("/x")) == Path("/x/bin")
    assert info.paths["stdlib"].startswith(os.fspath(info.base_prefix))
    assert info.identity()["build"] == sys.version


def test_no_match_names_the_spec_and_where_it_searched() -> None:
    with pytest.raises(InterpreterNotFoundError) as info:
        find_interpreter("3.99")
    message = str(info.value)
    assert "'3.99'" in message
    assert "searched" in message
    assert "PATH" in message


def test_unparseable_spec_lists_the_accepted_forms() -> None:
    with pytest.raises(SpecError, match=r"accepted: a version such as '3\.12'"):
        find_interpreter(">=three")


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFoundError, match="does not exist"):
        find_interpreter(os.fspath(tmp_path / "nope" / "python"))
