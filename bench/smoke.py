"""The smoke runner's wall time against plain transformers, measured in one process.

    python bench/smoke.py [--path DIR] [--device cpu|cuda] [--dtype float32|bfloat16]
                          [--max-new-tokens 16] [--reps 5] [--json OUT]
    python bench/smoke.py --build DIR [--preset 55m|1b] [--dtype D] [--device cuda]

Without ``--path`` it builds a small Llama-architecture checkpoint (``--preset 55m``: about
55M parameters, safetensors, grouped-query attention) under ``bench/.work/``; ``--build``
only writes one (``1b``: about 1.1B parameters, built on the GPU for bench/gpu_smoke.sh).
Each repetition times

* runner: ``registry.smoke.runner.run_target`` (load with loading-info checks, architecture
  check, greedy generation with a first-token streamer and per-step logits, the finiteness
  check and the fingerprint), and
* plain: ``AutoModelForCausalLM.from_pretrained`` (same dtype and device) and
  ``generate`` of the same number of tokens from the same prompt ids, greedily;

alternating the two (ABBA order) after one unmeasured warm-up of each (garbage of the previous
measurement is collected before each, outside the timing), and prints the minima and medians
and their ratios (target: runner/plain <= 1.10, judged on the minima, the figure least
disturbed by other work on a shared machine; the medians are printed beside it), and the
same for process CPU time (all threads), which other processes disturb less than wall time.
The catalog is not involved (``modelreg smoke`` adds one read and one short write
transaction per run).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORK = Path(__file__).resolve().parent / ".work"
TARGET = 1.10


PRESETS = {
    # about 55M parameters: quick on a CPU
    "55m": {"hidden_size": 512, "intermediate_size": 1408, "num_hidden_layers": 8,
            "num_attention_heads": 8, "num_key_value_heads": 2},
    # about 1.1B parameters (the TinyLlama shape): for a GPU
    "1b": {"hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 22,
           "num_attention_heads": 32, "num_key_value_heads": 4},
}  # fmt: skip


def build(path: Path, preset: str = "55m", dtype: str = "float32", device: str = "cpu") -> Path:
    """Write a randomly initialised Llama-architecture checkpoint (safetensors) at ``path``."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if (path / "config.json").is_file():
        return path
    config = LlamaConfig(
        vocab_size=32000,
        max_position_embeddings=2048,
        tie_word_embeddings=False,
        **PRESETS[preset],
    )
    torch.manual_seed(0)
    with torch.device(device):  # random initialisation is quick on a GPU
        model = LlamaForCausalLM(config).to(getattr(torch, dtype))
    model.cpu().save_pretrained(str(path), safe_serialization=True)
    return path


def clean(device: str) -> None:
    """Free the previous measurement's model before timing the next (for both sides)."""
    gc.collect()
    if device != "cpu":
        import torch

        torch.cuda.empty_cache()


def plain(path: Path, device: str, dtype: str, ids: list[int], n: int) -> tuple[float, float]:
    import torch
    from transformers import AutoModelForCausalLM

    clean(device)
    start, cpu = time.perf_counter(), time.process_time()
    kwargs = {"dtype": getattr(torch, dtype)}
    if device != "cpu":
        kwargs["device_map"] = device
    model = AutoModelForCausalLM.from_pretrained(str(path), **kwargs)
    input_ids = torch.tensor([ids], device=device)
    with torch.inference_mode():
        out = model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=n,
            min_new_tokens=n,
            do_sample=False,
            pad_token_id=0,
        )
    if device != "cpu":
        torch.cuda.synchronize()
    assert out.shape[1] == len(ids) + n
    return time.perf_counter() - start, time.process_time() - cpu


