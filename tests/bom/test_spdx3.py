"""``modelreg export --format spdx3``: SPDX 3.0.1 JSON-LD that validates.

Validation: the official SPDX 3.0.1 JSON schema (vendored in tests/data, see its README) and a
round trip through spdx-python-model's JSON-LD deserialiser. The SHACL shapes are not used:
no package on PyPI ships them, and they cannot be downloaded here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
from spdx_python_model import v3_0_1 as spdx

from tests.builders import write_checkpoint
from tests.compliance.conftest import sample
from tests.conftest import Cli

SCHEMA = Path(__file__).parent.parent / "data" / "spdx-3.0.1.schema.json"
SCHEMA_SHA256 = "582c64e809d5b3ef9bd0c4de13a32391b47b0284a3e8d199569fb96f649234b1"
LLAMA2_REF = "LicenseRef-scancode-llama-2-license-2023"
CARD_BODY = """
# Chat fine-tune

A small chat model for tests.

## Uses

Answering questions about the test suite.

## Bias, Risks, and Limitations

Knows nothing beyond the tests.

## Training Details

Fine-tuned for one step on nothing.
"""


def validate(text: str) -> tuple[dict[str, Any], spdx.SHACLObjectSet]:
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    doc = json.loads(text)
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == []
    objects = spdx.SHACLObjectSet()
    spdx.JSONLDDeserializer().deserialize_data(doc, objects)
    return doc, objects


def family(cli: Cli, tmp_path: Path) -> tuple[Path, Path]:
    base = write_checkpoint(tmp_path / "base", card={"license": "llama2"})
    (base / "LICENSE").write_text(sample("llama-2-LICENSE.txt"), encoding="utf-8")
    ft = write_checkpoint(tmp_path / "ft", seed=1, card={"license": "mit"})
    (ft / "README.md").write_text((ft / "README.md").read_text() + CARD_BODY)
    assert cli("add", base, "--name", "base").exit_code == 0
    assert cli("add", ft, "--name", "ft", "--parent", "base:finetune").exit_code == 0
    return base, ft


def test_spdx3_export_of_a_finetune_validates_and_says_everything(cli: Cli, tmp_path: Path) -> None:
    family(cli, tmp_path)
    res = cli("export", "ft", "--format", "spdx3")
    assert res.exit_code == 0, res.stderr
    _, objects = validate(res.stdout)
    [document] = objects.foreach_type(spdx.SpdxDocument)
    [root] = document.rootElement
    assert isinstance(root, spdx.ai_AIPackage) and root.name == "ft"
    assert list(root.ai_typeOfModel) == ["LlamaForCausalLM"]
    assert list(root.ai_domain) == ["natural language processing"]
    assert root.ai_limitation == "Knows nothing beyond the tests."
    assert root.ai_informationAboutApplication == "Answering questions about the test suite."
    assert root.ai_informationAboutTraining == "Fine-tuned for one step on nothing."
    rels = list(objects.foreach_type(spdx.Relationship))

    def to(kind: str, src: object = root) -> list[Any]:
        return [t for r in rels if r.from_ is src and r.relationshipType == kind for t in r.to]

    files = {f.name: f for f in to(spdx.RelationshipType.contains)}
    assert set(files) == {"README.md", "config.json", "model.safetensors"}
    sha = hashlib.sha256((tmp_path / "ft" / "model.safetensors").read_bytes()).hexdigest()
    assert [h.hashValue for h in files["model.safetensors"].verifiedUsing] == [sha]
    [declared] = to(spdx.RelationshipType.hasDeclaredLicense)
    assert declared.simplelicensing_licenseExpression == "MIT"
    [concluded] = to(spdx.RelationshipType.hasConcludedLicense)
    assert concluded.simplelicensing_licenseExpression == f"MIT AND {LLAMA2_REF}"
    [ancestor] = to(spdx.RelationshipType.descendantOf)
    assert ancestor.name == "base"
    [base_license] = to(spdx.RelationshipType.hasDeclaredLicense, ancestor)
    assert base_license.simplelicensing_licenseExpression == LLAMA2_REF
    [mapping] = base_license.simplelicensing_customIdToUri
    assert mapping.key == LLAMA2_REF


def test_llama_license_text_comes_from_the_checkpoint(cli: Cli, tmp_path: Path) -> None:
    family(cli, tmp_path)
    res = cli("export", "base", "--format", "spdx3", "-o", tmp_path / "base.spdx.json")
    assert res.exit_code == 0
    _, objects = validate((tmp_path / "base.spdx.json").read_text())
    [custom] = objects.foreach_type(spdx.expandedlicensing_CustomLicense)
    assert custom.name == "Llama 2 Community License"
    assert custom.simplelicensing_licenseText.startswith("LLAMA 2 COMMUNITY LICENSE AGREEMENT")
    [expression] = objects.foreach_type(spdx.simplelicensing_LicenseExpression)
    assert [(e.key, e.value) for e in expression.simplelicensing_customIdToUri] == [
        (LLAMA2_REF, custom.spdxId)
    ]


def test_unresolved_base_and_unknown_license(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(
        tmp_path / "q", card={"base_model": "meta-llama/Llama-2-7b-hf", "license": "llama2"}
    )
    assert cli("add", ckpt, "--name", "q").exit_code == 0
    res = cli("export", "q", "--format", "spdx3")
    doc, objects = validate(res.stdout)
    [root] = [p for p in objects.foreach_type(spdx.ai_AIPackage) if p.name == "q"]
    rels = [r for r in objects.foreach_type(spdx.Relationship) if r.from_ is root]
    [base] = [
        t for r in rels if r.relationshipType == spdx.RelationshipType.descendantOf for t in r.to
    ]
    assert base.name == "meta-llama/Llama-2-7b-hf" and base.comment == "modelreg:unresolved"
    assert base.software_packageUrl == "pkg:huggingface/meta-llama/Llama-2-7b-hf"
    [concluded] = [
        t
        for r in rels
        if r.relationshipType == spdx.RelationshipType.hasConcludedLicense
        for t in r.to
    ]
    assert concluded == "https://spdx.org/rdf/3.0.1/terms/ExpandedLicensing/NoAssertionLicense"
