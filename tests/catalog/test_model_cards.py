"""Model cards as the Hub writes them: a ``license:`` list, ``license_name`` alone, a
``base_model`` in another letter case or by Hub id, and ``org/Name@rev`` variant names;
registered and checked through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.hub.cache_builder import cache_repo

BASE = "meta-llama/Llama-2-7b-hf"
SMALL = dict.fromkeys(("2023-06", "2024-03", "2024-06"), 1000)


def add(cli: Cli, path: Path, name: str, *extra: str) -> dict[str, Any]:
    res = cli("add", path, "--name", name, "--format", "json", *extra)
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert isinstance(data, dict)
    return data


def check(cli: Cli, model: str, *args: str) -> dict[str, Any]:
    res = cli("check", model, "--org", "acme", *args, "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    doc = res.json()
    assert isinstance(doc, dict)
    assert res.exit_code == {"compliant": 0, "non_compliant": 1, "needs_review": 3}[doc["verdict"]]
    return doc


def finding(doc: dict[str, Any], rule: str, license: str) -> dict[str, Any]:
    found = [f for f in doc["findings"] if f["rule"] == rule and f["license"] == license]
    assert len(found) == 1, (rule, license, doc["findings"])
    return found[0]  # type: ignore[no-any-return]


@pytest.fixture
def family(cli: Cli, tmp_path: Path) -> Path:
    """A registered Llama 2 base and an organisation with small MAU."""
    add(cli, write_checkpoint(tmp_path / "base", card={"license": "llama2"}), BASE)
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    for month, users in SMALL.items():
        assert cli("org", "mau", "acme", "--month", month, "--users", str(users)).exit_code == 0
    return tmp_path


def test_a_license_list_of_mit_on_a_llama2_derivative_is_laundering(cli: Cli, family: Path) -> None:
    ckpt = write_checkpoint(family / "ft", seed=1, card={"license": ["mit"], "base_model": BASE})
    data = add(cli, ckpt, "acme-chat-mit")
    assert data["license"] == "mit" and data["license_name"] is None
    assert data["parents"] == [{"name": BASE, "relation": "finetune"}]
    doc = check(cli, "acme-chat-mit", "--use", "distribute", "--purpose", "research")
    assert doc["verdict"] == "non_compliant"
    f = finding(doc, "license-inheritance", "mit")
    assert f["status"] == "fail" and "license laundering" in f["reason"]


def test_several_declared_licenses_are_each_evaluated(cli: Cli, family: Path) -> None:
    both = write_checkpoint(
        family / "both", seed=2, card={"license": ["llama2", "MIT"], "base_model": BASE}
    )
    data = add(cli, both, "dual")
    assert data["license"] == "llama2 AND mit"
    doc = check(cli, "dual", "--use", "distribute", "--purpose", "research")
    assert finding(doc, "license-inheritance", "mit")["status"] == "pass"
    # each declared license brings its own rules: MIT's copy and Llama 2's notice
    assert finding(doc, "agreement-copy", "mit")["status"] == "fail"
    assert finding(doc, "notice-file", "llama2")["path"] == ["dual"]
    permissive = write_checkpoint(
        family / "perm", seed=3, card={"license": ["mit", "apache-2.0"], "base_model": BASE}
    )
    assert add(cli, permissive, "two-permissive")["license"] == "mit AND apache-2.0"
    doc = check(cli, "two-permissive", "--use", "internal", "--purpose", "research")
    f = finding(doc, "license-inheritance", "apache-2.0")
    assert f["status"] == "fail" and "llama2" in f["reason"]
    assert {x["license"] for x in doc["findings"]} >= {"mit", "apache-2.0", "llama2"}
    shown = cli("show", "dual")
    assert shown.exit_code == 0 and "llama2 AND mit" in shown.stdout


def test_license_option_takes_an_expression(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m")
    assert add(cli, ckpt, "m", "--license", "llama3 and Apache-2.0")["license"] == (
        "llama3 AND apache-2.0"
    )
    res = cli("add", write_checkpoint(tmp_path / "n", seed=1), "--name", "n", "-l", "mit AND x")
    assert res.exit_code == 2 and "unknown license 'x'" in res.stderr


def test_license_name_alone_is_used(cli: Cli, tmp_path: Path) -> None:
    ckpt = write_checkpoint(tmp_path / "m", card={"license_name": "llama3"})
    data = add(cli, ckpt, "m")
    assert data["license"] == "llama3" and data["license_name"] == "llama3"
    odd = write_checkpoint(tmp_path / "o", seed=1, card={"license_name": "acme-research-only"})
    data = add(cli, odd, "o")
    assert data["license"] == "other" and data["license_name"] == "acme-research-only"


def test_base_model_in_another_letter_case_resolves(cli: Cli, family: Path) -> None:
    lower = write_checkpoint(
        family / "lower", seed=4, card={"license": "llama2", "base_model": BASE.lower()}
    )
    assert add(cli, lower, "lower")["parents"] == [{"name": BASE, "relation": "finetune"}]
    # a card registered before its base: the base settles the reference in any case
    early = write_checkpoint(
        family / "early", seed=5, card={"license": "llama2", "base_model": "ACME/Base-Model"}
    )
    assert add(cli, early, "early")["unresolved_parents"] == [
        {"reference": "ACME/Base-Model", "relation": "finetune"}
    ]
    add(cli, write_checkpoint(family / "b2", seed=6, card={"license": "llama2"}), "acme/base-model")
    shown = cli("show", "early", "--format", "json").json()
    assert shown["parents"] == [{"name": "acme/base-model", "relation": "finetune"}]  # type: ignore[index]
    assert shown["unresolved_parents"] == []  # type: ignore[index]


def test_two_names_differing_only_in_case_stay_ambiguous(cli: Cli, tmp_path: Path) -> None:
    add(cli, write_checkpoint(tmp_path / "a", card={"license": "llama2"}), "Acme/Base")
    add(cli, write_checkpoint(tmp_path / "b", seed=1, card={"license": "llama2"}), "ACME/BASE")
    child = write_checkpoint(
        tmp_path / "c", seed=2, card={"license": "llama2", "base_model": "acme/base"}
    )
    res = cli("add", child, "--name", "c", "--format", "json")
    assert res.exit_code == 0 and "matches 2 registered variants" in res.stderr
    assert res.json()["unresolved_parents"] == [  # type: ignore[index]
        {"reference": "acme/base", "relation": "finetune"}
    ]


def test_base_model_by_hub_id_finds_a_scan_named_revision(cli: Cli, tmp_path: Path) -> None:
    base = write_checkpoint(tmp_path / "base", card={"license": "llama2"})
    add(cli, base, f"{BASE}@0a1b2c3")  # a snapshot copied out of the cache, scan naming
    child = write_checkpoint(
        tmp_path / "ft", seed=1, card={"license": "llama2", "base_model": BASE.upper()}
    )
    assert add(cli, child, "ft")["parents"] == [{"name": f"{BASE}@0a1b2c3", "relation": "finetune"}]


def test_scan_named_llama_variant_passes_the_name_prefix(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "src"
    base = write_checkpoint(src / "base", card={"license": "llama3.1"})
    ft = write_checkpoint(
        src / "ft",
        seed=1,
        card={"license": "llama3.1", "base_model": "meta-llama/llama-3.1-8b"},
    )
    other = write_checkpoint(
        src / "other",
        seed=2,
        card={"license": "llama3.1", "base_model": "meta-llama/Llama-3.1-8B"},
    )
    cache = tmp_path / "hf-cache"
    cache_repo(cache, "meta-llama/Llama-3.1-8B", base, commit="1" * 40)
    cache_repo(cache, "acme/Llama-3-x", ft, commit="2" * 40)
    cache_repo(cache, "acme/chat-x", other, commit="3" * 40)
    res = cli("scan", cache, "--format", "json")
    assert res.exit_code == 0, res.stderr
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    name = "acme/Llama-3-x@" + "2" * 7
    shown = cli("show", name, "--format", "json").json()
    parent = "meta-llama/Llama-3.1-8B@" + "1" * 7
    assert shown["parents"] == [{"name": parent, "relation": "finetune"}]  # type: ignore[index]
    doc = check(cli, name, "--use", "service", "--attest", "built-with")
    f = finding(doc, "model-name-prefix", "llama3.1")
    assert f["status"] == "pass" and "'Llama-3-x'" in f["reason"]
    assert f["path"] == [name]
    doc = check(cli, "acme/chat-x@" + "3" * 7, "--use", "service")
    assert finding(doc, "model-name-prefix", "llama3.1")["status"] == "fail"
    doc = check(cli, name, "--use", "service", "--public-name", "acme/Llama-3.1-x")
    assert finding(doc, "model-name-prefix", "llama3.1")["status"] == "pass"
