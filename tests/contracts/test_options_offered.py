"""Offer only what applies (issue 15, point 5): no « Jardin » on a flat without a garden (with the reason), no
option the formula already includes, and a contents capital above the online ceiling can be asked for: the
request is kept and referred to an advisor. A change of the declared risk goes through an amendment (L113-4 for
a change that aggravates or lessens the risk; the contents capital is part of the conditions, L112-3)."""

import html
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from freezegun import freeze_time

import abri.urls  # noqa: F401 - schemas built before the clock is frozen
from abri import pricing
from abri.accounts.roles import ensure_staff_groups
from abri.contracts.models import CapitalRequest, Contract
from abri.contracts.pricing import contract_choices
from abri.notifications.models import Notification, OutboxMessage
from tests.backoffice.conftest import make_staff, staff_client
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    text = re.sub(r"\s+", " ", html.unescape(text).replace("\u202f", " ").replace("\u00a0", " "))
    return re.sub(r"\( | \)", lambda m: m.group(0).strip(), text)


def _boxes(page: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="options" value="(\w+)"', page))


@pytest.fixture
def demo():
    with freeze_time("2026-12-01 10:00:00+01:00"):
        call_command("seed_demo")
        yield


@freeze_time("2026-12-01 10:00:00+01:00")
def test_a_flat_without_a_garden_is_not_offered_the_garden_option_and_is_told_why(demo):
    """Before, « Jardin » was offered on a flat, then refused by the price."""
    flat = Contract.objects.get(number="MRH-2024-000101")
    assert flat.property.kind == "apartment" and not flat.property.has_garden
    client = logged_in_client(flat.customer)
    response = client.get(f"/contrats/{flat.number}/modifier/")
    boxes = _boxes(response.content.decode())
    assert "garden" not in boxes and "pool" not in boxes and "legal" in boxes
    text = _text(response)
    assert "Non proposées pour votre logement : Jardin — votre appartement n'a pas de jardin déclaré" in text
    assert "Piscine — votre logement n'a pas de piscine déclarée" in text
    # Typed anyway (an old link): a French message beside the options, not a price refused later.
    response = client.get(f"/contrats/{flat.number}/modifier/", {**contract_choices(flat), "options": ["garden"]})
    assert "Cette option n'est pas proposée pour votre logement" in _text(response)


@freeze_time("2026-12-01 10:00:00+01:00")
def test_options_the_formula_includes_are_not_offered_again(demo):
    house = Contract.objects.get(number="MRH-2023-000102")
    assert house.formula == "integrale" and house.property.has_garden
    included = [o for o in pricing.tariff_in_force(house.start_date.replace(year=2026)).options.values()
                if "integrale" in o.included_in]
    assert included
    response = logged_in_client(house.customer).get(f"/contrats/{house.number}/modifier/")
    boxes = _boxes(response.content.decode())
    assert "garden" in boxes  # the house has one
    assert not boxes & {o.code for o in included}
    assert "Déjà comprises dans la formule Intégrale : " + ", ".join(o.label for o in included) in _text(response)


@freeze_time("2026-12-01 10:00:00+01:00")
def test_demo_leaves_room_to_increase_the_contents_capital(demo):
    house = Contract.objects.get(number="MRH-2023-000102")
    ceiling = pricing.tariff_in_force(house.start_date.replace(year=2026)).contents_ceiling(house.property.rooms)
    assert house.contents_capital < ceiling
    response = logged_in_client(house.customer).get(f"/contrats/{house.number}/modifier/", {
        **contract_choices(house), "contents_capital": str(int(ceiling))}, HTTP_HX_REQUEST="true")
    assert "par an" in _text(response) and "Demander ce capital" not in _text(response)


@freeze_time("2026-12-01 10:00:00+01:00")
def test_a_capital_above_the_ceiling_is_kept_and_referred_to_an_advisor(demo, bob):
    """Before, a capital above the room-based ceiling was only refused. Now it can be asked for: the request is
    kept (visible in the back-office), the customer is told « demande transmise à un conseiller », nothing typed
    is lost, and the contract stays as it is until the advisor answers."""
    flat = Contract.objects.get(number="MRH-2024-000101")
    camille = flat.customer
    client = logged_in_client(camille)
    choices = {**contract_choices(flat), "contents_capital": "18000"}
    page = _text(client.get(f"/contrats/{flat.number}/modifier/", choices))
    assert "Un capital mobilier de 18 000,00 € dépasse le plafond proposé en ligne pour votre logement " \
           "(14 000,00 €)" in page
    assert "Au-delà de 14 000,00 €, le capital mobilier est étudié par un conseiller" in page  # beside the field

    response = client.post(f"/contrats/{flat.number}/modifier/conseiller/", choices, follow=True)
    text = _text(response)
    assert "Demande transmise à un conseiller : il étudie le capital mobilier de 18 000,00 €" in text
    assert re.search(r'name="contents_capital" value="18[\s\u202f.]?000"', response.content.decode())  # kept
    request = CapitalRequest.objects.get(contract=flat)
    assert (request.requested_capital, request.online_ceiling) == (Decimal("18000"), Decimal("14000"))
    assert request.choices["formula"] == flat.formula and request.status == "pending"
    notification = Notification.objects.get(customer=camille, title="Demande transmise à un conseiller")
    assert "18 000,00 €" in notification.body.replace("\u202f", " ").replace("\u00a0", " ")
    assert OutboxMessage.objects.filter(customer=camille, channel="email").exists()
    flat.refresh_from_db()
    assert flat.contents_capital == Decimal("14000")  # unchanged until the advisor answers

    assert "Capital mobilier de 18 000,00 € demandé le 1er décembre 2026 : demande transmise à un conseiller" \
        in _text(client.get(f"/contrats/{flat.number}/"))
    client.post(f"/contrats/{flat.number}/modifier/conseiller/", choices)  # a reload keeps one request
    assert CapitalRequest.objects.filter(contract=flat).count() == 1

    # Bob cannot ask on Camille's contract.
    assert logged_in_client(bob).post(f"/contrats/{flat.number}/modifier/conseiller/", choices).status_code == 404

    advisor = staff_client(make_staff(ensure_staff_groups(), "advisor"))
    listing = _text(advisor.get("/backoffice/contrats/"))
    assert "Demandes de capital à étudier" in listing
    assert f"{flat.number} — {camille.full_name} — capital mobilier demandé 18 000,00 € (plafond en ligne " \
           "14 000,00 €)" in listing
    detail = _text(advisor.get(f"/backoffice/contrats/{flat.number}/"))
    assert "Capital mobilier demandé 18 000,00 € (plafond en ligne 14 000,00 €)" in detail
    assert "Transmise à un conseiller" in detail
