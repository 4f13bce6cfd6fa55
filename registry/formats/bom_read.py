"""Reading a supplier's bill of materials (CycloneDX 1.4-1.6 JSON or SPDX 3.0.1 JSON-LD).

:func:`read_bom` returns a :class:`~registry.formats.bom_input.ModelBom` with what
``modelreg add --bom`` registers: the model's name, declared license (the raw id, expression
or name: the caller maps it onto a policy), direct parents with their relation, files with
their SHA-256 (and size where the document states it), the Hub source and what is known of
the architecture and modalities. Documents modelreg exports carry ``modelreg:`` properties
(CycloneDX) or comments (SPDX) that make the round trip exact; a foreign document's
ancestors are all taken as ``finetune`` parents. A malformed document is a
``CheckpointError`` naming the file (exit 4). Files whose size a document does not state
get size -1: ``verify`` then compares their SHA-256 only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.errors import CheckpointError
from registry.formats.bom_input import BomFile, ModelBom

MAX_BYTES = 64 * 1024 * 1024
UNKNOWN_SIZE = -1
DOMAINS = {"natural language processing": "text", "computer vision": "vision", "audio": "audio"}


class _Bad(ValueError):
    pass


def _props(obj: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in obj.get("properties") or []:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            out.setdefault(p["name"], []).append(str(p.get("value", "")))
    return out


def _hub_source(purl: str | None) -> str | None:
    if not purl or not purl.startswith("pkg:huggingface/"):
        return None
    body = purl[len("pkg:huggingface/") :].split("?")[0]
    repo, _, rev = body.partition("@")
    return f"hf:{repo}@{rev}" if rev else None


def _cyclonedx(doc: dict[str, Any]) -> ModelBom:
    meta = (doc.get("metadata") or {}).get("component")
    comps = [c for c in doc.get("components") or [] if isinstance(c, dict)]
    models = [
        c
        for c in ([meta] if isinstance(meta, dict) else []) + comps
        if c.get("type") == "machine-learning-model"
    ]
    if not models:
        raise _Bad("no machine-learning-model component")
    model = models[0]
    props = _props(model)
    lic_id = lic_name = None
    for entry in model.get("licenses") or []:
        if "expression" in entry:
            lic_id = str(entry["expression"])
        elif isinstance(entry.get("license"), dict):
            lic = entry["license"]
            lic_id = (_props(lic).get("modelreg:license-id") or [lic.get("id") or lic.get("name")])[
                0
            ]
            lic_name = lic.get("name")
        break
    nested = [c for c in model.get("components") or [] if c.get("type") == "file"]
    files = []
    for f in nested or [c for c in comps if c.get("type") == "file"]:
        fp = _props(f)
        sha = next(
            (h.get("content") for h in f.get("hashes") or [] if h.get("alg") == "SHA-256"), None
        )
        size = int(fp["modelreg:size"][0]) if "modelreg:size" in fp else UNKNOWN_SIZE
        oid = fp.get("modelreg:git-oid")
        files.append(BomFile(str(f["name"]), size, sha, oid[0] if oid else None))
    parents = []
    for anc in (model.get("pedigree") or {}).get("ancestors") or []:
        ap = _props(anc)
        if ap.get("modelreg:distance", ["1"])[0] == "1":
            parents.append((str(anc["name"]), ap.get("modelreg:relation", ["finetune"])[0]))
    params = (model.get("modelCard") or {}).get("modelParameters") or {}
    card_props = _props(model.get("modelCard") or {})
    count = card_props.get("modelreg:parameter-count")
    hf = props.get("modelreg:source")
    source = hf[0] if hf else _hub_source(model.get("purl"))
    return _bom(
        model.get("name"),
        lic_id,
        lic_name,
        parents,
        files,
        source,
        props.get("modelreg:modality", []),
        params.get("modelArchitecture"),
        int(count[0]) if count else None,
    )


def _bom(
    name: Any,
    lic: str | None,
    lic_name: str | None,
    parents: list[tuple[str, str]],
    files: list[BomFile],
    source: str | None,
    modalities: list[str],
    arch: str | None,
    count: int | None,
) -> ModelBom:
    if not isinstance(name, str) or not name:
        raise _Bad("the model has no name")
    return ModelBom(
        name=name,
        license_id=lic or "unknown",
        license_name=lic_name,
        modalities=tuple(modalities) or ("text",),
        architecture=arch,
        parameter_count=count,
        source_uri=source,
        total_bytes=sum(max(0, f.size) for f in files),
        created_at=None,
        files=tuple(files),
        parents=tuple(parents),
    )


def _comment_values(obj: Any) -> dict[str, str]:
    out = {}
    for part in (getattr(obj, "comment", None) or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key.startswith("modelreg:"):
            out[key] = value
    return out


def _spdx3(doc: dict[str, Any]) -> ModelBom:
    from spdx_python_model import v3_0_1 as spdx

    objs = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().deserialize_data(doc, objs)
    docs = list(objs.foreach_type(spdx.SpdxDocument))
    roots = [r for d in docs for r in d.rootElement if isinstance(r, spdx.software_Package)]
    if not roots:
        raise _Bad("no SpdxDocument whose root element is a package")
    root = roots[0]
    rels = list(objs.foreach_type(spdx.Relationship))

    def targets(kind: str) -> list[tuple[Any, Any]]:
        return [
            (r, t) for r in rels if r.from_ is root and r.relationshipType == kind for t in r.to
        ]

    files = []
    for _, f in targets(spdx.RelationshipType.contains):
        if not isinstance(f, spdx.software_File):
            continue
        notes = _comment_values(f)
        sha = next(
            (
                h.hashValue
                for h in f.verifiedUsing
                if isinstance(h, spdx.Hash) and h.algorithm == spdx.HashAlgorithm.sha256
            ),
            None,
        )
        files.append(
            BomFile(
                str(f.name),
                int(notes.get("modelreg:size", UNKNOWN_SIZE)),
                sha,
                notes.get("modelreg:git-oid"),
            )
        )
    lic = None
    for _, target in targets(spdx.RelationshipType.hasDeclaredLicense):
        if isinstance(target, spdx.simplelicensing_LicenseExpression):
            lic = target.simplelicensing_licenseExpression
        elif isinstance(
            target, spdx.expandedlicensing_ListedLicense | spdx.expandedlicensing_CustomLicense
        ):
            lic = str(target.spdxId).rsplit("/", 1)[-1]
    down = targets(spdx.RelationshipType.descendantOf)
    up = [
        (r, r.from_)
        for r in rels
        if r.relationshipType == spdx.RelationshipType.ancestorOf and root in r.to
    ]
    tagged = [(_comment_values(r).get("modelreg:relation"), t) for r, t in down]
    if any(rel for rel, _ in tagged):
        parents = [(str(t.name), rel) for rel, t in tagged if rel]
    else:
        parents = [(str(t.name), "finetune") for _, t in down + up]
    purl = getattr(root, "software_packageUrl", None)
    domains = [DOMAINS.get(d, d) for d in getattr(root, "ai_domain", [])]
    types = list(getattr(root, "ai_typeOfModel", []))
    return _bom(
        root.name,
        lic,
        None,
        parents,
        files,
        _hub_source(purl),
        [d for d in domains if d in DOMAINS.values()],
        types[0] if types else None,
        None,
    )


def read_bom(path: Path) -> ModelBom:
    """Parse a CycloneDX or SPDX 3 JSON document; malformed is one line, exit 4."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise CheckpointError(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        if len(data) > MAX_BYTES:
            raise _Bad(f"larger than {MAX_BYTES} bytes")
        doc = json.loads(data)
        if not isinstance(doc, dict):
            raise _Bad("not a JSON object")
        if doc.get("bomFormat") == "CycloneDX":
            return _cyclonedx(doc)
        if "@context" in doc:
            return _spdx3(doc)
        raise _Bad("neither CycloneDX (bomFormat) nor SPDX 3 (@context)")
    except (_Bad, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CheckpointError(str(path), f"not a usable bill of materials: {exc}") from None
