"""Every route declares its permission rule, and the rules hold: the role x route matrix.

The matrix sends each route's request as nobody, a viewer, a contributor, an approver and an
admin (global roles), and expects 401 for nobody, 403 below the route's role (with the
audit trail unchanged: nothing was written), and success from that role up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from registry.identity.roles import level
from registry.server.access import Rule, rule_of
from registry.server.app import BUILTIN_RULES, create_app, route_table
from registry.server.config import ServerConfig
from tests.server.conftest import ROLES, LiveServer

API = "/api/v1"


def route_rules(db_url: str) -> dict[tuple[str, str], Rule]:
    from fastapi.routing import APIRoute

    app = create_app(ServerConfig(database_url=db_url))
    rules: dict[tuple[str, str], Rule] = {}
    for method, path, route in route_table(app):
        if isinstance(route, APIRoute):
            found = [r for d in route.dependant.dependencies if (r := rule_of(d.call))]
            assert len(found) == 1, f"{method} {path} declares {len(found)} rules"
            rules[(method, path)] = found[0]
        else:
            assert path in BUILTIN_RULES, f"route {path} has no permission rule"
            rules[(method, path)] = BUILTIN_RULES[path]
    return rules


def test_every_route_has_exactly_one_rule(db_url: str) -> None:
    rules = route_rules(db_url)
    # the flattened table is the whole app: every operation of the OpenAPI document is in it
    doc = create_app(ServerConfig(database_url=db_url)).openapi()
    documented = {
        (m.upper(), p.replace("{name}", "{name:path}") if (m.upper(), p) not in rules else p)
        for p, ops in doc["paths"].items()
        for m in ops
    }
    assert documented <= set(rules), documented - set(rules)
    assert len(rules) >= 40
    assert rules[("POST", f"{API}/variants")] == Rule("contributor", namespace="body:name")
    assert rules[("PUT", f"{API}/orgs/{{name:path}}/mau/{{month}}")].role == "approver"
    assert rules[("GET", f"{API}/openapi.json")].public


# a request for each route: (path, body) built from a suffix unique to the caller
Case = Callable[[str, str], tuple[str, Any]]
SMOKE_RESULT = {
    "name": "base",
    "env": {
        "device": "cpu",
        "device_type": "cpu",
        "device_name": "test cpu",
        "torch_version": "2.0",
        "transformers_version": "4.0",
    },
    "dtype": "float32",
    "max_new_tokens": 4,
    "status": "pass",
    "prompt_ids": [1, 2],
    "generated_ids": [3, 4, 5, 6],
}
CASES: dict[tuple[str, str], Case] = {
    ("GET", "/healthz"): lambda s, u: ("/healthz", None),
    ("GET", "/readyz"): lambda s, u: ("/readyz", None),
    ("GET", f"{API}/openapi.json"): lambda s, u: (f"{API}/openapi.json", None),
    ("GET", f"{API}/variants"): lambda s, u: (f"{API}/variants?limit=2", None),
    ("POST", f"{API}/variants"): lambda s, u: (
        f"{API}/variants",
        {"name": f"v-{s}", "license_id": "llama3"},
    ),
    ("GET", f"{API}/variants/{{name:path}}"): lambda s, u: (f"{API}/variants/acme/base", None),
    ("DELETE", f"{API}/variants/{{name:path}}"): lambda s, u: (f"{API}/variants/rm-{s}", None),
    ("GET", f"{API}/lineage/{{name:path}}"): lambda s, u: (f"{API}/lineage/acme/base", None),
    ("POST", f"{API}/lineage"): lambda s, u: (
        f"{API}/lineage",
        {"child": f"child-{s}", "parent": "acme/base"},
    ),
    ("GET", f"{API}/boms/{{name:path}}"): lambda s, u: (f"{API}/boms/acme/base", None),
    ("GET", f"{API}/recorded-files"): lambda s, u: (f"{API}/recorded-files?name=acme/base", None),
    ("POST", f"{API}/verifications"): lambda s, u: (
        f"{API}/verifications",
        {
            "name": "acme/base",
            "root": "/elsewhere",
            "at_source": False,
            "quick": False,
            "files": [{"path": "model.safetensors", "status": "ok"}],
        },
    ),
    ("GET", f"{API}/verifications"): lambda s, u: (f"{API}/verifications?variant=acme/base", None),
    ("GET", f"{API}/verifications/summary"): lambda s, u: (
        f"{API}/verifications/summary?limit=5",
        None,
    ),
    ("GET", f"{API}/smoke-subjects"): lambda s, u: (f"{API}/smoke-subjects?all=true", None),
    ("GET", f"{API}/smoke-runs/passing"): lambda s, u: (
        f"{API}/smoke-runs/passing?digest={'0' * 64}&device_type=cpu&dtype=float32",
        None,
    ),
    ("POST", f"{API}/smoke-runs"): lambda s, u: (
        f"{API}/smoke-runs",
        {"name": "acme/base", "result": {**SMOKE_RESULT, "name": "acme/base"}},
    ),
    ("GET", f"{API}/smoke-runs"): lambda s, u: (f"{API}/smoke-runs?variant=acme/base", None),
    ("GET", f"{API}/smoke-runs/summary"): lambda s, u: (f"{API}/smoke-runs/summary?limit=5", None),
    ("GET", f"{API}/orgs"): lambda s, u: (f"{API}/orgs", None),
    ("POST", f"{API}/orgs"): lambda s, u: (f"{API}/orgs", {"name": f"org-{s}", "country": "FR"}),
    ("GET", f"{API}/orgs/{{name:path}}"): lambda s, u: (f"{API}/orgs/acme", None),
    ("PATCH", f"{API}/orgs/{{name:path}}"): lambda s, u: (f"{API}/orgs/acme", {"country": "US"}),
    ("PUT", f"{API}/orgs/{{name:path}}/mau/{{month}}"): lambda s, u: (
        f"{API}/orgs/acme/mau/2024-01",
        {"users": len(s)},
    ),
    ("POST", f"{API}/orgs/{{name:path}}/grants"): lambda s, u: (
        f"{API}/orgs/acme/grants",
        {"license_id": "llama3", "reference": f"ref-{s}"},
    ),
    ("GET", f"{API}/deployments"): lambda s, u: (f"{API}/deployments", None),
    ("POST", f"{API}/deployments"): lambda s, u: (
        f"{API}/deployments",
        {"name": f"dep-{s}", "model": "acme/base", "org": "acme", "use": "internal"},
    ),
    ("GET", f"{API}/deployments/{{name:path}}"): lambda s, u: (f"{API}/deployments/bot", None),
    ("DELETE", f"{API}/deployments/{{name:path}}"): lambda s, u: (
        f"{API}/deployments/rmdep-{s}",
        None,
    ),
    ("POST", f"{API}/checks"): lambda s, u: (
        f"{API}/checks",
        {"variant": "acme/base", "org": "acme", "use": "internal"},
    ),
    ("GET", f"{API}/checks"): lambda s, u: (f"{API}/checks?variant=acme/base", None),
    ("GET", f"{API}/policies"): lambda s, u: (f"{API}/policies", None),
    ("GET", f"{API}/policies/{{policy_id}}"): lambda s, u: (f"{API}/policies/llama3", None),
    ("GET", f"{API}/me"): lambda s, u: (f"{API}/me", None),
    ("GET", f"{API}/users"): lambda s, u: (f"{API}/users", None),
    ("POST", f"{API}/users"): lambda s, u: (f"{API}/users", {"name": f"u-{s}", "role": "viewer"}),
    ("GET", f"{API}/users/{{name}}"): lambda s, u: (f"{API}/users/target", None),
    ("PUT", f"{API}/users/{{name}}/roles"): lambda s, u: (
        f"{API}/users/target/roles",
        {"role": "contributor", "namespace": f"ns-{s}"},
    ),
    ("DELETE", f"{API}/users/{{name}}/roles"): lambda s, u: (
        f"{API}/users/target/roles?namespace=old-{s}",
        None,
    ),
    ("GET", f"{API}/tokens"): lambda s, u: (f"{API}/tokens", None),
    ("POST", f"{API}/tokens"): lambda s, u: (f"{API}/tokens", {"user": u, "expires": "1d"}),
    ("DELETE", f"{API}/tokens/{{ref}}"): lambda s, u: (f"{API}/tokens/spare-{u}", None),
    ("GET", f"{API}/audit"): lambda s, u: (f"{API}/audit?limit=5", None),
    ("GET", f"{API}/audit/verify"): lambda s, u: (f"{API}/audit/verify", None),
    ("POST", f"{API}/releases"): lambda s, u: (f"{API}/releases", {"deployment": f"rel-{s}"}),
    ("GET", f"{API}/releases"): lambda s, u: (f"{API}/releases?limit=5", None),
    ("GET", f"{API}/releases/{{release_id}}"): lambda s, u: (f"{API}/releases/appr-{s}", None),
    ("POST", f"{API}/releases/{{release_id}}/approve"): lambda s, u: (
        f"{API}/releases/appr-{s}/approve",
        {"reason": "the evidence holds"},
    ),
    ("POST", f"{API}/releases/{{release_id}}/reject"): lambda s, u: (
        f"{API}/releases/rej-{s}/reject",
        {"reason": "not now"},
    ),
    ("GET", f"{API}/webhooks"): lambda s, u: (f"{API}/webhooks", None),
    ("POST", f"{API}/webhooks"): lambda s, u: (
        f"{API}/webhooks",
        {"url": f"https://93.184.216.34/{s}", "events": ["policy.changed"], "secret": "s" * 20},
    ),
    ("DELETE", f"{API}/webhooks/{{hook_id}}"): lambda s, u: (f"{API}/webhooks/hook-{s}", None),
    ("GET", f"{API}/webhook-deliveries"): lambda s, u: (f"{API}/webhook-deliveries", None),
    ("POST", f"{API}/webhook-deliveries/{{delivery_id}}/replay"): lambda s, u: (
        f"{API}/webhook-deliveries/delivery-{s}/replay",
        None,
    ),
}
WEB_ROUTES = ("/api/", "/healthz", "/readyz")  # the JSON API; the web pages have their own


def audit_count(admin: httpx.Client) -> int:
    doc = admin.get(f"{API}/audit/verify").json()
    return int(doc["events"])


def prepare(server: LiveServer, callers: list[str]) -> dict[str, dict[str, str]]:
    """Objects each case needs, for every caller; returns caller -> {placeholder: value}
    (a spare token's prefix, releases to decide, a webhook to remove, a delivery)."""
    admin = server.client("admin")
    server.add_user("requester", "contributor")
    requester = server.client("requester")

    def ok(r: httpx.Response) -> None:
        assert r.status_code < 300, r.text

    ok(admin.post(f"{API}/variants", json={"name": "acme/base", "license_id": "llama3"}))
    ok(admin.post(f"{API}/orgs", json={"name": "acme", "country": "US"}))
    dep = {"name": "bot", "model": "acme/base", "org": "acme", "use": "internal"}
    ok(admin.post(f"{API}/deployments", json=dep))
    ok(admin.post(f"{API}/users", json={"name": "target", "role": "viewer"}))
    # releases need an ok verification and a deployment that is not non-compliant
    files = [{"path": "model.safetensors", "status": "ok"}]
    check = {"name": "acme/base", "root": "/x", "at_source": False, "quick": False}
    ok(admin.post(f"{API}/verifications", json={**check, "files": files}))
    ok(admin.post(f"{API}/orgs", json={"name": "relorg", "country": "US"}))
    hook = {"url": "https://93.184.216.34/x", "events": ["variant.registered"], "secret": "s" * 20}
    ok(admin.post(f"{API}/webhooks", json=hook))  # the server's worker is off: never sent
    subs: dict[str, dict[str, str]] = {}
    for s in callers:
        mine = subs.setdefault(s, {})
        for prefix in ("rel", "appr", "rej"):
            ok(
                admin.post(
                    f"{API}/deployments", json={**dep, "name": f"{prefix}-{s}", "org": "relorg"}
                )
            )
        for prefix in ("appr", "rej"):
            made = requester.post(f"{API}/releases", json={"deployment": f"{prefix}-{s}"})
            ok(made)
            mine[f"{prefix}-{s}"] = str(made.json()["id"])
        made = admin.post(f"{API}/webhooks", json={**hook, "events": ["policy.changed"]})
        ok(made)
        mine[f"hook-{s}"] = str(made.json()["id"])
        ok(admin.post(f"{API}/variants", json={"name": f"rm-{s}"}))
        ok(admin.post(f"{API}/variants", json={"name": f"child-{s}"}))
        ok(admin.post(f"{API}/deployments", json={**dep, "name": f"rmdep-{s}"}))
        ok(admin.put(f"{API}/users/target/roles", json={"role": "viewer", "namespace": f"old-{s}"}))
        if s in server.tokens:
            made = admin.post(f"{API}/tokens", json={"user": s, "label": "spare"})
            mine[f"spare-{s}"] = made.json()["prefix"]
    first = admin.get(f"{API}/webhook-deliveries").json()["items"][0]["id"]
    for s in callers:
        subs[s][f"delivery-{s}"] = str(first)
    return subs


def allowed(rule: Rule, role: str | None) -> bool:
    if rule.public:
        return True
    if role is None:
        return False
    return rule.role is None or level(role) >= level(rule.role)


@pytest.mark.parametrize("live_server", [{"worker": False}], indirect=True)
def test_role_route_matrix(team: LiveServer) -> None:
    rules = {k: r for k, r in route_rules(team.db_url).items() if k[1].startswith(WEB_ROUTES)}
    assert set(CASES) == set(rules), set(rules) ^ set(CASES)
    callers = [*ROLES, "nobody"]
    subs = prepare(team, callers)
    admin = team.client("admin")
    for (method, template), make in CASES.items():
        rule = rules[(method, template)]
        for caller in callers:
            role = None if caller == "nobody" else caller
            path, body = make(caller, caller)
            for placeholder, value in subs.get(caller, {}).items():
                path = path.replace(placeholder, value)
            path = path.replace(f"spare-{caller}", "none")
            client = team.client(role) if role else team.client()
            before = audit_count(admin)
            res = client.request(method, path, json=body)
            what = f"{method} {path} as {caller} ({rule.describe()})"
            if allowed(rule, role):
                assert res.status_code < 300, f"{what}: {res.status_code} {res.text}"
            elif role is None:
                assert res.status_code == 401, f"{what}: {res.status_code}"
                assert res.json()["error"]["code"] == "unauthenticated"
            else:
                assert res.status_code == 403, f"{what}: {res.status_code} {res.text}"
                err = res.json()["error"]
                assert err["code"] == "permission_denied" and err["exit_code"] == 4
                assert str(rule.role) in err["message"], err["message"]
                assert audit_count(admin) == before, f"{what} wrote something"


@pytest.mark.parametrize("role", ["contributor", "approver"])
def test_namespace_roles(live_server: LiveServer, role: str) -> None:
    live_server.add_user("admin", "admin")
    live_server.add_user("ns", role, namespace="acme")
    admin, ns = live_server.client("admin"), live_server.client("ns")
    assert admin.post(f"{API}/orgs", json={"name": "acme"}).status_code == 201
    assert ns.get(f"{API}/variants").status_code == 200  # reading is catalog-wide
    assert ns.post(f"{API}/variants", json={"name": "acme/ft"}).status_code == 201
    for name in ("other/ft", "plain"):
        res = ns.post(f"{API}/variants", json={"name": name})
        assert res.status_code == 403, res.text
        assert "contributor" in res.json()["error"]["message"]
    dep = {"name": "d1", "model": "acme/ft", "org": "acme", "use": "internal"}
    assert ns.post(f"{API}/deployments", json=dep).status_code == 201
    assert ns.delete(f"{API}/deployments/d1").status_code == 204
    assert admin.post(f"{API}/variants", json={"name": "other/x"}).status_code == 201
    dep2 = {"name": "d2", "model": "other/x", "org": "acme", "use": "internal"}
    assert admin.post(f"{API}/deployments", json=dep2).status_code == 201
    assert ns.delete(f"{API}/deployments/d2").status_code == 403
    removed = ns.delete(f"{API}/variants/acme/ft")
    assert removed.status_code == (204 if role == "approver" else 403)
    # organisations and MAU are global facts: a namespace approver may not touch them
    assert ns.put(f"{API}/orgs/acme/mau/2024-01", json={"users": 1}).status_code == 403


def test_grant_rules_through_the_api(live_server: LiveServer) -> None:
    live_server.add_user("root", "admin")
    live_server.add_user("nsadmin", "admin", namespace="acme")
    root, nsadmin = live_server.client("root"), live_server.client("nsadmin")
    assert root.post(f"{API}/users", json={"name": "bob", "role": "viewer"}).status_code == 201
    own = root.put(f"{API}/users/root/roles", json={"role": "viewer"})
    assert own.status_code == 403 and "own roles" in own.json()["error"]["message"]
    ok = nsadmin.put(f"{API}/users/bob/roles", json={"role": "approver", "namespace": "acme"})
    assert ok.status_code == 200, ok.text
    glob = nsadmin.put(f"{API}/users/bob/roles", json={"role": "approver"})
    assert glob.status_code == 403
    other = nsadmin.put(f"{API}/users/bob/roles", json={"role": "viewer", "namespace": "beta"})
    assert other.status_code == 403
    # a token limited to reading cannot write, even for an admin
    live_server.add_token("root", "--scopes", "read")
    reader = live_server.client("root")
    res = reader.post(f"{API}/orgs", json={"name": "x"})
    assert res.status_code == 403 and "'approve' scope" in res.json()["error"]["message"]
    assert reader.get(f"{API}/orgs").status_code == 200
    # a token of one's own: allowed; someone else's: admins only
    live_server.add_user("carol", "viewer")
    carol = live_server.client("carol")
    assert carol.post(f"{API}/tokens", json={"user": "carol"}).status_code == 201
    assert carol.post(f"{API}/tokens", json={"user": "bob"}).status_code == 403
