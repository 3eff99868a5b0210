"""Public verification at /verifier/: outcomes, minimum disclosure, malformed input, rate limit, log, PEM."""

import datetime as dt
import ipaddress
import secrets

import pytest
from cryptography import x509
from django.utils import timezone

from abri.certificates.models import Certificate, VerificationLog
from abri.certificates.rules import certificate_number_normalize
from abri.certificates.selectors import verification_logs
from abri.certificates.services import certificate_issue, certificate_revoke
from abri.core.formats import day

pytestmark = pytest.mark.django_db
URL = "/verifier/"


@pytest.fixture(autouse=True)
def _generous_rate_limit(settings):
    # Counters live in the shared cache (Redis in CI, shared by concurrent runs): only the test of the
    # limit itself uses a low one, from an address of its own.
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000


@pytest.fixture
def certificate(alice, alice_contract):
    return certificate_issue(customer=alice, contract=alice_contract, kind="tenant")


def test_form_is_public_and_labelled(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_numero">Numéro d&#x27;attestation</label>' in html
    assert not VerificationLog.objects.exists()


def test_valid_certificate_shows_only_the_minimum(client, certificate, alice_contract):
    response = client.get(URL, {"numero": certificate.number})

    html = response.content.decode()
    assert response.status_code == 200
    assert "est valide" in html
    assert "A.D." in html
    assert alice_contract.property.city in html
    assert f"du {day(certificate.valid_from)} au {day(certificate.valid_until)}" in html
    assert certificate.valid_from.strftime("%d/%m/%Y") not in html
    assert "Attestation locative" in html
    for private in ("Alice", "Durand", alice_contract.property.address_line, alice_contract.number,
                    alice_contract.property.postcode):
        assert private not in html, private
    assert response["Cache-Control"] == "no-store"


def test_number_typed_loosely_is_recognised(client, certificate):
    loose = " " + certificate.number.lower().replace("-", " ") + " "
    assert certificate_number_normalize(loose) == certificate.number
    assert "est valide" in client.get(URL, {"numero": loose}).content.decode()


def test_expired_certificate(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert "est expirée" in client.get(URL, {"numero": certificate.number}).content.decode()


def test_future_temporary_certificate_is_not_yet_valid(client, alice, alice_contract):
    today = timezone.localdate()
    temporary = certificate_issue(customer=alice, contract=alice_contract, kind="temporary",
                                  valid_from=today + dt.timedelta(days=3), valid_until=today + dt.timedelta(days=10))
    assert "pas encore en vigueur" in client.get(URL, {"numero": temporary.number}).content.decode()


def test_revoked_certificate(client, certificate):
    certificate_revoke(certificate=certificate, reason="Avenant", actor=None)
    html = client.get(URL, {"numero": certificate.number}).content.decode()
    assert "a été révoquée" in html
    assert "Avenant" not in html


def test_unknown_number(client, certificate):
    other = certificate.number[:-1] + ("A" if certificate.number[-1] != "A" else "B")
    html = client.get(URL, {"numero": other}).content.decode()
    assert "Aucune attestation ne porte le numéro" in html


@pytest.mark.parametrize("typed", ["bonjour", "ATT-2026-123", "<script>alert(1)</script>", "A" * 39, "ATT-20X6-ABCDEFGH"])
def test_malformed_number_gets_a_french_message_beside_the_field(client, typed):
    response = client.get(URL, {"numero": typed})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_numero-error"' in html and "pas la bonne forme" in html
    assert "<script>alert" not in html
    assert VerificationLog.objects.get().outcome == "malformed"


def test_too_long_or_empty_number_never_fails(client):
    assert client.get(URL, {"numero": "x" * 5000}).status_code == 200
    response = client.get(URL, {"numero": ""})
    assert response.status_code == 200 and "Saisissez le numéro" in response.content.decode()


def test_every_verification_is_logged_with_outcome_and_ip(client, certificate):
    client.get(URL, {"numero": certificate.number}, REMOTE_ADDR="203.0.113.7")
    client.get(URL, {"numero": "ATT-2026-ZZZZZZZZ"}, REMOTE_ADDR="203.0.113.8")

    logs = list(verification_logs())
    assert [(log.outcome, log.ip_address) for log in logs] == [("unknown", "203.0.113.8"), ("valid", "203.0.113.7")]
    assert logs[1].certificate == certificate
    assert list(verification_logs(outcome="valid")) == [logs[1]]
    assert list(verification_logs(number=certificate.number[-8:])) == [logs[1]]


def test_verifications_are_rate_limited_per_ip(client, certificate, settings):
    settings.ABRI_VERIFY_RATE_LIMIT = 3
    ip, other_ip = (str(ipaddress.ip_address(f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"))
                    for _ in range(2))
    for _ in range(3):
        assert client.get(URL, {"numero": certificate.number}, REMOTE_ADDR=ip).status_code == 200
    response = client.get(URL, {"numero": certificate.number}, REMOTE_ADDR=ip)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= settings.ABRI_VERIFY_RATE_WINDOW
    assert "Trop de vérifications" in response.content.decode()
    assert client.get(URL, {"numero": certificate.number}, REMOTE_ADDR=other_ip).status_code == 200
    assert VerificationLog.objects.filter(ip_address=ip).count() == 3


def test_published_certificate_is_the_2ddoc_signing_certificate(client, certificate):
    response = client.get(URL + "certificat.pem")
    cert = x509.load_pem_x509_certificate(response.content)
    assert cert.public_key().public_numbers().curve.name == "secp256r1"
    from abri.certificates import twoddoc

    assert twoddoc.verify(certificate.twoddoc_payload, cert).fields["A0"] == certificate.number


# --- Alice and Bob ------------------------------------------------------------------------------


def test_bob_cannot_see_or_download_alices_certificate(bob_client, alice_client, certificate):
    own_download = alice_client.get(f"/documents/attestations/{certificate.number}/telecharger/")
    assert own_download.status_code == 200 and own_download["Content-Type"] == "application/pdf"

    assert certificate.number not in bob_client.get("/documents/attestations/").content.decode()
    assert bob_client.get(f"/documents/attestations/{certificate.number}/telecharger/").status_code == 404
    assert bob_client.get(f"/documents/{certificate.document_id}/telecharger/").status_code == 404


def test_a_garbled_client_address_is_logged_as_unknown(client, certificate):
    response = client.get(URL, {"numero": certificate.number}, REMOTE_ADDR="not-an-ip")
    assert response.status_code == 200
    assert VerificationLog.objects.get().ip_address is None
