"""How a variant was made from its parent: the lineage relations (no database imports)."""

RELATIONS = ("finetune", "adapter", "quantized", "merge", "distill")
