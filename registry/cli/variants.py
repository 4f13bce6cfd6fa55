"""``modelreg add|list|show|tree|rm``: register and inspect variants (filled in below)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the variant commands to the root app."""
    return None
