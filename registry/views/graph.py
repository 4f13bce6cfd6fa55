"""The lineage graph of a variant page: nodes with licenses and marks, edges with relations.

Built from :func:`registry.catalog.describe.lineage` (every ancestor with its edges, the
direct children) and the policies:

- ``laundering``: a node that declares a permissive license while an ancestor it reaches
  without a ``distill`` edge is under a Llama or non-commercial license it does not declare
  too (the ``license-inheritance`` rule, applied to every node of the graph);
- ``unresolved``: a parent a model card named that is not registered (its license unknown).

Ancestors are laid out in rows by their shortest distance from the variant; a deep or wide
lineage is cut at :data:`MAX_DEPTH` rows and :data:`MAX_PER_ROW` nodes a row, and the
nodes left out are counted, so the page stays small whatever the catalog holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from registry.compliance.model import RESTRICTIVE_KINDS
from registry.compliance.policies import PolicySet

MAX_DEPTH = 8
MAX_PER_ROW = 8
RULE = "license-inheritance"


@dataclass
class Node:
    key: str  # a variant name, or "unresolved:REFERENCE"
    label: str
    license: str
    depth: int  # -1: a child of the variant
    root: bool = False
    laundering: bool = False
    unresolved: bool = False
    link: bool = True


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # child, parent, relation
    hidden: int = 0  # ancestors not drawn


def _launderers(
    declared: dict[str, set[str]], parents: dict[str, list[tuple[str, str]]], policies: PolicySet
) -> set[str]:
    """Nodes declaring a permissive license over an undeclared restrictive one above them."""

    def restrictive(pid: str) -> bool:
        p = policies.policies.get(pid)
        return p is not None and p.kind in RESTRICTIVE_KINDS and RULE in p.rules

    above: dict[str, set[str]] = {}
    # iterative post-order: every node's parents are done before the node
    for start in declared:
        stack = [(start, False)]
        while stack:
            node, ready = stack.pop()
            if node in above:
                continue
            ups = [p for p, rel in parents.get(node, []) if rel != "distill" and p in declared]
            if not ready:
                stack.append((node, True))
                stack.extend((p, False) for p in ups if p not in above)
                continue
            found: set[str] = set()
            for p in ups:
                found |= {d for d in declared[p] if restrictive(d)} | above.get(p, set())
            above[node] = found
    out = set()
    for node, ids in declared.items():
        kinds = {pol.kind for i in ids if (pol := policies.policies.get(i)) is not None}
        permissive = "permissive" in kinds
        if permissive and above.get(node, set()) - ids:
            out.add(node)
    return out


def build_graph(lineage: dict[str, Any], policies: PolicySet) -> Graph:
    """The graph of a ``lineage`` document (see :func:`registry.catalog.describe.lineage`)."""
    root = lineage["variant"]
    everyone = [root, *lineage["ancestors"]]
    declared = {
        n["name"]: {pid for _, pid in policies.effective_ids(n["license"])} for n in everyone
    }
    parents = {n["name"]: [(e["name"], e["relation"]) for e in n["edges"]] for n in everyone}
    launder = _launderers(declared, parents, policies)

    graph = Graph()
    shown: set[str] = set()
    per_row: dict[int, int] = {}
    for n in everyone:
        depth = int(n["depth"])
        if depth > MAX_DEPTH or per_row.get(depth, 0) >= MAX_PER_ROW:
            graph.hidden += 1
            continue
        per_row[depth] = per_row.get(depth, 0) + 1
        shown.add(n["name"])
        graph.nodes.append(
            Node(
                n["name"],
                n["name"],
                n["license"],
                depth,
                root=depth == 0,
                laundering=n["name"] in launder,
            )
        )
    for n in everyone:
        if n["name"] not in shown:
            continue
        for e in n["edges"]:
            if e["name"] in shown:
                graph.edges.append((n["name"], e["name"], e["relation"]))
        for u in n["unresolved_parents"]:
            key = f"unresolved:{u['reference']}"
            if key not in shown and int(n["depth"]) < MAX_DEPTH:
                shown.add(key)
                graph.nodes.append(
                    Node(
                        key,
                        u["reference"],
                        "unknown",
                        int(n["depth"]) + 1,
                        unresolved=True,
                        link=False,
                    )
                )
            if key in shown:
                graph.edges.append((n["name"], key, u["relation"]))
    for child in root.get("children", [])[:MAX_PER_ROW]:
        name = child["name"]
        if name in shown:
            continue
        shown.add(name)
        kids = {d["name"]: d for d in lineage.get("descendants", [])}
        lic = kids.get(name, {}).get("license", "")
        graph.nodes.append(Node(name, name, lic, -1))
        graph.edges.append((name, root["name"], child["relation"]))
    return graph
