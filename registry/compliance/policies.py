"""Load policy files (``policies/*.toml``) and validate them against the schema at load.

Built-in policies come from :func:`registry.resources.policies_dir`; an organisation adds its
own directories (``--policies DIR``, ``MODELREG_POLICY_DIRS``, ``policy_dirs`` in the config
file). A later directory's file with the same ``id`` replaces the earlier one. A file that does
not validate raises :class:`PolicyError` (exit 4) naming the file and the field. Every loaded
file's SHA-256 is kept so a check can record exactly which rules judged it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.catalog.licenses import split_expression
from registry.compliance.license_text import words
from registry.compliance.model import Policy, RuleSpec
from registry.compliance.purposes import PURPOSES, USES
from registry.errors import NotFoundError, PolicyError

SCHEMA_VERSION = 1
KINDS = ("llama", "non-commercial", "permissive", "unknown")

# rule id -> (required policy fields, extra parameters with their types)
RULES: dict[str, tuple[tuple[str, ...], dict[str, type]]] = {
    "license-inheritance": ((), {}),
    "unknown-license": ((), {}),
    "non-commercial": ((), {"allowed_uses": list, "sharing_uses": list}),
    "mau-threshold": (("release_date",), {"threshold": int}),
    "agreement-copy": ((), {}),  # needs agreement_sentences or license_title
    "notice-file": (("notice",), {}),
    "built-with": (("built_with",), {}),
    "model-name-prefix": (("name_prefix",), {}),
    "improve-other-llm": ((), {"exempt": str}),
    "eu-multimodal": ((), {"countries": list}),
    "aup": ((), {}),
}
RULES_WITH_USES = ("agreement-copy", "notice-file", "built-with", "model-name-prefix")
_STR_FIELDS = (
    "name",
    "spdx",
    "huggingface_id",
    "license_url",
    "license_title",
    "notice",
    "built_with",
    "name_prefix",
)
_REQUIRED = ("schema_version", "id", "name", "kind", "spdx")
_KNOWN = {
    *_REQUIRED,
    *_STR_FIELDS,
    "aliases",
    "release_date",
    "prohibited_purposes",
    "agreement_sentences",
    "agreement_min_sentences",
    "license_links",
    "rules",
}
# a distinctive sentence has at least this many words; a link at least this many parts
MIN_SENTENCE_WORDS = 4
MIN_LINK_WORDS = 3


class _Invalid(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _str_list(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(where, "must be a list of strings")
    return tuple(value)


def _parse_rule(rule_id: str, raw: Any, top: dict[str, Any]) -> RuleSpec:
    where = f"rules.{rule_id}"
    if rule_id not in RULES:
        raise _Invalid(where, f"unknown rule; known rules are {', '.join(RULES)}")
    if not isinstance(raw, dict):
        raise _Invalid(where, "must be a table")
    needs, params = RULES[rule_id]
    for need in needs:
        if top.get(need) is None:
            raise _Invalid(need, f"required by rule {rule_id}")
    if rule_id == "agreement-copy" and not (
        top.get("agreement_sentences") or top.get("license_title")
    ):
        raise _Invalid("agreement_sentences", f"required by rule {rule_id} (or license_title)")
    clause = raw.get("clause")
    if not isinstance(clause, str) or not clause.strip():
        raise _Invalid(f"{where}.clause", "required, a non-empty string")
    outputs = raw.get("outputs", False)
    if not isinstance(outputs, bool):
        raise _Invalid(f"{where}.outputs", "must be true or false")
    uses: tuple[str, ...] = ()
    if rule_id in RULES_WITH_USES:
        if "uses" not in raw:
            raise _Invalid(f"{where}.uses", "required, a list of uses")
        uses = _str_list(raw, "uses", f"{where}.uses")
        bad = [u for u in uses if u not in USES]
        if bad or not uses:
            raise _Invalid(f"{where}.uses", f"each must be one of {', '.join(USES)}")
    extra = set(raw) - {"clause", "outputs", "uses", *params}
    if extra:
        raise _Invalid(f"{where}.{sorted(extra)[0]}", "unknown parameter")
    values: dict[str, Any] = {}
    for name, typ in params.items():
        if name not in raw:
            continue
        value = raw[name]
        if typ is int and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise _Invalid(f"{where}.{name}", "must be a positive integer")
        if typ is list:
            value = list(_str_list(raw, name, f"{where}.{name}"))
            if name.endswith("_uses") and any(u not in USES for u in value):
                raise _Invalid(f"{where}.{name}", f"each must be one of {', '.join(USES)}")
        elif typ is str and not isinstance(value, str):
            raise _Invalid(f"{where}.{name}", "must be a string")
        values[name] = value
    if rule_id == "mau-threshold" and "threshold" not in values:
        raise _Invalid(f"{where}.threshold", "required, a positive integer")
    if rule_id == "eu-multimodal":
        from registry.compliance.countries import ISO_3166_ALPHA2

        countries = values.get("countries")
        if not countries:
            raise _Invalid(f"{where}.countries", "required, a list of ISO 3166 alpha-2 codes")
        bad = [c for c in countries if c not in ISO_3166_ALPHA2]
        if bad:
            raise _Invalid(f"{where}.countries", f"{bad[0]!r} is not an ISO 3166 alpha-2 code")
    return RuleSpec(rule_id, clause, outputs, uses, values)


def parse_policy(path: Path, content: bytes) -> Policy:
    """Validate one policy file's bytes; raise PolicyError naming the file and the field."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"policy file {path}: not valid TOML: {exc}") from None
    try:
        return _build(path, content, data)
    except _Invalid as exc:
        raise PolicyError(f"policy file {path}: field {exc.field}: {exc.problem}") from None


