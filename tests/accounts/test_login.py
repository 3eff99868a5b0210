"""Login page: customer number + PIN, second factor on a new device, trusted devices, one error message."""

import statistics
import time

import pytest
from django.test import Client

from abri.accounts.models import LoginFailure, TrustedDevice
from abri.core.models import AuditLog
from tests.accounts.helpers import last_code, login_with_sms
from tests.conftest import PIN

pytestmark = pytest.mark.django_db


def _strip_csrf(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_login_page_has_the_fixed_accessible_names(client):
    html = client.get("/connexion/").content.decode()
    assert '<label for="id_customer_number">Numéro client</label>' in html
    assert '<label for="id_pin">Code secret</label>' in html
    assert ">Se connecter</button>" in html
    assert 'id="pin-toggle"' in html and 'aria-pressed="false"' in html  # show/hide PIN, enabled by login.js
    assert 'autocomplete="current-password"' in html and 'inputmode="numeric"' in html
    assert "<script" not in html.split("</main>")[0]  # no inline script


def test_new_device_gets_sms_code_then_reaches_dashboard(client, alice):
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    assert response["Location"] == "/connexion/verification/"
    page = client.get("/connexion/verification/").content.decode()
    assert "Code de vérification" in page and ">Valider</button>" in page
    assert client.get("/tableau-de-bord/").status_code == 302  # not logged in before the code
    response = client.post("/connexion/verification/", {"code": last_code(to=alice.phone)})
    assert response.status_code == 302 and response["Location"] == "/tableau-de-bord/"
    assert client.get("/tableau-de-bord/").status_code == 200
    login = AuditLog.objects.filter(action="auth.login", customer=alice).get()
    assert login.data["new_device"] is True
    from abri.notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(to=alice.email, subject="Nouvelle connexion à votre espace client").exists()


def test_case_spaces_and_dashes_in_number_are_forgiven(client, alice):
    number = alice.customer_number.lower()
    response = client.post("/connexion/", {"customer_number": f" {number[:4]} {number[4:]} ", "pin": PIN})
    assert response["Location"] == "/connexion/verification/"


def test_trusted_device_logs_in_without_code_and_can_be_revoked(client, alice):
    login_with_sms(client, alice, trust=True)
    assert "abri_device" in client.cookies
    device = TrustedDevice.objects.get(user=alice.user)
    assert client.cookies["abri_device"].value.split(":")[0] not in device.token_digest  # only a digest stored
    client.post("/deconnexion/")
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    assert response["Location"] == "/tableau-de-bord/"
    assert "Appareil" in client.get("/securite/").content.decode()
    client.post(f"/securite/appareils/{device.pk}/retirer/")
    client.post("/deconnexion/")
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    assert response["Location"] == "/connexion/verification/"


def test_trusted_device_cookie_of_alice_does_not_skip_bob_code(client, alice, bob):
    login_with_sms(client, alice, trust=True)
    client.post("/deconnexion/")
    response = client.post("/connexion/", {"customer_number": bob.customer_number, "pin": PIN})
    assert response["Location"] == "/connexion/verification/"


def test_wrong_pin_and_unknown_number_get_the_same_answer(alice):
    from abri.accounts.numbers import with_check_character

    unknown = with_check_character("ZZZZ9999")
    a = Client().post("/connexion/", {"customer_number": alice.customer_number, "pin": "975318"})
    b = Client().post("/connexion/", {"customer_number": unknown, "pin": "975318"})
    assert a.status_code == b.status_code == 200
    html_a = _strip_csrf(a.content.decode()).replace(alice.customer_number, "NUMBER")
    html_b = _strip_csrf(b.content.decode()).replace(unknown, "NUMBER")
    assert html_a == html_b
    assert "Numéro client ou code secret incorrect." in html_a


def test_unknown_number_takes_the_same_time_within_20_percent(alice):
    """Interleaved samples (the machine is shared: a burst of load must hit both sides alike)."""
    from abri.accounts.models import LoginThrottle
    from abri.accounts.numbers import with_check_character

    unknown = with_check_character("ZZZZ8888")
    client = Client()
    client.post("/connexion/", {"customer_number": unknown, "pin": "975318"})  # warm-up (dummy hash)

    def once(number):
        start = time.perf_counter()
        client.post("/connexion/", {"customer_number": number, "pin": "975318"})
        elapsed = time.perf_counter() - start
        LoginThrottle.objects.update(consecutive_failures=0, retry_not_before=None)
        return elapsed

    for _attempt in range(3):
        known, other = [], []
        for _ in range(7):
            known.append(once(alice.customer_number))
            other.append(once(unknown))
        ratio = abs(statistics.median(known) - statistics.median(other)) / statistics.median(known)
        if ratio < 0.20:
            break
    assert ratio < 0.20, (statistics.median(known), statistics.median(other))


def test_not_activated_account_answers_like_a_wrong_pin(client, alice):
    alice.user.set_unusable_password()
    alice.user.save()
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    assert "Numéro client ou code secret incorrect." in response.content.decode()


@pytest.mark.parametrize(
    ("number", "pin", "message"),
    [
        ("DEMO0001H", "246813", "Ce numéro client n&#x27;est pas valide"),  # wrong check character
        ("", "246813", "Saisissez votre numéro client."),
        ("X" * 500, "246813", "Le numéro client comporte 9 caractères."),
        ("DÉMO0001G", "246813", "Ce numéro client n&#x27;est pas valide"),
        ("DEMO0001G", "", "Saisissez votre code secret."),
        ("DEMO0001G", "12345", "Le code secret comporte 6 chiffres."),
        ("DEMO0001G", "١٢٣٤٥٦", "Le code secret comporte 6 chiffres."),  # non-ASCII digits
        ("DEMO0001G", "9" * 5000, "Le code secret comporte 6 chiffres."),
    ],
)
def test_malformed_fields_get_a_french_message_and_count_as_no_attempt(client, number, pin, message):
    response = client.post("/connexion/", {"customer_number": number, "pin": pin})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert LoginFailure.objects.count() == 0


def test_typed_number_is_kept_after_a_format_error(client):
    html = client.post("/connexion/", {"customer_number": "ABC", "pin": "12"}).content.decode()
    assert 'value="ABC"' in html


def test_session_key_is_rotated_at_login(client, alice):
    client.get("/connexion/")
    client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN})
    before = client.session.session_key
    client.post("/connexion/verification/", {"code": last_code(to=alice.phone)})
    assert client.session.session_key != before


def test_next_parameter_cannot_redirect_off_site(client, alice):
    client.post("/connexion/", {"customer_number": alice.customer_number, "pin": PIN,
                                "next": "https://evil.example/"})
    response = client.post("/connexion/verification/", {"code": last_code(to=alice.phone)})
    assert response["Location"] == "/tableau-de-bord/"


def test_pages_require_login(client):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_force_logged_in_test_client_reaches_customer_pages(alice_client):
    assert alice_client.get("/tableau-de-bord/").status_code == 200
    assert alice_client.get("/securite/").status_code == 200
