"""``modelreg release request|approve|reject|list|show``: sign-offs bound to their evidence."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

app = typer.Typer(
    help="Releases: a deployment signed off by an approver, bound to its evidence.",
    no_args_is_help=True,
)

Format = Annotated[str, typer.Option("--format", help="table or json.")]


def _fmt(fmt: str) -> str:
    from registry.errors import InvalidInputError

    if fmt not in ("table", "json"):
        raise InvalidInputError(f"unknown format {fmt!r}; use table or json")
    return fmt


@app.command("request")
def request(
    ctx: typer.Context,
    variant: Annotated[str, typer.Argument(metavar="VARIANT", help="The deployed variant.")],
    deployment: Annotated[str, typer.Option("--deployment", help="The deployment to release.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, for the approver.")] = None,
    fmt: Format = "table",
) -> None:
    """Check the deployment, freeze its evidence and ask an approver to sign it off
    (exit 1 when the evidence does not allow it)."""
    from registry.errors import InvalidInputError

    _fmt(fmt)
    store = state(ctx).store()
    deployed = store.deploy_show(deployment)["model"]
    if deployed != variant:
        raise InvalidInputError(f"deployment {deployment} deploys {deployed}, not {variant}")
    rel = store.release_request(deployment, note)
    if fmt == "json":
        emit(json.dumps(rel, indent=2, ensure_ascii=False))
    say(
        f"requested release #{rel['id']} of {deployment} ({variant}, verdict {rel['verdict']}, "
        f"evidence sha256 {rel['evidence_sha256'][:16]}...); an approver decides it"
    )


def _decide(ctx: typer.Context, release_id: int, approve: bool, reason: str, fmt: str) -> None:
    _fmt(fmt)
    rel = state(ctx).store().release_decide(release_id, approve, reason)
    if fmt == "json":
        emit(json.dumps(rel, indent=2, ensure_ascii=False))
    say(f"release #{release_id} of {rel['deployment']} {rel['status']} by {rel['decided_by']}")


@app.command("approve")
def approve(
    ctx: typer.Context,
    release_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why it may be released.")],
    fmt: Format = "table",
) -> None:
    """Approve a pending release (approver of the variant's namespace, not the requester)."""
    _decide(ctx, release_id, True, reason, fmt)


@app.command("reject")
def reject(
    ctx: typer.Context,
    release_id: Annotated[int, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option("--reason", help="Why not.")],
    fmt: Format = "table",
) -> None:
    """Reject a pending release (approver of the variant's namespace, not the requester)."""
    _decide(ctx, release_id, False, reason, fmt)


def _causes(rel: dict[str, Any]) -> list[dict[str, str]]:
    return list(rel.get("causes") or rel.get("stale_causes") or [])


@app.command("list")
def list_(
    ctx: typer.Context,
    stale: Annotated[bool, typer.Option("--stale", help="Only stale releases.")] = False,
    state_: Annotated[
        str | None,
        typer.Option("--state", help="pending, approved, rejected or stale."),
    ] = None,
    deployment: Annotated[str | None, typer.Option("--deployment")] = None,
    variant: Annotated[str | None, typer.Option("--variant")] = None,
    fmt: Format = "table",
) -> None:
    """List releases, newest first, with their state (stale ones with what changed)."""
    from registry.errors import InvalidInputError

    _fmt(fmt)
    if stale and state_ not in (None, "stale"):
        raise InvalidInputError("--stale and --state disagree")
    rows = (
        state(ctx)
        .store()
        .releases(state="stale" if stale else state_, deployment=deployment, variant=variant)
    )
    if fmt == "json":
        emit(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    lines = []
    for r in rows:
        line = (
            f"#{r['id']}\t{r['state']}\t{r['deployment']}\t{r['variant']}\t{r['verdict']}\t"
            f"requested by {r['requested_by']}"
        )
        if r["decided_by"]:
            line += f", {r['status']} by {r['decided_by']}"
        lines.append(line)
        lines += [f"\tchanged: {c['what']}" for c in _causes(r) if r["state"] == "stale"]
    emit("\n".join(lines) or "(no releases)")


@app.command("show")
def show(
    ctx: typer.Context,
    release_id: Annotated[int, typer.Argument(metavar="ID")],
    fmt: Format = "table",
) -> None:
    """Show one release: its decision, its frozen evidence and, if stale, what changed."""
    _fmt(fmt)
    rel = state(ctx).store().release_show(release_id)
    if fmt == "json":
        emit(json.dumps(rel, indent=2, ensure_ascii=False))
        return
    emit(render(rel))


def render(rel: dict[str, Any]) -> str:
    ev = rel["evidence"]
    out = [
        f"release #{rel['id']}: {rel['state']}",
        f"deployment: {rel['deployment']} ({rel['variant']} for {rel['org']})",
        f"requested: {rel['requested_at']} by {rel['requested_by']}"
        + (f": {rel['note']}" if rel["note"] else ""),
    ]
    if rel["decided_by"]:
        out.append(f"{rel['status']}: {rel['decided_at']} by {rel['decided_by']}: {rel['reason']}")
    out.append(f"evidence sha256: {rel['evidence_sha256']}")
    out.append(f"verdict at request: {rel['verdict']}")
    ver = ev.get("verification")
    if ver:
        out.append(
            f"verification: #{ver['id']} {'ok' if ver['ok'] else 'NOT ok'} at {ver['verified_at']}"
        )
    smoke = ev.get("smoke")
    if smoke:
        where = f"{smoke['device_type']}, {smoke['dtype']}"
        out.append(f"smoke run: #{smoke['id']} pass at {smoke['at']} ({where})")
    else:
        out.append("smoke run: none")
    out.append(f"content digest: {ev['variant']['content_digest']}")
    out.append(
        "policies: " + ", ".join(f"{p} {d['sha256'][:12]}" for p, d in ev["policies"].items())
    )
    facts = ev["facts"]
    out.append("family: " + ", ".join(facts["org"]["family"]))
    for month, users in facts["mau"].items():
        out.append(f"MAU {month}: " + (", ".join(f"{o} {n:,}" for o, n in users.items()) or "none"))
    for lic in facts["licenses"]:
        path = lic["path"][0]
        for rel_, name in zip(lic["relations"], lic["path"][1:], strict=False):
            path += f" <-{rel_}- {name}"
        out.append(f"license {lic['license']}: {path}")
    if rel["state"] == "stale":
        out.append("changed since approval:")
        out += [f"  {c['what']}" for c in _causes(rel)]
    return "\n".join(out)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="release")
