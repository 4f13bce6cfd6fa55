"""Webhooks end to end: queued with the change, delivered signed, retried, logged, replayed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from registry.webhooks import signing
from registry.webhooks.events import EVENTS
from tests.conftest import Cli
from tests.releases.conftest import DEPLOYMENT, VARIANT, build_deployment
from tests.server.conftest import LiveServer
from tests.webhooks.conftest import SECRET, Receiver

API = "/api/v1"


def test_signature_is_the_standard_webhooks_one() -> None:
    # the reference vector of the Standard Webhooks specification's libraries
    sig = signing.signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
    )
    assert sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    with pytest.raises(Exception, match="at least 16 bytes"):
        signing.secret_key("short")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8080/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",
    ],
)
def test_private_targets_are_refused_unless_allowed(url: str) -> None:
    from registry.errors import InvalidInputError
    from registry.webhooks.targets import check_target

    with pytest.raises(InvalidInputError, match="refused"):
        check_target(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "http://user:pw@93.184.216.34/", "http:///nohost", "x"]
)
def test_malformed_targets_are_refused(url: str) -> None:
    from registry.errors import InvalidInputError
    from registry.webhooks.targets import check_target

    with pytest.raises(InvalidInputError):
        check_target(url, allow_private=True)


def test_a_public_address_is_accepted() -> None:
    from registry.webhooks.targets import check_target

    assert check_target("https://93.184.216.34/hook", allow_private=False)


def add_hook(server: LiveServer, url: str, events: list[str]) -> int:
    res = server.client("admin").post(
        f"{API}/webhooks", json={"url": url, "events": events, "secret": SECRET}
    )
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def deliveries(server: LiveServer, **params: str | int) -> list[dict]:  # type: ignore[type-arg]
    res = server.client("admin").get(f"{API}/webhook-deliveries", params=params)
    assert res.status_code == 200, res.text
    return list(res.json()["items"])


def test_events_are_delivered_signed_retried_and_replayed(
    hook_server: LiveServer, receiver: Receiver
) -> None:
    hook = add_hook(hook_server, receiver.url, ["variant.registered", "check.failed"])
    receiver.answers = [500, 503]  # two failures, then 204
    admin = hook_server.client("admin")
    assert admin.post(f"{API}/variants", json={"name": "acme/x", "license_id": "llama3"}).is_success
    receiver.wait_for(lambda got: len(got) == 3)
    first, _, last = receiver.got
    assert first.headers["webhook-id"] == last.headers["webhook-id"]  # the same message
    assert first.body == last.body
    assert signing.verify(SECRET, last.headers, last.body)
    assert not signing.verify(SECRET.replace("c2", "d2"), last.headers, last.body)
    doc = last.doc
    assert doc["type"] == "variant.registered"
    assert doc["data"]["target"] == "acme/x" and doc["data"]["actor"] == "admin"
    [d] = deliveries(hook_server, webhook=hook)
    assert d["status"] == "delivered" and d["attempts"] == 3
    assert [a["status"] for a in d["attempt_log"]] == [500, 503, 204]
    # replay: the same message again
    replayed = admin.post(f"{API}/webhook-deliveries/{d['id']}/replay")
    assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
    receiver.wait_for(lambda got: len(got) == 4)
    assert receiver.got[3].headers["webhook-id"] == first.headers["webhook-id"]
    # an event not subscribed is not sent; a compliant check is no check.failed
    assert admin.post(f"{API}/orgs", json={"name": "acme", "country": "US"}).is_success
    assert admin.put(f"{API}/orgs/acme/mau/2024-03", json={"users": 900_000_000}).is_success
    check = {"variant": "acme/x", "org": "acme", "use": "service"}
    assert admin.post(f"{API}/checks", json=check).json()[0]["verdict"] == "non_compliant"
    receiver.wait_for(lambda got: len(receiver.of("check.failed")) == 1)
    assert receiver.of("check.failed")[0].doc["data"]["after"]["verdict"] == "non_compliant"
    assert len(receiver.got) == 5


def test_failures_stop_after_the_last_attempt(hook_server: LiveServer, receiver: Receiver) -> None:
    add_hook(hook_server, receiver.url, ["variant.registered"])
    receiver.answers = [500, 500, 500, 500]
    admin = hook_server.client("admin")
    assert admin.post(f"{API}/variants", json={"name": "v1"}).is_success
    receiver.wait_for(lambda got: len(got) == 3)
    deadline = time.monotonic() + 10
    while (d := deliveries(hook_server)[0])["status"] == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert d["status"] == "failed" and d["attempts"] == 3 and d["last_error"] == "HTTP 500"
    time.sleep(0.5)
    assert len(receiver.got) == 3  # no fourth attempt


def test_a_write_that_fails_queues_nothing(hook_server: LiveServer, receiver: Receiver) -> None:
    add_hook(hook_server, receiver.url, ["variant.registered"])
    admin = hook_server.client("admin")
    assert admin.post(f"{API}/variants", json={"name": "v1"}).is_success
    receiver.wait_for(lambda got: len(got) == 1)
    dup = admin.post(f"{API}/variants", json={"name": "v1"})
    assert dup.status_code == 409
    time.sleep(0.3)
    assert len(deliveries(hook_server)) == 1 and len(receiver.got) == 1


def test_release_events_and_staleness_fire_once(
    hook_server: LiveServer, receiver: Receiver, tmp_path: Path
) -> None:
    from tests.conftest import Cli

    events = ["release.requested", "release.approved", "release.stale", "verify.failed"]
    add_hook(hook_server, receiver.url, events)
    operator = Cli(hook_server.db_url)
    build_deployment(operator, tmp_path / "models")
    requester, approver = hook_server.client("contributor"), hook_server.client("approver")
    rel = requester.post(f"{API}/releases", json={"deployment": DEPLOYMENT})
    assert rel.status_code == 201, rel.text
    rid = rel.json()["id"]
    ok = approver.post(f"{API}/releases/{rid}/approve", json={"reason": "fine"})
    assert ok.status_code == 200, ok.text
    receiver.wait_for(lambda got: len(got) == 2)
    assert [r.doc["type"] for r in receiver.got] == ["release.requested", "release.approved"]
    admin = hook_server.client("admin")
    assert admin.put(f"{API}/orgs/acme/mau/2023-06", json={"users": 2_000_000}).is_success
    receiver.wait_for(lambda got: len(receiver.of("release.stale")) == 1)
    stale = receiver.of("release.stale")[0].doc["data"]
    assert stale["target"] == DEPLOYMENT and stale["after"]["id"] == rid
    assert "MAU of acme in 2023-06" in stale["after"]["causes"][0]["what"]
    assert admin.put(f"{API}/orgs/acme/mau/2023-06", json={"users": 3_000_000}).is_success
    time.sleep(0.8)  # several sweeps later: still one release.stale
    assert len(receiver.of("release.stale")) == 1
    shown = admin.get(f"{API}/releases/{rid}").json()
    assert shown["state"] == "stale" and shown["stale_at"] and shown["stale_causes"]
    # a verification that found a modified file
    (tmp_path / "models" / "chat" / "model.safetensors").write_bytes(b"\0" * 16)
    assert operator("verify", VARIANT).exit_code == 1
    receiver.wait_for(lambda got: len(receiver.of("verify.failed")) == 1)


def test_policy_changes_are_announced(db_url: str, receiver: Receiver, tmp_path: Path) -> None:
    import shutil

    from registry.resources import policies_dir
    from registry.server.app import create_app
    from registry.server.config import ServerConfig
    from tests.server.conftest import start_server

    mine = tmp_path / "policies"
    mine.mkdir()
    shutil.copy(policies_dir() / "llama3.toml", mine / "llama3.toml")
    config = ServerConfig(
        database_url=db_url,
        policy_dirs=[str(mine)],
        webhook_allow_private=True,
        worker_interval_s=0.05,
        sweep_interval_s=0.1,
    )
    url, server, thread = start_server(create_app(config))
    live = LiveServer(url, db_url)
    try:
        live.add_user("admin", "admin")
        add_hook(live, receiver.url, ["policy.changed"])
        time.sleep(0.3)
        assert receiver.got == []  # the first sweep only records the baseline
        with (mine / "llama3.toml").open("a") as fh:
            fh.write("\n# reviewed again\n")
        receiver.wait_for(lambda got: len(got) == 1)
        after = receiver.got[0].doc["data"]["after"]
        assert set(after["changed"]) == {"llama3"}
        assert after["files"]["llama3"].endswith("llama3.toml")
    finally:
        live.close()
        server.should_exit = True
        thread.join(timeout=30)


def test_loopback_refused_by_a_server_that_does_not_allow_it(team: LiveServer) -> None:
    res = team.client("admin").post(
        f"{API}/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["variant.registered"], "secret": SECRET},
    )
    assert res.status_code == 422 and "refused" in res.json()["error"]["message"]
    for role in ("viewer", "contributor", "approver"):
        denied = team.client(role).get(f"{API}/webhooks")
        assert denied.status_code == 403
    bad = team.client("admin").post(
        f"{API}/webhooks",
        json={"url": "https://93.184.216.34/x", "events": ["nope"], "secret": SECRET},
    )
    assert bad.status_code == 422 and "unknown event" in bad.json()["error"]["message"]
    assert set(EVENTS) >= {"release.stale", "policy.changed"}


def test_two_server_processes_deliver_each_event_once(db_url: str, receiver: Receiver) -> None:
    from registry.server.app import create_app
    from registry.server.config import ServerConfig
    from tests.server.conftest import start_server

    config = ServerConfig(
        database_url=db_url,
        failed_auth_limit=10_000,
        webhook_allow_private=True,
        worker_interval_s=0.01,
    )
    servers = [start_server(create_app(config)) for _ in range(2)]
    live = LiveServer(servers[0][0], db_url)
    try:
        live.add_user("admin", "admin")
        add_hook(live, receiver.url, ["variant.registered"])
        admin = live.client("admin")
        for i in range(20):
            assert admin.post(f"{API}/variants", json={"name": f"v{i}"}).is_success
        receiver.wait_for(lambda got: len(got) >= 20)
        time.sleep(0.5)
        ids = [r.headers["webhook-id"] for r in receiver.got]
        assert len(ids) == 20 and len(set(ids)) == 20
        assert all(d["attempts"] == 1 for d in deliveries(live))
    finally:
        live.close()
        for _, server, thread in servers:
            server.should_exit = True
            thread.join(timeout=30)


def test_webhook_commands(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    add = cli(
        "webhook", "add", "https://93.184.216.34/hook",
        "--events", "release.approved,release.stale", "--secret-file", secret,
    )  # fmt: skip
    assert add.exit_code == 0, add.stderr
    hook = add.stdout.strip()
    listed = cli("webhook", "list")
    assert f"#{hook}\thttps://93.184.216.34/hook\trelease.approved,release.stale" in listed.stdout
    assert SECRET not in listed.stdout + cli("webhook", "list", "--format", "json").stdout
    bad = cli("webhook", "add", "http://127.0.0.1/x", "--events", "release.stale",
              "--secret-file", secret)  # fmt: skip
    assert bad.exit_code == 2 and "refused" in bad.stderr
    empty = tmp_path / "empty"
    empty.write_text("")
    nosecret = cli("webhook", "add", "https://93.184.216.34/x", "--events", "release.stale",
                   "--secret-file", empty)  # fmt: skip
    assert nosecret.exit_code == 2
    assert cli("webhook", "deliveries", "list").stdout.strip() == "(no deliveries)"
    assert cli("webhook", "rm", hook).exit_code == 0
    assert cli("webhook", "rm", hook).exit_code == 2
    audit = cli("audit", "list", "--action", "webhook.", "--format", "json").json()
    assert [e["action"] for e in audit] == ["webhook.add", "webhook.rm"]  # type: ignore[index]
    assert SECRET not in str(audit)


@pytest.mark.direct_only
def test_deliveries_listed_and_replayed_on_a_database(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[server]\nwebhook_allow_private = true\n")
    secret = tmp_path / "secret"
    secret.write_text(SECRET)
    import os

    os.environ["MODELREG_CONFIG"] = str(config)
    try:
        add = cli("webhook", "add", "http://127.0.0.1:9/x", "--events", "variant.registered",
                  "--secret-file", secret)  # fmt: skip
        assert add.exit_code == 0, add.stderr
    finally:
        del os.environ["MODELREG_CONFIG"]
    from tests.builders import write_checkpoint

    assert cli("add", write_checkpoint(tmp_path / "m"), "--name", "m").exit_code == 0
    rows = cli("webhook", "deliveries", "list", "--format", "json").json()
    assert [(d["event"], d["status"]) for d in rows] == [("variant.registered", "pending")]  # type: ignore[index]
    replay = cli("webhook", "deliveries", "replay", str(rows[0]["id"]))  # type: ignore[index]
    assert replay.exit_code == 0
