"""The Hub client against the loopback Hub: shapes, retries, errors, token, offline mode."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from registry.errors import EXIT_OPERATIONAL, EXIT_USAGE, HubError, InvalidInputError
from registry.hub.client import HubClient, env_token
from registry.hub.model_info import HubRef, parse_model_info
from tests.hub.conftest import BROKEN, FINETUNE, FLAKY, GATED
from tests.hub.fake_hub import FakeHub, FakeRepo


def no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize(
    ("text", "repo", "rev"),
    [
        ("hf:meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf", None),
        ("hf:acme/x@v1.0", "acme/x", "v1.0"),
        ("hf:gpt2@refs/pr/1", "gpt2", "refs/pr/1"),
    ],
)
def test_refs_parse(text: str, repo: str, rev: str | None) -> None:
    ref = HubRef.parse(text)
    assert (ref.repo_id, ref.revision) == (repo, rev)


@pytest.mark.parametrize(
    "text", ["hf:", "hf:a/b/c", "hf:../x", "hf:acme/x@", "hf:-a/b", "hf:a b/c"]
)
def test_bad_refs_are_usage_errors(text: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        HubRef.parse(text)
    assert info.value.exit_code == EXIT_USAGE


def test_model_info_has_sizes_lfs_sha256_and_git_oids(zoo: FakeHub, finetune_dir: Path) -> None:
    import hashlib

    with HubClient() as client:
        model = client.model_info(HubRef(FINETUNE))
    assert model.revision == zoo.repos[FINETUNE].sha
    by_path = {f.path: f for f in model.files}
    shard = "model-00001-of-00002.safetensors"
    data = (finetune_dir / shard).read_bytes()
    assert by_path[shard].sha256 == hashlib.sha256(data).hexdigest()
    assert by_path[shard].size == len(data)
    assert by_path["config.json"].sha256 is None
    assert by_path["config.json"].git_oid is not None
    assert "blobs=true" in zoo.requests[0][0]


def test_500_then_success_is_retried(zoo: FakeHub) -> None:
    delays: list[float] = []
    with HubClient(sleep=delays.append) as client:
        model = client.model_info(HubRef(FLAKY))
    assert model.repo_id == FLAKY
    assert delays == [0.5]
    assert len([p for p, _ in zoo.requests if "/api/models/" in p]) == 2


def test_persistent_500_gives_up_with_exit_4(hub: FakeHub) -> None:
    hub.add(FakeRepo("acme/down", {}, fail_first=100))
    delays: list[float] = []
    with HubClient(sleep=delays.append, attempts=3) as client, pytest.raises(HubError) as info:
        client.model_info(HubRef("acme/down"))
    assert "500" in str(info.value) and "3 attempts" in str(info.value)
    assert delays == [0.5, 1.0]
    assert info.value.exit_code == EXIT_OPERATIONAL


def test_transport_errors_are_retried_then_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    delays: list[float] = []
    with HubClient(sleep=delays.append) as client, pytest.raises(HubError) as info:
        client.model_info(HubRef("acme/x"))
    assert f"cannot reach http://127.0.0.1:{port}" in str(info.value)
    assert len(delays) == 3


def test_gated_repository_is_a_clear_hub_error(zoo: FakeHub) -> None:
    with HubClient(sleep=no_sleep) as client:
        model = client.model_info(HubRef(GATED))
        assert model.gated
        with pytest.raises(HubError) as info:
            client.read_text(model.repo_id, model.revision, "README.md")
    assert "is gated" in str(info.value)
    assert info.value.hint and "HF_TOKEN" in info.value.hint


def test_unknown_repository_and_revision(zoo: FakeHub) -> None:
    with HubClient(sleep=no_sleep) as client:
        with pytest.raises(HubError, match="access denied to anonymous requests"):
            client.model_info(HubRef("nobody/nothing"))
        with pytest.raises(HubError, match="revision not found"):
            client.model_info(HubRef(FINETUNE, "v9"))
        model = client.model_info(HubRef(FINETUNE))
        assert client.read_text(FINETUNE, model.revision, "absent.txt") is None


def test_malformed_bodies(zoo: FakeHub) -> None:
    with HubClient(sleep=no_sleep) as client, pytest.raises(HubError, match="malformed: not JSON"):
        client.model_info(HubRef(BROKEN))
    ref = HubRef("acme/x")
    good = b'"sha": "' + b"a" * 40 + b'"'
    cases = {
        b"[]": "not a JSON object",
        b"{}": "no commit id",
        b"{" + good + b"}": "no file list",
        b"{" + good + b', "siblings": [{"rfilename": "../x", "size": 1}]}': "unsafe",
        b"{" + good + b', "siblings": [{"rfilename": "a"}]}': "no size",
        b"{" + good + b', "siblings": [{"rfilename": "a", "size": 1}]}': "neither an LFS",
        b"{" + good + b', "siblings": [{"rfilename": "a", "size": 1, "lfs": {"sha256": "x"}}]}': (
            "LFS entry without a SHA-256"
        ),
    }
    for body, why in cases.items():
        with pytest.raises(HubError, match=why):
            parse_model_info(body, ref)


def test_token_is_sent_and_never_shown(zoo: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_SeCrEt")
    with HubClient(sleep=no_sleep) as client, pytest.raises(HubError) as info:
        client.model_info(HubRef("nobody/nothing"))
    assert zoo.requests[-1][1] == "Bearer hf_SeCrEt"
    assert "hf_SeCrEt" not in str(info.value) + str(info.value.hint)
    assert "the token in HF_TOKEN" in str(info.value)


def test_token_file_is_the_fallback(isolated_home: Path) -> None:
    assert env_token() is None
    hf_home = isolated_home / "hf"
    hf_home.mkdir()
    (hf_home / "token").write_text("hf_fromfile\n")
    assert env_token() == "hf_fromfile"


def test_offline_mode_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(HubError, match="HF_HUB_OFFLINE"):
        HubClient()


def test_retry_after_is_honoured_and_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.delenv("HF_HUB_OFFLINE")

    client = HubClient(endpoint="http://127.0.0.1:9", backoff_s=0.5)
    try:
        slow = httpx.Response(429, headers={"Retry-After": "7"})
        huge = httpx.Response(503, headers={"Retry-After": "3600"})
        assert client._delay(1, slow) == 7.0
        assert client._delay(3, None) == 2.0
        assert client._delay(1, huge) == 30.0
    finally:
        client.close()


def test_oversized_answers_are_refused(zoo: FakeHub, monkeypatch: pytest.MonkeyPatch) -> None:
    import registry.hub.client as client_mod

    monkeypatch.setattr(client_mod, "MAX_TEXT_BYTES", 16)
    with HubClient(sleep=no_sleep) as client:
        model = client.model_info(HubRef(FINETUNE))
        with pytest.raises(HubError, match="larger than 16 bytes"):
            client.read_text(FINETUNE, model.revision, "README.md")
