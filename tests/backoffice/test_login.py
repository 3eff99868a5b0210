"""Staff login: e-mail + password, then a mandatory TOTP code (enrolment on the first login)."""

import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from abri.accounts.mfa import totp_is_enrolled
from abri.backoffice import throttle
from abri.backoffice.services import DEMO_CODE_SUBJECT, SESSION_MFA_KEY
from abri.core.models import AuditLog
from abri.notifications.models import OutboxMessage
from tests.backoffice.conftest import STAFF_PASSWORD, enrol

LOGIN = "/backoffice/connexion/"
VERIFY = "/backoffice/connexion/verification/"
ENROL = "/backoffice/connexion/application/"
CREDENTIALS_ERROR = "Adresse e-mail ou mot de passe incorrect."
CODE_ERROR = "Code de vérification incorrect ou expiré."


def password_step(client, email, password=STAFF_PASSWORD, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def is_staff_logged_in(client) -> bool:
    return client.get("/backoffice/").status_code == 200


@pytest.mark.django_db
def test_password_then_totp_opens_the_backoffice(advisor):
    totp = enrol(advisor)
    client = Client()
    response = password_step(client, advisor.email.upper())
    assert response.status_code == 302 and response["Location"] == VERIFY
    assert not is_staff_logged_in(client)  # the password alone opens nothing
    page = client.get(VERIFY).content.decode()
    assert "Code de vérification" in page and "Valider" in page
    response = client.post(VERIFY, {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == "/backoffice/"
    assert is_staff_logged_in(client)
    actions = list(AuditLog.objects.filter(actor=advisor).values_list("action", flat=True))
    assert "staff.auth.password_ok" in actions and "staff.auth.login" in actions


@pytest.mark.django_db
def test_login_goes_back_to_the_requested_backoffice_page(advisor, alice):
    totp = enrol(advisor)
    client = Client()
    target = f"/backoffice/clients/{alice.customer_number}/"
    response = client.get(target)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    password_step(client, advisor.email, next=target)
    response = client.post(VERIFY, {"code": totp.now()})
    assert response["Location"] == target


@pytest.mark.django_db
def test_next_outside_the_backoffice_is_ignored(advisor):
    totp = enrol(advisor)
    client = Client()
    password_step(client, advisor.email, next="https://evil.example/")
    assert client.post(VERIFY, {"code": totp.now()})["Location"] == "/backoffice/"


@pytest.mark.django_db
def test_wrong_password_unknown_email_and_customer_get_the_same_message(advisor, alice):
    enrol(advisor)
    answers = [
        password_step(Client(), advisor.email, "pas-le-bon-mot-de-passe"),
        password_step(Client(), "inconnu@abri.example"),
        password_step(Client(), alice.email, "246813"),  # a customer's e-mail and PIN
    ]
    for response in answers:
        assert response.status_code == 200
        html = response.content.decode()
        assert CREDENTIALS_ERROR in html
        assert 'value="' + advisor.email + '"' in html or "inconnu@abri.example" in html or alice.email in html
    assert AuditLog.objects.filter(action="staff.auth.login_failed").count() == 3


@pytest.mark.django_db
def test_empty_fields_get_a_french_message_beside_each_field():
    html = Client().post(LOGIN, {"email": "", "password": ""}).content.decode()
    assert "Saisissez votre adresse e-mail." in html
    assert "Saisissez votre mot de passe." in html


@pytest.mark.django_db
def test_wrong_totp_is_refused_with_one_message(advisor):
    totp = enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    wrong = f"{(int(totp.now()) + 1) % 1000000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert CODE_ERROR in response.content.decode()
    assert not is_staff_logged_in(client)
    assert AuditLog.objects.filter(actor=advisor, action="staff.auth.totp_failed").count() == 1


@pytest.mark.django_db
def test_replayed_totp_is_refused(advisor):
    totp = enrol(advisor)
    first = Client()
    password_step(first, advisor.email)
    code = totp.now()
    assert first.post(VERIFY, {"code": code}).status_code == 302
    # Within the drift window the same code would still match: it is refused because its step was used.
    second = Client()
    password_step(second, advisor.email)
    response = second.post(VERIFY, {"code": code})
    assert CODE_ERROR in response.content.decode()
    assert not is_staff_logged_in(second)


@pytest.mark.django_db
def test_malformed_code_is_explained_beside_the_field(advisor):
    enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    html = client.post(VERIFY, {"code": "12ab"}).content.decode()
    assert "Le code de vérification comporte 6 chiffres." in html
    assert 'value="12ab"' in html


@pytest.mark.django_db
def test_five_wrong_codes_send_back_to_the_password(advisor):
    totp = enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    wrong = f"{(int(totp.now()) + 7) % 1000000:06d}"
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong}).status_code == 200
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.post(VERIFY, {"code": totp.now()}).status_code == 302  # no pending login any more
    assert not is_staff_logged_in(client)


@pytest.mark.django_db
def test_recovery_code_replaces_the_totp_once(advisor):
    enrol(advisor)
    from abri.accounts.mfa import recovery_codes_generate

    codes = recovery_codes_generate(user=advisor)
    client = Client()
    password_step(client, advisor.email)
    assert client.post(VERIFY, {"code": codes[0]})["Location"] == "/backoffice/"
    again = Client()
    password_step(again, advisor.email)
    assert CODE_ERROR in again.post(VERIFY, {"code": codes[0]}).content.decode()
    assert AuditLog.objects.filter(actor=advisor, action="staff.auth.recovery_code_used").count() == 1


@pytest.mark.django_db
def test_pending_login_expires_after_five_minutes(advisor):
    totp = enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    session = client.session
    pending = session["backoffice_pending"]
    pending["at"] = int(time.time()) - 301
    session["backoffice_pending"] = pending
    session.save()
    response = client.post(VERIFY, {"code": totp.now()})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not is_staff_logged_in(client)


@pytest.mark.django_db
def test_failures_are_throttled_per_account_even_with_the_right_password(advisor):
    totp = enrol(advisor)
    for _ in range(throttle.MAX_PER_ACCOUNT):
        assert CREDENTIALS_ERROR in password_step(Client(), advisor.email, "mauvais-mot-de-passe").content.decode()
    client = Client()
    response = password_step(client, advisor.email)
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "Trop de tentatives" in response.content.decode()
    assert client.post(VERIFY, {"code": totp.now()}).status_code == 302
    assert not is_staff_logged_in(client)
    assert AuditLog.objects.filter(action="staff.auth.throttled").count() == 1


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_throttle(advisor):
    totp = enrol(advisor)
    wrong = f"{(int(totp.now()) + 3) % 1000000:06d}"
    for _ in range(throttle.MAX_PER_ACCOUNT):
        client = Client()
        password_step(client, advisor.email)
        client.post(VERIFY, {"code": wrong})
    assert password_step(Client(), advisor.email).status_code == 429


@pytest.mark.django_db
def test_failures_are_throttled_per_address_across_accounts(advisor, monkeypatch):
    monkeypatch.setattr(throttle, "MAX_PER_IP", 3)
    for n in range(3):
        password_step(Client(), f"personne{n}@abri.example", "mauvais-mot-de-passe")
    assert password_step(Client(), advisor.email).status_code == 429


@pytest.mark.django_db
def test_first_login_enrols_an_authenticator_with_a_qr_code(advisor):
    client = Client()
    response = password_step(client, advisor.email)
    assert response["Location"] == ENROL
    html = client.get(ENROL).content.decode()
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r'<code class="bo-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert 'style="' not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    assert not totp_is_enrolled(advisor)
    response = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "codes de secours" in page
    assert len(re.findall(r"<code>\d{5}-\d{5}</code>", page)) == 10
    assert totp_is_enrolled(advisor)
    assert is_staff_logged_in(client)
    assert AuditLog.objects.filter(actor=advisor, action="staff.auth.totp_enrolled").exists()


@pytest.mark.django_db
def test_enrolment_keeps_the_same_secret_after_a_wrong_code(advisor):
    client = Client()
    password_step(client, advisor.email)
    first = client.get(ENROL).content.decode()
    secret = re.search(r'<code class="bo-secret">([A-Z2-7 ]+)</code>', first).group(1)
    html = client.post(ENROL, {"code": "000000"}).content.decode()
    assert CODE_ERROR in html and secret in html
    assert not totp_is_enrolled(advisor)


@pytest.mark.django_db
def test_an_enrolled_staff_member_cannot_re_enrol(advisor):
    enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    assert client.get(ENROL)["Location"] == LOGIN


@pytest.mark.django_db
def test_demo_mode_writes_the_code_to_the_outbox(advisor, settings):
    settings.ABRI_DEMO = True
    enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    message = OutboxMessage.objects.get(to=advisor.email, subject=DEMO_CODE_SUBJECT)
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    outbox = Client().get("/demo/outbox.json").json()
    assert outbox[0]["subject"] == DEMO_CODE_SUBJECT and code in outbox[0]["body"]
    assert client.post(VERIFY, {"code": code})["Location"] == "/backoffice/"


@pytest.mark.django_db
def test_demo_code_is_still_usable_when_two_logins_follow_each_other(advisor, settings):
    settings.ABRI_DEMO = True
    enrol(advisor)
    for _ in range(2):
        client = Client()
        password_step(client, advisor.email)
        body = OutboxMessage.objects.filter(subject=DEMO_CODE_SUBJECT).order_by("-id").first().body
        code = re.search(r"\b(\d{6})\b", body).group(1)
        assert client.post(VERIFY, {"code": code})["Location"] == "/backoffice/"


@pytest.mark.django_db
def test_demo_resend_button_writes_a_new_message(advisor, settings):
    settings.ABRI_DEMO = True
    enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    assert client.post(reverse("backoffice:demo_code"))["Location"] == VERIFY
    assert OutboxMessage.objects.filter(subject=DEMO_CODE_SUBJECT).count() == 2


@pytest.mark.django_db
def test_outside_demo_mode_no_code_is_written(advisor, settings):
    settings.ABRI_DEMO = False
    enrol(advisor)
    client = Client()
    password_step(client, advisor.email)
    assert not OutboxMessage.objects.filter(subject=DEMO_CODE_SUBJECT).exists()
    assert client.post(reverse("backoffice:demo_code")).status_code == 404


@pytest.mark.django_db
def test_seeded_demo_staff_log_in_with_the_code_from_the_outbox(settings):
    settings.ABRI_DEMO = True
    call_command("seed_demo")
    for email, password in [("conseiller@abri.example", "abri-demo-conseiller"),
                            ("gestionnaire@abri.example", "abri-demo-gestion"),
                            ("admin@abri.example", "abri-demo-admin")]:
        client = Client()
        assert password_step(client, email, password)["Location"] == VERIFY
        body = Client().get("/demo/outbox.json").json()[0]["body"]
        code = re.search(r"\b(\d{6})\b", body).group(1)
        assert client.post(VERIFY, {"code": code})["Location"] == "/backoffice/", email
        assert is_staff_logged_in(client)


@pytest.mark.django_db
def test_logout_ends_the_staff_session(advisor_client, advisor):
    response = advisor_client.post("/backoffice/deconnexion/")
    assert response["Location"] == LOGIN
    assert advisor_client.get("/backoffice/").status_code == 302
    assert AuditLog.objects.filter(actor=advisor, action="staff.auth.logout").exists()


@pytest.mark.django_db
def test_session_is_rotated_and_marked_at_login(advisor):
    totp = enrol(advisor)
    client = Client()
    client.get(LOGIN)
    password_step(client, advisor.email)
    before = client.session.session_key
    client.post(VERIFY, {"code": totp.now()})
    assert client.session.session_key != before
    assert client.session[SESSION_MFA_KEY]


@pytest.mark.django_db
def test_login_page_is_accessible_markup():
    html = Client().get(LOGIN).content.decode()
    assert '<html lang="fr">' in html
    assert 'class="skip-link" href="#contenu"' in html
    assert 'role="banner"' in html and 'id="contenu"' in html and 'role="contentinfo"' in html
    assert '<label for="id_email">' in html and '<label for="id_password">' in html
    assert 'autocomplete="current-password"' in html
    assert 'style="' not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script


@pytest.mark.django_db
def test_demo_code_copied_slowly_is_still_accepted_and_the_message_says_so(advisor, settings):
    """Issue 15 point 10: the code is accepted in the adjacent window, and no « environ une minute »."""
    settings.ABRI_DEMO = True
    enrol(advisor)
    start = 1_790_000_010 // 30 * 30 + 1  # one second into a TOTP step
    client = Client()
    with freeze_time(datetime.fromtimestamp(start, tz=UTC)):
        password_step(client, advisor.email)
    body = OutboxMessage.objects.get(subject=DEMO_CODE_SUBJECT).body
    assert "environ une minute" not in body
    assert "le précédent reste accepté pendant l'affichage du suivant" in body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    with freeze_time(datetime.fromtimestamp(start + 57, tz=UTC)):  # 57 s later, in the next step
        assert client.post(VERIFY, {"code": code})["Location"] == "/backoffice/"
    client.logout()
    client = Client()
    with freeze_time(datetime.fromtimestamp(start + 58, tz=UTC)):
        password_step(client, advisor.email)
        assert client.post(VERIFY, {"code": code}).status_code == 200  # replayed: refused