def _agreement_fields(data: dict[str, Any]) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    """The agreement's distinctive sentences, how many a copy needs, the accepted links."""
    sentences = _str_list(data, "agreement_sentences", "agreement_sentences")
    short = [s for s in sentences if len(words(s).split()) < MIN_SENTENCE_WORDS]
    if short:
        raise _Invalid(
            "agreement_sentences",
            f"{short[0]!r} is not distinctive (fewer than {MIN_SENTENCE_WORDS} words)",
        )
    if len({words(s) for s in sentences}) != len(sentences):
        raise _Invalid("agreement_sentences", "holds the same sentence twice")
    need = data.get("agreement_min_sentences", len(sentences))
    if "agreement_min_sentences" in data and (
        isinstance(need, bool) or not isinstance(need, int) or not 1 <= need <= len(sentences)
    ):
        raise _Invalid(
            "agreement_min_sentences",
            f"must be a whole number from 1 to the {len(sentences)} agreement_sentences",
        )
    links = _str_list(data, "license_links", "license_links")
    bad = [link for link in links if len(words(link).split()) < MIN_LINK_WORDS]
    if bad:
        raise _Invalid("license_links", f"{bad[0]!r} is not a license URL")
    return sentences, need, links


def _build(path: Path, content: bytes, data: dict[str, Any]) -> Policy:
    for key in _REQUIRED:
        if key not in data:
            raise _Invalid(key, "required")
    unknown = sorted(set(data) - _KNOWN)
    if unknown:
        raise _Invalid(unknown[0], "unknown field")
    if data["schema_version"] != SCHEMA_VERSION:
        raise _Invalid("schema_version", f"must be {SCHEMA_VERSION}")
    for key in ("id", *_STR_FIELDS):
        if key in data and (not isinstance(data[key], str) or not data[key].strip()):
            raise _Invalid(key, "must be a non-empty string")
    if data["id"] != path.stem:
        raise _Invalid("id", f"{data['id']!r} must equal the file name {path.stem!r}")
    if data["kind"] not in KINDS:
        raise _Invalid("kind", f"must be one of {', '.join(KINDS)}")
    release = data.get("release_date")
    if release is not None and (
        isinstance(release, dt.datetime) or not isinstance(release, dt.date)
    ):
        raise _Invalid("release_date", "must be a TOML date (YYYY-MM-DD)")
    purposes = _str_list(data, "prohibited_purposes", "prohibited_purposes")
    bad = [p for p in purposes if p not in PURPOSES]
    if bad:
        raise _Invalid("prohibited_purposes", f"{bad[0]!r} is not in the purpose vocabulary")
    sentences, need, links = _agreement_fields(data)
    raw_rules = data.get("rules", {})
    if not isinstance(raw_rules, dict):
        raise _Invalid("rules", "must be a table of rules")
    rules = {rid: _parse_rule(rid, raw, data) for rid, raw in raw_rules.items()}
    if data["kind"] == "unknown" and "unknown-license" not in rules:
        raise _Invalid("rules.unknown-license", "required for kind 'unknown'")
    return Policy(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        spdx=data["spdx"],
        path=str(path),
        digest=hashlib.sha256(content).hexdigest(),
        huggingface_id=data.get("huggingface_id"),
        aliases=_str_list(data, "aliases", "aliases"),
        release_date=release,
        license_url=data.get("license_url"),
        license_title=data.get("license_title"),
        agreement_sentences=sentences,
        agreement_min_sentences=need,
        license_links=links,
        notice=data.get("notice"),
        built_with=data.get("built_with"),
        name_prefix=data.get("name_prefix"),
        prohibited_purposes=purposes,
        rules=rules,
    )


