"""The subscribable calendar link: shown once, stored hashed, revocable from /paiements/, 404 once revoked."""

import re

import pytest
from icalendar import Calendar

from abri.billing.models import CalendarFeed
from abri.billing.services import calendar_token_hash


def _create(client) -> str:
    response = client.post("/paiements/calendrier/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Votre lien d&#x27;agenda" in html or "Votre lien d'agenda" in html
    return re.search(r'value="(http[^"]+/paiements/calendrier/[^"]+\.ics)"', html).group(1)


@pytest.mark.django_db
def test_calendar_link_serves_upcoming_due_dates_without_login_and_stores_only_a_hash(alice_client, client, history):
    url = _create(alice_client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == calendar_token_hash(token) and token not in feed.token_hash
    response = client.get(url.split("testserver", 1)[1])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = list(Calendar.from_ical(response.content).walk("VEVENT"))
    assert len(events) == 2
    assert "BOB" not in response.content.decode()
    feed.refresh_from_db()
    assert feed.last_used_at is not None
    assert "Dernière consultation" in alice_client.get("/paiements/").content.decode()


@pytest.mark.django_db
def test_revoked_calendar_token_is_a_404(alice_client, client, history):
    path = _create(alice_client).split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    response = alice_client.post("/paiements/calendrier/revoquer/", follow=True)
    assert "Le lien d&#x27;agenda est révoqué" in response.content.decode()
    assert client.get(path).status_code == 404
    assert "Créer mon lien d'agenda" in alice_client.get("/paiements/").content.decode()


@pytest.mark.django_db
def test_a_new_calendar_link_revokes_the_previous_one(alice_client, client, history):
    first = _create(alice_client).split("testserver", 1)[1]
    second = _create(alice_client).split("testserver", 1)[1]
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


@pytest.mark.django_db
def test_unknown_calendar_token_is_a_404(client, history):
    assert client.get("/paiements/calendrier/not-a-real-token.ics").status_code == 404


@pytest.mark.django_db
def test_bob_cannot_revoke_alices_calendar_link(alice_client, bob_client, client, history):
    path = _create(alice_client).split("testserver", 1)[1]
    bob_client.post("/paiements/calendrier/revoquer/")
    assert client.get(path).status_code == 200


def test_calendar_feed_token_is_masked_in_log_lines():
    """The feed URL is a bearer secret (no login): every log line shows it masked (abri.core.logging)."""
    import secrets

    from abri.core.logging import redact

    token = secrets.token_urlsafe(32)
    line = redact(f'127.0.0.1 "GET /paiements/calendrier/{token}.ics HTTP/1.1" 200')
    assert token not in line and "/paiements/calendrier/" in line
