"""The console script: ``check``, ``list`` and ``show`` straight to their bodies, the rest to typer.

A plain ``modelreg [--db URL] [--policies DIR]... check|list|show ...`` is parsed here with
argparse (no typer, no pydantic, no SQLAlchemy imported: together about 0.5 s of start-up)
and run by :mod:`registry.cli.check_run` or :mod:`registry.cli.catalog_views`.
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
    from registry.errors import ModelregError


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
    sub.add_argument("--require-release", dest="require_release", action="store_true")
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
    from registry.config import load_settings
    from registry.errors import ModelregError
    from registry.store.open import open_store

    store = None
    try:
        settings = load_settings(database_url=glob.db, policy_dirs=glob.policies or None)
        store = open_store(settings)
        return execute(CheckOptions(**vars(opts_ns)), settings, store)
    except ModelregError as exc:
        return _report(exc, glob.db)
    finally:
        if store is not None:
            store.close()


_READ_COMMANDS = ("list", "show")


def _command_index(argv: Sequence[str]) -> int | None:
    """Where the command word stands, skipping the global options and their values."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--db", "--policies"):
            i += 2
        elif arg.startswith(("--db=", "--policies=")):
            i += 1
        else:
            return i if arg in _READ_COMMANDS else None
    return None


def fast_read(argv: Sequence[str]) -> int | None:
    """Run a plain ``list`` or ``show`` without typer; None means: let typer handle it."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return None
    idx = _command_index(argv)
    if idx is None:
        return None
    command = argv[idx]
    root = _Parser(add_help=False, allow_abbrev=False, prog="modelreg")
    root.add_argument("--db")
    root.add_argument("--policies", action="append", type=Path, default=[])
    sub = _Parser(add_help=False, allow_abbrev=False, prog=f"modelreg {command}")
    if command == "show":
        sub.add_argument("name")
    sub.add_argument("-f", "--format", choices=("table", "json"), default="table")
    try:
        glob = root.parse_args(list(argv[:idx]))
        opts = sub.parse_args(list(argv[idx + 1 :]))
    except _Fallback:
        return None
    from registry.cli.catalog_views import render_list, render_show
    from registry.config import load_settings
    from registry.errors import ModelregError
    from registry.store.open import open_store

    try:
        settings = load_settings(database_url=glob.db, policy_dirs=glob.policies or None)
        store = open_store(settings)
        try:
            as_json = opts.format == "json"
            if command == "show":
                text: str | None = render_show(store, opts.name, as_json=as_json)
            else:
                text = render_list(store, as_json=as_json)
        finally:
            store.close()
    except ModelregError as exc:
        return _report(exc, glob.db)
    if text is None:
        sys.stderr.write(
            "the catalog is empty: `modelreg add PATH --name NAME` registers a checkpoint\n"
        )
    else:
        sys.stdout.write(text + "\n")
    return 0


def _report(exc: ModelregError, db: str | None) -> int:
    from registry.config import scrub

    sys.stderr.write(f"error: {scrub(exc.message, db)}\n")
    if exc.hint:
        sys.stderr.write(f"hint: {exc.hint}\n")
    return exc.exit_code


def main() -> None:
    """Console-script entry point."""
    code = fast_check(sys.argv[1:])
    if code is None:
        code = fast_read(sys.argv[1:])
    if code is not None:
        sys.stdout.flush()
        sys.exit(code)
    from registry.cli.app import main as typer_main

    typer_main()
