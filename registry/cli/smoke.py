"""``modelreg smoke``: load, check and generate with registered checkpoints, and record it.

Exit codes: 0 every run passed; 1 a run failed or drifted (unless ``--accept-drift``);
2 usage error; 4 the smoke extra is missing, the device is unusable, or (with nothing
failed) a checkpoint was refused because it cannot fit in free memory or is a GGUF this
installation cannot load (``unsupported``).
"""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.fanout import ShardOpt, SinceOpt, check_summary_args
from registry.cli.output import RichProgress, emit, say
from registry.errors import EXIT_FINDING, EXIT_OK, EXIT_OPERATIONAL

if TYPE_CHECKING:
    from registry.smoke.service import RunReport


class SmokeFormat(enum.StrEnum):
    table = "table"
    json = "json"


class CountProgress(RichProgress):
    """A bar counting checkpoints on stderr (a terminal only); one line per run otherwise."""

    def _columns(self) -> tuple[Any, ...]:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn

        return (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())

    def start(self, description: str, total: int | None) -> None:
        if total:
            super().start(description, total)


def _line(report: RunReport) -> str:
    res = report.result
    text = f"smoke {report.name}: {report.status}"
    if res is not None and res.load_seconds is not None and report.status != "fail":
        text += f" (load {res.load_seconds:.2f} s"
        if res.tokens_per_second is not None:
            text += f", {res.tokens_per_second:.1f} tok/s"
        text += ")"
    return text + (f": {report.reason}" if report.reason else "")


def smoke(
    ctx: typer.Context,
    variants: Annotated[
        list[str] | None, typer.Argument(help="Variants to smoke-test.", show_default=False)
    ] = None,
    all_: Annotated[
        bool,
        typer.Option("--all", help="Every variant whose content has not passed here yet."),
    ] = False,
    device: Annotated[str, typer.Option("--device", help="auto, cpu, cuda or cuda:N.")] = "auto",
    dtype: Annotated[
        str, typer.Option("--dtype", help="auto, float32, bfloat16 or float16.")
    ] = "auto",
    max_new_tokens: Annotated[
        int, typer.Option("--max-new-tokens", help="Tokens to generate greedily.")
    ] = 16,
    prompt: Annotated[
        str | None,
        typer.Option("--prompt", help="Prompt text (checkpoints with a tokenizer)."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Rerun content that already passed; start even if it may not fit."
        ),
    ] = False,
    accept_drift: Annotated[
        bool,
        typer.Option("--accept-drift", help="Accept tokens that differ from the last pass."),
    ] = False,
    shard: ShardOpt = None,
    summary_: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Report the latest run of every variant (from every machine and shard) "
            "instead of running; exit 1 when one failed or drifted.",
        ),
    ] = False,
    since: SinceOpt = None,
    fmt: Annotated[SmokeFormat, typer.Option("--format", help="table or json.")] = (
        SmokeFormat.table
    ),
) -> None:
    """Load each checkpoint, check its logits are finite, generate greedily, record the run.

    Loads from local files only (safetensors or GGUF, never the network), refuses missing or
    unexpected weights, loads an adapter onto its registered parent with peft, and reports
    drift when the generated tokens differ from the last passing run on the same device
    type and dtype. Needs the smoke extra: pip install 'modelreg[smoke]'.
    Exit 1 when a run fails or drifts; 4 when a checkpoint cannot fit in free memory or
    cannot be loaded by this installation (an unsupported GGUF).
    """
    check_summary_args(summary_, since, variants, all_, shard)
    if summary_:
        _summary(ctx, since, fmt)
        return
    from registry.catalog.shards import parse_shard
    from registry.smoke.report import to_json, to_table
    from registry.smoke.runner import SmokeOptions
    from registry.smoke.service import SmokeRequest, run_smoke

    request = SmokeRequest(
        names=tuple(variants or ()),
        all=all_,
        device=device,
        dtype=dtype,
        options=SmokeOptions(max_new_tokens=max_new_tokens, prompt=prompt),
        force=force,
        accept_drift=accept_drift,
        shard=parse_shard(shard) if shard else None,
    )
    progress = CountProgress()
    summary = run_smoke(
        state(ctx).store(),
        request,
        progress=progress,
        on_report=lambda r: progress.line(_line(r)),
    )
    if fmt is SmokeFormat.json:
        emit(json.dumps(to_json(summary), indent=2))
    else:
        emit(to_table(summary))
    if summary.count("fail") or summary.count("drift"):
        raise typer.Exit(EXIT_FINDING)
    if summary.count("refused"):
        say(f"error: {summary.count('refused')} checkpoint(s) refused: not enough free memory")
    if summary.count("unsupported"):
        say(f"error: {summary.count('unsupported')} checkpoint(s) not run: unsupported here")
    if summary.count("refused") or summary.count("unsupported"):
        raise typer.Exit(EXIT_OPERATIONAL)
    raise typer.Exit(EXIT_OK)


def _summary(ctx: typer.Context, since: str | None, fmt: SmokeFormat) -> None:
    from registry.catalog.listing import parse_time
    from registry.cli.formats import plain_table

    when = parse_time(since, "--since") if since else None
    rows = list(state(ctx).store().smoke_summary(when))
    if fmt is SmokeFormat.json:
        emit(json.dumps({"variants": rows}, indent=2))
    elif rows:
        table = [
            (
                r["name"],
                r["status"] or "-",
                f"{r['device_type']}/{r['dtype']}" if r["status"] else "-",
                r["ran_at"] or "-",
                r["error"] or "",
            )
            for r in rows
        ]
        emit(plain_table(("NAME", "STATUS", "DEVICE", "RAN", "ERROR"), table))
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("pass", "fail", "drift")}
    say(
        ", ".join(f"{n} {s}" for s, n in counts.items())
        + f", {sum(1 for r in rows if r['status'] is None)} without a run"
    )
    if counts["fail"] or counts["drift"]:
        raise typer.Exit(EXIT_FINDING)


def register(app: typer.Typer) -> None:
    """Attach ``smoke`` to the root app."""
    app.command("smoke")(smoke)
