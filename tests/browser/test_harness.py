"""The browser harness itself: Chromium runs, axe-core really catches problems, login works."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser]


def test_axe_catches_an_unlabelled_input_and_missing_alt(page):
    page.set_content(
        '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body><main>'
        '<h1>Formulaire</h1><input type="text" name="x"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )
    ids = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert ids.get("label") == "critical"
    assert ids.get("image-alt") == "critical"


def test_axe_check_fails_the_test_with_rule_and_selector(page, axe_check):
    page.set_content(
        '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body><main>'
        '<h1>Formulaire</h1><input id="bad" type="text"></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception) as caught:
        axe_check(page)
    message = str(caught.value)
    assert "label" in message and "critical" in message and "#bad" in message


def test_axe_check_passes_a_clean_fragment(page, axe_check):
    page.set_content(
        '<!DOCTYPE html><html lang="fr"><head><title>Propre</title></head><body><main>'
        '<h1>Formulaire</h1><label for="ok">Nom</label><input id="ok" type="text"></main></body></html>'
    )
    assert axe_check(page) == [] or all(v["impact"] not in ("serious", "critical") for v in axe_check(page))


@pytest.mark.django_db(transaction=True)
def test_axe_runs_under_the_portal_strict_csp(page, base_url):
    response = page.goto(f"{base_url}/connexion/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # A page fragment broken on purpose, on the real page with its CSP in force, must be caught.
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"csp-probe\">')")
    violations = axe_violations(page)
    assert any(v["id"] == "label" and any("#csp-probe" in t for n in v["nodes"] for t in n["target"])
               for v in violations)


@pytest.mark.django_db(transaction=True)
def test_login_as_passes_the_sms_second_factor_then_trusts_the_device(browser, base_url, demo_data, login_as):
    from tests.browser.conftest import _new_page

    context, page = _new_page(browser)
    try:
        # A browser never seen before: the SMS code is read from /demo/outbox.json and typed.
        assert login_as(page, base_url, "DEMO0001G", "246810") is True
        assert page.url == f"{base_url}/tableau-de-bord/"
        assert page.get_by_role("heading", level=1).count() == 1
        # The device was trusted: logging in again from the same browser asks no code.
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_load_state("domcontentloaded")
        assert login_as(page, base_url, "DEMO0001G", "246810") is False
        assert page.url == f"{base_url}/tableau-de-bord/"
    finally:
        context.close()
