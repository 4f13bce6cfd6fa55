"""The cluster examples are valid files that run ``verify --all --shard K/N`` per task."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_slurm_array_script_is_valid_bash_and_shards_by_task_id() -> None:
    script = EXAMPLES / "slurm-verify.sbatch"
    subprocess.run(["bash", "-n", str(script)], check=True)
    text = script.read_text()
    assert "#SBATCH" in text and "SLURM_ARRAY_TASK_ID" in text
    assert 'modelreg verify --all --shard "${index}/${shards}"' in text


def test_kubernetes_indexed_job_shards_by_completion_index() -> None:
    job = yaml.safe_load((EXAMPLES / "k8s-verify-indexed-job.yaml").read_text())
    spec = job["spec"]
    assert job["kind"] == "Job" and spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["SHARDS"] == str(spec["completions"])
    assert 'verify --all --shard "${JOB_COMPLETION_INDEX}/${SHARDS}"' in container["args"][0]
