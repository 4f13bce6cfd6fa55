"""Token strings of a checkpoint and the embedding rows two vocabularies share.

Token strings come from ``tokenizer.json`` (the ``model.vocab`` of BPE, WordPiece and
WordLevel tokenizers, the piece list of Unigram ones, plus ``added_tokens``) or from a GGUF
file's ``tokenizer.ggml.tokens``. Rows are matched by string, so a vocabulary extended with
new tokens still shares every old row with its base. Without token strings on either side
rows are matched by token id (recorded as such in the evidence).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xxhash

if TYPE_CHECKING:
    import numpy as np

MAX_TOKENIZER_BYTES = 64 * 1024 * 1024
SKETCH_SIZE = 64


def tokens_from_tokenizer_json(path: Path) -> list[str | None] | None:
    """Token strings by id, or None when the file is absent, too large or not understood."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_TOKENIZER_BYTES:
            return None
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    by_id: dict[int, str] = {}
    model = data.get("model") if isinstance(data, dict) else None
    vocab = model.get("vocab") if isinstance(model, dict) else None
    if isinstance(vocab, dict):
        by_id.update((int(i), str(t)) for t, i in vocab.items() if isinstance(i, int))
    elif isinstance(vocab, list):
        by_id.update(
            (i, str(item[0])) for i, item in enumerate(vocab) if isinstance(item, list) and item
        )
    for added in data.get("added_tokens") or [] if isinstance(data, dict) else []:
        if isinstance(added, dict) and isinstance(added.get("id"), int):
            by_id[int(added["id"])] = str(added.get("content"))
    if not by_id or min(by_id) < 0:
        return None
    out: list[str | None] = [None] * (max(by_id) + 1)
    for i, token in by_id.items():
        out[i] = token
    return out


def sketch(tokens: list[str | None] | None) -> list[int]:
    """The ``SKETCH_SIZE`` smallest 63-bit hashes of the token strings (a bottom-k sketch)."""
    if not tokens:
        return []
    hashes = {xxhash.xxh64_intdigest(t.encode("utf-8")) >> 1 for t in tokens if t is not None}
    return sorted(hashes)[:SKETCH_SIZE]


def sketch_overlap(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of two vocabularies from their sketches (1.0 if unknown)."""
    if not a or not b:
        return 1.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def shared_rows(
    tokens_a: list[str | None] | None,
    tokens_b: list[str | None] | None,
    rows_a: int,
    rows_b: int,
    limit: int,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Row indices of up to ``limit`` tokens both embeddings hold, evenly spread, and how
    they were matched (``token strings`` or ``token ids``)."""
    import numpy as np

    if tokens_a and tokens_b:
        index_b = {t: i for i, t in enumerate(tokens_b[:rows_b]) if t is not None}
        pairs = [
            (i, index_b[t])
            for i, t in enumerate(tokens_a[:rows_a])
            if t is not None and t in index_b
        ]
        how = "token strings"
    else:
        pairs = [(i, i) for i in range(min(rows_a, rows_b))]
        how = "token ids (no tokenizer)"
    if len(pairs) > limit:
        pick = np.linspace(0, len(pairs) - 1, limit).round().astype(np.int64)
        pairs = [pairs[int(k)] for k in pick]
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1], how
