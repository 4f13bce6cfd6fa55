"""Crafted GGUF files through the real ``add``: exit 4, one line naming file and defect,
nothing written, on SQLite and PostgreSQL (the pattern of ``test_hostile_cli``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.checkpoints.gguf_hostile import HOSTILE_GGUF, NAME, good
from tests.checkpoints.test_hostile_cli import row_counts


def test_at_least_twelve_crafted_ggufs() -> None:
    assert len(HOSTILE_GGUF) >= 12


@pytest.mark.parametrize("case", sorted(HOSTILE_GGUF))
def test_crafted_gguf_refused(case: str, tmp_path: Path, cli: Any, catalog: Any) -> None:
    build, defect = HOSTILE_GGUF[case]
    build(tmp_path / "ck")
    res = cli("add", tmp_path / "ck", "--name", f"hostile-{case}")
    assert res.exit_code == 4, (res.stdout, res.stderr)
    assert res.stderr.count("\n") == 1 and res.stderr.startswith(f"error: {NAME}: "), res.stderr
    assert defect in res.stderr, res.stderr
    assert "Traceback" not in res.stderr + res.stdout and res.stdout == ""
    assert row_counts(catalog) == [0, 0, 0, 0]


def test_the_valid_base_of_the_crafted_files_registers(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / NAME).write_bytes(good())
    res = cli("add", tmp_path / "ck", "--name", "good", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["license"] == "llama3.1" and data["architecture"] == "llama"
    assert data["parameter_count"] == 32 + 64
