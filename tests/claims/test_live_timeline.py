"""The claim page's live timeline (ADR 0009): one URL, the whole page without JavaScript, the live block for
htmx; 204 when nothing changed, the new step announced out of band, polling paused on request (WCAG 2.2.2)."""

import re
import time
from html import unescape

import pytest
from django.test import Client

from abri.accounts.auth_flow import SESSION_SEEN_AT
from abri.claims import services
from tests.accounts.helpers import login_with_sms
from tests.claims.factories import make_claim
from tests.core.test_bad_input import GARBAGE

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _hx_get(client, claim, query: str):
    return client.get(f"/sinistres/{claim.number}/?{query}", **HTMX)


def _attr(html: str, name: str) -> str:
    return unescape(re.search(rf'<div id="claim-live"[^>]* {name}="([^"]*)"', html).group(1))


def test_without_javascript_the_page_shows_the_timeline_and_no_useless_pause_button(alice_client, alice_contract):
    claim = make_claim(contract=alice_contract)
    html = alice_client.get(f"/sinistres/{claim.number}/").content.decode()
    assert "<html" in html and "Suivi de votre dossier" in html and "Déclaration reçue" in html
    # Nothing refreshes without JavaScript: the pause button is hidden until page.js sees htmx running.
    assert re.search(r'<button type="button" [^>]*id="claim-refresh-toggle" hidden data-needs-js[^>]*>'
                     r"Suspendre la mise à jour automatique</button>", html)
    assert re.search(r'<p id="claim-announce" class="visually-hidden" role="status"></p>', html)
    # With htmx the block polls the same URL every 20 s (and when the tab shows again), with what it shows.
    assert _attr(html, "hx-trigger") == "every 20s, visibilitychange from:document"
    assert re.fullmatch(rf"/sinistres/{claim.number}/\?suivi=auto&etape=received&version=[0-9a-f]{{16}}",
                        _attr(html, "hx-get"))
    poll = _hx_get(alice_client, claim, _attr(html, "hx-get").split("?", 1)[1])
    assert poll.status_code == 204  # the page just rendered is up to date


def test_live_block_polls_answers_204_when_unchanged_and_announces_a_new_step(alice_client, alice_contract):
    claim = make_claim(contract=alice_contract)
    first = _hx_get(alice_client, claim, "suivi=auto&etape=received")
    html = first.content.decode()
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    assert "<html" not in html and "Échanges avec votre gestionnaire" not in html  # the live block only
    assert _attr(html, "hx-trigger") == "every 20s, visibilitychange from:document"
    assert "Suspendre la mise à jour automatique" in html and "Nouvelle étape" not in html
    poll = _attr(html, "hx-get").split("?", 1)[1]
    unchanged = _hx_get(alice_client, claim, poll)
    assert unchanged.status_code == 204 and unchanged.content == b""

    services.claim_transition(claim=claim, to_status="under_review", actor=None)
    changed = _hx_get(alice_client, claim, poll).content.decode()
    assert "<strong>En cours d&#x27;analyse</strong>" in changed  # the new timeline row
    announce = re.search(r'<p id="claim-announce" hx-swap-oob="innerHTML">([^<]*)</p>', changed).group(1)
    assert unescape(announce) == "Nouvelle étape : En cours d'analyse"
    # The next poll carries the new step: it is not announced twice.
    again = _hx_get(alice_client, claim, _attr(changed, "hx-get").split("?", 1)[1])
    assert again.status_code == 204


def test_pause_stops_polling_and_resume_announces_what_happened_meanwhile(alice_client, alice_contract):
    claim = make_claim(contract=alice_contract)
    live = _hx_get(alice_client, claim, "suivi=auto&etape=received").content.decode()
    pause_query = unescape(re.search(r'id="claim-refresh-toggle" hx-get="[^"?]*\?([^"]*)"', live).group(1))
    paused = _hx_get(alice_client, claim, pause_query).content.decode()
    assert 'hx-trigger=' not in paused.split(">", 1)[0] and 'hx-get=' not in paused.split(">", 1)[0]  # no polling
    assert "Reprendre la mise à jour automatique" in paused
    services.claim_transition(claim=claim, to_status="under_review", actor=None)
    resume_query = unescape(re.search(r'id="claim-refresh-toggle" hx-get="[^"?]*\?([^"]*)"', paused).group(1))
    resumed = _hx_get(alice_client, claim, resume_query).content.decode()
    assert _attr(resumed, "hx-trigger") == "every 20s, visibilitychange from:document"
    assert "Suspendre la mise à jour automatique" in resumed
    assert re.search(r'hx-swap-oob="innerHTML">Nouvelle étape : [^<]+</p>', resumed)


def test_bad_live_parameters_are_harmless_and_bob_gets_404(alice_client, bob_client, alice_contract):
    claim = make_claim(contract=alice_contract)
    alice_client.raise_request_exception = False
    for value in GARBAGE:
        for name in ("suivi", "etape", "version"):
            response = alice_client.get(f"/sinistres/{claim.number}/", {name: value}, **HTMX)
            assert response.status_code in (200, 400), (name, value)
    assert _hx_get(bob_client, claim, "suivi=auto&etape=received").status_code == 404


def test_automatic_polls_do_not_keep_an_idle_session_alive(client, alice, alice_contract):
    claim = make_claim(contract=alice_contract)
    login_with_sms(client, alice)
    session = client.session
    session[SESSION_SEEN_AT] = seen = time.time() - 600
    session.save()
    poll = client.get(f"/sinistres/{claim.number}/?suivi=auto&etape=received", HTTP_HX_TRIGGER="claim-live", **HTMX)
    assert poll.status_code == 200
    assert client.session[SESSION_SEEN_AT] == seen  # the timeline refreshing itself is not activity
    client.get(f"/sinistres/{claim.number}/?suivi=pause", HTTP_HX_TRIGGER="claim-refresh-toggle", **HTMX)
    assert client.session[SESSION_SEEN_AT] > seen  # a click on « Suspendre » is


def test_a_poll_after_the_session_expired_sends_the_whole_page_to_the_login(client, alice, alice_contract):
    claim = make_claim(contract=alice_contract)
    login_with_sms(client, alice)
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - 15 * 60 - 5
    session.save()
    page = f"http://testserver/sinistres/{claim.number}/"
    expired = client.get(f"/sinistres/{claim.number}/?suivi=auto", HTTP_HX_TRIGGER="claim-live",
                         HTTP_HX_CURRENT_URL=page, **HTMX)
    # Not the login page swapped into the timeline: htmx navigates, and the login brings the customer back.
    assert expired.status_code == 200 and expired.content == b""
    assert expired["HX-Redirect"] == f"/connexion/?next=%2Fsinistres%2F{claim.number}%2F"
    logged_out = Client().get(f"/sinistres/{claim.number}/?suivi=auto", HTTP_HX_CURRENT_URL=page, **HTMX)
    assert logged_out["HX-Redirect"] == f"/connexion/?next=%2Fsinistres%2F{claim.number}%2F"
    assert "inactivité" in client.get(expired["HX-Redirect"]).content.decode()
