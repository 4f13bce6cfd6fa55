"""The effective settings as plain data for ``modelreg config show``, secrets masked.

Besides the catalog's own settings (database URL, default organisation, policy directories,
resolved by :mod:`registry.config`, and ``[server.oidc]`` without its secret) it shows the
Hugging Face settings modelreg honours:
``HF_ENDPOINT``, the token (only whether one is set, and from where) and the cache directory.
"""

from __future__ import annotations

import os
from typing import Any

from registry.config import Settings, mask_url


def _hub_settings() -> dict[str, dict[str, Any]]:
    from registry.hub.cache import default_cache_dir
    from registry.hub.client import DEFAULT_ENDPOINT, env_token

    out: dict[str, dict[str, Any]] = {}
    if os.environ.get("HF_ENDPOINT"):
        out["hf_endpoint"] = {
            "value": os.environ["HF_ENDPOINT"].rstrip("/"),
            "source": "environment HF_ENDPOINT",
        }
    else:
        out["hf_endpoint"] = {"value": DEFAULT_ENDPOINT, "source": "default"}
    if os.environ.get("HF_TOKEN", "").strip():
        out["hf_token"] = {"value": "***", "source": "environment HF_TOKEN"}
    elif env_token():
        out["hf_token"] = {"value": "***", "source": "token file (huggingface-cli login)"}
    else:
        out["hf_token"] = {"value": None, "source": "unset"}
    cache_source = "default"
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        if os.environ.get(var):
            cache_source = f"environment {var}"
            break
    out["hf_cache"] = {"value": str(default_cache_dir()), "source": cache_source}
    return out


def effective_settings(settings: Settings) -> dict[str, Any]:
    """``{"config_file": {...}, "settings": {key: {"value", "source"}}}`` (JSON-ready)."""
    return {
        "config_file": {
            "path": str(settings.config_file),
            "exists": settings.config_file_exists,
        },
        "settings": {
            "database_url": {
                "value": mask_url(str(settings.database_url.value)),
                "source": settings.database_url.source,
            },
            "default_org": {
                "value": settings.default_org.value,
                "source": settings.default_org.source,
            },
            "policy_dirs": {
                "value": [str(p) for p in settings.policy_dirs.value],
                "source": settings.policy_dirs.source,
            },
            "server_url": {
                "value": settings.server_url.value,
                "source": settings.server_url.source,
            },
            "token": {
                "value": "***" if settings.token.value else None,
                "source": settings.token.source,
            },
            "mode": {
                "value": "remote" if settings.remote else "direct",
                "source": "server_url set" if settings.remote else "no server_url (or --db)",
            },
            **_oidc_setting(settings),
            **_hub_settings(),
        },
    }


def _oidc_setting(settings: Settings) -> dict[str, dict[str, Any]]:
    """``[server.oidc]`` as configured: where the client secret lies, never the secret."""
    found = settings.extra.get("server")
    if found is None or found.value.oidc is None:
        return {"server_oidc": {"value": None, "source": "unset"}}
    oidc = found.value.oidc
    shown = oidc.to_dict()
    shown["client_secret"] = "***"  # not read here; only the file's path is shown
    return {"server_oidc": {"value": shown, "source": found.source}}
