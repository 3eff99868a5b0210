"""/api/v1/docs in a real Chromium: Swagger UI renders and works offline under the strict CSP.

Every request that would leave the test server (a CDN, the online validator) is refused and recorded.
Skipped, visibly, without Debian's Chromium or Playwright (as tests/browser).
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("ABRI_CHROMIUM", "/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium absent: apt-get install chromium"),
]


@pytest.fixture
def chromium_page(settings):
    playwright = pytest.importorskip("playwright.sync_api")
    # live_server serves /static/ from the finders: plain names, not the collected manifest's.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop here
    try:
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-dev-shm-usage"],
            )
            page = browser.new_page()
            page.set_default_timeout(30_000)
            yield page
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_swagger_ui_renders_and_calls_the_api_offline_under_strict_csp(chromium_page, live_server):
    page = chromium_page
    local = urlsplit(live_server.url).netloc
    outside, problems = [], []

    def only_local(route):
        if urlsplit(route.request.url).netloc == local:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock")
    summaries = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/me", "/api/v1/contracts/{number}", "/api/v1/documents"} <= {s.strip() for s in summaries}

    page.locator(".opblock-summary", has_text="/api/v1/ping").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    page.wait_for_selector(".live-responses-table")
    assert "200" in page.locator(".live-responses-table .response-col_status").all_inner_texts()[-1]

    assert outside == [], f"requests leaving the server: {outside}"
    assert problems == [], problems
