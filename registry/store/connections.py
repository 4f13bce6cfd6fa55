"""How a local store reaches the catalog: the CLI's own connections, or the server's pool.

A :class:`Connections` gives the three ways the library talks to the database: the ORM
catalog (writes and most reads), the fast read-only :class:`~registry.db.reader.Reader`
(``list``, ``show``, ``tree``) and the raw connection of the check path. The CLI opens each
lazily from its settings (the check path without importing SQLAlchemy); the server hands out
connections from one pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from registry.compliance.policies import PolicySet
    from registry.compliance.service import Signing
    from registry.compliance.store import RawDB
    from registry.config import Settings
    from registry.db.engine import Catalog
    from registry.db.reader import Reader


class Connections(Protocol):
    def catalog(self) -> Catalog: ...

    def reader(self) -> AbstractContextManager[Reader]: ...

    def raw(self) -> AbstractContextManager[RawDB]: ...

    def policies(self) -> PolicySet: ...

    def signing(self) -> Signing | None: ...

    def close(self) -> None: ...


class SettingsConnections:
    """One command's connections, opened on first use from the resolved settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._catalog: Catalog | None = None
        self._reader: Reader | None = None
        self._raw: RawDB | None = None
        self._policies: PolicySet | None = None

    def catalog(self) -> Catalog:
        if self._catalog is None:
            from registry.db.engine import open_catalog

            self._catalog = open_catalog(self.settings)
        return self._catalog

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        if self._reader is None:
            from registry.db.reader import open_reader

            self._reader = open_reader(self.settings)
        yield self._reader

    @contextmanager
    def raw(self) -> Iterator[RawDB]:
        """A raw connection to a catalog at head (else the full path migrates or explains),
        kept for the command; what a use leaves uncommitted is rolled back at its end."""
        from registry.errors import DatabaseError

        if self._raw is None:
            from registry.compliance.store import open_raw
            from registry.db.schema import HEAD_REVISION

            url = self.settings.database_url.value
            try:
                self._raw = open_raw(url, HEAD_REVISION)
            except DatabaseError:
                self.catalog()  # migrates the default catalog, or raises the precise error
                self._raw = open_raw(url, HEAD_REVISION)
        db = self._raw
        try:
            yield db
        finally:
            try:
                db.rollback()
            except DatabaseError:  # a broken connection: the next use opens another
                db.close()
                self._raw = None

    def policies(self) -> PolicySet:
        if self._policies is None:
            from registry.compliance.policies import load_policies

            self._policies = load_policies(self.settings.policy_dirs.value)
        return self._policies

    def signing(self) -> Signing | None:
        found = self.settings.extra.get("signing")
        return None if found is None else (found.value, found.source)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._catalog is not None:
            self._catalog.dispose()
            self._catalog = None


class PooledConnections:
    """The server's connections: one engine and its pool, policies loaded once."""

    def __init__(
        self, engine: Engine, url: str, policies: PolicySet, signing: Signing | None = None
    ) -> None:
        from registry.db.engine import Catalog

        self._catalog = Catalog(engine, url)
        self._policies = policies
        self._signing = signing
        self.url = url
        self.dialect = engine.dialect.name

    def catalog(self) -> Catalog:
        return self._catalog

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        with self._catalog.reader() as reader:  # a pooled connection, given back at the end
            yield reader

    @contextmanager
    def raw(self) -> Iterator[RawDB]:
        from registry.compliance.store import RawDB

        conn = self._catalog.engine.raw_connection()
        db = RawDB.over(conn, self.url, self.dialect)
        try:
            yield db
        finally:
            db.close()

    def policies(self) -> PolicySet:
        return self._policies

    def signing(self) -> Signing | None:
        return self._signing

    def close(self) -> None:
        self._catalog.dispose()