def runner(path: Path, env: object, dtype: str, n: int) -> tuple[float, float, object]:
    from registry.smoke.runner import SmokeOptions, SmokeTarget, run_target

    clean(str(getattr(env, "device", "cpu")))
    start, cpu = time.perf_counter(), time.process_time()
    options = SmokeOptions(max_new_tokens=n)
    result = run_target(SmokeTarget("bench", path), options, env, dtype)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.status == "pass", result.error
    return wall, cpu, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", type=Path, help="an existing checkpoint (else one is built)")
    parser.add_argument("--build", type=Path, help="build the checkpoint here and exit")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="55m")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (1 by default: steadier timings on a shared machine)",
    )
    args = parser.parse_args()
    if args.threads > 0:
        import torch

        torch.set_num_threads(args.threads)

    from transformers.utils import logging as hf_logging

    from registry.smoke.environment import resolve_environment
    from registry.smoke.files import load_bytes

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if args.build:
        start = time.perf_counter()
        build(args.build, args.preset, args.dtype, "cuda" if args.device != "cpu" else "cpu")
        took = time.perf_counter() - start
        print(f"built {args.build} ({args.preset}, {args.dtype}) in {took:.1f} s")
        return
    path = args.path or build(WORK / f"smoke-llama-{args.preset}", args.preset, args.dtype)
    env = resolve_environment(args.device)
    n = args.max_new_tokens
    _, _, first = runner(path, env, args.dtype, n)  # warm-up: imports, page cache, kernels
    ids = list(first.prompt_ids)  # type: ignore[attr-defined]
    plain(path, env.device, args.dtype, ids, n)
    runs, plains, results, runs_cpu, plains_cpu = [], [], [], [], []
    for rep in range(args.reps):
        for side in ("runner", "plain") if rep % 2 == 0 else ("plain", "runner"):
            if side == "runner":
                t, c, res = runner(path, env, args.dtype, n)
                runs.append(t)
                runs_cpu.append(c)
                results.append(res)
            else:
                t, c = plain(path, env.device, args.dtype, ids, n)
                plains.append(t)
                plains_cpu.append(c)
    rc, pc = min(runs_cpu), min(plains_cpu)
    r, p = min(runs), min(plains)
    rm, pm = statistics.median(runs), statistics.median(plains)
    load = statistics.median(x.load_seconds for x in results)  # type: ignore[attr-defined]
    tps = statistics.median(x.tokens_per_second for x in results)  # type: ignore[attr-defined]
    ttft = statistics.median(x.ttft_seconds for x in results)  # type: ignore[attr-defined]
    weights = load_bytes(path, args.dtype)
    figures = {
        "device": env.device,
        "device_name": env.device_name,
        "dtype": args.dtype,
        "weights_gb": weights / 1e9,
        "max_new_tokens": n,
        "reps": args.reps,
        "runner_s": r,
        "plain_s": p,
        "ratio": r / p,
        "runner_median_s": rm,
        "plain_median_s": pm,
        "ratio_median": rm / pm,
        "runner_cpu_s": rc,
        "plain_cpu_s": pc,
        "ratio_cpu": rc / pc,
        "runner_load_s": load,
        "load_gb_per_s": weights / 1e9 / load,
        "ttft_s": ttft,
        "tokens_per_s": tps,
    }
    print(f"checkpoint  {path} ({weights / 1e9:.3f} GB in {args.dtype})")
    threads = f", {args.threads} CPU thread(s)" if args.threads > 0 else ""
    print(f"device      {env.device} ({env.device_name}), torch {env.torch_version}{threads}")
    print(f"runner      min {r:.3f} s, median {rm:.3f} s ({', '.join(f'{x:.3f}' for x in runs)})")
    print(f"plain       min {p:.3f} s, median {pm:.3f} s ({', '.join(f'{x:.3f}' for x in plains)})")
    print(f"cpu time    runner min {rc:.3f} s, plain min {pc:.3f} s: ratio {rc / pc:.3f}")
    print(f"load        {load:.3f} s, {weights / 1e9 / load:.2f} GB/s")
    print(f"generate    ttft {ttft * 1000:.1f} ms, {tps:.1f} tokens/s (decode)")
    verdict = "met" if r / p <= TARGET else "MISSED"
    print(f"ratio       {r / p:.3f} runner/plain on minima, {rm / pm:.3f} on medians")
    print(f"target      <= {TARGET:.2f} on minima: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
