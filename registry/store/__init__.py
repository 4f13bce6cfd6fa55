"""Where the CLI's and the server's operations run: a local catalog or the team server.

``interface``: the :class:`~registry.store.interface.Store` protocol, every operation a
command performs, with plain JSON-ready results. ``local``: over the catalog database (the
CLI on a direct database, and the team server itself). ``remote``: over the team server's
HTTP API (the CLI in remote mode). Both return the same data, so a command prints the same
output and exits with the same code either way.
"""
