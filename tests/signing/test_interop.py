"""Interoperability with sigstore's model_signing, both ways, on keys the tests make.

model_signing signs → ``modelreg verify --signature`` accepts (and names a tampered file);
``modelreg sign`` → model_signing's own verifier accepts (and rejects a tampered file).
"""

from __future__ import annotations

from pathlib import Path

import model_signing
import pytest

from tests.conftest import Cli
from tests.signing.conftest import Signed

# sign and verify --signature read the files and write the catalog database directly;
# through a team server they refuse (test_remote_mode_refuses_signing)
pytestmark = pytest.mark.direct_only


def ms_sign_key(m: Signed, out: Path, *, shards: bool = False) -> Path:
    config = model_signing.signing.Config().use_elliptic_key_signer(private_key=m.private)
    if shards:
        config.set_hashing_config(
            model_signing.hashing.Config().use_shard_serialization(shard_size=64)
        )
    config.sign(m.model, out)
    return out


def ms_sign_cert(m: Signed, out: Path) -> Path:
    model_signing.signing.Config().use_certificate_signer(
        private_key=m.leaf_key, signing_certificate=m.leaf, certificate_chain=[m.intermediates]
    ).sign(m.model, out)
    return out


def records(cli: Cli) -> list[tuple[str, str, str | None, bool]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(cli.db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT method, key_fingerprint, identity, chain_verified "
                    "FROM signature_verifications ORDER BY id"
                )
            )
            return [(r[0], r[1], r[2], bool(r[3])) for r in rows]
    finally:
        engine.dispose()


