"""``modelreg serve --workers 2``: a listening socket per worker, so a burst of keep-alive
connections is spread over the workers (uvicorn's shared socket gave them all to one).

Linux only: the connections of each worker are read from ``/proc``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from registry.server.workers import supported

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (supported() and Path("/proc/net/tcp").exists()), reason="needs SO_REUSEPORT and /proc"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _inodes(port: int, state: str) -> set[int]:
    """Socket inodes of IPv4 TCP sockets with local port ``port`` in ``state`` (hex)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        cols = line.split()
        if int(cols[1].split(":")[1], 16) == port and cols[3] == state:
            found.add(int(cols[9]))
    return found


def _socket_inodes(pid: int) -> set[int]:
    found = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(int(target[8:-1]))
    return found


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _serve(db_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "registry", "--db", db_url, "serve", "--port", str(port)]
            + ["--workers", "2"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            start_new_session=True,
        )


def _listening_workers(proc: subprocess.Popen[bytes], port: int, log: Path) -> list[int]:
    deadline = time.monotonic() + 90
    while True:
        listening = _inodes(port, "0A")
        workers = [c for c in _children(proc.pid) if _socket_inodes(c) & listening]
        if len(workers) == 2:
            return workers
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def test_a_burst_of_connections_reaches_every_worker(db_url: str, tmp_path: Path) -> None:
    port, log = _free_port(), tmp_path / "serve.log"
    proc = _serve(db_url, port, log)
    try:
        workers = _listening_workers(proc, port, log)
        # sixteen keep-alive connections opened at once, as a proxy's pool or a load test
        # opens them, then one request on each
        conns = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(16)]
        try:
            for c in conns:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            for c in conns:
                assert c.recv(4096).startswith(b"HTTP/1.1 200")
            established = _inodes(port, "01")
            served = {w: len(_socket_inodes(w) & established) for w in workers}
            assert sum(served.values()) == 16, served
            # with one shared socket a worker took them all; by the kernel's hash both get
            # some (all sixteen on one side: a chance of 1 in 32,768)
            assert all(n > 0 for n in served.values()), served
        finally:
            for c in conns:
                c.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0, log.read_text()
    assert not [c for c in workers if Path(f"/proc/{c}").exists()], "a worker outlived the server"


def test_an_address_in_use_is_one_line_and_exit_4(db_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        log = tmp_path / "serve.log"
        proc = _serve(db_url, port, log)
        code = proc.wait(timeout=60)
    text = log.read_text()
    assert code == 4, text
    assert f"cannot listen on 127.0.0.1:{port}" in text and "Traceback" not in text
