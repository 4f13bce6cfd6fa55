"""``add`` and ``modelreg provenance`` compare weights end to end (tiers 2 and 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.provenance import transforms as T

# provenance reads the weights of every variant compared, so it runs where the catalog and
# the checkpoints are (a direct database); through a team server `add` skips it with a note
pytestmark = pytest.mark.direct_only

TOKENS = T.tokens_for(256)


def _results(cli: Cli, name: str, *extra: str) -> dict[str, dict]:  # type: ignore[type-arg]
    res = cli("provenance", name, "--format", "json", *extra)
    assert res.exit_code == 0, res.stderr
    return {r["other"]: r for r in res.json()["results"]}  # type: ignore[index]


def test_add_finds_a_rotated_gguf_and_leaves_an_independent_model_alone(
    cli: Cli, tmp_path: Path
) -> None:
    base = T.random_state(0)
    T.save(tmp_path / "base", base, TOKENS)
    T.save(tmp_path / "other", T.random_state(1), TOKENS)
    T.save_gguf(tmp_path / "gguf" / "m.gguf", T.fold_and_rotate(base, 2), TOKENS, "Q8_0", 4, 2)
    assert cli("add", tmp_path / "base", "--name", "base", "--license", "llama2").exit_code == 0
    res = cli("add", tmp_path / "other", "--name", "other", "--license", "apache-2.0")
    assert res.exit_code == 0 and "provenance:" not in res.stderr
    res = cli("add", tmp_path / "gguf", "--name", "relabel", "--license", "apache-2.0")
    assert res.exit_code == 0, res.stderr
    assert "provenance: derived from base (aligned-cosine: median aligned cosine" in res.stderr

    found = _results(cli, "relabel")
    assert found["base"]["verdict"] == "derived"
    method = found["base"]["methods"][0]
    assert method["method"] == "aligned-cosine" and method["statistic"] > 0.9
    assert method["null"]["size"] > 0 and method["null"]["max"] < 0.2
    assert "layers.0.q~layers.0.q" in method["tensors"]
    assert method["seconds"] >= 0
    assert found["other"]["verdict"] == "independent"
    assert [m["method"] for m in found["other"]["methods"]] == ["aligned-cosine", "cka", "zhu"]

    only = _results(cli, "other", "--against", "base")
    assert list(only) == ["base"] and only["base"]["verdict"] == "independent"


def test_table_output_and_unknown_against(cli: Cli, tmp_path: Path) -> None:
    base = T.random_state(3)
    T.save(tmp_path / "base", base, TOKENS)
    T.save(tmp_path / "ft", T.finetune(base, 4, 0.2), TOKENS)
    cli("add", tmp_path / "base", "--name", "base")
    cli("add", tmp_path / "ft", "--name", "ft", "--no-provenance")
    res = cli("provenance", "ft")
    assert res.exit_code == 0, res.stderr
    header, row = res.stdout.splitlines()[:2]
    assert header.split() == ["other", "verdict", "method", "statistic", "evidence"]
    assert row.split()[:3] == ["base", "derived", "aligned-cosine"]
    res = cli("provenance", "ft", "--against", "nobody")
    assert res.exit_code == 2 and "no variant named 'nobody'" in res.stderr


def test_a_damaged_checkpoint_is_one_line_and_exit_4(cli: Cli, tmp_path: Path) -> None:
    base = T.random_state(5)
    T.save(tmp_path / "st", base, TOKENS)
    T.save_gguf(tmp_path / "gg" / "m.gguf", base, TOKENS, "Q8_0", 4, 2)
    cli("add", tmp_path / "st", "--name", "st")
    cli("add", tmp_path / "gg", "--name", "gg", "--no-provenance")
    (tmp_path / "st" / "model.safetensors").write_bytes(b"\xff" * 64)
    res = cli("provenance", "st")
    assert res.exit_code == 4 and res.stderr.startswith("error: model.safetensors:")
    assert "Traceback" not in res.stderr
    (tmp_path / "gg" / "m.gguf").write_bytes(b"GGUF" + b"\x00" * 60)
    res = cli("provenance", "gg")
    assert res.exit_code == 4 and "malformed GGUF file" in res.stderr
