"""Which variants ``list`` shows: filters, keyset pages and a row-by-row stream.

One function builds the SQL for every filter (:func:`select_variants`), so the CLI and the
team server list alike. All filters combine with AND; rows come by name. A license matches
the variant's license expression or one of its ``AND`` terms (``--license llama2`` finds
``llama2 AND mit``); a namespace is the part of the name before ``/``; ``--parent`` and
``--relation`` look at the variant's own lineage edges (one edge must satisfy both);
``--verified`` means the latest ``verify`` of the variant passed (``--unverified``: it has
none, or it failed), as recorded in ``verifications``; ``--name`` is a case-sensitive glob
(``*``, ``?``, ``[...]``); ``sources`` (the API's ``source``, used to find a Hub revision
already registered) matches any of the given source URIs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from registry.db.reader import Reader, as_list, iso_utc
from registry.errors import InvalidInputError
from registry.relations import RELATIONS

# CAST(... AS TEXT): psycopg would decode the JSON of every row; as_list decodes and caches.
SUMMARY_COLUMNS = (
    "v.id, v.name, v.license_id, v.architecture, CAST(v.modalities AS TEXT), v.total_bytes, "
    "v.created_at"
)


# 1 when the latest verification of variant ``v`` passed, else 0 (none counts as not passed)
LATEST_OK_SQL = (
    "COALESCE((SELECT CASE WHEN r.ok THEN 1 ELSE 0 END FROM verifications r "
    "WHERE r.variant_id = v.id ORDER BY r.id DESC LIMIT 1), 0)"
)


@dataclass(frozen=True)
class VariantFilter:
    license: str | None = None
    namespace: str | None = None
    parent: str | None = None
    relation: str | None = None
    created_since: dt.datetime | None = None
    verified: bool | None = None  # True: latest verify passed; False: none, or it failed
    name_glob: str | None = None
    sources: tuple[str, ...] = ()

    def query(self) -> dict[str, Any]:
        """The filter as the team server's ``GET /variants`` takes it."""
        return {
            "license": self.license,
            "namespace": self.namespace,
            "parent": self.parent,
            "relation": self.relation,
            "created_since": self.created_since.isoformat() if self.created_since else None,
            "verified": self.verified,
            "name": self.name_glob,
            "source": list(self.sources) or None,
        }


