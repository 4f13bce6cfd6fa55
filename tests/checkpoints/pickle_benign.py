"""Benign checkpoints for the pickle corpus, made with the real torch, numpy and transformers.

What real training code writes: ``torch.save`` state dicts (zip and legacy formats, with and
without ``OrderedDict``, protocols 2-5), a Lightning-style checkpoint with ``pathlib`` paths
in its hyper-parameters, a fairseq-style ``argparse.Namespace``, optimizer, scheduler and RNG
states, numeric ``.npy`` / ``.npz`` arrays, plain-data pickles of every protocol, and a
``training_args.bin`` from the real ``TrainingArguments``. None of them may be refused.
"""

from __future__ import annotations

import argparse
import io
import pathlib
import pickle
import random
from collections import OrderedDict
from typing import Any

import numpy as np

from tests.checkpoints.pickle_corpus import Sample


def _torch_bytes(obj: Any, *, legacy: bool = False, protocol: int = 2) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy, pickle_protocol=protocol)
    return buf.getvalue()


def _state_dict(ordered: bool = True) -> dict[str, Any]:
    import torch

    gen = torch.Generator().manual_seed(0)
    items = {
        "model.embed_tokens.weight": torch.randn(16, 8, generator=gen),
        "model.layers.0.mlp.up_proj.weight": torch.randn(8, 8, generator=gen).to(torch.bfloat16),
        "model.layers.0.input_layernorm.weight": torch.ones(8, dtype=torch.float16),
        "quant.scales": torch.arange(4, dtype=torch.int8),
    }
    return OrderedDict(items) if ordered else dict(items)


def _lightning() -> dict[str, Any]:
    import torch

    param = torch.nn.Parameter(torch.ones(4))
    optimizer = torch.optim.AdamW([param], lr=1e-3)
    param.grad = torch.ones(4)
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    return {
        "epoch": 3,
        "global_step": 120,
        "pytorch-lightning_version": "2.4.0",
        "state_dict": _state_dict(),
        "loops": {"fit_loop": {"state_dict": {}, "epoch_progress": {"total": {"ready": 3}}}},
        "callbacks": {"ModelCheckpoint{'monitor': 'val_loss'}": {"best_model_path": "/ck/x"}},
        "optimizer_states": [optimizer.state_dict()],
        "lr_schedulers": [scheduler.state_dict()],
        "hparams_name": "kwargs",
        "hyper_parameters": {
            "data_dir": pathlib.PosixPath("/data/corpus"),
            "tokenizer_path": pathlib.PurePosixPath("tokenizer/llama"),
            "lr": 1e-3,
            "betas": (0.9, 0.95),
        },
    }


def _rng_state() -> dict[str, Any]:
    import torch

    return {
        "python": random.Random(0).getstate(),
        "numpy": np.random.RandomState(0).get_state(),
        "cpu": torch.get_rng_state(),
    }


def _storage_like_opcodes() -> dict[str, Any]:
    """Weights whose raw storage starts with bytes that are pickle opcodes (EXT1, PROTO):
    real storages hold any bytes, and torch.load never unpickles them."""
    import torch

    return {"w": torch.tensor([0x82, 0x00, 0x80, 0x02, 0x63, 0x0A] * 8, dtype=torch.uint8)}


def _training_args() -> bytes:
    from transformers import TrainingArguments

    args = TrainingArguments(output_dir="/tmp/modelreg-corpus-out", report_to=[], use_cpu=True)
    return _torch_bytes(args)


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def _npz(compressed: bool) -> bytes:
    buf = io.BytesIO()
    save = np.savez_compressed if compressed else np.savez
    save(buf, weight=np.ones((4, 4), dtype=np.float32), bias=np.zeros(4, dtype=np.float16))
    return buf.getvalue()


def _fairseq() -> dict[str, Any]:
    ns = argparse.Namespace(arch="transformer_lm", lr=[0.0005], save_dir="checkpoints")
    return {"args": ns, "model": _state_dict(), "extra_state": {"epoch": 2}}


def _benign(name: str, filename: str, build: Any) -> Sample:
    return Sample(name, filename, False, build)


def benign() -> list[Sample]:
    plain = {"vocab": ["<s>", "</s>"], "sizes": [1, 2, 3], "scale": 0.5, "ok": True, "n": None}
    samples = [
        _benign("torch-zip-ordereddict", "pytorch_model.bin", lambda: _torch_bytes(_state_dict())),
        _benign("torch-zip-dict", "model.pt", lambda: _torch_bytes(_state_dict(False))),
        _benign(
            "torch-legacy-ordereddict",
            "pytorch_model.bin",
            lambda: _torch_bytes(_state_dict(), legacy=True),
        ),  # fmt: skip
        _benign(
            "torch-legacy-dict", "model.pth", lambda: _torch_bytes(_state_dict(False), legacy=True)
        ),
        _benign("torch-zip-protocol5", "model.pt", lambda: _torch_bytes(_state_dict(), protocol=5)),
        _benign("lightning-paths", "last.ckpt", lambda: _torch_bytes(_lightning())),
        _benign(
            "lightning-paths-legacy", "epoch3.ckpt", lambda: _torch_bytes(_lightning(), legacy=True)
        ),
        _benign(
            "lightning-paths-protocol4", "best.ckpt", lambda: _torch_bytes(_lightning(), protocol=4)
        ),
        _benign("fairseq-namespace", "checkpoint_best.pt", lambda: _torch_bytes(_fairseq())),
        _benign("rng-state", "rng_state.pth", lambda: _torch_bytes(_rng_state())),
        _benign(
            "torch-storage-opcode-bytes", "odd.pt", lambda: _torch_bytes(_storage_like_opcodes())
        ),
        _benign("training-args", "training_args.bin", _training_args),
        _benign("numpy-npy", "embeddings.npy", lambda: _npy(np.arange(12, dtype=np.float32))),
        _benign("numpy-npz", "arrays.npz", lambda: _npz(False)),
        _benign("numpy-npz-compressed", "arrays-c.npz", lambda: _npz(True)),
    ]
    for protocol in range(6):
        data = pickle.dumps(plain, protocol=protocol)
        samples.append(_benign(f"plain-pickle-p{protocol}", "meta.pkl", lambda d=data: d))
    return samples
