"""``modelreg export --format cyclonedx``: a CycloneDX 1.6 ML-BOM valid against the schema."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from registry.formats.bom_input import ModelBom
from registry.formats.cyclonedx import LLAMA_LICENSES, license_ref, render_cyclonedx
from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.hub.conftest import ADAPTER, FINETUNE, LLAMA2_BASE, LLAMA3_BASE, MERGE
from tests.hub.fake_hub import FakeHub


def validate(text: str) -> dict[str, Any]:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)
    doc = json.loads(text)
    assert isinstance(doc, dict)
    return doc


def model_component(doc: dict[str, Any]) -> dict[str, Any]:
    [model] = [c for c in doc["components"] if c["type"] == "machine-learning-model"]
    return model  # type: ignore[no-any-return]


def props(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p["name"], p["value"]) for p in obj.get("properties", [])]


def test_merge_of_hub_models_exports_a_valid_ml_bom(cli: Cli, zoo: FakeHub, tmp_path: Path) -> None:
    for ref, name in ((LLAMA2_BASE, "llama2-7b"), (FINETUNE, "chat-ft"), (MERGE, "merged")):
        assert cli("add", f"hf:{ref}", "--name", name).exit_code == 0
    res = cli("export", "merged", "--format", "cyclonedx")
    assert res.exit_code == 0, res.stderr
    doc = validate(res.stdout)
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6"
    model = model_component(doc)
    assert model["name"] == "merged"
    merge_sha = zoo.repos[MERGE].sha
    assert model["purl"] == f"pkg:huggingface/acme/llama2-merge@{merge_sha}"
    lic = model["licenses"][0]["license"]
    assert lic["name"] == "Llama 2 Community License Agreement"
    assert ("modelreg:license-ref", "LicenseRef-scancode-llama-2-license-2023") in props(lic)
    files = {c["name"]: c for c in model["components"]}
    data = zoo.repos[MERGE].files["model.safetensors"]
    assert files["model.safetensors"]["hashes"] == [
        {"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()}
    ]
    assert "hashes" not in files["README.md"]  # outside LFS: only the git blob id is known
    assert dict(props(files["README.md"]))["modelreg:git-oid"]
    ancestors = {a["name"]: a for a in model["pedigree"]["ancestors"]}
    assert set(ancestors) == {"llama2-7b", "chat-ft"}
    assert ("modelreg:parent:finetune", "llama2-7b") in props(ancestors["chat-ft"])
    assert ("modelreg:distance", "1") in props(ancestors["llama2-7b"])
    assert ("modelreg:parent:merge", "chat-ft") in props(model)
    assert ("modelreg:source", f"hf:{MERGE}@{merge_sha}") in props(model)
    card = model["modelCard"]
    assert card["modelParameters"]["modelArchitecture"] == "LlamaForCausalLM"
    assert card["modelParameters"]["inputs"] == [{"format": "text"}]
    refs = {r["type"]: r["url"] for r in model["externalReferences"]}
    assert refs["model-card"].endswith(f"/acme/llama2-merge/blob/{merge_sha}/README.md")

    out = tmp_path / "bom" / "merged.cdx.json"
    out.parent.mkdir()
    res = cli("export", "merged", "-o", out)
    assert res.exit_code == 0 and res.stdout == ""
    validate(out.read_text())


def test_unresolved_base_and_legacy_license_in_the_bom(cli: Cli, zoo: FakeHub) -> None:
    assert cli("add", f"hf:{ADAPTER}", "--name", "lora").exit_code == 0
    doc = validate(cli("export", "lora").stdout)
    model = model_component(doc)
    lic = model["licenses"][0]["license"]
    assert lic["name"] == "Meta Llama 3 Community License Agreement"
    [base] = model["pedigree"]["ancestors"]
    assert base["name"] == LLAMA3_BASE
    assert ("modelreg:unresolved", "true") in props(base)
    assert ("modelreg:relation", "adapter") in props(base)
    assert base["purl"] == "pkg:huggingface/meta-llama/Meta-Llama-3-8B"


def test_local_checkpoint_with_deep_lineage(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "a", seed=1, card={"license": "apache-2.0"})
    assert cli("add", ckpt, "--name", "root").exit_code == 0
    prev = "root"
    for i in range(3):
        c = write_checkpoint(tmp_path / f"c{i}", seed=10 + i)
        assert cli("add", c, "--name", f"gen{i}", "--parent", prev, "-l", "mit").exit_code == 0
        prev = f"gen{i}"
    doc = validate(cli("export", "gen2").stdout)
    model = model_component(doc)
    assert model["licenses"] == [{"license": {"id": "MIT", "acknowledgement": "declared"}}]
    assert "purl" not in model
    assert "modelreg:source" not in dict(props(model))  # local paths stay on this machine
    distances = {
        a["name"]: dict(props(a))["modelreg:distance"] for a in model["pedigree"]["ancestors"]
    }
    assert distances == {"gen1": "1", "gen0": "2", "root": "3"}
    [file_sha] = {
        c["hashes"][0]["content"] for c in model["components"] if c["name"] == "model.safetensors"
    }
    assert (
        file_sha == hashlib.sha256((tmp_path / "c2" / "model.safetensors").read_bytes()).hexdigest()
    )


def test_unknown_variant_is_a_usage_error(cli: Cli) -> None:
    res = cli("export", "nope")
    assert res.exit_code == 2 and "no variant named 'nope'" in res.stderr and res.stdout == ""


@pytest.mark.parametrize("policy_id", sorted(LLAMA_LICENSES))
def test_every_llama_license_has_a_licenseref_and_validates(policy_id: str) -> None:
    ref = license_ref(policy_id)
    assert ref is not None and ref.startswith("LicenseRef-scancode-llama-")
    bom = ModelBom(
        name="m",
        license_id=policy_id,
        license_name=None,
        modalities=("text", "vision"),
        architecture=None,
        parameter_count=None,
        source_uri=None,
        total_bytes=0,
        created_at=None,
    )
    lic = model_component(validate(render_cyclonedx(bom)))["licenses"][0]["license"]
    assert ("modelreg:license-ref", ref) in props(lic)


@pytest.mark.parametrize(
    ("license_id", "license_name", "expected"),
    [
        ("apache-2.0", None, [{"license": {"id": "Apache-2.0", "acknowledgement": "declared"}}]),
        (
            "cc-by-nc-4.0",
            None,
            [{"license": {"id": "CC-BY-NC-4.0", "acknowledgement": "declared"}}],
        ),
        ("unknown", None, None),
    ],
)
def test_spdx_and_unknown_licenses(
    license_id: str, license_name: str | None, expected: list[dict[str, Any]] | None
) -> None:
    bom = ModelBom("m", license_id, license_name, ("text",), None, None, None, 0, None)
    model = model_component(validate(render_cyclonedx(bom)))
    assert model.get("licenses") == expected


def test_other_license_keeps_its_name() -> None:
    bom = ModelBom("m", "other", "deepseek-license", ("text",), None, None, None, 0, None)
    lic = model_component(validate(render_cyclonedx(bom)))["licenses"][0]["license"]
    assert lic["name"] == "deepseek-license"


def test_the_schema_check_is_strict() -> None:
    bom = ModelBom("m", "llama2", None, ("text",), "LlamaForCausalLM", None, None, 0, None)
    doc = json.loads(render_cyclonedx(bom))
    doc["components"][0]["modelCard"]["notAField"] = 1
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc)) is not None


def test_a_cache_snapshot_is_exported_with_its_hub_purl() -> None:
    rev = "ab" * 20
    src = f"/home/u/.cache/huggingface/hub/models--meta-llama--Llama-2-7b-hf/snapshots/{rev}"
    bom = ModelBom("m", "llama2", None, ("text",), None, None, src, 0, None)
    model = model_component(validate(render_cyclonedx(bom)))
    assert model["purl"] == f"pkg:huggingface/meta-llama/Llama-2-7b-hf@{rev}"
    assert model["version"] == rev
    assert "modelreg:source" not in dict(props(model))


def test_several_declared_licenses_are_each_listed() -> None:
    bom = ModelBom(
        "m", "llama2 AND mit AND other", "acme-eula", ("text",), None, None, None, 0, None
    )
    licenses = [e["license"] for e in model_component(validate(render_cyclonedx(bom)))["licenses"]]
    assert {lic.get("id") or lic["name"] for lic in licenses} == {
        "Llama 2 Community License Agreement",
        "MIT",
        "acme-eula",
    }
