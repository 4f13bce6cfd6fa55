"""``modelreg add --bom FILE``: a BOM round-trips through export and import, and
``verify --path`` then checks the files received against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bom.test_spdx3 import family
from tests.conftest import Cli


@pytest.mark.parametrize("fmt", ["cyclonedx", "spdx3"])
def test_export_then_add_bom_round_trips(cli: Cli, tmp_path: Path, fmt: str) -> None:
    _, ft = family(cli, tmp_path)
    doc = tmp_path / f"ft.{fmt}.json"
    assert cli("export", "ft", "--format", fmt, "-o", doc).exit_code == 0
    res = cli("add", "--bom", doc, "--name", "received", "--format", "json")
    assert res.exit_code == 0, res.stderr
    got, original = res.json(), cli("show", "ft", "--format", "json").json()
    assert got["license"] == original["license"] == "mit"  # type: ignore[index]
    assert got["parents"] == original["parents"]  # type: ignore[index]
    files = lambda d: {(f["path"], f["size"], f["sha256"]) for f in d["files"]}  # noqa: E731
    assert files(got) == files(original)
    assert got["architecture"] == "LlamaForCausalLM"  # type: ignore[index]
    assert got["source"] is None  # type: ignore[index]
    assert cli("verify", "received").exit_code == 2  # no local copy: needs --path
    assert cli("verify", "received", "--path", ft).exit_code == 0
    (ft / "config.json").write_text("{}")
    bad = cli("verify", "received", "--path", ft)
    assert bad.exit_code == 1 and "config.json" in bad.stdout
    # the exported document of the imported variant says the same again
    again = cli("export", "received", "--format", fmt)
    assert again.exit_code == 0


def test_foreign_cyclonedx_without_sizes_and_unknown_base(cli: Cli, tmp_path: Path) -> None:
    import hashlib

    model = tmp_path / "received"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"weights")
    sha = hashlib.sha256(b"weights").hexdigest()
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "type": "machine-learning-model",
                "name": "supplier/chat",
                "purl": "pkg:huggingface/supplier/chat@0123abc",
                "licenses": [{"license": {"id": "LicenseRef-scancode-llama-2-license-2023"}}],
                "pedigree": {
                    "ancestors": [
                        {"type": "machine-learning-model", "name": "meta-llama/Llama-2-7b-hf"}
                    ]
                },
                "components": [
                    {
                        "type": "file",
                        "name": "weights.bin",
                        "hashes": [{"alg": "SHA-256", "content": sha}],
                    }
                ],
            }
        ],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(doc))
    res = cli("add", "--bom", path, "--format", "json")
    assert res.exit_code == 0, res.stderr
    got = res.json()
    assert got["name"] == "supplier/chat" and got["license"] == "llama2"  # type: ignore[index]
    assert got["source"] == "hf:supplier/chat@0123abc"  # type: ignore[index]
    assert [u["reference"] for u in got["unresolved_parents"]] == ["meta-llama/Llama-2-7b-hf"]  # type: ignore[index]
    assert cli("verify", "supplier/chat", "--path", model).exit_code == 0
    (model / "weights.bin").write_bytes(b"weightz")
    assert cli("verify", "supplier/chat", "--path", model).exit_code == 1


def test_malformed_bom_and_usage(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "components": []}')
    res = cli("add", "--bom", bad)
    assert res.exit_code == 4 and "not a usable bill of materials" in res.stderr
    assert res.stderr.count("\n") == 1
    bad.write_text("[1, 2")
    assert cli("add", "--bom", bad).exit_code == 4
    assert cli("add").exit_code == 2
    assert cli("add", tmp_path, "--bom", bad).exit_code == 2
    assert cli("list").stdout.strip() == ""
