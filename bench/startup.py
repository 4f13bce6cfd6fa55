"""Whole-process start-up of each everyday command, against ``python -c pass`` and ``--help``.

    python bench/startup.py [--runs 15]

Builds a scratch SQLite catalog holding one tiny registered checkpoint (``TINY``) and times,
from exec to exit, in interleaved rounds (so load from other processes hits every command
alike): ``python -c pass``, ``modelreg --help``, ``list``, ``list`` with a filter and a
page, ``show``, ``tree``, ``verify``, ``verify --summary``, ``add`` of a new tiny
checkpoint, ``check`` (an unknown organisation: everything but the rules), and ``smoke``
up to the point where it needs torch (``--max-new-tokens 0``, refused before torch loads).

Prints the median wall time of each, its CPU time (user + system, steadier on a busy
machine), and the targets: ``--help`` <= 0.25 s and ``verify TINY`` <= 0.30 s. Uses the
installed ``modelreg`` when it is on PATH, else ``python -m registry``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"--help": 0.25, "verify TINY": 0.30}


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of the child, exit code) of one run."""
    with open(os.devnull, "wb") as null:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=null, stderr=null, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def tiny_checkpoint(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    raw = b'{"x":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}'
    (path / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + bytes(8))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("modelreg")
    cli = [exe] if exe else [sys.executable, "-m", "registry"]
    tmp = Path(tempfile.mkdtemp(prefix="modelreg-startup-"))
    env = {**os.environ, "MODELREG_DATABASE_URL": f"sqlite:///{tmp / 'catalog.db'}"}
    try:
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)
        tiny = tiny_checkpoint(tmp / "tiny")
        subprocess.run([*cli, "add", str(tiny), "-n", "TINY"], env=env, check=True)
        subprocess.run([*cli, "verify", "TINY"], env=env, check=True, capture_output=True)
        counter = iter(range(10**6))
        commands: dict[str, object] = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "--help": [*cli, "--help"],
            "list": [*cli, "list"],
            "list --license X --limit 50": [*cli, "list", "--license", "unknown", "--limit", "50"],
            "show TINY": [*cli, "show", "TINY"],
            "tree TINY": [*cli, "tree", "TINY"],
            "verify TINY": [*cli, "verify", "TINY"],
            "verify --summary": [*cli, "verify", "--summary"],
            "add (tiny)": lambda: [*cli, "add", str(tiny), "-n", f"tiny-{next(counter)}"],
            "check (unknown org)": [*cli, "check", "TINY", "--org", "ghost", "--use", "internal"],
            "smoke (before torch)": [*cli, "smoke", "TINY", "--max-new-tokens", "0"],
        }
        walls: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        for cmd in commands.values():  # warm the page cache
            timed(cmd() if callable(cmd) else cmd, env)  # type: ignore[arg-type]
        for _ in range(args.runs):
            for label, cmd in commands.items():
                wall, cpu, _code = timed(cmd() if callable(cmd) else cmd, env)  # type: ignore[arg-type]
                walls[label].append(wall)
                cpus[label].append(cpu)
        med = {k: statistics.median(v) for k, v in walls.items()}
        cpu = {k: statistics.median(v) for k, v in cpus.items()}
        print(f"median of {args.runs} interleaved runs, whole process (exec to exit)")
        print(f"{'command':<30} {'wall s':>7} {'cpu s':>7} {'/ --help':>9} {'/ list':>7}")
        for k in commands:
            print(
                f"{k:<30} {med[k]:7.3f} {cpu[k]:7.3f} {med[k] / med['--help']:9.2f} "
                f"{med[k] / med['list']:7.2f}"
            )
        for k, target in TARGETS.items():
            verdict = "met" if med[k] <= target else "MISSED"
            print(f"target {k} <= {target} s: {verdict} ({med[k] / target:.2f} of it)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
