"""``--shard K/N``: N shards cover every variant exactly once; summaries see every shard."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from registry.catalog.shards import Shard, parse_shard, shard_of
from tests.builders import write_checkpoint
from tests.conftest import Cli

NAMES = [f"org{i % 3}/model-{i}" for i in range(14)] + ["ünï/cödé", "x"]


@pytest.fixture
def zoo(cli: Cli, tmp_path: Path) -> Cli:
    for i, name in enumerate(NAMES):
        res = cli("add", write_checkpoint(tmp_path / f"m{i}", seed=i), "-n", name)
        assert res.exit_code == 0, res.stderr
    return cli


def verified_names(res_stdout: str) -> list[str]:
    return [v["name"] for v in json.loads(res_stdout)["variants"]]


def test_n_shards_verify_every_variant_exactly_once(zoo: Cli) -> None:
    for n in range(1, 8):
        seen: Counter[str] = Counter()
        for k in range(n):
            res = zoo("verify", "--all", "--shard", f"{k}/{n}", "--format", "json")
            assert res.exit_code == 0, res.stderr
            got = verified_names(res.stdout)
            assert all(shard_of(name, n) == k for name in got)
            seen.update(got)
        assert seen == Counter(NAMES), n


def test_smoke_plans_of_n_shards_cover_every_variant_once(zoo: Cli, catalog: object) -> None:
    from registry.smoke.records import smoke_subjects

    with catalog.session() as session:  # type: ignore[attr-defined]
        everything = sorted(p.name for p in smoke_subjects(session, [], True))
        for n in range(1, 8):
            parts = [
                [p.name for p in smoke_subjects(session, [], True, shard=Shard(k, n))]
                for k in range(n)
            ]
            assert sorted(name for part in parts for name in part) == everything


def test_the_partition_is_stable_and_spread() -> None:
    assert shard_of("meta-llama/Llama-3.1-8B", 4) == shard_of("meta-llama/Llama-3.1-8B", 4)
    counts = Counter(shard_of(f"variant-{i}", 4) for i in range(4000))
    assert set(counts) == {0, 1, 2, 3} and min(counts.values()) > 850


@pytest.mark.parametrize("text", ["1", "2/2", "-1/3", "a/b", "0/0", "3/2"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    from registry.errors import InvalidInputError

    with pytest.raises(InvalidInputError):
        parse_shard(text)


def test_shard_needs_all_and_summary_takes_no_names(zoo: Cli) -> None:
    assert zoo("verify", "x", "--shard", "0/2").exit_code == 2
    assert zoo("verify", "--summary", "x").exit_code == 2
    assert zoo("verify", "x", "--since", "2020-01-01").exit_code == 2
    assert zoo("smoke", "x", "--shard", "0/2").exit_code in (2, 4)  # 4: no smoke extra
    assert zoo("smoke", "--summary", "--all").exit_code == 2


def test_verify_summary_reports_the_latest_result_of_each_shard(zoo: Cli, tmp_path: Path) -> None:
    before = zoo("verify", "--summary", "--format", "json")
    assert before.exit_code == 1
    assert {v["status"] for v in before.json()["variants"]} == {None}  # type: ignore[index]
    for k in range(3):
        assert zoo("verify", "--all", "--shard", f"{k}/3").exit_code == 0
    (tmp_path / "m15" / "config.json").write_text("{}")  # the variant called "x"
    assert zoo("verify", "x").exit_code == 1
    res = zoo("verify", "--summary", "--format", "json")
    assert res.exit_code == 1
    rows = {v["name"]: v for v in res.json()["variants"]}  # type: ignore[index]
    assert rows["x"]["status"] == "failed" and rows["x"]["problems"] == ["modified config.json"]
    assert rows["x"]["shard"] is None
    ok = [r for r in rows.values() if r["status"] == "ok"]
    assert len(ok) == len(NAMES) - 1
    assert {r["shard"] for r in ok} == {"0/3", "1/3", "2/3"}
    assert all(r["files_checked"] == 2 and r["bytes_read"] > 0 for r in ok)
    table = zoo("verify", "--summary")
    assert "failed" in table.stdout and "15 ok, 1 failed, 0 without a result" in table.stderr
    stale = zoo("verify", "--summary", "--since", "2999-01-01", "--format", "json")
    assert {v["status"] for v in stale.json()["variants"]} == {None}  # type: ignore[index]
    (tmp_path / "m15" / "config.json").write_text("{}")
    assert zoo("verify", "x", "--path", tmp_path / "m15").exit_code == 1


def test_smoke_summary_reads_the_latest_run_without_torch(zoo: Cli, catalog: object) -> None:
    from registry.db.models import SmokeRun, Variant

    with catalog.session(write=True) as s:  # type: ignore[attr-defined]
        ids = {v.name: v.id for v in s.query(Variant)}
        common = {
            "content_digest": "0" * 64,
            "device_type": "cpu",
            "device_name": "cpu",
            "dtype": "float32",
            "torch_version": "t",
            "transformers_version": "t",
            "memory_kind": "rss",
            "max_new_tokens": 4,
            "prompt_ids": [1],
            "generated_ids": [2],
        }
        s.add(SmokeRun(variant_id=ids["x"], status="fail", error="boom", **common))
        s.flush()
        s.add(SmokeRun(variant_id=ids["x"], status="pass", **common))
        s.add(SmokeRun(variant_id=ids["org1/model-1"], status="drift", **common))
    res = zoo("smoke", "--summary", "--format", "json")
    rows = {v["name"]: v for v in json.loads(res.stdout)["variants"]}
    assert rows["x"]["status"] == "pass" and rows["org1/model-1"]["status"] == "drift"
    assert rows["org0/model-0"]["status"] is None
    assert res.exit_code == 1  # a drift
    text = zoo("smoke", "--summary")
    assert "1 pass, 0 fail, 1 drift, 14 without a run" in text.stderr
    later = zoo("smoke", "--summary", "--since", "2999-01-01")
    assert later.exit_code == 0 and "0 pass, 0 fail, 0 drift, 16 without a run" in later.stderr


def test_hub_variants_are_skipped_by_all_and_do_not_fail_the_summary(
    zoo: Cli, catalog: object
) -> None:
    from registry.db.models import Variant

    with catalog.session(write=True) as s:  # type: ignore[attr-defined]
        s.add(Variant(name="hub/only", source_uri="hf:hub/only@" + "a" * 40, modalities=[]))
    res = zoo("verify", "--all", "--format", "json")
    assert res.exit_code == 0 and "skipped hub/only: no local checkpoint" in res.stderr
    assert "hub/only" not in verified_names(res.stdout)
    summary = zoo("verify", "--summary", "--format", "json")
    assert summary.exit_code == 0
    rows = {v["name"]: v for v in summary.json()["variants"]}  # type: ignore[index]
    assert rows["hub/only"]["status"] is None and rows["hub/only"]["local"] is False
