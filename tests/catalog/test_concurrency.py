"""Two processes writing at once: both succeed, or a name race ends in one clean error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.builders import write_checkpoint
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]


def spawn(db_url: str, *args: str | Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "registry", "--db", db_url, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_two_adds_at_once_both_succeed(db_url: str, tmp_path: Path) -> None:
    a = write_checkpoint(tmp_path / "a", shards=2)
    b = write_checkpoint(tmp_path / "b", seed=1, shards=2)
    procs = [spawn(db_url, "add", a, "--name", "a"), spawn(db_url, "add", b, "--name", "b")]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err
    listed = Cli(db_url)("list", "-f", "json").json()
    assert sorted(v["name"] for v in listed) == ["a", "b"]  # type: ignore[union-attr]


def test_same_name_race_gives_one_success_one_clean_error(db_url: str, tmp_path: Path) -> None:
    a = write_checkpoint(tmp_path / "a")
    b = write_checkpoint(tmp_path / "b", seed=1)
    procs = [spawn(db_url, "add", a, "--name", "same"), spawn(db_url, "add", b, "--name", "same")]
    results = [(p, *p.communicate(timeout=120)) for p in procs]
    codes = sorted(p.returncode for p, _, _ in results)
    assert codes == [0, 2], [(p.returncode, err) for p, _, err in results]
    loser = next(err for p, _, err in results if p.returncode == 2)
    assert "already registered" in loser and "Traceback" not in loser
    listed = Cli(db_url)("show", "same", "-f", "json").json()
    assert len(listed["files"]) == 2  # type: ignore[index]
