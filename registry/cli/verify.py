"""``modelreg verify``: prove the bytes on disk are the bytes registered."""

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, to_json
from registry.cli.output import RichByteProgress, emit, say


def verify(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Variant names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Verify every variant.")] = False,
    path: Annotated[
        Path | None,
        typer.Option("--path", help="Verify this local copy instead of the recorded location."),
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="Trust files whose size, mtime and inode match the last full verify "
            "(faster, less safe: a rewrite that restores the mtime goes unnoticed).",
        ),
    ] = False,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    signature: Annotated[
        Path | None,
        typer.Option("--signature", help="Check a model_signing (OpenSSF) bundle too."),
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help="Signer's public key (PEM).")] = None,
    certificate: Annotated[
        Path | None, typer.Option("--certificate", help="Signer's certificate (PEM).")
    ] = None,
    ca_bundle: Annotated[
        Path | None, typer.Option("--ca-bundle", help="Trusted CA certificates (PEM).")
    ] = None,
    identity: Annotated[
        str | None, typer.Option("--identity", help="Sigstore keyless: expected identity.")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="Sigstore keyless: expected OIDC issuer.")
    ] = None,
) -> None:
    """Re-hash registered files: ok, modified, missing or extra (exit 1 on any change).

    A modified safetensors or GGUF file is reported with the names of the tensors that changed.
    With --signature, also check a model_signing bundle (offline) and record who signed.
    """
    if signature is None and any(
        o is not None for o in (key, certificate, ca_bundle, identity, issuer)
    ):
        from registry.errors import InvalidInputError

        raise InvalidInputError("--key, --certificate, --ca-bundle, --identity go with --signature")
    if signature is not None:
        from registry.cli.signature import verify_with_signature

        if quick or all_:
            from registry.errors import InvalidInputError

            raise InvalidInputError(
                "--signature reads every file of one variant: no --quick, --all"
            )

        return verify_with_signature(
            ctx,
            names or [],
            signature,
            key=key,
            certificate=certificate,
            ca_bundle=ca_bundle,
            identity=identity,
            issuer=issuer,
            path=path,
            fmt=fmt,
        )
    from registry.catalog.verify import verify_variants

    results = verify_variants(
        state(ctx).store(),
        names or [],
        all_=all_,
        path=path,
        quick=quick,
        progress=RichByteProgress(),
    )
    doc: list[dict[str, Any]] = [
        {
            "name": r.name,
            "root": str(r.report.root),
            "ok": r.ok,
            "files": [
                {
                    "path": f.path,
                    "status": f.status,
                    "expected_sha256": f.expected_sha256,
                    "actual_sha256": f.actual_sha256,
                    "changed_tensors": f.changed_tensors,
                    "note": f.note,
                    "quick": f.quick,
                }
                for f in r.report.files
            ],
        }
        for r in results
    ]
    if fmt is ListFormat.json:
        emit(to_json({"variants": doc, "ok": all(r.ok for r in results)}))
    else:
        lines = []
        for v in doc:
            bad = [f for f in v["files"] if f["status"] != "ok"]
            lines.append(f"{v['name']}: {'verified' if not bad else 'MISMATCH'} ({v['root']})")
            for f in bad:
                extra = (
                    f" (tensors: {', '.join(f['changed_tensors'])})" if f["changed_tensors"] else ""
                )
                note = f" ({f['note']})" if f["note"] else ""
                lines.append(f"  {f['status']:<9} {f['path']}{extra}{note}")
        emit("\n".join(lines))
    if not all(r.ok for r in results):
        say("verification failed: files differ from the catalog")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