def test_model_signing_key_bundle_verifies_and_is_recorded(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    sig = ms_sign_key(registered, tmp_path / "model.sig")
    res = cli("verify", "m", "--signature", sig, "--key", registered.public, "--format", "json")
    assert res.exit_code == 0, res.stdout + res.stderr
    doc = res.json()
    assert doc["ok"] is True and doc["method"] == "key"  # type: ignore[index]
    hint = __import__("json").loads(sig.read_text())["verificationMaterial"]["publicKey"]["hint"]
    assert doc["signer"]["key_fingerprint"] == hint  # type: ignore[index]
    statuses = {f["path"]: f["status"] for f in doc["files"]}  # type: ignore[index]
    assert statuses[".gitattributes"] == "ignored"
    assert statuses["model.safetensors"] == "ok" and statuses["tokenizer/vocab.txt"] == "ok"
    assert records(cli) == [("key", hint, None, False)]


def test_a_tampered_or_unsigned_file_fails_naming_it(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    sig = ms_sign_key(registered, tmp_path / "model.sig")
    vocab = registered.model / "tokenizer" / "vocab.txt"
    vocab.write_text("a\nc\n")
    res = cli("verify", "m", "--signature", sig, "--key", registered.public)
    assert res.exit_code == 1
    assert "modified  tokenizer/vocab.txt" in res.stdout
    vocab.write_text("a\nb\n")
    (registered.model / "extra.bin").write_bytes(b"payload")
    res = cli("verify", "m", "--signature", sig, "--key", registered.public)
    assert res.exit_code == 1 and "extra     extra.bin" in res.stdout
    assert records(cli) == []


def test_a_file_registered_but_not_signed_fails(cli: Cli, material: Signed, tmp_path: Path) -> None:
    sig = ms_sign_key(material, tmp_path / "model.sig")
    (material.model / "late.txt").write_text("added after signing")
    assert cli("add", material.model, "--name", "m").exit_code == 0
    res = cli("verify", "m", "--signature", sig, "--key", material.public)
    assert res.exit_code == 1 and "unsigned  late.txt" in res.stdout


def test_bad_signature_wrong_key_and_malformed_bundle(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    import base64
    import json

    from tests.signing import pki

    sig = ms_sign_key(registered, tmp_path / "model.sig")
    other = pki.write_public(pki.new_key(), tmp_path / "other.pub")
    res = cli("verify", "m", "--signature", sig, "--key", other)
    assert (
        res.exit_code == 1 and "SIGNATURE INVALID" in res.stdout and "signed by key" in res.stdout
    )

    doc = json.loads(sig.read_text())
    raw = bytearray(base64.b64decode(doc["dsseEnvelope"]["payload"]))
    raw[raw.index(b'"digest": "') + 11] ^= 1  # one hex digit of a signed digest
    doc["dsseEnvelope"]["payload"] = base64.b64encode(bytes(raw)).decode()
    forged = tmp_path / "forged.sig"
    forged.write_text(json.dumps(doc))
    res = cli("verify", "m", "--signature", forged, "--key", registered.public)
    assert res.exit_code == 1 and "the signature does not verify" in res.stdout

    broken = tmp_path / "broken.sig"
    broken.write_text('{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"')
    res = cli("verify", "m", "--signature", broken, "--key", registered.public)
    assert res.exit_code == 4
    assert res.stderr.count("\n") == 1 and "malformed signature bundle" in res.stderr
    assert records(cli) == []


def test_usage_errors(cli: Cli, registered: Signed, tmp_path: Path) -> None:
    sig = ms_sign_key(registered, tmp_path / "model.sig")
    assert cli("verify", "m", "--signature", sig).exit_code == 2
    assert cli("verify", "m", "--key", registered.public).exit_code == 2
    both = cli(
        "verify",
        "m",
        "--signature",
        sig,
        "--key",
        registered.public,
        "--certificate",
        registered.leaf,
    )
    assert both.exit_code == 2
    assert cli("verify", "m", "--signature", sig, "--identity", "x@example.com").exit_code == 2
    quick = cli("verify", "m", "--signature", sig, "--key", registered.public, "--quick")
    assert quick.exit_code == 2
    res = cli("verify", "m", "--signature", sig, "--certificate", registered.leaf)
    assert res.exit_code == 4 and "carries no certificate" in res.stderr


def test_shard_serialization_is_verified(cli: Cli, registered: Signed, tmp_path: Path) -> None:
    sig = ms_sign_key(registered, tmp_path / "model.sig", shards=True)
    assert cli("verify", "m", "--signature", sig, "--key", registered.public).exit_code == 0
    data = bytearray((registered.model / "model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (registered.model / "model.safetensors").write_bytes(bytes(data))
    res = cli("verify", "m", "--signature", sig, "--key", registered.public)
    assert res.exit_code == 1 and "model.safetensors" in res.stdout


def test_model_signing_certificate_bundle(cli: Cli, registered: Signed, tmp_path: Path) -> None:
    from tests.signing import pki

    sig = ms_sign_cert(registered, tmp_path / "cert.sig")
    pinned = cli("verify", "m", "--signature", sig, "--certificate", registered.leaf)
    assert pinned.exit_code == 0, pinned.stdout + pinned.stderr
    assert "signed by release@example.com" in pinned.stdout
    chained = cli("verify", "m", "--signature", sig, "--ca-bundle", registered.root)
    assert chained.exit_code == 0, chained.stdout
    stranger = pki.write_certs(tmp_path / "stranger.pem", pki.make_chain().root)
    res = cli("verify", "m", "--signature", sig, "--ca-bundle", stranger)
    assert res.exit_code == 1 and "chain does not verify" in res.stdout
    other_leaf = pki.write_certs(tmp_path / "other.pem", pki.make_chain().leaf)
    res = cli("verify", "m", "--signature", sig, "--certificate", other_leaf)
    assert res.exit_code == 1 and "not the one given" in res.stdout
    got = records(cli)
    assert [r[0] for r in got] == ["certificate", "certificate"]
    assert all(r[2] == "release@example.com" and r[3] for r in got)


def test_modelreg_key_bundle_verifies_with_model_signing(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    out = registered.model / "model.sig"  # inside the model: listed in ignore_paths
    res = cli("sign", "m", "--key", registered.private, "-o", out)
    assert res.exit_code == 0, res.stderr
    verifier = model_signing.verifying.Config().use_elliptic_key_verifier(
        public_key=registered.public
    )
    verifier.verify(registered.model, out)
    assert cli("verify", "m", "--signature", out, "--key", registered.public).exit_code == 0
    (registered.model / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="config.json"):
        verifier.verify(registered.model, out)


def test_modelreg_certificate_bundle_verifies_with_model_signing(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    res = cli(
        "sign",
        "m",
        "--key",
        registered.leaf_key,
        "--certificate",
        registered.leaf,
        "--chain",
        registered.intermediates,
    )
    assert res.exit_code == 0, res.stderr
    out = tmp_path / "cert.sig"
    out.write_text(res.stdout)
    model_signing.verifying.Config().use_certificate_verifier(
        certificate_chain=[registered.root]
    ).verify(registered.model, out)


def test_sign_refuses_files_that_are_not_the_registered_ones(
    cli: Cli, registered: Signed, tmp_path: Path
) -> None:
    (registered.model / "config.json").write_text('{"changed": 1}')
    res = cli("sign", "m", "--key", registered.private, "-o", tmp_path / "x.sig")
    assert res.exit_code == 1 and "modified  config.json" in res.stderr
    assert not (tmp_path / "x.sig").exists()
    res = cli("sign", "m", "--key", registered.public)
    assert res.exit_code == 4 and "private key" in res.stderr
    wrong = cli("sign", "m", "--key", registered.private, "--certificate", registered.leaf)
    assert wrong.exit_code == 2


def test_remote_mode_refuses_signing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a team server configured, sign and verify --signature say they need a database
    instead of opening the default catalog file behind the user's back."""
    from tests.conftest import Cli

    monkeypatch.setenv("MODELREG_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MODELREG_TOKEN", "mr_00000000_" + "x" * 43)
    cli = Cli(None)
    key = tmp_path / "key.pem"
    key.write_text("not read")
    for args in (
        ("sign", "m", "--key", key),
        ("verify", "m", "--signature", tmp_path / "b.sig", "--key", key),
    ):
        res = cli(*args)
        assert res.exit_code == 2, res.stderr
        assert "works on a catalog database, not through the team server" in res.stderr
        assert "Traceback" not in res.stderr
