"""The web pages in a real browser: Debian's chromium, headless, driven by Playwright.

Playwright's own browser download cannot work here; the tests launch ``/usr/bin/chromium``
(``apt-get install chromium``). Without it they skip, saying so, unless
``MODELREG_TEST_REQUIRE_BROWSER=1`` (CI), which makes a missing browser a failure. Every
page visited is saved as a screenshot in the test's ``tmp_path``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Cli
from tests.web.conftest import HOSTILE, Site

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "MODELREG_TEST_REQUIRE_BROWSER"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"browser tests need {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{REQUIRE_ENV} is set but playwright is not installed")
        pytest.skip("browser tests need playwright (the dev extra)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Session:
    """One person's browser session: a context of its own, console errors collected."""

    def __init__(self, browser: Any, site: Site, shots: Path, who: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.site = site
        self.shots = shots
        self.who = who
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def goto(self, path: str) -> Any:
        res = self.page.goto(self.site.url + path)
        self.page.wait_for_load_state("load")
        return res

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(self) -> None:
        """Sign in by keyboard: type the token, press Enter."""
        self.goto("/login")
        self.page.locator("#token").focus()
        self.page.keyboard.type(self.site.server.tokens[self.who])
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(self.site.url + "/")
        assert self.page.locator("header").get_by_text(f"signed in as {self.who}").count() == 1

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Any, site: Site, tmp_path: Path) -> Iterator[dict[str, Session]]:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    sessions = {who: Session(browser, site, shots, who) for who in ("contributor", "approver")}
    try:
        yield sessions
    finally:
        for s in sessions.values():
            s.close()


def test_two_people_release_a_deployment(people: dict[str, Session], site: Site) -> None:
    bob, carol = people["contributor"], people["approver"]
    bob.login()
    bob.goto("/variants/acme/chat")
    bob.shot("variant")
    # by keyboard: type the note, Tab to the button, Enter
    bob.page.get_by_label("Note").focus()
    bob.page.keyboard.type("first release of the chat assistant")
    bob.page.keyboard.press("Tab")
    assert bob.page.evaluate("document.activeElement.textContent") == (
        "Request release of chat-prod"
    )
    bob.page.keyboard.press("Enter")
    bob.page.wait_for_url("**/releases/*")
    release_path = bob.page.url[len(site.url) :]
    assert "another approver must decide it" in bob.page.content()
    bob.shot("release-pending")

    carol.login()
    carol.goto("/releases")
    carol.shot("releases")
    carol.page.get_by_role("link", name=f"#{release_path.rsplit('/', 1)[1]}").first.click()
    carol.page.wait_for_url("**" + release_path)
    carol.page.get_by_label("Reason").focus()
    carol.page.keyboard.type("verified today, MAU far below the threshold")
    carol.page.keyboard.press("Tab")
    assert carol.page.evaluate("document.activeElement.value") == "approve"
    with carol.page.expect_navigation():  # the form posts, then comes back to this page
        carol.page.keyboard.press("Enter")
    assert carol.page.locator("h1 .badge").inner_text() == "approved"
    carol.shot("release-approved")

    cli = Cli(site.server.db_url)
    res = cli("check", "--deployment", "chat-prod", "--require-release")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "release: released" in res.stdout and "approved by approver" in res.stdout

    # a MAU record of the measured month changes: the page shows the release stale, and why
    assert cli("org", "mau", "acme", "--month", "2023-06", "--users", "1500000").exit_code == 0
    carol.goto(release_path)
    assert carol.page.locator("h1 .badge").inner_text() == "stale"
    changed = carol.page.locator("section.stale").inner_text()
    assert "MAU of acme in 2023-06: 1,200,000 -> 1,500,000" in changed
    carol.shot("release-stale")
    assert cli("check", "--deployment", "chat-prod", "--require-release").exit_code == 1
    assert bob.errors == [] and carol.errors == []


