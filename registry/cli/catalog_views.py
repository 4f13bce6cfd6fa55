"""Text for ``list`` and ``show``: tables, JSON and JSON lines, written as rows arrive."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from registry.cli.formats import human_bytes, plain_table, to_json

if TYPE_CHECKING:
    from registry.catalog.listing import VariantFilter
    from registry.store.interface import Store

HEADER = ("NAME", "LICENSE", "ARCHITECTURE", "MODALITIES", "SIZE")
DEFAULT_PAGE = 100  # --cursor without --limit
WRITE_BATCH = 500  # rows per write: one write per row costs more than the encoding


def write_list(
    store: Store,
    flt: VariantFilter,
    out: TextIO,
    *,
    fmt: str,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[int, str | None]:
    """Write the matching variants as a table, a JSON array or JSON lines.

    Returns (rows written, the next page's cursor or None). JSON is written as the catalog
    returns rows; a table needs every row for its widths.
    """
    from registry.catalog.paging import check_limit, cursor_key, take_page

    check_limit(limit)
    next_cursor = None
    rows: Iterable[dict[str, Any]]
    if limit is not None or cursor is not None:
        size = limit if limit is not None else DEFAULT_PAGE
        fetched = store.variants(flt, after=cursor_key(cursor, str), limit=size + 1)
        page = take_page(fetched, size, lambda row: row["name"])
        rows, next_cursor = page.items, page.next_cursor
    else:
        rows = store.variants(flt)
    if fmt == "table":
        table = [
            (
                r["name"],
                r["license"],
                r["architecture"] or "-",
                ",".join(r["modalities"]),
                human_bytes(r["total_bytes"]),
            )
            for r in rows
        ]
        if table:
            out.write(plain_table(HEADER, table) + "\n")
        return len(table), next_cursor
    return _write_json(rows, out, lines=fmt == "jsonl"), next_cursor


def _write_json(rows: Iterable[dict[str, Any]], out: TextIO, *, lines: bool) -> int:
    """JSON lines, or an array with one compact object per line; written a batch of rows
    at a time as they come (one write per row costs more than encoding it)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    encoded = (encode(row) for row in rows)
    count = 0
    if not lines:
        out.write("[")
    while batch := list(islice(encoded, WRITE_BATCH)):
        if lines:
            out.write("\n".join(batch) + "\n")
        else:
            out.write(("\n" if not count else ",\n") + ",\n".join(batch))
        count += len(batch)
    if not lines:
        out.write("\n]\n" if count else "]\n")
    return count


def render_show(store: Store, name: str, *, as_json: bool) -> str:
    """One variant: license, lineage, files and digests."""
    data = store.describe(name)
    if as_json:
        return to_json(data)
    lines = [f"name:           {data['name']}"]
    lic = data["license"] + (f" ({data['license_name']})" if data["license_name"] else "")
    lines.append(f"license:        {lic}")
    for key in ("architecture", "parameter_count", "source", "created_by", "created_at"):
        value = data.get(key)
        lines.append(f"{key + ':':<15} {value if value is not None else '-'}")
    if data.get("content_digest"):
        lines.append(f"content:        {data['content_digest']}")
    lines.append(f"modalities:     {', '.join(data['modalities'])}")
    for p in data["parents"]:
        lines.append(f"parent:         {p['name']} ({p['relation']})")
    for u in data["unresolved_parents"]:
        lines.append(f"parent:         {u['reference']} ({u['relation']}, unresolved)")
    for c in data["children"]:
        lines.append(f"child:          {c['name']} ({c['relation']})")
    lines.append(f"files:          {len(data['files'])} ({human_bytes(data['total_bytes'])})")
    for f in data["files"]:
        digest = f["sha256"] or f"git:{f['git_oid']}"
        lines.append(f"  {digest}  {human_bytes(f['size']):>10}  {f['path']}")
    return "\n".join(lines)
