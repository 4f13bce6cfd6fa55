"""add / show / verify through the real CLI, on SQLite and PostgreSQL.

Content digest independent of sharding; verify naming the tensors that changed (exit 1);
``--quick`` trusting size/mtime/inode; the Hugging Face cache layout; GGUF metadata.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file

from tests.builders import tiny_tensors, write_checkpoint


def _add(cli: Any, path: Path, name: str, *extra: str) -> dict[str, Any]:
    res = cli("add", path, "--name", name, "--format", "json", *extra)
    assert res.exit_code == 0, res.stderr
    data: dict[str, Any] = res.json()
    return data


def _flip_byte_of(path: Path, tensor: str) -> None:
    data = bytearray(path.read_bytes())
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    data[8 + n + header[tensor]["data_offsets"][0]] ^= 0x01
    path.write_bytes(bytes(data))


def test_content_digest_survives_resharding(tmp_path: Path, cli: Any) -> None:
    one = _add(cli, write_checkpoint(tmp_path / "one", seed=1, shards=1), "one")
    three = _add(cli, write_checkpoint(tmp_path / "three", seed=1, shards=3), "three")
    other = _add(cli, write_checkpoint(tmp_path / "other", seed=2, shards=1), "other")
    assert one["content_digest"] and len(one["content_digest"]) == 64
    assert one["content_digest"] == three["content_digest"]
    assert other["content_digest"] != one["content_digest"]
    shown = cli("show", "three", "--format", "json").json()
    assert shown["content_digest"] == one["content_digest"]
    shard = next(f for f in shown["files"] if f["path"].endswith("-of-00003.safetensors"))
    assert shard["format"] == "safetensors" and shard["details"]["tensor_count"] >= 1
    # a renamed tensor is different content
    renamed = {k.replace("up_proj", "down_proj"): v for k, v in tiny_tensors(1).items()}
    (tmp_path / "renamed").mkdir()
    save_file(renamed, str(tmp_path / "renamed" / "model.safetensors"))
    assert _add(cli, tmp_path / "renamed", "renamed")["content_digest"] != one["content_digest"]


def test_verify_names_changed_tensors(tmp_path: Path, cli: Any) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=3, shards=2)
    _add(cli, ck, "v")
    assert cli("verify", "v").exit_code == 0
    shard = ck / "model-00002-of-00002.safetensors"
    header_names = _names(shard)
    victim = header_names[0]
    _flip_byte_of(shard, victim)
    res = cli("verify", "v", "--format", "json")
    assert res.exit_code == 1
    files = {f["path"]: f for f in res.json()["variants"][0]["files"]}
    assert files[shard.name]["status"] == "modified"
    assert files[shard.name]["changed_tensors"] == [victim]
    assert files["model-00001-of-00002.safetensors"]["status"] == "ok"
    text = cli("verify", "v")
    assert text.exit_code == 1 and victim in text.stdout and shard.name in text.stdout


def test_verify_reports_reshaped_and_removed_tensors(tmp_path: Path, cli: Any) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=4)
    _add(cli, ck, "v")
    tensors = tiny_tensors(4)
    tensors["model.embed_tokens.weight"] = tensors["model.embed_tokens.weight"].reshape(16, -1)
    del tensors["model.layers.1.input_layernorm.weight"]
    save_file(tensors, str(ck / "model.safetensors"), metadata={"format": "pt"})
    res = cli("verify", "v", "--format", "json")
    assert res.exit_code == 1
    changed = res.json()["variants"][0]["files"][-1]["changed_tensors"]
    assert changed == ["model.embed_tokens.weight", "model.layers.1.input_layernorm.weight"]


def test_verify_quick_trusts_stat_and_full_verify_does_not(tmp_path: Path, cli: Any) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=5)
    _add(cli, ck, "v")
    target = ck / "model.safetensors"
    before = os.stat(target)
    victim = _names(target)[-1]
    with open(target, "r+b") as fh:  # same inode, same size, then restore the mtime
        data = bytearray(fh.read())
        (n,) = struct.unpack("<Q", data[:8])
        data[-1] ^= 0xFF
        fh.seek(0)
        fh.write(data)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    quick = cli("verify", "v", "--quick", "--format", "json")
    assert quick.exit_code == 0  # the documented trade: size, mtime and inode match
    assert all(f["quick"] for f in quick.json()["variants"][0]["files"])
    full = cli("verify", "v", "--format", "json")
    assert full.exit_code == 1
    assert full.json()["variants"][0]["files"][-1]["changed_tensors"] == [victim]
    os.utime(target)  # a touched file is re-read even with --quick
    again = cli("verify", "v", "--quick")
    assert again.exit_code == 1 and victim in again.stdout


def test_full_verify_records_stats_for_quick(tmp_path: Path, cli: Any) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=6)
    _add(cli, ck, "v")
    shutil.copy2(ck / "config.json", tmp_path / "c")
    os.replace(tmp_path / "c", ck / "config.json")  # same bytes, new inode
    first = cli("verify", "v", "--quick", "--format", "json").json()["variants"][0]["files"]
    assert {f["path"]: f["quick"] for f in first}["config.json"] is False
    second = cli("verify", "v", "--quick", "--format", "json").json()["variants"][0]["files"]
    assert all(f["quick"] for f in second)


def test_huggingface_cache_snapshot_links_are_followed(tmp_path: Path, cli: Any) -> None:
    src = write_checkpoint(tmp_path / "src", seed=7)
    repo = tmp_path / "hub" / "models--org--tiny"
    snap = repo / "snapshots" / "0123abcd"
    (repo / "blobs").mkdir(parents=True)
    snap.mkdir(parents=True)
    for f in src.iterdir():
        blob = repo / "blobs" / f"blob-{f.name}"
        shutil.copy(f, blob)
        os.symlink(f"../../blobs/{blob.name}", snap / f.name)
    data = _add(cli, snap, "cached")
    assert data["content_digest"] == _add(cli, src, "plain")["content_digest"]
    assert cli("verify", "cached").exit_code == 0


def test_gguf_metadata_recorded(tmp_path: Path, cli: Any) -> None:
    import gguf

    ck = tmp_path / "q"
    ck.mkdir()
    writer = gguf.GGUFWriter(str(ck / "model-q8.gguf"), "llama")
    writer.add_string("general.license", "llama3.1")
    writer.add_uint32("general.base_model.count", 1)
    writer.add_string("general.base_model.0.name", "Llama 3.1 8B")
    writer.add_string("general.base_model.0.organization", "Meta Llama")
    writer.add_tensor("tok_embd.weight", np.zeros((4, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    data = _add(cli, ck, "q")
    details = data["files"][0]["details"]
    assert data["files"][0]["format"] == "gguf"
    assert details["general.architecture"] == "llama"
    assert details["general.license"] == "llama3.1"
    assert details["general.base_model"] == [{"name": "Llama 3.1 8B", "organization": "Meta Llama"}]


def _names(path: Path) -> list[str]:
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return sorted(k for k in json.loads(data[8 : 8 + n]) if k != "__metadata__")


def test_safetensors_whose_length_looks_like_a_pickle(tmp_path: Path, cli: Any) -> None:
    """A header of 0x280 bytes begins ``80 02``: the bytes of pickle's PROTO 2."""
    ck = tmp_path / "ck"
    ck.mkdir()
    header = {"x": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}
    raw = json.dumps(header).encode()
    raw += b" " * (0x280 - len(raw))
    (ck / "model.safetensors").write_bytes(struct.pack("<Q", len(raw)) + raw + b"\1\2\3\4")
    assert (ck / "model.safetensors").read_bytes()[:2] == b"\x80\x02"
    data = _add(cli, ck, "lookalike")
    assert data["files"][0]["format"] == "safetensors"


def test_verify_refuses_a_registered_file_swapped_for_an_escaping_link(
    tmp_path: Path, cli: Any
) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=8)
    _add(cli, ck, "v")
    (ck / "model.safetensors").unlink()
    os.symlink("/etc/passwd", ck / "model.safetensors")
    res = cli("verify", "v")
    assert res.exit_code == 4
    assert res.stderr.splitlines() == [
        "error: model.safetensors: symbolic link escapes the checkpoint (-> /etc/passwd)"
    ]


def test_verify_of_a_file_whose_header_turned_hostile(tmp_path: Path, cli: Any) -> None:
    ck = write_checkpoint(tmp_path / "ck", seed=9)
    _add(cli, ck, "v")
    target = ck / "model.safetensors"
    target.write_bytes(struct.pack("<Q", 2**63) + target.read_bytes()[8:])
    res = cli("verify", "v", "--format", "json")
    assert res.exit_code == 1 and "Traceback" not in res.stderr
    entry = res.json()["variants"][0]["files"][-1]
    assert entry["status"] == "modified"
    assert entry["note"].startswith("header no longer valid: safetensors header length")
    shown = cli("show", "v")
    assert "content:" in shown.stdout
