"""The team server under load: 32 clients for 60 s on a PostgreSQL catalog of 100,000 variants.

    python bench/server_load.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
    python bench/server_load.py --postgres ... --variants 20000 --duration 20   # quicker

Builds a scratch catalog with a lineage 1,000 deep (as ``bench/catalog_scale.py`` does),
creates a user and a token, starts ``modelreg serve --workers N`` as a subprocess on a free
port, and runs the clients (asyncio, one process) for ``--duration`` seconds after a
short warm-up (a minimal keep-alive HTTP/1.1 client: it shares the CPUs with the server).
The mix: 60% get a variant (a random one), 20% check (a random variant for
organisation acme and use service; one in ten is the deepest variant of the chain), 10% list
a page (100 variants from a random name on), 10% record a verification (a random variant).
Prints p50/p95/p99 per kind, throughput and errors, against the targets (p95 ≤ 150 ms for
get and list, ≤ 300 ms for check). Clients and server share the machine, as in DESIGN.md.
If ``mlflow`` is importable the equivalent MLflow reads would be timed too; it is not a
dependency, and without it the script says so.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

TARGETS_MS = {"get": 150.0, "list": 150.0, "check": 300.0, "verify": None}
MIX = (("get", 60), ("check", 20), ("list", 10), ("verify", 10))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def prepare(url: str, variants: int, depth: int) -> tuple[str, str]:
    """Fill the catalog, analyse it, add a user; return (deepest variant, token)."""
    from catalog_scale import build

    from registry.config import load_settings
    from registry.store.connections import SettingsConnections
    from registry.store.local import LocalStore

    deepest = build(url, variants, depth)  # analysed, as autovacuum would have by now
    store = LocalStore(SettingsConnections(load_settings(database_url=url)))
    try:
        store.user_add("bench", role="contributor", namespace=None)
        _view, token = store.token_create("bench", scopes=None, expires="1d", label="bench")
    finally:
        store.close()
    return deepest, token


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [
        sys.executable,
        "-m",
        "registry",
        "--db",
        url,
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise SystemExit("modelreg serve exited")
        time.sleep(0.3)
    raise SystemExit("modelreg serve did not become ready")


class Connection:
    """One keep-alive HTTP/1.1 connection with a minimal client: the load generator shares
    the machine with the server, so it must cost as little CPU as it can (httpx costs about
    as much per request as the server itself)."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} /api/v1{path} HTTP/1.1\r\nHost: {self.host}\r\n".encode() + self.auth
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
        self.writer.write(head + b"\r\n" + (body or b""))
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            key, _, value = line.partition(b":")
            if key.lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return int(status_line.split()[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def run_load(
    port: int,
    token: str,
    names: list[str],
    deepest: str,
    clients: int,
    duration: float,
    warmup: float,
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    import json
    from urllib.parse import quote

    from registry.catalog.paging import encode_cursor

    latencies: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: dict[str, int] = {k: 0 for k, _ in MIX}
    kinds = [k for k, w in MIX for _ in range(w)]
    start = time.perf_counter()
    measure_from = start + warmup
    stop = measure_from + duration

    async def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = Connection("127.0.0.1", port, token)
        try:
            while time.perf_counter() < stop:
                kind = rng.choice(kinds)
                name = rng.choice(names)
                t0 = time.perf_counter()
                try:
                    if kind == "get":
                        status = await conn.request("GET", f"/variants/{quote(name)}")
                    elif kind == "check":
                        target = deepest if rng.random() < 0.1 else name
                        body = {"variant": target, "org": "acme", "use": "service"}
                        status = await conn.request("POST", "/checks", json.dumps(body).encode())
                    elif kind == "list":
                        cursor = encode_cursor(name)
                        status = await conn.request("GET", f"/variants?limit=100&cursor={cursor}")
                    else:
                        body = {
                            "name": name,
                            "root": "/bench",
                            "at_source": False,
                            "quick": False,
                            "files": [],
                        }
                        status = await conn.request(
                            "POST", "/verifications", json.dumps(body).encode()
                        )
                    ok = status < 300
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                    conn.close()
                    conn = Connection("127.0.0.1", port, token)
                t1 = time.perf_counter()
                if t0 >= measure_from and t1 <= stop:
                    latencies[kind].append((t1 - t0) * 1000)
                    if not ok:
                        errors[kind] += 1
        finally:
            conn.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies, errors, duration


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def report(latencies: dict[str, list[float]], errors: dict[str, int], seconds: float) -> bool:
    total = sum(len(v) for v in latencies.values())
    print(
        f"\n{'kind':<8}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}  target"
    )
    ok = True
    for kind, _ in MIX:
        vals = latencies[kind]
        p50, p95, p99 = (percentile(vals, q) for q in (50, 95, 99))
        target = TARGETS_MS[kind]
        met = "" if target is None else ("met" if p95 <= target else "MISSED")
        if target is not None and p95 > target:
            ok = False
        label = "-" if target is None else f"p95 <= {target:.0f} ms {met}"
        print(
            f"{kind:<8}{len(vals):>8}{p50:>10.1f}{p95:>10.1f}{p99:>10.1f}{errors[kind]:>8}  {label}"
        )
    errs = sum(errors.values())
    print(f"\nthroughput {total / seconds:.1f} requests/s over {seconds:.0f} s; errors {errs}")
    if errs:
        ok = False
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--postgres", metavar="ADMIN_URL", default=os.environ.get("MODELREG_TEST_POSTGRES_URL")
    )
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("give --postgres ADMIN_URL (or set MODELREG_TEST_POSTGRES_URL)")
    from catalog_scale import pg_drop, pg_scratch

    pg_name, url = pg_scratch(args.postgres)
    proc = None
    try:
        t0 = time.perf_counter()
        deepest, token = prepare(url, args.variants, args.depth)
        print(
            f"built {args.variants:,} variants, lineage {args.depth:,} deep, in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        names = [f"v-{i}" for i in range(args.depth + 1, args.variants)] + [
            f"chain-{i}" for i in range(args.depth + 1)
        ]
        port = free_port()
        proc = start_server(url, port, args.workers)
        print(
            f"modelreg serve --workers {args.workers}; {args.clients} clients for "
            f"{args.duration:.0f} s after {args.warmup:.0f} s of warm-up; {os.cpu_count()} CPUs"
        )
        server_cpu = cpu_seconds(proc.pid)
        client_cpu = time.process_time()
        lat, err, secs = asyncio.run(
            run_load(
                port,
                token,
                names,
                deepest,
                args.clients,
                args.duration,
                args.warmup,
            )
        )
        server_cpu = cpu_seconds(proc.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        met = report(lat, err, secs)
        served = sum(len(v) for v in lat.values()) * (secs + args.warmup) / secs
        print(
            f"CPU over the run: server {server_cpu:.1f} s, clients {client_cpu:.1f} s; "
            f"server CPU per request about {server_cpu / max(served, 1) * 1000:.1f} ms"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        try:
            import mlflow  # noqa: F401
        except ModuleNotFoundError:
            print("mlflow is not installed: no MLflow comparison in this run")
        else:
            print("mlflow is installed, but its comparison is not implemented in this script")
        print("all targets met" if met else "some targets MISSED")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)
        pg_drop(args.postgres, pg_name)


if __name__ == "__main__":
    main()
