"""Read-only catalog access over the plain DBAPI, for the commands that must start fast.

``list``, ``show``, ``tree``, ``check`` and ``verify`` mostly read. Importing SQLAlchemy
costs about half a second on a small machine, more than these commands may take in all, so
they talk to ``sqlite3`` or ``psycopg`` directly with portable SQL (named ``:param``
placeholders, translated for psycopg). The few small writes of ``check`` and ``verify`` go
through the check path's raw connection (:class:`registry.compliance.store.RawDB`), which
appends their audit events in the same transaction, as registrations do; editing the
catalog goes through the ORM and its transactions. The schema is always the ORM models' and
Alembic's.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from registry.config import Settings, mask_url, scrub
from registry.db.schema import HEAD_REVISION, out_of_date
from registry.errors import DatabaseError, SchemaOutOfDateError

_NAMED = re.compile(r"(?<!:):([a-zA-Z_][a-zA-Z0-9_]*)")


class Reader:
    """One read-only connection; ``rows`` and ``row`` run portable SQL."""

    def __init__(self, conn: Any, url: str, dialect: str) -> None:
        self._conn = conn
        self.url = url
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        if self.dialect == "postgresql":
            return _pyformat(sql)
        return sql

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[Sequence[Any]]:
        try:
            cur = self._conn.cursor()
            cur.execute(self._sql(sql), params or {})
            result: list[Sequence[Any]] = cur.fetchall()
            cur.close()
            return result
        except Exception as exc:
            raise database_error(exc, self.url) from None

    def stream(
        self, sql: str, params: dict[str, Any] | None = None, batch: int = 2000
    ) -> Iterator[Sequence[Any]]:
        """The rows of a query, fetched ``batch`` at a time as they are consumed."""
        try:
            cur = self._conn.cursor()
            cur.execute(self._sql(sql), params or {})
        except Exception as exc:
            raise database_error(exc, self.url) from None
        try:
            while True:
                try:
                    rows = cur.fetchmany(batch)
                except Exception as exc:
                    raise database_error(exc, self.url) from None
                if not rows:
                    return
                yield from rows
        finally:
            cur.close()

    def row(self, sql: str, params: dict[str, Any] | None = None) -> Sequence[Any] | None:
        found = self.rows(sql, params)
        return found[0] if found else None

    def timestamp_param(self, value: dt.datetime) -> Any:
        """A UTC timestamp to compare with or store in a column as the ORM stores it
        (SQLite: naive UTC text, which compares correctly as text)."""
        utc = value.astimezone(dt.UTC)
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f") if self.dialect == "sqlite" else utc

    def in_clause(self, name: str, values: Sequence[Any], params: dict[str, Any]) -> str:
        """``(:name_0, :name_1, ...)`` with the values added to ``params``."""
        keys = [f"{name}_{i}" for i in range(len(values))]
        params.update(zip(keys, values, strict=True))
        return "(" + ", ".join(f":{k}" for k in keys) + ")" if keys else "(NULL)"

    def byte_ordered(self) -> bool:
        """Whether text sorts in code point order, so that a range of names is a prefix:
        always on SQLite; on PostgreSQL when the database's collation is libc's ``C``,
        ``POSIX`` or ``C.UTF-8`` (asked once per database URL)."""
        if self.dialect == "sqlite":
            return True
        if self.url not in _BYTE_ORDERED:
            row = self.row(
                "SELECT to_jsonb(d) ->> 'datcollate', to_jsonb(d) ->> 'datlocprovider' "
                "FROM pg_database d WHERE d.datname = current_database()"
            )
            collation, provider = (None, None) if row is None else (row[0], row[1])
            base = str(collation).split(".")[0]
            _BYTE_ORDERED[self.url] = (provider or "c") == "c" and base in ("C", "POSIX")
        return _BYTE_ORDERED[self.url]

    def close(self) -> None:
        self._conn.close()


_BYTE_ORDERED: dict[str, bool] = {}


@functools.lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    """Portable ``:name`` SQL as psycopg's ``%(name)s`` (cached: the server runs the same
    statements over and over)."""
    return _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))


def database_error(exc: Exception, url: str) -> DatabaseError:
    """A driver error (or SQLAlchemy's wrapper of one) as one line, never with the password."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return DatabaseError(f"database {mask_url(url)}: {scrub(text, url)}")


def _connect(url: str) -> Reader:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    if scheme == "sqlite":
        import sqlite3

        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path or path == ":memory:":
            raise DatabaseError("an in-memory SQLite catalog cannot be read")
        file = Path(path).expanduser()
        if not file.is_file():
            raise SchemaOutOfDateError(
                f"catalog {mask_url(url)} does not exist: run `modelreg db upgrade` first"
            )
        try:
            lite = sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=60)
        except sqlite3.Error as exc:
            raise database_error(exc, url) from None
        return Reader(lite, url, "sqlite")
    if scheme in {"postgresql", "postgres"}:
        import psycopg

        kwargs: dict[str, Any] = {
            "host": parts.hostname or "",
            "dbname": unquote(parts.path.lstrip("/")),
            "connect_timeout": 10,
            "autocommit": True,
        }
        if parts.port:
            kwargs["port"] = parts.port
        if parts.username:
            kwargs["user"] = unquote(parts.username)
        if parts.password:
            kwargs["password"] = unquote(parts.password)
        kwargs.update(parse_qsl(parts.query))
        try:
            pg = psycopg.connect(**kwargs)
            pg.read_only = True
        except psycopg.Error as exc:
            raise database_error(exc, url) from None
        return Reader(pg, url, "postgresql")
    raise DatabaseError(f"unsupported database {scheme!r}: use sqlite:/// or postgresql://")


