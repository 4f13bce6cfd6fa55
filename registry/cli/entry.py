"""The console script: ``modelreg check`` straight to its body, everything else to typer.

A plain ``modelreg [--db URL] [--policies DIR]... check ...`` is parsed here with argparse
(no typer, no pydantic, no SQLAlchemy imported) and run by :mod:`registry.cli.check_run`.
Anything else, including ``--help``, an unknown option or a malformed argument, goes to the
typer app, which owns the help texts and usage errors. Errors are reported as the typer
app reports them: ``error: ...`` on stderr and the error's exit code.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registry.db.engine import Catalog


class _Fallback(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Fallback(message)


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    root = _Parser(add_help=False, allow_abbrev=False, prog="modelreg")
    root.add_argument("--db")
    root.add_argument("--policies", action="append", type=Path, default=[])
    root.add_argument("command")
    sub = _Parser(add_help=False, allow_abbrev=False, prog="modelreg check")
    sub.add_argument("variant", nargs="?")
    sub.add_argument("--org")
    sub.add_argument("--use")
    sub.add_argument("--public-name", dest="public_name")
    sub.add_argument("--purpose", dest="purposes", action="append", default=[])
    sub.add_argument("--attest", action="append", default=[])
    sub.add_argument("--end-user", dest="end_user", action="store_true")
    sub.add_argument("--deployment")
    sub.add_argument("--all", action="store_true")
    sub.add_argument("--history")
    sub.add_argument("--format", default="table")
    return root, sub


def fast_check(argv: Sequence[str]) -> int | None:
    """Run a plain ``check`` and return its exit code; None means: let typer handle it."""
    if "check" not in argv or any(a in ("-h", "--help", "--version") for a in argv):
        return None
    idx = list(argv).index("check")
    root, sub = _parsers()
    try:
        glob, rest = root.parse_known_args(list(argv[: idx + 1]))
        if rest or glob.command != "check":
            return None
        opts_ns = sub.parse_args(list(argv[idx + 1 :]))
    except _Fallback:
        return None
    from registry.cli.check_run import CheckOptions, execute
    from registry.config import load_settings, scrub
    from registry.errors import ModelregError

    catalogs: list[Catalog] = []
    try:
        settings = load_settings(database_url=glob.db, policy_dirs=glob.policies or None)

        def open_full() -> Catalog:
            from registry.db.engine import open_catalog

            catalogs.append(open_catalog(settings))
            return catalogs[-1]

        return execute(CheckOptions(**vars(opts_ns)), settings, open_full)
    except ModelregError as exc:
        sys.stderr.write(f"error: {scrub(exc.message, glob.db)}\n")
        if exc.hint:
            sys.stderr.write(f"hint: {exc.hint}\n")
        return exc.exit_code
    finally:
        for cat in catalogs:
            cat.dispose()


def main() -> None:
    """Console-script entry point."""
    code = fast_check(sys.argv[1:])
    if code is not None:
        sys.stdout.flush()
        sys.exit(code)
    from registry.cli.app import main as typer_main

    typer_main()
