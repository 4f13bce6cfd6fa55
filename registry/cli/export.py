"""``modelreg export``: a bill of materials for one variant (CycloneDX 1.6 ML-BOM)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say


class BomFormat(StrEnum):
    cyclonedx = "cyclonedx"


def export(
    ctx: typer.Context,
    variant: Annotated[str, typer.Argument(help="Variant name.")],
    fmt: Annotated[
        BomFormat, typer.Option("--format", "-f", help="Document format.")
    ] = BomFormat.cyclonedx,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of stdout."),
    ] = None,
) -> None:
    """Export a variant as a CycloneDX 1.6 JSON ML-BOM: files, hashes, licenses, lineage."""
    from registry.errors import MissingDependencyError

    model = state(ctx).store().bom(variant)
    try:
        from registry.formats.cyclonedx import render_cyclonedx
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"CycloneDX export needs {exc.name}", hint="pip install cyclonedx-python-lib"
        ) from None
    text = render_cyclonedx(model)
    if output is None:
        emit(text)
        return
    from registry.formats.output_file import write_text_atomic

    write_text_atomic(output, text)
    say(f"wrote {fmt.value} BOM of {variant} to {output}")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
