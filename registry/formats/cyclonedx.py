"""CycloneDX 1.6 JSON ML-BOM of a registered variant, built with cyclonedx-python-lib.

The document holds one ``machine-learning-model`` component for the variant, with:

- one nested ``file`` component per checkpoint file carrying its SHA-256 (files registered
  from the Hub outside LFS have only a git blob id: it is given as the property
  ``modelreg:git-oid``, never as a hash, since it is not a digest of the file alone);
- its licenses (one entry each when it declares ``a AND b``): SPDX ids where the license
  is on the SPDX list; for the Llama licenses,
  which are not, a named license whose ``name`` is the agreement's title and whose
  ``modelreg:license-ref`` property is ScanCode's ``LicenseRef-`` id (CycloneDX only
  accepts ``LicenseRef-`` inside an ``expression``, which cannot carry a name);
- ``pedigree.ancestors``: every ancestor, flattened, each with properties
  ``modelreg:distance``, ``modelreg:relation`` and one ``modelreg:parent:<relation>`` per
  own parent so the lineage graph can be rebuilt; base models known only by their Hub id
  are included with ``modelreg:unresolved = true``;
- the ``hf:`` source and registration time as properties (a local path is not exported: it
  means nothing on another machine);
- a ``modelCard``. cyclonedx-python-lib 11 has no model-card type yet, so the card is added
  to the serialised JSON; tests validate the final document against the 1.6 schema.
"""

from __future__ import annotations

import json
from typing import Any

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.license import DisjunctiveLicense, LicenseAcknowledgement
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.spdx import fixup_id
from packageurl import PackageURL

from registry import __version__
from registry.catalog.licenses import split_expression
from registry.formats.bom_input import BomAncestor, BomFile, ModelBom
from registry.hub.origin import hub_origin

HUB_URL = "https://huggingface.co"
SCANCODE_DB = "https://scancode-licensedb.aboutcode.org"

# policy id → (ScanCode LicenseRef key, title of the agreement); COMPLIANCE.md §1.1/§1.2.
LLAMA_LICENSES: dict[str, tuple[str, str]] = {
    "llama1": ("llama-license-2023", "LLaMA License"),
    "llama2": ("llama-2-license-2023", "Llama 2 Community License Agreement"),
    "llama3": ("llama-3-license-2024", "Meta Llama 3 Community License Agreement"),
    "llama3.1": ("llama-3.1-license-2024", "Llama 3.1 Community License Agreement"),
    "llama3.2": ("llama-3.2-license-2024", "Llama 3.2 Community License Agreement"),
    "llama3.3": ("llama-3.3-license-2024", "Llama 3.3 Community License Agreement"),
    "llama4": ("llama-4-cla-2025", "Llama 4 Community License Agreement"),
}


def license_ref(policy_id: str) -> str | None:
    """ScanCode's ``LicenseRef-`` id for a Llama policy id, else None."""
    entry = LLAMA_LICENSES.get(policy_id)
    return f"LicenseRef-scancode-{entry[0]}" if entry else None


def _licenses(license_id: str | None, license_name: str | None) -> list[DisjunctiveLicense]:
    """One entry per declared license (a variant may declare ``a AND b``)."""
    return [_license(p, license_name) for p in split_expression(license_id) if p != "unknown"]


def _license(license_id: str, license_name: str | None) -> DisjunctiveLicense:
    ack = LicenseAcknowledgement.DECLARED
    props = [Property(name="modelreg:license-id", value=license_id)]
    if license_id in LLAMA_LICENSES:
        key, title = LLAMA_LICENSES[license_id]
        props.append(Property(name="modelreg:license-ref", value=f"LicenseRef-scancode-{key}"))
        return DisjunctiveLicense(
            name=title,
            url=XsUri(f"{SCANCODE_DB}/{key}.html"),
            acknowledgement=ack,
            properties=props,
        )
    spdx = fixup_id(license_id)
    if spdx is not None:
        return DisjunctiveLicense(id=spdx, acknowledgement=ack)
    name = license_name or license_id
    return DisjunctiveLicense(name=name, acknowledgement=ack, properties=props)


def _hub_parts(source_uri: str | None) -> tuple[str, str | None] | None:
    """(repo_id, revision) when the source is on the Hub or in a Hugging Face cache."""
    origin = hub_origin(source_uri)
    return (origin.repo_id, origin.revision) if origin else None


