"""Webhooks: events announced to HTTP endpoints, signed the Standard Webhooks way.

- :mod:`.events`: which audit actions are which webhook events, and their payload;
- :mod:`.outbox`: deliveries queued in the transaction of the change they announce;
- :mod:`.targets`: endpoint URLs, and refusing private, loopback and link-local ones;
- :mod:`.signing`: the ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature`` headers;
- :mod:`.subscriptions`: add, list, remove webhooks; list and replay deliveries;
- :mod:`.delivery`: the server's worker that claims due deliveries, posts them and retries.
"""
