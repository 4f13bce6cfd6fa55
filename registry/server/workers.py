"""``modelreg serve --workers N``: worker processes with a listening socket each (SO_REUSEPORT).

uvicorn's own supervisor shares one listening socket between its workers, and asyncio
accepts every connection waiting on a socket at once. A burst of keep-alive connections (a
proxy's upstream pool, a load test, many CI jobs starting together) then lands on the
worker that woke first, which serves them all on one core while the others idle: the
team server's writes queued behind each other and its throughput halved on two cores.

Here every worker binds its own socket to the address with ``SO_REUSEPORT`` and the kernel
spreads new connections over the workers by a hash of each connection. The supervisor
holds a bound socket of its own (never listening, so it is given no connection) to keep the
address, starts the workers, restarts one that dies after it served, and stops them all on
SIGINT or SIGTERM. A worker that exits during its first seconds (the application failed
to start) stops the server, as uvicorn's supervisor does. Where the platform has no
``SO_REUSEPORT``, ``modelreg serve`` uses uvicorn's supervisor.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.connection import wait
from typing import Any

from registry.errors import OperationalError

LOG = logging.getLogger("modelreg.serve")
STARTUP_S = 10.0  # a worker that exits sooner never served: the server stops
STOP_S = 30.0  # how long workers get to finish their requests on shutdown
BACKLOG = 2048


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def reuseport_socket(host: str, port: int, *, listen: bool = True) -> socket.socket:
    """A TCP socket bound to (host, port) with ``SO_REUSEPORT``, listening unless told not."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        if listen:
            sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def _worker(options: dict[str, Any]) -> None:
    """A worker process: its own socket on the shared address, one uvicorn server on it."""
    import uvicorn

    config = uvicorn.Config(**options)
    sock = reuseport_socket(config.host, config.port)
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(options: dict[str, Any], workers: int) -> None:
    """Serve with ``workers`` processes until SIGINT/SIGTERM.

    ``options`` are ``uvicorn.Config``'s keyword arguments (``host`` and ``port`` included).
    Raises ``OperationalError`` (exit 4) when the address is taken or a worker fails to start.
    """
    host, port = str(options["host"]), int(options["port"])
    try:
        keep = reuseport_socket(host, port, listen=False)
    except OSError as exc:
        raise OperationalError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    spawn = multiprocessing.get_context("spawn")
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    def start() -> tuple[multiprocessing.process.BaseProcess, float]:
        proc = spawn.Process(target=_worker, args=(options,), name="modelreg-worker")
        proc.start()
        return proc, time.monotonic()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    procs = [start() for _ in range(workers)]
    failed = False
    try:
        while not stopping:
            wait([p.sentinel for p, _ in procs], timeout=0.5)
            for i, (proc, started) in enumerate(procs):
                if proc.is_alive() or stopping:
                    continue
                if time.monotonic() - started < STARTUP_S:
                    LOG.error("a worker exited while starting (code %s): stopping", proc.exitcode)
                    stopping = failed = True
                    break
                LOG.warning("worker %s exited (code %s): starting another", proc.pid, proc.exitcode)
                procs[i] = start()
    finally:
        for proc, _ in procs:
            if proc.is_alive():
                proc.terminate()  # SIGTERM: uvicorn finishes the requests under way
        deadline = time.monotonic() + STOP_S
        for proc, _ in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        keep.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failed:
        raise OperationalError("the team server stopped: a worker failed to start (above)")
