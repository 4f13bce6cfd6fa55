"""``modelreg export``: a bill of materials for one variant (CycloneDX 1.6 or SPDX 3.0.1)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from registry.cli.context import state
from registry.cli.output import emit, say


class BomFormat(StrEnum):
    cyclonedx = "cyclonedx"
    spdx3 = "spdx3"


def _cyclonedx(ctx: typer.Context, variant: str) -> str:
    from registry.errors import MissingDependencyError

    model = state(ctx).store().bom(variant)
    try:
        from registry.formats.cyclonedx import render_cyclonedx
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"CycloneDX export needs {exc.name}", hint="pip install cyclonedx-python-lib"
        ) from None
    return render_cyclonedx(model)


def _spdx3(ctx: typer.Context, variant: str) -> str:
    from registry.catalog.bom import with_local_extras
    from registry.compliance.policies import load_policies
    from registry.errors import MissingDependencyError

    model = with_local_extras(state(ctx).store().bom(variant))
    policies = load_policies(state(ctx).settings().policy_dirs.value)
    try:
        from registry.formats.spdx3 import license_facts, render_spdx3
    except ModuleNotFoundError as exc:
        raise MissingDependencyError(
            f"SPDX 3 export needs {exc.name}", hint="pip install spdx-python-model"
        ) from None
    return render_spdx3(model, license_facts(policies))


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
    """Export a variant as a CycloneDX 1.6 ML-BOM or an SPDX 3.0.1 AI BOM (JSON)."""
    text = _spdx3(ctx, variant) if fmt is BomFormat.spdx3 else _cyclonedx(ctx, variant)
    if output is None:
        emit(text)
        return
    from registry.formats.output_file import write_text_atomic

    write_text_atomic(output, text)
    say(f"wrote {fmt.value} BOM of {variant} to {output}")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
