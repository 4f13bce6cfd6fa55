"""Trained fixtures for provenance: trained once, cached between runs (see ``trained.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.provenance import transforms as T


@pytest.fixture(scope="session")
def trained_states(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, T.State]:
    """Under the pytest cache (kept between runs); without it (``-p no:cacheprovider``) in
    this session's temporary directory, trained afresh."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.provenance.trained import trained_states as load

    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return load(Path(cache.mkdir("provenance-fixtures")))
    return load(tmp_path_factory.getbasetemp() / "provenance-fixtures")


@pytest.fixture(scope="session")
def trained_dirs(
    trained_states: dict[str, T.State], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Checkpoint directories: the two seeds and every derived child of seed A."""
    from tests.provenance.trained import EXTRA_TOKENS, HEADS, KV_HEADS, token_strings

    root = tmp_path_factory.mktemp("trained")
    tokens = token_strings()
    a = trained_states["seed_a"]
    out: dict[str, Path] = {}
    for name in ("seed_a", "seed_b", "finetune", "continued", "lora_merge"):
        out[name] = T.save(root / name, trained_states[name], tokens, HEADS, KV_HEADS)
    out["vocab_extension"] = T.save(
        root / "vocab_extension",
        trained_states["vocab_extension"],
        token_strings(EXTRA_TOKENS),
        HEADS,
        KV_HEADS,
    )
    out["int8"] = T.save(root / "int8", T.int8_tensors(a), tokens, HEADS, KV_HEADS)
    out["permutation"] = T.save(
        root / "permutation", T.permute_units(a, 1, HEADS, KV_HEADS), tokens, HEADS, KV_HEADS
    )
    out["rotation"] = T.save(root / "rotation", T.fold_and_rotate(a, 2), tokens, HEADS, KV_HEADS)
    for qtype in ("Q8_0", "Q4_0"):
        gguf = T.save_gguf(root / f"gguf_{qtype}" / "model.gguf", a, tokens, qtype, HEADS, KV_HEADS)
        out[f"gguf_{qtype}"] = gguf.parent
    return out
