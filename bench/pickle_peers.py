"""Pickle scanning against the peers: modelreg, picklescan, fickling and modelscan.

Builds the corpus of ``tests/checkpoints/pickle_corpus.py`` in a temporary folder (malicious
samples hand-assembled from opcodes, one per advisory class and gadget family of issue 9;
benign checkpoints made with the real torch, numpy and transformers) and runs every scanner
on every file, each as its own front end would judge it:

- modelreg: ``registry.checkpoints.file_formats.analyse`` (what ``modelreg add`` runs, no
  ``--allow-pickle``); caught = refused with exit 4; error = any other exception;
- picklescan: ``scan_file_path``; caught = an infected file; error = a scan error without
  a finding, or an exception;
- fickling: ``scan_zip_archive`` for zips (as its CLI does), ``scan_file`` otherwise, both
  ``graceful``; caught = a verdict other than likely safe; error = parse errors reported
  with a safe verdict, or an exception;
- modelscan: ``ModelScan().scan``; caught = an issue; error = errors reported without an
  issue, or an exception. A file a tool skips counts as missed.

A false positive is a benign checkpoint caught. Prints one row per tool (caught / missed /
false positives / errors, corpus size), then the malicious samples some peer caught and
modelreg missed, and the benign ones modelreg refused (the targets: none of either).

    pip install -e ".[peers]"          # picklescan, fickling, modelscan
    python bench/pickle_peers.py        # add --verbose for one line per sample and tool

A peer that is not installed is reported as such and left out of the table.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.checkpoints.file_formats import analyse  # noqa: E402
from registry.errors import CheckpointError  # noqa: E402
from tests.checkpoints.pickle_corpus import Sample, write_corpus  # noqa: E402

CAUGHT, CLEAN, ERROR = "caught", "clean", "error"
Scanner = Callable[[Path, str], str]


def modelreg(path: Path, rel: str) -> str:
    try:
        analyse(path, rel, path.stat().st_size)
    except CheckpointError:
        return CAUGHT
    return CLEAN


def picklescan() -> Scanner | None:
    try:
        from picklescan.scanner import scan_file_path
    except ImportError:
        return None

    def run(path: Path, rel: str) -> str:
        result = scan_file_path(str(path))
        if result.infected_files or result.issues_count:
            return CAUGHT
        return ERROR if result.scan_err else CLEAN

    return run


def fickling() -> Scanner | None:
    try:
        from fickling import scan_file, scan_zip_archive
    except ImportError:
        return None

    def run(path: Path, rel: str) -> str:
        if zipfile.is_zipfile(path):
            results = list(scan_zip_archive(str(path), graceful=True).values())
        else:
            results = [scan_file(str(path), graceful=True)]
        if any(not r.is_safe for r in results):
            return CAUGHT
        return ERROR if any(r.errors for r in results) else CLEAN

    return run


def modelscan() -> Scanner | None:
    try:
        from modelscan.modelscan import ModelScan
    except ImportError:
        return None

    def run(path: Path, rel: str) -> str:
        result = ModelScan().scan(path)
        if result["summary"]["total_issues"]:
            return CAUGHT
        return ERROR if result["errors"] else CLEAN

    return run


def judge(scanner: Scanner, path: Path, rel: str) -> str:
    """A tool's verdict; an exception escaping it is an error (a traceback for its user)."""
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return scanner(path, rel)
    except Exception:  # noqa: BLE001 - any escape is the tool's error, counted as such
        return ERROR


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per sample and tool")
    opts = parser.parse_args()
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    tools: dict[str, Scanner] = {"modelreg": modelreg}
    for name, factory in (("picklescan", picklescan), ("fickling", fickling), ("modelscan", modelscan)):  # fmt: skip  # noqa: E501
        scanner = factory()
        if scanner is None:
            print(f"{name}: not installed (pip install -e '.[peers]'); left out")
        else:
            tools[name] = scanner
    with tempfile.TemporaryDirectory(prefix="modelreg-pickle-corpus-") as tmp:
        corpus = write_corpus(Path(tmp))
        verdicts: dict[str, dict[str, str]] = {name: {} for name in tools}
        for sample, path in corpus:
            for name, scanner in tools.items():
                verdicts[name][sample.name] = judge(scanner, path, sample.filename)
                if opts.verbose:
                    print(f"{sample.name:32} {name:11} {verdicts[name][sample.name]}")
    report(tools, verdicts, [sample for sample, _ in corpus])
    return 0


def report(
    tools: dict[str, Scanner], verdicts: dict[str, dict[str, str]], corpus: list[Sample]
) -> None:  # noqa: E501
    bad = [s for s in corpus if s.malicious]
    good = [s for s in corpus if not s.malicious]
    print(f"\ncorpus: {len(corpus)} files, {len(bad)} malicious, {len(good)} benign\n")
    print(f"{'tool':12} {'caught':>8} {'missed':>8} {'false pos.':>11} {'errors':>8} {'recall':>8}")
    for name in tools:
        v = verdicts[name]
        caught = sum(v[s.name] == CAUGHT for s in bad)
        errors = sum(v[s.name] == ERROR for s in corpus)
        missed = sum(v[s.name] != CAUGHT for s in bad)
        false_pos = sum(v[s.name] != CLEAN for s in good)
        print(
            f"{name:12} {caught:>5}/{len(bad):<3}{missed:>7} {false_pos:>7}/{len(good):<3}"
            f"{errors:>8} {caught / len(bad):>8.0%}"
        )
    peers = [name for name in tools if name != "modelreg"]
    ours = verdicts["modelreg"]
    gaps = [
        s.name for s in bad
        if ours[s.name] != CAUGHT and any(verdicts[p][s.name] == CAUGHT for p in peers)
    ]  # fmt: skip
    refused = [s.name for s in good if ours[s.name] != CLEAN]
    print(f"\ncaught by a peer, missed by modelreg: {', '.join(gaps) or 'none'}")
    print(f"benign checkpoints modelreg refused: {', '.join(refused) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
