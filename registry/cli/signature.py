"""``modelreg sign`` and the ``--signature`` half of ``modelreg verify`` (model_signing bundles)."""

from pathlib import Path
from typing import Annotated, Any

import typer

from registry.cli.context import state
from registry.cli.formats import ListFormat, to_json
from registry.cli.output import RichByteProgress, emit, say


def verify_with_signature(
    ctx: typer.Context,
    names: list[str],
    signature: Path,
    *,
    key: Path | None,
    certificate: Path | None,
    ca_bundle: Path | None,
    identity: str | None,
    issuer: str | None,
    path: Path | None,
    fmt: ListFormat,
) -> None:
    """Verify one variant against a signature bundle; exit 1 naming what does not match."""
    from registry.errors import InvalidInputError
    from registry.signing.verify import Trust, verify_signature

    if len(names) != 1:
        raise InvalidInputError("--signature goes with exactly one variant name")
    trust = Trust(key, certificate, ca_bundle, identity, issuer)
    result = verify_signature(
        state(ctx).catalog(), names[0], signature, trust, path=path, progress=RichByteProgress()
    )
    s = result.signer
    files = result.coverage.files if result.coverage else ()
    doc: dict[str, Any] = {
        "name": result.name,
        "method": result.method,
        "ok": result.ok,
        "bundle_sha256": result.bundle_sha256,
        "signer": result.signer_summary(),
        "problem": s.problem,
        "checks": {"verified": s.verified, "not_verified": s.not_verified},
        "files": [{"path": f.path, "status": f.status, "note": f.note} for f in files],
    }
    if fmt is ListFormat.json:
        emit(to_json(doc))
    else:
        who = s.identity or (doc["signer"]["key_fingerprint"] or "")[:16] + "..."
        if s.problem is not None:
            lines = [f"{result.name}: SIGNATURE INVALID ({result.method}): {s.problem}"]
        else:
            state_word = "signature verified" if result.ok else "MISMATCH"
            lines = [f"{result.name}: {state_word} ({result.method}, signed by {who})"]
            lines += [f"  verified: {c}" for c in s.verified]
            lines += [f"  not verified offline: {c}" for c in s.not_verified]
            for f in files:
                if f.status != "ok":
                    note = f" ({f.note})" if f.note else ""
                    lines.append(f"  {f.status:<9} {f.path}{note}")
        emit("\n".join(lines))
    if not result.ok:
        say("signature verification failed")
        raise typer.Exit(1)
    say(f"recorded the verified signature of {result.name}")


def sign(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Variant name.")],
    key: Annotated[Path, typer.Option("--key", help="EC private key (PEM, unencrypted).")],
    certificate: Annotated[
        Path | None,
        typer.Option("--certificate", help="Signing certificate for the key (PEM)."),
    ] = None,
    chain: Annotated[
        list[Path] | None,
        typer.Option("--chain", help="Intermediate/root certificates to embed (repeatable)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the bundle here (default stdout).")
    ] = None,
    path: Annotated[
        Path | None, typer.Option("--path", help="Sign this local copy (checked first).")
    ] = None,
    quick: Annotated[
        bool,
        typer.Option("--quick", help="Trust files unchanged since the last full read."),
    ] = False,
) -> None:
    """Sign a variant's registered files as a model_signing (OpenSSF) bundle.

    The files are checked against the catalog first; any difference refuses (exit 1).
    """
    from registry.signing.sign import sign_variant

    outcome = sign_variant(
        state(ctx).catalog(),
        name,
        key=key,
        certificate=certificate,
        chain=chain or [],
        output=output,
        path=path,
        quick=quick,
        progress=RichByteProgress(),
    )
    if outcome.bundle is None:
        for f in outcome.problems:
            say(f"  {f.status:<9} {f.path}")
        say(f"refused: the files of {name} under {outcome.root} differ from the catalog")
        raise typer.Exit(1)
    if output is None:
        emit(outcome.bundle)
        return
    from registry.formats.output_file import write_text_atomic

    write_text_atomic(output, outcome.bundle)
    who = outcome.identity or f"key {outcome.key_fingerprint}"
    say(f"signed {outcome.files} files of {name} as {who}; wrote {output}")


def register(app: typer.Typer) -> None:
    app.command("sign")(sign)
