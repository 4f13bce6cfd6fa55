"""The fixed vocabulary of purpose slugs (COMPLIANCE.md §1.3) and the use/attestation words.

A policy lists the slugs its Acceptable Use Policy prohibits; ``check --purpose`` and
``deploy add --purpose`` accept only slugs from :data:`PURPOSES`. An unknown slug is a usage
error (exit 2) whose message lists the whole vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.errors import InvalidInputError

PURPOSES: dict[str, str] = {
    # prohibited by every Llama 2-4 AUP; the groups are the AUP's numbered paragraphs:
    # 1 break the law or others' rights, 2 risk of death or bodily harm, 3 deceive or
    # mislead, 4 fail to disclose known dangers. LLaMA 1: its §2.a restrictions.
    "military": "military, warfare (AUP group 2; LLaMA 1 §2.a(ii))",
    "weapons": "weapons development (AUP group 2)",
    "nuclear": "nuclear industries or applications (AUP group 2; LLaMA 1 §2.a(ii))",
    "espionage": "espionage (AUP group 2)",
    "itar-controlled": "uses subject to ITAR (AUP group 2)",
    "critical-infrastructure": "critical infrastructure, heavy machinery (AUP group 2)",
    "surveillance": "surveillance (AUP group 1; LLaMA 1 §2.a(iii))",
    "unlicensed-professional-advice": "unlicensed legal, medical, financial practice (AUP group 1)",
    "sensitive-data-collection": "collecting sensitive personal data without rights (AUP group 1)",
    "ip-infringement": "infringing intellectual property or other rights (AUP group 1)",
    "malware": "malicious code (AUP group 1)",
    "violence": "violence, terrorism, inciting violence (AUP groups 1, 2)",
    "csam": "child exploitation (AUP group 1)",
    "human-trafficking": "human trafficking (AUP group 1)",
    "sexual-solicitation": "sexual solicitation (AUP group 1)",
    "harassment": "harassment, abuse, bullying (AUP group 1)",
    "discrimination": "discrimination in employment, credit, housing (AUP group 1)",
    "illegal-drugs": "illegal drugs (AUP group 2)",
    "self-harm": "self-harm (AUP group 2)",
    "fraud": "fraud, scams (AUP group 3)",
    "disinformation": "disinformation (AUP group 3)",
    "defamation": "defamation (AUP group 3)",
    "spam": "spam (AUP group 3)",
    "impersonation": "impersonating another individual (AUP group 3)",
    "ai-output-as-human": "representing outputs as human-generated (AUP group 3)",
    "fake-engagement": "fake online engagement, reviews (AUP group 3)",
    "undisclosed-dangers": "failing to disclose known dangers of the AI system to end users "
    "(AUP group 4)",
    # Llama 3.2 and later
    "safety-circumvention": "circumventing safety measures (AUP 3.2+)",
    "harmful-third-party-tools": "using third-party tools built for unlawful or harmful "
    "content, or presenting their outputs as Meta's or Llama's (AUP 3.2+)",
    # LLaMA 1 only
    "biometric-processing": "biometric processing (LLaMA 1 §2.a(iv))",
    # allowed everywhere
    "general-assistant": "general-purpose assistant",
    "code-assistant": "coding assistant",
    "research": "research",
    "content-moderation": "content moderation, safety classification",
    "summarisation": "summarisation",
    "translation": "translation",
}

# Purposes that make a use non-commercial: with only these declared, `distribute` is
# sharing for NonCommercial purposes (CC BY-NC 4.0 §2(a)(1); see rules/non_commercial.py).
NON_COMMERCIAL_PURPOSES: tuple[str, ...] = ("research",)

USES: tuple[str, ...] = ("research", "internal", "service", "distribute")
ATTESTATIONS: tuple[str, ...] = ("agreement-copy", "notice-file", "built-with", "aup")


def vocabulary_text() -> str:
    return ", ".join(sorted(PURPOSES))


def validate_purposes(slugs: Iterable[str]) -> tuple[str, ...]:
    """Return the slugs (deduplicated, in order) or raise listing the vocabulary."""
    out: list[str] = []
    for slug in slugs:
        if slug not in PURPOSES:
            raise InvalidInputError(
                f"unknown purpose {slug!r}; the vocabulary is: {vocabulary_text()}"
            )
        if slug not in out:
            out.append(slug)
    return tuple(out)


def validate_use(use: str) -> str:
    if use not in USES:
        raise InvalidInputError(f"unknown use {use!r}; use one of: {', '.join(USES)}")
    return use


def validate_attestations(kinds: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for kind in kinds:
        if kind not in ATTESTATIONS:
            raise InvalidInputError(
                f"unknown attestation {kind!r}; use one of: {', '.join(ATTESTATIONS)}"
            )
        if kind not in out:
            out.append(kind)
    return tuple(out)
