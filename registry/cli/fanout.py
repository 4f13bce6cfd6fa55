"""Options shared by ``verify`` and ``smoke`` for running a zoo on a cluster.

``--shard K/N`` with ``--all`` (a stable partition by variant name, for job arrays) and
``--summary [--since TIME]`` (every variant's latest result, from every machine).
"""

from __future__ import annotations

from typing import Annotated

import typer

from registry.cli.output import say
from registry.errors import EXIT_USAGE

ShardOpt = Annotated[
    str | None,
    typer.Option(
        "--shard",
        metavar="K/N",
        help="With --all: only the variants of shard K of N (K from 0; a stable partition "
        "by name, for job arrays).",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option("--since", metavar="TIME", help="With --summary: ignore older results."),
]


def check_summary_args(summary: bool, since: str | None, *others: object) -> None:
    """``--summary`` takes only ``--since`` and ``--format``; ``--since`` needs ``--summary``."""
    if summary and any(others):
        say("error: --summary takes only --since and --format")
        raise typer.Exit(EXIT_USAGE)
    if since and not summary:
        say("error: --since goes with --summary")
        raise typer.Exit(EXIT_USAGE)
