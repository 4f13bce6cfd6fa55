"""A thin raw-DBAPI connection for the check path (sqlite3 or psycopg, no SQLAlchemy).

``modelreg check`` must answer in well under a second on a 100,000-variant catalog;
importing SQLAlchemy alone costs more than half of that on a slow machine. The check's reads
and its one insert into the check log are a handful of plain SQL statements, so they run on
the driver directly. The schema is still owned by the ORM models and Alembic: these
statements only use tables and columns those define. ``verify``'s record, releases and the
provenance check ``add`` runs use it too, for the same reason; everything else uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

from registry.config import mask_url
from registry.db.reader import database_error
from registry.db.schema import out_of_date
from registry.errors import DatabaseError, ModelregError


class RawDB:
    """One connection; SQL is written with ``?`` placeholders for both databases."""

    _conflict: ModelregError | None = None  # see conflicts_raise

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            self.dialect = "sqlite"
            self.conn: Any = _sqlite_connect(url)
        elif url.startswith(("postgresql", "postgres")):
            self.dialect = "postgresql"
            self.conn = _pg_connect(url)
        else:
            raise DatabaseError(f"unsupported database URL {mask_url(url)}")

    @classmethod
    def over(cls, conn: Any, url: str, dialect: str) -> RawDB:
        """A RawDB over a connection someone else opened (the server's pool); closing it
        gives the connection back."""
        db = cls.__new__(cls)
        db.url = url
        db.dialect = dialect
        db.conn = _SqliteTx(conn) if dialect == "sqlite" else conn
        return db

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgresql" else sql

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self.conn.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())
        except Exception as exc:  # driver errors differ; all become one line
            raise self._error(exc) from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        try:
            self.conn.execute(self._sql(sql), tuple(params))
        except Exception as exc:
            raise self._error(exc) from None

    def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement for many rows (a pipeline on PostgreSQL); nothing for no rows."""
        if not rows:
            return
        try:
            if self.dialect == "sqlite":
                self.conn.executemany(self._sql(sql), [tuple(r) for r in rows])
            else:
                with self.conn.cursor() as cur:
                    cur.executemany(self._sql(sql), [tuple(r) for r in rows])
        except Exception as exc:
            raise self._error(exc) from None

    def begin_write(self) -> None:
        """Start the write transaction now and hold the catalog's write lock until commit.

        SQLite: ``BEGIN IMMEDIATE``. PostgreSQL: the transaction-scoped advisory lock every
        writer takes (see :mod:`registry.audit.chain`), so the audit trail stays one chain.
        """
        if self.dialect == "sqlite":
            self.conn.begin_immediate()
            return
        from registry.audit.chain import WRITE_LOCK_KEY

        self.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK_KEY,))

    def commit(self) -> None:
        try:
            self.conn.commit()
        except Exception as exc:
            raise self._error(exc) from None

    def rollback(self) -> None:
        """End whatever transaction is open without keeping it (nothing to do if none is)."""
        try:
            self.conn.rollback()
        except Exception as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        try:
            self.conn.close()
        except Exception:  # noqa: S110 - closing a broken connection may fail again
            pass

    def _error(self, exc: Exception) -> ModelregError:
        if self._conflict is not None and self._broke_constraint(exc):
            return self._conflict
        return database_error(exc, self.url)

    def _broke_constraint(self, exc: Exception) -> bool:
        """Whether the driver refused a statement for a unique, foreign-key or check
        constraint (its DBAPI ``IntegrityError``)."""
        if self.dialect == "sqlite":
            import sqlite3

            return isinstance(exc, sqlite3.IntegrityError)
        import psycopg

        return isinstance(exc, psycopg.IntegrityError)

    @contextmanager
    def conflicts_raise(self, error: ModelregError) -> Iterator[None]:
        """Inside, a statement or commit that breaks a constraint raises ``error`` instead of
        a DatabaseError: a concurrent writer got to the same rows first, and the caller says
        what to do about it (as the ORM path does with SQLAlchemy's ``IntegrityError``)."""
        self._conflict = error
        try:
            yield
        finally:
            self._conflict = None

    @contextmanager
    def index_joins(self) -> Iterator[None]:
        """On PostgreSQL, make the recursive CTE's join use the edge index.

        Without statistics (a catalog just bulk-loaded, before autovacuum analyses it) the
        planner hash-joins every step of the recursion against a full scan of
        ``lineage_edges``: 20 s instead of 20 ms on 100,000 variants. One step of a lineage
        walk touches a handful of edges, so an index nested loop is always right here.
        """
        if self.dialect != "postgresql":
            yield
            return
        self.execute("SET enable_hashjoin = off")
        self.execute("SET enable_mergejoin = off")
        try:
            yield
        finally:
            self.execute("RESET enable_hashjoin")
            self.execute("RESET enable_mergejoin")

    # -- dialect differences -------------------------------------------------------------

    def json_param(self, value: Any) -> Any:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
        if self.dialect == "postgresql":
            from psycopg.types.json import Json

            return Json(value)
        return text

    @staticmethod
    def json_value(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    def timestamp_param(self, value: dt.datetime) -> Any:
        utc = value.astimezone(dt.UTC)
        if self.dialect == "sqlite":  # the storage format SQLAlchemy's SQLite DateTime uses
            return utc.strftime("%Y-%m-%d %H:%M:%S.%f")
        return utc

    @staticmethod
    def timestamp_value(value: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)

    def revision(self) -> str | None:
        try:
            cur = self.conn.execute("SELECT version_num FROM alembic_version")
            row = cur.fetchone()
        except Exception:
            if self.dialect == "postgresql":
                self.conn.rollback()
            return None
        return None if row is None else str(row[0])


def _sqlite_connect(url: str) -> Any:
    import sqlite3

    path = url.split("://", 1)[1]
    path = path[1:] if path.startswith("/") else path  # sqlite:///rel or sqlite:////abs
    path = unquote(path.split("?", 1)[0])
    if not path or path == ":memory:":
        raise DatabaseError("an in-memory SQLite catalog has no schema")
    try:
        # opened by one thread and used by another (``add`` opens it while files hash),
        # never by two at once
        conn = sqlite3.connect(
            f"file:{path}?mode=rw", uri=True, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")  # as the engine does (WAL catalog)
    except sqlite3.Error as exc:
        raise database_error(exc, url) from None
    return _SqliteTx(conn)


class _SqliteTx:
    """sqlite3 in autocommit mode with an explicit BEGIN on first use (like the engine)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._open = False

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if not self._open and sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.begin_immediate()
        return self._conn.execute(sql, params)

    def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> Any:
        self.begin_immediate()
        return self._conn.executemany(sql, rows)

    def begin_immediate(self) -> None:
        if not self._open:
            self._conn.execute("BEGIN IMMEDIATE")
            self._open = True

    def commit(self) -> None:
        if self._open:
            self._conn.execute("COMMIT")
            self._open = False

    def rollback(self) -> None:
        if self._open:
            self._conn.execute("ROLLBACK")
            self._open = False

    def close(self) -> None:
        self.rollback()
        self._conn.close()


def _pg_connect(url: str) -> Any:
    import psycopg

    conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
    conninfo = conninfo.replace("postgres://", "postgresql://", 1)
    try:
        return psycopg.connect(conninfo, connect_timeout=10)
    except psycopg.Error as exc:
        raise database_error(exc, url) from None


def open_raw(url: str, head: str) -> RawDB:
    """Connect and confirm the schema is at ``head`` (SchemaOutOfDateError otherwise)."""
    db = RawDB(url)
    rev = db.revision()
    if rev != head:
        db.close()
        raise out_of_date(mask_url(url), rev, head)
    return db
