"""Text for ``list`` and ``show``, without typer or rich, so the fast entry point can use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from registry.cli.formats import human_bytes, plain_table, to_json, to_json_lines_array

if TYPE_CHECKING:
    from registry.store.interface import Store


def render_list(store: Store, *, as_json: bool) -> str | None:
    """Every variant as a table or a JSON array; None for an empty catalog (table only)."""
    if as_json:
        return to_json_lines_array(store.variants())
    rows = [
        (n, lic, arch, mods, human_bytes(size)) for n, lic, arch, mods, size in store.variant_rows()
    ]
    if not rows:
        return None
    return plain_table(("NAME", "LICENSE", "ARCHITECTURE", "MODALITIES", "SIZE"), rows)


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
        lines.append(f"{key + ':':<16}{value if value is not None else '-'}")
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
