"""One scenario per rule and status (COMPLIANCE.md §2.3), through the real CLI, both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.compliance.conftest import NOTICE, Zoo, checkpoint_dir, findings, one, sample

SMALL = dict.fromkeys(("2023-06", "2024-03", "2024-06", "2024-08", "2024-11", "2025-03"), 1000)


def check(cli: Any, model: str, *args: str, code: int | None = None) -> Any:
    res = cli("check", model, *args, "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    doc = res.json()
    assert res.exit_code == {"compliant": 0, "non_compliant": 1, "needs_review": 3}[doc["verdict"]]
    if code is not None:
        assert res.exit_code == code, doc
    return doc


def test_license_inheritance_fail_pass(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-2-7b", "llama2")
    zoo.variant("laundered", "apache-2.0", parents=[("llama-2-7b", "finetune")])
    zoo.variant("honest", "llama2", parents=[("llama-2-7b", "finetune")])
    doc = check(cli, "laundered", "--org", "acme", "--use", "internal", code=1)
    f = one(doc, "license-inheritance", "apache-2.0")
    assert f["status"] == "fail"
    assert "llama2" in f["reason"] and "llama-2-7b" in f["reason"]
    assert f["path"] == ["laundered", "llama-2-7b"]
    # the Llama terms still apply in full to the laundered model
    assert one(doc, "mau-threshold", "llama2")["status"] == "pass"
    doc = check(cli, "honest", "--org", "acme", "--use", "internal", "--purpose", "research")
    assert one(doc, "license-inheritance", "llama2")["status"] == "pass"


def test_unknown_license_review(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("mystery", "unknown")
    zoo.variant("mapped", "other", license_name="llama3")
    zoo.variant("child-of-other", "mit", parents=[("mystery", "finetune")])
    zoo.variant("card-only", "mit", unresolved=[("someone/base-model", "finetune")])
    doc = check(cli, "mystery", "--org", "acme", "--use", "research", code=3)
    assert one(doc, "unknown-license", "unknown")["status"] == "review"
    doc = check(cli, "mapped", "--org", "acme", "--use", "internal", "--purpose", "research")
    assert findings(doc, "unknown-license") == []
    assert one(doc, "mau-threshold", "llama3")["status"] == "pass"
    doc = check(cli, "child-of-other", "--org", "acme", "--use", "research", code=3)
    assert one(doc, "unknown-license", "unknown")["path"] == ["child-of-other", "mystery"]
    doc = check(cli, "card-only", "--org", "acme", "--use", "research", code=3)
    f = one(doc, "unknown-license", "unknown")
    assert "someone/base-model" in f["reason"]


def test_non_commercial(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-7b", "llama1")
    zoo.variant("alpaca", "cc-by-nc-4.0", parents=[("llama-7b", "finetune")])
    doc = check(cli, "alpaca", "--org", "acme", "--use", "internal", "--purpose", "research")
    assert one(doc, "non-commercial", "llama1")["status"] == "fail"
    assert one(doc, "non-commercial", "cc-by-nc-4.0")["status"] == "fail"
    assert doc["verdict"] == "non_compliant"
    doc = check(cli, "alpaca", "--org", "acme", "--use", "research", "--purpose", "research")
    assert one(doc, "non-commercial", "llama1")["status"] == "pass"
    assert one(doc, "non-commercial", "cc-by-nc-4.0")["status"] == "pass"
    assert doc["verdict"] == "compliant"


def test_non_commercial_travels_through_distill_only_for_llama1(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-7b", "llama1")
    zoo.variant("nc-teacher", "cc-by-nc-4.0")
    zoo.variant("base", "apache-2.0")
    zoo.variant(
        "student",
        "apache-2.0",
        parents=[("base", "finetune"), ("llama-7b", "distill"), ("nc-teacher", "distill")],
    )
    doc = check(cli, "student", "--org", "acme", "--use", "internal")
    assert one(doc, "non-commercial", "llama1")["status"] == "fail"
    assert one(doc, "non-commercial", "llama1")["relations"] == ["distill"]
    assert findings(doc, license="cc-by-nc-4.0") == []
    # the teacher's AUP, notice and agreement terms do not bind the student
    assert {f["rule"] for f in findings(doc, license="llama1")} == {"non-commercial"}
    assert one(doc, "license-inheritance", "apache-2.0")["status"] == "pass"


def test_mau_threshold_statuses(cli: Any, zoo: Zoo) -> None:
    zoo.variant("llama-2-7b", "llama2")
    zoo.org("small", mau={"2023-06": 5})
    zoo.org("huge", mau={"2023-06": 900_000_000})
    zoo.org("granted", mau={"2023-06": 900_000_000}, grants={"llama2": "META-123"})
    zoo.org("silent", mau={"2023-07": 5})
    args = ("--use", "internal", "--purpose", "research")
    assert (
        one(check(cli, "llama-2-7b", "--org", "small", *args), "mau-threshold", "llama2")["status"]
        == "pass"
    )
    f = one(check(cli, "llama-2-7b", "--org", "huge", *args, code=1), "mau-threshold", "llama2")
    assert f["status"] == "fail" and f["clause"] == "§2"
    assert (
        "2023-06" in f["reason"] and "900,000,000" in f["reason"] and "700,000,000" in f["reason"]
    )
    assert "huge" in f["reason"]
    f = one(check(cli, "llama-2-7b", "--org", "granted", *args, code=0), "mau-threshold", "llama2")
    assert f["status"] == "pass" and "META-123" in f["reason"]
    f = one(check(cli, "llama-2-7b", "--org", "silent", *args, code=3), "mau-threshold", "llama2")
    assert f["status"] == "review" and "2023-06" in f["reason"]
    f = one(
        check(cli, "llama-2-7b", "--org", "huge", *args, "--end-user", code=0),
        "mau-threshold",
        "llama2",
    )
    assert f["status"] == "n/a"


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_agreement_copy(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    with_license = checkpoint_dir(tmp_path, "ck1", {"LICENSE.txt": sample("LLAMA3_LICENSE.txt")})
    # the title alone is a fragment, not a copy of the agreement
    title_only = checkpoint_dir(
        tmp_path, "ck2", {"LICENSE.txt": "META LLAMA 3 COMMUNITY\n  LICENSE AGREEMENT\n..."}
    )
    zoo.variant("bare", "llama3")
    zoo.variant("packaged", "llama3", source_uri=with_license)
    zoo.variant("title-only", "llama3", source_uri=title_only)
    zoo.variant("llama-2-7b", "llama2")
    f = one(check(cli, "bare", "--org", "acme", "--use", "service"), "agreement-copy", "llama3")
    assert f["status"] == "fail"
    f = one(check(cli, "packaged", "--org", "acme", "--use", "service"), "agreement-copy", "llama3")
    assert f["status"] == "pass" and "LICENSE.txt" in f["reason"]
    doc = check(cli, "title-only", "--org", "acme", "--use", "service")
    f = one(doc, "agreement-copy", "llama3")
    assert f["status"] == "fail" and "13 of 15" in f["reason"]
    doc = check(cli, "bare", "--org", "acme", "--use", "service", "--attest", "agreement-copy")
    assert one(doc, "agreement-copy", "llama3")["status"] == "pass"
    doc = check(cli, "bare", "--org", "acme", "--use", "internal")
    assert one(doc, "agreement-copy", "llama3")["status"] == "n/a"
    # Llama 2 asks for the copy only when distributing, not for a service
    doc = check(cli, "llama-2-7b", "--org", "acme", "--use", "service")
    assert one(doc, "agreement-copy", "llama2")["status"] == "n/a"
    doc = check(cli, "llama-2-7b", "--org", "acme", "--use", "distribute")
    assert one(doc, "agreement-copy", "llama2")["status"] == "fail"


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_notice_file(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    spaced = NOTICE["llama2"].replace(" ", "\n   ", 3)
    good = checkpoint_dir(tmp_path, "good", {"NOTICE": spaced})
    wrong = checkpoint_dir(tmp_path, "wrong", {"NOTICE.txt": NOTICE["llama2"].upper()})
    zoo.variant("good", "llama2", source_uri=good)
    zoo.variant("wrong", "llama2", source_uri=wrong)
    zoo.variant("nofiles", "llama2", source_uri="hf://meta-llama/Llama-2-7b")
    dist = ("--org", "acme", "--use", "distribute", "--attest", "agreement-copy")
    f = one(check(cli, "good", *dist), "notice-file", "llama2")
    assert f["status"] == "pass" and f["clause"] == "§1.b.iii"
    assert one(check(cli, "wrong", *dist), "notice-file", "llama2")["status"] == "fail"
    assert one(check(cli, "nofiles", *dist), "notice-file", "llama2")["status"] == "fail"
    doc = check(cli, "nofiles", *dist, "--attest", "notice-file")
    assert one(doc, "notice-file", "llama2")["status"] == "pass"
    doc = check(cli, "nofiles", "--org", "acme", "--use", "service")
    assert one(doc, "notice-file", "llama2")["status"] == "n/a"


def test_built_with(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-3.1-8b", "llama3.1")
    f = one(
        check(cli, "llama-3.1-8b", "--org", "acme", "--use", "service"), "built-with", "llama3.1"
    )
    assert f["status"] == "fail" and "Built with Llama" in f["reason"]
    doc = check(cli, "llama-3.1-8b", "--org", "acme", "--use", "service", "--attest", "built-with")
    assert one(doc, "built-with", "llama3.1")["status"] == "pass"
    doc = check(cli, "llama-3.1-8b", "--org", "acme", "--use", "internal")
    assert one(doc, "built-with", "llama3.1")["status"] == "n/a"


def test_model_name_prefix(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-3.1-8b", "llama3.1")
    zoo.variant("acme-chat", "llama3.1", parents=[("llama-3.1-8b", "finetune")])
    svc = ("--org", "acme", "--use", "service")
    f = one(check(cli, "acme-chat", *svc), "model-name-prefix", "llama3.1")
    assert f["status"] == "fail" and "'acme-chat'" in f["reason"]
    for name in ("Llama-acme-chat", "LLAMA_acme", "llama acme"):
        doc = check(cli, "acme-chat", *svc, "--public-name", name)
        assert one(doc, "model-name-prefix", "llama3.1")["status"] == "pass", name
    doc = check(cli, "llama-3.1-8b", *svc)  # Meta's original: not a derived model
    assert one(doc, "model-name-prefix", "llama3.1")["status"] == "n/a"
    doc = check(cli, "acme-chat", "--org", "acme", "--use", "internal")
    assert one(doc, "model-name-prefix", "llama3.1")["status"] == "n/a"


def test_improve_other_llm(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-2-70b", "llama2")
    zoo.variant("llama-2-7b", "llama2")
    zoo.variant(
        "own-student", "llama2", parents=[("llama-2-7b", "finetune"), ("llama-2-70b", "distill")]
    )
    doc = check(cli, "own-student", "--org", "acme", "--use", "internal", "--purpose", "research")
    assert one(doc, "improve-other-llm", "llama2")["status"] == "pass"
    doc = check(cli, "llama-2-7b", "--org", "acme", "--use", "internal", "--purpose", "research")
    assert one(doc, "improve-other-llm", "llama2")["status"] == "n/a"


def test_eu_multimodal(cli: Any, zoo: Zoo) -> None:
    zoo.variant("llama-3.2-11b-vision", "llama3.2", modalities=["text", "vision"])
    zoo.variant("llama-3.2-1b", "llama3.2")
    zoo.org("eu-co", country="DE", mau=SMALL)
    zoo.org("swiss-co", country="CH", mau=SMALL)
    zoo.org("nowhere-co", country=None, mau=SMALL)
    args = ("--use", "internal", "--purpose", "general-assistant")
    f = one(
        check(cli, "llama-3.2-11b-vision", "--org", "eu-co", *args, code=1),
        "eu-multimodal",
        "llama3.2",
    )
    assert f["status"] == "fail" and "DE" in f["reason"]
    f = one(
        check(cli, "llama-3.2-11b-vision", "--org", "swiss-co", *args, code=0),
        "eu-multimodal",
        "llama3.2",
    )
    assert f["status"] == "pass"
    f = one(
        check(cli, "llama-3.2-11b-vision", "--org", "nowhere-co", *args, code=3),
        "eu-multimodal",
        "llama3.2",
    )
    assert f["status"] == "review"
    doc = check(cli, "llama-3.2-11b-vision", "--org", "eu-co", *args, "--end-user", code=0)
    assert one(doc, "eu-multimodal", "llama3.2")["status"] == "n/a"
    doc = check(cli, "llama-3.2-1b", "--org", "eu-co", *args, code=0)
    assert one(doc, "eu-multimodal", "llama3.2")["status"] == "n/a"


def test_aup(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("llama-3-8b", "llama3")
    zoo.variant("llama-7b", "llama1")
    base = ("--org", "acme", "--use", "internal")
    f = one(check(cli, "llama-3-8b", *base, "--purpose", "military", code=1), "aup", "llama3")
    assert f["status"] == "fail" and "military" in f["reason"]
    f = one(check(cli, "llama-3-8b", *base, "--purpose", "translation", code=0), "aup", "llama3")
    assert f["status"] == "pass"
    assert (
        one(check(cli, "llama-3-8b", *base, "--attest", "aup"), "aup", "llama3")["status"] == "pass"
    )
    assert one(check(cli, "llama-3-8b", *base, code=3), "aup", "llama3")["status"] == "review"
    # a declared prohibited purpose beats an attestation
    doc = check(cli, "llama-3-8b", *base, "--purpose", "spam", "--attest", "aup")
    assert one(doc, "aup", "llama3")["status"] == "fail"
    # LLaMA 1's own list: biometric processing is banned there, not by Llama 3
    doc = check(
        cli, "llama-7b", "--org", "acme", "--use", "research", "--purpose", "biometric-processing"
    )
    assert one(doc, "aup", "llama1")["status"] == "fail"
    doc = check(cli, "llama-3-8b", *base, "--purpose", "biometric-processing")
    assert one(doc, "aup", "llama3")["status"] == "pass"
