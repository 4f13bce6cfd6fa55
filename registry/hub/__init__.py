"""The Hugging Face Hub and its local cache: metadata client, registration, cache scanning.

Nothing here downloads weights. :mod:`registry.hub.client` talks to the Hub's HTTP API with
httpx (``HF_ENDPOINT``, ``HF_TOKEN``, timeouts, retries); :mod:`registry.hub.register`
turns a Hub repository into a catalog variant; :mod:`registry.hub.cache` finds snapshots in
a local Hugging Face cache and registers them through the local-checkpoint path.
"""
