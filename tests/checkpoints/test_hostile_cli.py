"""Hostile files through the real ``add``: exit 4, one line naming file and defect, no write.

Runs on SQLite and PostgreSQL (the ``cli`` fixture). "Nothing written" is checked on the
tables themselves, not only through ``list``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.db.models import FileInfo, TensorRecord, Variant, VariantFile
from tests.checkpoints.hostile import HOSTILE


def row_counts(catalog: object) -> list[int]:
    """Rows in every table ``add`` writes (all zero after a refusal)."""
    with catalog.session() as s:  # type: ignore[attr-defined]
        return [
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Variant, VariantFile, TensorRecord, FileInfo)
        ]


def test_at_least_fifteen_hostile_cases() -> None:
    assert len(HOSTILE) >= 15


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_refused(case: str, tmp_path: Path, cli: object, catalog: object) -> None:
    build, culprit, defect = HOSTILE[case]
    path = tmp_path / "ck"
    build(path)
    res = cli("add", path, "--name", f"hostile-{case}")  # type: ignore[operator]
    assert res.exit_code == 4, (res.stdout, res.stderr)
    lines = [line for line in res.stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert culprit in lines[0] and defect in lines[0], lines[0]
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stdout == ""
    assert row_counts(catalog) == [0, 0, 0, 0]


def test_dangerous_pickle_refused_even_with_flag(
    tmp_path: Path, cli: object, catalog: object
) -> None:
    """``--allow-pickle`` admits globals outside the safe list, never known-dangerous ones."""
    build, culprit, defect = HOSTILE["pickle-os-system-bin"]
    path = tmp_path / "ck"
    build(path)
    res = cli("add", path, "--name", "risky", "--allow-pickle")  # type: ignore[operator]
    assert res.exit_code == 4, res.stderr
    assert culprit in res.stderr and defect in res.stderr
    assert row_counts(catalog) == [0, 0, 0, 0]


def test_pickle_disguised_as_safetensors_refused_even_when_allowed(
    tmp_path: Path, cli: object
) -> None:
    build, _, defect = HOSTILE["pickle-named-safetensors"]
    build(tmp_path / "ck")
    res = cli("add", tmp_path / "ck", "--name", "x", "--allow-pickle")  # type: ignore[operator]
    assert res.exit_code == 4 and defect in res.stderr