@dataclass(frozen=True)
class PolicySet:
    """The policies in force, by id, with a lookup that also accepts aliases."""

    policies: dict[str, Policy]

    def get(self, license_id: str) -> Policy:
        policy = self.resolve(license_id)
        if policy is None:
            raise NotFoundError(
                f"no policy {license_id!r}; known: {', '.join(sorted(self.policies))}"
            )
        return policy

    def resolve(self, name: str | None) -> Policy | None:
        """The policy for an id, Hugging Face id, SPDX id or alias (case-insensitive)."""
        if not name:
            return None
        if name in self.policies:
            return self.policies[name]
        key = name.strip().lower()
        for policy in self.policies.values():
            names = (policy.id, policy.huggingface_id or "", policy.spdx, *policy.aliases)
            if key in (n.lower() for n in names if n):
                return policy
        return None

    def effective_id(self, license_id: str, license_name: str | None = None) -> str:
        """Map a declared license to a policy id; ``other`` with a known name maps to it."""
        policy = self.resolve(license_id)
        if policy is not None and policy.id != "other":
            return policy.id
        named = self.resolve(license_name)
        if named is not None and named.kind != "unknown":
            return named.id
        if policy is not None:
            return policy.id
        return "unknown"

    def effective_ids(
        self, license_id: str, license_name: str | None = None
    ) -> tuple[tuple[str, str], ...]:
        """(declared id, policy id) for each license of a declared expression (``a AND b``),
        each mapped by :meth:`effective_id`; a policy id appears once."""
        out: dict[str, str] = {}
        for part in split_expression(license_id) or ("unknown",):
            out.setdefault(self.effective_id(part, license_name), part)
        return tuple((raw, pid) for pid, raw in out.items())

    def digests(self) -> dict[str, dict[str, str]]:
        """Each policy's file and the SHA-256 of its bytes, stored with every check."""
        return {p.id: {"file": p.path, "sha256": p.digest} for p in self.policies.values()}


def load_policies(extra_dirs: Iterable[Path] = ()) -> PolicySet:
    """Load the built-in policies, then each extra directory (later ids replace earlier)."""
    from registry.resources import policies_dir

    found: dict[str, Policy] = {}
    for directory in (policies_dir(), *extra_dirs):
        if not directory.is_dir():
            raise PolicyError(f"policy directory {directory} does not exist")
        for path in sorted(directory.glob("*.toml")):
            try:
                content = path.read_bytes()
            except OSError as exc:
                raise PolicyError(f"policy file {path}: {exc.strerror}") from None
            policy = parse_policy(path, content)
            found[policy.id] = policy
    for required in ("unknown", "other"):
        if required not in found:
            raise PolicyError(f"no policy file defines {required!r}; it is required")
    return PolicySet(found)
