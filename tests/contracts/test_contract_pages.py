"""Contract pages: instant repricing, simulations, amendments with step-up, comparison, conditions,
termination in three clicks; Bob never reaches Alice's contract."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from abri.accounts.stepup import step_up_mark_fresh
from abri.billing.models import ScheduleItem
from abri.contracts.models import Amendment, Contract, Simulation, TerminationRequest
from abri.contracts.services import ContractError, amendment_apply
from abri.documents.models import Document
from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db

CHOICES = {"formula": "confort", "deductible": "150", "payment_frequency": "annual", "contents_capital": "",
           "valuables_capital": "0"}


@pytest.fixture
def contract(alice):
    start = timezone.localdate() - timedelta(days=500)
    return make_contract(customer=alice, start_date=start, main_due_date=timezone.localdate() + timedelta(days=90),
                         payment_frequency="annual")


def test_change_page_prices_each_edit(alice_client, contract):
    page = alice_client.get(f"/contrats/{contract.number}/modifier/").content.decode()
    assert "Votre prix" in page and "par an" in page
    assert 'hx-get="/contrats/' in page and 'hx-target="#price-panel"' in page  # htmx reprices in place
    url = f"/contrats/{contract.number}/modifier/"
    # htmx (HX-Request): the price panel only, plus the one sentence for the status region (out of band).
    partial = alice_client.get(url, {**CHOICES, "formula": "integrale"}, HTTP_HX_REQUEST="true").content.decode()
    assert "par an" in partial and "Protection juridique" in partial  # gained with Intégrale
    assert "<html" not in partial and "change-form" not in partial
    status = re.search(r'<p id="price-status" hx-swap-oob="innerHTML">([^<]*)</p>', partial).group(1)
    assert re.fullmatch(r"Nouveau prix : [\d\u202f\xa0]+,\d\d\xa0€ par an, aujourd&#x27;hui [\d\u202f\xa0]+,\d\d\xa0€",
                        status), status
    shown = re.search(r'name="prix_affiche" value="([\d.]+)"', partial).group(1)
    same = alice_client.get(url, {**CHOICES, "formula": "integrale", "prix_affiche": shown},
                            HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'hx-swap-oob="innerHTML">Prix inchangé : [\d\u202f\xa0]+,\d\d\xa0€ par an</p>', same)
    cheaper = alice_client.get(url, {**CHOICES, "deductible": "500"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Jusqu'à la prochaine échéance" in cheaper and "remboursés" in cheaper  # a positive amount, in words
    # Without JavaScript, « Calculer le prix » submits the same form: the whole page comes back, priced.
    page = alice_client.get(url, {**CHOICES, "deductible": "500"}).content.decode()
    assert "<html" in page and "remboursés" in page and 'id="change-form"' in page


def test_incompatible_choices_are_explained_beside_the_field(alice_client, contract):
    html = alice_client.get(f"/contrats/{contract.number}/modifier/",
                            {**CHOICES, "formula": "essentielle", "options": "new_for_old"}).content.decode()
    assert "Erreur" in html and "Confort" in html
    html = alice_client.get(f"/contrats/{contract.number}/modifier/",
                            {**CHOICES, "contents_capital": "-5"}).content.decode()
    assert "Le montant ne peut pas être négatif." in html
    assert 'value="-5"' in html  # what was typed is kept
    html = alice_client.get(f"/contrats/{contract.number}/modifier/", {**CHOICES, "formula": "platinum"}).content
    assert "Sélectionnez un choix valide" in html.decode()


def test_simulations_save_compare_delete(alice, alice_client, contract):
    url = f"/contrats/{contract.number}/simulations/enregistrer/"
    alice_client.post(url, {**CHOICES, "name": "Moins cher"} | {"deductible": "500"})
    alice_client.post(url, {**CHOICES, "name": "Tout compris", "formula": "integrale", "deductible": "0"})
    alice_client.post(url, {**CHOICES, "name": ""})
    sims = list(Simulation.objects.filter(customer=alice))
    assert {s.name for s in sims} == {"Moins cher", "Tout compris"}
    assert all(s.valid_until >= timezone.localdate() + timedelta(days=59) for s in sims)
    html = alice_client.get(f"/contrats/{contract.number}/simulations/",
                            {"comparer": [s.pk for s in sims]}).content.decode()
    assert "Comparaison" in html and "Moins cher" in html and "Tout compris" in html
    one = alice_client.get(f"/contrats/{contract.number}/simulations/", {"comparer": [sims[0].pk]}).content.decode()
    assert "Choisissez de 2 à 4 simulations" in one
    alice_client.post(f"/contrats/{contract.number}/simulations/{sims[0].pk}/supprimer/")
    assert Simulation.objects.filter(customer=alice).count() == 1


def test_stale_simulation_must_be_recalculated(alice, alice_client, contract):
    alice_client.post(f"/contrats/{contract.number}/simulations/enregistrer/", {**CHOICES, "name": "Ancienne"})
    simulation = Simulation.objects.get(customer=alice)
    Simulation.objects.filter(pk=simulation.pk).update(tariff_version="2025-01")
    step_up_mark_fresh(alice_client)
    response = alice_client.get(f"/contrats/{contract.number}/avenant/", {"simulation": simulation.pk})
    assert response.status_code == 302 and "/modifier/" in response["Location"]
    assert not Amendment.objects.exists()


def test_amendment_needs_step_up_and_applies_once(alice, alice_client, contract, django_capture_on_commit_callbacks):
    params = {**CHOICES, "formula": "integrale", "deductible": "0"}
    response = alice_client.get(f"/contrats/{contract.number}/avenant/", params)
    assert response.status_code == 302 and "/securite/confirmation/" in response["Location"]
    step_up_mark_fresh(alice_client)
    page = alice_client.get(f"/contrats/{contract.number}/avenant/", params).content.decode()
    assert "Signer l'avenant" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    post = {**params, "version": version, "idempotency_key": key, "confirm": "1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(f"/contrats/{contract.number}/avenant/", post)
        second = alice_client.post(f"/contrats/{contract.number}/avenant/", post)  # double click
    assert first.status_code == second.status_code == 302
    assert Amendment.objects.filter(contract=contract).count() == 1
    amendment = Amendment.objects.get(contract=contract)
    contract.refresh_from_db()
    assert contract.formula == "integrale" and contract.version == int(version) + 1
    assert contract.guarantees.filter(code="legal").exists()
    assert amendment.prorata_amount > 0
    assert ScheduleItem.objects.filter(contract=contract, reference=f"PRO-{amendment.number}").exists()
    document = Document.objects.get(pk=amendment.document_id)
    assert document.kind == "amendment"
    pdf = document.file.read()
    assert b"/ByteRange" in pdf  # signed (PAdES)
    history = alice_client.get(f"/contrats/{contract.number}/avenants/").content.decode()
    assert amendment.number in history


def test_concurrent_edits_cannot_both_apply(alice, contract):
    seen_version = contract.version  # both devices loaded the contract at this version
    choices = {**CHOICES, "formula": "integrale", "deductible": "0", "options": []}
    amendment_apply(customer=alice, contract=contract, choices=choices, expected_version=seen_version,
                    idempotency_key="first")
    other = {**CHOICES, "deductible": "500", "options": []}
    with pytest.raises(ContractError, match="modifié entre-temps"):
        amendment_apply(customer=alice, contract=Contract.objects.get(pk=contract.pk), choices=other,
                        expected_version=seen_version, idempotency_key="second")


def test_comparison_prices_every_formula(alice_client, contract):
    html = alice_client.get(f"/contrats/{contract.number}/comparer/").content.decode()
    assert "votre formule" in html
    assert html.count("€") >= 3
    for label in ["Essentielle", "Confort", "Intégrale"]:
        assert label in html


def test_conditions_link_definitions_and_highlight(alice_client, contract):
    html = alice_client.get(f"/contrats/{contract.number}/conditions/", {"q": "franchise"}).content.decode()
    assert 'href="#def-franchise"' in html and 'id="def-franchise"' in html
    assert re.search(r'href="#ref-[a-z-]+-\d+-\d+"', html)  # and back
    assert "<mark>franchise</mark>" in html
    assert "vous concerne" in html
    hostile = alice_client.get(f"/contrats/{contract.number}/conditions/", {"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in hostile.content.decode()


def test_termination_in_three_clicks(alice, alice_client, contract, django_capture_on_commit_callbacks):
    detail = alice_client.get(f"/contrats/{contract.number}/").content.decode()
    assert "Résilier votre contrat" in detail
    step_up_mark_fresh(alice_client)
    form = alice_client.get(f"/contrats/{contract.number}/resilier/").content.decode()
    assert "Conditions et conséquences" in form and "À l&#x27;échéance annuelle" in form
    response = alice_client.post(f"/contrats/{contract.number}/resilier/", {"reason": "hamon"})  # click 1
    assert response.status_code == 302
    summary = alice_client.get(response["Location"]).content.decode()
    assert "Confirmer ma demande de résiliation" in summary
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', summary).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = alice_client.post(f"/contrats/{contract.number}/resilier/recapitulatif/", {
            "idempotency_key": key, "basis": "hamon", "new_insurer": "Mutuelle du Rhône",
            "new_policy_number": "MR-778812"})
    termination = TerminationRequest.objects.get(contract=contract)
    assert done["Location"].endswith(f"/resiliation/{termination.number}/")
    expected = timezone.localdate()
    assert termination.effective_date > expected + timedelta(days=27)
    contract.refresh_from_db()
    assert contract.status == "termination_requested" and contract.end_date == termination.effective_date
    page = alice_client.get(done["Location"]).content.decode()
    assert termination.effective_date.strftime("%Y") in page
    assert Document.objects.filter(customer=alice, kind="termination").exists()
    from abri.notifications.models import OutboxMessage

    assert OutboxMessage.objects.filter(customer=alice, channel="email", subject__contains=termination.number).exists()
    assert termination.refund_amount >= 0


def test_termination_refused_reasons_are_explained(alice, alice_client):
    young = make_contract(customer=alice, start_date=timezone.localdate() - timedelta(days=30),
                          main_due_date=timezone.localdate() + timedelta(days=335))
    step_up_mark_fresh(alice_client)
    html = alice_client.post(f"/contrats/{young.number}/resilier/", {"reason": "hamon"}).content.decode()
    assert "après un an de contrat" in html
    html = alice_client.post(f"/contrats/{young.number}/resilier/", {"reason": "other"}).content.decode()
    assert "Précisez le motif" in html
    html = alice_client.post(f"/contrats/{young.number}/resilier/", {"reason": "moving"}).content.decode()
    assert "date du déménagement" in html


def test_termination_needs_step_up(alice_client, contract):
    response = alice_client.get(f"/contrats/{contract.number}/resilier/")
    assert response.status_code == 302 and "/securite/confirmation/" in response["Location"]


def test_bob_gets_404_on_every_alice_contract_page(contract, bob_client):
    step_up_mark_fresh(bob_client)
    for suffix in ["", "modifier/", "simulations/", "avenants/", "comparer/", "conditions/", "resilier/",
                   "avenant/?formula=confort&deductible=150&payment_frequency=annual"]:
        assert bob_client.get(f"/contrats/{contract.number}/{suffix}").status_code == 404, suffix
    assert bob_client.post(f"/contrats/{contract.number}/simulations/enregistrer/",
                           {**CHOICES, "name": "x"}).status_code == 404


def test_prorata_sign_and_amount_follow_the_engine(alice, contract):
    from abri.contracts.pricing import contract_choices, quote_change

    up = quote_change(contract=contract, choices={**contract_choices(contract), "formula": "integrale",
                                                   "deductible": "0"})
    assert up.prorata > 0 and up.quote.total_annual > up.current.total_annual
    assert up.prorata < up.quote.total_annual - up.current.total_annual + Decimal("0.01")


def test_moving_house_in_one_flow(alice, alice_client, contract, django_capture_on_commit_callbacks):
    step_up_mark_fresh(alice_client)
    moving = (timezone.localdate() + timedelta(days=40)).isoformat()
    bad = alice_client.post(f"/contrats/{contract.number}/demenagement/",
                            {"moving_date": moving, "address_line": "8 quai Perrache", "postcode": "6900",
                             "city": "Lyon", "kind": "apartment", "occupant_status": "tenant", "rooms": "-1",
                             "surface_m2": "50"}).content.decode()
    assert "Un code postal français a 5 chiffres." in bad and "Au moins 1 pièce." in bad
    assert "8 quai Perrache" in bad
    response = alice_client.post(f"/contrats/{contract.number}/demenagement/",
                                 {"moving_date": moving, "address_line": "8 quai Perrache", "postcode": "69002",
                                  "city": "Lyon", "kind": "apartment", "occupant_status": "tenant", "rooms": "3",
                                  "surface_m2": "68", "floor": "4"})
    assert response.status_code == 302
    confirm = alice_client.get(response["Location"]).content.decode()
    assert "Confirmer mon déménagement" in confirm and "par an" in confirm
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', confirm).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        done = alice_client.post(response["Location"], {"idempotency_key": key})
    new = Contract.objects.filter(customer=alice).exclude(pk=contract.pk).get()
    assert done["Location"] == f"/contrats/{new.number}/"
    assert new.property.address_line == "8 quai Perrache" and str(new.start_date) == moving
    contract.refresh_from_db()
    assert contract.status == "termination_requested" and str(contract.end_date) == moving
    assert new.guarantees.exists() and ScheduleItem.objects.filter(contract=new).exists()


def test_certificate_for_the_new_home_is_valid_from_the_moving_date(alice, contract):
    from abri.certificates.services import certificate_issue
    from abri.contracts.services import move_house

    moving = timezone.localdate() + timedelta(days=20)
    home = {"kind": "apartment", "occupant_status": "tenant", "address_line": "5 rue Neuve", "postcode": "69001",
            "city": "Lyon", "rooms": 2, "surface_m2": 45, "floor": 1, "has_garden": False}
    choices = {**CHOICES, "options": []}
    new = move_house(customer=alice, contract=contract, home=home, moving_date=moving, choices=choices,
                     idempotency_key="move-0001")
    certificate = certificate_issue(customer=alice, contract=new, kind="tenant")
    assert certificate.valid_from == moving
    assert "5 rue Neuve" in certificate.document.text.replace("5 RUE NEUVE", "5 rue Neuve")
