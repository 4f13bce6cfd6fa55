"""Checkpoints built once per session; tests copy the ones they change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.smoke import builders


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``plain`` (no tokenizer), ``tok`` (with tokenizer), ``lora`` (adapter of plain),
    ``large`` (a wider model, for memory-fit tests)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    root = tmp_path_factory.mktemp("ckpt")
    plain = builders.write_llama(root / "plain", seed=0)
    tok = builders.write_tokenizer(builders.write_llama(root / "tok", seed=1))
    lora = builders.write_lora(root / "lora", plain)
    large = builders.write_llama(root / "large", seed=2, **builders.LARGE)
    return {"plain": plain, "tok": tok, "lora": lora, "large": large}


@pytest.fixture
def copy_ckpt(checkpoints: dict[str, Path], tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a session checkpoint into this test's directory (to change it)."""

    def copy(kind: str, name: str | None = None) -> Path:
        dest = tmp_path / (name or kind)
        shutil.copytree(checkpoints[kind], dest)
        return dest

    return copy
