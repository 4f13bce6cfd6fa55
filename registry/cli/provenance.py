"""``modelreg provenance``: what the weights say about where a variant came from."""

from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, plain_table, to_json
from registry.cli.output import RichByteProgress, emit, say


def provenance(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Variant whose weights are examined.")],
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against", "-a", help="Compare only with this variant (repeatable; default: all)."
        ),
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """Compare a variant's weights with registered variants: exact reuse, aligned cosine,
    robust statistics. Results are stored; `tree` shows them and `check` judges them."""
    from registry.provenance.service import run_provenance

    store = state(ctx).local_store()
    results = run_provenance(
        store.conns, store.actor, name, against=against or [], progress=RichByteProgress()
    )
    if fmt is ListFormat.json:
        emit(to_json({"variant": name, "results": [r.to_dict() for r in results]}))
        return
    if not results:
        say(f"{name}: no registered variant to compare with")
        return
    emit(render_results(results))


def render_results(results: list) -> str:  # type: ignore[type-arg]
    """One line per compared variant: verdict, the deciding method and its evidence."""
    rows = [
        (
            r.other,
            r.verdict,
            r.method,
            "-" if r.statistic is None else f"{r.statistic:.4g}",
            r.summary,
        )
        for r in results
    ]
    return plain_table(("other", "verdict", "method", "statistic", "evidence"), rows)


def register(app: typer.Typer) -> None:
    app.command("provenance")(provenance)
