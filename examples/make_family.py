"""Write a tiny, offline Llama-style checkpoint family for the quick start.

    python examples/make_family.py DIR

Creates DIR/llama-2-7b (the Meta base, llama2), DIR/acme-chat (a fine-tune of it, with a
NOTICE file and a copy of the license), DIR/acme-chat-q4 (a quantization of the fine-tune)
and DIR/acme-chat-apache (a fine-tune that wrongly claims apache-2.0). Each holds real
safetensors weights (a few KiB), a config.json and a model card.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

NOTICE = (
    "Llama 2 is licensed under the LLAMA 2 Community License, "
    "Copyright (c) Meta Platforms, Inc. All Rights Reserved.\n"
)
# Meta's Llama 2 agreement as its LICENSE file ships it: `check` recognises it by its text.
LICENSE = (Path(__file__).parent / "llama-2-LICENSE.txt").read_text(encoding="utf-8")


def write(path: Path, seed: int, card: dict[str, str], extra: dict[str, str]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tensors = {
        "model.embed_tokens.weight": rng.standard_normal((64, 16), dtype=np.float32),
        "model.layers.0.mlp.up_proj.weight": rng.standard_normal((32, 16), dtype=np.float32),
        "model.norm.weight": np.ones(16, dtype=np.float32),
    }
    save_file(tensors, str(path / "model.safetensors"), metadata={"format": "pt"})
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 16}
    (path / "config.json").write_text(json.dumps(config, indent=2))
    front = "".join(f"{k}: {v}\n" for k, v in card.items())
    (path / "README.md").write_text(f"---\n{front}---\n\n# {path.name}\n")
    for name, text in extra.items():
        (path / name).write_text(text)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "modelreg-demo")
    write(out / "llama-2-7b", 0, {"license": "llama2"}, {"LICENSE.txt": LICENSE})
    write(
        out / "acme-chat",
        1,
        {"license": "llama2", "base_model": "llama-2-7b"},
        {"LICENSE.txt": LICENSE, "NOTICE": NOTICE},
    )
    write(
        out / "acme-chat-q4",
        2,
        {"license": "llama2", "base_model": "acme-chat", "base_model_relation": "quantized"},
        {"LICENSE.txt": LICENSE, "NOTICE": NOTICE},
    )
    write(out / "acme-chat-apache", 3, {"license": "apache-2.0", "base_model": "llama-2-7b"}, {})
    print(out)


if __name__ == "__main__":
    main()
