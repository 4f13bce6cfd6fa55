"""What real derivatives do to weights, in numpy, on Hugging Face Llama state dicts.

Each function takes ``{name: float32 array}`` and returns a new one; :func:`save` writes a
checkpoint directory (safetensors, ``config.json``, a word-level ``tokenizer.json``) and
:func:`save_gguf` a GGUF file the way llama.cpp's converter lays it out (Q/K rows permuted,
``blk.N.*`` names, quantized with the ``gguf`` package).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

State = dict[str, np.ndarray]
L = "model.layers.{}."


def config_of(state: State, heads: int, kv_heads: int) -> dict[str, object]:
    hidden = state["model.embed_tokens.weight"].shape[1]
    layers = len({k.split(".")[2] for k in state if k.startswith("model.layers.")})
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": int(hidden),
        "intermediate_size": int(state[L.format(0) + "mlp.up_proj.weight"].shape[0]),
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "num_key_value_heads": kv_heads,
        "vocab_size": int(state["model.embed_tokens.weight"].shape[0]),
        "tie_word_embeddings": False,
    }


def random_state(
    seed: int, hidden: int = 64, layers: int = 4, inter: int = 128, vocab: int = 256, kv: int = 32
) -> State:
    """An untrained Llama-shaped state dict (norms random around 1, so folding matters)."""
    rng = np.random.default_rng(seed)

    def w(out: int, inp: int) -> np.ndarray:
        return (rng.standard_normal((out, inp)) / np.sqrt(inp)).astype(np.float32)

    def norm() -> np.ndarray:
        return (1.0 + 0.3 * rng.standard_normal(hidden)).astype(np.float32)

    state = {"model.embed_tokens.weight": w(vocab, hidden), "lm_head.weight": w(vocab, hidden)}
    state["model.norm.weight"] = norm()
    for i in range(layers):
        p = L.format(i)
        state |= {
            p + "self_attn.q_proj.weight": w(hidden, hidden),
            p + "self_attn.k_proj.weight": w(kv, hidden),
            p + "self_attn.v_proj.weight": w(kv, hidden),
            p + "self_attn.o_proj.weight": w(hidden, hidden),
            p + "mlp.gate_proj.weight": w(inter, hidden),
            p + "mlp.up_proj.weight": w(inter, hidden),
            p + "mlp.down_proj.weight": w(hidden, inter),
            p + "input_layernorm.weight": norm(),
            p + "post_attention_layernorm.weight": norm(),
        }
    return state


def layer_count(state: State) -> int:
    return len({k.split(".")[2] for k in state if k.startswith("model.layers.")})


def finetune(state: State, seed: int, scale: float) -> State:
    """Every weight moved by noise of ``scale`` times its own spread (a fine-tune's drift)."""
    rng = np.random.default_rng(seed)
    return {
        k: (v + scale * float(v.std() or 1.0) * rng.standard_normal(v.shape)).astype(np.float32)
        for k, v in state.items()
    }


def fold_and_rotate(state: State, seed: int) -> State:
    """Fold every RMSNorm weight into the next linear layers, then rotate the residual
    stream by a random orthogonal matrix (what QuaRot/SpinQuant-style quantizers do)."""
    hidden = state["model.embed_tokens.weight"].shape[1]
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((hidden, hidden)))
    r = q.astype(np.float32)
    out = dict(state)
    out["model.embed_tokens.weight"] = state["model.embed_tokens.weight"] @ r
    out["lm_head.weight"] = (state["lm_head.weight"] * state["model.norm.weight"]) @ r
    out["model.norm.weight"] = np.ones(hidden, dtype=np.float32)
    for i in range(layer_count(state)):
        p = L.format(i)
        for name, norm in (
            ("self_attn.q_proj", "input_layernorm"),
            ("self_attn.k_proj", "input_layernorm"),
            ("self_attn.v_proj", "input_layernorm"),
            ("mlp.gate_proj", "post_attention_layernorm"),
            ("mlp.up_proj", "post_attention_layernorm"),
        ):
            out[p + name + ".weight"] = (
                state[p + name + ".weight"] * state[p + norm + ".weight"]
            ) @ r
        for name in ("self_attn.o_proj", "mlp.down_proj"):
            out[p + name + ".weight"] = r.T @ state[p + name + ".weight"]
        out[p + "input_layernorm.weight"] = np.ones(hidden, dtype=np.float32)
        out[p + "post_attention_layernorm.weight"] = np.ones(hidden, dtype=np.float32)
    return out


