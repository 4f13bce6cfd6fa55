"""Gather the facts of one check from the catalog (raw SQL, see :mod:`.store`).

The model: its row, its lineage walk, its evidence. The organisation: its corporate family
(every organisation linked to it by parent edges in either direction, transitively, found
with a recursive CTE), the family's MAU in the months the policies measure, and its grants.
"""

from __future__ import annotations

from registry.compliance.detected import detections
from registry.compliance.engine import resolve_licenses
from registry.compliance.evidence import (
    LICENSE_NAME_PARTS,
    local_dir,
    read_evidence,
    stored_evidence,
)
from registry.compliance.lineage import walk
from registry.compliance.model import Evidence, ModelFacts, OrgFacts
from registry.compliance.policies import PolicySet
from registry.compliance.store import RawDB
from registry.errors import NotFoundError
from registry.signing.trust import RecordFacts, files_digest

_FAMILY_SQL = """
WITH RECURSIVE links(a, b) AS (
    SELECT id, parent_id FROM organisations WHERE parent_id IS NOT NULL
  UNION ALL
    SELECT parent_id, id FROM organisations WHERE parent_id IS NOT NULL
), family(id) AS (
    SELECT CAST(? AS INTEGER)
  UNION
    SELECT l.b FROM family f JOIN links l ON l.a = f.id
)
SELECT o.id, o.name FROM family f JOIN organisations o ON o.id = f.id ORDER BY o.name
"""


# The file names that can be evidence (``evidence.is_notice_name`` / ``is_license_name``).
_PATTERNS = ("notice%", "readme.md", *(f"%{part}%" for part in LICENSE_NAME_PARTS))
_MATCH = " OR ".join(["lower(f.path) LIKE ?"] * len(_PATTERNS))


def _evidence(db: RawDB, vid: int, source_uri: str | None, local: bool) -> Evidence:
    """The checkpoint directory's files when ``local`` and it is here, else the stored copy."""
    if local and local_dir(source_uri) is not None:
        return read_evidence(source_uri)
    rows = db.rows(
        "SELECT f.path, i.details FROM variant_files f JOIN file_info i ON i.file_id = f.id "
        "WHERE f.variant_id = ? AND ("
        + " OR ".join(["lower(f.path) LIKE ?"] * len(_PATTERNS))
        + ")",
        (vid, *_PATTERNS),
    )
    return stored_evidence([(str(p), db.json_value(d) or {}) for p, d in rows])


def model_facts(
    db: RawDB, name: str, policies: PolicySet, *, local_evidence: bool = True
) -> tuple[int, ModelFacts]:
    found = db.rows(
        "SELECT id, license_id, license_name, modalities, source_uri FROM variants WHERE name = ?",
        (name,),
    )
    if not found:
        raise NotFoundError(f"no variant named {name!r}")
    vid, license_id, license_name, modalities, source_uri = found[0]
    rows = walk(db, int(vid))
    licenses = resolve_licenses(rows, policies)
    mods = db.json_value(modalities) or ["text"]
    return int(vid), ModelFacts(
        name=name,
        declared=tuple(lic.license_id for lic in licenses if lic.path == (name,))
        or tuple(pid for _, pid in policies.effective_ids(license_id, license_name)),
        modalities=tuple(str(m) for m in mods),
        has_parents=any(r.depth == 1 for r in rows),
        licenses=licenses,
        evidence=_evidence(db, int(vid), source_uri, local_evidence),
        detected=detections(db, int(vid), rows, policies),
    )


def org_facts(db: RawDB, name: str, months: list[str]) -> OrgFacts:
    found = db.rows("SELECT id, country FROM organisations WHERE name = ?", (name,))
    if not found:
        raise NotFoundError(f"no organisation named {name!r}; add it with `modelreg org add`")
    org_id, country = found[0]
    family = db.rows(_FAMILY_SQL, (int(org_id),))
    ids = [int(r[0]) for r in family]
    names = {int(r[0]): str(r[1]) for r in family}
    marks = ", ".join("?" for _ in ids)
    mau: dict[str, dict[str, int]] = {}
    if months:
        mmarks = ", ".join("?" for _ in months)
        for oid, month, users in db.rows(
            f"SELECT org_id, month, users FROM org_mau WHERE org_id IN ({marks}) "
            f"AND month IN ({mmarks})",
            (*ids, *months),
        ):
            mau.setdefault(str(month), {})[names[int(oid)]] = int(users)
    grants: dict[str, list[tuple[str, str]]] = {}
    for oid, license_id, ref in db.rows(
        f"SELECT org_id, license_id, reference FROM org_grants WHERE org_id IN ({marks}) "
        "ORDER BY org_id",
        tuple(ids),
    ):
        grants.setdefault(str(license_id), []).append((names[int(oid)], str(ref)))
    return OrgFacts(
        name=name,
        country=country,
        family=tuple(names[i] for i in ids),
        mau=mau,
        grants={k: tuple(v) for k, v in grants.items()},
    )


def signature_facts(db: RawDB, vid: int) -> tuple[list[tuple[RecordFacts, str]], str]:
    """The variant's recorded signature verifications and the digest of its files now."""
    records = [
        (RecordFacts(str(m), str(k), i, s, bool(c)), str(d))
        for m, k, i, s, c, d in db.rows(
            "SELECT method, key_fingerprint, identity, issuer, chain_verified, files_digest "
            "FROM signature_verifications WHERE variant_id = ? ORDER BY id DESC",
            (vid,),
        )
    ]
    files = db.rows("SELECT path, sha256, git_oid FROM variant_files WHERE variant_id = ?", (vid,))
    return records, files_digest((str(p), s, o) for p, s, o in files)
