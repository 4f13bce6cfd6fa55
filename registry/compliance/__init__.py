"""The compliance engine: policies as data, one module per rule, lineage-aware findings.

COMPLIANCE.md is the specification; ``policies/README.md`` records every interpretation.
Submodules are imported where needed (the check path is kept light on purpose).
"""
