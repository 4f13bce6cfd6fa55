"""``modelreg check`` as a pipeline sees it: formats, deployments, --all, history, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from tests.compliance.conftest import Zoo
from tests.compliance.test_rules import SMALL


def _setup(zoo: Zoo) -> None:
    zoo.org("acme", country="US", mau=SMALL)
    zoo.variant("llama-3-8b", "llama3")
    zoo.variant("acme-chat", "llama3", parents=[("llama-3-8b", "finetune")])


def test_json_shape_is_the_documented_one(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    res = cli("check", "acme-chat", "--org", "acme", "--use", "service", "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)  # nothing but the document on stdout
    assert {"model", "org", "use", "verdict", "findings"} <= set(doc)
    assert (doc["model"], doc["org"], doc["use"], doc["verdict"]) == (
        "acme-chat",
        "acme",
        "service",
        "non_compliant",
    )
    for f in doc["findings"]:
        assert {"rule", "license", "status", "reason", "clause", "path"} <= set(f)
        assert f["status"] in ("pass", "fail", "review", "n/a")
        assert f["reason"] and f["clause"]


def test_sarif_and_junit(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    args = ("check", "acme-chat", "--org", "acme", "--use", "service")
    sarif = json.loads(cli(*args, "--format", "sarif").stdout)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "built-with" in rule_ids and "mau-threshold" in rule_ids
    levels = {(r["ruleId"], r["level"]) for r in run["results"]}
    assert ("built-with", "error") in levels and ("aup", "warning") in levels
    assert all(r["ruleId"] in rule_ids for r in run["results"])
    assert not any(r["ruleId"] == "mau-threshold" for r in run["results"])  # pass: no result
    res = cli(*args, "--format", "junit")
    assert res.exit_code == 1
    root = ET.fromstring(res.stdout)
    cases = root.findall(".//testcase")
    doc = cli(*args, "--format", "json").json()
    assert len(cases) == len(doc["findings"])
    failed = [c for c in cases if c.find("failure") is not None]
    assert any(c.get("name") == "built-with [llama3]" for c in failed)
    assert any(c.find("skipped") is not None for c in cases)


def test_table_groups_by_license_with_failures_first(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    res = cli("check", "acme-chat", "--org", "acme", "--use", "service")
    assert res.exit_code == 1
    out = res.stdout
    assert "non_compliant" in out and "not legal advice" in out
    assert out.index("fail") < out.index("pass")


def test_deployments_and_check_all(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    ok = cli(
        "deploy",
        "add",
        "internal-bot",
        "--model",
        "acme-chat",
        "--org",
        "acme",
        "--use",
        "internal",
        "--purpose",
        "code-assistant",
    )
    assert ok.exit_code == 0, ok.stderr
    assert (
        cli(
            "deploy",
            "add",
            "public-api",
            "--model",
            "acme-chat",
            "--org",
            "acme",
            "--use",
            "service",
            "--public-name",
            "Llama-3-acme",
            "--attest",
            "built-with",
            "--attest",
            "agreement-copy",
        ).exit_code
        == 0
    )
    res = cli("check", "--deployment", "internal-bot", "--format", "json")
    assert res.exit_code == 0 and res.json()["deployment"] == "internal-bot"
    res = cli("check", "--deployment", "public-api", "--format", "json")
    assert res.exit_code == 3  # no purpose declared, no aup attestation
    res = cli("check", "--all", "--format", "json")
    doc = res.json()
    assert res.exit_code == 3 and doc["verdict"] == "needs_review"
    assert doc["summary"] == {"compliant": 1, "non_compliant": 0, "needs_review": 1}
    assert "2 deployment(s)" in res.stderr
    cli("deploy", "add", "leak", "--model", "acme-chat", "--org", "acme", "--use", "distribute")
    res = cli("check", "--all")
    assert res.exit_code == 1  # the worst verdict wins
    assert "summary: 3 deployment(s)" in res.stdout
    listed = cli("deploy", "list", "--format", "json").json()
    assert [d["name"] for d in listed] == ["internal-bot", "leak", "public-api"]
    bad = cli("deploy", "add", "x", "--model", "acme-chat", "--org", "acme", "--use", "sell")
    assert bad.exit_code == 2 and "unknown use" in bad.stderr
    assert cli("deploy", "list", "--format", "json").json()[0]["name"] == "internal-bot"
    # a deployed variant cannot be removed; the deployment can, and its checks stay logged
    res = cli("rm", "acme-chat")
    assert res.exit_code == 2 and "deployment(s) internal-bot, leak, public-api" in res.stderr
    for name in ("internal-bot", "leak", "public-api"):
        assert cli("deploy", "rm", name).exit_code == 0
    assert cli("deploy", "rm", "leak").exit_code == 2
    assert cli("rm", "acme-chat").exit_code == 0
    assert len(cli("check", "--history", "acme-chat", "--format", "json").json()) == 7


def test_history_keeps_inputs_findings_digests_user(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    cli("check", "acme-chat", "--org", "acme", "--use", "internal", "--purpose", "research")
    cli("check", "acme-chat", "--org", "acme", "--use", "service", "--attest", "aup")
    res = cli("check", "--history", "acme-chat", "--format", "json")
    assert res.exit_code == 0
    rows = res.json()
    assert [r["verdict"] for r in rows] == ["compliant", "non_compliant"]
    last = rows[1]
    assert last["inputs"]["attestations"][0]["kind"] == "aup"
    assert last["inputs"]["attestations"][0]["by"]
    assert last["os_user"]
    assert len(last["policy_digests"]["llama3"]["sha256"]) == 64
    assert any(f["rule"] == "built-with" and f["status"] == "fail" for f in last["findings"])
    assert rows[0]["checked_at"] <= rows[1]["checked_at"]
    table = cli("check", "--history", "acme-chat")
    assert table.exit_code == 0 and "non_compliant" in table.stdout


def test_usage_errors_exit_2(cli: Any, zoo: Zoo) -> None:
    _setup(zoo)
    res = cli("check", "acme-chat", "--org", "acme", "--use", "internal", "--purpose", "warfare")
    assert res.exit_code == 2
    assert "unknown purpose 'warfare'" in res.stderr and "military" in res.stderr
    assert res.stdout == ""
    res = cli("check", "nope", "--org", "acme", "--use", "internal")
    assert res.exit_code == 2 and "no variant named 'nope'" in res.stderr
    res = cli("check", "acme-chat", "--org", "ghost", "--use", "internal")
    assert res.exit_code == 2 and "no organisation named 'ghost'" in res.stderr
    res = cli("check", "acme-chat", "--org", "acme", "--use", "sell")
    assert res.exit_code == 2
    res = cli("check", "acme-chat", "--org", "acme", "--use", "internal", "--attest", "vibes")
    assert res.exit_code == 2
    assert cli("check", "acme-chat", "--use", "internal").exit_code == 2  # no org
    assert cli("check", "--org", "acme").exit_code == 2  # nothing to check
    assert cli("check", "--deployment", "ghost").exit_code == 2
    # none of the refused checks was logged
    assert cli("check", "--history", "acme-chat", "--format", "json").json() == []


@pytest.mark.direct_only  # in remote mode the policies are the server's
def test_bad_policy_file_exits_4_naming_file_and_field(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    _setup(zoo)
    extra = tmp_path / "org-policies"
    extra.mkdir()
    (extra / "acme-internal.toml").write_text(
        'schema_version = 1\nid = "acme-internal"\nname = "x"\nkind = "permissive"\n'
        'spdx = "LicenseRef-acme"\nlicense_title = "ACME"\n'
        '[rules.agreement-copy]\nclause = "§1"\nuses = ["sell"]\n'
    )
    res = cli("--policies", extra, "check", "acme-chat", "--org", "acme", "--use", "internal")
    assert res.exit_code == 4
    assert "acme-internal.toml" in res.stderr and "rules.agreement-copy.uses" in res.stderr
    assert res.stderr.count("\n") == 1


def test_a_catalog_without_the_schema_is_an_operational_error(empty_db_url: str) -> None:
    from tests.conftest import Cli

    res = Cli(empty_db_url)("check", "x", "--org", "acme", "--use", "internal")
    assert res.exit_code == 4 and "modelreg db upgrade" in res.stderr
