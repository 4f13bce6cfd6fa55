"""``modelreg add hf:ORG/NAME[@REV]`` through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from tests.builders import model_card
from tests.conftest import Cli
from tests.hub.conftest import (
    ADAPTER,
    BROKEN,
    FINETUNE,
    FLAKY,
    GATED,
    LLAMA2_BASE,
    LLAMA3_BASE,
    MERGE,
    VISION,
)
from tests.hub.fake_hub import FakeHub, FakeRepo


def add(cli: Cli, ref: str, name: str, *extra: str) -> dict[str, Any]:
    res = cli("add", f"hf:{ref}", "--name", name, "--format", "json", *extra)
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert isinstance(data, dict)
    return data


def test_finetune_links_its_registered_base_and_records_hub_digests(
    cli: Cli, zoo: FakeHub, finetune_dir: Path
) -> None:
    base = add(cli, LLAMA2_BASE, "llama2-7b")
    assert base["license"] == "llama2"
    assert base["source"] == f"hf:{LLAMA2_BASE}@{zoo.repos[LLAMA2_BASE].sha}"
    ft = add(cli, FINETUNE, "chat-ft")
    assert ft["parents"] == [{"name": "llama2-7b", "relation": "finetune"}]
    assert ft["unresolved_parents"] == []
    assert ft["architecture"] == "LlamaForCausalLM" and ft["modalities"] == ["text"]
    files = {f["path"]: f for f in ft["files"]}
    assert set(files) == {p.name for p in finetune_dir.iterdir()}
    for shard in ("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"):
        data = (finetune_dir / shard).read_bytes()
        assert files[shard]["sha256"] == hashlib.sha256(data).hexdigest()
        assert files[shard]["size"] == len(data)
    assert files["config.json"]["sha256"] is None and len(files["config.json"]["git_oid"]) == 40
    # no weights were downloaded: only model info, README.md and config.json were fetched
    fetched = [p for p, _ in zoo.requests if "/resolve/" in p]
    assert all(p.endswith(("/README.md", "/config.json")) for p in fetched)


def test_verify_path_proves_a_download_matches_the_hub(
    cli: Cli, zoo: FakeHub, finetune_dir: Path
) -> None:
    add(cli, FINETUNE, "chat-ft")
    ok = cli("verify", "chat-ft", "--path", finetune_dir)
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    assert "verified" in ok.stdout
    (finetune_dir / "config.json").write_text('{"model_type": "llama", "tampered": true}')
    bad = cli("verify", "chat-ft", "--path", finetune_dir, "--format", "json")
    assert bad.exit_code == 1
    status = {f["path"]: f["status"] for f in bad.json()["variants"][0]["files"]}  # type: ignore[index]
    assert status["config.json"] == "modified"
    assert status["model-00001-of-00002.safetensors"] == "ok"
    no_path = cli("verify", "chat-ft")
    assert no_path.exit_code == 2 and "--path" in no_path.stderr


def test_adapter_maps_legacy_llama3_license_and_keeps_unregistered_base(
    cli: Cli, zoo: FakeHub
) -> None:
    data = add(cli, ADAPTER, "lora")
    assert data["license"] == "llama3" and data["license_name"] == "llama3"
    assert data["parents"] == []
    assert data["unresolved_parents"] == [{"reference": LLAMA3_BASE, "relation": "adapter"}]
    tree = cli("tree", "lora")
    assert tree.exit_code == 0
    assert f"adapter of {LLAMA3_BASE} (unresolved: not registered)" in tree.stdout


def test_merge_with_two_bases(cli: Cli, zoo: FakeHub) -> None:
    add(cli, LLAMA2_BASE, "llama2-7b")
    add(cli, FINETUNE, "chat-ft")
    data = add(cli, MERGE, "merged")
    assert data["parents"] == [
        {"name": "chat-ft", "relation": "merge"},
        {"name": "llama2-7b", "relation": "merge"},
    ]


def test_base_registered_under_its_default_name_is_found(cli: Cli, zoo: FakeHub) -> None:
    short = zoo.repos[LLAMA2_BASE].sha[:7]
    add(cli, LLAMA2_BASE, f"{LLAMA2_BASE}@{short}")
    data = add(cli, MERGE, "merged")
    assert data["parents"] == [{"name": f"{LLAMA2_BASE}@{short}", "relation": "merge"}]
    assert data["unresolved_parents"] == [{"reference": FINETUNE, "relation": "merge"}]


def test_explicit_options_override_the_card(cli: Cli, zoo: FakeHub) -> None:
    add(cli, LLAMA2_BASE, "llama2-7b")
    data = add(
        cli, ADAPTER, "lora", "--license", "llama2", "--parent", "llama2-7b:adapter", "-m", "vision"
    )
    assert data["license"] == "llama2"
    assert data["parents"] == [{"name": "llama2-7b", "relation": "adapter"}]
    assert data["unresolved_parents"] == []
    assert data["modalities"] == ["text", "vision"]


def test_modalities_come_from_config_json(cli: Cli, zoo: FakeHub) -> None:
    data = add(cli, VISION, "vision-ft")
    assert data["modalities"] == ["text", "vision"]
    assert data["architecture"] == "MllamaForConditionalGeneration"


def test_revision_is_pinned(cli: Cli, zoo: FakeHub) -> None:
    sha = zoo.repos[FINETUNE].sha
    data = add(cli, f"{FINETUNE}@{sha}", "pinned")
    assert data["source"] == f"hf:{FINETUNE}@{sha}"
    res = cli("add", f"hf:{FINETUNE}@no-such-branch", "--name", "x")
    assert res.exit_code == 4
    assert "revision not found" in res.stderr


def test_server_error_then_success(cli: Cli, zoo: FakeHub) -> None:
    data = add(cli, FLAKY, "flaky")
    assert data["license"] == "apache-2.0"


def test_gated_unknown_and_malformed_repositories_exit_4(cli: Cli, zoo: FakeHub) -> None:
    gated = cli("add", f"hf:{GATED}", "--name", "gated")
    assert gated.exit_code == 4
    assert gated.stderr.startswith(f"error: hf:{GATED}") and "is gated" in gated.stderr
    assert "Traceback" not in gated.stderr
    missing = cli("add", "hf:nobody/nothing", "--name", "missing")
    assert missing.exit_code == 4 and "access denied" in missing.stderr
    broken = cli("add", f"hf:{BROKEN}", "--name", "broken")
    assert broken.exit_code == 4 and "malformed" in broken.stderr
    assert cli("list", "--format", "json").json() == []


def test_bad_reference_and_duplicate_name_are_usage_errors(cli: Cli, zoo: FakeHub) -> None:
    bad = cli("add", "hf:not/a/repo", "--name", "x")
    assert bad.exit_code == 2 and "not a Hugging Face model reference" in bad.stderr
    add(cli, FLAKY, "dup")
    before = len(zoo.requests)
    again = cli("add", f"hf:{FINETUNE}", "--name", "dup")
    assert again.exit_code == 2 and "already registered" in again.stderr
    assert len(zoo.requests) == before  # refused before talking to the Hub


def test_name_defaults_to_repo_at_short_revision(cli: Cli, zoo: FakeHub, tmp_path: Path) -> None:
    res = cli("add", f"hf:{FLAKY}", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["name"] == f"{FLAKY}@{zoo.repos[FLAKY].sha[:7]}"  # type: ignore[index]
    local = cli("add", tmp_path)
    assert local.exit_code == 2 and "--name is required" in local.stderr


def test_link_settles_an_ambiguous_hub_reference(cli: Cli, zoo: FakeHub) -> None:
    add(cli, LLAMA2_BASE, "some-base")
    add(cli, FINETUNE, "ft-a")
    add(cli, FINETUNE, "ft-b")  # two variants of one repository: the reference is ambiguous
    res = cli("add", f"hf:{MERGE}", "--name", "merged", "--format", "json")
    assert res.exit_code == 0
    assert "matches 2 registered variants (ft-a, ft-b)" in res.stderr
    data = res.json()
    assert isinstance(data, dict)
    assert data["unresolved_parents"] == [{"reference": FINETUNE, "relation": "merge"}]
    # linking a parent registered from the Hub settles the reference to its repository id
    assert cli("link", "merged", "ft-b:merge").exit_code == 0
    shown = cli("show", "merged", "--format", "json").json()
    assert isinstance(shown, dict)
    assert shown["unresolved_parents"] == []
    assert {p["name"] for p in shown["parents"]} == {"some-base", "ft-b"}


def test_a_base_registered_later_settles_its_derivatives(cli: Cli, zoo: FakeHub) -> None:
    data = add(cli, FINETUNE, "chat-ft")
    assert data["unresolved_parents"] == [{"reference": LLAMA2_BASE, "relation": "finetune"}]
    add(cli, LLAMA2_BASE, "llama2-7b")
    shown = cli("show", "chat-ft", "--format", "json").json()
    assert isinstance(shown, dict)
    assert shown["parents"] == [{"name": "llama2-7b", "relation": "finetune"}]
    assert shown["unresolved_parents"] == []
    tree = cli("tree", "chat-ft")
    assert "finetune of llama2-7b [llama2]" in tree.stdout


def test_hub_cards_with_a_license_list_and_a_base_in_another_case(cli: Cli, zoo: FakeHub) -> None:
    """The Hub allows ``license:`` as a list, and its ids ignore letter case."""
    zoo.add(
        FakeRepo(
            "acme/laundered",
            {"config.json": b'{"architectures": ["LlamaForCausalLM"]}'},
            card_data={"license": ["mit"], "base_model": LLAMA2_BASE.lower()},
        )
    )
    zoo.add(
        FakeRepo(
            "acme/dual",
            {"README.md": model_card(license=["llama2", "mit"], base_model=LLAMA2_BASE).encode()},
        )
    )
    add(cli, LLAMA2_BASE, "llama2-7b")
    laundered = add(cli, "acme/laundered", "laundered")
    assert laundered["license"] == "mit"
    assert laundered["parents"] == [{"name": "llama2-7b", "relation": "finetune"}]
    assert add(cli, "acme/dual", "dual")["license"] == "llama2 AND mit"
    assert cli("org", "add", "acme").exit_code == 0
    res = cli("check", "laundered", "--org", "acme", "--use", "distribute", "--format", "json")
    assert res.exit_code == 1
    found = [f for f in res.json()["findings"] if f["rule"] == "license-inheritance"]  # type: ignore[index]
    assert found[0]["status"] == "fail" and found[0]["license"] == "mit"
