"""The API's contract: pages, ETags and If-Match, idempotency keys, errors, readiness."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.builders import write_checkpoint
from tests.conftest import Cli
from tests.server.conftest import LiveServer

API = "/api/v1"


def registration(tmp_path: Path, name: str, **card: object) -> dict[str, object]:
    """What `modelreg add` would send for a real tiny checkpoint."""
    from registry.catalog.register import add_checkpoint

    class Capture:
        doc: dict[str, object] = {}

        def variant_exists(self, n: str) -> bool:
            return False

        def prepare_write(self) -> None:
            pass

        def register(self, reg: object, *, progress: object) -> dict[str, object]:
            Capture.doc = reg.to_dict()  # type: ignore[attr-defined]
            return {}

    ckpt = write_checkpoint(
        tmp_path / name.replace("/", "_"),
        card=card or None,
        extra_files={"NOTICE": "Llama 3 notice"},
    )
    add_checkpoint(Capture(), ckpt, name=name)  # type: ignore[arg-type]
    return Capture.doc


def test_list_filters_and_cursors_are_the_clis(team: LiveServer) -> None:
    admin = team.client("admin")
    for name, lic in (("acme/a", "llama3 AND mit"), ("acme/b", "mit"), ("other/c", "mit")):
        doc = {"name": name, "license_id": lic}
        assert admin.post(f"{API}/variants", json=doc).status_code == 201
    child = {"name": "acme/q", "parents": [{"name": "acme/a", "relation": "quantized"}]}
    assert admin.post(f"{API}/variants", json=child).status_code == 201

    def names(**params: str) -> list[str]:
        res = admin.get(f"{API}/variants", params=params)
        assert res.status_code == 200, res.text
        return [v["name"] for v in res.json()["items"]]

    assert names(license="MIT") == ["acme/a", "acme/b", "other/c"]
    assert names(name="acme/[ab]") == ["acme/a", "acme/b"]
    assert names(parent="acme/a", relation="quantized") == ["acme/q"]
    assert names(verified="true") == [] and len(names(verified="false")) == 4
    assert names(created_since="2999-01-01") == []
    page = admin.get(f"{API}/variants", params={"license": "mit", "limit": "1"}).json()
    direct = Cli(team.db_url)("list", "--license", "mit", "--limit", "1", "-f", "jsonl")
    assert f"next page: --cursor {page['next_cursor']}" in direct.stderr
    rest = Cli(team.db_url)("list", "--license", "mit", "--cursor", page["next_cursor"])
    assert "acme/b" in rest.stdout and "acme/a" not in rest.stdout
    for bad in ({"name": "[z-a]"}, {"relation": "cousin"}, {"created_since": "soon"}):
        res = admin.get(f"{API}/variants", params=bad)
        assert res.status_code == 422 and res.json()["error"]["exit_code"] == 2, bad


def test_register_show_and_pages(team: LiveServer, tmp_path: Path) -> None:
    admin = team.client("admin")
    doc = registration(tmp_path, "acme/base", license="llama3")
    res = admin.post(f"{API}/variants", json=doc)
    assert res.status_code == 201, res.text
    body = res.json()
    assert body["warnings"] == []
    shown = body["variant"]
    assert shown["name"] == "acme/base" and shown["license"] == "llama3"
    assert {f["path"] for f in shown["files"]} >= {"model.safetensors", "config.json", "NOTICE"}
    notice = next(f for f in shown["files"] if f["path"] == "NOTICE")
    assert notice["details"]["evidence_text"] == "Llama 3 notice"
    for i in range(5):
        child = {"name": f"acme/ft-{i}", "parents": [{"name": "acme/base", "relation": "finetune"}]}
        assert admin.post(f"{API}/variants", json=child).status_code == 201
    again = admin.post(f"{API}/variants", json=doc)
    assert again.status_code == 409 and again.json()["error"]["exit_code"] == 2

    names: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = admin.get(f"{API}/variants", params=params).json()
        names += [v["name"] for v in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["acme/base", *[f"acme/ft-{i}" for i in range(5)]] and pages == 3
    assert admin.get(f"{API}/variants", params={"namespace": "acme"}).json()["items"]
    assert admin.get(f"{API}/variants", params={"namespace": "acm"}).json()["items"] == []
    assert len(admin.get(f"{API}/variants", params={"license": "llama3"}).json()["items"]) == 1

    tree = admin.get(f"{API}/lineage/acme/ft-0").json()
    assert tree["ancestors"][0]["name"] == "acme/base"
    bom = admin.get(f"{API}/boms/acme/ft-0").json()
    assert bom["ancestors"][0]["name"] == "acme/base"
    files = admin.get(f"{API}/recorded-files", params={"name": "acme/base"}).json()
    assert files["items"][0]["files"] and files["next_cursor"] is None
    subjects = admin.get(f"{API}/smoke-subjects", params={"all": "true", "limit": 4}).json()
    assert len(subjects["items"]) == 4 and subjects["next_cursor"]
    assert admin.get(f"{API}/recorded-files").status_code == 422  # names or all


def test_etags_and_if_match(team: LiveServer) -> None:
    admin = team.client("admin")
    assert admin.post(f"{API}/orgs", json={"name": "acme", "country": "US"}).status_code == 201
    first = admin.get(f"{API}/orgs/acme")
    tag = first.headers["etag"]
    assert admin.get(f"{API}/orgs/acme", headers={"If-None-Match": tag}).status_code == 304
    ok = admin.put(f"{API}/orgs/acme/mau/2024-01", json={"users": 5}, headers={"If-Match": tag})
    assert ok.status_code == 200 and ok.json() == {
        "org": "acme",
        "month": "2024-01",
        "users": 5,
        "previous": None,
    }
    stale = admin.put(f"{API}/orgs/acme/mau/2024-01", json={"users": 9}, headers={"If-Match": tag})
    assert stale.status_code == 412
    err = stale.json()["error"]
    assert err["code"] == "precondition_failed" and err["exit_code"] == 2
    assert admin.get(f"{API}/orgs/acme").json()["mau"] == [["2024-01", 5]]
    new = admin.get(f"{API}/orgs/acme").headers["etag"]
    assert new != tag
    star = admin.patch(f"{API}/orgs/acme", json={"country": "IE"}, headers={"If-Match": "*"})
    assert star.status_code == 200 and star.json()["country"] == "IE"
    assert admin.post(f"{API}/variants", json={"name": "m"}).status_code == 201
    vtag = admin.get(f"{API}/variants/m").headers["etag"]
    assert admin.delete(f"{API}/variants/m", headers={"If-Match": '"nope"'}).status_code == 412
    assert admin.delete(f"{API}/variants/m", headers={"If-Match": vtag}).status_code == 204
    assert admin.get(f"{API}/variants/m").status_code == 404


def test_idempotency_key(team: LiveServer) -> None:
    admin = team.client("admin")
    key = {"Idempotency-Key": "create-acme-1"}
    first = admin.post(f"{API}/orgs", json={"name": "acme"}, headers=key)
    second = admin.post(f"{API}/orgs", json={"name": "acme"}, headers=key)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("idempotent-replayed") == "true"
    other = admin.post(f"{API}/orgs", json={"name": "beta"}, headers=key)
    assert other.status_code == 422 and "different request" in other.text
    # without a key the same POST is a second write: refused as a duplicate
    assert admin.post(f"{API}/orgs", json={"name": "acme"}).status_code == 409
    trail = admin.get(f"{API}/audit", params={"action": "org.add"}).json()["items"]
    assert [e["target"] for e in trail] == ["acme"]
    # keys belong to the caller: another token's same key is another request
    viewer = team.client("approver")
    assert viewer.post(f"{API}/orgs", json={"name": "gamma"}, headers=key).status_code == 201


def test_errors_are_one_document_with_the_exit_code(team: LiveServer) -> None:
    admin = team.client("admin")
    missing = admin.get(f"{API}/variants/ghost")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": {
            "code": "not_found",
            "message": "no variant named 'ghost'",
            "exit_code": 2,
            "hint": "`modelreg list` shows them",
        }
    }
    route = admin.get(f"{API}/nothing-here")
    assert route.status_code == 404 and route.json()["error"]["code"] == "not_found"
    method = admin.put(f"{API}/variants")
    assert method.status_code == 405 and method.json()["error"]["exit_code"] == 2
    ghost = admin.put(f"{API}/orgs/ghost/mau/2024-01", json={"users": 1})
    assert ghost.status_code == 404
    assert admin.post(f"{API}/orgs", json={"name": "x"}).status_code == 201
    bad = admin.put(f"{API}/orgs/x/mau/2024-13", json={"users": 1})
    assert bad.status_code == 422 and "YYYY-MM" in bad.json()["error"]["message"]
    typed = admin.put(f"{API}/orgs/x/mau/2024-01", json={"users": "many"})
    assert typed.status_code == 422 and typed.json()["error"]["code"] == "invalid_input"
    extra = admin.post(f"{API}/orgs", json={"name": "y", "admin": True})
    assert extra.status_code == 422  # unknown fields are refused, not ignored
    check = admin.post(f"{API}/checks", json={"variant": "nope", "org": "x", "use": "internal"})
    assert check.status_code == 404 and check.json()["error"]["exit_code"] == 2


def test_check_is_evaluated_on_the_server_with_recorded_evidence(
    team: LiveServer, tmp_path: Path
) -> None:
    admin = team.client("admin")
    doc = registration(tmp_path, "acme/chat", license="llama3")
    assert admin.post(f"{API}/variants", json=doc).status_code == 201
    assert admin.post(f"{API}/orgs", json={"name": "acme", "country": "US"}).status_code == 201
    assert admin.put(f"{API}/orgs/acme/mau/2024-03", json={"users": 1000}).status_code == 200
    viewer = team.client("viewer")
    res = viewer.post(
        f"{API}/checks", json={"variant": "acme/chat", "org": "acme", "use": "internal"}
    )
    assert res.status_code == 200, res.text
    (result,) = res.json()
    assert result["verdict"] in ("compliant", "needs_review", "non_compliant")
    # from the catalog, not a disk: the notice, and the card (it may embed the agreement)
    assert result["inputs"]["evidence_files"] == ["NOTICE", "README.md"]
    history = viewer.get(f"{API}/checks", params={"variant": "acme/chat"}).json()["items"]
    assert len(history) == 1 and history[0]["os_user"] == "viewer"
    audit = admin.get(f"{API}/audit", params={"action": "check.run"}).json()["items"]
    assert audit[0]["actor"] == "viewer" and audit[0]["actor_kind"] == "user"
    assert audit[0]["request_id"] and audit[0]["token_id"]


def test_verifications_and_smoke_runs(team: LiveServer) -> None:
    contrib = team.client("contributor")
    assert contrib.post(f"{API}/variants", json={"name": "m"}).status_code == 201
    files = [{"path": "a.safetensors", "status": "modified", "changed_tensors": ["w"]}]
    body = {"name": "m", "root": "/data/m", "at_source": True, "quick": False, "files": files}
    rec = contrib.post(f"{API}/verifications", json=body)
    assert rec.status_code == 201, rec.text
    assert rec.json()["ok"] is False and rec.json()["counts"]["modified"] == 1
    assert rec.json()["verified_by"] == "contributor"
    hist = contrib.get(f"{API}/verifications", params={"variant": "m"}).json()
    assert [v["id"] for v in hist["items"]] == [rec.json()["id"]]
    result = {
        "name": "m",
        "env": {
            "device": "cpu",
            "device_type": "cpu",
            "device_name": "cpu",
            "torch_version": "2",
            "transformers_version": "4",
        },
        "dtype": "float32",
        "max_new_tokens": 2,
        "status": "pass",
        "prompt_ids": [1],
        "generated_ids": [5, 6],
    }
    first = contrib.post(f"{API}/smoke-runs", json={"name": "m", "result": result}).json()
    assert first["status"] == "pass" and first["reference_run_id"] is None
    drift = {**result, "generated_ids": [5, 7]}
    second = contrib.post(f"{API}/smoke-runs", json={"name": "m", "result": drift}).json()
    assert second["status"] == "drift" and second["reference_run_id"] == first["run_id"]
    subject = contrib.get(f"{API}/smoke-subjects", params={"name": "m"}).json()["items"][0]
    passing = contrib.get(
        f"{API}/smoke-runs/passing",
        params={"digest": subject["content_digest"], "device_type": "cpu", "dtype": "float32"},
    )
    assert passing.json() == {"passed": True}
    runs = contrib.get(f"{API}/smoke-runs", params={"variant": "m", "limit": 1}).json()
    assert runs["items"][0]["status"] == "drift" and runs["next_cursor"]


def test_readyz_reports_a_catalog_behind_head(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as c:
        assert c.get("/readyz").json()["status"] == "ready"
        assert c.get("/healthz").json()["status"] == "ok"
    from registry.db.migrate import downgrade

    downgrade(live_server.db_url, "0004_smoke_runs")
    with httpx.Client(base_url=live_server.url) as c:
        res = c.get("/readyz")
        assert res.status_code == 503
        assert "modelreg db upgrade" in res.json()["error"]["message"]
        assert c.get("/healthz").status_code == 200


def test_openapi_document(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as c:
        doc = c.get(f"{API}/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert f"{API}/variants" in doc["paths"] and f"{API}/audit/verify" in doc["paths"]
    json.dumps(doc)


@pytest.mark.parametrize("limit", ["0", "1001", "99999999999999999999", "-1", "x"])
def test_huge_or_odd_limits_are_refused(team: LiveServer, limit: str) -> None:
    res = team.client("viewer").get(f"{API}/variants", params={"limit": limit})
    assert res.status_code == 422 and res.json()["error"]["exit_code"] == 2


def test_forged_cursors_are_refused(team: LiveServer) -> None:
    viewer = team.client("viewer")
    for cursor in ("!!!", "eyJ4IjoxfQ", "bnVsbA"):
        res = viewer.get(f"{API}/variants", params={"cursor": cursor})
        assert res.status_code == 422, cursor
