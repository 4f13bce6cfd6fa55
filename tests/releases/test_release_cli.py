"""The release workflow on the CLI, on both databases, directly and through the server."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Cli
from tests.releases.conftest import DEPLOYMENT, VARIANT, Person, ok


def request(person: Person, *extra: str) -> dict[str, Any]:
    res = ok(
        person(
            "release", "request", VARIANT, "--deployment", DEPLOYMENT, *extra, "--format", "json"
        )
    )
    return dict(json.loads(res.stdout))


def test_request_then_approve_releases_the_deployment(
    deployment: Cli, people: tuple[Person, Person]
) -> None:
    bob, carol = people
    check = ("check", "--deployment", DEPLOYMENT, "--require-release")
    assert deployment(*check).exit_code == 1  # none yet
    rel = request(bob, "--note", "first release")
    assert rel["status"] == "pending" and rel["state"] == "pending"
    assert rel["requested_by"] == "bob" and rel["verdict"] == "compliant"
    ev = rel["evidence"]
    assert ev["verification"]["ok"] is True
    assert ev["facts"]["mau"] == {"2023-06": {"acme": 1200000}}
    assert ev["facts"]["licenses"][0]["license"] == "llama2"
    assert set(ev["policies"]) == {"llama2"}
    assert len(rel["evidence_sha256"]) == 64
    pending = deployment("check", "--deployment", DEPLOYMENT)
    assert pending.exit_code == 0 and "release: pending" in pending.stdout
    assert deployment(*check).exit_code == 1
    # the requester cannot approve their own request
    own = bob("release", "approve", str(rel["id"]), "--reason", "mine")
    assert own.exit_code == 4 and "cannot decide" in own.stderr
    if deployment.remote:  # a contributor may not decide at all
        dave = Person(deployment, "dave", "contributor")
        refused = dave("release", "approve", str(rel["id"]), "--reason", "no")
        assert refused.exit_code == 4 and "needs the approver role" in refused.stderr
    done = ok(
        carol(
            "release", "approve", str(rel["id"]), "--reason", "evidence holds", "--format", "json"
        )
    )
    assert json.loads(done.stdout)["state"] == "approved"
    assert ok(deployment(*check)).exit_code == 0
    table = ok(deployment("check", "--deployment", DEPLOYMENT))
    assert "release: released (#" in table.stdout and "approved by carol" in table.stdout
    doc = ok(deployment("check", "--deployment", DEPLOYMENT, "--format", "json")).json()
    assert doc["release"]["state"] == "released"  # type: ignore[index]
    again = carol("release", "approve", str(rel["id"]), "--reason", "twice")
    assert again.exit_code == 2 and "already approved" in again.stderr


def test_a_mau_change_makes_the_release_stale(
    deployment: Cli, people: tuple[Person, Person]
) -> None:
    bob, carol = people
    rel = request(bob)
    ok(carol("release", "approve", str(rel["id"]), "--reason", "ok"))
    assert ok(deployment("release", "list", "--stale")).stdout.strip() == "(no releases)"
    ok(deployment("org", "mau", "acme", "--month", "2023-06", "--users", "800000000"))
    listed = ok(deployment("release", "list", "--stale"))
    assert f"#{rel['id']}\tstale\t{DEPLOYMENT}" in listed.stdout
    assert "MAU of acme in 2023-06: 1,200,000 -> 800,000,000" in listed.stdout
    shown = ok(deployment("release", "show", str(rel["id"])))
    assert "changed since approval:" in shown.stdout
    frozen = json.loads(
        ok(deployment("release", "show", str(rel["id"]), "--format", "json")).stdout
    )
    assert frozen["evidence"]["facts"]["mau"]["2023-06"]["acme"] == 1200000  # as approved
    res = deployment("check", "--deployment", DEPLOYMENT, "--require-release")
    assert res.exit_code == 1 and "release: stale" in res.stdout
    assert "not released (release: stale)" in res.stderr


def test_reject_and_a_second_pending_request_refused(
    deployment: Cli, people: tuple[Person, Person]
) -> None:
    bob, carol = people
    rel = request(bob)
    dup = bob("release", "request", VARIANT, "--deployment", DEPLOYMENT)
    assert dup.exit_code == 2 and "already has a pending release" in dup.stderr
    no_reason = carol("release", "reject", str(rel["id"]), "--reason", "  ")
    assert no_reason.exit_code == 2
    ok(carol("release", "reject", str(rel["id"]), "--reason", "not now"))
    rows = json.loads(ok(deployment("release", "list", "--format", "json")).stdout)
    assert [(r["id"], r["state"], r["reason"]) for r in rows] == [
        (rel["id"], "rejected", "not now")
    ]
    assert deployment("check", "--deployment", DEPLOYMENT, "--require-release").exit_code == 1
    wrong = bob("release", "request", "meta/llama-2-7b", "--deployment", DEPLOYMENT)
    assert wrong.exit_code == 2 and "deploys acme/chat" in wrong.stderr


def test_audit_trail_records_the_workflow(deployment: Cli, people: tuple[Person, Person]) -> None:
    bob, carol = people
    rel = request(bob)
    ok(carol("release", "approve", str(rel["id"]), "--reason", "ok"))
    events = json.loads(
        ok(deployment("audit", "list", "--action", "release.", "--format", "json")).stdout
    )
    assert [(e["action"], e["actor"], e["target"]) for e in events] == [
        ("release.request", "bob", DEPLOYMENT),
        ("release.approve", "carol", DEPLOYMENT),
    ]
    assert events[0]["after"]["evidence_sha256"] == rel["evidence_sha256"]
    assert ok(deployment("audit", "verify")).exit_code == 0
