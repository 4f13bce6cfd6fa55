"""``modelreg audit list|verify|export``: the hash-chained trail of every write."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.formats import plain_table
from registry.cli.output import emit, say

app = typer.Typer(
    help="The audit trail: who changed what, when, chained by hashes.", no_args_is_help=True
)


def _compact(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this user.")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Only this target.")] = None,
    action: Annotated[
        str | None,
        typer.Option("--action", help="An action (org.mau.set), or a prefix ending in '.' or '*'."),
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="ISO date or date-time (UTC by default).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many events.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """List audit events, oldest first: sequence, time, actor, action, target, change."""
    from registry.audit.trail import AuditFilter, parse_since
    from registry.errors import InvalidInputError

    if fmt not in ("table", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}: use table or json")
    if limit is not None and not 1 <= limit <= 1000:
        raise InvalidInputError("--limit must be between 1 and 1000")
    flt = AuditFilter(actor=actor, target=target, action=action, since=parse_since(since))
    rows = state(ctx).store().audit(flt, limit=limit)
    if fmt == "json":
        emit(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        say("no audit events match")
        return
    emit(
        plain_table(
            ("SEQ", "AT", "ACTOR", "ACTION", "TARGET", "BEFORE", "AFTER"),
            [
                (
                    str(e["seq"]),
                    e["at"][:19],
                    e["actor"] + ("" if e["actor_kind"] == "user" else " (os)"),
                    e["action"],
                    e["target"],
                    _compact(e["before"]),
                    _compact(e["after"]),
                )
                for e in rows
            ],
        )
    )


@app.command("verify")
def verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option("--expect-head", help="A head hash noted earlier: it must still be there."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Recompute the hash chain; exit 1 naming the first broken event.

    With --expect-head, a trail whose newest events were removed is caught too.
    """
    result = state(ctx).store().audit_verify(expect_head)
    if fmt == "json":
        emit(json.dumps(result, indent=2))
    elif result["ok"]:
        emit(
            f"audit trail verified: {result['events']} events, "
            f"head #{result['head_seq']} {result['head_hash']}"
        )
    if not result["ok"]:
        say(f"audit trail broken at event #{result['broken_seq']}: {result['problem']}")
        raise typer.Exit(1)


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="jsonl (one event per line).")] = "jsonl",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Export the whole trail as JSON Lines, with hashes, for verification elsewhere."""
    from registry.audit.trail import AuditFilter
    from registry.errors import InvalidInputError

    if fmt != "jsonl":
        raise InvalidInputError(f"unknown format {fmt!r}: use jsonl")
    rows = state(ctx).store().audit(AuditFilter())
    text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in rows)
    if output is None:
        if text:
            sys.stdout.write(text)
        return
    from registry.formats.output_file import write_text_atomic

    write_text_atomic(output, text)
    say(f"wrote {len(rows)} audit events to {output}")
