"""Per-invocation state shared by the commands: global options, settings, the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from registry.config import Settings
    from registry.db.engine import Catalog
    from registry.db.reader import Reader
    from registry.db.writer import Writer


@dataclass
class CliState:
    db: str | None = None
    policy_dirs: list[Path] = field(default_factory=list)
    _settings: Settings | None = None
    _catalog: Catalog | None = None
    _reader: Reader | None = None
    _writer: Writer | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            from registry.config import load_settings

            self._settings = load_settings(
                database_url=self.db, policy_dirs=self.policy_dirs or None
            )
        return self._settings

    def catalog(self) -> Catalog:
        if self._catalog is None:
            from registry.db.engine import open_catalog

            self._catalog = open_catalog(self.settings())
        return self._catalog

    def reader(self) -> Reader:
        """A fast read-only connection (plain DBAPI, no SQLAlchemy import)."""
        if self._reader is None:
            from registry.db.reader import open_reader

            self._reader = open_reader(self.settings())
        return self._reader

    def writer(self) -> Writer:
        """A fast read-write connection for small writes (plain DBAPI, no SQLAlchemy)."""
        if self._writer is None:
            from registry.db.writer import open_writer

            self._writer = open_writer(self.settings())
        return self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._catalog is not None:
            self._catalog.dispose()
            self._catalog = None


def state(ctx: typer.Context) -> CliState:
    """The CliState of the root command (created by the root callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj
