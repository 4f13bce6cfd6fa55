"""The catalog page: search by name, filter, one keyset page with each variant's status.

Each row carries the variant's latest verification (``ok``, ``failed`` or ``never``) and a
release state over its deployments: ``released`` when one of them has an approved release
the server has not recorded as stale, else ``pending``, ``stale`` or ``none``. That state is
the one the server's sweep last recorded (at most its interval behind); the variant and
release pages compute staleness afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.db.reader import Reader, iso_utc
from registry.errors import InvalidInputError

PAGE = 50
VERIFICATION = ("ok", "failed", "never")
RELEASE = ("released", "pending", "stale", "none")
_LATEST_OK = (
    "(SELECT x.ok FROM verifications x WHERE x.variant_id = v.id ORDER BY x.id DESC LIMIT 1)"
)
_RELEASE_SQL = {
    "released": "EXISTS (SELECT 1 FROM releases r WHERE r.variant_name = v.name "
    "AND r.status = 'approved' AND r.stale_at IS NULL)",
    "pending": "EXISTS (SELECT 1 FROM releases r WHERE r.variant_name = v.name "
    "AND r.status = 'pending')",
    "stale": "EXISTS (SELECT 1 FROM releases r WHERE r.variant_name = v.name "
    "AND r.status = 'approved' AND r.stale_at IS NOT NULL)",
    "none": "NOT EXISTS (SELECT 1 FROM releases r WHERE r.variant_name = v.name "
    "AND r.status IN ('approved', 'pending'))",
}


@dataclass(frozen=True)
class CatalogQuery:
    q: str = ""
    license: str = ""
    namespace: str = ""
    verification: str = ""
    release: str = ""
    after: str | None = None

    def validate(self) -> CatalogQuery:
        for value, allowed, what in (
            (self.verification, VERIFICATION, "verification"),
            (self.release, RELEASE, "release"),
        ):
            if value and value not in allowed:
                raise InvalidInputError(f"{what} must be one of {', '.join(allowed)}")
        for value in (self.q, self.license, self.namespace, self.after or ""):
            if len(value) > 255:
                raise InvalidInputError("search terms are at most 255 characters")
        return self


def _like(text: str) -> str:
    return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def catalog_page(reader: Reader, query: CatalogQuery, limit: int = PAGE) -> dict[str, Any]:
    """``{"items": [...], "next": name or None}``: the variants after ``query.after``."""
    query.validate()
    where = ["1 = 1"]
    params: dict[str, Any] = {"limit": limit + 1}
    if query.q:
        where.append("lower(v.name) LIKE :q ESCAPE '!'")
        params["q"] = _like(query.q.lower())
    if query.license:
        where.append("v.license_id = :license")
        params["license"] = query.license
    if query.namespace:
        where.append("v.name LIKE :ns ESCAPE '!'")
        params["ns"] = _like(query.namespace)[1:-1] + "/%"
    if query.verification == "never":
        where.append("NOT EXISTS (SELECT 1 FROM verifications x WHERE x.variant_id = v.id)")
    elif query.verification:
        where.append(f"{_LATEST_OK} = :vok")
        params["vok"] = query.verification == "ok"
    if query.release:
        where.append(_RELEASE_SQL[query.release])
    if query.after is not None:
        where.append("v.name > :after")
        params["after"] = query.after
    rows = reader.rows(
        f"SELECT v.name, v.license_id, v.architecture, v.total_bytes, v.created_at, {_LATEST_OK} "
        f"FROM variants v WHERE {' AND '.join(where)} ORDER BY v.name LIMIT :limit",
        params,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    states = release_states(reader, [str(r[0]) for r in rows])
    items = [
        {
            "name": name,
            "license": lic,
            "architecture": arch,
            "total_bytes": int(size or 0),
            "created_at": iso_utc(created),
            "verification": "never" if ok is None else ("ok" if ok else "failed"),
            "release": states.get(name, "none"),
        }
        for name, lic, arch, size, created, ok in rows
    ]
    return {"items": items, "next": items[-1]["name"] if more and items else None}


def release_states(reader: Reader, names: list[str]) -> dict[str, str]:
    """The recorded release state of each variant named (over all its deployments)."""
    if not names:
        return {}
    params: dict[str, Any] = {}
    where = reader.in_clause("n", names, params)
    latest: dict[tuple[str, str], tuple[str, bool]] = {}
    pending: set[str] = set()
    for variant, dep, status, stale_at in reader.rows(
        "SELECT variant_name, deployment_name, status, stale_at FROM releases "
        f"WHERE variant_name IN {where} AND status IN ('approved', 'pending') ORDER BY id",
        params,
    ):
        if status == "pending":
            pending.add(str(variant))
        else:
            latest[(str(variant), str(dep))] = (str(status), stale_at is not None)
    out: dict[str, str] = {}
    for (variant, _dep), (_status, stale) in latest.items():
        state = "stale" if stale else "released"
        if out.get(variant) != "released":
            out[variant] = state
    for variant in pending:
        if out.get(variant) != "released":
            out[variant] = "pending"
    return out
