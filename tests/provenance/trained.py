"""Tiny Llama models trained on CPU: an honest independent pair and derived children.

Two seeds are trained from scratch on the same local text (docstrings of the Python
standard library, stable for a given Python), byte-level tokens. Children of seed A:
fine-tuning and a LoRA merge on other text, continued pre-training, vocabulary extension
(new rows, then training); int8, GGUF Q8_0/Q4_0, permutation and rotation are applied by
:mod:`tests.provenance.transforms`. Trained state dicts are cached as ``.npz`` under a
directory keyed by a hash of this file, the text and the torch version, so later runs (and
the other xdist worker, which waits on a file lock) load them instead of training.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import inspect
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from tests.provenance import transforms as T

HIDDEN, LAYERS, INTER, HEADS, KV_HEADS = 64, 4, 128, 4, 2
VOCAB = 256  # bytes
EXTRA_TOKENS = 32
SEQ, BATCH = 64, 16
PRETRAIN_STEPS, FINETUNE_STEPS = 300, 120

PRETRAIN_MODULES = ("json", "re", "collections", "functools", "itertools", "pathlib", "typing")
FINETUNE_MODULES = ("argparse", "logging", "subprocess", "email", "http.client")

NAMES = ("seed_a", "seed_b", "finetune", "continued", "lora_merge", "vocab_extension")


def token_strings(extra: int = 0) -> list[str]:
    return [f"<0x{b:02X}>" for b in range(VOCAB)] + [f"<new{i}>" for i in range(extra)]


def _text(modules: tuple[str, ...]) -> bytes:
    parts = []
    for name in modules:
        module = importlib.import_module(name)
        with warnings.catch_warnings():  # deprecated aliases (typing.io) warn when touched
            warnings.simplefilter("ignore")
            docs = [getattr(obj, "__doc__", None) for _, obj in inspect.getmembers(module)]
        parts.extend(d for d in docs if isinstance(d, str) and len(d) > 80)
        parts.append(module.__doc__ or "")
    return "\n\n".join(parts).encode("utf-8")


def cache_key() -> str:
    import torch

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(Path(T.__file__).read_bytes())
    h.update(_text(PRETRAIN_MODULES) + _text(FINETUNE_MODULES))
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


def _model(seed: int, vocab: int = VOCAB):  # type: ignore[no-untyped-def]
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=HIDDEN,
        intermediate_size=INTER,
        num_hidden_layers=LAYERS,
        num_attention_heads=HEADS,
        num_key_value_heads=KV_HEADS,
        max_position_embeddings=SEQ,
        tie_word_embeddings=False,
    )
    return LlamaForCausalLM(config)


def _train(model, data: bytes, steps: int, lr: float, seed: int, params=None) -> None:  # type: ignore[no-untyped-def]
    import torch

    ids = torch.tensor(list(data), dtype=torch.long)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(params if params is not None else model.parameters(), lr=lr)
    model.train()
    for _ in range(steps):
        starts = torch.randint(0, len(ids) - SEQ - 1, (BATCH,), generator=gen)
        batch = torch.stack([ids[s : s + SEQ] for s in starts])
        loss = model(input_ids=batch, labels=batch).loss
        opt.zero_grad()
        loss.backward()
        opt.step()


def _state(model) -> T.State:  # type: ignore[no-untyped-def]
    return {k: v.detach().float().numpy().copy() for k, v in model.state_dict().items()}


def _load(model, state: T.State) -> None:  # type: ignore[no-untyped-def]
    import torch

    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})


def _lora_merge(base: T.State, data: bytes) -> T.State:
    """Rank-4 LoRA on q_proj and v_proj, trained with the base frozen, then merged."""
    import torch

    model = _model(0)
    _load(model, base)
    for p in model.parameters():
        p.requires_grad_(False)
    adapters = []
    for layer in model.model.layers:
        for proj in (layer.self_attn.q_proj, layer.self_attn.v_proj):
            a = torch.nn.Parameter(torch.randn(4, proj.in_features) * 0.01)
            b = torch.nn.Parameter(torch.zeros(proj.out_features, 4))
            proj.register_forward_hook(
                lambda mod, inp, out, a=a, b=b: out + 2.0 * inp[0] @ a.T @ b.T
            )
            adapters.append((proj, a, b))
    _train(model, data, FINETUNE_STEPS, 3e-3, 21, [x for _, a, b in adapters for x in (a, b)])
    with torch.no_grad():
        for proj, a, b in adapters:
            proj.weight += 2.0 * b @ a
    return _state(model)  # the merged weights (hooks only touch the forward pass)


def train_all() -> dict[str, T.State]:
    import torch

    torch.set_num_threads(1)
    pretrain, finetune = _text(PRETRAIN_MODULES), _text(FINETUNE_MODULES)
    out: dict[str, T.State] = {}
    for name, seed in (("seed_a", 0), ("seed_b", 1)):
        model = _model(seed)
        _train(model, pretrain, PRETRAIN_STEPS, 3e-3, seed)
        out[name] = _state(model)
    model = _model(0)
    _load(model, out["seed_a"])
    _train(model, finetune, FINETUNE_STEPS, 1e-3, 11)
    out["finetune"] = _state(model)
    model = _model(0)
    _load(model, out["seed_a"])
    _train(model, pretrain + finetune, PRETRAIN_STEPS, 3e-3, 12)
    out["continued"] = _state(model)
    out["lora_merge"] = _lora_merge(out["seed_a"], finetune)
    model = _model(0, VOCAB + EXTRA_TOKENS)
    _load(model, T.extend_vocab(out["seed_a"], 13, EXTRA_TOKENS))
    _train(model, finetune, FINETUNE_STEPS // 2, 1e-3, 14)
    out["vocab_extension"] = _state(model)
    return out


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def trained_states(cache_root: Path) -> dict[str, T.State]:
    """The trained models, from the cache when this exact training already ran."""
    directory = cache_root / cache_key()
    with _locked(directory):
        files = {n: directory / f"{n}.npz" for n in NAMES}
        if not all(f.exists() for f in files.values()):
            for name, state in train_all().items():
                np.savez(directory / f"{name}.tmp.npz", **state)
                (directory / f"{name}.tmp.npz").replace(files[name])
        return {n: dict(np.load(f)) for n, f in files.items()}


def write_fixture_dirs(states: dict[str, T.State], root: Path) -> dict[str, Path]:
    """Checkpoint directories: the two seeds and every derived child of seed A."""
    tokens = token_strings()
    a = states["seed_a"]
    out: dict[str, Path] = {}
    for name in ("seed_a", "seed_b", "finetune", "continued", "lora_merge"):
        out[name] = T.save(root / name, states[name], tokens, HEADS, KV_HEADS)
    out["vocab_extension"] = T.save(
        root / "vocab_extension",
        states["vocab_extension"],
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
