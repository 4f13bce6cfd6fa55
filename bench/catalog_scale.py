"""``check``, ``show`` and ``list`` on a large catalog: a lineage N deep among M variants.

    python bench/catalog_scale.py                       # 20,000 variants, 1,000 deep, SQLite
    python bench/catalog_scale.py --full                # 100,000 variants (the DESIGN target)
    python bench/catalog_scale.py --full --postgres postgresql://postgres@127.0.0.1/postgres

Builds the catalog through the library (the ORM models, bulk inserts, migrated by Alembic),
then times the CLI as a subprocess: median wall time of ``modelreg check`` and ``show`` on
the deepest variant and of ``list`` (target ≤ 0.8 s each), of a filtered first page
(``list --license mit --relation adapter --limit 50`` and ``list --name 'v-9*' --limit 50``:
target ≤ 0.30 s) and of the whole catalog as ``list --format jsonl`` (target ≤ 1.5 s),
against ``python -c pass`` measured in the same run.
With ``--postgres ADMIN_URL`` a scratch database is created there, used, and dropped.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TARGET_S = 0.8
PAGE_TARGET_S = 0.30
JSONL_TARGET_S = 1.5
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def build(url: str, variants: int, depth: int) -> str:
    """Fill the catalog (analysed on PostgreSQL); return the deepest variant of the chain."""
    from sqlalchemy import insert

    from registry.catalog.orgs import add_org, set_mau
    from registry.config import load_settings
    from registry.db.base import utcnow
    from registry.db.engine import open_catalog
    from registry.db.migrate import upgrade
    from registry.db.models import LineageEdge, Variant

    upgrade(url)
    catalog = open_catalog(load_settings(database_url=url))
    rng = random.Random(7)
    licenses = ["llama2", "llama3", "llama3.1", "apache-2.0", "mit", "cc-by-nc-4.0"]
    relations = ["finetune", "adapter", "quantized", "merge"]
    now = utcnow()
    rows = []
    for i in range(variants):
        lic = "llama3" if i <= depth else rng.choice(licenses)
        rows.append(
            {
                "id": i + 1,
                "name": f"chain-{i}" if i <= depth else f"v-{i}",
                "license_id": lic,
                "modalities": ["text"],
                "total_bytes": 0,
                "created_at": now,
            }
        )
    edges = [
        {"child_id": i + 1, "parent_id": i, "relation": "finetune"} for i in range(1, depth + 1)
    ]
    for i in range(depth + 2, variants):  # the rest: a forest of shallow families
        if rng.random() < 0.8:
            parent = rng.randrange(depth + 1, i)
            edges.append(
                {"child_id": i + 1, "parent_id": parent + 1, "relation": rng.choice(relations)}
            )
    with catalog.session(write=True) as s:
        for start in range(0, len(rows), 5000):
            s.execute(insert(Variant), rows[start : start + 5000])
        for start in range(0, len(edges), 5000):
            s.execute(insert(LineageEdge), edges[start : start + 5000])
        if catalog.engine.dialect.name == "postgresql":
            from sqlalchemy import text

            s.execute(text("SELECT setval('variants_id_seq', :n)"), {"n": variants})
    with catalog.session(write=True) as s:
        add_org(s, "acme", country="US")
        set_mau(s, "acme", "2024-03", 1_000_000)
    catalog.dispose()
    if url.startswith("postgresql"):  # statistics and a settled table, as autovacuum leaves
        import psycopg  # a catalog in use

        pg_url = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return f"chain-{depth}"


def median_seconds(cmd: list[str], runs: int) -> tuple[float, int]:
    rc = subprocess.run(cmd, capture_output=True, check=False).returncode  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times), rc


def pg_scratch(admin: str) -> tuple[str, str]:
    import psycopg

    name = f"modelreg_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    base = admin.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def pg_drop(admin: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", type=int, default=20_000)
    parser.add_argument("--depth", type=int, default=1_000)
    parser.add_argument("--full", action="store_true", help="100,000 variants")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="run on PostgreSQL")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    variants = 100_000 if args.full else args.variants
    tmp = Path(tempfile.mkdtemp(prefix="modelreg-bench-"))
    pg_name = None
    if args.postgres:
        pg_name, url = pg_scratch(args.postgres)
    else:
        url = f"sqlite:///{tmp / 'catalog.db'}"
    try:
        start = time.perf_counter()
        deepest = build(url, variants, args.depth)
        print(
            f"built {variants:,} variants, lineage {args.depth:,} deep, in "
            f"{time.perf_counter() - start:.1f} s ({'postgresql' if pg_name else 'sqlite'})"
        )
        # byte-compile the package as `pip install` does (PYTHONDONTWRITEBYTECODE may be set)
        import compileall

        compileall.compile_dir(str(REPO / "registry"), quiet=1)
        exe = shutil.which("modelreg")
        cli = [exe] if exe else [sys.executable, "-m", "registry"]
        check = [
            *cli,
            "--db",
            url,
            "check",
            deepest,
            "--org",
            "acme",
            "--use",
            "service",
            "--format",
            "json",
        ]
        python, _ = median_seconds([sys.executable, "-c", "pass"], args.runs)
        print(f"python -c pass              {python:.3f} s (median of {args.runs})")
        commands = {
            "modelreg check (deepest)": (check, TARGET_S),
            "modelreg show (deepest)": ([*cli, "--db", url, "show", deepest], TARGET_S),
            "modelreg list": ([*cli, "--db", url, "list"], TARGET_S),
            "modelreg list --format json": ([*cli, "--db", url, "list", "-f", "json"], TARGET_S),
            "list --license --relation --limit 50": (
                [*cli, "--db", url, "list", "--license", "mit", "--relation", "adapter"]
                + ["--limit", "50"],
                PAGE_TARGET_S,
            ),
            "list --name 'v-9*' --limit 50": (
                [*cli, "--db", url, "list", "--name", "v-9*", "--limit", "50"],
                PAGE_TARGET_S,
            ),
            "list --format jsonl (all)": (
                [*cli, "--db", url, "list", "--format", "jsonl"],
                JSONL_TARGET_S,
            ),
        }
        for label, (cmd, target) in commands.items():
            took, rc = median_seconds(cmd, args.runs)
            verdict = "met" if took <= target else "MISSED"
            print(
                f"{label:<37} {took:.3f} s (exit {rc}); over python {took - python:.3f} s; "
                f"target {target} s {verdict} ({took / target:.2f} of it)"
            )
    finally:
        if pg_name and args.postgres:
            pg_drop(args.postgres, pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
