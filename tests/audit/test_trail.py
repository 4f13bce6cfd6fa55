"""Every write leaves a hash-chained audit event; tampering is refused or detected."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from registry.audit.actor import os_user_name
from registry.audit.chain import GENESIS_HASH, event_hash
from tests.audit.conftest import plain_execute, tamper
from tests.builders import write_checkpoint
from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]
# On a direct database: the actor is the OS user, and tampering goes to the file or server
# itself. The same trail through the team server is tested in tests/server/.
pytestmark = pytest.mark.direct_only


def events(cli: Cli, *args: str) -> list[dict[str, Any]]:
    res = cli("audit", "list", "--format", "json", *args)
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert isinstance(doc, list)
    return doc


def populate(cli: Cli, tmp_path: Path) -> None:
    base = write_checkpoint(tmp_path / "base")
    ft = write_checkpoint(tmp_path / "ft", seed=1)
    steps = [
        ("add", base, "--name", "base", "--license", "llama3"),
        ("add", ft, "--name", "acme/ft"),
        ("link", "acme/ft", "base:finetune"),
        ("org", "add", "holding", "--country", "US"),
        ("org", "add", "acme", "--country", "US", "--parent", "holding"),
        ("org", "mau", "acme", "--month", "2024-03", "--users", "100"),
        ("org", "mau", "acme", "--month", "2024-03", "--users", "250"),
        ("org", "grant", "acme", "--license", "llama3", "--ref", "META-1"),
        ("org", "set", "acme", "--country", "IE"),
        ("deploy", "add", "bot", "--model", "acme/ft", "--org", "acme", "--use", "internal"),
        ("check", "--deployment", "bot"),
        ("verify", "base"),
        ("deploy", "rm", "bot"),
        ("admin", "user", "add", "alice", "--role", "admin"),
        ("admin", "token", "create", "alice"),
        ("admin", "token", "revoke", "1"),
        ("rm", "acme/ft"),
    ]
    for args in steps:
        res = cli(*args)
        assert res.exit_code in (0, 1, 3), (args, res.stderr)


def test_every_write_is_audited_with_its_actor(cli: Cli, tmp_path: Path) -> None:
    populate(cli, tmp_path)
    trail = events(cli)
    assert [e["action"] for e in trail] == [
        "variant.add",
        "variant.add",
        "provenance.record",  # add compared acme/ft's weights with base's
        "variant.link",
        "org.add",
        "org.add",
        "org.mau.set",
        "org.mau.set",
        "grant.add",
        "org.set",
        "deployment.add",
        "check.run",
        "verify.record",
        "deployment.rm",
        "user.add",
        "role.add",
        "token.create",
        "token.revoke",
        "variant.rm",
    ]
    assert [e["seq"] for e in trail] == list(range(1, len(trail) + 1))
    assert {(e["actor"], e["actor_kind"]) for e in trail} == {(os_user_name(), "os")}
    mau = [e for e in trail if e["action"] == "org.mau.set"]
    assert mau[0]["before"] is None and mau[0]["after"] == {"month": "2024-03", "users": 100}
    assert mau[1]["before"] == {"month": "2024-03", "users": 100}
    assert mau[1]["after"] == {"month": "2024-03", "users": 250}
    removed = trail[-1]
    assert removed["target"] == "acme/ft" and removed["before"]["parents"] == [
        {"name": "base", "relation": "finetune"}
    ]
    # filters
    assert [e["action"] for e in events(cli, "--action", "org.")] == [
        "org.add",
        "org.add",
        "org.mau.set",
        "org.mau.set",
        "org.set",
    ]
    assert len(events(cli, "--target", "acme", "--action", "org.mau.set")) == 2
    assert events(cli, "--actor", "nobody") == []
    assert events(cli, "--since", "2999-01-01") == []
    assert len(events(cli, "--limit", "3")) == 3
    table = cli("audit", "list", "--action", "grant.add")
    assert "grant.add" in table.stdout and "META-1" in table.stdout
    bad = cli("audit", "list", "--since", "yesterday")
    assert bad.exit_code == 2 and "ISO" in bad.stderr


def test_a_failed_write_leaves_no_event(cli: Cli) -> None:
    assert cli("org", "add", "acme").exit_code == 0
    before = len(events(cli))
    res = cli("org", "mau", "acme", "--month", "2024-13", "--users", "5")
    assert res.exit_code == 2
    res = cli("deploy", "add", "d", "--model", "ghost", "--org", "acme", "--use", "internal")
    assert res.exit_code == 2
    assert len(events(cli)) == before


def test_verify_detects_an_edited_row_and_a_truncated_tail(cli: Cli, tmp_path: Path) -> None:
    populate(cli, tmp_path)
    ok = cli("audit", "verify")
    assert ok.exit_code == 0, ok.stderr
    head = ok.stdout.split()[-1]
    assert len(head) == 64 and "19 events" in ok.stdout
    assert cli("audit", "verify", "--expect-head", head).exit_code == 0

    # the newest two events removed: still a valid chain, but the noted head is gone
    tamper(cli.db_url or "", "DELETE FROM audit_events WHERE seq > 16")
    assert cli("audit", "verify").exit_code == 0
    gone = cli("audit", "verify", "--expect-head", head)
    assert gone.exit_code == 1 and "not in the trail" in gone.stderr

    # a MAU record rewritten in the trail
    tamper(
        cli.db_url or "",
        "UPDATE audit_events SET after = ? WHERE seq = 8",
        (json.dumps({"month": "2024-03", "users": 1}),),
    )
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert "event #8" in broken.stderr and "changed" in broken.stderr
    doc = json.loads(cli("audit", "verify", "--format", "json").stdout)
    assert doc["ok"] is False and doc["broken_seq"] == 8


def test_verify_detects_a_deleted_row_in_the_middle(cli: Cli, tmp_path: Path) -> None:
    populate(cli, tmp_path)
    tamper(cli.db_url or "", "DELETE FROM audit_events WHERE seq = 5")
    res = cli("audit", "verify")
    assert res.exit_code == 1 and "#5 is missing" in res.stderr


def test_updates_and_deletes_are_refused(cli: Cli, db_url: str) -> None:
    assert cli("org", "add", "acme").exit_code == 0
    for sql in (
        "UPDATE audit_events SET actor = 'mallory'",
        "DELETE FROM audit_events",
    ):
        with pytest.raises(Exception, match="append-only"):
            plain_execute(db_url, sql)
    if not db_url.startswith("sqlite"):
        with pytest.raises(Exception, match="append-only"):
            plain_execute(db_url, "TRUNCATE audit_events")
    assert cli("audit", "verify").exit_code == 0
    assert events(cli)[0]["actor"] == os_user_name()


def test_export_is_verifiable_with_the_chain_module_alone(cli: Cli, tmp_path: Path) -> None:
    populate(cli, tmp_path)
    out = tmp_path / "trail.jsonl"
    res = cli("audit", "export", "--format", "jsonl", "-o", out)
    assert res.exit_code == 0, res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 19
    prev = GENESIS_HASH
    for line in lines:
        e = json.loads(line)
        assert e["prev_hash"] == prev
        assert event_hash(e) == e["hash"]
        prev = e["hash"]
    stdout = cli("audit", "export")
    assert stdout.stdout.splitlines() == lines
    assert cli("audit", "export", "--format", "csv").exit_code == 2


def _spawn(db_url: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "registry", "--db", db_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_concurrent_writers_keep_one_chain(cli: Cli, db_url: str) -> None:
    assert cli("org", "add", "acme").exit_code == 0
    assert cli("org", "add", "beta").exit_code == 0
    script = (  # the store the CLI uses: the same months of one org written at once
        "import sys\n"
        "from registry.config import load_settings\n"
        "from registry.store.open import open_store\n"
        "store = open_store(load_settings(database_url=sys.argv[1]))\n"
        "for i in range(1, 13):\n"
        "    store.org_mau(sys.argv[2], f'2024-{i:02d}', i * int(sys.argv[3]))\n"
        "store.close()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url, org, str(n)],
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n, org in enumerate(["acme", "beta", "acme", "beta"], start=1)
    ]
    for p in procs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    # four writers and a check on the raw path at once
    check = _spawn(db_url, "check", "--all")
    check.communicate(timeout=120)
    trail = events(cli)
    assert len(trail) == 2 + 4 * 12
    assert [e["seq"] for e in trail] == list(range(1, len(trail) + 1))
    res = cli("audit", "verify")
    assert res.exit_code == 0, res.stderr


def test_sqlite_timestamps_round_trip_between_orm_and_raw_path(tmp_path: Path, cli: Cli) -> None:
    """The check path writes events with the plain driver; the ORM reads them back exactly."""
    assert cli("org", "add", "acme").exit_code == 0
    ckpt = write_checkpoint(tmp_path / "m")
    assert cli("add", ckpt, "--name", "m", "--license", "mit").exit_code == 0
    assert cli("check", "m", "--org", "acme", "--use", "internal").exit_code == 0
    trail = events(cli)
    assert trail[-1]["action"] == "check.run"
    assert trail[-1]["after"]["verdict"] == "compliant"
    assert cli("audit", "verify").exit_code == 0
    if (cli.db_url or "").startswith("sqlite"):
        conn = sqlite3.connect((cli.db_url or "").split(":///", 1)[1])
        stored = [r[0] for r in conn.execute("SELECT at FROM audit_events ORDER BY seq")]
        conn.close()
        assert len({len(s) for s in stored}) == 1  # one storage format for both paths
