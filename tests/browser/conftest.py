"""Real-browser fixtures: Playwright (Python) driving Debian's Chromium against pytest-django's live_server.

No browser is ever downloaded: tests use /usr/bin/chromium (``apt-get install chromium``) and skip,
with a visible reason, when it is absent.

Helpers for browser tests:
- ``browser`` (one Chromium for the whole tests/browser package), ``page`` (new context per test), ``phone_page`` (375×667, touch), ``desktop_page``;
- ``axe_check(page)`` runs the vendored axe-core and fails on any serious or critical violation;
- ``login_as(page, base_url, customer_number, pin)`` logs in through the real form, second factor included;
- ``demo_data`` loads the demo accounts (``seed_demo``).
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ABRI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
AXE_PATH = Path(__file__).parent / "vendor" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _skip_reason() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium absent: apt-get install chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright absent: pip install playwright"
    return None


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test; skip them all, visibly, without Chromium."""
    reason = _skip_reason()
    here = Path(__file__).parent
    if reason and os.environ.get("ABRI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"ABRI_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}")
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


# Package scope: Playwright (and DJANGO_ALLOW_ASYNC_UNSAFE, which it needs) stop when the tests of
# tests/browser are done, so later tests run without either, and other packages may start their own.
@pytest.fixture(scope="package")
def _playwright():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread; Django would then refuse ORM calls
    # made by the test (fixtures, assertions) with "You cannot call this from an async context".
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_playwright):
    """One headless Chromium for all the tests of tests/browser.

    Playwright's launch() gives Chromium a fresh temporary user-data-dir (and removes it on close);
    it refuses a --user-data-dir argument, so none is passed.
    """
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def _new_page(browser, **options):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)
    context.set_default_timeout(20_000)  # 2 shared cores: be patient, not flaky
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors  # tests may assert no JavaScript error happened
    csp: list[str] = []
    page.on("console", lambda msg: csp.append(f"{page.url}: {msg.text}") if "Content Security Policy" in msg.text else None)
    page.csp_violations = csp  # e.g. a style="" attribute or an inline script the strict CSP refused
    console_errors: list[str] = []
    page.on("console", lambda msg: console_errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.console_errors = console_errors  # anything the page logged as an error (htmx logs refused swaps there)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(browser, **PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context, page = _new_page(browser, **DESKTOP)
    yield page
    context.close()


@pytest.fixture(params=["phone", "desktop"])
def any_page(request, browser):
    """The same test on a phone-sized and a desktop viewport."""
    context, page = _new_page(browser, **(PHONE if request.param == "phone" else DESKTOP))
    page.viewport_name = request.param
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _plain_static_names(settings):
    """live_server serves /static/ from the finders (unhashed names); once `make run` has collected
    static files, the manifest storage would print hashed names the live server answers 404 to,
    and the tests would see a page without its stylesheet. Use plain names in browser tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def base_url(live_server):
    return live_server.url


def assert_stylesheet_loaded(page) -> None:
    """The portal's stylesheet applied (a page without CSS would pass most checks by accident)."""
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)", (
        f"{page.url}: abri.css not applied"
    )


@pytest.fixture
def demo_data(transactional_db):
    """The demo accounts and their data, as `make run` loads them."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


# --- accessibility -----------------------------------------------------------------------------


def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def axe_violations(page, context: str | None = None) -> list[dict]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules plus best practices) on the page as it is now.

    The script is evaluated through the DevTools protocol, which the page's CSP (script-src 'self')
    does not govern, so the strict CSP stays in force for the page's own scripts.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async (ctx) => {
            const r = await axe.run(ctx || document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))}));
        }""",
        context,
    )
    return result


def axe_check(page, context: str | None = None) -> list[dict]:
    """Fails the test on any serious or critical axe violation; returns the minor/moderate ones."""
    violations = axe_violations(page, context)
    blocking = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    if blocking:
        pytest.fail(f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url}\n"
                    + format_violations(blocking), pytrace=False)
    return [v for v in violations if v["impact"] not in FAILING_IMPACTS]


# --- login -------------------------------------------------------------------------------------

_CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def newest_sms_code(base_url: str, to: str | None = None) -> str:
    """The 6-digit code of the newest SMS in the demo outbox (optionally to one recipient)."""
    with urllib.request.urlopen(f"{base_url}/demo/outbox.json", timeout=10) as response:
        messages = json.load(response)
    for message in messages:
        if message.get("channel") != "sms" or (to and message.get("to") != to):
            continue
        match = _CODE.search(message.get("body", ""))
        if match:
            return match.group(1)
    raise AssertionError(f"no SMS with a 6-digit code in the demo outbox: {messages[:3]!r}")


def login_as(page, base_url: str, customer_number: str, pin: str, *, trust_device: bool = True) -> bool:
    """Logs in through /connexion/ like a customer, passing the SMS second factor when asked.

    Returns True when a second-factor step was asked and passed.
    """
    response = page.goto(f"{base_url}/connexion/")
    assert response is not None and response.status == 200, (
        f"/connexion/ answered {response and response.status}: {page.inner_text('body')[:500]}"
    )
    page.get_by_label("Numéro client").fill(customer_number)
    page.get_by_label("Code secret").fill(pin)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("domcontentloaded")
    code_field = page.get_by_label("Code de vérification")
    second_factor = bool(code_field.count())
    if second_factor:
        code_field.fill(newest_sms_code(base_url))
        trust = page.get_by_label(re.compile(r"(faire confiance|se souvenir|mémoriser|appareil)", re.I))
        if trust.count() and trust.first.get_attribute("type") in ("checkbox", "radio"):
            trust.first.set_checked(trust_device)
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state("domcontentloaded")
        # A separate « faire confiance à cet appareil » step, if the portal asks on its own page.
        trust_button = page.get_by_role("button", name=re.compile(r"faire confiance|(?<!ne pas )mémoriser", re.I))
        if trust_device and trust_button.count():
            trust_button.first.click()
            page.wait_for_load_state("domcontentloaded")
    assert "/connexion/" not in page.url, f"login as {customer_number} failed: still on {page.url}"
    return second_factor


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    return axe_check


@pytest.fixture(name="login_as")
def login_as_fixture():
    return login_as


def pytest_terminal_summary(terminalreporter):
    """Says loudly, even under -q, that the browser tests did not run and why."""
    reason = _skip_reason()
    if reason and any("tests/browser" in str(getattr(r, "nodeid", "")) for r in terminalreporter.stats.get("skipped", [])):
        terminalreporter.write_line(f"BROWSER TESTS SKIPPED — {reason}", yellow=True, bold=True)
