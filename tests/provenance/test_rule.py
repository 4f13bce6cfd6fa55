"""``undeclared-lineage``: weight evidence against declared lineage, through the real CLI,
and the rule's decisions on plain facts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.compliance.model import Detection, LicenseSource, ModelFacts, OrgFacts, Usage
from registry.compliance.policies import load_policies
from registry.compliance.rules import RuleContext
from registry.compliance.rules.undeclared_lineage import evaluate_once
from tests.conftest import Cli
from tests.provenance import transforms as T

# provenance reads the weights of every variant compared, so it runs where the catalog and
# the checkpoints are (a direct database); through a team server `add` skips it with a note
pytestmark = pytest.mark.direct_only

TOKENS = T.tokens_for(256)


def _rule(cli: Cli, name: str) -> dict[str, Any]:
    res = cli("check", name, "--org", "acme", "--use", "internal", "--format", "json")
    doc = json.loads(res.stdout)
    (finding,) = [f for f in doc["findings"] if f["rule"] == "undeclared-lineage"]
    finding["exit_code"] = res.exit_code
    return finding


@pytest.fixture
def family(tmp_path: Path) -> dict[str, Path]:
    base = T.random_state(0)
    return {
        "base": T.save(tmp_path / "base", base, TOKENS),
        "ft": T.save(tmp_path / "ft", T.finetune(base, 1, 0.3), TOKENS),
        "ft2": T.save(tmp_path / "ft2", T.finetune(base, 2, 0.3), TOKENS),
        "other": T.save(tmp_path / "other", T.random_state(3), TOKENS),
    }


def test_relabelled_llama_finetune_fails_with_the_weight_evidence(
    cli: Cli, family: dict[str, Path]
) -> None:
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    cli("add", family["base"], "--name", "llama-base", "--license", "llama2")
    cli("add", family["other"], "--name", "indie", "--license", "apache-2.0")
    cli("add", family["ft"], "--name", "relabel", "--license", "apache-2.0")

    f = _rule(cli, "relabel")
    assert f["exit_code"] == 1 and f["status"] == "fail"
    assert "derived from llama-base [aligned-cosine" in f["reason"]
    assert "llama2 (declared by llama-base)" in f["reason"] and "license laundering" in f["reason"]
    assert f["clause"] == "llama2 §1.b.i" and f["path"] == ["relabel", "llama-base"]
    # the independent model and the base itself are not accused
    assert _rule(cli, "indie")["status"] == "pass"
    assert _rule(cli, "llama-base")["status"] == "pass"

    tree = cli("tree", "relabel")
    assert "detected from weights, not declared" in tree.stdout
    assert "llama-base [llama2] derived (aligned-cosine" in tree.stdout
    detected = cli("tree", "relabel", "--format", "json").json()["detected"]  # type: ignore[index]
    assert [(d["name"], d["declared"]) for d in detected] == [("llama-base", False)]

    # confirming the edge moves the case to the declared-lineage rule
    assert cli("link", "relabel", "llama-base").exit_code == 0
    f = _rule(cli, "relabel")
    assert f["status"] == "pass" and "declared lineage: ancestor" in f["reason"]
    assert "detected from weights" not in cli("tree", "relabel").stdout


def test_declared_siblings_and_children_are_explained(cli: Cli, family: dict[str, Path]) -> None:
    cli("org", "add", "acme", "--country", "US")
    cli("add", family["base"], "--name", "base", "--license", "llama2")
    cli("add", family["ft"], "--name", "a", "--license", "llama2", "--parent", "base")
    cli("add", family["ft2"], "--name", "b", "--license", "cc-by-nc-4.0", "--parent", "base")
    assert _rule(cli, "a")["status"] == "pass"
    reason = _rule(cli, "a")["reason"]
    assert "b (derived; declared lineage: common-ancestor)" in reason
    assert "base (derived; declared lineage: ancestor)" in reason


def test_a_relabel_registered_before_its_base_needs_review(
    cli: Cli, family: dict[str, Path]
) -> None:
    cli("org", "add", "acme", "--country", "US")
    cli("add", family["ft"], "--name", "relabel", "--license", "apache-2.0")
    cli("add", family["base"], "--name", "llama-base", "--license", "llama2")
    f = _rule(cli, "relabel")
    assert f["status"] == "review" and f["exit_code"] == 3
    assert "registered after relabel" in f["reason"]


# ---------------------------------------------------------------- the rule on plain facts


def _ctx(declared: str, *detected: Detection) -> RuleContext:
    policies = load_policies([])
    own = LicenseSource(declared, True, False, False, ("m",), ())
    model = ModelFacts("m", (declared,), ("text",), False, (own,), detected=detected)
    return RuleContext(
        model, OrgFacts("acme", "US", ("acme",)), Usage("internal", "m"), policies.policies
    )


def _seen(verdict: str, first: bool, carried: str, explained: str = "") -> Detection:
    return Detection("x", verdict, "cka", 12.0, "z = 12", first, explained, ((carried, "x"),))


@pytest.mark.parametrize(
    ("declared", "detection", "status"),
    [
        ("apache-2.0", _seen("derived", True, "llama3"), "fail"),
        ("llama3", _seen("derived", True, "llama1"), "fail"),  # llama over non-commercial
        ("llama2", _seen("derived", True, "llama3"), "review"),  # equally strict, different
        ("llama2", _seen("derived", False, "apache-2.0"), "pass"),  # x came later, laxer
        ("apache-2.0", _seen("derived", False, "llama3"), "review"),  # order cannot tell
        ("apache-2.0", _seen("derived", True, "unknown"), "review"),
        ("apache-2.0", _seen("inconclusive", True, "llama3"), "pass"),  # never fails a gate
        ("apache-2.0", _seen("derived", True, "llama3", "ancestor"), "pass"),
        ("apache-2.0", _seen("derived", True, "apache-2.0"), "pass"),  # reaches the model
    ],
)
def test_decisions(declared: str, detection: Detection, status: str) -> None:
    assert evaluate_once(_ctx(declared, detection)).status == status
