"""Text for ``list`` and ``show``: tables, JSON and JSON lines, written as rows arrive."""

from __future__ import annotations

import json
from collections.abc import Iterable
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from registry.cli.formats import human_bytes, plain_table, to_json
from registry.db.reader import Reader, as_list

if TYPE_CHECKING:
    from registry.catalog.listing import VariantFilter

HEADER = ("NAME", "LICENSE", "ARCHITECTURE", "MODALITIES", "SIZE")
DEFAULT_PAGE = 100  # --cursor without --limit
WRITE_BATCH = 500  # rows per write: one write per row costs more than the encoding


def write_list(
    reader: Reader,
    flt: VariantFilter,
    out: TextIO,
    *,
    fmt: str,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[int, str | None]:
    """Write the matching variants as a table, a JSON array or JSON lines.

    Returns (rows written, the next page's cursor or None). JSON is written as the database
    returns rows; a table needs every row for its widths.
    """
    from registry.catalog.listing import iter_variants, page_variants

    next_cursor = None
    if limit is not None or cursor is not None:
        size = limit if limit is not None else DEFAULT_PAGE
        page = page_variants(reader, flt, limit=size, cursor=cursor)
        rows: Any = page.items
        next_cursor = page.next_cursor
    else:
        rows = iter_variants(reader, flt)
    if fmt == "table":
        table = [
            (name, lic, arch or "-", ",".join(as_list(mods)), human_bytes(int(size or 0)))
            for _id, name, lic, arch, mods, size, _at in rows
        ]
        if table:
            out.write(plain_table(HEADER, table) + "\n")
        return len(table), next_cursor
    return _write_json(rows, out, lines=fmt == "jsonl"), next_cursor


def _write_json(rows: Iterable[Any], out: TextIO, *, lines: bool) -> int:
    """JSON lines, or an array with one compact object per line; written a batch of rows
    at a time as they come (one write per row costs more than encoding it)."""
    from registry.catalog.listing import summary

    encode = json.JSONEncoder(ensure_ascii=False).encode
    encoded = (encode(summary(row)) for row in rows)
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


def render_show(reader: Reader, name: str, *, as_json: bool) -> str:
    """One variant: license, lineage, files and digests."""
    from registry.catalog.describe import describe

    data = describe(reader, name)
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
