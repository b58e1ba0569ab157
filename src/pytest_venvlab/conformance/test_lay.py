"""Section 5: layout and executables (LAY-1 ... LAY-7)."""

from __future__ import annotations

import os
import stat
import subprocess

from .facts import EnvFacts, bare_env
from .marks import requirement
from .support import CONTRACT, CPY, PEP, is_under, same_path
from .targets import Target


def _xy(target: Target) -> str:
    return "{}.{}".format(*target.version_info)


def _python_names(env: EnvFacts, target: Target) -> list[str]:
    names = ["python", "python3", f"python{_xy(target)}"]
    return [n for n in names if os.path.lexists(env.bin_dir / n)]


@requirement("LAY-1", PEP)
def test_directories(conf_env: EnvFacts) -> None:
    assert conf_env.bin_dir.is_dir(), f"{conf_env.bin_dir} is missing"
    assert conf_env.venv.site_packages.is_dir(), f"{conf_env.venv.site_packages} is missing"


@requirement("LAY-1", CPY)
def test_include_directory(conf_env: EnvFacts, conf_target: Target) -> None:
    include = conf_env.path / "include"
    assert include.is_dir(), "include/ is missing"
    if conf_target.version_info >= (3, 11):
        assert (include / f"python{_xy(conf_target)}").is_dir(), (
            f"include/python{_xy(conf_target)}/ is missing (CPython 3.11+ creates it)"
        )


