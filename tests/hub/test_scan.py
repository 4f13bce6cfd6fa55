"""``modelreg scan``: a fabricated Hugging Face cache (blobs, snapshots, refs, symlinks)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from registry.hub.cache import find_snapshots, snapshot_name
from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.hub.cache_builder import cache_repo
from tests.hub.conftest import FINETUNE
from tests.hub.fake_hub import FakeHub

BASE = "meta-llama/Llama-2-7b-hf"
FT = "acme/llama2-chat-ft"
LORA = "acme/llama3-lora"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache with a base (two revisions), a fine-tune of it and an adapter of Llama 3."""
    root = tmp_path / "hf-cache"
    src = tmp_path / "src"
    base_v1 = write_checkpoint(src / "base1", seed=1, card={"license": "llama2"})
    base_v2 = write_checkpoint(src / "base2", seed=2, card={"license": "llama2"})
    cache_repo(root, BASE, base_v1, commit="1" * 40, refs=())
    cache_repo(root, BASE, base_v2, commit="2" * 40, refs=("main",))
    ft = write_checkpoint(
        src / "ft", seed=3, shards=2, card={"license": "llama2", "base_model": f"{BASE}"}
    )
    cache_repo(root, FT, ft, commit="3" * 40)
    lora = write_checkpoint(
        src / "lora",
        seed=4,
        card={
            "license": "other",
            "license_name": "llama3",
            "base_model": "meta-llama/Meta-Llama-3-8B",
        },
        extra_files={"adapter_config.json": '{"peft_type": "LORA"}'},
    )
    cache_repo(root, LORA, lora, commit="4" * 40)
    (root / "datasets--acme--data" / "snapshots" / ("5" * 40)).mkdir(parents=True)
    (root / ".locks").mkdir()
    return root


def scan(cli: Cli, *args: Any) -> tuple[int, dict[str, Any]]:
    res = cli("scan", *args, "--format", "json")
    data = res.json()
    assert isinstance(data, dict)
    return res.exit_code, data


def test_discovery_reads_repos_revisions_and_refs(cache: Path) -> None:
    snaps, unreadable = find_snapshots(cache)
    assert unreadable == []
    assert [(s.repo_id, s.revision[:1], s.refs) for s in snaps] == [
        (FT, "3", ("main",)),
        (LORA, "4", ("main",)),
        (BASE, "1", ()),
        (BASE, "2", ("main",)),
    ]
    assert snapshot_name("{org}_{name}-{ref}", snaps[3]) == "meta-llama_Llama-2-7b-hf-main"


def test_scan_registers_every_snapshot_with_lineage_then_changes_nothing(
    cli: Cli, cache: Path
) -> None:
    code, report = scan(cli, cache)
    assert code == 0
    assert sorted(a["name"] for a in report["added"]) == [
        f"{FT}@3333333",
        f"{LORA}@4444444",
        f"{BASE}@1111111",
        f"{BASE}@2222222",
    ]
    assert report["skipped"] == [] and report["unreadable"] == []
    lora = cli("show", f"{LORA}@4444444", "--format", "json").json()
    assert isinstance(lora, dict)
    assert lora["license"] == "llama3"
    assert lora["unresolved_parents"] == [
        {"reference": "meta-llama/Meta-Llama-3-8B", "relation": "adapter"}
    ]
    # two revisions of the base are cached: the fine-tune's base_model is ambiguous
    ft = cli("show", f"{FT}@3333333", "--format", "json").json()
    assert isinstance(ft, dict)
    assert ft["unresolved_parents"] == [{"reference": BASE, "relation": "finetune"}]
    assert ft["files"][0]["sha256"] is not None
    listing = cli("list", "--format", "json").json()

    code, again = scan(cli, cache)
    assert code == 0
    assert again["added"] == [] and again["unreadable"] == []
    assert len(again["skipped"]) == 4
    assert cli("list", "--format", "json").json() == listing
    verify = cli("verify", "--all")
    assert verify.exit_code == 0, verify.stdout


