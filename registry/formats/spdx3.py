"""SPDX 3.0.1 JSON-LD (AI profile) of a registered variant, built with spdx-python-model.

The document's root element is the variant as an ``ai_AIPackage``:

- ``ai_typeOfModel`` (the architecture), ``ai_domain`` (from the modalities),
  ``ai_limitation``, ``ai_informationAboutApplication`` and ``ai_informationAboutTraining``
  (from the model card's sections when the checkpoint is on this machine; the training
  information otherwise says what the model was derived from), the card's summary as
  ``description``, ``software_primaryPurpose = model``;
- for a model from the Hub: ``software_packageVersion`` (the commit), the download location
  and a ``pkg:huggingface`` package URL;
- one ``software_File`` per checkpoint file with its SHA-256 and the comment
  ``modelreg:size=N`` (plus ``modelreg:git-oid=...`` for a file known only by its git blob
  id), linked by a ``contains`` relationship;
- ``hasDeclaredLicense``: the declared license as a license expression;
  ``hasConcludedLicense``: the conjunction of the effective licenses (every license reaching
  the model without a ``distill`` edge). Licenses outside the SPDX list (the Llama
  agreements) are ``LicenseRef-`` ids from the policy files; each is mapped through
  ``customIdToUri`` to an ``expandedlicensing_CustomLicense`` carrying its name, its URL and
  its text when a license file of the checkpoint is a copy of it (as ``agreement-copy``
  decides), else to the license's web page. ``unknown`` and ``other`` are ``NoAssertionLicense``;
- lineage: every ancestor as an ``ai_AIPackage`` with its own declared license, a
  ``descendantOf`` relationship from every variant to each of its parents whose comment
  is ``modelreg:relation=RELATION``, and one from the model to each further ancestor with
  ``modelreg:distance=N``. Base models known only by a Hub id carry
  ``modelreg:unresolved``.

Element ids live under ``https://modelreg.invalid/spdx/<digest>/``, a digest of the
variant's name and file digests, so two exports of the same variant share their ids.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spdx_python_model import v3_0_1 as spdx

from registry import __version__
from registry.compliance.license_text import sentences_present, words
from registry.formats.bom_input import ModelBom
from registry.hub.origin import hub_origin

if TYPE_CHECKING:
    from registry.compliance.policies import PolicySet

HUB_URL = "https://huggingface.co"
NO_ASSERTION = "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"
DOMAINS = {"text": "natural language processing", "vision": "computer vision", "audio": "audio"}


@dataclass(frozen=True)
class LicenseFacts:
    """What a policy says about a license id: its SPDX id or LicenseRef, name, URL, and how
    a copy of its text is recognised (distinctive sentences, how many a copy holds)."""

    spdx_id: str
    name: str
    url: str | None = None
    sentences: tuple[str, ...] = ()
    need: int = 0

    def is_copy(self, text: str) -> bool:
        """Whether ``text`` is a copy of this license (as ``agreement-copy`` decides)."""
        return bool(self.need) and sentences_present(words(text), self.sentences) >= self.need


class _Doc:
    def __init__(self, model: ModelBom, created: dt.datetime) -> None:
        seed = model.name + "".join(f"{f.path}{f.sha256}" for f in model.files)
        self.ns = f"https://modelreg.invalid/spdx/{hashlib.sha256(seed.encode()).hexdigest()[:24]}"
        self.objects = spdx.SHACLObjectSet()
        self.elements: list[Any] = []
        self.counts: dict[str, int] = {}
        self.info = spdx.CreationInfo(
            specVersion="3.0.1", created=created, createdBy=[f"{self.ns}#modelreg"]
        )
        self.add(spdx.SoftwareAgent, "modelreg", name=f"modelreg {__version__}")

    def add(self, cls: Any, key: str, **props: Any) -> Any:
        if key in ("modelreg", "model"):
            ident = f"{self.ns}#{key}"
        else:
            self.counts[key] = self.counts.get(key, 0) + 1
            ident = f"{self.ns}#{key}-{self.counts[key]}"
        obj = cls(spdxId=ident, creationInfo=self.info, **props)
        self.objects.add(obj)
        self.elements.append(obj)
        return obj

    def relate(self, src: Any, kind: str, to: list[Any], comment: str | None = None) -> None:
        props: dict[str, Any] = {"from_": src, "relationshipType": kind, "to": to}
        if comment:
            props["comment"] = comment
        self.add(spdx.Relationship, "relationship", **props)


def _unlisted(license_id: str) -> LicenseFacts:
    """A declared license no policy knows, kept as ``LicenseRef-modelreg-<id>``."""
    safe = "".join(c if c.isalnum() or c in ".-" else "-" for c in license_id)
    return LicenseFacts(f"LicenseRef-modelreg-{safe}", license_id)


def _license(
    doc: _Doc,
    ids: list[str],
    facts: Mapping[str, LicenseFacts],
    texts: tuple[tuple[str, str], ...],
    made: dict[str, Any],
) -> Any:
    """A license expression for the conjunction of ``ids`` (NoAssertion when none is known)."""
    known = [
        facts[i] for i in dict.fromkeys(ids) if i in facts and facts[i].spdx_id != "NOASSERTION"
    ]
    if not known or len(known) < len(set(ids)):
        return NO_ASSERTION
    expression = " AND ".join(f.spdx_id for f in known)
    if expression in made:
        return made[expression]
    mapping = []
    for f in known:
        if not f.spdx_id.startswith("LicenseRef-"):
            continue
        text = next((t for _, t in texts if f.is_copy(t)), None)
        if text is None:
            mapping.append(spdx.DictionaryEntry(key=f.spdx_id, value=f.url or NO_ASSERTION))
            continue
        custom = doc.add(
            spdx.expandedlicensing_CustomLicense,
            "license-text",
            name=f.name,
            simplelicensing_licenseText=text,
            expandedlicensing_seeAlso=[f.url] if f.url else [],
        )
        mapping.append(spdx.DictionaryEntry(key=f.spdx_id, value=custom.spdxId))
    made[expression] = doc.add(
        spdx.simplelicensing_LicenseExpression,
        "license",
        simplelicensing_licenseExpression=expression,
        simplelicensing_customIdToUri=mapping,
        comment="; ".join(f"{f.spdx_id}: {f.name}" for f in known),
    )
    return made[expression]


def _hub(pkg_props: dict[str, Any], source: str | None, fallback: str | None = None) -> None:
    origin = hub_origin(source)
    repo, rev = (origin.repo_id, origin.revision) if origin else (fallback, None)
    if repo is None:
        return
    org, _, name = repo.rpartition("/")
    purl = f"pkg:huggingface/{org + '/' if org else ''}{name}" + (f"@{rev.lower()}" if rev else "")
    pkg_props["software_downloadLocation"] = f"{HUB_URL}/{repo}"
    pkg_props["software_packageUrl"] = purl
    if rev:
        pkg_props["software_packageVersion"] = rev


def render_spdx3(
    model: ModelBom, licenses: Mapping[str, LicenseFacts], *, created: dt.datetime | None = None
) -> str:
    """The SPDX 3.0.1 JSON-LD document (indented, ending in a newline) for one variant."""
    doc = _Doc(model, (created or dt.datetime.now(dt.UTC)).replace(microsecond=0))
    made: dict[str, Any] = {}
    props: dict[str, Any] = {
        "name": model.name,
        "software_primaryPurpose": spdx.software_SoftwarePurpose.model,
        "ai_domain": [DOMAINS.get(m, m) for m in model.modalities],
    }
    if model.architecture:
        props["ai_typeOfModel"] = [model.architecture]
    card = model.card
    if card is not None:
        sections = (
            ("description", card.summary),
            ("ai_limitation", card.limitations),
            ("ai_informationAboutApplication", card.intended_use),
            ("ai_informationAboutTraining", card.training),
        )
        props.update({key: value for key, value in sections if value})
    if "ai_informationAboutTraining" not in props and model.parents:
        props["ai_informationAboutTraining"] = "; ".join(f"{r} of {n}" for n, r in model.parents)
    if model.parameter_count is not None:
        props["comment"] = f"parameters: {model.parameter_count}"
    _hub(props, model.source_uri)
    root = doc.add(spdx.ai_AIPackage, "model", **props)

    files = []
    for f in model.files:
        note = f"modelreg:size={f.size}" + (f"; modelreg:git-oid={f.git_oid}" if f.git_oid else "")
        fprops: dict[str, Any] = {
            "name": f.path,
            "software_fileKind": spdx.software_FileKindType.file,
            "comment": note,
        }
        if f.sha256:
            fprops["verifiedUsing"] = [
                spdx.Hash(algorithm=spdx.HashAlgorithm.sha256, hashValue=f.sha256)
            ]
        files.append(doc.add(spdx.software_File, "file", **fprops))
    if files:
        doc.relate(root, spdx.RelationshipType.contains, files)
    texts = model.license_texts
    doc.relate(
        root,
        spdx.RelationshipType.hasDeclaredLicense,
        [_license(doc, [model.license_id], licenses, texts, made)],
    )
    effective = list(model.effective_licenses) or [model.license_id]
    doc.relate(
        root,
        spdx.RelationshipType.hasConcludedLicense,
        [_license(doc, effective, licenses, texts, made)],
    )

    nodes = {model.name: root}
    for anc in model.ancestors:
        aprops: dict[str, Any] = {
            "name": anc.name,
            "software_primaryPurpose": spdx.software_SoftwarePurpose.model,
        }
        _hub(aprops, anc.source_uri, anc.name if anc.unresolved else None)
        if anc.unresolved:
            aprops["comment"] = "modelreg:unresolved"
        nodes[anc.name] = doc.add(spdx.ai_AIPackage, "ancestor", **aprops)
        if anc.license_id:
            lic = _license(doc, [anc.license_id], licenses, (), made)
            doc.relate(nodes[anc.name], spdx.RelationshipType.hasDeclaredLicense, [lic])
    edges = [(model.name, model.parents)] + [(a.name, a.parents) for a in model.ancestors]
    for child, parents in edges:
        for parent, relation in parents:
            if parent in nodes:
                doc.relate(
                    nodes[child],
                    spdx.RelationshipType.descendantOf,
                    [nodes[parent]],
                    f"modelreg:relation={relation}",
                )
    direct = {n for n, _ in model.parents}
    for anc in model.ancestors:
        if anc.name not in direct:
            doc.relate(
                root,
                spdx.RelationshipType.descendantOf,
                [nodes[anc.name]],
                f"modelreg:distance={anc.distance}",
            )

    document = spdx.SpdxDocument(
        spdxId=f"{doc.ns}#document",
        name=f"modelreg SPDX 3.0.1 AI BOM of {model.name}",
        creationInfo=doc.info,
        rootElement=[root],
        element=list(doc.elements),
        profileConformance=[
            spdx.ProfileIdentifierType.core,
            spdx.ProfileIdentifierType.software,
            spdx.ProfileIdentifierType.ai,
            spdx.ProfileIdentifierType.simpleLicensing,
            spdx.ProfileIdentifierType.expandedLicensing,
        ],
    )
    doc.objects.add(document)
    data = spdx.JSONLDSerializer().serialize_data(doc.objects)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def license_facts(policies: PolicySet) -> dict[str, LicenseFacts]:
    """license id → facts, from a :class:`registry.compliance.policies.PolicySet`."""
    return {
        p.id: LicenseFacts(p.spdx, p.name, p.license_url, *p.agreement_evidence)
        for p in policies.policies.values()
    }
