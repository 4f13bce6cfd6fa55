"""The done-when of provenance on models actually trained: every derived child of seed A
is flagged, the independently trained seed B is not, and a relabelled fine-tune fails
``check`` with the weight evidence cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.provenance.compare import compare_weights
from registry.provenance.records import DERIVED, INDEPENDENT, combine
from registry.provenance.weights import open_weights
from tests.conftest import Cli

# provenance reads the weights of every variant compared, so it runs where the catalog and
# the checkpoints are (a direct database); through a team server `add` skips it with a note
pytestmark = [pytest.mark.slow, pytest.mark.direct_only]

CHILDREN = (
    "finetune",
    "continued",
    "lora_merge",
    "vocab_extension",
    "int8",
    "gguf_Q8_0",
    "gguf_Q4_0",
    "permutation",
    "rotation",
)


@pytest.mark.parametrize("child", CHILDREN)
def test_every_derived_child_is_flagged_and_not_against_the_other_seed(
    child: str, trained_dirs: dict[str, Path]
) -> None:
    weights = open_weights(trained_dirs[child])
    methods = compare_weights(weights, open_weights(trained_dirs["seed_a"]))
    assert combine(child, "seed_a", methods, 0).verdict == DERIVED, [m.to_dict() for m in methods]
    methods = compare_weights(weights, open_weights(trained_dirs["seed_b"]))
    assert combine(child, "seed_b", methods, 0).verdict == INDEPENDENT, [
        m.to_dict() for m in methods
    ]


def test_the_two_seeds_are_independent(trained_dirs: dict[str, Path]) -> None:
    a, b = open_weights(trained_dirs["seed_a"]), open_weights(trained_dirs["seed_b"])
    for x, y in ((a, b), (b, a)):
        methods = compare_weights(x, y)
        assert combine("x", "y", methods, 0).verdict == INDEPENDENT, [m.to_dict() for m in methods]


def test_relabelled_llama_finetune_fails_check_with_weight_evidence(
    cli: Cli, trained_dirs: dict[str, Path]
) -> None:
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    assert (
        cli("add", trained_dirs["seed_a"], "--name", "llama-base", "--license", "llama2").exit_code
        == 0
    )
    assert (
        cli("add", trained_dirs["seed_b"], "--name", "indie", "--license", "apache-2.0").exit_code
        == 0
    )
    res = cli("add", trained_dirs["finetune"], "--name", "relabel", "--license", "apache-2.0")
    assert res.exit_code == 0
    assert "provenance: derived from llama-base" in res.stderr
    assert "indie" not in res.stderr

    res = cli("check", "relabel", "--org", "acme", "--use", "internal", "--format", "json")
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert doc["verdict"] == "non_compliant"
    (finding,) = [f for f in doc["findings"] if f["rule"] == "undeclared-lineage"]
    assert finding["status"] == "fail"
    assert "derived from llama-base [aligned-cosine" in finding["reason"]
    assert (
        "median aligned cosine" in finding["reason"] and "license laundering" in finding["reason"]
    )

    res = cli("check", "indie", "--org", "acme", "--use", "internal", "--format", "json")
    (finding,) = [
        f for f in json.loads(res.stdout)["findings"] if f["rule"] == "undeclared-lineage"
    ]
    assert finding["status"] == "pass"
