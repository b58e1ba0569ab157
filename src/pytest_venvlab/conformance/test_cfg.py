"""Section 1: pyvenv.cfg (CFG-1 … CFG-9)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from .facts import EnvFacts, run_probe
from .marks import requirement
from .support import CONTRACT, CPY, PEP, base_site_packages, is_under, same_path
from .targets import Target


@requirement("CFG-1", PEP)
def test_cfg_file_exists(conf_env: EnvFacts) -> None:
    assert (conf_env.path / "pyvenv.cfg").is_file(), "pyvenv.cfg is missing"


@requirement("CFG-2", PEP)
def test_home_names_the_base_directory(conf_env: EnvFacts, conf_target: Target) -> None:
    home = conf_env.cfg.get("home")
    assert home, "pyvenv.cfg has no 'home' key"
    assert os.path.isabs(home), f"home = {home!r} is not absolute"
    assert os.path.isdir(home), f"home = {home!r} is not an existing directory"
    names = {
        "python",
        "python3",
        f"python{conf_target.version_info[0]}.{conf_target.version_info[1]}",
    }
    assert any(os.path.exists(os.path.join(home, n)) for n in names), (
        f"home = {home!r} holds no base python ({', '.join(sorted(names))})"
    )
    base_prefix = conf_env.probe["base_prefix"]
    assert same_path(base_prefix, conf_env.base["base_prefix"]), (
        f"the venv's sys.base_prefix {base_prefix!r} is not the base's sys.prefix "
        f"{conf_env.base['base_prefix']!r}"
    )


@requirement("CFG-3", PEP)
def test_include_system_site_packages_written(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    value = conf_env.cfg.get("include-system-site-packages")
    assert value is not None, (
        "include-system-site-packages is not written (site.py then defaults to true)"
    )
    expected = conf_target.spec.system_site_packages
    assert (value.lower() == "true") == expected, (
        f"include-system-site-packages = {value!r} but system site-packages were "
        f"{'asked for' if expected else 'not asked for'}"
    )


@requirement("CFG-3", CPY)
def test_include_system_site_packages_exact_line(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    word = "true" if conf_target.spec.system_site_packages else "false"
    line = f"include-system-site-packages = {word}\n".encode()
    assert line in conf_env.cfg_bytes.splitlines(keepends=True), (
        f"pyvenv.cfg lacks the exact line {line!r}"
    )


@requirement("CFG-4", CPY)
def test_version_key(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.interpreter is not None
    assert conf_env.cfg.get("version") == conf_target.interpreter.version, (
        f"version = {conf_env.cfg.get('version')!r}, expected {conf_target.interpreter.version!r}"
    )


@requirement("CFG-5", CPY)
def test_executable_key(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.interpreter is not None
    value = conf_env.cfg.get("executable")
    if conf_target.version_info < (3, 11):
        assert value is None, (
            f"executable = {value!r} is written, but CPython < 3.11 has no such key"
        )
        return
    assert value is not None, "pyvenv.cfg has no 'executable' key (CPython 3.11+ writes it)"
    assert os.path.realpath(value) == value, f"executable = {value!r} is not a real path"
    assert same_path(value, conf_target.interpreter.executable), (
        f"executable = {value!r} is not the creating interpreter "
        f"{os.fspath(conf_target.interpreter.real_executable)!r}"
    )


@requirement("CFG-6", CPY)
def test_command_key(conf_env: EnvFacts, conf_target: Target) -> None:
    spec = conf_target.spec
    assert spec is not None
    assert conf_target.interpreter is not None
    value = conf_env.cfg.get("command")
    if conf_target.version_info < (3, 11):
        assert value is None, f"command = {value!r} is written, but CPython < 3.11 has no such key"
        return
    assert value is not None, "pyvenv.cfg has no 'command' key (CPython 3.11+ writes it)"
    flags = []
    if not spec.symlinks:
        flags.append("--copies")
    if not spec.pip:
        flags.append("--without-pip")
    if spec.system_site_packages:
        flags.append("--system-site-packages")
    if spec.prompt is not None:
        flags.append(f'--prompt="{spec.prompt}"')
    tail = " ".join(["-m venv", *flags, os.fspath(conf_env.path)])
    match = re.fullmatch(r"(\S+) (.*)", value)
    assert match is not None, f"command = {value!r} is not '<python> -m venv ...'"
    assert match.group(2) == tail, f"command = {value!r}, expected '<python> {tail}'"
    assert same_path(match.group(1), conf_target.interpreter.executable), (
        f"command starts with {match.group(1)!r}, not the creating interpreter"
    )


@requirement("CFG-7", CPY, configs="default")
def test_prompt_absent_unless_given(conf_env: EnvFacts) -> None:
    assert "prompt" not in conf_env.cfg, (
        f"prompt = {conf_env.cfg['prompt']!r} is written although no prompt was given"
    )


@requirement("CFG-7", CPY, configs="prompt")
def test_prompt_is_repr(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    assert conf_target.spec.prompt is not None
    expected = repr(conf_target.spec.prompt)
    assert conf_env.cfg.get("prompt") == expected, (
        f"prompt = {conf_env.cfg.get('prompt')!r}, expected the repr {expected!r}"
    )


@requirement("CFG-7", CONTRACT, configs="prompt")
def test_prompt_recorded(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    value = conf_env.cfg.get("prompt")
    assert value is not None, "--prompt was given but pyvenv.cfg has no 'prompt' key"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    assert value == conf_target.spec.prompt, (
        f"prompt = {conf_env.cfg.get('prompt')!r} does not record {conf_target.spec.prompt!r}"
    )


def _write_cfg(env: EnvFacts, text: str) -> None:
    (env.path / "pyvenv.cfg").write_text(text, encoding="utf-8")


@requirement("CFG-8", PEP, configs="default")
def test_parsing_rules(conf_private: Callable[[], EnvFacts], conf_target: Target) -> None:
    env: EnvFacts = conf_private()
    home = env.cfg["home"]
    base_sites = base_site_packages(conf_target)

    def sees_base_site(probe: dict[str, object]) -> bool:
        path = probe["path"]
        assert isinstance(path, list)
        return any(p in path for p in base_sites)

    variants = {
        "no spaces around '='": (f"home={home}\ninclude-system-site-packages=false\n", False),
        "tabs and upper-case key": (
            f"\tHOME\t=\t{home}\ninclude-system-site-packages = false\n",
            False,
        ),
        "upper-case key and value True": (
            f"home = {home}\nINCLUDE-SYSTEM-SITE-PACKAGES=True\n",
            True,
        ),
        "'yes' counts as false": (f"home = {home}\ninclude-system-site-packages = yes\n", False),
        "lines without '=' ignored": (
            f"[venv]\n# a comment\nhome = {home}\njunk line\n"
            "include-system-site-packages = false\n",
            False,
        ),
    }
    problems = []
    for name, (text, visible) in variants.items():
        _write_cfg(env, text)
        probe = run_probe(env.python)
        if Path(probe["prefix"]) != env.path:
            problems.append(f"{name}: sys.prefix is {probe['prefix']!r}, not the venv")
        elif sees_base_site(probe) != visible:
            problems.append(f"{name}: base site-packages {'hidden' if visible else 'visible'}")
    assert not problems, "pyvenv.cfg variants not read as PEP 405 says: " + "; ".join(problems)


@requirement("CFG-9", PEP)
def test_utf8_and_lf(conf_env: EnvFacts) -> None:
    data = conf_env.cfg_bytes
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"pyvenv.cfg is not UTF-8: {exc}") from None
    assert b"\r" not in data, "pyvenv.cfg has CR characters (expected LF line endings)"
    assert is_under(conf_env.path / "pyvenv.cfg", conf_env.path)
