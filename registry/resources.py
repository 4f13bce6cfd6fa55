"""Where the shipped data lives: migrations and policies, in a wheel or a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _locate(packaged: str, source: str) -> Path:
    inside = _PACKAGE_DIR / packaged
    if inside.is_dir():
        return inside
    return _PACKAGE_DIR.parent / source


def migrations_dir() -> Path:
    """The Alembic script directory (``registry/_migrations`` in a wheel)."""
    return _locate("_migrations", "migrations")


def policies_dir() -> Path:
    """The built-in policy files (``registry/_policies`` in a wheel)."""
    return _locate("_policies", "policies")