def test_a_hostile_variant_renders_inert(people: dict[str, Session]) -> None:
    s = people["contributor"]
    s.login()
    s.goto("/variants/" + quote(HOSTILE))
    s.shot("hostile-variant")
    page = s.page
    assert page.locator("main > h1").inner_text() == HOSTILE
    assert page.evaluate("document.scripts.length") == 0
    for flag in ("pwned_license", "pwned_card", "pwned_link", "pwned_img", "pwned_a"):
        assert page.evaluate(f"typeof window.{flag}") == "undefined"
    bad = page.evaluate(
        "[...document.querySelectorAll('[href],[src]')].map(e => e.getAttribute('href') || "
        "e.getAttribute('src')).filter(u => /^\\s*(javascript|data|vbscript):/i.test(u))"
    )
    assert bad == []
    card = page.locator(".card").inner_text()
    assert "<script>window.pwned_card=1</script>" in card  # shown as text
    assert "[click me](javascript:window.pwned_link=1)" in card
    assert page.locator(".card a", has_text="click me").count() == 0
    # catalog search for it: the link goes to the variant page, nowhere else
    s.goto("/?q=javascript")
    link = page.get_by_role("link", name=HOSTILE)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/variants/**")
    assert page.locator("main > h1").inner_text() == HOSTILE
    assert s.dialogs == [] and s.errors == []


PAGES = {
    "catalog": "/",
    "catalog-filtered": "/?license=llama2&verification=ok",
    "variant-laundering": "/variants/acme/chat-mit",
    "organisation": "/orgs/acme",
    "releases-queue": "/releases",
    "audit-log": "/audit",
}


def _tab_through(page: Any) -> tuple[int, set[int], int]:
    """Tab from the top of the page; (focusable elements, those reached, first reached)."""
    total = page.evaluate(
        """() => {
        const els = [...document.querySelectorAll(
            'a[href], button, input:not([type=hidden]), select, textarea')]
            .filter(e => e.getClientRects().length > 0);
        els.forEach((e, i) => e.setAttribute('data-kb', String(i)));
        return els.length;
    }"""
    )
    reached: list[int] = []
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(total + 3):
        page.keyboard.press("Tab")
        idx = page.evaluate(
            "document.activeElement && document.activeElement.getAttribute('data-kb')"
        )
        if idx is not None:
            reached.append(int(idx))
    return total, set(reached), reached[0] if reached else -1


def test_every_page_by_keyboard_without_console_errors(
    people: dict[str, Session], site: Site
) -> None:
    s = people["approver"]
    s.login()
    for name, path in PAGES.items():
        s.errors.clear()
        res = s.goto(path)
        assert res.status == 200, path
        total, reached, first = _tab_through(s.page)
        assert total > 3, path
        assert reached == set(range(total)), f"{path}: not reachable by Tab: {total - len(reached)}"
        assert (
            s.page.evaluate(
                "document.querySelector('[data-kb=\"' + arguments_0 + '\"]').className".replace(
                    "arguments_0", str(first)
                )
            )
            == "skip"
        ), f"{path}: the first Tab stop is not the skip link"
        s.shot(name)
        assert s.errors == [], f"{path}: {s.errors}"
    # the skip link moves the focus to the content
    s.goto("/")
    s.page.keyboard.press("Tab")
    s.page.keyboard.press("Enter")
    assert s.page.evaluate("document.activeElement.id") == "main"
    # the variant's lineage graph: its ancestors are links a keyboard reaches
    s.goto("/variants/acme/chat-mit")
    node = s.page.locator('svg.lineage a[href="/variants/acme/chat"]')
    node.focus()
    s.page.keyboard.press("Enter")
    s.page.wait_for_url("**/variants/acme/chat")
    s.shot("variant-by-keyboard")
    assert s.errors == []
    assert len(list((s.shots).glob("*.png"))) >= len(PAGES) + 1


def test_sign_in_with_openid_connect(browser: Any, db_url: str, tmp_path: Path) -> None:
    """Through the provider and back: signed in on the page asked for, by keyboard too.

    The provider runs on ``localhost`` and the server on ``127.0.0.1``: two sites. The person
    clicks through the provider's page, so the way back is a navigation a cross-site page
    started, as with a real provider: it carries no ``SameSite=Strict`` cookie, on the
    callback nor on any redirect after it, hence the callback's same-site landing page.
    """
    from tests.web.test_oidc_login import oidc_site

    sites = oidc_site(db_url, tmp_path, host="localhost")
    osite = next(sites)
    osite.idp.interactive = True
    shots = tmp_path / "screenshots"
    shots.mkdir()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(osite.url + "/releases")
        page.wait_for_url("**/login?next=%2Freleases")
        page.screenshot(path=str(shots / "login-oidc.png"), full_page=True)
        link = page.get_by_role("link", name=f"Sign in with localhost:{osite.idp.port}")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(osite.idp.issuer + "/authorize?**")
        page.screenshot(path=str(shots / "provider.png"), full_page=True)
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url(osite.url + "/releases")
        page.wait_for_load_state("load")
        assert page.locator("header").get_by_text("signed in as alice").count() == 1
        page.screenshot(path=str(shots / "releases-after-oidc.png"), full_page=True)
        page.goto(osite.url + "/")
        assert page.locator("header").get_by_text("signed in as alice").count() == 1
        page.screenshot(path=str(shots / "catalog-after-oidc.png"), full_page=True)
        assert errors == []
        context.clear_cookies()
        osite.idp.user = "mallory"  # no such modelreg user: the login page says so
        page.goto(osite.url + "/login")
        page.get_by_role("link", name=f"Sign in with localhost:{osite.idp.port}").click()
        page.get_by_role("link", name="Continue").click()
        page.wait_for_url("**/login/oidc/callback?**")
        assert "no modelreg user of that name" in page.locator("[role=alert]").inner_text()
        page.screenshot(path=str(shots / "login-oidc-refused.png"), full_page=True)
    finally:
        context.close()
        sites.close()
