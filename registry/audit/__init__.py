"""The audit trail: every write appends a hash-chained event in the write's own transaction.

``actor``: who is writing (a server user with token and request, or the OS user of a direct
database). ``chain``: the canonical form of an event and its hash (pure, no database).
``log``: appending through the ORM; ``raw``: appending on the check path's plain DBAPI
connection. ``trail``: listing, verifying and exporting the trail.
"""
