"""modelreg: a registry and license-compliance gate for Llama-derived model checkpoints.

The package is a library (``catalog``, ``checkpoints``, ``compliance``, ``smoke``, ``hub``,
``formats``) with a thin typer CLI on top (``registry.cli``). Nothing here is legal advice.
"""

__version__ = "0.1.0"
