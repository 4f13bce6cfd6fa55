"""The CLI in remote mode: login, a team's day (issue 10's "done when"), a server in trouble.

The rest of the CLI's tests also run in remote mode (the ``cli`` fixture); these are about
what only remote mode has.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.audit.conftest import tamper
from tests.builders import write_checkpoint
from tests.compliance.conftest import NOTICE
from tests.conftest import Cli
from tests.server.conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]


def as_user(server: LiveServer, user: str) -> Cli:
    return Cli(server.db_url, server_url=server.url, token=server.tokens[user])


def test_login_stores_url_and_token_mode_0600(live_server: LiveServer, isolated_home: Path) -> None:
    token = live_server.add_user("alice", "contributor")
    plain = Cli(None)
    bad = plain("login", live_server.url, input="mr_00000000_" + "x" * 43 + "\n")
    assert bad.exit_code == 4 and "invalid, expired or revoked" in bad.stderr
    assert "mr_00000000" not in bad.stderr
    path = Path(plain("config", "path").stdout.strip())
    assert not path.exists()
    res = plain("login", live_server.url, input=token + "\n")
    assert res.exit_code == 0, res.stderr
    assert "logged in" in res.stderr and "alice" in res.stderr and token not in res.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f'server_url = "{live_server.url}"' in text and f'token = "{token}"' in text
    shown = plain("config", "show", "--format", "json").json()
    settings = shown["settings"]  # type: ignore[index]
    assert settings["server_url"]["value"] == live_server.url
    assert settings["token"]["value"] == "***" and settings["mode"]["value"] == "remote"
    assert token not in plain("config", "show").stdout
    # from now on every command goes to the server, as alice
    assert plain("org", "list").exit_code == 0
    me = plain("admin", "token", "list")
    assert me.exit_code == 4 and "needs the admin role" in me.stderr
    db = plain("db", "upgrade")
    assert db.exit_code == 2 and "--db" in db.stderr
    pol = plain("--policies", str(isolated_home), "policy", "list")
    assert pol.exit_code == 2 and "remote mode" in pol.stderr
    assert plain("logout").exit_code == 0
    assert "token" not in path.read_text()
    assert plain("config", "show", "--format", "json").json()["settings"]["mode"]["value"] == (  # type: ignore[index]
        "direct"
    )


def test_a_team_day(live_server: LiveServer, tmp_path: Path) -> None:
    """Issue 10, done when: admin and contributor; register, verify, check remotely; a
    contributor's MAU is refused and absent; every write audited; an edited row detected."""
    live_server.add_user("root", "admin")
    admin = as_user(live_server, "root")
    assert admin("admin", "user", "add", "carol", "--role", "contributor").exit_code == 0
    made = admin("admin", "token", "create", "carol", "--format", "json")
    assert made.exit_code == 0
    live_server.tokens["carol"] = made.json()["token"]  # type: ignore[index]
    carol = as_user(live_server, "carol")

    ckpt = write_checkpoint(
        tmp_path / "chat", card={"license": "llama2"}, extra_files={"NOTICE": NOTICE["llama2"]}
    )
    added = carol("add", ckpt, "--name", "acme/chat", "--format", "json")
    assert added.exit_code == 0, added.stderr
    assert added.json()["created_by"] == "carol"  # type: ignore[index]
    assert carol("verify", "acme/chat").exit_code == 0
    assert admin("org", "add", "acme", "--country", "US").exit_code == 0
    assert admin("org", "mau", "acme", "--month", "2023-06", "--users", "1000").exit_code == 0
    check = carol(
        "check",
        "acme/chat",
        "--org",
        "acme",
        "--use",
        "distribute",
        "--attest",
        "agreement-copy",
        "--format",
        "json",
    )
    assert check.exit_code in (0, 3), check.stdout
    notice = [f for f in check.json()["findings"] if f["rule"] == "notice-file"]  # type: ignore[index]
    assert notice and notice[0]["status"] == "pass"  # the NOTICE recorded by carol's add

    refused = carol("org", "mau", "acme", "--month", "2023-06", "--users", "5")
    assert refused.exit_code == 4
    assert refused.stderr.startswith("error: permission denied: this needs the approver role")
    assert len(refused.stderr.strip().splitlines()) == 1
    shown = admin("org", "show", "acme", "--format", "json").json()
    assert shown["mau"] == [["2023-06", 1000]]  # type: ignore[index]

    trail = admin("audit", "list", "--format", "json").json()
    mine = [(e["actor"], e["action"]) for e in trail]  # type: ignore[union-attr]
    assert ("carol", "variant.add") in mine and ("carol", "verify.record") in mine
    assert ("carol", "check.run") in mine and ("root", "org.mau.set") in mine
    assert not any(a == "carol" and act == "org.mau.set" for a, act in mine)
    table = admin("audit", "list", "--actor", "carol")
    assert "variant.add" in table.stdout and "acme/chat" in table.stdout
    ok = admin("audit", "verify")
    assert ok.exit_code == 0
    seq = next(e["seq"] for e in trail if e["action"] == "org.mau.set")  # type: ignore[union-attr]
    tamper(
        live_server.db_url,
        "UPDATE audit_events SET after = ? WHERE seq = ?",
        (json.dumps({"month": "2023-06", "users": 1}), seq),
    )
    broken = admin("audit", "verify")
    assert broken.exit_code == 1 and f"event #{seq}" in broken.stderr


