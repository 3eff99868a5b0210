"""Activation: identity check → code (15 min) or postal code (21 days) → PIN → logged in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from abri.accounts import services
from abri.accounts.models import OneTimeCode
from abri.notifications.models import OutboxMessage
from tests.accounts.helpers import last_code
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(alice):
    alice.user.set_unusable_password()
    alice.user.save()
    return alice, make_contract(customer=alice)


def _start(client, customer, contract, **over):
    data = {"customer_number": customer.customer_number, "contract_number": contract.number,
            "birth_date": customer.birth_date.strftime("%d/%m/%Y"), "channel": "sms", **over}
    return client.post("/activation/", data)


def test_activation_by_sms_code_then_pin_logs_in(client, newcomer):
    customer, contract = newcomer
    assert _start(client, customer, contract)["Location"] == "/activation/code/"
    code = last_code(to=customer.phone)
    assert OneTimeCode.objects.get(user=customer.user).expires_at - timezone.now() <= timedelta(minutes=15)
    assert client.post("/activation/code/", {"code": code})["Location"] == "/activation/code-secret/"
    response = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017"})
    assert response["Location"] == "/activation/terminee/"
    assert client.get("/activation/terminee/").status_code == 200
    customer.user.refresh_from_db()
    assert customer.user.check_password("582017")
    # The code was single use: the same challenge cannot set a PIN again.
    row = OneTimeCode.objects.get(user=customer.user, purpose="activation")
    assert row.used_at is not None
    assert client.get("/activation/code/")["Location"] == "/activation/"


def test_activation_by_email(client, newcomer):
    customer, contract = newcomer
    _start(client, customer, contract, channel="email")
    assert last_code(to=customer.email, channel="email")


def test_trivial_pins_are_refused_at_activation(client, newcomer):
    customer, contract = newcomer
    _start(client, customer, contract)
    client.post("/activation/code/", {"code": last_code(to=customer.phone)})
    for pin, message in [("000000", "identiques"), ("123456", "se suivent"), ("987654", "se suivent"),
                         ("150685", "date de naissance")]:
        html = client.post("/activation/code-secret/", {"pin": pin, "pin_confirm": pin}).content.decode()
        assert message in html, pin
    html = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582018"}).content.decode()
    assert "ne sont pas identiques" in html


def test_wrong_identity_shows_the_same_next_page_and_sends_nothing(client, newcomer):
    customer, contract = newcomer
    response = _start(client, customer, contract, birth_date="01/01/1970")
    assert response["Location"] == "/activation/code/"
    assert not OutboxMessage.objects.exists()
    html = client.post("/activation/code/", {"code": "123456"}).content.decode()
    assert "Code incorrect" in html


def test_expired_activation_code_is_refused_with_next_step(client, newcomer):
    customer, contract = newcomer
    _start(client, customer, contract)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    html = client.post("/activation/code/", {"code": last_code(to=customer.phone)}).content.decode()
    assert "Ce code a expiré. Demandez un nouveau code." in html


def test_postal_activation_code_valid_21_days(client, newcomer):
    customer, contract = newcomer
    code = services.activation_postal_issue(customer=customer)
    row = OneTimeCode.objects.get(user=customer.user, channel="post")
    assert timedelta(days=20, hours=23) < row.expires_at - timezone.now() <= timedelta(days=21)
    _start(client, customer, contract)
    assert client.post("/activation/code/", {"code": code.lower()})["Location"] == "/activation/code-secret/"
    response = client.post("/activation/code-secret/", {"pin": "582017", "pin_confirm": "582017"})
    assert response["Location"] == "/activation/terminee/"
    assert services.codes.postal_code_check(user=customer.user, code=code) is False  # single use


def test_malformed_activation_fields_get_french_messages(client):
    html = client.post("/activation/", {"customer_number": "é" * 300, "contract_number": "<script>",
                                        "birth_date": "31/02/1990", "channel": "pigeon"}).content.decode()
    assert "Le numéro client comporte 9 caractères." in html
    assert "Ce numéro de contrat n&#x27;est pas valide" in html
    assert "JJ/MM/AAAA" in html
    assert 'aria-invalid="true"' in html
