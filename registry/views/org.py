"""The organisation page: its corporate family, MAU month by month, grants, deployments.

The MAU series is the family's, month by month (each member's figure and their sum, which
is what the ``mau-threshold`` rule compares), with the threshold of the Llama licenses and
the month each Llama version measures (the calendar month before its release date), so a
chart can draw the line and mark those months.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from registry.compliance.policies import PolicySet
    from registry.store.connections import Connections


def measured_months(policies: PolicySet) -> tuple[list[dict[str, str]], int | None]:
    """Each Llama version's measured month, and the MAU threshold they share (if any)."""
    marks = []
    threshold = None
    for p in sorted(policies.policies.values(), key=lambda p: (p.measured_month or "", p.id)):
        spec = p.rules.get("mau-threshold")
        if spec is None or not p.measured_month:
            continue
        marks.append({"policy": p.id, "name": p.name, "month": p.measured_month})
        threshold = int(spec.params.get("threshold", threshold or 0)) or threshold
    return marks, threshold


def org_page(conns: Connections, name: str) -> dict[str, Any]:
    import dataclasses

    from registry.catalog.orgs import show_org

    policies = conns.policies()
    with conns.catalog().session() as s:
        org = dataclasses.asdict(show_org(s, name))
    with conns.raw() as db:
        family = list(org["family"]) or [name]
        marks = ", ".join("?" for _ in family)
        series: dict[str, dict[str, int]] = {}
        for member, month, users in db.rows(
            "SELECT o.name, m.month, m.users FROM org_mau m JOIN organisations o "
            f"ON o.id = m.org_id WHERE o.name IN ({marks}) ORDER BY m.month",
            tuple(family),
        ):
            series.setdefault(str(month), {})[str(member)] = int(users)
        grants = [
            {"org": str(o), "license": str(lic), "reference": str(ref)}
            for o, lic, ref in db.rows(
                "SELECT o.name, g.license_id, g.reference FROM org_grants g "
                f"JOIN organisations o ON o.id = g.org_id WHERE o.name IN ({marks}) "
                "ORDER BY g.license_id, o.name",
                tuple(family),
            )
        ]
        deployments = [
            {"name": str(d), "model": str(v), "use": str(u)}
            for d, v, u in db.rows(
                "SELECT d.name, v.name, d.use FROM deployments d "
                "JOIN variants v ON v.id = d.variant_id JOIN organisations o ON o.id = d.org_id "
                "WHERE o.name = ? ORDER BY d.name",
                (name,),
            )
        ]
    months, threshold = measured_months(policies)
    return {
        "org": org,
        "mau": [
            {"month": m, "members": series[m], "total": sum(series[m].values())}
            for m in sorted(series)
        ],
        "measured": months,
        "threshold": threshold,
        "grants": grants,
        "deployments": deployments,
    }
