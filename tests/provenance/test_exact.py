"""Tier 1: exact reuse of a non-trivial tensor, through the real ``add`` and ``provenance``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xxhash

from registry.checkpoints.inspect import inspect_checkpoint
from registry.provenance.half_digests import half_digests
from tests.conftest import Cli
from tests.provenance.builders import bf16, bf16_bytes, bf16_round, checkpoint, f16, f32

# provenance reads the weights of every variant compared, so it runs where the catalog and
# the checkpoints are (a direct database); through a team server `add` skips it with a note
pytestmark = pytest.mark.direct_only

BIG = (1024, 1024)  # the smallest size tier 1 counts: 1M elements


def _weights(seed: int, shape: tuple[int, int] = BIG) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32) * 0.02


def _small(seed: int) -> dict[str, tuple[str, tuple[int, ...], bytes]]:
    return {"norm.weight": f32(np.random.default_rng(seed).random(64, dtype=np.float32))}


def _derived(cli: Cli, name: str) -> dict[str, dict]:  # type: ignore[type-arg]
    res = cli("provenance", name, "--format", "json")
    assert res.exit_code == 0, res.stderr
    return {r["other"]: r for r in res.json()["results"]}  # type: ignore[index]


def test_copied_tensor_is_found_on_add_and_on_demand(cli: Cli, tmp_path: Path) -> None:
    w = _weights(1)
    base = checkpoint(tmp_path / "base", {"embed.weight": f16(w), **_small(1)})
    child = checkpoint(tmp_path / "child", {"embed.weight": f16(w), **_small(2)})
    assert cli("add", base, "--name", "base").exit_code == 0
    res = cli("add", child, "--name", "child", "--license", "apache-2.0")
    assert res.exit_code == 0, res.stderr
    assert "provenance: derived from base (exact-reuse" in res.stderr
    found = _derived(cli, "child")
    assert found["base"]["verdict"] == "derived"
    assert found["base"]["method"] == "exact-reuse"
    assert found["base"]["methods"][0]["tensors"] == ["embed.weight = embed.weight (same bytes)"]
    # the other direction finds the same pair
    assert _derived(cli, "base")["child"]["verdict"] == "derived"


@pytest.mark.parametrize("half", ["bf16", "f16"])
def test_float32_upcast_of_a_half_precision_tensor_is_exact_reuse(
    cli: Cli, tmp_path: Path, half: str
) -> None:
    w = bf16_round(_weights(2))  # representable in bf16 and, mostly, in f16 too
    if half == "f16":  # values with all 11 bits of float16 precision
        w = (_weights(2) * 50).astype(np.float16).astype(np.float32)
    encoded = bf16(w) if half == "bf16" else f16(w)
    checkpoint(tmp_path / "base", {"layer.weight": encoded})
    checkpoint(tmp_path / "upcast", {"layer.weight": f32(w)})
    assert cli("add", tmp_path / "base", "--name", "base").exit_code == 0
    assert cli("add", tmp_path / "upcast", "--name", "upcast").exit_code == 0
    hit = _derived(cli, "upcast")["base"]
    assert hit["verdict"] == "derived"
    assert "(upcast to float32)" in hit["methods"][0]["tensors"][0]
    # and from the half-precision side: its plain digest is the upcast's half digest
    back = _derived(cli, "base")["upcast"]
    assert "their float32 upcast" in back["methods"][0]["tensors"][0]


def test_constant_and_small_tensors_are_not_evidence(cli: Cli, tmp_path: Path) -> None:
    zeros = np.zeros(BIG, dtype=np.float32)
    small = _weights(3, (512, 512))  # 262,144 elements: below the 1M floor
    checkpoint(tmp_path / "a", {"zero.weight": f32(zeros), "small.weight": f32(small)})
    checkpoint(tmp_path / "b", {"zero.weight": f32(zeros), "small.weight": f32(small)})
    assert cli("add", tmp_path / "a", "--name", "a").exit_code == 0
    res = cli("add", tmp_path / "b", "--name", "b")
    assert res.exit_code == 0
    assert "provenance:" not in res.stderr
    assert _derived(cli, "b") == {}


def test_unrelated_weights_share_nothing(cli: Cli, tmp_path: Path) -> None:
    checkpoint(tmp_path / "a", {"w": f16(_weights(4))})
    checkpoint(tmp_path / "b", {"w": f16(_weights(5))})
    cli("add", tmp_path / "a", "--name", "a")
    cli("add", tmp_path / "b", "--name", "b", "--no-provenance")
    assert _derived(cli, "b") == {}


def test_provenance_needs_the_checkpoint_on_disk(cli: Cli, tmp_path: Path) -> None:
    ckpt = checkpoint(tmp_path / "gone", {"w": f16(_weights(6))})
    cli("add", ckpt, "--name", "gone")
    (ckpt / "model.safetensors").unlink()
    (ckpt / "config.json").unlink()
    ckpt.rmdir()
    res = cli("provenance", "gone")
    assert res.exit_code == 4
    assert "no checkpoint on disk" in res.stderr
    assert cli("provenance", "nobody").exit_code == 2


def test_half_digest_is_the_digest_of_the_half_precision_bytes(tmp_path: Path) -> None:
    exact = bf16_round(_weights(7))
    trained = _weights(8)
    ckpt = checkpoint(tmp_path / "c", {"exact": f32(exact), "trained": f32(trained)})
    manifest = inspect_checkpoint(ckpt)
    found = half_digests(manifest.root, manifest.files)
    forms = dict(found.pop(("model.safetensors", "exact")))
    assert forms["BF16"] == xxhash.xxh3_128(bf16_bytes(exact)).hexdigest()
    assert found == {}  # a tensor trained in float32 has no exact half form


def test_digest_lookup_uses_the_index(db_url: str, catalog: object) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("query plans are checked on SQLite")
    from sqlalchemy import text

    with catalog.session() as session:  # type: ignore[attr-defined]
        plan = session.execute(
            text("EXPLAIN QUERY PLAN SELECT file_id FROM tensors WHERE digest = 'x'")
        ).all()
    assert "ix_tensors_digest" in " ".join(str(r) for r in plan)


@pytest.mark.parametrize(
    ("dtype", "width"), [("F16", 2), ("BF16", 2), ("F32", 4), ("F64", 8), ("U8", 1)]
)
def test_a_tensor_is_constant_only_if_every_element_is(
    tmp_path: Path, dtype: str, width: int
) -> None:
    """Read in growing blocks until one element differs, at any offset, in any width."""
    from registry.provenance.exact import is_constant

    count = 3_000_000  # past several block sizes
    element = bytes(range(1, width + 1))
    data = bytearray(b"\xff" * 7 + element * count + b"\xee" * 5)  # the tensor sits at 7
    path = tmp_path / "t.bin"
    path.write_bytes(data)
    assert is_constant(path, 7, count, dtype)
    for at in (0, 5_000, count - 1):  # the first block, a later one, the very last element
        changed = bytearray(data)
        changed[7 + at * width + width - 1] ^= 0x01
        path.write_bytes(changed)
        assert not is_constant(path, 7, count, dtype), at
    path.write_bytes(data[: 7 + width * (count - 1)])  # cut short: an error, never a verdict
    with pytest.raises(OSError):
        is_constant(path, 7, count, dtype)


def test_sub_byte_tensors_compare_bytes(tmp_path: Path) -> None:
    from registry.provenance.exact import is_constant

    path = tmp_path / "q.bin"
    path.write_bytes(b"\x11" * 500_000)
    assert is_constant(path, 0, 1_000_000, "F4")  # 1,000,000 four-bit elements: 500,000 bytes
    path.write_bytes(b"\x11" * 499_999 + b"\x12")
    assert not is_constant(path, 0, 1_000_000, "F4")
