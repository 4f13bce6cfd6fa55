"""Policy files: every license of COMPLIANCE.md, validated at load, shown by ``policy``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from registry.compliance.policies import load_policies, parse_policy
from registry.compliance.purposes import PURPOSES
from registry.errors import PolicyError
from registry.resources import policies_dir
from tests.conftest import Cli

IDS = {
    "llama1",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "cc-by-nc-4.0",
    "apache-2.0",
    "mit",
    "bsd-3-clause",
    "cc-by-4.0",
    "other",
    "unknown",
}


def test_every_license_has_a_valid_policy() -> None:
    ps = load_policies()
    assert set(ps.policies) == IDS
    months = {pid: ps.policies[pid].measured_month for pid in ps.policies}
    assert months["llama2"] == "2023-06" and months["llama3"] == "2024-03"
    assert months["llama3.1"] == "2024-06" and months["llama3.2"] == "2024-08"
    assert months["llama3.3"] == "2024-11" and months["llama4"] == "2025-03"
    assert ps.policies["llama4"].release_date == dt.date(2025, 4, 5)
    for pid in ("llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"):
        p = ps.policies[pid]
        assert p.spdx.startswith("LicenseRef-scancode-llama-")
        assert p.rules["mau-threshold"].params["threshold"] == 700_000_000
        assert p.notice and p.license_title and p.license_url
    assert "eu-multimodal" not in ps.policies["llama3.1"].rules
    eu = ps.policies["llama3.2"].rules["eu-multimodal"].params["countries"]
    assert len(eu) == 27 and "CH" not in eu and "NO" not in eu and "DE" in eu
    assert ps.policies["llama3"].name_prefix == "Llama 3"
    assert ps.policies["llama3.1"].rules["model-name-prefix"].outputs
    assert not ps.policies["llama3"].rules["model-name-prefix"].outputs
    assert set(ps.policies["llama1"].prohibited_purposes) == {
        "military",
        "nuclear",
        "surveillance",
        "biometric-processing",
    }
    assert ps.effective_id("other", "llama3") == "llama3"
    assert ps.effective_id("gpl-3.0") == "unknown"
    assert ps.effective_id("Apache-2.0") == "apache-2.0"


def test_every_llama_aup_bans_the_listed_slugs() -> None:
    ps = load_policies()
    listed = {
        "military",
        "weapons",
        "critical-infrastructure",
        "surveillance",
        "unlicensed-professional-advice",
        "disinformation",
        "spam",
        "impersonation",
        "malware",
        "harassment",
        "discrimination",
        "csam",
        "human-trafficking",
        "illegal-drugs",
        "self-harm",
    }
    allowed = {
        "general-assistant",
        "code-assistant",
        "research",
        "content-moderation",
        "summarisation",
        "translation",
    }
    assert listed | allowed <= set(PURPOSES)
    for p in ps.policies.values():
        if p.kind == "llama":
            assert listed <= set(p.prohibited_purposes), p.id
        assert not allowed & set(p.prohibited_purposes), p.id


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('schema_version = 1\nname = "x"\nkind = "llama"\nspdx = "x"\n', "field id"),
        ('schema_version = 1\nid = "bad"\nname = "x"\nkind = "nice"\nspdx = "x"\n', "field kind"),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "llama"\nspdx = "x"\n'
            'prohibited_purposes = ["dancing"]\n',
            "field prohibited_purposes",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "llama"\nspdx = "x"\n'
            '[rules.mau-threshold]\nclause = "§2"\nthreshold = 5\n',
            "field release_date",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "llama"\nspdx = "x"\n'
            'release_date = 2024-01-01\n[rules.mau-threshold]\nclause = "§2"\nthreshold = -1\n',
            "field rules.mau-threshold.threshold",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "llama"\nspdx = "x"\n'
            '[rules.teleport]\nclause = "x"\n',
            "field rules.teleport",
        ),
        (
            'schema_version = 1\nid = "other-name"\nname = "x"\nkind = "llama"\nspdx = "x"\n',
            "field id",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "llama"\nspdx = "x"\ncolour = 1\n',
            "field colour",
        ),
        ("id = [", "not valid TOML"),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "permissive"\nspdx = "x"\n'
            '[rules.agreement-copy]\nclause = "§1"\nuses = ["distribute"]\n',
            "field agreement_sentences",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "permissive"\nspdx = "x"\n'
            'agreement_sentences = ["MIT License"]\n',
            "field agreement_sentences",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "permissive"\nspdx = "x"\n'
            'agreement_sentences = ["one two three four", "five six seven eight"]\n'
            "agreement_min_sentences = 3\n",
            "field agreement_min_sentences",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "permissive"\nspdx = "x"\n'
            'license_links = ["by-nc"]\n',
            "field license_links",
        ),
        (
            'schema_version = 1\nid = "bad"\nname = "x"\nkind = "non-commercial"\nspdx = "x"\n'
            '[rules.non-commercial]\nclause = "§2"\nsharing_uses = ["sell"]\n',
            "field rules.non-commercial.sharing_uses",
        ),
    ],
)
def test_schema_errors_name_file_and_field(text: str, field: str) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(Path("/p/bad.toml"), text.encode())
    assert "/p/bad.toml" in str(err.value) and field in str(err.value)
    assert err.value.exit_code == 4


def test_an_organisation_directory_adds_and_overrides(tmp_path: Path) -> None:
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "acme-eula.toml").write_text(
        'schema_version = 1\nid = "acme-eula"\nname = "ACME EULA"\nkind = "permissive"\n'
        'spdx = "LicenseRef-acme-eula"\nlicense_title = "ACME EULA"\n'
        '[rules.agreement-copy]\nclause = "§9"\nuses = ["distribute"]\n'
    )
    text = (policies_dir() / "mit.toml").read_text().replace('"MIT License"', '"Expat"')
    (extra / "mit.toml").write_text(text)
    ps = load_policies([extra])
    assert ps.policies["acme-eula"].rules["agreement-copy"].clause == "§9"
    assert ps.policies["mit"].path == str(extra / "mit.toml")
    assert ps.digests()["mit"]["file"] == str(extra / "mit.toml")
    with pytest.raises(PolicyError, match="does not exist"):
        load_policies([tmp_path / "missing"])


def test_policy_list_and_show(tmp_path: Path) -> None:
    cli = Cli(None)
    res = cli("policy", "list")
    assert res.exit_code == 0
    assert all(pid in res.stdout for pid in IDS)
    res = cli("policy", "show", "llama3.2")
    assert res.exit_code == 0
    assert "military" in res.stdout and "safety-circumvention" in res.stdout
    assert "Built with Llama" in res.stdout and "eu-multimodal" in res.stdout
    assert "2024-08" in res.stdout
    doc = cli("policy", "show", "llama1", "--format", "json").json()
    assert isinstance(doc, dict)
    assert doc["prohibited_purposes"] == [
        "military",
        "nuclear",
        "surveillance",
        "biometric-processing",
    ]
    shown = cli("policy", "show", "llama2")
    assert "agreement text: 11 of 13 distinctive sentences" in shown.stdout
    doc = cli("policy", "show", "cc-by-nc-4.0", "--format", "json").json()
    assert isinstance(doc, dict)
    assert doc["license_links"] == ["creativecommons.org/licenses/by-nc/4.0"]
    assert doc["rules"]["non-commercial"]["sharing_uses"] == ["distribute"]
    assert len(doc["agreement_sentences"]) == 7 and doc["agreement_min_sentences"] == 6
    res = cli("policy", "show", "gpl-9")
    assert res.exit_code == 2 and "no policy 'gpl-9'" in res.stderr
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.toml").write_text(
        'schema_version = 2\nid = "x"\nname = "x"\nkind = "llama"\nspdx = "x"\n'
    )
    res = cli("--policies", bad, "policy", "list")
    assert res.exit_code == 4 and "x.toml" in res.stderr and "schema_version" in res.stderr
