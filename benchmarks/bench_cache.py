"""Benchmark of the environment cache against its peers, all measured in the same run.

Run it from the repository (with the package installed)::

    python benchmarks/bench_cache.py --python 3.12

It prints a table of medians (and minimums) for:

* handing out a shared environment that is already cached (``venv_factory(pip=True)``);
* a private copy of a cached environment with pip (``venv_factory(pip=True, private=True)``):
  made on demand (``cp -a`` and relocation); made ahead in the background while a "test"
  sleeps ``--pause`` seconds; and recycled (a copy a test changed, reset to pristine);
* the copy strategies on the same environment: ``shutil.copytree``, ``cp -a`` (used), and a
  walk that copies each file with ``os.copy_file_range``;
* the peers that make an environment with pip from scratch: ``python -m venv``,
  ``virtualenv`` and ``uv venv --seed`` (offline, from the interpreter's bundled pip wheel;
  uv only seeds offline for Python 3.12 and later);
* a first build of an environment with pip, with each creator given by ``--creator``.

The rounds are interleaved (each round measures every operation once), so a machine whose load
changes during the run slows every row alike; the ratio columns compare rows side by side.
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
from dataclasses import dataclass, field
from pathlib import Path

from pytest_venvlab import Venv, VenvSpec, create_venv, find_interpreter
from pytest_venvlab.cache.copies import CopyPool
from pytest_venvlab.cache.factory import VenvFactory
from pytest_venvlab.cache.store import EnvStore
from pytest_venvlab.creators.registry import get_creator
from pytest_venvlab.process import hermetic_env

#: Shared handouts timed per round (their mean is one sample).
SHARED_BATCH = 200


@dataclass
class Case:
    """One row: ``sample(i)`` does one round's work and returns the seconds it timed."""

    name: str
    sample: Callable[[int], float]
    #: Rounds this case takes part in (slow peers take part in fewer).
    rounds: int
    samples: list[float] = field(default_factory=list)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def copy_with_cp(source: Path, dest: Path) -> None:
    subprocess.run(["cp", "-a", "--", source, dest], check=True)


def copy_with_copy_file_range(source: Path, dest: Path) -> None:
    """Walk the tree; copy each file's bytes in the kernel with ``os.copy_file_range``."""
    for directory, dirs, files in os.walk(source):
        target = dest / os.path.relpath(directory, source)
        target.mkdir()
        for name in [*dirs, *files]:
            path = os.path.join(directory, name)
            if os.path.islink(path):
                os.symlink(os.readlink(path), target / name)
                continue
            if name in dirs:
                continue
            info = os.stat(path)
            with open(path, "rb") as src, open(target / name, "wb") as dst:
                left = info.st_size
                while left > 0:
                    done = os.copy_file_range(src.fileno(), dst.fileno(), left)
                    if done == 0:
                        break
                    left -= done
            os.chmod(target / name, info.st_mode & 0o7777)
            os.utime(target / name, ns=(info.st_atime_ns, info.st_mtime_ns))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(directory, d))]


COPY_STRATEGIES: dict[str, Callable[[Path, Path], object]] = {
    "shutil.copytree": lambda source, dest: shutil.copytree(source, dest, symlinks=True),
    "cp -a (used)": copy_with_cp,
    "copy_file_range walk": copy_with_copy_file_range,
}


def vandalise(env: Venv) -> None:
    """What a test might do to its copy: install a small package, delete and edit files."""
    package = env.site_packages / "bench_pkg"
    package.mkdir()
    for i in range(20):
        (package / f"mod{i}.py").write_text(f"VALUE = {i}\n")
    info = env.site_packages / "bench_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: bench-pkg\nVersion: 1.0\n")
    (env.bin_dir / "activate.csh").unlink()
    with open(env.path / "pyvenv.cfg", "a") as cfg:
        cfg.write("bench = 1\n")


def wait_for_removals(pool: CopyPool) -> None:
    for proc in pool._removals:
        proc.wait()


