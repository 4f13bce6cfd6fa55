"""Identity for the team server: roles and permission rules, users, API tokens.

``roles``: the four roles, namespaces, and the :class:`~registry.identity.roles.Principal`
whose rights a request carries (pure, no database). ``users``: users and their role grants.
``tokens``: API tokens (random secrets shown once, stored as SHA-256) and authentication.
``idempotency``: remembered answers to retried POSTs.
"""
