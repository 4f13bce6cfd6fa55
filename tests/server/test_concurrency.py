"""Eight clients writing and checking at once: every write lands, the trail stays one chain."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.audit.conftest import tamper
from tests.server.conftest import LiveServer

API = "/api/v1"
CLIENTS = 8
ROUNDS = 6


def test_eight_clients_writing_and_checking(team: LiveServer) -> None:
    admin = team.client("admin")
    assert admin.post(f"{API}/orgs", json={"name": "acme", "country": "US"}).status_code == 201
    assert (
        admin.post(f"{API}/variants", json={"name": "base", "license_id": "llama3"}).status_code
        == 201
    )
    for i in range(CLIENTS):
        team.add_user(f"c{i}", "approver")
    start = int(admin.get(f"{API}/audit/verify").json()["events"])

    def work(i: int) -> list[int]:
        c = team.client(f"c{i}")
        codes = []
        for r in range(ROUNDS):
            name = f"team{i}/v{r}"
            reg = {"name": name, "license_id": "llama3", "parents": [{"name": "base"}]}
            codes.append(c.post(f"{API}/variants", json=reg).status_code)
            ver = {"name": name, "root": "/x", "at_source": False, "quick": False, "files": []}
            codes.append(c.post(f"{API}/verifications", json=ver).status_code)
            mau = c.put(f"{API}/orgs/acme/mau/2024-{r + 1:02d}", json={"users": i * 100 + r})
            codes.append(mau.status_code)
            chk = c.post(f"{API}/checks", json={"variant": name, "org": "acme", "use": "internal"})
            codes.append(chk.status_code)
            codes.append(c.get(f"{API}/variants/{name}").status_code)
        return codes

    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(work, range(CLIENTS)))
    for codes in results:
        assert all(code < 300 for code in codes), codes
    # four writes per round per client (add, verification, MAU, check)
    check = admin.get(f"{API}/audit/verify").json()
    assert check["ok"] is True, check
    assert check["events"] == start + CLIENTS * ROUNDS * 4
    seqs: list[int] = []
    cursor = None
    while True:
        params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
        page = admin.get(f"{API}/audit", params=params).json()
        seqs += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(admin.get(f"{API}/variants", params={"limit": 1000}).json()["items"]) == 49

    # a DBA edits one MAU event by hand: the chain says where
    victim = next(
        e for e in admin.get(f"{API}/audit", params={"action": "org.mau.set"}).json()["items"]
    )
    tamper(
        team.db_url,
        "UPDATE audit_events SET after = ? WHERE seq = ?",
        (json.dumps({"month": victim["after"]["month"], "users": 1}), victim["seq"]),
    )
    broken = admin.get(f"{API}/audit/verify").json()
    assert broken["ok"] is False and broken["broken_seq"] == victim["seq"]
