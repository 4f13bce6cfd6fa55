"""Tiny real GGUF files of a tiny Llama, written with the ``gguf`` package's writer.

``llama_weights`` makes the weights of a two-layer Llama with grouped-query attention under
their Hugging Face names (numpy, float32). ``write_gguf`` converts them as llama.cpp's
``convert_hf_to_gguf.py`` does (GGUF tensor names, the rotary permutation of the query and
key projections, 2-D weights quantized with ``gguf.quants``, 1-D norms kept F32) and writes
the ``llama.*`` hyperparameters, ``general.*`` metadata and, optionally, a tiny byte-level
BPE tokenizer (``tokenizer.ggml.*``, as a Llama 3 GGUF carries). ``write_safetensors_twin``
saves the same weights as a Hugging Face checkpoint, so a test can compare the two.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

WORDS = "the capital of france is paris a model that loads and generates tokens".split()
LLAMA = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "max_position_embeddings": 128,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
}
LLAMA31_META = {
    "general.name": "Tiny Llama 3.1 Chat",
    "general.license": "llama3.1",
    "general.base_model.count": 1,
    "general.base_model.0.name": "Llama 3.1 8B",
    "general.base_model.0.organization": "Meta Llama",
    "general.base_model.0.repo_url": "https://huggingface.co/meta-llama/Llama-3.1-8B",
}


def tiny_tokenizer() -> tuple[list[str], list[str]]:
    """(tokens, merges) of a byte-level BPE: two control tokens, printable ASCII, ``Ġ``
    (the byte-level space), and the words of ``WORDS`` with and without a leading space."""
    tokens = ["<s>", "</s>", *(chr(c) for c in range(33, 127)), "Ġ"]
    merges: list[str] = []
    for word in WORDS:
        for piece in (word, "Ġ" + word):
            current = piece[0]
            for ch in piece[1:]:
                if current + ch not in tokens:
                    tokens.append(current + ch)
                    merges.append(f"{current} {ch}")
                current += ch
    return tokens, merges


def vocab_size(with_tokenizer: bool) -> int:
    return len(tiny_tokenizer()[0]) if with_tokenizer else 96


def llama_weights(seed: int = 0, vocab: int = 96) -> dict[str, np.ndarray]:
    """The weights of a tiny LlamaForCausalLM under their Hugging Face names."""
    rng = np.random.default_rng(seed)
    h, inter = LLAMA["hidden_size"], LLAMA["intermediate_size"]
    head_dim = h // LLAMA["num_attention_heads"]
    kv = LLAMA["num_key_value_heads"] * head_dim

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0.0, 0.5, shape).astype(np.float32)

    out = {"model.embed_tokens.weight": w(vocab, h)}
    for i in range(LLAMA["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out |= {
            p + "self_attn.q_proj.weight": w(h, h),
            p + "self_attn.k_proj.weight": w(kv, h),
            p + "self_attn.v_proj.weight": w(kv, h),
            p + "self_attn.o_proj.weight": w(h, h),
            p + "mlp.gate_proj.weight": w(inter, h),
            p + "mlp.up_proj.weight": w(inter, h),
            p + "mlp.down_proj.weight": w(h, inter),
            p + "input_layernorm.weight": np.ones(h, np.float32),
            p + "post_attention_layernorm.weight": np.ones(h, np.float32),
        }
    out["model.norm.weight"] = np.ones(h, np.float32)
    out["lm_head.weight"] = w(vocab, h)
    return out


def _permute(weights: np.ndarray, n_head: int) -> np.ndarray:
    """The row order llama.cpp's converter gives the query and key projections."""
    return (
        weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


def _add_metadata(writer: Any, meta: dict[str, Any]) -> None:
    for key, value in meta.items():
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        else:
            writer.add_string(key, str(value))


def write_gguf(
    path: Path,
    weights: dict[str, np.ndarray],
    *,
    qtype: str = "Q8_0",
    metadata: dict[str, Any] | None = None,
    tokenizer: bool = False,
    float_type: str = "F32",
) -> Path:
    """Convert ``weights`` to a GGUF file at ``path`` (2-D tensors as ``qtype``; 1-D tensors
    as ``float_type``) with ``general.*`` ``metadata`` and an optional tokenizer."""
    import gguf

    path.parent.mkdir(parents=True, exist_ok=True)
    q = gguf.GGMLQuantizationType[qtype]
    writer = gguf.GGUFWriter(str(path), "llama")
    vocab = weights["model.embed_tokens.weight"].shape[0]
    writer.add_context_length(LLAMA["max_position_embeddings"])
    writer.add_embedding_length(LLAMA["hidden_size"])
    writer.add_block_count(LLAMA["num_hidden_layers"])
    writer.add_feed_forward_length(LLAMA["intermediate_size"])
    writer.add_head_count(LLAMA["num_attention_heads"])
    writer.add_head_count_kv(LLAMA["num_key_value_heads"])
    writer.add_rope_dimension_count(LLAMA["hidden_size"] // LLAMA["num_attention_heads"])
    writer.add_rope_freq_base(LLAMA["rope_theta"])
    writer.add_layer_norm_rms_eps(LLAMA["rms_norm_eps"])
    writer.add_vocab_size(vocab)
    file_types = {"F32": 0, "F16": 1, "Q8_0": 7, "Q4_0": 2, "BF16": 32}
    writer.add_file_type(file_types.get(qtype, 1024))
    _add_metadata(writer, metadata or {})
    if tokenizer:
        tokens, merges = tiny_tokenizer()
        assert len(tokens) == vocab, (len(tokens), vocab)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre("llama-bpe")
        writer.add_token_list(tokens)
        writer.add_token_types([3, 3] + [1] * (len(tokens) - 2))
        writer.add_token_merges(merges)
        writer.add_bos_token_id(0)
        writer.add_eos_token_id(1)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, LLAMA["num_hidden_layers"])
    for hf_name, array in weights.items():
        if hf_name.endswith("q_proj.weight"):
            array = _permute(array, LLAMA["num_attention_heads"])
        elif hf_name.endswith("k_proj.weight"):
            array = _permute(array, LLAMA["num_key_value_heads"])
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        assert name is not None, hf_name
        kind = q if array.ndim == 2 else gguf.GGMLQuantizationType[float_type]
        if kind == gguf.GGMLQuantizationType.F64:  # values, which gguf cannot dequantize
            writer.add_tensor(name, array.astype(np.float64))
            continue
        data = gguf.quants.quantize(array, kind)
        if data.dtype == np.uint8:  # quantized blocks: the writer needs the type
            writer.add_tensor(name, data, raw_dtype=kind)
        else:
            writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_safetensors_twin(path: Path, weights: dict[str, np.ndarray]) -> Path:
    """The same weights as a Hugging Face checkpoint (config.json + model.safetensors)."""
    from safetensors.numpy import save_file

    path.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(path / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": weights["model.embed_tokens.weight"].shape[0],
        "tie_word_embeddings": False,
        "bos_token_id": 0,
        "eos_token_id": 1,
        **LLAMA,
    }
    (path / "config.json").write_text(json.dumps(config))
    return path


def tensor_range(path: Path, name: str) -> tuple[int, int]:
    """Where a tensor's bytes lie in a GGUF file (read with the gguf package's reader)."""
    import gguf

    reader = gguf.GGUFReader(str(path))
    t = next(t for t in reader.tensors if t.name == name)
    return int(t.data_offset), int(t.data_offset) + int(t.n_bytes)


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
