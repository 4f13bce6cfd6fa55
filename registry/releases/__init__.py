"""Releases: a deployment signed off by an approver, bound to the evidence it rested on.

- :mod:`.rules`: the config file's ``[release]`` table (verification age, smoke runs);
- :mod:`.evidence`: the facts a release rests on, gathered from the catalog;
- :mod:`.staleness`: what changed between frozen evidence and the catalog now;
- :mod:`.records`: the ``releases`` table on the check path's raw connection;
- :mod:`.workflow`: request, approve, reject, list, show, a deployment's release state;
- :mod:`.sweep`: the server's periodic pass that records a release turning stale.
"""
