"""The in-toto statement ``model_signing`` signs: every file of the model with its digest.

::

    {"_type": "https://in-toto.io/Statement/v1",
     "subject": [{"name": MODEL, "digest": {"sha256": ROOT}}],
     "predicateType": "https://model_signing/signature/v1.0",
     "predicate": {
       "serialization": {"method": "files", "hash_type": "sha256",
                         "allow_symlinks": false, "ignore_paths": [...]},
       "resources": [{"name": PATH, "algorithm": "sha256", "digest": HEX}, ...]}}

``ROOT`` is the SHA-256 of the resources' raw digests concatenated in the listed order. The
``shards`` method names each resource ``PATH:START:END`` and adds ``shard_size``. The file
SHA-256 of the ``files`` method is exactly what modelreg stores for every file, so signing
reuses the catalog's digests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
METHODS = ("files", "shards")


class StatementError(ValueError):
    """The signed payload is not a model_signing v1.0 statement."""


@dataclass(frozen=True)
class Resource:
    name: str
    algorithm: str
    digest: str  # lowercase hex


@dataclass(frozen=True)
class SignedManifest:
    model_name: str
    method: str
    hash_type: str
    allow_symlinks: bool
    ignore_paths: tuple[str, ...]
    resources: tuple[Resource, ...]
    shard_size: int | None = None

    def file_of(self, resource: Resource) -> str:
        """The file a resource belongs to (a shard's name is ``PATH:START:END``)."""
        return resource.name if self.method == "files" else resource.name.rsplit(":", 2)[0]


def root_digest(resources: Sequence[Resource]) -> str:
    h = hashlib.sha256()
    for r in resources:
        h.update(bytes.fromhex(r.digest))
    return h.hexdigest()


def _resource(raw: Any) -> Resource:
    if not isinstance(raw, dict):
        raise StatementError("a resource is not an object")
    name, algorithm, digest = raw.get("name"), raw.get("algorithm"), raw.get("digest")
    if not (isinstance(name, str) and isinstance(algorithm, str) and isinstance(digest, str)):
        raise StatementError("a resource lacks name, algorithm or digest")
    try:
        bytes.fromhex(digest)
    except ValueError:
        raise StatementError(f"resource {name!r}: digest is not hex") from None
    path = PurePosixPath(name.rsplit(":", 2)[0] if name.count(":") >= 2 else name)
    if path.is_absolute() or ".." in path.parts:
        raise StatementError(f"resource {name!r} points outside the model")
    return Resource(name, algorithm, digest.lower())


def parse_statement(payload: bytes) -> SignedManifest:
    """Decode and check a signed payload (raises ``StatementError``)."""
    try:
        doc = json.loads(payload)
    except ValueError as exc:
        raise StatementError(f"payload is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("_type") != STATEMENT_TYPE:
        raise StatementError("payload is not an in-toto v1 statement")
    if doc.get("predicateType") != PREDICATE_TYPE:
        raise StatementError(
            f"predicate type {doc.get('predicateType')!r} is not {PREDICATE_TYPE} "
            "(signatures of model_signing before 1.0 are not supported)"
        )
    subjects = doc.get("subject")
    if not isinstance(subjects, list) or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise StatementError("the statement must have exactly one subject")
    subject = subjects[0]
    expected = (subject.get("digest") or {}).get("sha256")
    predicate = doc.get("predicate")
    if not isinstance(predicate, dict):
        raise StatementError("the statement has no predicate")
    ser = predicate.get("serialization")
    raw_resources = predicate.get("resources")
    if not isinstance(ser, dict) or not isinstance(raw_resources, list):
        raise StatementError("the predicate lacks serialization or resources")
    method = ser.get("method")
    if method not in METHODS:
        raise StatementError(f"serialization method {method!r} is not files or shards")
    shard_size = ser.get("shard_size")  # protobuf's JSON writes numbers as floats
    if isinstance(shard_size, float) and shard_size.is_integer():
        shard_size = int(shard_size)
    if method == "shards" and (not isinstance(shard_size, int) or shard_size <= 0):
        raise StatementError("the shards method needs a positive shard_size")
    ignore = ser.get("ignore_paths", [])
    if not isinstance(ignore, list) or not all(isinstance(p, str) for p in ignore):
        raise StatementError("ignore_paths is not a list of paths")
    resources = tuple(_resource(r) for r in raw_resources)
    if root_digest(resources) != expected:
        raise StatementError("the subject digest does not match the listed resources")
    return SignedManifest(
        model_name=str(subject.get("name", "")),
        method=str(method),
        hash_type=str(ser.get("hash_type", "")),
        allow_symlinks=bool(ser.get("allow_symlinks", False)),
        ignore_paths=tuple(ignore),
        resources=resources,
        shard_size=shard_size if method == "shards" else None,
    )


def build_statement(
    model_name: str, files: Sequence[tuple[str, str]], ignore_paths: Sequence[str]
) -> bytes:
    """The payload for the ``files`` method over (path, SHA-256) pairs."""
    ordered = sorted(files, key=lambda f: PurePosixPath(f[0]))
    resources = [Resource(p, "sha256", d) for p, d in ordered]
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": model_name, "digest": {"sha256": root_digest(resources)}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "serialization": {
                "method": "files",
                "hash_type": "sha256",
                "allow_symlinks": True,
                "ignore_paths": list(ignore_paths),
            },
            "resources": [
                {"name": r.name, "algorithm": r.algorithm, "digest": r.digest} for r in resources
            ],
        },
    }
    return json.dumps(statement, indent=2).encode()
