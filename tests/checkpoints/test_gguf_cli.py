"""GGUF checkpoints through the real CLI, on SQLite and PostgreSQL: defaults from the file's
metadata at ``add``, tensor digests and content digest, ``verify`` naming a changed tensor,
and ``check`` deciding under the license the file states."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from registry.db.models import TensorRecord, VariantFile
from tests.builders import model_card
from tests.checkpoints import gguf_builders as gb

BASE = "meta-llama/Llama-3.1-8B"


@pytest.fixture(scope="module")
def weights() -> dict[str, np.ndarray]:
    return gb.llama_weights(seed=3)


@pytest.fixture(scope="module")
def ggufs(tmp_path_factory: pytest.TempPathFactory, weights: dict[str, np.ndarray]) -> Path:
    """``q8/`` and ``f16/`` (a Llama 3.1 fine-tune, Q8_0 and F16) and the safetensors twin."""
    root = tmp_path_factory.mktemp("gguf")
    for kind, q in (("q8", "Q8_0"), ("f16", "F16")):
        gb.write_gguf(root / kind / "model.gguf", weights, qtype=q, metadata=gb.LLAMA31_META)
    gb.write_safetensors_twin(root / "hf", weights)
    return root


def _copy(ggufs: Path, kind: str, dest: Path) -> Path:
    shutil.copytree(ggufs / kind, dest)
    return dest


def _add(cli: Any, path: Path, *args: str) -> dict[str, Any]:
    res = cli("add", path, *args, "--format", "json")
    assert res.exit_code == 0, res.stderr
    data: dict[str, Any] = res.json()
    return data


def test_llama31_gguf_registers_with_license_architecture_size_and_parents(
    cli: Any, catalog: Any, ggufs: Path, weights: dict[str, np.ndarray]
) -> None:
    data = _add(cli, ggufs / "q8", "--name", "chat-q8")
    assert data["license"] == "llama3.1"
    assert data["architecture"] == "llama"
    assert data["parameter_count"] == sum(a.size for a in weights.values()) == 24736
    assert data["unresolved_parents"] == [{"reference": BASE, "relation": "quantized"}]
    [entry] = data["files"]
    assert entry["format"] == "gguf"
    assert entry["details"]["tensor_types"] == {"F32": 5, "Q8_0": 16}
    assert entry["details"]["general.base_model"][0]["repo_url"].endswith(BASE)
    assert data["content_digest"] and len(data["content_digest"]) == 64
    with catalog.session() as s:
        rows = {
            t.name: t
            for t in s.scalars(
                select(TensorRecord).join(VariantFile, VariantFile.id == TensorRecord.file_id)
            )
        }
    assert len(rows) == 21
    embed = rows["token_embd.weight"]
    assert (embed.dtype, tuple(embed.shape)) == ("Q8_0", (96, 32))  # row-major, as numpy sees it
    assert embed.end_offset - embed.start_offset == 96 * 32 // 32 * 34
    assert rows["output_norm.weight"].dtype == "F32"
    assert len({t.digest for t in rows.values()}) == 17  # the five norms are all ones: one digest


def test_a_registered_base_becomes_the_parent(cli: Any, ggufs: Path) -> None:
    _add(cli, ggufs / "hf", "--name", BASE, "--license", "llama3.1")
    q8 = _add(cli, ggufs / "q8", "--name", "chat-q8")
    assert q8["parents"] == [{"name": BASE, "relation": "quantized"}]
    assert q8["unresolved_parents"] == []
    f16 = _add(cli, ggufs / "f16" / "model.gguf", "--name", "chat-f16")  # a single file
    assert f16["parents"] == [{"name": BASE, "relation": "finetune"}]  # F16: not a quantization


def test_the_base_registered_later_settles_the_reference(cli: Any, ggufs: Path) -> None:
    _add(cli, ggufs / "q8", "--name", "chat-q8")
    _add(cli, ggufs / "hf", "--name", BASE, "--license", "llama3.1")
    shown = cli("show", "chat-q8", "--format", "json").json()
    assert shown["parents"] == [{"name": BASE, "relation": "quantized"}]


def test_name_defaults_to_general_name_and_a_taken_name_fails_before_hashing(
    cli: Any, ggufs: Path
) -> None:
    data = _add(cli, ggufs / "q8")
    assert data["name"] == "Tiny-Llama-3.1-Chat"  # general.name "Tiny Llama 3.1 Chat"
    again = cli("add", ggufs / "f16")
    assert again.exit_code == 2
    assert (
        again.stderr.strip() == "error: a variant named 'Tiny-Llama-3.1-Chat' is already registered"
    )
    plain = cli("add", ggufs / "hf")
    assert plain.exit_code == 2 and "--name is required" in plain.stderr


def test_flags_and_the_model_card_win_and_a_disagreement_is_named(
    cli: Any, ggufs: Path, tmp_path: Path
) -> None:
    ck = _copy(ggufs, "q8", tmp_path / "carded")
    (ck / "README.md").write_text(model_card(license="llama3", base_model="org/other-base"))
    res = cli("add", ck, "--name", "carded", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["license"] == "llama3"
    assert data["unresolved_parents"] == [{"reference": "org/other-base", "relation": "quantized"}]
    assert (
        "warning: the model card says license llama3 but model.gguf says llama3.1 "
        "(general.license); the card's llama3 is used"
    ) in res.stderr
    flag = _add(cli, ggufs / "q8", "--name", "flagged", "--license", "apache-2.0")
    assert flag["license"] == "apache-2.0"
    agree = _copy(ggufs, "q8", tmp_path / "agree")
    (agree / "README.md").write_text(model_card(license="other", license_name="llama3.1"))
    res = cli("add", agree, "--name", "agree", "--format", "json")
    assert res.json()["license"] == "llama3.1" and "warning" not in res.stderr
    assert res.json()["unresolved_parents"] == [{"reference": BASE, "relation": "quantized"}]


def test_other_with_license_name_is_mapped_like_a_card(
    cli: Any, tmp_path: Path, weights: dict[str, np.ndarray]
) -> None:
    meta = {"general.license": "other", "general.license.name": "llama3.1"}
    gb.write_gguf(tmp_path / "o" / "m.gguf", weights, metadata=meta)
    assert _add(cli, tmp_path / "o", "--name", "o")["license"] == "llama3.1"
    gb.write_gguf(tmp_path / "x" / "m.gguf", weights, metadata={"general.license": "wtfpl"})
    data = _add(cli, tmp_path / "x", "--name", "x")
    assert (data["license"], data["license_name"]) == ("other", "wtfpl")
    gb.write_gguf(tmp_path / "none" / "m.gguf", weights)
    data = _add(cli, tmp_path / "none", "--name", "none")
    assert data["license"] == "unknown" and data["unresolved_parents"] == []


def test_oversized_or_nul_metadata_is_dropped_or_cleaned_not_a_database_error(
    cli: Any, tmp_path: Path, weights: dict[str, np.ndarray]
) -> None:
    meta = {
        "general.license": "x" * 300,
        "general.architecture": "llama\0",
        "general.base_model.count": 1,
        "general.base_model.0.repo_url": "https://example.com/" + "y" * 600,
    }
    gb.write_gguf(tmp_path / "odd" / "m.gguf", weights, metadata=meta)
    res = cli("add", tmp_path / "odd", "--name", "odd", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["license"] == "unknown" and data["unresolved_parents"] == []
    assert data["architecture"] == "llama"
    assert "general.license is longer than 255 characters; not used as a default" in res.stderr
    assert "general.base_model is longer than 512 characters" in res.stderr


def test_several_ggufs_give_defaults_only_where_they_agree(
    cli: Any, tmp_path: Path, weights: dict[str, np.ndarray]
) -> None:
    ck = tmp_path / "zoo"
    gb.write_gguf(ck / "m-q8.gguf", weights, metadata=gb.LLAMA31_META)
    other = {**gb.LLAMA31_META, "general.license": "llama3"}
    gb.write_gguf(ck / "m-f16.gguf", weights, qtype="F16", metadata=other)
    res = cli("add", ck, "--name", "zoo", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["license"] == "unknown"
    assert "GGUF files disagree on general.license (m-f16.gguf: llama3, m-q8.gguf: llama3.1)" in (
        res.stderr
    )
    assert data["parameter_count"] == 24736 and data["architecture"] == "llama"
    assert data["unresolved_parents"] == [{"reference": BASE, "relation": "quantized"}]


def test_verify_names_the_changed_tensor(cli: Any, ggufs: Path, tmp_path: Path) -> None:
    ck = _copy(ggufs, "q8", tmp_path / "ck")
    _add(cli, ck, "--name", "v")
    assert cli("verify", "v").exit_code == 0
    start, end = gb.tensor_range(ck / "model.gguf", "blk.1.ffn_up.weight")
    gb.flip_byte(ck / "model.gguf", (start + end) // 2)
    res = cli("verify", "v", "--format", "json")
    assert res.exit_code == 1
    [entry] = res.json()["variants"][0]["files"]
    assert entry["status"] == "modified"
    assert entry["changed_tensors"] == ["blk.1.ffn_up.weight"]
    text = cli("verify", "v")
    assert text.exit_code == 1 and "blk.1.ffn_up.weight" in text.stdout


def test_verify_of_a_gguf_whose_header_turned_hostile(
    cli: Any, ggufs: Path, tmp_path: Path
) -> None:
    ck = _copy(ggufs, "q8", tmp_path / "ck")
    _add(cli, ck, "--name", "v")
    data = bytearray((ck / "model.gguf").read_bytes())
    data[8:16] = (2**40).to_bytes(8, "little")  # an absurd tensor count
    (ck / "model.gguf").write_bytes(bytes(data))
    res = cli("verify", "v", "--format", "json")
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    [entry] = res.json()["variants"][0]["files"]
    assert entry["status"] == "modified"
    assert (
        entry["note"]
        == "header no longer valid: tensor count 1099511627776 exceeds the cap of 1048576"
    )


def test_copies_share_a_content_digest_and_the_safetensors_source_does_not(
    cli: Any, ggufs: Path, tmp_path: Path
) -> None:
    one = _add(cli, ggufs / "q8", "--name", "one")
    two = _add(cli, _copy(ggufs, "q8", tmp_path / "elsewhere" / "copy"), "--name", "two")
    assert one["content_digest"] == two["content_digest"]
    f16 = _add(cli, ggufs / "f16", "--name", "f16")
    hf = _add(cli, ggufs / "hf", "--name", "hf")
    assert len({one["content_digest"], f16["content_digest"], hf["content_digest"]}) == 3
    meta = _add(cli, ggufs / "q8" / "model.gguf", "--name", "single-file")
    assert meta["content_digest"] == one["content_digest"]


def test_check_decides_under_the_license_the_gguf_states(
    cli: Any, ggufs: Path, tmp_path: Path, weights: dict[str, np.ndarray]
) -> None:
    _add(cli, ggufs / "hf", "--name", BASE, "--license", "llama3.1")
    _add(cli, ggufs / "q8", "--name", "chat-q8")
    gb.write_gguf(tmp_path / "silent" / "m.gguf", weights)  # states no license
    # the same weights: provenance would (rightly) put chat-q8 under review for a relation
    # to an unlicensed copy; this test is about the license the file states
    _add(cli, tmp_path / "silent", "--name", "silent", "--no-provenance")
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    assert cli("org", "mau", "acme", "--month", "2024-06", "--users", "1000").exit_code == 0
    args = ("--org", "acme", "--use", "research", "--attest", "aup", "--format", "json")
    res = cli("check", "chat-q8", *args)
    doc = res.json()
    assert (res.exit_code, doc["verdict"]) == (0, "compliant"), doc["findings"]
    assert {f["license"] for f in doc["findings"]} == {"llama3.1"}
    silent = cli("check", "silent", *args)
    assert (silent.exit_code, silent.json()["verdict"]) == (3, "needs_review")
