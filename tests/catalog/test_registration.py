"""Registering checkpoints through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.builders import write_checkpoint
from tests.conftest import Cli


def names(cli: Cli) -> list[str]:
    res = cli("list", "--format", "json")
    assert res.exit_code == 0, res.stderr
    return [v["name"] for v in res.json()]  # type: ignore[union-attr]


def test_add_records_files_config_and_card(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(
        tmp_path / "base",
        config={"vision_config": {"hidden_size": 4}},
        card={"license": "llama3.2"},
        shards=2,
    )
    res = cli("add", ckpt, "--name", "base", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["license"] == "llama3.2"
    assert data["architecture"] == "LlamaForCausalLM"
    assert data["modalities"] == ["text", "vision"]
    paths = [f["path"] for f in data["files"]]
    assert paths == sorted(paths)
    assert "model.safetensors.index.json" in paths
    assert all(len(f["sha256"]) == 64 for f in data["files"])
    assert data["total_bytes"] == sum(p.stat().st_size for p in ckpt.iterdir())


def test_card_base_model_becomes_parent_or_unresolved(cli: Cli, tmp_path: Path) -> None:
    base = write_checkpoint(tmp_path / "base", card={"license": "llama2"})
    assert cli("add", base, "--name", "meta-llama/Llama-2-7b-hf").exit_code == 0
    child = write_checkpoint(
        tmp_path / "child",
        seed=1,
        card={
            "license": "llama2",
            "base_model": ["meta-llama/Llama-2-7b-hf", "someone/not-registered"],
        },
    )
    res = cli("add", child, "--name", "child", "--format", "json")
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["parents"] == [{"name": "meta-llama/Llama-2-7b-hf", "relation": "merge"}]
    assert data["unresolved_parents"] == [
        {"reference": "someone/not-registered", "relation": "merge"}
    ]
    tree = cli("tree", "child")
    assert "unresolved" in tree.stdout and "someone/not-registered" in tree.stdout


def test_legacy_other_license_name_is_mapped(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m", card={"license": "other", "license_name": "llama3"})
    data = cli("add", ckpt, "--name", "m", "--format", "json").json()
    assert data["license"] == "llama3"  # type: ignore[index]


def test_unmapped_card_license_is_other(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m", card={"license": "some-custom-thing"})
    data = cli("add", ckpt, "--name", "m", "--format", "json").json()
    assert data["license"] == "other"  # type: ignore[index]
    assert data["license_name"] == "some-custom-thing"  # type: ignore[index]


def test_explicit_parents_and_relations(cli: Cli, tmp_path: Path) -> None:
    for i, n in enumerate(("a", "b")):
        assert cli("add", write_checkpoint(tmp_path / n, seed=i), "--name", n).exit_code == 0
    ckpt = write_checkpoint(tmp_path / "m", seed=5)
    res = cli("add", ckpt, "--name", "m", "--parent", "a:merge", "-p", "b:distill", "-f", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["parents"] == [  # type: ignore[index]
        {"name": "a", "relation": "merge"},
        {"name": "b", "relation": "distill"},
    ]


def test_single_file_checkpoint(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m")
    res = cli("add", ckpt / "model.safetensors", "--name", "single", "-f", "json")
    assert res.exit_code == 0, res.stderr
    assert [f["path"] for f in res.json()["files"]] == ["model.safetensors"]  # type: ignore[index]
    assert cli("verify", "single").exit_code == 0


def test_tree_json_and_descendants(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", write_checkpoint(tmp_path / "g", seed=0), "--name", "g").exit_code == 0
    assert cli("add", write_checkpoint(tmp_path / "p", seed=1), "-n", "p", "-p", "g").exit_code == 0
    assert (
        cli("add", write_checkpoint(tmp_path / "c", seed=2), "-n", "c", "-p", "p:adapter").exit_code
        == 0
    )
    data = cli("tree", "p", "--format", "json").json()
    assert [a["name"] for a in data["ancestors"]] == ["g"]  # type: ignore[index]
    assert [(d["name"], d["depth"]) for d in data["descendants"]] == [("c", 1)]  # type: ignore[index]
    assert data["variant"]["children"] == [{"name": "c", "relation": "adapter"}]  # type: ignore[index]
    text = cli("tree", "c").stdout
    assert "adapter of p" in text and "finetune of g" in text


def test_rm_refused_with_children_then_allowed(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", write_checkpoint(tmp_path / "g"), "--name", "g").exit_code == 0
    assert cli("add", write_checkpoint(tmp_path / "c", seed=1), "-n", "c", "-p", "g").exit_code == 0
    res = cli("rm", "g")
    assert res.exit_code == 2 and "child" in res.stderr
    assert names(cli) == ["c", "g"]
    assert cli("rm", "c").exit_code == 0
    assert cli("rm", "g").exit_code == 0
    assert names(cli) == []


def test_link_and_cycle_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("add", write_checkpoint(tmp_path / "a"), "--name", "a").exit_code == 0
    assert cli("add", write_checkpoint(tmp_path / "b", seed=1), "-n", "b", "-p", "a").exit_code == 0
    assert cli("add", write_checkpoint(tmp_path / "c", seed=2), "-n", "c", "-p", "b").exit_code == 0
    res = cli("link", "a", "c")
    assert res.exit_code == 2
    assert "cycle" in res.stderr and "Traceback" not in res.stderr
    assert cli("tree", "a", "-f", "json").json()["ancestors"] == []  # type: ignore[index]
    assert cli("link", "c", "a:merge").exit_code == 0
    parents = cli("show", "c", "-f", "json").json()["parents"]  # type: ignore[index]
    assert {"name": "a", "relation": "merge"} in parents