def test_base_scanned_first_becomes_the_parent(cli: Cli, cache: Path) -> None:
    import shutil

    shutil.rmtree(cache / "models--meta-llama--Llama-2-7b-hf" / "snapshots" / ("1" * 40))
    code, report = scan(cli, cache)
    assert code == 0
    order = [a["name"] for a in report["added"]]
    assert order.index(f"{BASE}@2222222") < order.index(f"{FT}@3333333")
    ft = cli("show", f"{FT}@3333333", "--format", "json").json()
    assert isinstance(ft, dict)
    assert ft["parents"] == [{"name": f"{BASE}@2222222", "relation": "finetune"}]
    tree = cli("tree", f"{FT}@3333333")
    assert f"finetune of {BASE}@2222222 [llama2]" in tree.stdout


def test_default_cache_dir_and_name_template(
    cli: Cli, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    code, report = scan(cli, "--name-template", "{name}-{short_revision}")
    assert code == 0
    assert report["cache_dir"] == str(cache)
    assert "llama3-lora-4444444" in {a["name"] for a in report["added"]}
    # the same snapshots under another name template are recognised by repo and commit
    code, again = scan(cli)
    assert again["added"] == []
    reasons = {s["reason"] for s in again["skipped"]}
    assert "already registered as llama3-lora-4444444" in reasons


def test_hf_home_is_the_fallback(cli: Cli, cache: Path, isolated_home: Path) -> None:
    (isolated_home / "hf").mkdir()
    (isolated_home / "hf" / "hub").symlink_to(cache)
    code, report = scan(cli)
    assert code == 0 and len(report["added"]) == 4


def test_unreadable_snapshots_are_reported_and_the_rest_registered(
    cli: Cli, cache: Path, tmp_path: Path
) -> None:
    snap = cache / "models--acme--llama2-chat-ft" / "snapshots" / ("3" * 40)
    blob = Path(os.path.realpath(snap / "config.json"))
    blob.unlink()  # an interrupted download: the link dangles
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"x")
    lora_snap = cache / "models--acme--llama3-lora" / "snapshots" / ("4" * 40)
    (lora_snap / "evil.bin").symlink_to(outside)
    (cache / "models--acme--empty").mkdir()
    res = cli("scan", cache)
    assert res.exit_code == 4
    assert "2 added, 0 skipped, 3 unreadable" in res.stderr
    assert "dangling symbolic link" in res.stdout
    assert "escapes the checkpoint" in res.stdout
    assert "no snapshots directory" in res.stdout
    names = {v["name"] for v in cli("list", "--format", "json").json()}  # type: ignore[union-attr]
    assert names == {f"{BASE}@1111111", f"{BASE}@2222222"}


def test_bad_template_and_missing_directory_are_usage_errors(cli: Cli, tmp_path: Path) -> None:
    res = cli("scan", tmp_path, "--name-template", "{repo}")
    assert res.exit_code == 2 and "{repo_id}" in res.stderr
    res = cli("scan", tmp_path / "nope")
    assert res.exit_code == 2 and "is not a directory" in res.stderr


def test_a_snapshot_registered_from_the_hub_is_not_registered_twice(
    cli: Cli, zoo: FakeHub, finetune_dir: Path, tmp_path: Path
) -> None:
    assert cli("add", f"hf:{FINETUNE}", "--name", "from-hub").exit_code == 0
    cache = tmp_path / "cache2"
    snap = cache_repo(cache, FINETUNE, finetune_dir, commit=zoo.repos[FINETUNE].sha)
    code, report = scan(cli, cache)
    assert code == 0 and report["added"] == []
    assert report["skipped"][0]["reason"] == "already registered as from-hub"
    # and the cached copy verifies against what the Hub published
    res = cli("verify", "from-hub", "--path", snap)
    assert res.exit_code == 0, res.stdout


def test_a_base_cached_later_is_linked_on_the_next_scan(
    cli: Cli, cache: Path, tmp_path: Path
) -> None:
    import shutil

    base_repo = cache / "models--meta-llama--Llama-2-7b-hf"
    parked = tmp_path / "parked"
    shutil.move(base_repo, parked)
    code, _ = scan(cli, cache)
    assert code == 0
    shutil.move(parked, base_repo)
    shutil.rmtree(base_repo / "snapshots" / ("1" * 40))  # one revision: unambiguous
    code, report = scan(cli, cache)
    assert code == 0 and [a["name"] for a in report["added"]] == [f"{BASE}@2222222"]
    ft = cli("show", f"{FT}@3333333", "--format", "json").json()
    assert isinstance(ft, dict)
    assert ft["parents"] == [{"name": f"{BASE}@2222222", "relation": "finetune"}]
    assert ft["unresolved_parents"] == []
