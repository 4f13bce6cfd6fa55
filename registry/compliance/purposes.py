"""The fixed vocabulary of purpose slugs (COMPLIANCE.md §1.3) and the use/attestation words.

A policy lists the slugs its Acceptable Use Policy prohibits; ``check --purpose`` and
``deploy add --purpose`` accept only slugs from :data:`PURPOSES`. An unknown slug is a usage
error (exit 2) whose message lists the whole vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.errors import InvalidInputError

PURPOSES: dict[str, str] = {
    # prohibited by every Llama 2-4 AUP (groups 1-3)
    "military": "military, warfare (AUP group 2; LLaMA 1)",
    "weapons": "weapons development (AUP group 2)",
    "nuclear": "nuclear industries or applications (AUP group 2; LLaMA 1)",
    "espionage": "espionage (AUP group 2)",
    "itar-controlled": "uses subject to ITAR (AUP group 2)",
    "critical-infrastructure": "critical infrastructure, heavy machinery (AUP group 2)",
    "surveillance": "surveillance (AUP group 1; LLaMA 1)",
    "unlicensed-professional-advice": "unlicensed legal, medical, financial practice (group 1)",
    "sensitive-data-collection": "collecting sensitive personal data without rights (group 1)",
    "ip-infringement": "infringing intellectual property or other rights (group 1)",
    "malware": "malicious code (group 1)",
    "violence": "violence, terrorism, inciting violence (groups 1, 2)",
    "csam": "child exploitation (group 1)",
    "human-trafficking": "human trafficking (group 1)",
    "sexual-solicitation": "sexual solicitation (group 1)",
    "harassment": "harassment, abuse, bullying (group 1)",
    "discrimination": "discrimination in employment, credit, housing (group 1)",
    "illegal-drugs": "illegal drugs (group 2)",
    "self-harm": "self-harm (group 2)",
    "fraud": "fraud, scams (group 3)",
    "disinformation": "disinformation (group 3)",
    "defamation": "defamation (group 3)",
    "spam": "spam (group 3)",
    "impersonation": "impersonating another individual (group 3)",
    "ai-output-as-human": "representing outputs as human-generated (group 3)",
    "fake-engagement": "fake online engagement, reviews (group 3)",
    # Llama 3.2 and later
    "safety-circumvention": "circumventing safety measures (AUP 3.2+)",
    # LLaMA 1 only
    "biometric-processing": "biometric processing (LLaMA 1)",
    # allowed everywhere
    "general-assistant": "general-purpose assistant",
    "code-assistant": "coding assistant",
    "research": "research",
    "content-moderation": "content moderation, safety classification",
    "summarisation": "summarisation",
    "translation": "translation",
}

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
