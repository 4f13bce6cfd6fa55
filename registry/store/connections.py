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
    from registry.releases.rules import ReleaseRules
    from registry.webhooks.targets import ServerOptions


class Connections(Protocol):
    def catalog(self) -> Catalog: ...

    def reader(self) -> AbstractContextManager[Reader]: ...

    def raw(self) -> AbstractContextManager[RawDB]: ...

    def policies(self) -> PolicySet: ...

    def signing(self) -> Signing | None: ...

    def release_rules(self) -> ReleaseRules: ...

    def server_options(self) -> ServerOptions: ...

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

    def release_rules(self) -> ReleaseRules:
        from registry.releases.rules import ReleaseRules

        found = self.settings.extra.get("release")
        return ReleaseRules() if found is None else found.value  # type: ignore[no-any-return]

    def server_options(self) -> ServerOptions:
        from registry.webhooks.targets import ServerOptions

        found = self.settings.extra.get("server")
        return ServerOptions() if found is None else found.value  # type: ignore[no-any-return]

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
        self,
        engine: Engine,
        url: str,
        policies: PolicySet,
        signing: Signing | None = None,
        release_rules: ReleaseRules | None = None,
        server_options: ServerOptions | None = None,
    ) -> None:
        from registry.db.engine import Catalog
        from registry.releases.rules import ReleaseRules
        from registry.webhooks.targets import ServerOptions

        self._catalog = Catalog(engine, url)
        self._policies = policies
        self._signing = signing
        self._release_rules = release_rules or ReleaseRules()
        self._server_options = server_options or ServerOptions()
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

    def release_rules(self) -> ReleaseRules:
        return self._release_rules

    def server_options(self) -> ServerOptions:
        return self._server_options

    def set_policies(self, policies: PolicySet) -> None:
        """Policies reloaded by the worker after their files changed."""
        self._policies = policies

    def close(self) -> None:
        self._catalog.dispose()
