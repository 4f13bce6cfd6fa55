"""Facts read from a checkpoint's ``config.json``: architecture, modalities, parameter count."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from registry.errors import CheckpointError

MAX_CONFIG_BYTES = 16 * 1024 * 1024
_VISION_KEYS = ("vision_config", "vision_tower", "image_token_index", "mm_vision_tower")
_AUDIO_KEYS = ("audio_config", "audio_token_index")


def read_config(root: Path) -> dict[str, Any] | None:
    path = root / "config.json"
    if not path.is_file():
        return None
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise CheckpointError("config.json", "larger than 16 MiB")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError("config.json", f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CheckpointError("config.json", "not a JSON object")
    return data


def architecture(config: dict[str, Any] | None) -> str | None:
    if not config:
        return None
    archs = config.get("architectures")
    if isinstance(archs, list) and archs and isinstance(archs[0], str):
        return archs[0]
    model_type = config.get("model_type")
    return model_type if isinstance(model_type, str) else None


def modalities(config: dict[str, Any] | None) -> list[str]:
    """``text`` always; ``vision`` / ``audio`` when the config describes such towers."""
    found = ["text"]
    if not config:
        return found
    if any(k in config for k in _VISION_KEYS):
        found.append("vision")
    if any(k in config for k in _AUDIO_KEYS):
        found.append("audio")
    return found


def parameter_count(config: dict[str, Any] | None) -> int | None:
    """A rough count for decoder-only Llama-like configs (None when it cannot be told)."""
    if not config:
        return None
    try:
        h = int(config["hidden_size"])
        layers = int(config["num_hidden_layers"])
        vocab = int(config["vocab_size"])
        inter = int(config.get("intermediate_size", 4 * h))
        heads = int(config.get("num_attention_heads", 1))
        kv = int(config.get("num_key_value_heads", heads))
    except (KeyError, TypeError, ValueError):
        return None
    head_dim = int(config.get("head_dim") or h // max(heads, 1))
    attn = h * heads * head_dim * 2 + h * kv * head_dim * 2
    mlp = 3 * h * inter
    per_layer = attn + mlp + 2 * h
    embed = vocab * h * (1 if config.get("tie_word_embeddings") else 2)
    return layers * per_layer + embed + h
