"""Browser fixtures: a live server with CSRF on, Debian's Chromium driven by Playwright.

Browser tests are marked ``browser`` and skipped unless ``BROWSER_TESTS=1``; with it set, a
missing Chromium or Playwright fails the run instead of skipping it. Playwright never downloads
a browser here: it always launches ``/usr/bin/chromium`` (or ``CHROMIUM_PATH``).

Test code and the live server share the database, and on SQLite every transaction begins with
``BEGIN IMMEDIATE``: set data up with the factories, read what the test needs into plain values,
then call ``release_db()`` before the browser acts, so the test holds no write lock.
"""

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import make_config
from volunteer import create_app
from volunteer.extensions import db

HERE = Path(__file__).resolve().parent
SCREENSHOTS = HERE / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
ENABLED = os.environ.get("BROWSER_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="browser tests run only with BROWSER_TESTS=1")
    for item in items:
        if HERE in item.path.parents or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
            if not ENABLED:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(app, db_url, tmp_path_factory):
    """A second app on the test database, configured as in production: CSRF is on."""
    application = create_app(make_config(db_url, str(tmp_path_factory.mktemp("live")),
                                         WTF_CSRF_ENABLED=True))
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@dataclass
class LiveServer:
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(live_app):
    """``live_app`` served by werkzeug on a free port of 127.0.0.1, in a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium; fails loudly when it (or Playwright) is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"BROWSER_TESTS=1 but Chromium is missing at {CHROMIUM} "
                    "(apt-get install -y chromium)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - depends on the environment
        pytest.fail(f"BROWSER_TESTS=1 but Playwright is not installed: {error}", pytrace=False)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                              headless=True)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


class PageProblems(list):
    """Console errors, failed requests and uncaught exceptions seen by a page."""

    def watch(self, page) -> None:
        page.on("console", lambda m: self.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.append(f"page error: {e}"))
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request) -> None:
        # a navigation aborts requests still in flight (e.g. the icon); that is no fault
        if "ERR_ABORTED" not in (request.failure or ""):
            self.append(f"request failed: {request.url} {request.failure}")


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (its own cookies) and page; ``viewport`` defaults to a phone.

    Every page accepts ``confirm()`` dialogs and must end the test without console errors
    (CSP violations, 404 assets, JavaScript exceptions).
    """
    contexts, problems = [], PageProblems()

    def open_page(viewport: dict | None = None):
        context = browser.new_context(viewport=viewport or PHONE, base_url=live_server.url,
                                      locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A phone-sized page."""
    return new_page()


@pytest.fixture(scope="session")
def screenshot_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def shoot(screenshot_dir):
    """Save a full-page screenshot as ``tests/browser/screenshots/<name>-<width>.png``.

    Also asserts the page does not scroll sideways: wide tables must scroll in their wrapper.
    """

    def take(page, name: str) -> Path:
        page.wait_for_load_state("networkidle")
        path = screenshot_dir / f"{name}-{page.viewport_size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name}: page is {overflow}px wider than the viewport"
        return path

    return take


@pytest.fixture
def release_db(app):
    """End the test's own database transaction so the live server can write."""

    def release() -> None:
        db.session.commit()
        db.session.remove()

    return release


@pytest.fixture
def login_as(live_server):
    """Log in through the real login page (CSRF included) and land on the user's home."""

    def do(page, phone: str, password: str) -> None:
        page.goto("/login")
        page.get_by_label("手机号").fill(phone)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        assert "/login" not in page.url, page.locator("main").inner_text()

    return do

