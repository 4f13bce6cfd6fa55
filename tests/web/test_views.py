"""The read models of the pages, on both databases: catalog pages, filters, the graph."""

from __future__ import annotations

from typing import Any

import pytest

from registry.compliance.policies import load_policies
from registry.views.catalog import CatalogQuery, catalog_page
from registry.views.graph import build_graph
from tests.compliance.conftest import Zoo, zoo

__all__ = ["zoo"]


def _reader(db_url: str) -> Any:
    from registry.config import load_settings
    from registry.db.reader import open_reader

    return open_reader(load_settings(database_url=db_url))


def test_catalog_keyset_pages_and_search(db_url: str, zoo: Zoo) -> None:
    for name in ("acme/a", "acme/b", "beta/c", "acme/d_x", "acme/e"):
        zoo.variant(name, "llama3")
    reader = _reader(db_url)
    try:
        seen, after = [], None
        while True:
            page = catalog_page(reader, CatalogQuery(namespace="acme", after=after), limit=2)
            seen += [v["name"] for v in page["items"]]
            if page["next"] is None:
                break
            after = page["next"]
        assert seen == ["acme/a", "acme/b", "acme/d_x", "acme/e"]
        found = catalog_page(reader, CatalogQuery(q="D_X"))["items"]
        assert [v["name"] for v in found] == ["acme/d_x"]  # LIKE wildcards are literal
        assert catalog_page(reader, CatalogQuery(q="_"))["items"][0]["name"] == "acme/d_x"
        assert all(
            v["verification"] == "never" for v in catalog_page(reader, CatalogQuery())["items"]
        )
        with pytest.raises(Exception, match="verification must be one of"):
            catalog_page(reader, CatalogQuery(verification="maybe"))
    finally:
        reader.close()


def test_graph_marks_laundering_on_any_node() -> None:
    policies = load_policies()
    lineage = {
        "variant": {
            "name": "leaf",
            "license": "llama3",
            "depth": 0,
            "edges": [{"name": "mid", "relation": "finetune"}],
            "unresolved_parents": [],
            "children": [],
        },
        "ancestors": [
            {
                "name": "mid",
                "license": "apache-2.0",
                "depth": 1,
                "edges": [{"name": "base", "relation": "finetune"}],
                "unresolved_parents": [{"reference": "hf/x", "relation": "merge"}],
            },
            {
                "name": "base",
                "license": "llama3",
                "depth": 2,
                "edges": [],
                "unresolved_parents": [],
            },
            {
                "name": "student-of",
                "license": "mit",
                "depth": 1,
                "edges": [],
                "unresolved_parents": [],
            },
        ],
        "descendants": [],
    }
    graph = build_graph(lineage, policies)
    marks = {n.key: (n.laundering, n.unresolved) for n in graph.nodes}
    assert marks["mid"] == (True, False)  # apache-2.0 over a llama3 base
    assert marks["leaf"] == (False, False)  # declares llama3 itself
    assert marks["base"] == (False, False)
    assert marks["unresolved:hf/x"] == (False, True)
    assert ("mid", "base", "finetune") in graph.edges
    # a distilled ancestor does not launder
    lineage["ancestors"][0]["edges"] = [{"name": "base", "relation": "distill"}]
    assert not {n.key: n.laundering for n in build_graph(lineage, policies).nodes}["mid"]


def test_a_deep_lineage_is_cut_and_counted() -> None:
    policies = load_policies()
    chain = [
        {
            "name": f"n{i}",
            "license": "llama3",
            "depth": i,
            "edges": [{"name": f"n{i + 1}", "relation": "finetune"}] if i < 40 else [],
            "unresolved_parents": [],
        }
        for i in range(41)
    ]
    root = {**chain[0], "children": []}
    graph = build_graph({"variant": root, "ancestors": chain[1:], "descendants": []}, policies)
    assert len(graph.nodes) == 9 and graph.hidden == 32