def _purl(repo_id: str, revision: str | None) -> PackageURL:
    org, _, name = repo_id.rpartition("/")
    return PackageURL(
        type="huggingface",
        namespace=org or None,
        name=name,
        version=revision.lower() if revision else None,
    )


def _hub_references(repo_id: str, revision: str | None) -> list[ExternalReference]:
    rev = revision or "main"
    return [
        ExternalReference(
            type=ExternalReferenceType.DISTRIBUTION, url=XsUri(f"{HUB_URL}/{repo_id}")
        ),
        ExternalReference(
            type=ExternalReferenceType.MODEL_CARD,
            url=XsUri(f"{HUB_URL}/{repo_id}/blob/{rev}/README.md"),
        ),
    ]


def _lineage_properties(parents: tuple[tuple[str, str], ...]) -> list[Property]:
    return [Property(name=f"modelreg:parent:{rel}", value=name) for name, rel in parents]


def _ancestor(anc: BomAncestor) -> Component:
    props = [
        Property(name="modelreg:distance", value=str(anc.distance)),
        Property(name="modelreg:relation", value=anc.relation),
        *_lineage_properties(anc.parents),
    ]
    hub = _hub_parts(anc.source_uri)
    if anc.unresolved:
        props.append(Property(name="modelreg:unresolved", value="true"))
        hub = hub or (anc.name, None)
    return Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=anc.name,
        version=hub[1] if hub else None,
        licenses=_licenses(anc.license_id, anc.license_name),
        purl=_purl(*hub) if hub else None,
        external_references=_hub_references(*hub) if hub else None,
        properties=props,
    )


def _file(model_ref: str, f: BomFile) -> Component:
    props = [Property(name="modelreg:size", value=str(f.size))]
    if f.git_oid:
        props.append(Property(name="modelreg:git-oid", value=f.git_oid))
    return Component(
        type=ComponentType.FILE,
        name=f.path,
        bom_ref=f"{model_ref}/file/{f.path}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=f.sha256)] if f.sha256 else None,
        properties=props,
    )


def _model_card(model: ModelBom) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if model.architecture:
        params["modelArchitecture"] = model.architecture
        if "CausalLM" in model.architecture or "ConditionalGeneration" in model.architecture:
            params["task"] = "text-generation"
            params["outputs"] = [{"format": "text"}]
    if model.modalities:
        params["inputs"] = [{"format": m} for m in model.modalities]
    props = [{"name": "modelreg:license-id", "value": model.license_id}]
    if model.parameter_count is not None:
        props.append({"name": "modelreg:parameter-count", "value": str(model.parameter_count)})
    props.append({"name": "modelreg:total-bytes", "value": str(model.total_bytes)})
    card: dict[str, Any] = {"properties": props}
    if params:
        card["modelParameters"] = params
    return card


def render_cyclonedx(model: ModelBom) -> str:
    """The CycloneDX 1.6 JSON document (indented, ending in a newline) for one variant."""
    model_ref = f"model:{model.name}"
    hub = _hub_parts(model.source_uri)
    props = [
        Property(name="modelreg:modality", value=m) for m in model.modalities
    ] + _lineage_properties(model.parents)
    if model.source_uri and model.source_uri.startswith("hf:"):
        props.append(Property(name="modelreg:source", value=model.source_uri))
    if model.created_at is not None:
        props.append(Property(name="modelreg:registered-at", value=model.created_at.isoformat()))
    component = Component(
        type=ComponentType.MACHINE_LEARNING_MODEL,
        name=model.name,
        bom_ref=model_ref,
        version=hub[1] if hub else None,
        licenses=_licenses(model.license_id, model.license_name),
        purl=_purl(*hub) if hub else None,
        external_references=_hub_references(*hub) if hub else None,
        properties=props,
        pedigree=Pedigree(ancestors=[_ancestor(a) for a in model.ancestors])
        if model.ancestors
        else None,
        components=[_file(model_ref, f) for f in model.files],
    )
    bom = Bom(components=[component])
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="modelreg", version=__version__)
    )
    text = JsonV1Dot6(bom).output_as_string()
    doc = json.loads(text)
    for comp in doc.get("components", []):
        if comp.get("bom-ref") == model_ref:
            comp["modelCard"] = _model_card(model)
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
