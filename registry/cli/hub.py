"""``modelreg scan``: register the model snapshots of a local Hugging Face cache."""

from pathlib import Path
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, to_json
from registry.cli.output import RichByteProgress, emit, say


def scan(
    ctx: typer.Context,
    cache_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Hugging Face cache directory (default: HF_HUB_CACHE, else HF_HOME/hub, "
            "else ~/.cache/huggingface/hub)."
        ),
    ] = None,
    name_template: Annotated[
        str,
        typer.Option(
            "--name-template",
            help="Variant name for each snapshot; fields {repo_id} {org} {name} {revision} "
            "{short_revision} {ref}.",
        ),
    ] = "{repo_id}@{short_revision}",
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ListFormat.table
    ),
) -> None:
    """Register every model snapshot in a Hugging Face cache that is not registered yet.

    Exit 0 when every snapshot was added or already registered; 4 when some could not be
    read (the others are still registered).
    """
    from registry.hub.scan import scan_cache

    report = scan_cache(
        state(ctx).store(),
        cache_dir,
        name_template=name_template,
        progress=RichByteProgress(),
    )
    if fmt is ListFormat.json:
        emit(
            to_json(
                {
                    "cache_dir": str(report.cache_dir),
                    "added": [{"name": o.name, "path": str(o.path)} for o in report.added],
                    "skipped": [
                        {"name": o.name, "path": str(o.path), "reason": o.reason}
                        for o in report.skipped
                    ],
                    "unreadable": [
                        {"path": str(u.path), "reason": u.reason} for u in report.unreadable
                    ],
                }
            )
        )
    else:
        lines = [f"added       {o.name}" for o in report.added]
        lines += [f"skipped     {o.name} ({o.reason})" for o in report.skipped]
        lines += [f"unreadable  {u.path}: {u.reason}" for u in report.unreadable]
        if lines:
            emit("\n".join(lines))
    say(
        f"{report.cache_dir}: {len(report.added)} added, {len(report.skipped)} skipped, "
        f"{len(report.unreadable)} unreadable"
    )
    if report.unreadable:
        raise typer.Exit(4)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
