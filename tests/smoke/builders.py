"""Tiny real Llama checkpoints for smoke tests (float32, two layers, grouped-query attention).

Built with transformers and saved as safetensors, optionally with a tiny word-level
tokenizer built offline with ``tokenizers``; LoRA adapters built with peft; and the
corruptions a smoke test must catch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WORDS = "the capital of france is paris a model that loads and generates tokens".split()
SMALL = {"hidden_size": 32, "intermediate_size": 64}
LARGE = {"hidden_size": 128, "intermediate_size": 512}


def llama_config(**overrides: Any) -> Any:
    from transformers import LlamaConfig

    params: dict[str, Any] = {
        "vocab_size": 96,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,  # grouped-query attention
        "max_position_embeddings": 128,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        **SMALL,
    }
    params.update(overrides)
    return LlamaConfig(**params)


def write_llama(path: Path, *, seed: int = 0, **overrides: Any) -> Path:
    """Save a randomly initialised tiny LlamaForCausalLM (float32 safetensors) at ``path``."""
    import torch
    from transformers import LlamaForCausalLM

    torch.manual_seed(seed)
    model = LlamaForCausalLM(llama_config(**overrides))
    # Larger than the default init, so that different seeds generate different tokens.
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.5)
    model.save_pretrained(str(path), safe_serialization=True)
    return path


def write_tokenizer(path: Path, *, name_file_in_config: bool = True) -> Path:
    """A word-level tokenizer (tokenizer.json + tokenizer_config.json) built offline."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(["[UNK]", "<s>", "</s>", *WORDS])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", bos_token="<s>", eos_token="</s>"
    )
    fast.save_pretrained(str(path))
    if name_file_in_config:
        cfg_path = path / "tokenizer_config.json"
        cfg = json.loads(cfg_path.read_text())
        cfg["tokenizer_file"] = "tokenizer.json"
        cfg_path.write_text(json.dumps(cfg, indent=2))
    return path


def write_lora(path: Path, base: Path, *, seed: int = 1) -> Path:
    """A LoRA adapter (q_proj, v_proj) for the checkpoint at ``base``, with non-zero weights."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(base), local_files_only=True)
    torch.manual_seed(seed)
    config = LoraConfig(
        r=4,
        lora_alpha=32,
        target_modules=["q_proj", "v_proj"],
        task_type="CAUSAL_LM",
        init_lora_weights=False,
    )
    get_peft_model(model, config).save_pretrained(str(path))
    return path


# ----------------------------------------------------------------------------- corruptions


def corrupt_shapes(path: Path) -> None:
    """The config no longer matches the weights (intermediate size changed)."""
    cfg_path = path / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["intermediate_size"] = cfg["intermediate_size"] // 2
    cfg_path.write_text(json.dumps(cfg))


def corrupt_nan(path: Path) -> None:
    """One layer's weights become NaN (file still well-formed)."""
    from safetensors.torch import load_file, save_file

    weights = load_file(str(path / "model.safetensors"))
    weights["model.layers.0.self_attn.o_proj.weight"].fill_(float("nan"))
    save_file(weights, str(path / "model.safetensors"), metadata={"format": "pt"})


def corrupt_truncate(path: Path) -> None:
    """The weights file loses its second half (an interrupted copy)."""
    shard = path / "model.safetensors"
    data = shard.read_bytes()
    shard.write_bytes(data[: len(data) // 2])


def corrupt_tokenizer(path: Path) -> None:
    """tokenizer.json, which tokenizer_config.json names, is deleted."""
    (path / "tokenizer.json").unlink()


def corrupt_architecture(path: Path) -> None:
    """The config declares an architecture its model type does not load."""
    cfg_path = path / "config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["architectures"] = ["MistralForCausalLM"]
    cfg_path.write_text(json.dumps(cfg))


CORRUPTIONS = {
    "architecture": corrupt_architecture,
    "shapes": corrupt_shapes,
    "nan": corrupt_nan,
    "truncated": corrupt_truncate,
    "tokenizer": corrupt_tokenizer,
}


# ----------------------------------------------------------------------------- catalog


def register(cli: Any, name: str, path: Path, *, parent: str | None = None) -> None:
    """Register ``path`` as ``name`` with the real ``modelreg add`` (an adapter of ``parent``)."""
    args = ["add", str(path), "--name", name]
    if parent is not None:
        args += ["--parent", f"{parent}:adapter"]
    res = cli(*args)
    assert res.exit_code == 0, res.stderr


def register_remote(db_url: str, name: str, source_uri: str) -> None:
    """A variant known only by a remote source (as the Hub registration records it)."""
    from registry.config import load_settings
    from registry.db.engine import open_catalog
    from registry.db.models import Variant

    catalog = open_catalog(load_settings(database_url=db_url))
    try:
        with catalog.session(write=True) as s:
            s.add(Variant(name=name, source_uri=source_uri, modalities=["text"]))
    finally:
        catalog.dispose()


def runs(db_url: str) -> list[Any]:
    """Every recorded smoke run, oldest first."""
    from sqlalchemy import select

    from registry.config import load_settings
    from registry.db.engine import open_catalog
    from registry.db.models import SmokeRun

    catalog = open_catalog(load_settings(database_url=db_url))
    try:
        with catalog.session() as s:
            return list(s.scalars(select(SmokeRun).order_by(SmokeRun.id)))
    finally:
        catalog.dispose()
