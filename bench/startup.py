"""Start-up time of ``modelreg --help`` against ``python -c pass``, measured in one run.

    python bench/startup.py [--runs 15]

Prints the median wall time of each and the difference; the target is ``--help`` ≤ 0.25 s.
Uses the installed ``modelreg`` when it is on PATH, else ``python -m registry``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=False)  # warm the page cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("modelreg")
    target = [exe] if exe else [sys.executable, "-m", "registry"]
    python = median_seconds([sys.executable, "-c", "pass"], args.runs)
    helptime = median_seconds([*target, "--help"], args.runs)
    print(f"python -c pass        {python:.3f} s (median of {args.runs})")
    print(f"{' '.join(target[-2:])} --help  {helptime:.3f} s")
    print(f"overhead over python  {helptime - python:.3f} s")
    print(f"target 0.25 s: {'met' if helptime <= 0.25 else 'MISSED'} ({helptime / 0.25:.2f} of it)")


if __name__ == "__main__":
    main()
