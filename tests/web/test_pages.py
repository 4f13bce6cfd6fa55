"""The web pages over HTTP: sign-in, sessions, CSRF, headers, escaping, the release forms."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

import httpx
import pytest

from tests.web.conftest import HOSTILE, Site, csrf_of

PAGES = [
    "/",
    "/?q=chat&license=llama2&verification=ok",
    "/?release=none&namespace=acme",
    "/variants/acme/chat",
    "/variants/acme/chat-mit",
    "/variants/" + quote(HOSTILE),
    "/orgs/acme",
    "/orgs/acme-parent",
    "/releases",
    "/releases?state=stale",
    "/audit",
    "/audit?action=variant.&actor=nobody",
]


def test_pages_need_a_session(site: Site) -> None:
    anon = site.browser_client()
    res = anon.get("/variants/acme/chat")
    assert res.status_code == 303
    assert res.headers["location"] == "/login?next=%2Fvariants%2Facme%2Fchat"
    assert anon.get("/static/web.css").status_code == 200
    page = anon.get("/login")
    assert page.status_code == 200 and 'type="password"' in page.text
    assert "modelreg_login" in page.headers["set-cookie"]


def test_sign_in_sets_a_strict_http_only_cookie(site: Site) -> None:
    client = site.browser_client()
    form = client.get("/login")
    bad = client.post("/login", data={"csrf": "wrong" * 5, "token": site.server.tokens["viewer"]})
    assert bad.status_code == 403
    wrong = client.post("/login", data={"csrf": csrf_of(form.text), "token": "mr_nope"})
    assert wrong.status_code == 401 and "invalid, expired or revoked" in wrong.text
    res = client.post(
        "/login",
        data={"csrf": csrf_of(form.text), "token": site.server.tokens["viewer"], "next": "//evil"},
    )
    assert res.status_code == 303 and res.headers["location"] == "/"
    cookie = res.headers["set-cookie"].lower()
    assert "modelreg_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert site.server.tokens["viewer"] not in res.headers["set-cookie"]
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_with_a_strict_policy(site: Site, path: str) -> None:
    res = site.browser_client("viewer").get(path)
    assert res.status_code == 200, res.text
    csp = res.headers["content-security-policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp
    assert res.headers.get_list("content-security-policy") == [csp]
    assert res.headers["x-frame-options"] == "DENY"
    assert "<script" not in res.text.lower()


class _Inert(HTMLParser):
    """Collects what could run: script elements, event handler attributes, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "img"):
            self.found.append(f"<{tag}>")
        for key, value in attrs:
            v = (value or "").strip().lower()
            if key.startswith("on") or v.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag} {key}={value}")


def runnable(html: str) -> list[str]:
    parser = _Inert()
    parser.feed(html)
    return parser.found


def test_hostile_text_is_escaped(site: Site) -> None:
    client = site.browser_client("viewer")
    page = client.get("/variants/" + quote(HOSTILE)).text
    assert runnable(page) == []
    assert "&lt;script&gt;window.pwned_license=1&lt;/script&gt;" in page
    assert "&lt;script&gt;window.pwned_card=1&lt;/script&gt;" in page
    assert "[click me](javascript:window.pwned_link=1)" in page  # a link it did not become
    assert 'href="https://example.org/ok"' in page
    catalog = client.get("/?q=javascript").text
    assert runnable(catalog) == []
    assert f'href="/variants/{quote(HOSTILE, safe="/@:+=~,")}"' in catalog


def test_the_graph_marks_laundering_and_unresolved_parents(site: Site) -> None:
    page = site.browser_client("viewer").get("/variants/acme/chat-mit").text
    assert 'class="node root laundering"' in page
    assert 'class="node unresolved"' in page and "someone/unregistered-base" in page
    assert '<a href="/variants/acme/chat">' in page
    assert ">finetune</text>" in page
    assert "acme/chat-mit &lt;-merge- acme/chat</code>" in page  # the path of llama2
    assert ">merge</text>" in page


