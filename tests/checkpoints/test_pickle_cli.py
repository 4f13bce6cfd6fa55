"""Pickle corpus samples through the real ``modelreg add``, on SQLite and PostgreSQL.

A representative subset of the malicious corpus (one per kind of evasion) is refused with
exit 4, one line naming the file and the global or defect, and nothing written; benign
checkpoints register; ``--allow-pickle`` admits a global outside the safe list but never a
dangerous one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from safetensors.numpy import save

from tests.checkpoints import pickle_asm as asm
from tests.checkpoints.hostile import base, tensors
from tests.checkpoints.pickle_benign import benign
from tests.checkpoints.pickle_corpus import Sample, malicious, write_corpus
from tests.checkpoints.test_hostile_cli import row_counts

SUBSET = [
    "os-system-p0", "httplib-py2", "dotted-logging-os", "torch-inductor", "uuid-command",
    "numpy-builtins-getattr", "build-plants-setstate", "operator-methodcaller",
    "functools-partial", "protocol0-long-no-suffix", "stacked-ten", "truncated-pkl",
    "npy-object-array", "npz-object-member", "zip-odd-member-name", "zip-encrypted-member",
    "7z-archive", "tar-member", "gzip-pickle",
]  # fmt: skip
BENIGN_SUBSET = ["torch-legacy-ordereddict", "lightning-paths", "training-args", "numpy-npz"]


def _checkpoint(tmp_path: Path, sample: Sample) -> Path:
    folder = base(tmp_path / "ck")
    (folder / "model.safetensors").write_bytes(save(tensors()))
    write_corpus(tmp_path / "corpus", [sample])
    source = tmp_path / "corpus" / sample.name / sample.filename
    (folder / sample.filename).write_bytes(source.read_bytes())
    return folder


def _by_name(samples: list[Sample]) -> dict[str, Sample]:
    return {s.name: s for s in samples}


@pytest.mark.parametrize("name", SUBSET)
def test_malicious_sample_refused_by_add(
    name: str, tmp_path: Path, cli: Any, catalog: object
) -> None:
    sample = _by_name(malicious())[name]
    res = cli("add", _checkpoint(tmp_path, sample), "--name", f"evil-{name}")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert sample.filename in lines[0] and any(n in lines[0] for n in sample.names), lines[0]
    assert "Traceback" not in res.stderr + res.stdout and res.stdout == ""
    assert row_counts(catalog) == [0, 0, 0, 0]


@pytest.mark.parametrize("name", BENIGN_SUBSET)
def test_benign_checkpoint_registered_by_add(name: str, tmp_path: Path, cli: Any) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    sample = _by_name(benign())[name]
    res = cli("add", _checkpoint(tmp_path, sample), "--name", f"good-{name}", "--format", "json")
    assert res.exit_code == 0, res.stderr
    files = {f["path"]: f for f in res.json()["files"]}
    assert sample.filename in files


def test_allow_pickle_admits_unknown_globals_only(
    tmp_path: Path, cli: Any, catalog: object
) -> None:
    data = asm.pickle_call("mypackage.models", "LlamaConfig", 1)
    sample = Sample("custom-class", "extra_state.pt", False, lambda: data)
    folder = _checkpoint(tmp_path, sample)
    refused = cli("add", folder, "--name", "custom")
    assert refused.exit_code == 4
    assert "extra_state.pt" in refused.stderr
    assert "outside the safe list (mypackage.models.LlamaConfig)" in refused.stderr
    assert "--allow-pickle overrides" in refused.stderr
    assert row_counts(catalog) == [0, 0, 0, 0]
    res = cli("add", folder, "--name", "custom", "--allow-pickle", "--format", "json")
    assert res.exit_code == 0, res.stderr
    details = {f["path"]: f for f in res.json()["files"]}["extra_state.pt"]["details"]
    assert details["unknown"] == ["mypackage.models.LlamaConfig"]
    assert "outside the safe list: mypackage.models.LlamaConfig" in res.stderr
