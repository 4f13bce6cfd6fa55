"""``smoke --summary``: the latest smoke run of every variant, whichever machine ran it.

Read over the plain DBAPI (no torch, no SQLAlchemy), so a job array's last step, or anyone,
can ask what the zoo's state is. "Latest" is the run recorded last (highest id); runs
refused or unsupported are never recorded, so they do not appear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from registry.db.reader import Reader, iso_utc


def smoke_summary(
    reader: Reader,
    since: dt.datetime | None = None,
    *,
    after: str | None = None,
    limit: int | None = None,
) -> Iterator[dict[str, Any]]:
    """Every variant by name with its latest run (at or after ``since``), or None fields;
    ``after`` and ``limit`` give one keyset page."""
    params: dict[str, Any] = {}
    when = ""
    if since is not None:
        params["since"] = reader.timestamp_param(since)
        when = " AND created_at >= :since"
    sql = (
        "SELECT v.name, s.status, s.device_type, s.device_name, s.dtype, s.tokens_per_second, "
        "s.error, s.created_at FROM variants v LEFT JOIN smoke_runs s ON s.id = "
        f"(SELECT MAX(id) FROM smoke_runs WHERE variant_id = v.id{when})"
    )
    if after is not None:
        sql += " WHERE v.name > :after"
        params["after"] = after
    sql += " ORDER BY v.name" + ("" if limit is None else f" LIMIT {int(limit)}")
    for name, status, device_type, device_name, dtype, tps, error, at in reader.stream(sql, params):
        yield {
            "name": name,
            "status": status,
            "device_type": device_type,
            "device_name": device_name,
            "dtype": dtype,
            "tokens_per_second": tps,
            "error": error,
            "ran_at": iso_utc(at) if at is not None else None,
        }
