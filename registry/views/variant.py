"""The variant page: what ``show`` says, and the licenses, graph, histories and releases.

One call gathers everything the page shows: the variant as ``show`` describes it, its model
card (the ``README.md`` text recorded at registration, as written: the page renders it as
sanitised Markdown), its declared and effective licenses with the lineage path of each, the
lineage graph (:mod:`registry.views.graph`), its latest verifications, smoke runs and checks,
its deployments with their release state, and its releases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registry.views.graph import Graph, build_graph

if TYPE_CHECKING:
    from registry.store.connections import Connections

HISTORY = 20
CARD = "readme.md"


def _card(info: dict[str, Any]) -> str | None:
    for f in info["files"]:
        if f["path"].casefold() == CARD:
            text = (f.get("details") or {}).get("evidence_text")
            return text if isinstance(text, str) else None
    return None


def _licenses(facts: Any) -> list[dict[str, Any]]:
    out = []
    for src in facts.licenses:
        out.append(
            {
                "license": src.license_id,
                "declared": src.path == (facts.name,),
                "full": src.full,
                "via_distill": src.via_distill,
                "path": list(src.path),
                "relations": list(src.relations),
                "path_text": src.path_text,
            }
        )
    return out


def _checks(db: Any, name: str) -> list[dict[str, Any]]:
    rows = db.rows(
        "SELECT id, checked_at, os_user, org_name, use, deployment_name, verdict FROM check_log "
        "WHERE variant_name = ? ORDER BY id DESC LIMIT ?",
        (name, HISTORY),
    )
    return [
        {
            "id": int(i),
            "checked_at": db.timestamp_value(at).isoformat(timespec="seconds"),
            "user": user,
            "org": org,
            "use": use,
            "deployment": dep,
            "verdict": verdict,
        }
        for i, at, user, org, use, dep, verdict in rows
    ]


def _deployments(db: Any, policies: Any, name: str, memo: dict[str, Any]) -> list[dict[str, Any]]:
    from registry.releases.workflow import deployment_state

    rows = db.rows(
        "SELECT d.name, o.name, d.use, d.public_name FROM deployments d "
        "JOIN variants v ON v.id = d.variant_id JOIN organisations o ON o.id = d.org_id "
        "WHERE v.name = ? ORDER BY d.name",
        (name,),
    )
    return [
        {
            "name": dep,
            "org": org,
            "use": use,
            "public_name": public or name,
            "release": deployment_state(db, policies, str(dep), memo),
        }
        for dep, org, use, public in rows
    ]


def variant_page(conns: Connections, name: str) -> dict[str, Any]:
    from registry.catalog.describe import describe, lineage
    from registry.catalog.verifications import verification_history
    from registry.compliance.facts import model_facts
    from registry.releases.workflow import listing
    from registry.smoke.records import run_history

    policies = conns.policies()
    with conns.reader() as reader:
        info = describe(reader, name)
        tree = lineage(reader, name)
        verifications = verification_history(reader, name, limit=HISTORY)
    graph: Graph = build_graph(tree, policies)
    with conns.raw() as db:
        _vid, facts = model_facts(db, name, policies, local_evidence=False)
        checks = _checks(db, name)
        memo: dict[str, Any] = {}  # each deployment's facts gathered once for the page
        deployments = _deployments(db, policies, name, memo)
        releases = listing(db, policies, variant=name, limit=HISTORY, memo=memo)
    with conns.catalog().session() as s:
        smoke = run_history(s, name, limit=HISTORY)
    return {
        "variant": info,
        "card": _card(info),
        "declared": list(facts.declared),
        "licenses": _licenses(facts),
        "graph": graph,
        "ancestors": len(tree["ancestors"]),
        "verifications": verifications,
        "smoke_runs": smoke,
        "checks": checks,
        "deployments": deployments,
        "releases": releases,
    }
