"""Every input of an approved release, changed: the release turns stale, naming the change.

Staleness is computed by comparing the frozen evidence with the catalog now, so each test
changes one fact through the ordinary commands (or, for what no command changes, such as a
policy file or a variant's recorded license, underneath) and reads the release back.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.releases.conftest import DEPLOYMENT, VARIANT, Person, ok


def approve(bob: Person, carol: Person, *, policies: Path | None = None) -> int:
    extra = ["--policies", str(policies)] if policies else []
    res = ok(
        bob(*extra, "release", "request", VARIANT, "--deployment", DEPLOYMENT, "--format", "json")
    )
    rid = int(json.loads(res.stdout)["id"])
    ok(carol(*extra, "release", "approve", str(rid), "--reason", "evidence holds"))
    return rid


def stale(cli: Cli, *extra: str) -> list[dict[str, Any]]:
    res = ok(cli(*extra, "release", "list", "--stale", "--format", "json"))
    return list(json.loads(res.stdout))


def _sql(cli: Cli, statement: str, **params: Any) -> None:
    from sqlalchemy import create_engine, text

    from registry.db.engine import normalise_url

    engine = create_engine(normalise_url(str(cli.db_url)))
    with engine.begin() as conn:
        conn.execute(text(statement), params)
    engine.dispose()


def _mau(cli: Cli, root: Path) -> None:
    ok(cli("org", "mau", "acme", "--month", "2023-06", "--users", "1300000"))


def _grant(cli: Cli, root: Path) -> None:
    ok(cli("org", "grant", "acme", "--license", "llama2", "--ref", "META-123"))


def _parent(cli: Cli, root: Path) -> None:
    ok(cli("org", "add", "megacorp", "--country", "US"))
    ok(cli("org", "set", "acme", "--parent", "megacorp"))


def _country(cli: Cli, root: Path) -> None:
    ok(cli("org", "set", "acme", "--country", "FR"))


def _lineage(cli: Cli, root: Path) -> None:
    ok(cli("add", root / "base", "--name", "meta/llama-2-7b-copy"))
    ok(cli("link", VARIANT, "meta/llama-2-7b-copy:merge"))


def _modified(cli: Cli, root: Path) -> None:
    weights = root / "chat" / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert cli("verify", VARIANT).exit_code == 1


CHANGES: dict[str, tuple[Callable[[Cli, Path], None], str]] = {
    "mau": (_mau, "MAU of acme in 2023-06: 1,200,000 -> 1,300,000"),
    "grant": (_grant, "grants for llama2 changed: +acme: META-123"),
    "parent": (_parent, "parent of acme: none -> megacorp"),
    "country": (_country, "country of acme: US -> FR"),
    "lineage": (_lineage, "lineage edge acme/chat -merge-> meta/llama-2-7b-copy added"),
    "verify": (_modified, "found 1 modified: model.safetensors"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_makes_the_release_stale(
    deployment: Cli, people: tuple[Person, Person], tmp_path: Path, change: str
) -> None:
    bob, carol = people
    rid = approve(bob, carol)
    apply, expected = CHANGES[change]
    assert stale(deployment) == []
    apply(deployment, tmp_path / "models")
    found = stale(deployment)
    assert [r["id"] for r in found] == [rid]
    whats = [c["what"] for c in found[0]["causes"]]
    assert any(expected in w for w in whats), whats
    res = deployment("check", "--deployment", DEPLOYMENT, "--require-release")
    assert res.exit_code == 1 and "release: stale" in res.stdout


def test_an_unrelated_change_leaves_it_fresh(
    deployment: Cli, people: tuple[Person, Person], tmp_path: Path
) -> None:
    bob, carol = people
    approve(bob, carol)
    ok(deployment("org", "mau", "acme", "--month", "2024-03", "--users", "900000000"))
    ok(deployment("org", "add", "other", "--country", "FR"))
    ok(deployment("org", "grant", "acme", "--license", "llama3", "--ref", "X-1"))
    ok(deployment("verify", VARIANT))  # a later ok verification
    assert stale(deployment) == []
    assert deployment("check", "--deployment", DEPLOYMENT, "--require-release").exit_code == 0


@pytest.mark.direct_only
def test_a_license_correction_of_an_ancestor_makes_it_stale(
    deployment: Cli, people: tuple[Person, Person]
) -> None:
    bob, carol = people
    approve(bob, carol)
    _sql(deployment, "UPDATE variants SET license_id = 'llama3' WHERE name = 'meta/llama-2-7b'")
    whats = [c["what"] for c in stale(deployment)[0]["causes"]]
    assert "license of meta/llama-2-7b: llama2 -> llama3" in whats


@pytest.mark.direct_only
def test_a_changed_policy_file_makes_it_stale(
    deployment: Cli, people: tuple[Person, Person], tmp_path: Path
) -> None:
    from registry.resources import policies_dir

    mine = tmp_path / "policies"
    mine.mkdir()
    shutil.copy(policies_dir() / "llama2.toml", mine / "llama2.toml")
    bob, carol = people
    approve(bob, carol, policies=mine)
    assert stale(deployment, "--policies", str(mine)) == []
    with (mine / "llama2.toml").open("a") as fh:
        fh.write("\n# an interpretation changed\n")
    found = stale(deployment, "--policies", str(mine))
    assert "policy file of llama2 changed" in found[0]["causes"][0]["what"]


@pytest.mark.direct_only
def test_the_evidence_is_refused_when_it_does_not_hold(
    deployment: Cli, people: tuple[Person, Person], tmp_path: Path
) -> None:
    bob, carol = people
    args = ("release", "request", VARIANT, "--deployment", DEPLOYMENT)
    # a verification older than [release] max_verify_age
    config = tmp_path / "config.toml"
    config.write_text('[release]\nmax_verify_age = "1h"\nrequire_smoke = false\n')
    _sql(
        deployment,
        "UPDATE verifications SET verified_at = :at",
        at="2020-01-01 00:00:00.000000" if "sqlite" in str(deployment.db_url) else "2020-01-01Z",
    )
    res = _with_config(bob, config, *args)
    assert res.exit_code == 1 and "day(s) old" in res.stderr and "max_verify_age" in res.stderr
    ok(deployment("verify", VARIANT))
    # a smoke run required and missing
    config.write_text("[release]\nrequire_smoke = true\n")
    res = _with_config(bob, config, *args)
    assert res.exit_code == 1 and "no passing smoke run" in res.stderr
    # a non-compliant deployment
    ok(deployment("org", "mau", "acme", "--month", "2023-06", "--users", "800000000"))
    res = bob(*args)
    assert res.exit_code == 1 and "non-compliant" in res.stderr
    assert ok(deployment("release", "list")).stdout.strip() == "(no releases)"


def _with_config(person: Person, config: Path, *args: str) -> Any:
    import os

    os.environ["MODELREG_CONFIG"] = str(config)
    try:
        return person(*args)
    finally:
        del os.environ["MODELREG_CONFIG"]


@pytest.mark.direct_only
def test_approval_refused_when_the_evidence_changed_before_it(
    deployment: Cli, people: tuple[Person, Person]
) -> None:
    bob, carol = people
    res = ok(bob("release", "request", VARIANT, "--deployment", DEPLOYMENT, "--format", "json"))
    rid = json.loads(res.stdout)["id"]
    ok(deployment("org", "mau", "acme", "--month", "2023-06", "--users", "1300000"))
    refused = carol("release", "approve", str(rid), "--reason", "late")
    assert refused.exit_code == 1 and "changed since it was requested" in refused.stderr
    ok(carol("release", "reject", str(rid), "--reason", "stale evidence"))