def test_the_org_page_charts_mau_against_the_threshold(site: Site) -> None:
    page = site.browser_client("viewer").get("/orgs/acme").text
    assert 'class="threshold"' in page and ">700M</text>" in page
    assert page.count('class="measured"') >= 5  # Llama 2, 3, 3.1, 3.2, 3.3, 4
    assert "750,000,000 <strong>over the threshold</strong>" in page
    assert "acme-parent" in page


def _form_post(client: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    csrf = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf": csrf, **fields})


def test_request_and_approve_through_the_forms(site: Site) -> None:
    contributor = site.browser_client("contributor")
    no_csrf = contributor.post("/releases", data={"deployment": "chat-prod"})
    assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
    res = _form_post(contributor, "/variants/acme/chat", "/releases", deployment="chat-prod")
    assert res.status_code == 303, res.text
    target = res.headers["location"]
    rid = target.rsplit("/", 1)[1]
    own = contributor.get(target).text
    assert "another approver must decide" in own and 'value="approve"' not in own
    denied = _form_post(
        contributor, target, f"/releases/{rid}/decide", decision="approve", reason="x"
    )
    assert denied.status_code == 403
    approver = site.browser_client("approver")
    page = approver.get(target).text
    assert 'value="approve"' in page and "pending" in page
    done = _form_post(
        approver, target, f"/releases/{rid}/decide", decision="approve", reason="holds"
    )
    assert done.status_code == 303
    after = approver.get(target).text
    assert 'badge approved">approved' in after and "holds" in after
    # the catalog's filters see it
    released = approver.get("/?release=released").text
    assert 'href="/variants/acme/chat"' in released and "chat-mit" not in released
    verified = approver.get("/?verification=ok").text
    assert 'href="/variants/acme/chat"' in verified and "chat-mit" not in verified
    assert "acme/chat-mit" in approver.get("/?verification=never&release=none").text


def test_sign_out_ends_the_session(site: Site) -> None:
    client = site.browser_client("viewer")
    res = _form_post(client, "/", "/logout")
    assert res.status_code == 303 and res.headers["location"] == "/login"
    assert client.get("/").status_code == 303


def test_every_page_route_declares_its_rule(db_url: str) -> None:
    from registry.server.access import PUBLIC, READ, SIGNED_IN, Rule
    from tests.server.test_routes import WEB_ROUTES, route_rules

    pages = {k: r for k, r in route_rules(db_url).items() if not k[1].startswith(WEB_ROUTES)}
    assert pages == {
        ("GET", "/static/{name}"): PUBLIC,
        ("GET", "/login"): PUBLIC,
        ("POST", "/login"): PUBLIC,
        ("GET", "/login/oidc"): PUBLIC,
        ("GET", "/login/oidc/callback"): PUBLIC,
        ("POST", "/logout"): SIGNED_IN,
        ("GET", "/"): READ,
        ("GET", "/variants/{name:path}"): READ,
        ("GET", "/orgs/{name:path}"): READ,
        ("GET", "/releases"): READ,
        ("POST", "/releases"): Rule("contributor", anywhere=True),
        ("GET", "/releases/{release_id}"): READ,
        ("POST", "/releases/{release_id}/decide"): Rule("approver", anywhere=True),
        ("GET", "/audit"): READ,
    }


def test_a_viewer_cannot_use_the_forms(site: Site) -> None:
    viewer = site.browser_client("viewer")
    page = viewer.get("/variants/acme/chat").text
    assert "Request release of" not in page  # no form for someone who may not
    res = _form_post(viewer, "/variants/acme/chat", "/releases", deployment="chat-prod")
    assert res.status_code == 403 and "needs the contributor role" in res.text
    assert "<script" not in res.text and res.headers["content-type"].startswith("text/html")
    missing = viewer.get("/variants/no/such")
    assert missing.status_code == 404 and "no variant named" in missing.text
    assert viewer.get("/releases/2147483648").status_code == 422
    api = site.server.client("viewer").get("/api/v1/variants/no/such")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
