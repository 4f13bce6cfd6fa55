"""Hostile clients: headers, CORS, the body cap, failed-auth limit, hostile input, leaks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import Cli
from tests.server.conftest import LiveServer

API = "/api/v1"
REPO = Path(__file__).resolve().parents[2]


def snapshot(server: LiveServer) -> tuple[int, str]:
    """(audit events, head hash): any write would change it."""
    doc = Cli(server.db_url)("audit", "verify", "--format", "json").json()
    assert isinstance(doc, dict)
    return int(doc["events"]), str(doc["head_hash"])


def test_security_headers_on_every_answer(team: LiveServer) -> None:
    for client, path in (
        (team.client("viewer"), f"{API}/variants"),
        (team.client(), f"{API}/variants"),  # 401
        (team.client("viewer"), f"{API}/nowhere"),  # 404
        (team.client(), "/healthz"),
    ):
        res = client.get(path)
        assert res.headers["x-content-type-options"] == "nosniff"
        assert res.headers["x-frame-options"] == "DENY"
        assert res.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in res.headers["content-security-policy"]
        assert res.headers["cache-control"] == "no-store"
        assert res.headers["x-request-id"]
        assert "server" not in res.headers
    rid = team.client("viewer").get(f"{API}/me", headers={"X-Request-ID": "trace-42"})
    assert rid.headers["x-request-id"] == "trace-42"
    odd = team.client("viewer").get(f"{API}/me", headers={"X-Request-ID": "a b\tc" * 30})
    assert odd.headers["x-request-id"] != "a b\tc" * 30


def test_cors_is_closed(team: LiveServer) -> None:
    viewer = team.client("viewer")
    res = viewer.get(f"{API}/variants", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in res.headers
    pre = viewer.options(
        f"{API}/variants",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code >= 400 and "access-control-allow-origin" not in pre.headers


@pytest.mark.parametrize("live_server", [{"max_body_bytes": 4096}], indirect=True)
def test_request_bodies_are_capped(team: LiveServer) -> None:
    admin = team.client("admin")
    before = snapshot(team)
    big = {"name": "big", "license_name": "x" * 5000}
    res = admin.post(f"{API}/variants", json=big)
    assert res.status_code == 413 and res.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"name": "big", "license_name": "'
        for _ in range(10):
            yield b"x" * 1000
        yield b'"}'

    streamed = admin.post(
        f"{API}/variants", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert snapshot(team) == before
    assert admin.post(f"{API}/variants", json={"name": "small"}).status_code == 201


@pytest.mark.parametrize("live_server", [{"failed_auth_limit": 3}], indirect=True)
def test_failed_authentication_is_rate_limited(live_server: LiveServer) -> None:
    live_server.add_user("alice", "viewer")
    bad = live_server.client(Authorization="Bearer mr_00000000_" + "A" * 43)
    assert live_server.client("alice").get(f"{API}/me").status_code == 200
    codes = [bad.get(f"{API}/me").status_code for _ in range(3)]
    assert codes == [401, 401, 401]
    limited = bad.get(f"{API}/me")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert limited.json()["error"]["code"] == "rate_limited"
    # the whole client address waits (behind a proxy: set --forwarded-allow-ips)
    assert live_server.client("alice").get(f"{API}/me").status_code == 429
    assert live_server.client().get("/healthz").status_code == 200


HOSTILE_BODIES = [
    b"{",  # truncated
    b"not json",
    b"[]",
    b'{"name": 5}',
    b'{"name": null}',
    b"[" * 100_000 + b"]" * 100_000,  # nesting bomb
    b'{"name": "' + "\u0000".encode() + b'"}',
    b'{"name": "\\ud800"}',  # a lone surrogate
]
HOSTILE_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "acme/../root",
    "x'; DROP TABLE variants; --",
    'x" OR "1"="1',
    "a\\b",
    "tab\tname",
    "x" * 300,
    "",
    "acme//x",
]


def test_hostile_input_gets_4xx_and_changes_nothing(team: LiveServer) -> None:
    admin = team.client("admin")
    assert admin.post(f"{API}/variants", json={"name": "acme/base"}).status_code == 201
    assert admin.post(f"{API}/orgs", json={"name": "acme"}).status_code == 201
    before = snapshot(team)
    for raw in HOSTILE_BODIES:
        for path in (f"{API}/variants", f"{API}/orgs", f"{API}/checks"):
            res = admin.post(path, content=raw, headers={"Content-Type": "application/json"})
            assert 400 <= res.status_code < 500, (path, raw[:40], res.status_code, res.text)
            assert res.json()["error"]["exit_code"] in (2, 4)
    for name in HOSTILE_NAMES:
        for path, body in (
            (f"{API}/variants", {"name": name}),
            (f"{API}/orgs", {"name": name}),
            (
                f"{API}/deployments",
                {"name": name, "model": "acme/base", "org": "acme", "use": "internal"},
            ),
            (f"{API}/users", {"name": name, "role": "viewer"}),
            (f"{API}/lineage", {"child": "acme/base", "parent": name}),
        ):
            res = admin.post(path, json=body)
            assert 400 <= res.status_code < 500, (path, name, res.status_code, res.text)
        quoted = quote(name, safe="/")
        for path in (f"{API}/variants/{quoted}", f"{API}/orgs/{quoted}", f"{API}/lineage/{quoted}"):
            if name:
                assert 400 <= admin.get(path).status_code < 500, path
        if name:  # a filter matching nothing, never an injection
            res = admin.get(f"{API}/variants", params={"namespace": name, "license": name})
            assert res.status_code == 422 or res.json()["items"] == [], name
    traversal = {
        "name": "acme/evil",
        "files": [{"path": "../../etc/shadow", "size": 1, "sha256": "0" * 64}],
    }
    assert admin.post(f"{API}/variants", json=traversal).status_code == 422
    bad_hash = {"name": "acme/evil", "files": [{"path": "a", "size": 1, "sha256": "zz"}]}
    assert admin.post(f"{API}/variants", json=bad_hash).status_code == 422
    assert admin.put(f"{API}/orgs/acme/mau/2024-01", json={"users": -1}).status_code == 422
    assert admin.put(f"{API}/orgs/acme/mau/2024-01", json={"users": 10**30}).status_code == 422
    assert snapshot(team) == before
    names = [v["name"] for v in admin.get(f"{API}/variants").json()["items"]]
    assert names == ["acme/base"]


def test_tokens_are_never_in_the_answers(team: LiveServer) -> None:
    token = team.tokens["admin"]
    admin = team.client("admin")
    for path in (f"{API}/me", f"{API}/users", f"{API}/tokens", f"{API}/audit?limit=1000"):
        assert token not in admin.get(path).text and token[12:] not in admin.get(path).text
    wrong = token[:-3] + "xyz"
    res = team.client(Authorization=f"Bearer {wrong}").get(f"{API}/me")
    assert res.status_code == 401 and wrong not in res.text and wrong[12:] not in res.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_command_never_logs_a_token(db_url: str, tmp_path: Path) -> None:
    """The real `modelreg serve` process, its access log and error log captured."""
    cli = Cli(db_url)
    assert cli("admin", "user", "add", "alice", "--role", "admin").exit_code == 0
    token = cli("admin", "token", "create", "alice").stdout.strip()
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "registry", "--db", db_url, "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            assert proc.poll() is None, log.read_text()
            time.sleep(0.2)
        good = {"Authorization": f"Bearer {token}"}
        last = "Q" if token[-1] != "Q" else "R"
        bad = {"Authorization": f"Bearer {token[:-1]}{last}"}
        with httpx.Client(base_url=base, timeout=30) as c:
            assert c.get(f"{API}/me", headers=good).status_code == 200
            assert c.get(f"{API}/me", headers=bad).status_code == 401
            assert c.post(f"{API}/orgs", headers=good, content=b"{").status_code == 422
            made = c.post(f"{API}/tokens", headers=good, json={"user": "alice"}).json()
            assert c.get(f"{API}/variants/{token}", headers=good).status_code == 404
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = log.read_text()
    assert "GET /api/v1/me" in text  # the access log is on
    for secret in (token, token[12:], made["token"], made["token"][12:]):
        assert secret not in text.replace(f"/api/v1/variants/{token}", ""), "a token was logged"
    assert json.dumps(made)  # the new token was in its answer only


def test_nul_and_lone_surrogates_are_refused_not_500(team: LiveServer) -> None:
    """PostgreSQL cannot store NUL and UTF-8 cannot carry a lone surrogate."""
    admin = team.client("admin")
    assert admin.post(f"{API}/orgs", json={"name": "acme"}).status_code == 201
    before = snapshot(team)
    for path in (
        f"{API}/variants/a%00b",
        f"{API}/orgs/a%00b",
        f"{API}/verifications?variant=a%00b",
        f"{API}/checks?variant=a%00b",
        f"{API}/audit?actor=a%00b",
        f"{API}/variants?license=a%00b",
        f"{API}/smoke-runs/passing?digest=a%00&device_type=cpu&dtype=x",
    ):
        res = admin.get(path)
        assert 400 <= res.status_code < 500, (path, res.status_code, res.text)
    for raw in (
        b'{"name": "ok-name", "license_name": "a\\u0000b"}',
        b'{"name": "ok-name", "license_name": "a\\ud800b"}',
        b'{"name": "ok-name", "source_uri": "\\udfff"}',
    ):
        res = admin.post(
            f"{API}/variants", content=raw, headers={"Content-Type": "application/json"}
        )
        assert 400 <= res.status_code < 500, (raw, res.status_code, res.text)
    res = admin.post(
        f"{API}/orgs/acme/grants", json={"license_id": "llama3", "reference": "a\u0000"}
    )
    assert 400 <= res.status_code < 500
    assert snapshot(team) == before
