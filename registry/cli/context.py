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
    from registry.store.interface import Store
    from registry.store.local import LocalStore


@dataclass
class CliState:
    db: str | None = None
    policy_dirs: list[Path] = field(default_factory=list)
    _settings: Settings | None = None
    _catalog: Catalog | None = None
    _reader: Reader | None = None
    _store: Store | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            from registry.config import load_settings

            self._settings = load_settings(
                database_url=self.db, policy_dirs=self.policy_dirs or None
            )
        return self._settings

    def _direct_only(self) -> None:
        """Refuse the team server (remote mode) rather than open the default file."""
        settings = self.settings()
        if settings.remote:
            from registry.errors import UsageError

            raise UsageError(
                "this command works on a catalog database, not through the team server "
                f"{settings.server_url.value}; give --db URL"
            )

    def catalog(self) -> Catalog:
        """The catalog database itself, for commands that only work on one (never on the
        team server: in remote mode this refuses rather than open the default file)."""
        self._direct_only()
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

    def store(self) -> Store:
        """Where the command's operations run: the catalog database, or the team server."""
        if self._store is None:
            from registry.store.open import open_store

            self._store = open_store(self.settings())
        return self._store

    def local_store(self) -> LocalStore:
        """The store over the catalog database itself, for commands that work on one (its
        connections, its actor); in remote mode this refuses, like :meth:`catalog`."""
        self._direct_only()
        from registry.store.local import LocalStore

        store = self.store()
        assert isinstance(store, LocalStore)  # not remote: open_store opened the database
        return store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
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
