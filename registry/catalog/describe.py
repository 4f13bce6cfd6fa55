"""Read models for ``show`` and ``tree``: plain, JSON-ready data (``list``: ``listing``).

These run over :class:`registry.db.reader.Reader` (the plain DBAPI), so that the read-only
commands answer quickly even on a catalog of 100,000 variants.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import Any

from registry.catalog.lineage_sql import ANCESTOR_EDGES_SQL, DESCENDANT_EDGES_SQL
from registry.catalog.listing import summary
from registry.db.reader import Reader, as_dict, as_list, iso_utc
from registry.errors import NotFoundError
from registry.provenance.related import detected_relations

_VARIANT_COLUMNS = (
    "id, name, license_id, architecture, CAST(modalities AS TEXT), total_bytes, created_at, "
    "license_name, source_uri, parameter_count, created_by, content_digest"
)


def variant_row(reader: Reader, name: str) -> Sequence[Any]:
    row = reader.row(f"SELECT {_VARIANT_COLUMNS} FROM variants WHERE name = :name", {"name": name})
    if row is None:
        raise NotFoundError(f"no variant named {name!r}", hint="`modelreg list` shows them")
    return row


def _unresolved(reader: Reader, ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
    if not ids:
        return {}
    params: dict[str, Any] = {}
    where = reader.in_clause("v", list(ids), params)
    out: dict[int, list[dict[str, str]]] = {}
    for vid, ref, rel in reader.rows(
        "SELECT variant_id, reference, relation FROM unresolved_parents "
        f"WHERE variant_id IN {where} ORDER BY reference",
        params,
    ):
        out.setdefault(int(vid), []).append({"reference": ref, "relation": rel})
    return out


def describe(reader: Reader, name: str) -> dict[str, Any]:
    """Everything ``show`` prints about one variant."""
    row = variant_row(reader, name)
    vid = int(row[0])
    data = summary(row)
    # parents, children and unresolved parents in one round trip (the server's hot path)
    links = reader.rows(
        "SELECT 'p', v.name, e.relation FROM lineage_edges e "
        "JOIN variants v ON v.id = e.parent_id WHERE e.child_id = :id "
        "UNION ALL SELECT 'c', v.name, e.relation FROM lineage_edges e "
        "JOIN variants v ON v.id = e.child_id WHERE e.parent_id = :id "
        "UNION ALL SELECT 'u', reference, relation FROM unresolved_parents "
        "WHERE variant_id = :id",
        {"id": vid},
    )
    parents = sorted((n, r) for k, n, r in links if k == "p")
    children = sorted((n, r) for k, n, r in links if k == "c")
    unresolved = sorted((n, r) for k, n, r in links if k == "u")
    files = reader.rows(
        "SELECT f.path, f.size, f.sha256, f.git_oid, i.format, i.details, i.verified_at "
        "FROM variant_files f LEFT JOIN file_info i ON i.file_id = f.id "
        "WHERE f.variant_id = :id ORDER BY f.path",
        {"id": vid},
    )
    data.update(
        {
            "license_name": row[7],
            "source": row[8],
            "parameter_count": int(row[9]) if row[9] is not None else _tensor_elements(reader, vid),
            "created_by": row[10],
            "parents": [{"name": n, "relation": r} for n, r in parents],
            "unresolved_parents": [{"reference": n, "relation": r} for n, r in unresolved],
            "children": [{"name": n, "relation": r} for n, r in children],
            "content_digest": row[11],
            "files": [_file(f) for f in files],
        }
    )
    return data


def _tensor_elements(reader: Reader, variant_id: int) -> int | None:
    """The elements of a variant's safetensors tensors (registered before add counted them)."""
    total, seen = 0, False
    for (shape,) in reader.stream(
        "SELECT CAST(t.shape AS TEXT) FROM tensors t JOIN variant_files f ON f.id = t.file_id "
        "JOIN file_info i ON i.file_id = f.id WHERE f.variant_id = :id AND i.format = "
        "'safetensors'",
        {"id": variant_id},
    ):
        seen = True
        total += math.prod(as_list(shape))
    return total if seen else None


def _file(row: Sequence[Any]) -> dict[str, Any]:
    path, size, sha, oid, fmt, details, verified = row
    return {
        "path": path,
        "size": int(size),
        "sha256": sha,
        "git_oid": oid,
        "format": fmt or "other",
        "details": as_dict(details),
        "verified_at": iso_utc(verified) if verified is not None else None,
    }


def _edges(reader: Reader, sql: str, start: int) -> list[tuple[int, int, str]]:
    return [(int(c), int(p), str(r)) for c, p, r in reader.rows(sql, {"start": start})]


def _depths(start: int, edges: list[tuple[int, int, str]], upward: bool) -> dict[int, int]:
    adj: dict[int, list[int]] = {}
    for child, parent, _ in edges:
        a, b = (child, parent) if upward else (parent, child)
        adj.setdefault(a, []).append(b)
    dist = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in adj.get(node, []):
            if nxt not in dist:
                dist[nxt] = dist[node] + 1
                queue.append(nxt)
    return dist


def lineage(reader: Reader, name: str) -> dict[str, Any]:
    """Ancestors and descendants as flat lists of nodes with their edges (any depth)."""
    vid = int(variant_row(reader, name)[0])
    up = _edges(reader, ANCESTOR_EDGES_SQL, vid)
    down = _edges(reader, DESCENDANT_EDGES_SQL, vid)
    up_depth = _depths(vid, up, upward=True)
    down_depth = _depths(vid, down, upward=False)
    ids = sorted(set(up_depth) | set(down_depth))
    params: dict[str, Any] = {}
    where = reader.in_clause("v", ids, params)
    info = {
        int(i): (str(n), str(lic))
        for i, n, lic in reader.rows(
            f"SELECT id, name, license_id FROM variants WHERE id IN {where}", params
        )
    }
    unresolved = _unresolved(reader, sorted(up_depth))

    def edges_from(
        node: int, edges: list[tuple[int, int, str]], upward: bool
    ) -> list[dict[str, str]]:
        out = []
        for child, parent, rel in edges:
            src, dst = (child, parent) if upward else (parent, child)
            if src == node:
                out.append({"name": info[dst][0], "relation": rel})
        return sorted(out, key=lambda d: d["name"])

    def node(i: int, depth: int, edges: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "name": info[i][0],
            "license": info[i][1],
            "depth": depth,
            "edges": edges,
            "unresolved_parents": unresolved.get(i, []),
        }

    up_from: dict[int, list[tuple[int, int, str]]] = {}
    for e in up:
        up_from.setdefault(e[0], []).append(e)
    down_from: dict[int, list[tuple[int, int, str]]] = {}
    for e in down:
        down_from.setdefault(e[1], []).append(e)

    ancestors = [
        node(i, d, edges_from(i, up_from.get(i, []), True))
        for i, d in sorted(up_depth.items(), key=lambda kv: (kv[1], info[kv[0]][0]))
        if i != vid
    ]
    descendants = [
        node(i, d, edges_from(i, down_from.get(i, []), False))
        for i, d in sorted(down_depth.items(), key=lambda kv: (kv[1], info[kv[0]][0]))
        if i != vid
    ]
    root = node(vid, 0, edges_from(vid, up_from.get(vid, []), True))
    root["children"] = edges_from(vid, down_from.get(vid, []), False)
    declared = set(up_depth) | set(down_depth)
    return {
        "variant": root,
        "ancestors": ancestors,
        "descendants": descendants,
        "detected": detected_relations(reader, vid, declared),
    }
