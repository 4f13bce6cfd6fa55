#!/usr/bin/env bash
# Smoke-test a ~1.1B-parameter Llama-architecture checkpoint (bf16) on a CUDA device:
# `modelreg smoke --device cuda` through the real CLI, then the runner against plain
# transformers from_pretrained + generate in one process (bench/smoke.py). Prints load GB/s,
# tokens/s and the runner/plain ratio. Budget: about 3-4 minutes on one H100 after start.
#
#   bash bench/gpu_smoke.sh            # from the repository root; figures also in $OUT
#
# Needs on the machine (no network there): python3 with torch (CUDA), transformers, peft,
# accelerate, safetensors, numpy, typer, rich, pyyaml, httpx, and also sqlalchemy, alembic
# (+ mako), platformdirs. The code runs from this working tree (PYTHONPATH), not installed.
# Any missing wheel can travel in .whl/ (ignored by git), made beforehand on a networked
# machine with, for example:
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \
#     --platform manylinux2014_x86_64 -d .whl sqlalchemy alembic mako platformdirs greenlet
# This script installs .whl/*.whl with pip --no-index into /tmp/site when imports fail.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
OUT=${OUT:-$REPO/bench/.work/gpu-out}
WORK=${WORK:-/tmp/modelreg-gpu-smoke}
PY=${PYTHON:-python3}
TOKENS=${TOKENS:-64}
# DEVICE=cpu PRESET=55m DTYPE=float32 rehearses the whole flow on a machine without a GPU.
DEVICE=${DEVICE:-cuda}
PRESET=${PRESET:-1b}
DTYPE=${DTYPE:-bfloat16}
mkdir -p "$OUT" "$WORK"
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1

need='import torch, transformers, peft, accelerate, safetensors, numpy, typer, rich, yaml, sqlalchemy, alembic, platformdirs'
if ! "$PY" -c "$need" 2>/dev/null; then
  if compgen -G ".whl/*.whl" >/dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl
    export PYTHONPATH="$PYTHONPATH:/tmp/site"
  fi
  "$PY" -c "$need" || { echo "missing Python packages (see the header of $0)" >&2; exit 3; }
fi
if [ "$DEVICE" != cpu ]; then
  "$PY" -c 'import torch; assert torch.cuda.is_available(), "no CUDA device"; print("gpu:", torch.cuda.get_device_name(0), "torch", torch.__version__, "cuda", torch.version.cuda)'
  nvidia-smi --query-gpu=name,memory.total,memory.used --format=csv,noheader || true
fi

CKPT="$WORK/llama-$PRESET-$DTYPE"
timeout 300 "$PY" bench/smoke.py --build "$CKPT" --preset "$PRESET" --dtype "$DTYPE" --device "$DEVICE"
du -sh "$CKPT"

# 1. The real CLI on a fresh SQLite catalog: register, then smoke on the GPU (twice: the
#    second run must pass against the first, with no drift).
DB="sqlite:///$WORK/catalog.db"
rm -f "$WORK/catalog.db"
"$PY" -m registry --db "$DB" db upgrade
timeout 300 "$PY" -m registry --db "$DB" add "$CKPT" --name llama >/dev/null
for i in 1 2; do
  start=$EPOCHREALTIME
  rc=0
  timeout 300 "$PY" -m registry --db "$DB" smoke llama --device "$DEVICE" --dtype "$DTYPE" \
    --max-new-tokens "$TOKENS" --format json >"$OUT/smoke-$i.json" || rc=$?
  end=$EPOCHREALTIME
  awk -v i="$i" -v rc="$rc" -v s="$start" -v e="$end" \
    'BEGIN { printf "modelreg smoke run %d: exit %d, %.2f s for the whole command\n", i, rc, e - s }'
  "$PY" - "$OUT/smoke-$i.json" "$CKPT" <<'PY' || exit 1
import json, pathlib, sys
try:
    doc = json.load(open(sys.argv[1]))
except ValueError:
    sys.exit("no JSON from modelreg smoke (see its error above)")
run = doc["runs"][0]
if run["status"] != "pass":
    sys.exit(f"cli: {run['status']}: {run['reason']}")
size = sum(p.stat().st_size for p in pathlib.Path(sys.argv[2]).glob("*.safetensors"))
print(f"cli: pass on {doc['device']['name']} ({run['dtype']}, torch {doc['device']['torch']}, "
      f"CUDA {doc['device']['cuda']}): load {run['load_seconds']:.2f} s = "
      f"{size / 1e9 / run['load_seconds']:.2f} GB/s, ttft {run['ttft_seconds'] * 1000:.1f} ms, "
      f"{run['tokens_per_second']:.1f} tokens/s, peak {run['peak_memory_bytes'] / 2**30:.2f} GiB, "
      f"compared with run {run['reference_run_id']}")
PY
done

# 2. The runner against plain transformers, same process, same checkpoint (hot page cache).
timeout 300 "$PY" bench/smoke.py --path "$CKPT" --device "$DEVICE" --dtype "$DTYPE" \
  --max-new-tokens "$TOKENS" --reps 3 --json "$OUT/bench.json"

# 3. The GPU-marked tests (skipped without CUDA).
timeout 180 "$PY" -m pytest -q -p no:cacheprovider -m gpu tests/smoke || echo "gpu tests: FAILED"
