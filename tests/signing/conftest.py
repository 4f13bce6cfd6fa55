"""A registered tiny checkpoint and the keys the signing tests use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.signing import pki


@dataclass
class Signed:
    model: Path
    private: Path
    public: Path
    chain: pki.Chain
    leaf_key: Path
    leaf: Path
    intermediates: Path
    root: Path


@pytest.fixture
def material(tmp_path: Path) -> Signed:
    keys = tmp_path / "keys"
    keys.mkdir()
    key = pki.new_key()
    chain = pki.make_chain()
    model = write_checkpoint(tmp_path / "model", card={"license": "llama2"})
    (model / ".gitattributes").write_text("*.safetensors filter=lfs\n")
    (model / "tokenizer").mkdir()
    (model / "tokenizer" / "vocab.txt").write_text("a\nb\n")
    return Signed(
        model=model,
        private=pki.write_private(key, keys / "key.pem"),
        public=pki.write_public(key, keys / "key.pub"),
        chain=chain,
        leaf_key=pki.write_private(chain.leaf_key, keys / "leaf.key"),
        leaf=pki.write_certs(keys / "leaf.pem", chain.leaf),
        intermediates=pki.write_certs(keys / "chain.pem", chain.intermediate, chain.root),
        root=pki.write_certs(keys / "root.pem", chain.root),
    )


@pytest.fixture
def registered(cli: Cli, material: Signed) -> Signed:
    assert cli("add", material.model, "--name", "m").exit_code == 0
    return material
