"""Benchmark of the environment cache against its peers, all measured in the same run.

Run it from the repository (with the package installed)::

    python benchmarks/bench_cache.py --python 3.12

It prints a table of medians (and minimums) for:

* handing out a shared environment that is already cached (``venv_factory(pip=True)``);
* a private copy of a cached environment with pip (``venv_factory(pip=True, private=True)``),
  made on demand, and handed out from the copy pool after a test-like pause;
* the peers that make an environment with pip from scratch: ``python -m venv``,
  ``virtualenv`` and ``uv venv --seed`` (offline, from the interpreter's bundled pip wheel;
  uv only seeds offline for Python 3.12 and later);
* a first build of an environment with pip, with each creator given by ``--creator``.

Ratios are "peer time / our time" (how many times faster the cache is). Timings on a busy
machine vary run to run; compare the ratios, which are measured side by side.
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

from pytest_venvlab import VenvSpec, create_venv, find_interpreter
from pytest_venvlab.cache.copies import CopyPool
from pytest_venvlab.cache.factory import VenvFactory
from pytest_venvlab.cache.store import EnvStore
from pytest_venvlab.creators.registry import get_creator
from pytest_venvlab.process import hermetic_env

Row = tuple[str, list[float]]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(
    rounds: int, action: Callable[[int], object], reset: Callable[[int], object]
) -> list[float]:
    samples = []
    for i in range(rounds):
        samples.append(timed(lambda i=i: action(i)))
        reset(i)
    return samples


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


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
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
        "--pause", type=float, default=0.5, help="seconds a 'test' runs between pooled handouts"
    )
    args = parser.parse_args()
    interpreter = find_interpreter(args.python)
    python = os.fspath(interpreter.executable)
    creators = args.creator or ["venv", "venvlab"]
    root = Path(tempfile.mkdtemp(prefix="venvlab-bench-"))
    env = hermetic_env()
    rows: list[Row] = []
    try:
        spec = VenvSpec(python=python, pip=True, creator=creators[0])
        store = EnvStore(root / "store")
        factory = VenvFactory(store, CopyPool(root / "private", prepare_ahead=False), spec)
        factory()  # the first build, not timed here (see "first build" rows)

        shared = measure(max(args.rounds, 1000), lambda i: factory(), lambda i: None)
        rows.append(("shared handout (cached, with pip)", shared))

        def drop(i: int) -> None:
            for path in list(factory._copies):
                factory._copies.discard(path)
                shutil.rmtree(path)

        private = measure(args.rounds, lambda i: factory(private=True), drop)
        rows.append(("private copy, on demand", private))

        pooled_factory = VenvFactory(store, CopyPool(root / "pooled"), spec)
        pooled_factory(private=True)  # starts the pool

        def pause_then_drop(i: int) -> None:
            for path in list(pooled_factory._copies):
                pooled_factory._copies.discard(path)
                shutil.rmtree(path)
            time.sleep(args.pause)

        pooled = measure(args.rounds, lambda i: pooled_factory(private=True), pause_then_drop)
        rows.append((f"private copy, from the pool ({args.pause:.1f}s test)", pooled))
        pooled_factory.close()

        source = factory().path
        strategies = root / "strategies"
        strategies.mkdir()
        for name, strategy in COPY_STRATEGIES.items():
            rows.append(
                (
                    f"copy strategy: {name}",
                    measure(
                        args.rounds,
                        lambda i, strategy=strategy: strategy(source, strategies / f"c{i}"),
                        lambda i: shutil.rmtree(strategies / f"c{i}"),
                    ),
                )
            )

        peers = root / "peers"
        peers.mkdir()

        def run(argv: list[str]) -> None:
            subprocess.run(argv, check=True, env=env, capture_output=True)

        def rm(i: int, name: str) -> None:
            shutil.rmtree(peers / f"{name}{i}", ignore_errors=True)

        rows.append(
            (
                "peer: python -m venv (with pip)",
                measure(
                    args.slow_rounds,
                    lambda i: run([python, "-m", "venv", os.fspath(peers / f"venv{i}")]),
                    lambda i: rm(i, "venv"),
                ),
            )
        )
        virtualenv = [
            sys.executable,
            "-m",
            "virtualenv",
            "--no-periodic-update",
            "-q",
            "-p",
            python,
        ]
        rows.append(
            (
                "peer: virtualenv (with pip)",
                measure(
                    args.rounds,
                    lambda i: run([*virtualenv, os.fspath(peers / f"virtualenv{i}")]),
                    lambda i: rm(i, "virtualenv"),
                ),
            )
        )
        uv = shutil.which("uv")
        if uv is not None and interpreter.version_info[:2] >= (3, 12):
            bundled = os.fspath(interpreter.bundled_wheels[0].parent)
            uv_argv = [uv, "venv", "--seed", "--offline", "--no-index", "--find-links", bundled]
            uv_argv += ["-q", "-p", python]
            rows.append(
                (
                    "peer: uv venv --seed",
                    measure(
                        args.rounds,
                        lambda i: run([*uv_argv, os.fspath(peers / f"uv{i}")]),
                        lambda i: rm(i, "uv"),
                    ),
                )
            )
        else:
            print(f"(uv venv --seed skipped: needs uv and Python >= 3.12 offline; got {python})")

        for name in creators:
            reason = get_creator(name).availability()
            if not reason.available:
                print(f"(first build with {name} skipped: {reason.reason})")
                continue
            rows.append(
                (
                    f"first build with pip: {name}",
                    measure(
                        args.slow_rounds,
                        lambda i, name=name: create_venv(
                            spec.replace(creator=name), peers / f"first-{name}{i}"
                        ),
                        lambda i, name=name: rm(i, f"first-{name}"),
                    ),
                )
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)

    report(rows, interpreter.version)
    return 0


def report(rows: list[Row], version: str) -> None:
    ours = {name: statistics.median(samples) for name, samples in rows}
    copy = ours["private copy, on demand"]
    pooled = next(v for k, v in ours.items() if k.startswith("private copy, from the pool"))
    print(f"\nPython {version}, {os.cpu_count()} CPUs; times in ms (median, min, rounds)")
    header = f"{'operation':<46} {'median':>9} {'min':>9} {'n':>5} {'x copy':>8} {'x pool':>8}"
    print(header)
    print("-" * len(header))
    for name, samples in rows:
        median = statistics.median(samples)
        print(
            f"{name:<46} {ms(median)} {ms(min(samples))} {len(samples):>5} "
            f"{median / copy:>8.1f} {median / pooled:>8.1f}"
        )
    print("\nx copy / x pool: the row's median divided by the private copy's (on demand / pooled)")


if __name__ == "__main__":
    sys.exit(main())
