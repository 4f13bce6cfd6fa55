"""Engines and sessions: SQLite pragmas, write transactions, driver errors made readable.

Every command opens the catalog through :func:`open_catalog`, which checks that the schema
is at head (without importing alembic) and, for the default SQLite file only, creates and
migrates it on first use. A PostgreSQL or explicitly named catalog behind head is never
migrated silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from registry.config import Settings, mask_url
from registry.db.reader import Reader, database_error
from registry.db.schema import HEAD_REVISION, out_of_date
from registry.errors import DatabaseError, ModelregError

if TYPE_CHECKING:
    from registry.audit.actor import Actor

SQLITE_BUSY_TIMEOUT_MS = 60_000


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _sqlite_on_begin)
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    # A write transaction takes the lock up front, so two writers queue on busy_timeout
    # instead of one failing with "database is locked" when it upgrades a read lock.
    conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))


def make_engine(url: str, *, pool_size: int = 0) -> Engine:
    """Create an engine for a catalog URL.

    No pooling by default (one CLI command, one connection); the server asks for a pool of
    ``pool_size`` PostgreSQL connections (SQLite connections are cheap and never pooled).
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except sa_exc.ArgumentError:
        raise DatabaseError(f"not a database URL: {mask_url(url)}") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            parent = Path(parsed.database).expanduser().parent
            if not parent.is_dir():
                raise DatabaseError(f"directory {parent} of SQLite catalog does not exist")
        engine = create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
        )
    pool: dict[str, Any] = (
        # no pre-ping (a round trip per checkout); connections are renewed every 5 minutes
        {"pool_size": pool_size, "max_overflow": pool_size, "pool_recycle": 300}
        if pool_size
        else {"poolclass": NullPool}
    )
    try:
        return create_engine(url, connect_args={"connect_timeout": 10}, **pool)
    except ModuleNotFoundError as exc:
        raise DatabaseError(f"database driver missing: {exc.name}") from None


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except sa_exc.ProgrammingError:
            return None
        except sa_exc.OperationalError as exc:
            if "no such table" in str(exc):
                return None
            raise
        return None if row is None else str(row[0])


@dataclass
class Catalog:
    """An open catalog: the engine and the URL it came from (for error messages)."""

    engine: Engine
    url: str

    @contextmanager
    def session(self, *, write: bool = False, actor: Actor | None = None) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error.

        A write session on SQLite holds the write lock from its start (``BEGIN IMMEDIATE``),
        so writers queue instead of failing. The audit events its writes noted are appended
        just before the commit (:func:`registry.audit.log.append_pending`, which serialises
        appends). ``actor`` is who the audit trail names for this transaction's writes
        (default: the OS user).
        """
        bind = self.engine.execution_options(sqlite_begin="BEGIN IMMEDIATE" if write else "BEGIN")
        session = Session(bind=bind, expire_on_commit=False)
        if actor is not None:
            session.info["actor"] = actor
        try:
            yield session
            if session.info.get("audit_pending"):
                from registry.audit.log import append_pending

                append_pending(session)
            session.commit()
        except ModelregError:
            session.rollback()
            raise
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
            session.rollback()
            raise database_error(exc, self.url) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """The plain-DBAPI read path (:class:`~registry.db.reader.Reader`) over one of the
        engine's pooled connections, given back (its transaction rolled back) at the end."""
        conn = self.engine.raw_connection()
        try:
            yield Reader(conn, self.url, self.engine.dialect.name)
        finally:
            conn.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_catalog(settings: Settings, *, check_schema: bool = True) -> Catalog:
    """Open the configured catalog; migrate the default SQLite file if needed."""
    url = normalise_url(settings.database_url.value)
    if settings.uses_default_database:
        Path(make_url(url).database or "").parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    catalog = Catalog(engine, url)
    if not check_schema:
        return catalog
    try:
        revision = current_revision(engine)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DatabaseError) as exc:
        raise database_error(exc, url) from None
    if revision == HEAD_REVISION:
        return catalog
    if settings.uses_default_database:
        from registry.db.migrate import upgrade

        upgrade(url)
        return catalog
    raise out_of_date(mask_url(url), revision, HEAD_REVISION)


def check_ready(catalog: Catalog) -> str:
    """The catalog's revision if it answers and is at head; DatabaseError otherwise."""
    try:
        revision = current_revision(catalog.engine)
    except (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DatabaseError) as exc:
        raise database_error(exc, catalog.url) from None
    if revision != HEAD_REVISION:
        raise out_of_date(mask_url(catalog.url), revision, HEAD_REVISION)
    return revision
