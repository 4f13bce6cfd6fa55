"""``modelreg sign NAME --key PEM``: a model_signing bundle from the catalog's SHA-256 digests.

The bundle uses the ``files`` serialization with SHA-256, whose per-file digest is exactly
the file SHA-256 modelreg registered, so nothing is hashed again for the statement. The
files are first checked against the catalog (every byte re-read, or with ``quick`` only the
files whose size, mtime and inode changed since the last full read): a signature must not
vouch for bytes that are not the registered ones, so a modified, missing or extra file
refuses the signing (exit 1, each file named). Git metadata (``.git*``) is left out and
listed in ``ignore_paths``, since ``model_signing verify`` always ignores it; so are the
folders modelreg never registers (``.cache``, ``__pycache__``, ...) and the bundle itself
when it is written inside the model directory. ``model_signing verify`` then accepts the
bundle unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from registry.catalog.verify import locate
from registry.checkpoints import FileStatus
from registry.checkpoints.discovery import IGNORED_DIRS
from registry.checkpoints.hashing import hash_files
from registry.checkpoints.verify_files import verify_checkpoint
from registry.db.engine import Catalog
from registry.errors import InvalidInputError
from registry.progress import NULL_PROGRESS, Progress
from registry.signing import keys
from registry.signing.bundle import render_bundle, sign_payload
from registry.signing.coverage import GIT_METADATA, under
from registry.signing.statement import build_statement


@dataclass
class SignOutcome:
    name: str
    root: Path
    problems: list[FileStatus]
    bundle: str | None = None
    key_fingerprint: str | None = None
    identity: str | None = None
    files: int = 0


def _skipped_dirs(root: Path) -> list[str]:
    """Folders under ``root`` that modelreg never registers (model_signing would hash them)."""
    found = []
    for dirpath, dirnames, _ in os.walk(root):
        for d in list(dirnames):
            if d in IGNORED_DIRS:
                found.append((Path(dirpath) / d).relative_to(root).as_posix())
                dirnames.remove(d)
    return sorted(found)


def sign_variant(
    catalog: Catalog,
    name: str,
    *,
    key: Path,
    certificate: Path | None = None,
    chain: Sequence[Path] = (),
    output: Path | None = None,
    path: Path | None = None,
    quick: bool = False,
    progress: Progress = NULL_PROGRESS,
) -> SignOutcome:
    """Check the files, then build and sign the statement (``bundle`` is None on refusal)."""
    private = keys.load_private_key(key)
    certs = []
    if certificate is not None:
        certs = keys.load_certificates(certificate)[:1]
        if not certs or keys.cert_key(certs[0]) != private.public_key():
            raise InvalidInputError(f"{certificate}: the certificate is not for the key {key}")
        for extra in chain:
            certs.extend(keys.load_certificates(extra))
    elif chain:
        raise InvalidInputError("--chain goes with --certificate")
    target = locate(catalog, name, path)
    root = target.root.resolve()
    if not root.is_dir():
        raise InvalidInputError(f"{root}: sign needs the checkpoint's directory")
    exclude: list[str] = []
    if output is not None and output.resolve().is_relative_to(root):
        exclude.append(output.resolve().relative_to(root).as_posix())
    report = verify_checkpoint(root, target.files, progress, quick=quick)
    problems = [f for f in report.files if f.status != "ok" and f.path not in exclude]
    outcome = SignOutcome(target.name, root, problems)
    if problems:
        return outcome
    signed = [f for f in target.files if not under(f.path, GIT_METADATA)]
    missing_sha = [f.path for f in signed if f.sha256 is None]  # Hub files outside LFS
    computed = hash_files(root, missing_sha, progress=progress) if missing_sha else {}
    pairs = [(f.path, f.sha256 or computed[f.path]) for f in signed]
    ignore = [*GIT_METADATA, *_skipped_dirs(root), *exclude]
    payload = build_statement(root.name, pairs, ignore)
    signature = sign_payload(private, payload)
    fingerprint = keys.key_fingerprint(private.public_key())
    der = tuple(keys.cert_der(c) for c in certs)
    outcome.bundle = render_bundle(payload, signature, key_hint=fingerprint, certificates=der)
    outcome.key_fingerprint = fingerprint
    outcome.identity = keys.identity_of(certs[0]) if certs else None
    outcome.files = len(pairs)
    return outcome
