"""Shared test helpers for pytest-venvlab's own suite."""

from __future__ import annotations

import base64
import hashlib
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

WheelFactory = Callable[..., Path]


def build_wheel(
    dest_dir: Path,
    name: str = "venvlab_probe",
    version: str = "1.0",
    *,
    modules: dict[str, str] | None = None,
    console_scripts: dict[str, str] | None = None,
) -> Path:
    """Write a pure-Python wheel with the standard library only (tests stay offline).

    ``modules`` maps file names inside the wheel (``pkg/__init__.py``) to their text;
    ``console_scripts`` maps script names to ``module:function``.
    """
    dist = name.replace("-", "_")
    modules = modules or {f"{dist}.py": "VALUE = 42\n\ndef main():\n    print('probe ok')\n"}
    info = f"{dist}-{version}.dist-info"
    files: dict[str, str] = dict(modules)
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    files[f"{info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: venvlab-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if console_scripts:
        lines = "".join(f"{k} = {v}\n" for k, v in console_scripts.items())
        files[f"{info}/entry_points.txt"] = f"[console_scripts]\n{lines}"
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = "\n".join(record) + "\n"
    dest_dir.mkdir(parents=True, exist_ok=True)
    wheel = dest_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture(autouse=True)
def _lean_inner_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner pytest runs (pytester, subprocesses) skip plugins that only slow them down.

    hypothesis re-imports and rewrites ~300 modules per in-process run; pytest-benchmark warns
    under xdist. Neither is used by the runs our tests start.
    """
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest -p no:benchmark")


@pytest.fixture(scope="session")
def wheel_factory(tmp_path_factory: pytest.TempPathFactory) -> WheelFactory:
    """Build a local wheel: ``wheel_factory(name="pkg", version="1.0", modules=..., ...)``."""
    root = tmp_path_factory.mktemp("wheels")

    def make(name: str = "venvlab_probe", version: str = "1.0", **kwargs: object) -> Path:
        return build_wheel(
            root / f"{name}-{version}-{os.urandom(4).hex()}", name, version, **kwargs
        )  # type: ignore[arg-type]

    return make
