"""How long ``pytest --venv-conformance`` takes, against the cost of only building its envs.

Usage (from anywhere, with the plugin installed)::

    python benchmarks/bench_conformance.py            # one creator, one Python, every config
    python benchmarks/bench_conformance.py --full     # + every built-in creator on 3.8-3.13

Each measurement is a cold run (fresh temporary directory, no persistent cache). The baseline is
building the same environments (every configuration of the creator on the running Python, plus
the two prompt variants) with :func:`pytest_venvlab.create_venv`, serially, in the same process
run: the ratio says what the checks cost on top of the environments they need.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_venvlab import VenvSpec, create_venv

PYTHONS = "3.8,3.9,3.10,3.11,3.12,3.13"


def run_suite(*args: str) -> tuple[float, int, str]:
    with tempfile.TemporaryDirectory(prefix="bench-conformance-") as tmp:
        argv = [
            sys.executable,
            "-m",
            "pytest",
            "--venv-conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            "--basetemp",
            os.path.join(tmp, "base"),
            *args,
        ]
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    tail = (proc.stdout.strip().splitlines() or [""])[-1]
    return elapsed, proc.returncode, tail


def build_only(creator: str) -> float:
    specs = [
        VenvSpec(creator=creator, symlinks=s, system_site_packages=y, pip=p)
        for s, y, p in itertools.product((True, False), (False, True), (False, True))
    ]
    specs += [specs[0].replace(prompt="it's me"), specs[0].replace(prompt="$(echo INJECTED)")]
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        started = time.perf_counter()
        for i, spec in enumerate(specs):
            create_venv(spec, Path(tmp) / f"env{i}")
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creator", default="venv")
    parser.add_argument("--full", action="store_true", help="also every built-in on 3.8-3.13")
    parser.add_argument("-n", default="auto", help="xdist workers (default: auto)")
    args = parser.parse_args()
    cpus = os.cpu_count()
    load = os.getloadavg()[0]
    print(f"machine: {cpus} CPUs, load average {load:.1f}; python {sys.version.split()[0]}")

    baseline = build_only(args.creator)
    print(f"build only   {args.creator}, every configuration, serial: {baseline:6.1f} s")
    for workers in ("0", args.n):
        elapsed, rc, tail = run_suite("--venv-creator", args.creator, "-n", workers)
        print(
            f"conformance  {args.creator}, every configuration, -n {workers:>4}: {elapsed:6.1f} s "
            f"({elapsed / baseline:.1f}x build only; exit {rc}; {tail})"
        )
    if args.full:
        elapsed, rc, tail = run_suite("--venv-python", PYTHONS, "-n", args.n)
        print(
            f"conformance  every built-in creator x CPython {PYTHONS}, -n {args.n}: "
            f"{elapsed:6.1f} s (exit {rc}; {tail})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
