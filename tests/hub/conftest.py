"""Fixtures: the loopback Hub (HF_ENDPOINT pointed at it) with the repositories the tests use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import model_card, write_checkpoint
from tests.hub.fake_hub import FakeHub, FakeRepo, repo_from_dir

LLAMA2_BASE = "meta-llama/Llama-2-7b-hf"
LLAMA3_BASE = "meta-llama/Meta-Llama-3-8B"
FINETUNE = "acme/llama2-chat-ft"
ADAPTER = "acme/llama3-lora"
MERGE = "acme/llama2-merge"
VISION = "acme/llama-vision-ft"
GATED = "meta-llama/Llama-3.2-11B-Vision"
FLAKY = "acme/flaky"
BROKEN = "acme/broken"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    """An empty loopback Hub; modelreg talks to it through HF_ENDPOINT."""
    server = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", server.url)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def finetune_dir(tmp_path: Path) -> Path:
    """The local download of the fine-tune: the very bytes the loopback Hub publishes."""
    return write_checkpoint(
        tmp_path / "download" / "llama2-chat-ft",
        seed=3,
        shards=2,
        card={"license": "llama2", "base_model": LLAMA2_BASE, "pipeline_tag": "text-generation"},
    )


@pytest.fixture
def zoo(hub: FakeHub, finetune_dir: Path, tmp_path: Path) -> FakeHub:
    """The Hub with a Llama 2 base, a fine-tune, an adapter, a merge and misbehaving repos."""
    base_dir = write_checkpoint(
        tmp_path / "src" / "base",
        seed=1,
        card={"license": "llama2", "pipeline_tag": "text-generation"},
    )
    hub.add(repo_from_dir(LLAMA2_BASE, base_dir))
    hub.add(repo_from_dir(FINETUNE, finetune_dir))
    hub.add(
        FakeRepo(
            ADAPTER,
            {
                "README.md": model_card(
                    license="other", license_name="llama3", base_model=LLAMA3_BASE
                ).encode(),
                "adapter_config.json": b'{"peft_type": "LORA", "r": 8}',
                "adapter_model.safetensors": b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ",
            },
            lfs={"adapter_model.safetensors"},
        )
    )
    hub.add(
        FakeRepo(
            MERGE,
            {
                "README.md": model_card(
                    license="llama2",
                    base_model=[LLAMA2_BASE, FINETUNE],
                    base_model_relation="merge",
                ).encode(),
                "config.json": b'{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}',
                "model.safetensors": b"merged weights stand-in",
            },
            lfs={"model.safetensors"},
        )
    )
    hub.add(
        FakeRepo(
            VISION,
            {
                "README.md": model_card(license="llama3.2").encode(),
                "config.json": b'{"architectures": ["MllamaForConditionalGeneration"], '
                b'"model_type": "mllama", "vision_config": {"hidden_size": 8}}',
            },
        )
    )
    hub.add(
        FakeRepo(
            GATED,
            {"README.md": model_card(license="llama3.2").encode(), "model.safetensors": b"w"},
            lfs={"model.safetensors"},
            gated=True,
            card_data={"license": "llama3.2"},
        )
    )
    hub.add(
        FakeRepo(
            FLAKY,
            {"README.md": model_card(license="apache-2.0").encode(), "config.json": b"{}"},
            fail_first=1,
        )
    )
    hub.add(FakeRepo(BROKEN, {}, malformed=b"<html>Bad gateway, try later</html>"))
    return hub
