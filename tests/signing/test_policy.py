"""The ``signature`` rule: ``[signing] require = true`` makes deployment checks demand a
verified signature from a trusted key or identity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.signing.conftest import Signed
from tests.signing.test_interop import ms_sign_cert, ms_sign_key

# sign and verify --signature read the files and write the catalog database directly;
# through a team server they refuse (test_remote_mode_refuses_signing)
pytestmark = pytest.mark.direct_only


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(body)
    monkeypatch.setenv("MODELREG_CONFIG", str(path))
    return path


def signature_finding(res_json: object) -> dict[str, str]:
    return next(f for f in res_json["findings"] if f["rule"] == "signature")  # type: ignore[index]


@pytest.fixture
def deployed(cli: Cli, material: Signed) -> Signed:
    assert cli("add", material.model, "--name", "m", "--license", "mit").exit_code == 0
    assert cli("org", "add", "acme", "--country", "us").exit_code == 0
    args = ["deploy", "add", "prod", "--model", "m", "--org", "acme", "--use", "internal"]
    assert cli(*args).exit_code == 0
    return material


def test_required_signature_from_a_trusted_key(
    cli: Cli, deployed: Signed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sig = ms_sign_key(deployed, tmp_path / "model.sig")
    fingerprint = json.loads(sig.read_text())["verificationMaterial"]["publicKey"]["hint"]
    assert cli("check", "--deployment", "prod").exit_code == 0  # nothing required yet
    config = configure(
        tmp_path, monkeypatch, f'[signing]\nrequire = true\ntrusted_keys = ["{fingerprint}"]\n'
    )
    res = cli("check", "--deployment", "prod", "--format", "json")
    assert res.exit_code == 1
    finding = signature_finding(res.json())
    assert finding["status"] == "fail" and "no verified signature" in finding["reason"]
    assert finding["clause"] == f"[signing] in config file {config}"

    assert cli("verify", "m", "--signature", sig, "--key", deployed.public).exit_code == 0
    res = cli("check", "--deployment", "prod", "--format", "json")
    assert res.exit_code == 0, res.stdout
    assert signature_finding(res.json())["status"] == "pass"
    assert cli("check", "--all").exit_code == 0
    # a plain variant check is not a deployment check: the requirement does not apply
    plain = cli("check", "m", "--org", "acme", "--use", "internal", "--format", "json")
    assert all(f["rule"] != "signature" for f in plain.json()["findings"])  # type: ignore[index]


def test_untrusted_signer_fails_and_identity_needs_a_verified_chain(
    cli: Cli, deployed: Signed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sig = ms_sign_cert(deployed, tmp_path / "cert.sig")
    configure(
        tmp_path,
        monkeypatch,
        '[signing]\nrequire = true\ntrusted_identities = ["someone@example.com"]\n',
    )
    assert cli("verify", "m", "--signature", sig, "--ca-bundle", deployed.root).exit_code == 0
    res = cli("check", "--deployment", "prod", "--format", "json")
    assert res.exit_code == 1
    assert "untrusted signers: release@example.com" in signature_finding(res.json())["reason"]
    configure(
        tmp_path,
        monkeypatch,
        '[signing]\nrequire = true\ntrusted_identities = [{identity = "release@example.com"}]\n',
    )
    assert cli("check", "--deployment", "prod").exit_code == 0


def test_bad_signing_table_is_a_usage_error(
    cli: Cli, deployed: Signed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(tmp_path, monkeypatch, '[signing]\nrequire = true\ntrusted_keys = ["abc"]\n')
    res = cli("check", "--deployment", "prod")
    assert res.exit_code == 2 and "not a SHA-256 key fingerprint" in res.stderr
    configure(tmp_path, monkeypatch, "[signing]\nrequire = true\n")
    assert cli("check", "--deployment", "prod").exit_code == 2
