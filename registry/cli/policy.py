"""``modelreg policy list|show ID``: the license policies in force (built-in and the
organisation's own directories)."""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit

app = typer.Typer(help="Show the license policies the checks apply.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", help="table or json.")]


def _fmt(fmt: str) -> str:
    from registry.errors import InvalidInputError

    if fmt not in ("table", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}: use table or json")
    return fmt


@app.command("list")
def list_(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """List every policy: id, kind, name, file."""
    import json

    rows = state(ctx).store().policies()
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

    doc = state(ctx).store().policy(policy_id)
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
    if doc.get("agreement_sentences"):
        lines.append(
            f"agreement text: {doc['agreement_min_sentences']} of "
            f"{len(doc['agreement_sentences'])} distinctive sentences make a copy "
            "(--format json lists them)"
        )
    lines.append("prohibited purposes: " + (", ".join(doc["prohibited_purposes"]) or "(none)"))
    lines.append("rules:")
    for rule_id, rule in doc["rules"].items():
        params = {k: v for k, v in rule.items() if k not in ("clause", "uses", "outputs")}
        extra = []
        if rule["uses"]:
            extra.append("uses " + "/".join(rule["uses"]))
        if rule["outputs"]:
            extra.append("carried through distill")
        extra += [f"{k}={v}" for k, v in params.items() if k != "countries"]
        if "countries" in params:
            extra.append("countries " + " ".join(params["countries"]))
        lines.append(f"  {rule_id} ({rule['clause']})" + (": " + "; ".join(extra) if extra else ""))
    lines.append(f"file: {doc['file']} (sha256 {doc['sha256']})")
    emit("\n".join(lines))
