"""Small writes over the plain DBAPI, in one transaction, for commands that must start fast.

``verify`` records which files it proved unchanged and its result per variant: a few rows,
not worth the half second SQLAlchemy takes to import. :class:`Writer` is a
:class:`~registry.db.reader.Reader` on a read-write connection with a ``transaction``;
the statements only use tables and columns the ORM models and Alembic define.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from registry.config import Settings
from registry.db.reader import Reader, database_error, open_connection


class Writer(Reader):
    """A read-write connection; ``execute`` inside ``transaction``."""

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Commit on success, roll back on any error (SQLite: the write lock up front)."""
        self.execute("BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> None:
        try:
            cur = self._conn.cursor()
            cur.execute(self._sql(sql), params or {})
            cur.close()
        except Exception as exc:
            raise database_error(exc, self.url) from None

    def execute_many(self, sql: str, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        try:
            cur = self._conn.cursor()
            cur.executemany(self._sql(sql), rows)
            cur.close()
        except Exception as exc:
            raise database_error(exc, self.url) from None

    def json_param(self, value: Any) -> Any:
        """A value for a JSON column: text on SQLite, psycopg's JSON wrapper on PostgreSQL."""
        if self.dialect == "postgresql":
            from psycopg.types.json import Json

            return Json(value)
        return json.dumps(value, ensure_ascii=False)


def open_writer(settings: Settings) -> Writer:
    """A read-write connection to a catalog at head (the default file is migrated first)."""
    return open_connection(settings, Writer, write=True)
