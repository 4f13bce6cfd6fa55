"""Chunk digests of large files: recorded when free, verified in parallel, authority on
the file's integrity (tiny chunks stand in for 64 MiB ones)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.checkpoints import chunked
from tests.builders import write_checkpoint
from tests.conftest import Cli

GIB = 1024**3


def test_plan_records_chunks_only_where_cores_are_idle() -> None:
    one_big = {"model.gguf": 8 * GIB, "README.md": 2000}
    assert chunked.plan_chunked(one_big, 2) == {"model.gguf"}
    assert chunked.plan_chunked(one_big, 1) == set()
    shards = {f"model-{i}.safetensors": GIB for i in range(4)}
    assert chunked.plan_chunked(shards, 2) == set()  # every core busy with whole files
    assert chunked.plan_chunked(shards, 64) == set(shards)
    assert chunked.plan_chunked({"small.bin": chunked.CHUNK_BYTES}, 8) == set()


def test_spans_partition_the_file() -> None:
    assert chunked.spans(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert chunked.spans(8, 4) == [(0, 4), (4, 8)]
    assert chunked.spans(0, 4) == []


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunked, "CHUNK_BYTES", 256)
    monkeypatch.setattr(chunked, "MIN_CHUNKED_BYTES", 1024)
    monkeypatch.setattr("registry.checkpoints.inspect.default_workers", lambda: 2)


def file_doc(res_stdout: str) -> dict[str, object]:
    files = json.loads(res_stdout)["variants"][0]["files"]
    return {f["path"]: f for f in files}["model.safetensors"]  # type: ignore[no-any-return]


def test_a_large_file_is_verified_by_its_chunks(
    small_chunks: None, cli: Cli, tmp_path: Path, db_url: str
) -> None:
    ckpt = write_checkpoint(tmp_path / "m")
    weights = ckpt / "model.safetensors"
    assert cli("add", weights, "--name", "one-file").exit_code == 0
    from registry.config import load_settings
    from registry.db.reader import open_reader

    reader = open_reader(load_settings(database_url=db_url))
    try:
        row = reader.row("SELECT c.chunk_bytes, CAST(c.digests AS TEXT) FROM file_chunks c")
    finally:
        reader.close()
    assert row is not None and row[0] == 256
    size = weights.stat().st_size
    assert len(json.loads(row[1])) == -(-size // 256)

    ok = cli("verify", "one-file", "--format", "json")
    assert ok.exit_code == 0
    doc = file_doc(ok.stdout)
    assert doc["status"] == "ok" and doc["chunks"] == -(-size // 256)

    data = bytearray(weights.read_bytes())
    data[-5] ^= 0xFF  # inside the last tensor
    weights.write_bytes(bytes(data))
    bad = cli("verify", "one-file", "--format", "json")
    assert bad.exit_code == 1
    doc = file_doc(bad.stdout)
    assert doc["status"] == "modified" and doc["changed_tensors"]
    assert doc["actual_sha256"] is None

    weights.write_bytes(bytes(data[:-1]))  # shorter: the size alone fails it
    short = cli("verify", "one-file", "--format", "json")
    assert short.exit_code == 1 and file_doc(short.stdout)["status"] == "modified"


def test_a_checkpoint_without_idle_cores_has_no_chunks(
    small_chunks: None, monkeypatch: pytest.MonkeyPatch, cli: Cli, tmp_path: Path
) -> None:
    monkeypatch.setattr("registry.checkpoints.inspect.default_workers", lambda: 1)
    ckpt = write_checkpoint(tmp_path / "m")
    assert cli("add", ckpt, "--name", "m").exit_code == 0
    res = cli("verify", "m", "--format", "json")
    assert res.exit_code == 0 and file_doc(res.stdout)["chunks"] == 0