@requirement("LAY-2", CPY)
def test_lib64_link(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.interpreter is not None
    lib64 = conf_env.path / "lib64"
    interp = conf_target.interpreter
    wanted = interp.is_64bit and interp.os_name == "posix" and interp.platform != "darwin"
    if wanted:
        assert lib64.is_symlink(), "lib64 is not a symlink"
        assert os.readlink(lib64) == "lib", f"lib64 -> {os.readlink(lib64)!r}, expected 'lib'"
    else:
        assert not os.path.lexists(lib64), "lib64 exists on a platform that does not need it"


@requirement("LAY-3", PEP)
def test_python_names(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.interpreter is not None
    base = conf_target.interpreter.real_executable
    for name in ("python", "python3"):
        path = conf_env.bin_dir / name
        assert path.exists(), f"bin/{name} is missing"
        assert same_path(path, base) or (path.is_file() and not path.is_symlink()), (
            f"bin/{name} resolves to {os.path.realpath(path)}, not the base {base}"
        )


@requirement("LAY-3", CPY)
def test_versioned_python(conf_env: EnvFacts, conf_target: Target) -> None:
    if conf_target.version_info >= (3, 9):
        name = f"python{_xy(conf_target)}"
        assert (conf_env.bin_dir / name).exists(), f"bin/{name} is missing (CPython 3.9+)"


@requirement("LAY-4", CONTRACT)
def test_symlinks_or_copies(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    names = _python_names(conf_env, conf_target)
    if conf_target.spec.symlinks:
        path = conf_env.bin_dir / "python"
        assert path.is_symlink() or not path.exists(), (
            "symlinks were asked for, but bin/python is a copy"
        )
        return
    links = [n for n in names if (conf_env.bin_dir / n).is_symlink()]
    assert not links, f"copies were asked for, but these are symlinks: {links}"
    for name in names:
        mode = (conf_env.bin_dir / name).stat().st_mode
        ok = stat.S_ISREG(mode) and bool(mode & 0o111)
        assert ok, f"bin/{name} is not an executable file"


@requirement("LAY-4", CPY)
def test_link_shape_and_modes(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    assert conf_target.interpreter is not None
    names = _python_names(conf_env, conf_target)
    if not conf_target.spec.symlinks:
        modes = {n: oct(stat.S_IMODE((conf_env.bin_dir / n).stat().st_mode)) for n in names}
        assert all(m == "0o755" for m in modes.values()), f"copied pythons' modes: {modes}"
        return
    main = os.path.basename(conf_target.interpreter.base_executable)
    absolute = [n for n in names if os.path.isabs(os.readlink(conf_env.bin_dir / n))]
    assert absolute == [main], (
        f"absolute links: {absolute}; expected only bin/{main} (basename of _base_executable)"
    )
    for name in names:
        if name != main:
            assert os.readlink(conf_env.bin_dir / name) == main, (
                f"bin/{name} -> {os.readlink(conf_env.bin_dir / name)!r}, expected {main!r}"
            )


@requirement("LAY-5", PEP)
def test_activation_scripts(conf_env: EnvFacts) -> None:
    missing = [
        n
        for n in ("activate", "activate.csh", "activate.fish")
        if not (conf_env.bin_dir / n).is_file()
    ]
    assert not missing, f"activation scripts missing: {missing}"
    assert b"\r" not in (conf_env.bin_dir / "activate").read_bytes(), "bin/activate contains CR"


@requirement("LAY-5", CPY)
def test_cpython_script_set(conf_env: EnvFacts) -> None:
    ps1 = conf_env.bin_dir / "Activate.ps1"
    assert ps1.is_file(), "bin/Activate.ps1 (capital A) is missing"
    modes = {
        n: oct(stat.S_IMODE((conf_env.bin_dir / n).stat().st_mode))
        for n in ("activate", "activate.csh", "activate.fish", "Activate.ps1")
        if (conf_env.bin_dir / n).is_file()
    }
    assert all(m == "0o644" for m in modes.values()), f"script modes: {modes}"
    data = ps1.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n"), "bin/Activate.ps1 does not use CRLF"


@requirement("LAY-6", CPY)
def test_gitignore(conf_env: EnvFacts, conf_target: Target) -> None:
    gitignore = conf_env.path / ".gitignore"
    if conf_target.version_info >= (3, 13):
        assert gitignore.is_file(), ".gitignore is missing (the 3.13 CLI writes it)"
        lines = gitignore.read_text("utf-8").splitlines()
        assert "*" in lines, f".gitignore does not ignore '*': {lines}"
    else:
        assert not gitignore.exists(), ".gitignore is written (CPython < 3.13 does not)"


def _pip_files(env: EnvFacts) -> list[str]:
    site = env.venv.site_packages
    return sorted(p.name for p in site.glob("pip*")) if site.is_dir() else []


@requirement("LAY-7", CONTRACT)
def test_pip_when_asked(conf_env: EnvFacts, conf_target: Target) -> None:
    assert conf_target.spec is not None
    if conf_target.spec.pip:
        assert (conf_env.bin_dir / "pip").exists(), "pip was asked for, but bin/pip is missing"
        origin = conf_env.probe["pip_origin"]
        assert origin is not None, "pip was asked for, but 'import pip' fails"
        assert is_under(origin, conf_env.path), (
            f"pip was asked for, but 'import pip' finds {origin}"
        )
        return
    assert not (conf_env.bin_dir / "pip").exists(), "--without-pip, but bin/pip exists"
    assert not _pip_files(conf_env), f"--without-pip, but site-packages has {_pip_files(conf_env)}"
    if not conf_target.spec.system_site_packages:
        proc = subprocess.run(
            [os.fspath(conf_env.python), "-m", "pip", "--version"],
            env=bare_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode != 0, "--without-pip, but 'python -m pip' works"
        assert "No module named pip" in proc.stderr, f"python -m pip said: {proc.stderr.strip()}"


@requirement("LAY-7", CPY, configs="pip")
def test_pip_scripts_and_setuptools(conf_env: EnvFacts, conf_target: Target) -> None:
    xy = _xy(conf_target)
    missing = [n for n in ("pip", "pip3", f"pip{xy}") if not (conf_env.bin_dir / n).exists()]
    assert not missing, f"pip scripts missing: {missing}"
    site = conf_env.venv.site_packages
    has_setuptools = (site / "setuptools").is_dir()
    if conf_target.version_info < (3, 12):
        assert has_setuptools, "setuptools is not installed (ensurepip installs it before 3.12)"
    else:
        assert not has_setuptools, "setuptools is installed (ensurepip stopped at 3.12)"
