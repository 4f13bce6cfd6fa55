"""Helpers for audit tests: tampering with the trail behind modelreg's back, as a DBA could."""

from __future__ import annotations

import sqlite3
from typing import Any


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def tamper(db_url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Run ``sql`` with the append-only triggers out of the way (superuser / file access)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split(":///", 1)[1])
        conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        conn.execute(sql, params)
        conn.commit()
        conn.close()
        return
    import psycopg

    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")  # triggers off (superuser)
        conn.execute(sql.replace("?", "%s"), params)  # type: ignore[arg-type]


def plain_execute(db_url: str, sql: str) -> None:
    """Run ``sql`` as any client would (triggers in force); raises what the driver raises."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split(":///", 1)[1])
        try:
            conn.execute(sql)
            conn.commit()
        finally:
            conn.close()
        return
    import psycopg

    with psycopg.connect(_plain(db_url), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]
