"""Gather the facts of one check from the catalog (raw SQL, see :mod:`.store`).

The model: its row, its lineage walk, its evidence. The organisation: its corporate family
(every organisation linked to it by parent edges in either direction, transitively, found
with a recursive CTE), the family's MAU in the months the policies measure, and its grants.
"""

from __future__ import annotations

from registry.compliance.detected import detections
from registry.compliance.engine import resolve_licenses
from registry.compliance.evidence import read_evidence
from registry.compliance.lineage import walk
from registry.compliance.model import ModelFacts, OrgFacts
from registry.compliance.policies import PolicySet
from registry.compliance.store import RawDB
from registry.errors import NotFoundError

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


def model_facts(db: RawDB, name: str, policies: PolicySet) -> tuple[int, ModelFacts]:
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
        declared=next(
            (lic.license_id for lic in licenses if lic.path == (name,)),
            policies.effective_id(license_id, license_name),
        ),
        modalities=tuple(str(m) for m in mods),
        has_parents=any(r.depth == 1 for r in rows),
        licenses=licenses,
        evidence=read_evidence(source_uri),
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
