"""Organisations: country, parents, MAU upsert and validation, grants, on both databases."""

from __future__ import annotations

from typing import Any


def test_org_add_mau_grant_show(cli: Any) -> None:
    assert cli("org", "add", "holding", "--country", "us").exit_code == 0
    assert cli("org", "add", "sub", "--country", "IE", "--parent", "holding").exit_code == 0
    assert cli("org", "add", "sister", "--parent", "holding").exit_code == 0
    res = cli("org", "mau", "sub", "--month", "2024-03", "--users", "100")
    assert res.exit_code == 0
    res = cli("org", "mau", "sub", "--month", "2024-03", "--users", "250")
    assert res.exit_code == 0 and "was 100" in res.stderr  # set again = update
    assert cli("org", "grant", "sub", "--license", "Llama-3", "--ref", "META-9").exit_code == 0
    doc = cli("org", "show", "sister", "--format", "json").json()
    assert doc["family"] == ["holding", "sister", "sub"]
    assert doc["parent"] == "holding"
    sub = cli("org", "show", "sub", "--format", "json").json()
    assert sub["country"] == "IE"
    assert sub["mau"] == [["2024-03", 250]]
    assert sub["grants"] == [["llama3", "META-9"]]  # the alias mapped to the policy id
    listed = cli("org", "list", "--format", "json").json()
    assert [o["name"] for o in listed] == ["holding", "sister", "sub"]


def test_org_input_errors(cli: Any) -> None:
    assert cli("org", "add", "acme", "--country", "US").exit_code == 0
    cases = [
        (("org", "add", "acme"), "already exists"),
        (("org", "add", "x", "--country", "EL"), "did you mean GR"),
        (("org", "add", "x", "--parent", "ghost"), "no organisation named 'ghost'"),
        (("org", "mau", "acme", "--month", "2024-13", "--users", "5"), "YYYY-MM"),
        (("org", "mau", "acme", "--month", "2024-03", "--users", "-5"), "negative"),
        (("org", "mau", "acme", "--month", "2024-03", "--users", "1.5"), "whole number"),
        (("org", "mau", "ghost", "--month", "2024-03", "--users", "5"), "no organisation"),
        (("org", "grant", "acme", "--license", "gpl-9", "--ref", "r"), "no policy"),
        (("org", "grant", "acme", "--license", "llama3", "--ref", " "), "reference"),
    ]
    for args, message in cases:
        res = cli(*args)
        assert res.exit_code == 2, (args, res.stderr)
        assert message in res.stderr, (args, res.stderr)
    doc = cli("org", "show", "acme", "--format", "json").json()
    assert doc["mau"] == [] and doc["grants"] == []  # nothing partial was written
