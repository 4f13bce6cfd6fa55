"""``modelreg webhook add|list|rm`` and ``webhook deliveries list|replay`` (admins)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say

app = typer.Typer(help="Webhooks: events posted, signed, to HTTP endpoints.", no_args_is_help=True)
deliveries_app = typer.Typer(help="The delivery log of webhooks.", no_args_is_help=True)
app.add_typer(deliveries_app, name="deliveries")

Format = Annotated[str, typer.Option("--format", help="table or json.")]


def _read_secret(path: Path) -> str:
    from registry.errors import InvalidInputError

    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read the secret file {path}: {exc}") from None
    if not text or "\n" in text:
        raise InvalidInputError(f"the secret file {path} must hold one line: the secret")
    return text


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(metavar="URL")],
    events: Annotated[
        str,
        typer.Option(
            "--events",
            help="Comma-separated: variant.registered, verify.failed, check.failed, "
            "release.requested, release.approved, release.rejected, release.stale, "
            "policy.changed.",
        ),
    ],
    secret_file: Annotated[
        Path, typer.Option("--secret-file", help="File holding the signing secret.")
    ],
) -> None:
    """Post the chosen events to URL, signed with the secret (Standard Webhooks)."""
    from registry.webhooks.subscriptions import parse_events

    hook = state(ctx).store().webhook_add(url, parse_events(events), _read_secret(secret_file))
    emit(str(hook["id"]))
    say(f"added webhook #{hook['id']} for {', '.join(hook['events'])} -> {hook['url']}")


@app.command("list")
def list_(ctx: typer.Context, fmt: Format = "table") -> None:
    """List webhooks with their delivery counts."""
    rows = state(ctx).store().webhooks()
    if fmt == "json":
        emit(json.dumps(rows, indent=2))
        return
    emit(
        "\n".join(
            f"#{h['id']}\t{h['url']}\t{','.join(h['events'])}\t"
            + " ".join(f"{k}={v}" for k, v in h["deliveries"].items())
            for h in rows
        )
        or "(no webhooks)"
    )


@app.command("rm")
def rm(ctx: typer.Context, hook_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Remove a webhook and its delivery log."""
    state(ctx).store().webhook_rm(hook_id)
    say(f"removed webhook #{hook_id}")


@deliveries_app.command("list")
def deliveries_list(
    ctx: typer.Context,
    webhook: Annotated[int | None, typer.Option("--webhook", help="One webhook's.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="pending, delivered or failed.")
    ] = None,
    fmt: Format = "table",
) -> None:
    """List deliveries, newest first, with their attempts."""
    rows = state(ctx).store().deliveries(webhook=webhook, status=status)
    if fmt == "json":
        emit(json.dumps(rows, indent=2))
        return
    emit(
        "\n".join(
            f"#{d['id']}\twebhook #{d['webhook']}\t{d['event']}\t{d['status']}\t"
            f"{d['attempts']} attempt(s)\t{d['last_status'] or d['last_error'] or ''}"
            for d in rows
        )
        or "(no deliveries)"
    )


@deliveries_app.command("replay")
def deliveries_replay(
    ctx: typer.Context, delivery_id: Annotated[int, typer.Argument(metavar="ID")]
) -> None:
    """Send a delivery again (same message id and body), with a fresh set of attempts."""
    d = state(ctx).store().delivery_replay(delivery_id)
    say(f"delivery #{d['id']} ({d['event']}) queued again")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="webhook")
