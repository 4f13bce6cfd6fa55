"""``modelreg policy list|show ID``: the license policies in force (built-in and the
organisation's own directories)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit

if TYPE_CHECKING:
    from registry.compliance.policies import PolicySet

app = typer.Typer(help="Show the license policies the checks apply.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]


def _policies(ctx: typer.Context) -> PolicySet:
    from registry.compliance.policies import load_policies

    return load_policies(state(ctx).settings().policy_dirs.value)


def _fmt(fmt: str) -> str:
    from registry.errors import InvalidInputError

    if fmt not in ("table", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}: use table or json")
    return fmt


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """List every policy: id, kind, name, file."""
    import json

    ps = _policies(ctx)
    rows = [
        {"id": p.id, "kind": p.kind, "name": p.name, "spdx": p.spdx, "file": p.path}
        for p in sorted(ps.policies.values(), key=lambda p: p.id)
    ]
    if _fmt(fmt) == "json":
        emit(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["id"]) for r in rows)
    emit("\n".join(f"{r['id']:<{width}}  {r['kind']:<14}  {r['name']}" for r in rows))


@app.command("show")
def show(
    ctx: typer.Context,
    policy_id: Annotated[str, typer.Argument(metavar="ID", help="Policy id or alias.")],
    fmt: FormatOpt = "table",
) -> None:
    """Show one policy: facts, required texts, prohibited purposes, rules and clauses."""
    import json

    p = _policies(ctx).get(policy_id)
    doc = {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "spdx": p.spdx,
        "huggingface_id": p.huggingface_id,
        "aliases": list(p.aliases),
        "release_date": p.release_date.isoformat() if p.release_date else None,
        "measured_month": p.measured_month,
        "license_url": p.license_url,
        "license_title": p.license_title,
        "agreement_sentences": list(p.agreement_sentences),
        "agreement_min_sentences": p.agreement_min_sentences or None,
        "license_links": list(p.license_links),
        "notice": p.notice,
        "built_with": p.built_with,
        "name_prefix": p.name_prefix,
        "prohibited_purposes": list(p.prohibited_purposes),
        "rules": {
            r.id: {"clause": r.clause, "uses": list(r.uses), "outputs": r.outputs, **r.params}
            for r in p.rules.values()
        },
        "file": p.path,
        "sha256": p.digest,
    }
    if _fmt(fmt) == "json":
        emit(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    lines = []
    for key in (
        "id",
        "name",
        "kind",
        "spdx",
        "huggingface_id",
        "aliases",
        "release_date",
        "measured_month",
        "license_url",
        "license_title",
        "license_links",
        "notice",
        "built_with",
        "name_prefix",
    ):
        value = doc[key]
        if value in (None, []):
            continue
        shown = ", ".join(value) if isinstance(value, list) else value
        lines.append(f"{key}: {shown}")
    if p.agreement_sentences:
        lines.append(
            f"agreement text: {p.agreement_min_sentences} of {len(p.agreement_sentences)} "
            "distinctive sentences make a copy (--format json lists them)"
        )
    lines.append("prohibited purposes: " + (", ".join(p.prohibited_purposes) or "(none)"))
    lines.append("rules:")
    for r in p.rules.values():
        extra = []
        if r.uses:
            extra.append("uses " + "/".join(r.uses))
        if r.outputs:
            extra.append("carried through distill")
        extra += [f"{k}={v}" for k, v in r.params.items() if k != "countries"]
        if "countries" in r.params:
            extra.append("countries " + " ".join(r.params["countries"]))
        lines.append(f"  {r.id} ({r.clause})" + (": " + "; ".join(extra) if extra else ""))
    lines.append(f"file: {p.path} (sha256 {p.digest})")
    emit("\n".join(lines))