def parse_time(text: str, option: str) -> dt.datetime:
    """An ISO 8601 date or date-time (UTC when it names no zone) for ``--since`` options."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"{option} {text!r}: expected an ISO 8601 date or time, e.g. 2025-01-31T12:00Z"
        ) from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def summary(row: Any) -> dict[str, Any]:
    """A row of :data:`SUMMARY_COLUMNS` as the JSON ``list`` prints."""
    return {
        "name": row[1],
        "license": row[2],
        "architecture": row[3],
        "modalities": as_list(row[4]),
        "total_bytes": int(row[5] or 0),
        "created_at": iso_utc(row[6]),
    }


def _glob_class(glob: str, i: int) -> tuple[str, bool, int] | None:
    """The ``[...]`` class starting at ``glob[i]``: (its body, whether negated, its end)."""
    end = glob.find("]", i + 2)
    if end == -1:
        return None
    body = glob[i + 1 : end]
    if body[:1] in ("!", "^"):
        return body[1:], True, end
    return body, False, end


def _class_members(body: str) -> list[str]:
    """The members of a class body: single characters and ``a-z`` ranges (checked)."""
    out, j = [], 0
    while j < len(body):
        if j + 2 < len(body) and body[j + 1] == "-":
            lo, hi = body[j], body[j + 2]
            if lo > hi:
                raise InvalidInputError(f"--name: the range {lo}-{hi} is backwards")
            out.append(body[j : j + 3])
            j += 3
        else:
            out.append(body[j])
            j += 1
    return out


def _regex_char(c: str) -> str:
    return c if c.isalnum() else "\\" + c


def _glob_for(glob: str, dialect: str) -> str:
    """The glob as SQLite's GLOB takes it, or as an anchored PostgreSQL regular expression
    (every character outside ``*`` and ``?`` a literal, also inside a class)."""
    out, i = [] if dialect == "sqlite" else ["^"], 0
    while i < len(glob):
        c, klass = glob[i], _glob_class(glob, i) if glob[i] == "[" else None
        if klass is not None:
            body, negated, i = klass
            members = _class_members(body)
            if dialect == "sqlite":
                out.append("[" + ("^" if negated else "") + "".join(members) + "]")
            else:
                parts = [
                    f"{_regex_char(m[0])}-{_regex_char(m[2])}" if len(m) == 3 else _regex_char(m)
                    for m in members
                ]
                out.append("[" + ("^" if negated else "") + "".join(parts) + "]")
        elif dialect == "sqlite":
            out.append("[[]" if c == "[" else c)
        else:
            out.append({"*": ".*", "?": "."}.get(c) or _regex_char(c))
        i += 1
    return "".join(out) + ("" if dialect == "sqlite" else "$")


def _literal_prefix(glob: str) -> str:
    return re.split(r"[*?\[]", glob, maxsplit=1)[0]


def _name_prefix(
    reader: Reader, prefix: str, where: list[str], params: dict[str, Any], key: str
) -> None:
    """``name`` starting with ``prefix``: a range the unique name index serves where names
    sort in code point order (SQLite; PostgreSQL with the ``C`` collation). Under another
    collation a range is not a prefix, so there it is ``starts_with`` (an index scan in
    name order that filters)."""
    if not prefix:
        return
    if not reader.byte_ordered():
        where.append(f"starts_with(v.name, :{key})")
        params[key] = prefix
        return
    where.append(f"v.name >= :{key}_lo AND v.name < :{key}_hi")
    params[f"{key}_lo"] = prefix
    params[f"{key}_hi"] = prefix[:-1] + chr(ord(prefix[-1]) + 1)


def select_variants(
    reader: Reader, flt: VariantFilter, *, after: str | None = None, limit: int | None = None
) -> tuple[str, dict[str, Any]]:
    """The SQL (and parameters) for the variants matching ``flt``, by name, after ``after``."""
    where: list[str] = []
    params: dict[str, Any] = {}
    if flt.license is not None:  # the expression or one of its AND terms, any case
        where.append(
            "(LOWER(v.license_id) = :lic OR (v.license_id LIKE '% AND %' AND "
            "LOWER(' AND ' || v.license_id || ' AND ') LIKE :lic_term ESCAPE '!'))"
        )  # the cheap equality first: the concatenation only for compound expressions
        params["lic"] = flt.license.strip().lower()
        lit = params["lic"].replace("!", "!!").replace("%", "!%").replace("_", "!_")
        params["lic_term"] = f"% and {lit} and %"
    if flt.namespace is not None:
        _name_prefix(reader, flt.namespace.rstrip("/") + "/", where, params, "ns")
    if flt.name_glob is not None:
        _name_prefix(reader, _literal_prefix(flt.name_glob), where, params, "pre")
        where.append("v.name GLOB :glob" if reader.dialect == "sqlite" else "v.name ~ :glob")
        params["glob"] = _glob_for(flt.name_glob, reader.dialect)
    if flt.relation is not None and flt.relation not in RELATIONS:
        raise InvalidInputError(
            f"unknown relation {flt.relation!r}; use one of {', '.join(RELATIONS)}"
        )
    if flt.parent is not None or flt.relation is not None:
        cond = ["e.child_id = v.id"]
        if flt.parent is not None:
            cond.append("e.parent_id = (SELECT p.id FROM variants p WHERE p.name = :parent)")
            params["parent"] = flt.parent
        if flt.relation is not None:
            cond.append("e.relation = :relation")
            params["relation"] = flt.relation
        where.append(f"EXISTS (SELECT 1 FROM lineage_edges e WHERE {' AND '.join(cond)})")
    if flt.created_since is not None:
        where.append("v.created_at >= :since")
        params["since"] = reader.timestamp_param(flt.created_since)
    if flt.verified is not None:
        where.append(f"{LATEST_OK_SQL} = {1 if flt.verified else 0}")
    if flt.sources:
        where.append(f"v.source_uri IN {reader.in_clause('src', list(flt.sources), params)}")
    if after is not None:
        where.append("v.name > :after")
        params["after"] = after
    sql = f"SELECT {SUMMARY_COLUMNS} FROM variants v"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY v.name"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    return sql, params


def iter_variants(reader: Reader, flt: VariantFilter = VariantFilter()) -> Iterator[Any]:
    """Every matching variant's row (:data:`SUMMARY_COLUMNS`), fetched as consumed."""
    sql, params = select_variants(reader, flt)
    return reader.stream(sql, params)