def permute_units(state: State, seed: int, heads: int, kv_heads: int) -> State:
    """Function-preserving permutations: the residual stream (with sign flips), the
    attention heads (by key/value group) and the MLP units of every layer."""
    rng = np.random.default_rng(seed)
    hidden = state["model.embed_tokens.weight"].shape[1]
    perm = rng.permutation(hidden)
    sign = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), hidden)

    def res_in(w: np.ndarray) -> np.ndarray:  # weights reading the residual: columns
        return (w * sign[None, :])[:, perm]

    out: State = {}
    out["model.embed_tokens.weight"] = res_in(state["model.embed_tokens.weight"])
    out["lm_head.weight"] = res_in(state["lm_head.weight"])
    out["model.norm.weight"] = state["model.norm.weight"][perm]
    head_dim = hidden // heads
    group = heads // kv_heads
    for i in range(layer_count(state)):
        p = L.format(i)
        kv_order = rng.permutation(kv_heads)
        head_order = np.concatenate([np.arange(g * group, (g + 1) * group) for g in kv_order])
        q_rows = np.concatenate([np.arange(h * head_dim, (h + 1) * head_dim) for h in head_order])
        kv_rows = np.concatenate([np.arange(g * head_dim, (g + 1) * head_dim) for g in kv_order])
        mlp = rng.permutation(state[p + "mlp.up_proj.weight"].shape[0])
        out[p + "self_attn.q_proj.weight"] = res_in(state[p + "self_attn.q_proj.weight"])[q_rows]
        out[p + "self_attn.k_proj.weight"] = res_in(state[p + "self_attn.k_proj.weight"])[kv_rows]
        out[p + "self_attn.v_proj.weight"] = res_in(state[p + "self_attn.v_proj.weight"])[kv_rows]
        o = state[p + "self_attn.o_proj.weight"][:, q_rows]
        out[p + "self_attn.o_proj.weight"] = (o * sign[:, None])[perm]
        out[p + "mlp.gate_proj.weight"] = res_in(state[p + "mlp.gate_proj.weight"])[mlp]
        out[p + "mlp.up_proj.weight"] = res_in(state[p + "mlp.up_proj.weight"])[mlp]
        down = state[p + "mlp.down_proj.weight"][:, mlp]
        out[p + "mlp.down_proj.weight"] = (down * sign[:, None])[perm]
        for norm in ("input_layernorm", "post_attention_layernorm"):
            out[p + norm + ".weight"] = state[p + norm + ".weight"][perm]
    return out


def extend_vocab(state: State, seed: int, extra: int) -> State:
    """New tokens appended to the embedding and the output head (rows drawn like the mean)."""
    rng = np.random.default_rng(seed)
    out = dict(state)
    for name in ("model.embed_tokens.weight", "lm_head.weight"):
        w = state[name]
        new = w.mean(axis=0) + w.std() * rng.standard_normal((extra, w.shape[1]))
        out[name] = np.concatenate([w, new.astype(np.float32)])
    return out


def drop_layers(state: State, drop: list[int]) -> State:
    """Remove whole decoder layers and renumber the rest."""
    keep = [i for i in range(layer_count(state)) if i not in drop]
    out = {k: v for k, v in state.items() if not k.startswith("model.layers.")}
    for new, old in enumerate(keep):
        prefix = L.format(old)
        for k, v in state.items():
            if k.startswith(prefix):
                out[L.format(new) + k[len(prefix) :]] = v
    return out


