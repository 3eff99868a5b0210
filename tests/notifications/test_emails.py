"""E-mails are named functions rendering subject/text/HTML templates; the text is what it always was."""

import pytest

from abri.accounts.services import _recovery_send, _send_code, contact_details_update, number_reminder_send
from abri.notifications.models import OutboxMessage
from abri.notifications.services import notification_create

pytestmark = pytest.mark.django_db
INSURER = "Abri Assurances (démo)"


def _last_email():
    return OutboxMessage.objects.filter(channel="email").order_by("-pk").first()


def test_notification_email_keeps_its_text_and_gains_an_escaped_html_alternative(alice, settings):
    settings.ABRI_BASE_URL = "https://abri.example"
    notification_create(customer=alice, title="L'attestation <est> prête", body="Téléchargez-la.",
                        url="/documents/", email=True)
    message = _last_email()
    assert message.subject == "L'attestation <est> prête"  # a subject is text: never HTML-escaped
    assert message.body == f"Bonjour Alice,\n\nTéléchargez-la.\n\nhttps://abri.example/documents/\n\n{INSURER}"
    assert "<p>Bonjour Alice,</p>" in message.html_body
    assert '<a href="https://abri.example/documents/">' in message.html_body
    assert "L&#x27;attestation &lt;est&gt; prête" in message.html_body


def test_notification_email_without_link(alice):
    notification_create(customer=alice, title="Titre", body="Texte", email=True)
    assert _last_email().body == f"Bonjour Alice,\n\nTexte\n\n{INSURER}"


def test_code_email_says_the_code_and_never_to_share_it(alice):
    _send_code(customer=alice, channel="email", code="123456", purpose="login", minutes=5)
    message = _last_email()
    assert message.subject == "Votre code de vérification"
    assert message.body == (
        "Bonjour Alice,\n\nAbri : votre code de vérification (connexion) est 123456. Il expire dans 5 minutes. "
        f"Ne le communiquez à personne, pas même à un conseiller.\n\n{INSURER}")
    assert "123456" in message.html_body and "pas même à un conseiller" in message.html_body


def test_recovery_link_email(alice, settings):
    settings.ABRI_BASE_URL = "https://abri.example"
    _recovery_send(customer=alice, channel="email", actor=None)
    message = _last_email()
    assert message.subject == "Choisir un nouveau code secret"
    link = message.body.split("\n")[3]
    assert link.startswith("https://abri.example/identifiants-oublies/lien/")
    assert message.body == (
        "Bonjour Alice,\n\nPour choisir un nouveau code secret, ouvrez ce lien (valable 1 heure, une seule fois) :"
        f"\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : votre code secret reste inchangé."
        f"\n\n{INSURER}")
    assert f'<a href="{link}">' in message.html_body


def test_number_reminder_email(alice):
    number_reminder_send(contact=alice.email)
    message = _last_email()
    assert message.subject == "Votre numéro client"
    assert message.body == f"Bonjour Alice,\n\nAbri : votre numéro client est {alice.customer_number}.\n\n{INSURER}"
    assert alice.customer_number in message.html_body


def test_contact_change_alert_to_the_old_address(alice):
    old = alice.email
    contact_details_update(customer=alice, email="nouvelle@example.fr", phone=alice.phone)
    message = OutboxMessage.objects.filter(channel="email", to=old).get()
    assert message.subject == "Vos coordonnées ont été modifiées"
    assert message.body.startswith("Les coordonnées de votre espace client ont été modifiées.")
    assert "appelez-nous immédiatement" in message.html_body