def test_console_script_in_remote_mode(live_server: LiveServer, tmp_path: Path) -> None:
    """The installed command (typer parses every command line) honours remote mode for the
    read-mostly commands too: they go through the store, never to a default database."""
    token = live_server.add_user("alice", "admin")
    alice = as_user(live_server, "alice")
    assert alice("org", "add", "acme").exit_code == 0
    ckpt = write_checkpoint(tmp_path / "m", card={"license": "mit"})
    assert alice("add", ckpt, "--name", "m").exit_code == 0
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MODELREG_URL": live_server.url,
        "MODELREG_TOKEN": token,
    }
    for args, code, expect in (
        (["list"], 0, "m"),
        (["list", "--license", "mit", "--format", "jsonl"], 0, '"name": "m"'),
        (["verify", "m"], 0, "m: verified"),
        (["show", "m", "--format", "json"], 0, '"name": "m"'),
        (["check", "m", "--org", "acme", "--use", "internal"], 0, "compliant"),
        (["show", "ghost"], 2, "no variant named 'ghost'"),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "registry", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert run.returncode == code, (args, run.stderr)
        assert expect in run.stdout + run.stderr, (args, run.stdout, run.stderr)
    history = alice("check", "--history", "m", "--format", "json").json()
    assert history[0]["os_user"] == "alice"  # type: ignore[index]


class _Broken(BaseHTTPRequestHandler):
    mode = "500"

    def do_GET(self) -> None:  # noqa: N802
        if _Broken.mode == "slow":
            time.sleep(3)
        body = b"<html>proxy error</html>"
        self.send_response(502 if _Broken.mode == "500" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def broken_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Broken)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_server_down_5xx_and_timeout_are_one_line_exit_4(
    broken_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    import registry.store.http as http

    cases = []
    down = Cli(None, server_url="http://127.0.0.1:9", token="mr_x")
    cases.append((down("list"), "is not reachable"))
    _Broken.mode = "500"
    cases.append((Cli(None, server_url=broken_server, token="t")("show", "x"), "HTTP 502"))
    _Broken.mode = "slow"
    monkeypatch.setattr(http, "TIMEOUT", httpx.Timeout(0.5))
    cases.append((Cli(None, server_url=broken_server, token="t")("org", "list"), "in time"))
    for res, words in cases:
        assert res.exit_code == 4, res.stderr
        assert res.stderr.startswith("error: team server http://127.0.0.1:") and words in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
        assert "Traceback" not in res.stderr
