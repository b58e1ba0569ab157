"""Section 8: relocation and markers (REL-1, REL-2, MRK-1, MRK-2), and ACT-P1 (read only)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..handle import Venv
from .facts import EnvFacts, run_probe
from .marks import requirement
from .support import CPY, PEP
from .targets import Target


@requirement("REL-1", PEP, configs="default")
def test_moved_env_python_runs(conf_create: Callable[..., Venv], tmp_path: Path) -> None:
    env = conf_create(tmp_path / "V")
    moved = tmp_path / "V2"
    os.rename(env.path, moved)
    probe = run_probe(moved / env.python.relative_to(env.path))
    assert Path(probe["prefix"]) == moved, f"after mv, sys.prefix is {probe['prefix']!r}"


@requirement("REL-1", CPY, configs="default")
def test_moved_env_activate_keeps_old_path(
    conf_create: Callable[..., Venv], tmp_path: Path
) -> None:
    env = conf_create(tmp_path / "V")
    moved = tmp_path / "V2"
    os.rename(env.path, moved)
    text = (moved / "bin" / "activate").read_text("utf-8")
    assert os.fspath(env.path) in text, "bin/activate does not hard-code the creation path"


@requirement("REL-2", PEP)
def test_home_absolute(conf_env: EnvFacts) -> None:
    home = conf_env.cfg.get("home", "")
    assert os.path.isabs(home), f"home = {home!r} is not absolute"


@requirement("MRK-1", PEP)
def test_markers_equal_base(conf_env: EnvFacts) -> None:
    venv, base = conf_env.probe["markers"], conf_env.base["markers"]
    diff = {k: (venv.get(k), v) for k, v in base.items() if venv.get(k) != v}
    assert not diff, f"PEP 508 markers differ (venv, base): {diff}"


@requirement("MRK-2", PEP)
def test_virtual_env_not_set_without_activation(conf_env: EnvFacts) -> None:
    assert conf_env.probe["virtual_env"] is None, "VIRTUAL_ENV is set without activation"
    assert conf_env.probe["prefix"] != conf_env.probe["base_prefix"], "not detectable by PFX-1"


@requirement("ACT-P1", CPY, configs="default")
def test_powershell_script_is_relocatable(conf_env: EnvFacts, conf_target: Target) -> None:
    # The script's name (capital A) is LAY-5's business; here, what it does.
    found = [conf_env.bin_dir / n for n in ("Activate.ps1", "activate.ps1")]
    ps1 = next((f for f in found if f.is_file()), found[0])
    assert ps1.is_file(), "no PowerShell activation script (bin/Activate.ps1)"
    text = ps1.read_text("utf-8", errors="replace")
    assert "__VENV_" not in text, "Activate.ps1 has unsubstituted placeholders"
    assert os.fspath(conf_env.path) not in text, (
        "Activate.ps1 hard-codes the venv path (CPython's derives it from the script location)"
    )
    assert "VIRTUAL_ENV_PROMPT" in text or conf_target.version_info < (3, 10), (
        "Activate.ps1 does not set VIRTUAL_ENV_PROMPT (3.10+)"
    )