def _revision(reader: Reader) -> str | None:
    try:
        found = reader.row("SELECT version_num FROM alembic_version")
    except DatabaseError:
        return None
    return None if found is None else str(found[0])


def open_reader(settings: Settings) -> Reader:
    """A read-only connection to a catalog at head (the default file is migrated first)."""
    url = settings.database_url.value
    if settings.uses_default_database:
        reader: Reader | None
        try:
            reader = _connect(url)
        except SchemaOutOfDateError:  # not created yet
            reader = None
        if reader is not None and _revision(reader) == HEAD_REVISION:
            return reader
        if reader is not None:
            reader.close()
        from registry.db.engine import open_catalog  # creates and migrates on first use

        open_catalog(settings).dispose()
    reader = _connect(url)
    revision = _revision(reader)
    if revision != HEAD_REVISION:
        reader.close()
        raise out_of_date(mask_url(url), revision, HEAD_REVISION)
    return reader


@functools.lru_cache(maxsize=256)
def _decode_list(text: str) -> tuple[Any, ...]:
    decoded = json.loads(text)
    return tuple(decoded) if isinstance(decoded, list) else ()


def as_list(value: Any) -> list[Any]:
    """A JSON list column: text on SQLite (few distinct values: cached), a list on PostgreSQL."""
    if value is None:
        return []
    if isinstance(value, str):
        return list(_decode_list(value))
    return list(value)


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object column: text on SQLite, a dict on PostgreSQL; None is empty."""
    if value is None:
        return {}
    if isinstance(value, str):
        decoded = json.loads(value)
        return decoded if isinstance(decoded, dict) else {}
    return dict(value)


def as_datetime(value: Any) -> dt.datetime:
    """A UTC timestamp: ISO text on SQLite, a datetime on PostgreSQL."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        raise DatabaseError(f"unexpected timestamp {value!r} in the catalog")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def iso_utc(value: Any) -> str:
    """A timestamp as ISO 8601 in UTC; SQLite's stored UTC text is rewritten, not parsed, and
    PostgreSQL's UTC datetimes are formatted as they are."""
    if isinstance(value, str) and len(value) >= 19 and value[10] == " " and "+" not in value[19:]:
        return value[:10] + "T" + value[11:] + "+00:00"
    if isinstance(value, dt.datetime) and value.utcoffset() == _ZERO:
        return value.isoformat()
    return as_datetime(value).isoformat()


_ZERO = dt.timedelta(0)
