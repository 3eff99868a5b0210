"""The last step of a claim declaration when steps are missing: « Il manque des informations » lists each
missing step as a link to it (RGAA 11.10), and the disabled « Envoyer » button looks disabled (RGAA 7.1)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_missing_information_links_to_each_missing_step_and_send_looks_disabled(browser, base_url, demo_data,
                                                                                 login_as):
    context, page = _new_page(browser, **DESKTOP)
    login_as(page, base_url, "DEMO0001G", "246810")
    page.goto(f"{base_url}/sinistres/declarer/")
    page.get_by_role("button", name="Commencer la déclaration").click()
    page.wait_for_load_state("domcontentloaded")
    key = re.search(r"/declarer/([0-9a-f-]{36})/", page.url).group(1)
    page.goto(f"{base_url}/sinistres/declarer/{key}/summary/")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Il manque des informations")
    links = summary.get_by_role("link")
    assert links.count() >= 2, summary.inner_text()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert all(re.fullmatch(rf"/sinistres/declarer/{key}/\w+/", h) for h in hrefs), hrefs
    assert f"/sinistres/declarer/{key}/event/" in hrefs

    send = page.get_by_role("button", name="Envoyer ma déclaration")
    expect(send).to_be_disabled()
    look = send.evaluate("el => { const s = getComputedStyle(el); return [s.backgroundColor, s.cursor, s.borderStyle]; }")
    enabled = page.evaluate("""() => { const b = document.createElement('button'); document.querySelector('main').append(b);
        const s = getComputedStyle(b); const r = [s.backgroundColor, s.cursor, s.borderStyle]; b.remove(); return r; }""")
    assert look[0] != enabled[0] and look[1] == "not-allowed" and look[2] != enabled[2], (look, enabled)

    summary.get_by_role("link").first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(hrefs[0])
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    context.close()
