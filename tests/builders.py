"""Small builders for real checkpoints on disk (safetensors written with numpy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file


def tiny_tensors(seed: int = 0, layers: int = 2, hidden: int = 8) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    tensors = {"model.embed_tokens.weight": rng.standard_normal((32, hidden), dtype=np.float32)}
    for i in range(layers):
        tensors[f"model.layers.{i}.mlp.up_proj.weight"] = rng.standard_normal(
            (hidden * 2, hidden), dtype=np.float32
        )
        tensors[f"model.layers.{i}.input_layernorm.weight"] = np.ones(hidden, dtype=np.float32)
    return tensors


def model_card(**front_matter: Any) -> str:
    import yaml

    return "---\n" + yaml.safe_dump(front_matter, sort_keys=False) + "---\n\n# Model card\n"


def write_checkpoint(
    path: Path,
    *,
    seed: int = 0,
    shards: int = 1,
    config: dict[str, Any] | None = None,
    card: dict[str, Any] | None = None,
    extra_files: dict[str, str] | None = None,
) -> Path:
    """Write a tiny safetensors checkpoint (optionally sharded, with config and card)."""
    path.mkdir(parents=True, exist_ok=True)
    tensors = tiny_tensors(seed)
    names = sorted(tensors)
    if shards == 1:
        save_file(tensors, str(path / "model.safetensors"), metadata={"format": "pt"})
    else:
        weight_map: dict[str, str] = {}
        for s in range(shards):
            part = {n: tensors[n] for n in names[s::shards]}
            fname = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            save_file(part, str(path / fname), metadata={"format": "pt"})
            weight_map.update(dict.fromkeys(part, fname))
        total = sum(t.nbytes for t in tensors.values())
        (path / "model.safetensors.index.json").write_text(
            json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map})
        )
    cfg = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 8}
    cfg.update(config or {})
    (path / "config.json").write_text(json.dumps(cfg))
    if card is not None:
        (path / "README.md").write_text(model_card(**card))
    for name, text in (extra_files or {}).items():
        (path / name).write_text(text)
    return path


def insert_variants(url: str, *variants: dict[str, Any]) -> None:
    """Catalog entries without checkpoints (each the keyword arguments of
    :func:`registry.catalog.variant_insert.insert_variant`), in one transaction, through
    the library's write path."""
    from registry.audit.actor import os_actor
    from registry.catalog.variant_insert import insert_variant
    from registry.compliance.store import RawDB

    db = RawDB(url)
    try:
        db.begin_write()
        for fields in variants:
            insert_variant(db, os_actor(), **fields)
        db.commit()
    finally:
        db.close()