def int8_tensors(state: State) -> dict[str, np.ndarray]:
    """Per-row absmax int8 of every 2-D weight (``.weight`` I8 + ``.weight_scale`` F32)."""
    out: dict[str, np.ndarray] = {}
    for k, v in state.items():
        if v.ndim == 2 and k != "model.embed_tokens.weight":
            scale = np.maximum(np.abs(v).max(axis=1), 1e-12) / 127.0
            out[k] = np.clip(np.round(v / scale[:, None]), -127, 127).astype(np.int8)
            out[k[: -len("weight")] + "weight_scale"] = scale.astype(np.float32)
        else:
            out[k] = v
    return out


def tokens_for(vocab: int, extra: int = 0) -> list[str]:
    base = [f"tok{i}" for i in range(vocab)]
    return base + [f"new{i}" for i in range(extra)]


def write_tokenizer(path: Path, tokens: list[str]) -> None:
    data = {
        "version": "1.0",
        "model": {
            "type": "WordLevel",
            "vocab": {t: i for i, t in enumerate(tokens)},
            "unk_token": tokens[0],
        },
        "added_tokens": [],
    }
    path.write_text(json.dumps(data))


def save(
    path: Path,
    state: dict[str, np.ndarray],
    tokens: list[str] | None,
    heads: int = 4,
    kv_heads: int = 2,
) -> Path:
    """A checkpoint directory: model.safetensors, config.json and tokenizer.json."""
    path.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: np.ascontiguousarray(v) for k, v in state.items()}, str(path / "model.safetensors")
    )
    if state[L.format(0) + "mlp.up_proj.weight"].dtype == np.float32:
        (path / "config.json").write_text(json.dumps(config_of(state, heads, kv_heads)))
    if tokens is not None:
        write_tokenizer(path / "tokenizer.json", tokens)
    return path


_GGUF_NAMES = {
    "self_attn.q_proj": "attn_q",
    "self_attn.k_proj": "attn_k",
    "self_attn.v_proj": "attn_v",
    "self_attn.o_proj": "attn_output",
    "mlp.gate_proj": "ffn_gate",
    "mlp.up_proj": "ffn_up",
    "mlp.down_proj": "ffn_down",
    "input_layernorm": "attn_norm",
    "post_attention_layernorm": "ffn_norm",
}


def _llama_cpp_permute(w: np.ndarray, heads: int) -> np.ndarray:
    """convert_hf_to_gguf.py's ``LlamaModel.permute`` of Q/K rows."""
    return (
        w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)
    )


def save_gguf(
    path: Path, state: State, tokens: list[str], qtype: str, heads: int, kv_heads: int
) -> Path:
    """A llama.cpp-style GGUF file: Q/K permuted, 2-D weights quantized as ``qtype``."""
    import gguf
    from gguf import quants

    kind = getattr(gguf.GGMLQuantizationType, qtype)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_token_list(tokens)
    for name, value in state.items():
        m = re.match(r"model\.layers\.(\d+)\.(.+)\.weight$", name)
        if m:
            target = f"blk.{m.group(1)}.{_GGUF_NAMES[m.group(2)]}.weight"
            if m.group(2) == "self_attn.q_proj":
                value = _llama_cpp_permute(value, heads)
            elif m.group(2) == "self_attn.k_proj":
                value = _llama_cpp_permute(value, kv_heads)
        else:
            target = {
                "model.embed_tokens.weight": "token_embd.weight",
                "lm_head.weight": "output.weight",
                "model.norm.weight": "output_norm.weight",
            }[name]
        if value.ndim == 2 and value.shape[1] % 32 == 0:
            q = quants.quantize(value, kind)
            writer.add_tensor(target, q, raw_shape=q.shape, raw_dtype=kind)
        else:
            writer.add_tensor(target, value)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
