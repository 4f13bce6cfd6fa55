"""``modelreg config show|path``: the effective settings and where each one came from."""

from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, to_json
from registry.cli.output import emit

app = typer.Typer(
    help="Show the configuration (TOML file in the user config directory, or MODELREG_CONFIG).",
    no_args_is_help=True,
)


@app.command()
def show(
    ctx: typer.Context,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ListFormat.table
    ),
) -> None:
    """Print every effective setting and its source; passwords and tokens are masked."""
    from registry.settings_report import effective_settings

    report = effective_settings(state(ctx).settings())
    if fmt is ListFormat.json:
        emit(to_json(report))
        return
    cfg = report["config_file"]
    lines = [f"config file    {cfg['path']} ({'found' if cfg['exists'] else 'not found'})"]
    for key, item in report["settings"].items():
        value = item["value"]
        if isinstance(value, list):
            shown = ", ".join(value) if value else "(none)"
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={_flat(v)}" for k, v in value.items() if v not in (None, []))
        else:
            shown = "(unset)" if value is None else str(value)
        lines.append(f"{key:<14} {shown}  [{item['source']}]")
    emit("\n".join(lines))


def _flat(value: object) -> str:
    return " ".join(str(v) for v in value) if isinstance(value, list) else str(value)


@app.command()
def path() -> None:
    """Print the path of the config file (whether or not it exists)."""
    from registry.config import config_file_path

    emit(str(config_file_path()))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="config")
