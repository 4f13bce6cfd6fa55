"""``modelreg smoke`` end to end: real tiny checkpoints, the real CLI, both databases."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.smoke import builders

pytestmark = pytest.mark.smoke

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

CopyCkpt = Callable[..., Path]


def _run(out: Any, name: str) -> dict[str, Any]:
    return next(r for r in out["runs"] if r["variant"] == name)


def test_pass_without_tokenizer_records_everything(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "plain", checkpoints["plain"])
    res = cli("smoke", "plain", "--device", "cpu", "--max-new-tokens", "5", "--format", "json")
    assert res.exit_code == 0, res.stderr
    out = res.json()
    run = _run(out, "plain")
    assert run["status"] == "pass" and run["reason"] is None
    assert run["used_tokenizer"] is False
    assert run["prompt_ids"] == [1, 15, 22, 8, 31, 4, 27, 19]  # fixed ids without tokenizer
    assert len(run["generated_ids"]) == 5
    assert len(run["logits_fingerprint"]) == 64
    assert run["load_seconds"] > 0 and run["ttft_seconds"] > 0 and run["tokens_per_second"] > 0
    assert out["device"]["type"] == "cpu" and out["device"]["torch"] == torch.__version__
    assert out["summary"] == {
        "pass": 1, "fail": 0, "drift": 0, "refused": 0, "unsupported": 0, "skipped": 0,
        "not_local": 0,
    }  # fmt: skip
    assert "smoke plain: pass" in res.stderr
    [row] = builders.runs(cli.db_url)
    assert row.id == run["run_id"]
    assert (row.status, row.device_type, row.dtype, row.memory_kind) == (
        "pass", "cpu", "float32", "rss"
    )  # fmt: skip
    assert row.generated_ids == run["generated_ids"]
    assert row.logits_fingerprint == run["logits_fingerprint"]
    assert row.torch_version == torch.__version__ and row.cuda_version is None
    assert row.peak_memory_bytes > 10 * 1024 * 1024
    assert row.max_new_tokens == 5 and row.error is None


def test_tokenizer_and_prompt_are_used(cli: Cli, checkpoints: dict[str, Path]) -> None:
    from transformers import AutoTokenizer

    builders.register(cli, "tok", checkpoints["tok"])
    prompt = "the model loads and generates"
    res = cli("smoke", "tok", "--device", "cpu", "--max-new-tokens", "3", "--prompt", prompt,
              "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    run = _run(res.json(), "tok")
    expected = AutoTokenizer.from_pretrained(str(checkpoints["tok"]))(prompt)["input_ids"]
    assert run["used_tokenizer"] is True and run["prompt_ids"] == expected
    assert len(run["generated_ids"]) == 3


def test_table_output_and_prompt_without_tokenizer_warns(
    cli: Cli, checkpoints: dict[str, Path]
) -> None:
    builders.register(cli, "plain", checkpoints["plain"])
    res = cli("smoke", "plain", "--device", "cpu", "--max-new-tokens", "2", "--prompt", "hi")
    assert res.exit_code == 0, res.stderr
    assert "warning: plain: no tokenizer, --prompt ignored" in res.stderr
    header, row = res.stdout.splitlines()[:2]
    assert header.split()[:3] == ["VARIANT", "STATUS", "DTYPE"]
    assert row.split()[:3] == ["plain", "pass", "float32"]
    assert (
        "1 pass, 0 fail, 0 drift, 0 refused, 0 unsupported, 0 skipped (already passed), 0 without"
        in res.stdout
    )


def test_adapter_runs_on_its_registered_parent(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "base", checkpoints["plain"])
    builders.register(cli, "lora", checkpoints["lora"], parent="base")
    res = cli("smoke", "base", "lora", "--device", "cpu", "--max-new-tokens", "4",
              "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    base, lora = _run(res.json(), "base"), _run(res.json(), "lora")
    assert lora["status"] == "pass"
    # The adapter changes the logits: it was applied, not silently ignored.
    assert lora["logits_fingerprint"] != base["logits_fingerprint"]
    rows = builders.runs(cli.db_url)
    assert rows[0].content_digest != rows[1].content_digest


def test_adapter_without_registered_parent_fails(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "orphan", checkpoints["lora"])
    res = cli("smoke", "orphan", "--device", "cpu", "--max-new-tokens", "2")
    assert res.exit_code == 1
    assert "adapter_config.json present but no adapter parent registered" in res.stdout


def test_corrupted_checkpoints_fail_with_one_line_and_are_recorded(
    cli: Cli, copy_ckpt: CopyCkpt
) -> None:
    names = ["good"]
    builders.register(cli, "good", copy_ckpt("tok", "good"))
    for kind, corrupt in builders.CORRUPTIONS.items():
        path = copy_ckpt("tok", kind)
        # registered first, damaged after: `add` refuses a truncated safetensors file
        builders.register(cli, kind, path)
        corrupt(path)
        names.append(kind)
    res = cli("smoke", *names, "--device", "cpu", "--max-new-tokens", "3", "--format", "json")
    assert res.exit_code == 1, res.stderr
    out = res.json()
    reasons = {r["variant"]: r["reason"] for r in out["runs"]}
    assert _run(out, "good")["status"] == "pass"
    assert reasons["shapes"].startswith("shape of model.layers.0.mlp.down_proj.weight is ")
    assert "in the config" in reasons["shapes"]
    assert reasons["nan"] == "non-finite logits at generation step 1"
    assert reasons["architecture"] == (
        "config declares MistralForCausalLM but transformers loads LlamaForCausalLM"
    )
    assert reasons["truncated"].startswith("SafetensorError: ")
    assert reasons["tokenizer"] == (
        "tokenizer file tokenizer.json named by tokenizer_config.json (tokenizer_file) is missing"
    )
    for name in builders.CORRUPTIONS:
        assert _run(out, name)["status"] == "fail"
        assert "\n" not in reasons[name]
    rows = {r.status: r for r in builders.runs(cli.db_url)}
    assert [r.status for r in builders.runs(cli.db_url)].count("fail") == len(builders.CORRUPTIONS)
    assert rows["fail"].error and rows["fail"].generated_ids == []
    table = cli("smoke", "nan", "--device", "cpu", "--max-new-tokens", "2")
    assert table.exit_code == 1
    row = next(line for line in table.stdout.splitlines() if line.startswith("nan "))
    assert row.split()[:2] == ["nan", "fail"] and row.endswith(
        "non-finite logits at generation step 1"
    )


def test_missing_checkpoint_directory_is_a_recorded_failure(cli: Cli, copy_ckpt: CopyCkpt) -> None:
    path = copy_ckpt("plain", "gone")
    builders.register(cli, "gone", path)
    shutil.rmtree(path)
    res = cli("smoke", "gone", "--device", "cpu", "--format", "json")
    assert res.exit_code == 1
    assert _run(res.json(), "gone")["reason"] == (
        f"checkpoint directory {path.resolve()} does not exist"
    )
    builders.register_remote(cli.db_url, "remote", "hf:org/model@0123abc")
    res = cli("smoke", "remote", "--device", "cpu", "--format", "json")
    assert res.exit_code == 1
    assert _run(res.json(), "remote")["reason"] == (
        "remote has no local checkpoint directory (source hf:org/model@0123abc)"
    )
    assert [r.status for r in builders.runs(cli.db_url)] == ["fail", "fail"]


def test_drift_is_reported_until_accepted(cli: Cli, copy_ckpt: CopyCkpt) -> None:
    path = copy_ckpt("plain", "model")
    builders.register(cli, "m", path)
    args = ("smoke", "m", "--device", "cpu", "--max-new-tokens", "6", "--format", "json")
    first = cli(*args)
    assert first.exit_code == 0
    again = cli(*args)
    assert again.exit_code == 0
    assert _run(again.json(), "m")["reference_run_id"] == _run(first.json(), "m")["run_id"]
    # The bytes on disk change behind the catalog's back: same shapes, other weights.
    builders.write_llama(path, seed=7)
    drift = cli(*args)
    assert drift.exit_code == 1
    run = _run(drift.json(), "m")
    assert run["status"] == "drift" and run["drift"] is True
    assert run["reason"].startswith("generated tokens differ from run #")
    assert run["reference_run_id"] == _run(again.json(), "m")["run_id"]
    assert cli(*args).exit_code == 1  # a drifted run is no reference: still drift
    accepted = cli(*args, "--accept-drift")
    assert accepted.exit_code == 0
    acc = _run(accepted.json(), "m")
    assert acc["status"] == "pass" and acc["drift"] is True
    assert acc["reason"].startswith("drift accepted: ")
    after = cli(*args)
    assert after.exit_code == 0
    assert _run(after.json(), "m")["reference_run_id"] == acc["run_id"]
    statuses = [r.status for r in builders.runs(cli.db_url)]
    assert statuses == ["pass", "pass", "drift", "drift", "pass", "pass"]


def test_other_dtype_is_not_compared(cli: Cli, copy_ckpt: CopyCkpt) -> None:
    path = copy_ckpt("plain", "model")
    builders.register(cli, "m", path)
    assert cli("smoke", "m", "--device", "cpu", "--max-new-tokens", "3").exit_code == 0
    builders.write_llama(path, seed=7)
    res = cli("smoke", "m", "--device", "cpu", "--dtype", "bfloat16", "--max-new-tokens", "3",
              "--format", "json")  # fmt: skip
    assert res.exit_code == 0, res.stdout
    run = _run(res.json(), "m")
    assert run["dtype"] == "bfloat16" and run["reference_run_id"] is None


def test_all_skips_passed_content_refuses_what_cannot_fit_and_goes_on(
    cli: Cli, checkpoints: dict[str, Path], copy_ckpt: CopyCkpt, monkeypatch: pytest.MonkeyPatch
) -> None:
    from registry.smoke import files, memory, service

    builders.register(cli, "done", checkpoints["plain"])
    assert cli("smoke", "done", "--device", "cpu", "--max-new-tokens", "2").exit_code == 0
    builders.register(cli, "new", checkpoints["tok"])
    broken = copy_ckpt("tok", "broken")
    builders.corrupt_nan(broken)
    builders.register(cli, "broken", broken)
    builders.register(cli, "big", checkpoints["large"])
    builders.register_remote(cli.db_url, "remote", "hf:org/model")
    small = memory.required_bytes(files.load_bytes(checkpoints["tok"], "float32"))
    big = memory.required_bytes(files.load_bytes(checkpoints["large"], "float32"))
    assert big > small
    monkeypatch.setattr(service, "free_host_bytes", lambda: (small + big) // 2)

    res = cli("smoke", "--all", "--device", "cpu", "--max-new-tokens", "2", "--format", "json")
    assert res.exit_code == 1, res.stderr  # "broken" failed
    out = res.json()
    assert [r["variant"] for r in out["runs"]] == ["big", "broken", "new"]
    assert [r["status"] for r in out["runs"]] == ["refused", "fail", "pass"]
    assert "not started (--force to try anyway)" in _run(out, "big")["reason"]
    assert out["skipped"] == ["done"]
    assert out["not_local"] == ["remote"]
    assert out["summary"]["skipped"] == 1 and out["summary"]["refused"] == 1
    recorded = builders.runs(cli.db_url)
    assert len(recorded) == 3  # done, broken, new: a refused run is not a run

    # Only the refusal is left: exit 4 and it says why.
    res = cli("smoke", "--all", "--device", "cpu", "--max-new-tokens", "2")
    assert res.exit_code == 1  # broken has no passing run yet and fails again
    monkeypatch.setattr(service, "free_host_bytes", lambda: 1)
    res = cli("smoke", "--all", "--device", "cpu", "--max-new-tokens", "2", "--format", "json")
    assert res.exit_code == 4, res.stdout
    assert {r["status"] for r in res.json()["runs"]} == {"refused"}
    assert "refused: not enough free memory" in res.stderr
    forced = cli("smoke", "big", "--device", "cpu", "--max-new-tokens", "2", "--force")
    assert forced.exit_code == 0, forced.stdout


def test_usage_errors(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "plain", checkpoints["plain"])
    cases = [
        (("smoke",), "name one or more variants, or use --all"),
        (("smoke", "plain", "--all"), "name one or more variants, or use --all"),
        (("smoke", "nope", "--device", "cpu"), "no variant named 'nope'"),
        (("smoke", "plain", "--device", "tpu"), "unknown device 'tpu'"),
        (("smoke", "plain", "--dtype", "int8"), "unknown dtype 'int8'"),
        (("smoke", "plain", "--max-new-tokens", "0"), "--max-new-tokens must be between"),
    ]
    for args, message in cases:
        res = cli(*args)
        assert res.exit_code == 2, (args, res.stderr)
        assert message in res.stderr
    assert builders.runs(cli.db_url) == []


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA message")
def test_cuda_without_a_gpu_is_operational(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "plain", checkpoints["plain"])
    res = cli("smoke", "plain", "--device", "cuda")
    assert res.exit_code == 4
    assert "sees no CUDA device" in res.stderr and "--device cpu" in res.stderr


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_bfloat16_run(cli: Cli, checkpoints: dict[str, Path]) -> None:
    builders.register(cli, "plain", checkpoints["plain"])
    res = cli("smoke", "plain", "--device", "cuda", "--dtype", "bfloat16", "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert res.json()["device"]["type"] == "cuda"
    [row] = builders.runs(cli.db_url)
    assert row.memory_kind == "gpu" and row.cuda_version and row.peak_memory_bytes > 0


def test_tied_embeddings_are_not_missing_weights(cli: Cli, tmp_path: Path) -> None:
    path = builders.write_llama(tmp_path / "tied", seed=3, tie_word_embeddings=True)
    builders.register(cli, "tied", path)
    res = cli("smoke", "tied", "--device", "cpu", "--max-new-tokens", "2", "--format", "json")
    assert res.exit_code == 0, res.stdout
    assert _run(res.json(), "tied")["status"] == "pass"
