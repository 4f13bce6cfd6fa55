"""Provenance runs on the plain DBAPI: the check ``add`` runs imports no SQLAlchemy, and a
write that loses to a concurrent writer is the operational error that says to run it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from registry.compliance.store import RawDB
from registry.errors import DatabaseError, OperationalError
from tests.conftest import Cli
from tests.provenance.builders import checkpoint, f16

pytestmark = pytest.mark.direct_only  # provenance runs where the catalog and weights are

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
from registry.audit.actor import Actor
from registry.config import load_settings
from registry.provenance.service import run_provenance
from registry.store.connections import SettingsConnections

conns = SettingsConnections(load_settings(database_url=sys.argv[1]))
try:
    found = run_provenance(conns, Actor("probe"), "child", on_add=True)
finally:
    conns.close()
print(json.dumps({
    "sqlalchemy": "sqlalchemy" in sys.modules,
    "found": [[r.other, r.verdict, r.method] for r in found],
}))
"""


def test_provenance_imports_no_sqlalchemy_and_stores_its_results(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    w = np.random.default_rng(1).standard_normal((1024, 1024), dtype=np.float32) * 0.02
    assert cli("add", checkpoint(tmp_path / "base", {"w": f16(w)}), "--name", "base").exit_code == 0
    child = checkpoint(tmp_path / "child", {"w": f16(w)})
    assert cli("add", child, "--name", "child", "--no-provenance").exit_code == 0
    run = subprocess.run(
        [sys.executable, "-c", PROBE, db_url],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out == {"sqlalchemy": False, "found": [["base", "derived", "exact-reuse"]]}
    detected = cli("tree", "child", "--format", "json").json()["detected"]  # type: ignore[index]
    assert [(d["name"], d["verdict"]) for d in detected] == [("base", "derived")]
    trail = cli("audit", "list", "--format", "json").json()
    recorded = [e for e in trail if e["action"] == "provenance.record"]  # type: ignore[union-attr]
    assert [(e["actor"], e["target"], e["after"]) for e in recorded] == [
        ("probe", "child", {"base": "derived"})
    ]
    assert cli("audit", "verify").exit_code == 0  # the raw append kept the chain whole


def test_a_constraint_broken_by_a_concurrent_writer_is_the_callers_error(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    w = np.random.default_rng(2).standard_normal((8, 8), dtype=np.float32)
    assert cli("add", checkpoint(tmp_path / "a", {"w": f16(w)}), "--name", "a").exit_code == 0
    insert = (
        "INSERT INTO provenance_profiles (variant_id, hidden_size, layers, vocab_size, "
        "vocab_sketch) VALUES (?, 8, 1, 0, ?)"
    )
    db = RawDB(db_url)
    try:
        (vid,) = db.rows("SELECT id FROM variants WHERE name = 'a'")[0]
        db.execute("DELETE FROM provenance_profiles WHERE variant_id = ?", (vid,))
        db.execute(insert, (vid, db.json_param([])))
        db.commit()
        lost = OperationalError("another process got there first")
        with pytest.raises(OperationalError) as raised, db.conflicts_raise(lost):
            db.execute(insert, (vid, db.json_param([])))
        assert raised.value is lost
        db.rollback()
        with pytest.raises(OperationalError) as raised, db.conflicts_raise(lost):
            db.execute(insert, (vid + 1000, db.json_param([])))  # no such variant
        assert raised.value is lost
        db.rollback()
        with pytest.raises(DatabaseError):  # outside, the plain database error
            db.execute(insert, (vid, db.json_param([])))
        db.rollback()
    finally:
        db.close()
