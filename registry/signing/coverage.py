"""Does a verified signature cover exactly the registered files, and are they on disk?

Two comparisons, each file read once where the format allows:

1. the files on disk against the catalog
   (:func:`registry.checkpoints.verify_files.verify_checkpoint`, which names the tensors
   of a modified safetensors file);
2. the signed manifest against the catalog: for the ``files`` method with SHA-256 the
   signed digests are compared with the registered ones (no second read); for ``shards``
   or BLAKE2b the files are hashed again the way the signature says.

Per file: ``ok``; ``modified`` (bytes differ from the catalog or from the signed digest);
``missing``; ``extra`` (on disk, not registered); ``unsigned`` (registered, not covered by
the signature); ``ignored`` (git metadata the signer excluded with ``ignore_paths``, as
``model_signing`` does by default: not a failure). Anything but ok and ignored fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from registry.checkpoints import FileEntry
from registry.checkpoints.hashing import Reporter, hash_files, run_parallel
from registry.checkpoints.verify_files import verify_checkpoint
from registry.errors import CheckpointError, SignatureFormatError
from registry.progress import NULL_PROGRESS, Progress
from registry.signing.statement import Resource, SignedManifest

GIT_METADATA = (".git", ".github", ".gitignore", ".gitattributes")
HASHES = {"sha256": "sha256", "blake2": "blake2b", "blake2b": "blake2b"}  # hash_type -> hashlib
READ = 1 << 20


@dataclass(frozen=True)
class SignedFile:
    path: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class Coverage:
    root: Path
    files: tuple[SignedFile, ...]

    @property
    def ok(self) -> bool:
        return all(f.status in ("ok", "ignored") for f in self.files)


def under(path: str, prefixes: Sequence[str]) -> bool:
    parts = PurePosixPath(path).parts
    for p in prefixes:
        pp = PurePosixPath(p).parts
        if pp and parts[: len(pp)] == pp:
            return True
    return False


def _hash_range(path: Path, rel: str, start: int, end: int, algo: str) -> str:
    h = hashlib.new(HASHES[algo])
    try:
        with open(path, "rb") as fh:
            fh.seek(start)
            left = end - start
            while left > 0:
                chunk = fh.read(min(READ, left))
                if not chunk:
                    raise CheckpointError(rel, "file shrank while being read")
                h.update(chunk)
                left -= len(chunk)
    except OSError as exc:
        raise CheckpointError(rel, f"cannot read: {exc.strerror or exc}") from None
    return h.hexdigest()


def _signed_digests(
    root: Path, manifest: SignedManifest, present: set[str], progress: Progress
) -> dict[str, str | None]:
    """Per signed file: None when the disk matches every signed digest, else a note."""
    algo = manifest.hash_type
    if algo not in HASHES:
        raise SignatureFormatError(
            f"the signature hashes with {algo!r}; modelreg verifies sha256 and blake2b "
            "(use `model_signing verify` for others)"
        )
    by_file: dict[str, list[Resource]] = {}
    for r in manifest.resources:
        by_file.setdefault(manifest.file_of(r), []).append(r)
    paths = sorted(set(by_file) & present)

    def task(rel: str) -> Callable[[Reporter], str | None]:
        def run(reporter: Reporter) -> str | None:
            size = (root / rel).stat().st_size
            if manifest.method == "files":
                return (
                    None
                    if _hash_range(root / rel, rel, 0, size, algo) == by_file[rel][0].digest
                    else "differs from the signed digest"
                )
            shards = sorted(
                (int(s), int(e), r.digest)
                for r in by_file[rel]
                for _, s, e in [r.name.rsplit(":", 2)]
            )
            if [s for s, _, _ in shards] != [0] + [e for _, e, _ in shards[:-1]] or shards[-1][
                1
            ] != size:
                return "signed shards do not cover the file"
            bad = [
                f"{s}:{e}" for s, e, d in shards if _hash_range(root / rel, rel, s, e, algo) != d
            ]
            return f"shards {', '.join(bad)} differ from the signature" if bad else None

        return run

    sizes = [(root / p).stat().st_size for p in paths]
    progress.start("checking signed digests", sum(sizes))
    try:
        results = run_parallel([(s, task(p)) for p, s in zip(paths, sizes, strict=True)])
    finally:
        progress.finish()
    return dict(zip(paths, results, strict=True))


def compare(
    root: Path,
    recorded: Sequence[FileEntry],
    manifest: SignedManifest,
    *,
    exclude: Sequence[str] = (),
    progress: Progress = NULL_PROGRESS,
) -> Coverage:
    """Check disk against catalog and signature against catalog (see the module doc)."""
    report = verify_checkpoint(root, recorded, progress)
    base = report.root
    disk = {f.path: f for f in report.files}
    registered = {f.path: f for f in recorded}
    signed = {manifest.file_of(r) for r in manifest.resources}
    fast = manifest.method == "files" and manifest.hash_type == "sha256"
    digests = {r.name: r.digest for r in manifest.resources} if fast else {}
    present = {p for p, f in disk.items() if f.status in ("ok", "modified", "extra")}
    notes: dict[str, str | None] = {}
    if fast:
        no_sha = [
            p
            for p in registered
            if registered[p].sha256 is None and disk[p].status == "ok" and p in signed
        ]
        actual = hash_files(base, no_sha) if no_sha else {}
        for p in signed & set(registered):
            sha = registered[p].sha256 or actual.get(p)
            notes[p] = None if sha == digests[p] else "differs from the signed digest"
    else:
        notes = _signed_digests(base, manifest, present & signed, progress)
    out: list[SignedFile] = []
    for path in sorted(set(registered) | set(disk) | signed):
        if path in exclude:
            continue
        state = disk.get(path)
        if path in registered and state is not None and state.status != "ok":
            tensors = (
                f" (tensors: {', '.join(state.changed_tensors)})" if state.changed_tensors else ""
            )
            out.append(
                SignedFile(
                    path,
                    state.status,
                    f"differs from the catalog{tensors}" if state.status == "modified" else None,
                )
            )
        elif path not in signed:
            if under(path, manifest.ignore_paths) and under(path, GIT_METADATA):
                out.append(SignedFile(path, "ignored", "git metadata excluded by the signer"))
            elif under(path, manifest.ignore_paths):
                out.append(SignedFile(path, "unsigned", "excluded by the signer's ignore_paths"))
            else:
                out.append(SignedFile(path, "unsigned" if path in registered else "extra"))
        elif path not in registered:
            out.append(
                SignedFile(
                    path, "extra" if path in present else "missing", "signed but not registered"
                )
            )
        elif notes.get(path) is not None:
            out.append(SignedFile(path, "modified", notes[path]))
        else:
            out.append(SignedFile(path, "ok"))
    return Coverage(base, tuple(out))
