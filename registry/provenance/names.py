"""Canonical names for the tensors provenance compares, from Hugging Face and GGUF names.

A canonical key is ``embed``, ``lm_head``, ``final_norm`` or ``(layer, part)`` with part in
``q k v o gate up down attn_norm mlp_norm``. Weights are always handled in the Hugging Face
orientation, ``[out, in]``, which is also how GGUF stores them row by row.

llama.cpp's converter permutes the rows of ``attn_q`` and ``attn_k`` within each head (the
rotary halves interleaved); :func:`unpermute_rows` maps Hugging Face rows to their GGUF
rows, so the permutation is undone for exactly the rows that are read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Key = str | tuple[int, str]
LAYER_PARTS = ("q", "k", "v", "o", "gate", "up", "down", "attn_norm", "mlp_norm")

_HF_LAYER = re.compile(
    r"(?:^|\.)layers\.(\d+)\.(?:"
    r"self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj|(input_layernorm|post_attention_layernorm)"
    r")\.weight$"
)
_HF_NORMS = {"input_layernorm": "attn_norm", "post_attention_layernorm": "mlp_norm"}
_GGUF_LAYER = re.compile(
    r"^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down|attn_norm|ffn_norm)"
    r"\.weight$"
)
_GGUF_PARTS = {
    "attn_q": "q",
    "attn_k": "k",
    "attn_v": "v",
    "attn_output": "o",
    "ffn_gate": "gate",
    "ffn_up": "up",
    "ffn_down": "down",
    "attn_norm": "attn_norm",
    "ffn_norm": "mlp_norm",
}
_GGUF_GLOBAL = {
    "token_embd.weight": "embed",
    "output.weight": "lm_head",
    "output_norm.weight": "final_norm",
}


def hf_key(name: str) -> Key | None:
    """The canonical key of a Hugging Face Llama tensor name (any prefix), else None."""
    m = _HF_LAYER.search(name)
    if m:
        part = m.group(2) or m.group(3) or _HF_NORMS[m.group(4)]
        return (int(m.group(1)), part)
    if name.endswith("embed_tokens.weight"):
        return "embed"
    if name.endswith("lm_head.weight"):
        return "lm_head"
    if re.search(r"(?:^|\.)norm\.weight$", name) and ".layers." not in name:
        return "final_norm"
    return None


def gguf_key(name: str) -> Key | None:
    """The canonical key of a GGUF tensor name (``blk.N.attn_q.weight``...), else None."""
    m = _GGUF_LAYER.match(name)
    if m:
        return (int(m.group(1)), _GGUF_PARTS[m.group(2)])
    return _GGUF_GLOBAL.get(name)


def key_text(key: Key) -> str:
    return key if isinstance(key, str) else f"layers.{key[0]}.{key[1]}"


def unpermute_rows(rows: np.ndarray, out_features: int, heads: int) -> np.ndarray:
    """Where each Hugging Face row of a llama.cpp-permuted Q/K weight sits in the file."""
    head_dim = out_features // heads
    half = head_dim // 2
    import numpy as np

    h, rem = np.divmod(rows, head_dim)
    t, j = np.divmod(rem, half)
    return np.asarray(h * head_dim + 2 * j + t, dtype=np.int64)
