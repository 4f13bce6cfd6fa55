"""Weight evidence recorded where the checkpoints are counts everywhere: a check evaluated by
the team server cites it, and ``tree --format json`` shows the detected relation in remote
mode as on the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.provenance import transforms as T
from tests.provenance.test_rule import TOKENS, _rule


@pytest.fixture
def relabelled(tmp_path: Path) -> dict[str, Path]:
    base = T.random_state(0)
    return {
        "base": T.save(tmp_path / "base", base, TOKENS),
        "ft": T.save(tmp_path / "ft", T.finetune(base, 1, 0.3), TOKENS),
    }


def test_weight_evidence_reaches_checks_and_tree_through_the_server(
    cli: Cli, relabelled: dict[str, Path]
) -> None:
    direct = Cli(cli.db_url)  # provenance runs where the catalog and the weights are
    assert (
        direct("add", relabelled["base"], "--name", "llama-base", "--license", "llama2").exit_code
        == 0
    )
    assert (
        direct("add", relabelled["ft"], "--name", "relabel", "--license", "apache-2.0").exit_code
        == 0
    )
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0

    f = _rule(cli, "relabel")
    assert f["exit_code"] == 1 and f["status"] == "fail"
    assert "derived from llama-base [aligned-cosine" in f["reason"]
    detected = cli("tree", "relabel", "--format", "json").json()["detected"]  # type: ignore[index]
    assert [(d["name"], d["declared"], d["verdict"]) for d in detected] == [
        ("llama-base", False, "derived")
    ]
