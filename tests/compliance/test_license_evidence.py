"""License evidence by content: agreement copies recognised by their text, notices with
typography normalised, license files under any license-like name, the model card.

The samples are the texts as Meta and the other licensors publish them
(``tests/compliance/samples``, ``examples/llama-2-LICENSE.txt``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from registry.compliance.evidence import MAX_BYTES, read_evidence
from registry.compliance.license_text import sentences_present, typography, words
from registry.compliance.policies import load_policies
from tests.compliance.conftest import NOTICE, Zoo, checkpoint_dir, one, sample

SMALL = dict.fromkeys(("2023-06", "2024-03", "2024-06", "2024-08", "2024-11", "2025-03"), 1000)
LLAMA2 = sample("llama-2-LICENSE.txt")
LLAMA2_BODY = LLAMA2.split("\n", 1)[1]  # Meta ships copies without the title line
assert not LLAMA2_BODY.lstrip().startswith("LLAMA 2 COMMUNITY LICENSE AGREEMENT")
LLAMA2_NOTICE_C = NOTICE["llama2"].replace("(c)", "©")  # as Meta republished it


def derived(version: str, date: str) -> str:
    """The Llama 3.2 / 3.3 / 4 agreement: Meta's Llama 3.1 text with the version, date and
    use-policy address changed (Llama 4 says "Version Effective Date")."""
    text = sample("llama3.1-LICENSE.txt").replace("3.1", version).replace("July 23, 2024", date)
    text = text.replace("llama3_1", "llama" + version.replace(".", "_"))
    if version == "4":
        text = text.replace("Llama 4 Version Release Date", "Llama 4 Version Effective Date")
    return text


AGREEMENTS = {
    "llama2": LLAMA2_BODY,
    "llama3": sample("LLAMA3_LICENSE.txt"),
    "llama3.1": sample("llama3.1-LICENSE.txt"),
    "llama3.2": derived("3.2", "September 25, 2024"),
    "llama3.3": derived("3.3", "December 6, 2024"),
    "llama4": derived("4", "April 5, 2025"),
    "mit": sample("MIT-LICENSE"),
}


def check(cli: Any, model: str, *args: str) -> Any:
    res = cli("check", model, "--org", "acme", *args, "--format", "json")
    assert res.exit_code in (0, 1, 3), res.stderr
    return res.json()


def copy_status(cli: Any, model: str, license_id: str, use: str = "distribute") -> str:
    doc = check(cli, model, "--use", use, "--purpose", "research")
    return str(one(doc, "agreement-copy", license_id)["status"])


# ------------------------------------------------------------------ normal forms (no catalog)


def test_words_ignore_typography_layout_and_case() -> None:
    plain = 'Llama 2 is licensed under the LLAMA 2 Community License, Copyright (c) Meta "x"'
    fancy = (
        "• LLAMA 2 IS\r\n  licensed under the\u00a0llama 2 community\u2011license \u2014 "
        "copyright © META “x”"
    )
    assert words(plain) == words(fancy)
    assert words("non-\ntransferable") == words("non-transferable")
    assert words("&quot;Agreement&quot; means") == words('"Agreement" means')
    assert words('\\n\\"Agreement\\" means') == words('"Agreement" means')  # YAML/JSON escapes


def test_typography_keeps_case_and_words_but_unifies_signs() -> None:
    assert typography(LLAMA2_NOTICE_C) == typography(NOTICE["llama2"])
    assert typography(NOTICE["llama2"].replace("(c)", "(C)")) == typography(NOTICE["llama2"])
    assert typography("Copyright ©Meta") == typography("Copyright (c) Meta")
    assert typography("“Notice” ‘x’") == typography("\"Notice\" 'x'")
    assert typography(NOTICE["llama2"].upper()) != typography(NOTICE["llama2"])


@pytest.mark.parametrize("text_of", sorted(AGREEMENTS))
def test_each_agreement_is_recognised_only_by_its_own_policy(text_of: str) -> None:
    policies = load_policies().policies
    text = words(AGREEMENTS[text_of])
    accepted = set()
    for pid, policy in policies.items():
        sentences, need = policy.agreement_evidence
        if need and sentences_present(text, sentences) >= need:
            accepted.add(pid)
    assert accepted == {text_of}


def test_fragments_of_an_agreement_are_not_copies() -> None:
    sentences, need = load_policies().policies["llama2"].agreement_evidence
    lines = LLAMA2.splitlines()
    for fragment in (
        "\n".join(lines[:2]),  # the title and date line
        "\n".join(lines[: len(lines) // 2]),  # definitions and §1
        LLAMA2[: LLAMA2.index("5. Intellectual Property")],  # up to §4
        NOTICE["llama2"] + "\nSee https://ai.meta.com/llama/license/",
    ):
        assert sentences_present(words(fragment), sentences) < need


APACHE_HEADER = """Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0
"""


def test_a_license_header_or_a_sibling_license_is_not_a_copy() -> None:
    policies = load_policies().policies
    mit0 = sample("MIT-LICENSE").replace(
        "The above copyright notice and this permission notice shall be included in all\n"
        "copies or substantial portions of the Software.\n",
        "",
    )
    for pid, text in (("apache-2.0", APACHE_HEADER), ("mit", mit0)):
        sentences, need = policies[pid].agreement_evidence
        assert sentences_present(words(text), sentences) < need, pid


def test_evidence_reads_license_like_names_and_the_card_only(tmp_path: Path) -> None:
    files = {
        "LLAMA3_LICENSE.txt": "a",
        "WEIGHT_DIFF_LICENSE": "b",
        "COPYING": "c",
        "Terms-of-Use.md": "d",
        "user-agreement.rst": "e",
        "LICENCE": "f",
        "README.md": "g",
        "USE_POLICY.md": "not a license",
        "Notice.txt": "n",
        "config.json": "{}",
    }
    root = Path(checkpoint_dir(tmp_path, "ck", files))
    (root / "license.bin").write_bytes(b"\x80\x02}q\x00.\x00\x00")  # binary: not text
    os.mkfifo(root / "LICENSE-fifo")  # never opened: would block
    (root / "LICENSE-dir").mkdir()
    ev = read_evidence(str(root))
    assert [n for n, _ in ev.license_texts] == [
        "COPYING",
        "LICENCE",
        "LLAMA3_LICENSE.txt",
        "README.md",
        "Terms-of-Use.md",
        "WEIGHT_DIFF_LICENSE",
        "user-agreement.rst",
    ]
    assert [n for n, _ in ev.notice_texts] == ["Notice.txt"]


def test_evidence_reads_a_bounded_prefix_of_each_file(tmp_path: Path) -> None:
    padded = "x " * (MAX_BYTES // 2) + LLAMA2_BODY
    root = checkpoint_dir(tmp_path, "ck", {"LICENSE": padded, "NOTICE": NOTICE["llama2"]})
    ev = read_evidence(root)
    (_, text), (_, notice) = ev.license_texts[0], ev.notice_texts[0]
    assert len(text) <= MAX_BYTES and "meta" not in text.split()
    assert notice == typography(NOTICE["llama2"])


# ------------------------------------------------------------------ through check, both databases


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_llama2_agreement_without_its_title_is_a_copy(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    ck = checkpoint_dir(
        tmp_path, "ck", {"LICENSE.txt": LLAMA2_BODY, "NOTICE": LLAMA2_NOTICE_C + "\n"}
    )
    zoo.variant("llama-2-7b-copy", "llama2", source_uri=ck)
    doc = check(cli, "llama-2-7b-copy", "--use", "distribute", "--purpose", "research")
    f = one(doc, "agreement-copy", "llama2")
    assert f["status"] == "pass" and "LICENSE.txt" in f["reason"] and "13 of 13" in f["reason"]
    assert one(doc, "notice-file", "llama2")["status"] == "pass"
    assert doc["verdict"] == "compliant"


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_agreement_as_people_retype_it(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    retyped = (
        LLAMA2_BODY.replace('"', "\u201c")
        .replace("'", "\u2019")
        .replace("(c)", "©")
        .replace("      ", "  \u2022 ")
        .replace(" - ", " \u2013 ")
        .upper()
        .replace("\n", "\r\n")
    )
    ck = checkpoint_dir(tmp_path, "ck", {"LICENSE.md": retyped})
    zoo.variant("retyped", "llama2", source_uri=ck)
    assert copy_status(cli, "retyped", "llama2") == "pass"


@pytest.mark.parametrize(
    ("file_name", "license_id", "text_of"),
    [
        ("LLAMA3_LICENSE.txt", "llama3", "llama3"),
        ("WEIGHT_DIFF_LICENSE", "llama2", "llama2"),
        ("COPYING", "mit", "mit"),
        ("terms.md", "llama3.2", "llama3.2"),
        ("Llama4-Agreement.txt", "llama4", "llama4"),
    ],
)
# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_a_verbatim_agreement_under_any_license_like_name(
    cli: Any, zoo: Zoo, tmp_path: Path, file_name: str, license_id: str, text_of: str
) -> None:
    zoo.org("acme", mau=SMALL)
    ck = checkpoint_dir(tmp_path, "ck", {file_name: AGREEMENTS[text_of]})
    zoo.variant("m", license_id, source_uri=ck)
    doc = check(cli, "m", "--use", "distribute", "--purpose", "research")
    f = one(doc, "agreement-copy", license_id)
    assert f["status"] == "pass" and file_name in f["reason"]


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_use_policy_fragment_and_other_version_are_not_copies(
    cli: Any, zoo: Zoo, tmp_path: Path
) -> None:
    zoo.org("acme", mau=SMALL)
    cases = {
        "use-policy": {"USE_POLICY.md": LLAMA2_BODY},  # not a license-like name
        "fragment": {"LICENSE": LLAMA2[: LLAMA2.index("3. Disclaimer")]},
        "other-version": {"LICENSE": AGREEMENTS["llama3"]},
    }
    for name, files in cases.items():
        zoo.variant(name, "llama2", source_uri=checkpoint_dir(tmp_path, name, files))
    for name in cases:
        doc = check(cli, name, "--use", "distribute", "--purpose", "research")
        f = one(doc, "agreement-copy", "llama2")
        assert f["status"] == "fail", name
        assert "11 of 13 distinctive sentences" in f["reason"]
    f = one(check(cli, "other-version", "--use", "distribute"), "agreement-copy", "llama2")
    assert "closest: LICENSE with 4" in f["reason"]


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_a_card_that_embeds_the_agreement(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    """Meta's Hub cards carry the agreement in ``extra_gated_prompt``, a YAML string with
    escaped line breaks; others paste it in the body as markdown with HTML entities."""
    zoo.org("acme", mau=SMALL)
    gated = "### " + AGREEMENTS["llama3.1"]
    card = f"---\nlicense: llama3.1\nextra_gated_prompt: {json.dumps(gated)}\n---\n\n# Acme Llama\n"
    pasted = "---\nlicense: llama3\n---\n\n## License\n\n" + (
        AGREEMENTS["llama3"].replace("“", "&quot;").replace("”", "&quot;").replace("\n\n", "\n\n> ")
    )
    zoo.variant("gated", "llama3.1", source_uri=checkpoint_dir(tmp_path, "g", {"README.md": card}))
    zoo.variant("pasted", "llama3", source_uri=checkpoint_dir(tmp_path, "p", {"README.md": pasted}))
    assert copy_status(cli, "gated", "llama3.1") == "pass"
    assert copy_status(cli, "pasted", "llama3") == "pass"


# the variants are made by the library, with no evidence recorded at registration, and a
# team server never reads its own disk on a client's word: direct database only
@pytest.mark.direct_only
def test_notice_with_copyright_sign_or_curly_quotes(cli: Any, zoo: Zoo, tmp_path: Path) -> None:
    zoo.org("acme", mau=SMALL)
    notices = {
        "sign": LLAMA2_NOTICE_C,
        "upper-c": NOTICE["llama2"].replace("(c)", "(C)"),
        "quoted": f"\u201c{NOTICE['llama2']}\u201d",
        "llama3-straight": NOTICE["llama3"].replace("©", "(c)"),
        "wrong-version": NOTICE["llama2"].replace("LLAMA 2", "LLAMA 3"),
    }
    for name, text in notices.items():
        license_id = "llama3" if name.startswith("llama3") else "llama2"
        zoo.variant(name, license_id, source_uri=checkpoint_dir(tmp_path, name, {"NOTICE": text}))
    for name in notices:
        license_id = "llama3" if name.startswith("llama3") else "llama2"
        doc = check(cli, name, "--use", "distribute", "--attest", "agreement-copy")
        expected = "fail" if name == "wrong-version" else "pass"
        assert one(doc, "notice-file", license_id)["status"] == expected, name
