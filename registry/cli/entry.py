"""The console script: the typer app, and only it, parses every command line.

Start-up stays short by structure rather than by a second parser: the command modules
import their library code lazily, the read-mostly commands (``list``, ``show``, ``tree``,
``check``, ``verify``) use the plain-DBAPI path (``registry/db/reader.py``) instead of
SQLAlchemy, arguments are converted without pydantic (``registry/cli/coercion.py``), and
typer is handed an app holding only the command being run (``registry.cli.app.app_for``).
"""

from __future__ import annotations


def main() -> None:
    """Console-script entry point."""
    from registry.cli.app import main as typer_main

    typer_main()
