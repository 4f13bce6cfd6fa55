"""CC BY-NC 4.0 (§3(a)(1)(C) link, §2(a)(1) non-commercial sharing), LLaMA 1 distribution
for research, and the AUP purposes that had no slug; through the real CLI, both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from registry.compliance.policies import load_policies
from registry.compliance.purposes import PURPOSES
from tests.compliance.conftest import Zoo, checkpoint_dir, one

SMALL = dict.fromkeys(("2023-06", "2024-03", "2024-06", "2024-08", "2024-11", "2025-03"), 1000)

# Stanford Alpaca-style card: the weight diff is shared under CC BY-NC 4.0, linked, not copied
ALPACA_CARD = """---
license: cc-by-nc-4.0
---

# Alpaca 7B weight diff

This weight diff is licensed under
[CC BY-NC 4.0](https://creativecommons.org/licenses/by-nc/4.0/) and may be used for
non-commercial research only.
"""


def check(cli: Any, model: str, *args: str) -> Any:
    res = cli("check", model, "--org", "acme", *args, "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    doc = res.json()
    assert res.exit_code == {"compliant": 0, "non_compliant": 1, "needs_review": 3}[doc["verdict"]]
    return doc


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_cc_by_nc_link_is_the_license_copy(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    linked = checkpoint_dir(tmp_path, "linked", {"README.md": ALPACA_CARD})
    sa_link = checkpoint_dir(
        tmp_path,
        "sa",
        {"README.md": ALPACA_CARD.replace("licenses/by-nc/4.0", "licenses/by-nc-sa/4.0")},
    )
    zoo.variant("alpaca-diff", "cc-by-nc-4.0", source_uri=linked)
    zoo.variant("sa-linked", "cc-by-nc-4.0", source_uri=sa_link)
    zoo.variant("no-files", "cc-by-nc-4.0")
    research = ("--use", "distribute", "--purpose", "research")
    doc = check(cli, "alpaca-diff", *research)
    f = one(doc, "agreement-copy", "cc-by-nc-4.0")
    assert f["status"] == "pass" and "README.md links the license" in f["reason"]
    assert f["clause"] == "§3(a)(1)(C) license text or URI"
    assert doc["verdict"] == "compliant"
    f = one(check(cli, "sa-linked", *research), "agreement-copy", "cc-by-nc-4.0")
    assert f["status"] == "fail" and "creativecommons.org/licenses/by-nc/4.0" in f["reason"]
    assert one(check(cli, "no-files", *research), "agreement-copy", "cc-by-nc-4.0")["status"] == (
        "fail"
    )


@pytest.mark.parametrize("license_id", ["cc-by-nc-4.0", "llama1"])
def test_sharing_for_research_is_not_commercial(cli: Any, zoo: Zoo, license_id: str) -> None:
    zoo.org("acme", mau=SMALL)
    zoo.variant("nc-model", license_id)
    shared = check(cli, "nc-model", "--use", "distribute", "--purpose", "research")
    f = one(shared, "non-commercial", license_id)
    assert f["status"] == "pass" and "non-commercial purposes" in f["reason"]
    for purposes in (
        ("--purpose", "general-assistant"),
        ("--purpose", "research", "--purpose", "code-assistant"),
        (),
    ):
        doc = check(cli, "nc-model", "--use", "distribute", *purposes)
        f = one(doc, "non-commercial", license_id)
        assert f["status"] == "fail" and "only for non-commercial purposes" in f["reason"]
    for use in ("internal", "service"):
        f = one(
            check(cli, "nc-model", "--use", use, "--purpose", "research"),
            "non-commercial",
            license_id,
        )
        assert (
            f["status"] == "fail" and "(and distribute for non-commercial purposes)" in f["reason"]
        )


def test_the_new_purposes_are_prohibited_where_the_aup_says(cli: Any, zoo: Zoo) -> None:
    zoo.org("acme", mau=SMALL)
    for lid in ("llama1", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"):
        zoo.variant(f"m-{lid}", lid)
    for lid in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"):
        doc = check(cli, f"m-{lid}", "--use", "internal", "--purpose", "undisclosed-dangers")
        f = one(doc, "aup", lid)
        assert f["status"] == "fail" and "AUP group 4" in f["reason"], lid
        doc = check(cli, f"m-{lid}", "--use", "internal", "--purpose", "harmful-third-party-tools")
        expected = "fail" if lid in ("llama3.2", "llama3.3", "llama4") else "pass"
        assert one(doc, "aup", lid)["status"] == expected, lid
    doc = check(cli, "m-llama1", "--use", "research", "--purpose", "undisclosed-dangers")
    assert one(doc, "aup", "llama1")["status"] == "pass"


def test_every_prohibited_category_of_the_spec_has_a_slug_with_its_clause() -> None:
    """COMPLIANCE.md §1.3, item by item: each category maps to a slug whose description
    cites the AUP group (or LLaMA 1 clause) it comes from."""
    categories = {
        "violence": "groups 1, 2",
        "csam": "group 1",
        "human-trafficking": "group 1",
        "sexual-solicitation": "group 1",
        "harassment": "group 1",
        "discrimination": "group 1",
        "unlicensed-professional-advice": "group 1",
        "sensitive-data-collection": "group 1",
        "ip-infringement": "group 1",
        "malware": "group 1",
        "military": "group 2",
        "nuclear": "group 2",
        "espionage": "group 2",
        "itar-controlled": "group 2",
        "weapons": "group 2",
        "illegal-drugs": "group 2",
        "critical-infrastructure": "group 2",
        "self-harm": "group 2",
        "fraud": "group 3",
        "disinformation": "group 3",
        "defamation": "group 3",
        "spam": "group 3",
        "impersonation": "group 3",
        "ai-output-as-human": "group 3",
        "fake-engagement": "group 3",
        "undisclosed-dangers": "group 4",
        "safety-circumvention": "3.2+",
        "harmful-third-party-tools": "3.2+",
        "biometric-processing": "LLaMA 1",
    }
    for slug, clause in categories.items():
        assert clause in PURPOSES[slug], slug
    policies = load_policies().policies
    for pid in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"):
        banned = set(policies[pid].prohibited_purposes)
        every = {s for s, c in categories.items() if c.startswith("group")}
        assert every <= banned, pid
        later = {"safety-circumvention", "harmful-third-party-tools"}
        assert (later <= banned) == (pid in ("llama3.2", "llama3.3", "llama4")), pid
