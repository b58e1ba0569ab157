"""Every built-in creator on every CPython 3.8+ here makes a real, isolated environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pytest_venvlab import (
    CommandError,
    CreatorError,
    CreatorUnavailableError,
    InterpreterNotFoundError,
    SpecError,
    Venv,
    VenvSpec,
    create_venv,
    creator_names,
    get_creator,
    resolve,
)
from pytest_venvlab.creators.command import CommandCreator

PYTHONS = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
CREATORS = ["venv", "virtualenv", "uv", "cmd:{python} -m venv"]


def _strict() -> bool:
    return bool(os.environ.get("CI"))


def _resolve_or_skip(spec: VenvSpec):  # type: ignore[no-untyped-def]
    try:
        resolved = resolve(spec)
    except InterpreterNotFoundError as exc:
        if _strict():
            raise
        pytest.skip(str(exc))
    reason = resolved.unsupported()
    if reason is not None:
        pytest.skip(reason)
    return resolved


@pytest.mark.parametrize("layout", ["symlinks", "copies"])
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("creator", CREATORS, ids=["venv", "virtualenv", "uv", "cmd-venv"])
def test_created_env_is_a_venv_of_its_base(
    creator: str, python: str, layout: str, tmp_path: Path
) -> None:
    spec = VenvSpec(creator=creator, python=python, symlinks=layout == "symlinks")
    resolved = _resolve_or_skip(spec)
    venv = create_venv(spec, tmp_path / "env")
    facts = venv.introspect()
    assert Path(facts.prefix) == venv.path
    assert Path(facts.base_prefix) == resolved.interpreter.prefix
    assert os.fspath(venv.site_packages) in facts.path
    assert facts.version_info[:2] == resolved.interpreter.version_info[:2]
    assert venv.cfg["include-system-site-packages"] == "false"
    assert venv.python.is_symlink() is (layout == "symlinks")


def test_builtin_creators_are_entry_points() -> None:
    assert {"venv", "virtualenv", "uv"} <= set(creator_names())
    assert get_creator("venv") is get_creator("venv")
    assert get_creator("venv").follows_cpython


def test_cmd_creator_appends_venv_flags_then_destination(tmp_path: Path) -> None:
    spec = VenvSpec(
        creator="cmd:{python} -m venv",
        python="current",
        symlinks=False,
        system_site_packages=True,
        prompt="my env",
    )
    resolved = resolve(spec)
    creator = resolved.creator
    assert isinstance(creator, CommandCreator)
    from pytest_venvlab.creators.base import CreateRequest

    argv = creator.command(CreateRequest(spec, resolved.interpreter, tmp_path / "e"))
    assert argv == [
        os.fspath(resolved.interpreter.executable),
        "-m",
        "venv",
        "--copies",
        "--system-site-packages",
        "--without-pip",
        "--prompt",
        "my env",
        os.fspath(tmp_path / "e"),
    ]


def test_cmd_venv_behaves_like_venv(tmp_path: Path) -> None:
    a = create_venv(VenvSpec(creator="venv", prompt="p"), tmp_path / "a")
    b = create_venv(VenvSpec(creator="cmd:{python} -m venv", prompt="p"), tmp_path / "b")
    assert sorted(p.name for p in a.bin_dir.iterdir()) == sorted(
        p.name for p in b.bin_dir.iterdir()
    )
    keep = {"home", "include-system-site-packages", "version", "prompt"}
    assert {k: v for k, v in a.cfg.items() if k in keep} == {
        k: v for k, v in b.cfg.items() if k in keep
    }


def test_with_pip_installs_a_working_pip(tmp_path: Path) -> None:
    venv = create_venv(VenvSpec(creator="uv", pip=True), tmp_path / "env")
    assert "pip" in venv.run(["pip", "--version"]).stdout


def test_unknown_creator_lists_the_registered_ones() -> None:
    with pytest.raises(SpecError) as info:
        get_creator("venvv")
    text = str(info.value)
    assert text.startswith("unknown creator 'venvv'; accepted:")
    assert "virtualenv" in text
    assert "cmd:TEMPLATE" in text


def test_cmd_template_without_python_placeholder() -> None:
    with pytest.raises(SpecError, match=r"must contain '\{python\}'"):
        VenvSpec(creator="cmd:virtualenv")


def test_failing_cmd_creator_shows_its_stderr(tmp_path: Path) -> None:
    template = "cmd:{python} -c \"import sys; sys.stderr.write('disk on fire'); sys.exit(3)\""
    with pytest.raises(CommandError) as info:
        create_venv(VenvSpec(creator=template), tmp_path / "env")
    text = str(info.value)
    assert "exit code 3" in text
    assert "disk on fire" in text
    assert text.splitlines()[0].startswith("creator 'cmd:")


def test_cmd_creator_that_makes_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CreatorError, match="left no environment"):
        create_venv(VenvSpec(creator="cmd:{python} -c pass"), tmp_path / "env")


def test_capability_gap_is_reported_not_attempted(tmp_path: Path) -> None:
    with pytest.raises(CreatorUnavailableError, match="creator 'uv' does not support"):
        create_venv(VenvSpec(creator="uv", symlinks=False), tmp_path / "env")
    assert not (tmp_path / "env").exists()


def test_destination_with_path_separator_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="PATH separator"):
        create_venv(VenvSpec(), tmp_path / "a:b")


def test_non_empty_destination_is_refused(tmp_path: Path) -> None:
    (tmp_path / "env").mkdir()
    (tmp_path / "env" / "keep.txt").write_text("mine")
    with pytest.raises(SpecError, match="not an empty directory"):
        create_venv(VenvSpec(), tmp_path / "env")
    assert (tmp_path / "env" / "keep.txt").read_text() == "mine"


@pytest.fixture(scope="module")
def plain_env(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return create_venv(VenvSpec(creator="venv"), tmp_path_factory.mktemp("plain") / "env")


def test_run_is_hermetic(plain_env: Venv, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_INDEX_URL", "UV_CACHE_DIR"):
        monkeypatch.setenv(name, "/leak")
    monkeypatch.setenv("CONDA_PREFIX", "/leak")
    monkeypatch.setenv("__PYVENV_LAUNCHER__", "/leak")
    code = "import os, json; print(json.dumps(dict(os.environ)))"
    import json

    seen = json.loads(plain_env.run(["python", "-c", code]).stdout)
    assert not {k for k, v in seen.items() if v == "/leak"}
    assert seen["PYTHONNOUSERSITE"] == "1"
    assert seen["PATH"].split(os.pathsep)[0] == os.fspath(plain_env.bin_dir)
    with_user = json.loads(plain_env.run(["python", "-c", code], user_site=True).stdout)
    assert "PYTHONNOUSERSITE" not in with_user


def test_run_resolves_commands_in_the_env_first(plain_env: Venv) -> None:
    out = plain_env.run(["python", "-c", "import sys; print(sys.prefix)"]).stdout.strip()
    assert Path(out) == plain_env.path


def test_run_failure_is_readable(plain_env: Venv) -> None:
    with pytest.raises(CommandError) as info:
        plain_env.run(["python", "-c", "import sys; print('out'); sys.exit('bad thing')"])
    assert "exit code 1" in str(info.value)
    assert "bad thing" in str(info.value)
    proc = plain_env.run(["python", "-c", "raise SystemExit(4)"], check=False)
    assert proc.returncode == 4


def test_cfg_keys_are_lower_cased(plain_env: Venv) -> None:
    assert plain_env.cfg["home"] == os.path.dirname(sys._base_executable)  # type: ignore[attr-defined]


def test_introspect_reports_isolation(plain_env: Venv) -> None:
    facts = plain_env.introspect()
    assert facts.is_venv
    assert facts.enable_user_site is False
    assert facts.site_packages == (os.fspath(plain_env.site_packages),)
    assert facts.module_files["os"] is not None
    assert facts.module_files["os"].startswith(facts.base_prefix)


@pytest.mark.parametrize("installer", ["pip", "uv"])
def test_install_local_wheel_offline(
    installer: str,
    wheel_factory,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    wheel = wheel_factory(console_scripts={"probe": "venvlab_probe:main"})
    venv = create_venv(VenvSpec(creator="venv"), tmp_path / "env")
    venv.install(wheel, installer=installer)
    assert venv.run(["probe"]).stdout.strip() == "probe ok"
    assert (venv.bin_dir / "probe").read_text().startswith(f"#!{venv.python}")


def test_spec_packages_are_installed_at_creation(wheel_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wheel = wheel_factory(name="made_at_build")
    venv = create_venv(VenvSpec(creator="venv", packages=[str(wheel)]), tmp_path / "env")
    assert venv.run(["python", "-c", "import made_at_build"]).returncode == 0


def test_virtualenv_declares_the_pythons_it_can_seed_pip_into() -> None:
    """virtualenv 21's embedded wheels stop at 3.9: it must say so, not fail building."""
    from virtualenv.seed.wheels.embed import BUNDLE_SUPPORT

    for version in ("3.8", "3.9"):
        try:
            resolved = resolve(VenvSpec(creator="virtualenv", python=version, pip=True))
        except InterpreterNotFoundError:
            continue
        reason = resolved.unsupported()
        if version in BUNDLE_SUPPORT:
            assert reason is None
        else:
            assert reason == "creator 'virtualenv' does not support environments with pip"
