"""Creator benchmark: venvlab against its peers, measured in one run, reported as ratios.

Run it from the repository (the package installed, uv available)::

    python benchmarks/bench_creators.py [--python 3.12] [--repeat 15] [--inprocess 300]

Three comparisons, each measured interleaved (peer, venvlab, peer, venvlab, ...) so machine
load hits both alike; the median of ``--repeat`` runs is reported:

1. a bare environment (no pip) as a whole process: ``python -m pytest_venvlab.create
   --without-pip --python <abs path>`` against ``uv venv --python <abs path>`` (and
   ``python -m venv --without-pip`` for reference; the host interpreter's own start-up,
   ``python -c pass``, is printed too because it is a floor for any Python command line);
2. venvlab in-process, per environment (``create_environment`` in a loop), in the temporary
   directory and again on ``/dev/shm`` (RAM) to separate the code's cost from the disk's;
3. an environment with pip: ``python -m pytest_venvlab.create`` against ``uv venv --seed
   --offline --no-index --find-links <ensurepip/_bundled>`` (offline seeding from the same
   wheel), and venvlab in-process with pip.

Targets (issue #4): (1) ratio <= 1, (2) <= 1 ms, (3) ratio <= 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pytest_venvlab import find_interpreter
from pytest_venvlab.creators.uv_creator import find_uv
from pytest_venvlab.venvlab.builder import Options, create_environment


def _timed_process(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def _interleaved(
    commands: dict[str, Callable[[Path], list[str]]], work: Path, repeat: int
) -> dict[str, float]:
    """Median seconds per command, run round-robin ``repeat`` times into fresh directories."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_"))}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(repeat + 1):  # round 0 warms caches and is not counted
        for name, make in commands.items():
            dest = work / f"{name}-{round_no}"
            elapsed = _timed_process(make(dest), env)
            if round_no:
                times[name].append(elapsed)
            shutil.rmtree(dest, ignore_errors=True)
    return {name: statistics.median(values) for name, values in times.items()}


def _in_process(python: str, count: int, work: Path, *, pip: bool) -> float:
    interp = find_interpreter(python)
    options = Options(pip=pip)
    create_environment(interp, work / "warm", options)  # seeds and caches, not counted
    start = time.perf_counter()
    for i in range(count):
        create_environment(interp, work / f"env{i}", options)
    return (time.perf_counter() - start) / count


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="3.12", help="base interpreter (default 3.12)")
    parser.add_argument("--repeat", type=int, default=15, help="process runs per command")
    parser.add_argument("--inprocess", type=int, default=300, help="envs for in-process timing")
    args = parser.parse_args()

    uv = find_uv()
    if uv is None:
        sys.exit("uv is needed for this benchmark: pip install uv")
    interp = find_interpreter(args.python)
    base = os.fspath(interp.executable)
    bundled = os.fspath(interp.bundled_wheels[0].parent) if interp.bundled_wheels else ""
    host = sys.executable
    venvlab = [host, "-m", "pytest_venvlab.create", "--python", base]

    print(f"host {host} (Python {sys.version.split()[0]}), base {base} ({interp.version})")
    print(f"uv {uv}")
    with tempfile.TemporaryDirectory(prefix="bench-creators-") as tmp:
        work = Path(tmp)
        bare = _interleaved(
            {
                "host start-up (python -c pass)": lambda d: [host, "-c", "pass"],
                "host + import pytest_venvlab": lambda d: [host, "-c", "import pytest_venvlab"],
                "uv venv": lambda d: [uv, "venv", "--quiet", "--python", base, os.fspath(d)],
                "venvlab (process)": lambda d: [*venvlab, "--without-pip", os.fspath(d)],
                "python -m venv --without-pip": lambda d: [
                    base,
                    "-m",
                    "venv",
                    "--without-pip",
                    os.fspath(d),
                ],
            },
            work,
            args.repeat,
        )
        seeded = _interleaved(
            {
                "uv venv --seed (offline)": lambda d: [
                    uv,
                    "venv",
                    "--quiet",
                    "--seed",
                    "--offline",
                    "--no-index",
                    "--find-links",
                    bundled,
                    "--python",
                    base,
                    os.fspath(d),
                ],
                "venvlab with pip (process)": lambda d: [*venvlab, os.fspath(d)],
            },
            work,
            args.repeat,
        )
        (work / "in").mkdir()
        (work / "inpip").mkdir()
        per_env = _in_process(args.python, args.inprocess, work / "in", pip=False)
        per_env_pip = _in_process(
            args.python, max(args.inprocess // 10, 10), work / "inpip", pip=True
        )
    # The same on a RAM file system, if there is one: separates the code from the disk.
    per_env_ram: float | None = None
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(prefix="bench-creators-", dir="/dev/shm") as tmp:
            per_env_ram = _in_process(args.python, args.inprocess, Path(tmp), pip=False)

    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print("\nbare environment, whole process (median of", args.repeat, "runs)")
    for name, value in bare.items():
        print(f"  {name:34} {_ms(value)}")
    ratio_bare = bare["venvlab (process)"] / bare["uv venv"]
    print(f"  ratio venvlab / uv venv            {ratio_bare:8.2f}   (target <= 1)")
    print("\nenvironment with pip, whole process")
    for name, value in seeded.items():
        print(f"  {name:34} {_ms(value)}")
    ratio_pip = seeded["venvlab with pip (process)"] / seeded["uv venv --seed (offline)"]
    print(f"  ratio venvlab / uv venv --seed     {ratio_pip:8.2f}   (target <= 1)")
    print("\nin-process, per environment")
    print(f"  venvlab bare                       {_ms(per_env)}   (target <= 1 ms)")
    if per_env_ram is not None:
        print(f"  venvlab bare, on /dev/shm          {_ms(per_env_ram)}")
    print(f"  venvlab with pip                   {_ms(per_env_pip)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
