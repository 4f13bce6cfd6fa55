"""Server time of every web page on a PostgreSQL catalog of 100,000 variants.

    python bench/web_pages.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    python bench/web_pages.py --postgres ... --variants 20000 --requests 20   # quicker

Builds a scratch catalog as ``bench/server_load.py`` does (a lineage 1,000 deep, a forest
of shallow families), adds what the pages show: verifications of 40% of the variants (1%
failed), 20 deployments with releases requested and approved through the library (one of
them of the deepest variant), a MAU change that turns some of them stale, 2,000 older
rejected releases and 50,000 audit events. Starts ``modelreg serve`` (one worker) as a
subprocess, signs in through the login form, and requests each page ``--requests`` times in
a row after a warm-up, one at a time, so the time measured is the server's plus a loopback
round trip. Prints p50/p95 per page against the target (p95 <= 300 ms) and, as the peer
measured in the same run, the JSON API's ``GET /api/v1/variants/{name}``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

TARGET_MS = 300.0
DEPLOYMENTS = 20


def _bulk(url: str, variants: int, depth: int) -> None:
    """Verifications, old releases and audit events, inserted in bulk (no chain kept)."""
    import psycopg

    rng = random.Random(11)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as conn, conn.cursor() as cur:
        rows = []
        for vid in range(1, variants + 1):
            if rng.random() < 0.4:
                ok = rng.random() > 0.025
                rows.append((vid, ok))
        with cur.copy(
            "COPY verifications (variant_id, verified_at, verified_by, root, at_source, quick, "
            "ok, counts, problems) FROM STDIN"
        ) as copy:
            for vid, ok in rows:
                copy.write_row(
                    (vid, "2026-01-01T00:00:00+00", "bench", "/bench", True, False, ok, "{}", "[]")
                )
        evidence = cur.execute("SELECT evidence FROM releases ORDER BY id LIMIT 1").fetchone()
        assert evidence is not None
        from psycopg.types.json import Json

        with cur.copy(
            "COPY releases (deployment_name, variant_name, namespace, org_name, status, verdict, "
            "evidence, evidence_sha256, requested_by, requested_at, decided_by, decided_at, "
            "reason, stale_causes) FROM STDIN"
        ) as copy:
            for i in range(2000):
                name = f"v-{rng.randrange(depth + 1, variants)}"
                copy.write_row(
                    (
                        f"old-{i}",
                        name,
                        "",
                        "acme",
                        "rejected",
                        "compliant",
                        Json(evidence[0]),
                        "0" * 64,
                        "alice",
                        "2025-06-01T00:00:00+00",
                        "carol",
                        "2025-06-02T00:00:00+00",
                        "superseded",
                        Json([]),
                    )
                )
        seq = int(cur.execute("SELECT coalesce(max(seq), 0) FROM audit_events").fetchone()[0])
        actions = ["variant.add", "verify.record", "check.run", "org.mau.set", "deployment.add"]
        with cur.copy(
            "COPY audit_events (seq, at, actor, actor_kind, action, target, after, prev_hash, "
            "hash) FROM STDIN"
        ) as copy:
            for i in range(1, 50_001):
                copy.write_row(
                    (
                        seq + i,
                        "2026-02-01T00:00:00+00",
                        rng.choice(["alice", "bob", "carol", "ci"]),
                        "user",
                        rng.choice(actions),
                        f"v-{rng.randrange(depth + 1, variants)}",
                        Json({"n": i}),
                        f"{seq + i - 1:064x}",
                        f"{seq + i:064x}",
                    )
                )
        conn.commit()
        conn.autocommit = True
        cur.execute("ANALYZE")


def _releases(url: str, depth: int, variants: int) -> None:
    """Deployments, each verified, requested by alice and (most) approved by carol."""
    from registry.audit.actor import Actor
    from registry.catalog.verifications import VerificationOutcome
    from registry.config import load_settings
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    rng = random.Random(5)
    conns = SettingsConnections(load_settings(database_url=url))
    alice = LocalStore(conns, actor=Actor("alice", "os"))
    carol = LocalStore(conns, actor=Actor("carol", "os"))
    alice.org_mau("acme", "2024-06", 2_000_000)
    models = [f"chain-{depth}"] + [
        f"v-{rng.randrange(depth + 1, variants)}" for _ in range(DEPLOYMENTS - 1)
    ]
    for i, model in enumerate(models):
        alice.record_verification(VerificationOutcome(model, "/bench", False, False, ()))
        alice.deploy_add(
            f"dep-{i}",
            model=model,
            org="acme",
            use="internal",
            public_name=None,
            purposes=["code-assistant"],
            attestations=[],
            end_user=False,
        )
        try:
            rel = alice.release_request(f"dep-{i}", "bench")
        except Exception as exc:  # a license that refuses internal use: no release
            print(f"  dep-{i} ({model}): {exc}")
            continue
        if i % 4 != 3:
            carol.release_decide(rel["id"], True, "bench")
    alice.org_mau("acme", "2024-03", 1_500_000)  # llama3's measured month: some turn stale
    alice.close()


def prepare(url: str, variants: int, depth: int) -> str:
    from catalog_scale import build

    from registry.config import load_settings
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    build(url, variants, depth)
    _releases(url, depth, variants)
    _bulk(url, variants, depth)
    store = LocalStore(SettingsConnections(load_settings(database_url=url)))
    try:
        store.user_add("bench", role="viewer", namespace=None)
        _view, token = store.token_create("bench", scopes=None, expires="1d", label="bench")
    finally:
        store.close()
    return token


def sign_in(client: object, token: str) -> None:
    import httpx

    assert isinstance(client, httpx.Client)
    form = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    res = client.post("/login", data={"csrf": csrf.group(1), "token": token, "next": "/"})
    if res.status_code != 303:
        raise SystemExit(f"sign-in failed: {res.status_code}")


def time_page(client: object, path: str, requests: int, warmup: int = 3) -> list[float]:
    import httpx

    assert isinstance(client, httpx.Client)
    out = []
    for i in range(warmup + requests):
        t0 = time.perf_counter()
        res = client.get(path)
        ms = (time.perf_counter() - t0) * 1000
        if res.status_code != 200:
            raise SystemExit(f"GET {path}: {res.status_code} {res.text[:300]}")
        if i >= warmup:
            out.append(ms)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres", metavar="ADMIN_URL", default=os.environ.get("MODELREG_TEST_POSTGRES_URL")
    )
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("give --postgres ADMIN_URL (or set MODELREG_TEST_POSTGRES_URL)")
    import httpx
    from catalog_scale import pg_drop, pg_scratch
    from server_load import free_port, percentile, start_server

    pg_name, url = pg_scratch(args.postgres)
    proc = None
    try:
        t0 = time.perf_counter()
        token = prepare(url, args.variants, args.depth)
        print(f"built {args.variants:,} variants in {time.perf_counter() - t0:.0f} s")
        port = free_port()
        proc = start_server(url, port, 1)
        mid = f"v-{(args.depth + args.variants) // 2}"
        pages = {
            "catalog": "/",
            "catalog: search": "/?q=v-9999",
            "catalog: verification failed": "/?verification=failed",
            "catalog: released": "/?release=released",
            "catalog: license + page 2": "/?license=llama3&after=v-5",
            "catalog: namespace (none)": "/?namespace=acme",
            f"variant: {args.depth} deep, released": f"/variants/chain-{args.depth}",
            "variant: shallow": f"/variants/{quote(mid)}",
            "organisation": "/orgs/acme",
            "releases": "/releases",
            "releases: stale": "/releases?state=stale",
            "release (deepest variant)": "/releases/1",
            "audit log": "/audit",
            "audit: actor filter": "/audit?actor=carol",
            "audit: action prefix": "/audit?action=release.",
        }
        base = f"http://127.0.0.1:{port}"
        with (
            httpx.Client(base_url=base, timeout=60) as web,
            httpx.Client(
                base_url=base, timeout=60, headers={"Authorization": f"Bearer {token}"}
            ) as api,
        ):
            sign_in(web, token)
            peer = time_page(api, f"/api/v1/variants/{quote(mid)}", args.requests)
            peer_p50 = percentile(peer, 50)
            print(
                f"\npeer: JSON API GET /variants/NAME  p50 {peer_p50:.1f} ms  "
                f"p95 {percentile(peer, 95):.1f} ms"
            )
            print(f"\n{'page':<38}{'p50 ms':>9}{'p95 ms':>9}{'x API':>8}  target")
            ok = True
            for label, path in pages.items():
                got = time_page(web, path, args.requests)
                p50, p95 = percentile(got, 50), percentile(got, 95)
                met = p95 <= TARGET_MS
                ok &= met
                verdict = "met" if met else "MISSED"
                print(
                    f"{label:<38}{p50:>9.1f}{p95:>9.1f}{p50 / peer_p50:>8.1f}  "
                    f"p95 <= {TARGET_MS:.0f} ms {verdict}"
                )
        print("\nall pages within the target" if ok else "\nsome pages MISSED the target")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        pg_drop(args.postgres, pg_name)


if __name__ == "__main__":
    main()