def private_cases(
    store: EnvStore, spec: VenvSpec, root: Path, pause: float, rounds: int
) -> list[Case]:
    on_demand = VenvFactory(store, CopyPool(root / "p1", prepare_ahead=False, recycle=False), spec)
    ahead = VenvFactory(store, CopyPool(root / "p2", recycle=False), spec)
    recycled = VenvFactory(store, CopyPool(root / "p3", prepare_ahead=False), spec)
    recycled.remove(recycled(private=True))  # one used copy waiting

    def give_back(factory: VenvFactory, venv: Venv) -> None:
        factory.remove(venv)
        wait_for_removals(factory.pool)

    def sample_on_demand(i: int) -> float:
        started = time.perf_counter()
        venv = on_demand(private=True)
        seconds = time.perf_counter() - started
        give_back(on_demand, venv)
        return seconds

    def sample_ahead(i: int) -> float:
        first = ahead(private=True)  # starts making the next copy
        time.sleep(pause)  # the test using the first copy
        started = time.perf_counter()
        venv = ahead(private=True)
        seconds = time.perf_counter() - started
        give_back(ahead, first)
        give_back(ahead, venv)
        return seconds

    def sample_recycled(i: int) -> float:
        started = time.perf_counter()
        venv = recycled(private=True)
        seconds = time.perf_counter() - started
        vandalise(venv)
        give_back(recycled, venv)
        return seconds

    return [
        Case("private copy, made on demand", sample_on_demand, rounds),
        Case(f"private copy, made ahead ({pause:.1f}s test)", sample_ahead, rounds),
        Case("private copy, recycled (test changed it)", sample_recycled, rounds),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--python", default="3.12", help="base Python for every env (default 3.12)")
    parser.add_argument("--rounds", type=int, default=11, help="rounds of the fast operations")
    parser.add_argument("--slow-rounds", type=int, default=3, help="rounds of builds from scratch")
    parser.add_argument(
        "--creator",
        action="append",
        default=[],
        help="creator(s) whose first build with pip is timed (default: venv and venvlab)",
    )
    parser.add_argument(
        "--pause", type=float, default=0.5, help="seconds a 'test' runs before the next handout"
    )
    args = parser.parse_args()
    interpreter = find_interpreter(args.python)
    python = os.fspath(interpreter.executable)
    creators = args.creator or ["venv", "venvlab"]
    root = Path(tempfile.mkdtemp(prefix="venvlab-bench-"))
    env = hermetic_env()
    try:
        spec = VenvSpec(python=python, pip=True, creator=creators[0])
        store = EnvStore(root / "store")
        factory = VenvFactory(store, CopyPool(root / "private"), spec)
        source = factory().path  # the first build; timed in the "first build" rows

        def sample_shared(i: int) -> float:
            return timed(lambda: [factory() for _ in range(SHARED_BATCH)]) / SHARED_BATCH

        cases = [Case("shared handout (cached, with pip)", sample_shared, args.rounds)]
        cases += private_cases(store, spec, root, args.pause, args.rounds)

        scratch = root / "scratch"
        scratch.mkdir()

        def creating(action: Callable[[Path], object]) -> Callable[[int], float]:
            def sample(i: int) -> float:
                dest = scratch / f"d{i}"
                seconds = timed(lambda: action(dest))
                shutil.rmtree(dest, ignore_errors=True)
                return seconds

            return sample

        for name, strategy in COPY_STRATEGIES.items():
            cases.append(
                Case(
                    f"copy strategy: {name}",
                    creating(lambda dest, strategy=strategy: strategy(source, dest)),
                    args.rounds,
                )
            )

        def run(argv: list[str]) -> None:
            subprocess.run(argv, check=True, env=env, capture_output=True)

        cases.append(
            Case(
                "peer: python -m venv (with pip)",
                creating(lambda dest: run([python, "-m", "venv", os.fspath(dest)])),
                args.slow_rounds,
            )
        )
        virtualenv = [sys.executable, "-m", "virtualenv", "--no-periodic-update", "-q"]
        cases.append(
            Case(
                "peer: virtualenv (with pip)",
                creating(lambda dest: run([*virtualenv, "-p", python, os.fspath(dest)])),
                args.rounds,
            )
        )
        uv = shutil.which("uv")
        if uv is not None and interpreter.version_info[:2] >= (3, 12):
            bundled = os.fspath(interpreter.bundled_wheels[0].parent)
            uv_argv = [uv, "venv", "--seed", "--offline", "--no-index", "--find-links", bundled]
            cases.append(
                Case(
                    "peer: uv venv --seed",
                    creating(lambda dest: run([*uv_argv, "-q", "-p", python, os.fspath(dest)])),
                    args.rounds,
                )
            )
        else:
            print(f"(uv venv --seed skipped: needs uv and Python >= 3.12 offline; got {python})")

        for name in creators:
            availability = get_creator(name).availability()
            if not availability.available:
                print(f"(first build with {name} skipped: {availability.reason})")
                continue
            cases.append(
                Case(
                    f"first build with pip: {name}",
                    creating(lambda dest, name=name: create_venv(spec.replace(creator=name), dest)),
                    args.slow_rounds,
                )
            )

        for i in range(max(c.rounds for c in cases)):
            for case in cases:
                if i < case.rounds:
                    case.samples.append(case.sample(i))
        factory.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)

    report(cases, interpreter.version)
    return 0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f}"


def report(cases: list[Case], version: str) -> None:
    medians = {c.name: statistics.median(c.samples) for c in cases}
    copy = medians["private copy, made on demand"]
    recycled = medians["private copy, recycled (test changed it)"]
    print(f"\nPython {version}, {os.cpu_count()} CPUs; times in ms (median, min, rounds)")
    header = f"{'operation':<46} {'median':>9} {'min':>9} {'n':>4} {'/ copy':>8} {'/ recycled':>10}"
    print(header)
    print("-" * len(header))
    for case in cases:
        median = medians[case.name]
        print(
            f"{case.name:<46} {ms(median)} {ms(min(case.samples))} {len(case.samples):>4} "
            f"{median / copy:>8.2f} {median / recycled:>10.1f}"
        )
    print(
        "\n/ copy, / recycled: the row's median divided by that of a private copy made on "
        "demand,\nor recycled (above 1: the private copy is that many times faster)"
    )


if __name__ == "__main__":
    sys.exit(main())
