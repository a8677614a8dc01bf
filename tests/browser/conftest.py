"""Browser tests: the web console in headless Chromium (Playwright for Python) against the local stack, started in
this process on free ports as tests/e2e does. Only the platforms' and the WMS's own control APIs are used besides the
page (a shop places an order, a warehouse user adds a product): everything a person does, they do in the page.

Each person signs in in a browser context of their own (their own sessionStorage), at 1280×800 unless a test says
otherwise. ``CONSOLE_SCREENSHOTS=docs/screenshots`` (``make screenshots``) keeps the screenshots the tests take;
otherwise they go to a temporary folder. Every page is watched for script errors and Content-Security-Policy
violations, which fail the test.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from local import demo
from local.stack import LocalStack, StackConfig

from . import chromium

ROOT = Path(__file__).resolve().parents[2]
BUILT = ROOT / "functions" / "console" / "static" / "index.html"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
#: The longest any one condition is waited for: the stack's queues work in the background, and the machine may be
#: busy with other test runs (2 cores shared). Waits end as soon as the condition holds; there are no fixed sleeps.
PATIENCE_MS = 60_000
expect.set_options(timeout=PATIENCE_MS)


@dataclass
class World:
    """The running stack, and what the platforms' own sides (their control APIs) can do to it."""

    stack: LocalStack
    screenshots: Path

    @property
    def api(self) -> str:
        return self.stack.api_url

    @property
    def console(self) -> str:
        return f"{self.api}/console/"

    def facts(self, sandbox: str) -> dict[str, Any]:
        facts = self.stack.sandboxes[sandbox].facts
        assert facts is not None
        return facts

    def sandbox(self, name: str) -> str:
        return self.stack.sandboxes[name].url

    def control(self, sandbox: str, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, f"{self.sandbox(sandbox)}/_control/{path}", json=body, timeout=30)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def add_customer(self, name: str, code: str) -> str:
        """A customer of the demo 3PL in the WMS (not allowed to self-manage until the admin says so)."""
        return str(self.control("cartoncloud", "POST", f"tenants/{demo.TENANT_ID}/customers",
                                {"name": name, "code": code, "warehouseIds": [demo.WAREHOUSE_ID]})["id"])

    def add_store(self, slug: str) -> dict[str, str]:
        """A WooCommerce store of its own (its URL and Read/Write key)."""
        store = self.control("woocommerce", "POST", "stores", {"slug": slug, "name": slug.title()})
        return {"storeUrl": f"{self.sandbox('woocommerce')}/{slug}", **store["keys"][0]}

    def api_get(self, path: str, role: str = "admin") -> Any:
        token = requests.post(f"{self.facts('management')['tokens']}", json={"role": role}, timeout=30).json()["token"]
        answer = requests.get(f"{self.api}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()


@dataclass
class Watched:
    """A page, and what went wrong in it that the page itself can't show (script errors, CSP violations)."""

    page: Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not BUILT.is_file():
        pytest.fail("The console is not built: run `make console` (make test and make browser-tests build it).")
    found = chromium.find()
    if found is None:
        pytest.fail(f"No Chromium for the browser tests: {chromium.HOW} (`make browser` tries).")
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[World]:
    kept = os.environ.get("CONSOLE_SCREENSHOTS")
    screenshots = Path(kept) if kept else tmp_path_factory.mktemp("screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    with LocalStack(StackConfig(free_ports=True, fast_retry=1, run_schedules=False)) as stack:
        yield World(stack, screenshots)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(playwright: Playwright, chromium_path: str) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
    yield launched
    launched.close()


class People:
    """Opens the console for someone: each in a browser context of their own, signed in on the demo screen."""

    def __init__(self, browser: Browser, world: World) -> None:
        self.browser = browser
        self.world = world
        self.watched: list[Watched] = []

    def open(self, viewport: dict[str, int] | None = None, path: str = "") -> Page:
        context = self.browser.new_context(viewport=viewport or DESKTOP, accept_downloads=True,
                                           locale="en-AU", timezone_id="Australia/Brisbane")
        context.set_default_timeout(PATIENCE_MS)
        page = context.new_page()
        watched = Watched(page)
        page.on("pageerror", lambda error: watched.errors.append(f"script error: {error}"))
        page.on("console", lambda message: watched.errors.append(f"console: {message.text}")
                if "Content Security Policy" in message.text else None)
        self.watched.append(watched)
        page.goto(self.world.console + path)
        return page

    def sign_in(self, who: str, viewport: dict[str, int] | None = None) -> Page:
        """``who``: the demo sign-in button's label, e.g. "Tenant admin of the demo 3PL"."""
        page = self.open(viewport)
        page.get_by_role("button", name=who, exact=True).click()
        page.get_by_role("button", name="Sign out").wait_for()
        return page

    def admin(self, viewport: dict[str, int] | None = None) -> Page:
        return self.sign_in("Tenant admin of the demo 3PL", viewport)

    def customer(self, name: str = "Steam Chef Store", viewport: dict[str, int] | None = None) -> Page:
        return self.sign_in(f"Customer user of {name}", viewport)

    def close(self) -> None:
        for watched in self.watched:
            watched.page.context.close()


@pytest.fixture
def people(browser: Browser, world: World) -> Iterator[People]:
    opened = People(browser, world)
    yield opened
    problems = [error for watched in opened.watched for error in watched.errors]
    opened.close()
    assert not problems, problems


def shoot(world: World, page: Page, name: str, *, full_page: bool = False) -> Path:
    """A screenshot of a main screen (docs/screenshots/ with ``make screenshots``)."""
    path = world.screenshots / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA findings on the page as it is now. Evaluated over the DevTools
    protocol, which the page's Content-Security-Policy doesn't govern (it refuses injected scripts, as it should)."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("""async () => (await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
    return list(result)


def described(field: Locator) -> str:
    """What a screen reader reads after a field's label: the text of what its aria-describedby names (a field's
    errors, help and description)."""
    return str(field.evaluate("""element => (element.getAttribute('aria-describedby') || '').split(/\\s+/)
        .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(' ')"""))


def fits_width(page: Page) -> bool:
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def configure_woocommerce(page: Page, name: str, store: dict[str, str]) -> None:
    """Through the box, as the help page says: Configure → Name → Authentication → Order Creation → Fulfilment →
    Finish; the cost shown before Finish."""
    page.get_by_role("button", name="Configure a new WooCommerce integration").click()
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("textbox", name="Store URL").fill(store["storeUrl"])
    page.get_by_label("Consumer key").fill(store["consumerKey"])
    page.get_by_label("Consumer secret").fill(store["consumerSecret"])
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("heading", name="(3) Order Creation").wait_for()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("heading", name="(4) Fulfilment").wait_for()
    page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_text("$10.00 per week").wait_for()
    page.get_by_role("button", name="Finish", exact=True).click()
    page.get_by_text(f"{name} is live.").wait_for()
    page.get_by_role("button", name="Done", exact=True).click()


def dumps(value: Any) -> str:
    return json.dumps(value, indent=1)
