"""``modelreg verify``: prove the bytes on disk are the bytes registered; summarise results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.fanout import ShardOpt, SinceOpt, check_summary_args
from registry.cli.formats import ListFormat, human_bytes, plain_table, to_json
from registry.cli.output import RichByteProgress, emit, say
from registry.errors import EXIT_FINDING

if TYPE_CHECKING:
    from registry.catalog.verify import VariantVerification


def _doc(r: VariantVerification) -> dict[str, Any]:
    return {
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
                "chunks": f.chunks,
            }
            for f in r.report.files
        ],
    }


def _lines(v: dict[str, Any]) -> list[str]:
    bad = [f for f in v["files"] if f["status"] != "ok"]
    lines = [f"{v['name']}: {'verified' if not bad else 'MISMATCH'} ({v['root']})"]
    for f in bad:
        extra = f" (tensors: {', '.join(f['changed_tensors'])})" if f["changed_tensors"] else ""
        note = f" ({f['note']})" if f["note"] else ""
        lines.append(f"  {f['status']:<9} {f['path']}{extra}{note}")
    return lines


def summary(ctx: typer.Context, since: str | None, fmt: ListFormat) -> None:
    """``verify --summary``: the latest result of every variant, from every shard."""
    from registry.catalog.listing import parse_time

    when = parse_time(since, "--since") if since else None
    rows = list(state(ctx).store().verify_summary(when))
    bad = [r for r in rows if r["status"] == "failed" or (r["local"] and r["status"] is None)]
    if fmt is ListFormat.json:
        emit(to_json({"variants": rows, "ok": not bad}))
    elif rows:
        table = [
            (
                r["name"],
                r["status"] or "-",
                r["verified_at"] or "-",
                human_bytes(r["bytes_read"]) if r["bytes_read"] is not None else "-",
                r["shard"] or "-",
                r["host"] or "-",
                "; ".join(r["problems"]),
            )
            for r in rows
        ]
        emit(
            plain_table(("NAME", "STATUS", "VERIFIED", "READ", "SHARD", "HOST", "PROBLEMS"), table)
        )
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("ok", "failed")}
    none = len(rows) - counts["ok"] - counts["failed"]
    say(
        f"{counts['ok']} ok, {counts['failed']} failed, {none} without a result"
        + (f" since {when.isoformat()}" if when else "")
    )
    if bad:
        raise typer.Exit(EXIT_FINDING)


def verify(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Variant names.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Verify every variant.")] = False,
    shard: ShardOpt = None,
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
    summary_: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Report the latest result of every variant (from every machine and shard) "
            "instead of verifying; exit 1 when one failed or a local one has none.",
        ),
    ] = False,
    since: SinceOpt = None,
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
    A large file registered with chunk digests is verified chunk by chunk on every core.
    Each variant's result is recorded for --summary.
    With --signature, also check a model_signing bundle (offline) and record who signed.
    """
    signing = (signature, key, certificate, ca_bundle, identity, issuer)
    check_summary_args(summary_, since, names, all_, shard, path, quick, *signing)
    if summary_:
        summary(ctx, since, fmt)
        return
    if signature is None and any(o is not None for o in signing):
        from registry.errors import InvalidInputError

        raise InvalidInputError("--key, --certificate, --ca-bundle, --identity go with --signature")
    if signature is not None:
        from registry.cli.signature import verify_with_signature

        if quick or all_ or shard:
            from registry.errors import InvalidInputError

            raise InvalidInputError(
                "--signature reads every file of one variant: no --quick, --all, --shard"
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
    from registry.catalog.shards import parse_shard
    from registry.catalog.verify import iter_verify

    results = []
    for r in iter_verify(
        state(ctx).store(),
        names or [],
        all_=all_,
        path=path,
        quick=quick,
        shard=parse_shard(shard) if shard else None,
        progress=RichByteProgress(),
        skipped=lambda name: say(f"skipped {name}: no local checkpoint (verify it with --path)"),
    ):
        results.append(r)
        if fmt is ListFormat.table:
            sys.stdout.write("\n".join(_lines(_doc(r))) + "\n")
            sys.stdout.flush()
    if fmt is ListFormat.json:
        emit(to_json({"variants": [_doc(r) for r in results], "ok": all(r.ok for r in results)}))
    if not all(r.ok for r in results):
        say("verification failed: files differ from the catalog")
        raise typer.Exit(EXIT_FINDING)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
