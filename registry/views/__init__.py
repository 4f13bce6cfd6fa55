"""Read models of the web pages: one call gathers what one page shows (no web imports).

- :mod:`.catalog`: the catalog, searched and filtered, one keyset page;
- :mod:`.variant`: one variant with its licenses, lineage graph, histories and releases;
- :mod:`.graph`: the lineage graph with laundering and unresolved ancestors marked;
- :mod:`.org`: an organisation's family, MAU series, grants and deployments;
- :mod:`.audit`: the audit trail, newest first, filtered.
"""
