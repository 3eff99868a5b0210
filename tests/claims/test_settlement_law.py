"""Settlement by law: Cat Nat deductibles, technological catastrophes, under-insurance of the building, IRSI, VAT."""

import re
from decimal import Decimal

import pytest

from abri.claims import services
from abri.claims.models import ClaimDraft
from abri.claims.rules import SettlementItem, compute_settlement, declaration_deadline
from tests.claims.factories import make_claim
from tests.claims.test_declaration import fill_until_evidence, start
from tests.contracts.factories import PropertyFactory, make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_house(alice):
    """Alice's owner-occupied house, 110 m²: building capital 209 000 € at rebuild value."""
    home = PropertyFactory(customer=alice, kind="house", occupant_status="owner", rooms=5, surface_m2=110, floor=None)
    return make_contract(customer=alice, property=home, formula="integrale")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("\u202f", " ").replace(
        "\u00a0", " ")


def test_subsidence_has_1520_euro_cat_nat_deductible(alice, alice_house):
    """Code des assurances A125-1, annex I: drought/subsidence of clay soils carries a 1 520 € deductible
    (380 € for the other natural catastrophes)."""
    claim = make_claim(contract=alice_house, event_type="subsidence")
    settlement = services.claim_settlement_preview(
        claim=claim, items=[SettlementItem("Fissures des murs porteurs", "structure", Decimal("12000"), Decimal("0"))])
    assert settlement.deductible == Decimal("1520.00")
    assert settlement.indemnity == Decimal("10480.00")
    other = make_claim(contract=alice_house, event_type="natcat")
    assert services.deductible_for_event(contract=alice_house, event=other.event_type) == Decimal("380")


def test_subsidence_is_an_event_of_the_declaration_with_its_deductible_shown(alice, alice_client, alice_contract):
    draft, _location = start(alice_client)
    event_page = text_of(alice_client.get(f"/sinistres/declarer/{draft.key}/event/"))
    assert "Sécheresse : fissures dues au retrait-gonflement des argiles" in event_page
    fill_until_evidence(alice_client, draft, event="subsidence")
    summary = text_of(alice_client.get(f"/sinistres/declarer/{draft.key}/summary/"))
    assert "Catastrophes naturelles" in summary
    assert "Franchise 1 520,00 €" in summary
    assert ClaimDraft.objects.get(pk=draft.pk).data["event"]["event"] == "subsidence"


def test_subsidence_is_declared_within_30_days_of_the_cat_nat_decree():
    from datetime import date

    deadline = declaration_deadline(event="subsidence", learned_on=date(2026, 6, 1),
                                    natcat_decree_on=date(2026, 9, 1))
    assert deadline.due == date(2026, 10, 1)


def test_technological_catastrophe_has_no_deductible(alice, alice_contract):
    """L128-2: technological catastrophes are compensated in full (réparation intégrale): no deductible, even
    when the contract row still carries the general one."""
    alice_contract.guarantees.filter(code="techcat").update(deductible=Decimal("150"))  # a row written before
    claim = make_claim(contract=alice_contract, event_type="techcat")
    settlement = services.claim_settlement_preview(
        claim=claim, items=[SettlementItem("Canapé", "furniture", Decimal("1000"), Decimal("0"))])
    assert settlement.deductible == Decimal("0.00")
    assert settlement.indemnity == Decimal("1000.00")


def test_under_insurance_rule_applies_to_building_capital(alice, alice_house):
    """L121-5 (règle proportionnelle): building damage is paid in the ratio of the building capital declared
    (209 000 €) to the rebuild value the expert finds (261 250 €): 80 %; contents keep their own ratio."""
    claim = make_claim(contract=alice_house, event_type="fire")
    items = [SettlementItem("Charpente et toiture", "structure", Decimal("20000"), Decimal("0")),
             SettlementItem("Canapé", "furniture", Decimal("2000"), Decimal("0"))]
    settlement = services.claim_settlement_preview(claim=claim, items=items,
                                                   building_required_capital=Decimal("261250"))
    assert settlement.building_under_insurance_ratio == Decimal("0.8000")
    assert settlement.under_insurance_reduction == Decimal("4000.00")  # 20 % of the roof, nothing on the sofa
    assert settlement.deductible == Decimal("150.00")
    assert settlement.ceiling_reduction == Decimal("0")  # fire ceiling 229 000 €: building + contents
    assert settlement.indemnity == Decimal("17850.00")
    enough = services.claim_settlement_preview(claim=claim, items=items, building_required_capital=Decimal("200000"))
    assert enough.under_insurance_reduction == Decimal("0")


def test_irsi_applies_only_to_water_damage_and_fire_with_several_insurers(alice, alice_contract, alice_house):
    """The IRSI convention: water damage and fire in a building with several insurers, nothing else."""
    items = [SettlementItem("Parquet", "building", Decimal("1100"), Decimal("0"))]
    flat_water = make_claim(contract=alice_contract, event_type="water")  # tenant: occupant's and owner's insurers
    flat_fire = make_claim(contract=alice_contract, event_type="fire")
    flat_theft = make_claim(contract=alice_contract, event_type="theft")
    house_water = make_claim(contract=alice_house, event_type="water")  # owner-occupied house: one insurer
    assert services.claim_settlement_preview(claim=flat_water, items=items).irsi_tranche.startswith("Tranche 1")
    assert services.claim_settlement_preview(claim=flat_fire, items=items).irsi_tranche.startswith("Tranche 1")
    assert services.claim_settlement_preview(claim=flat_theft, items=items).irsi_tranche == ""
    assert services.claim_settlement_preview(claim=house_water, items=items).irsi_tranche == ""
    house_water.circumstances = {"neighbour_involved": True}
    assert services.claim_settlement_preview(claim=house_water, items=items).irsi_tranche.startswith("Tranche 1")


def test_vat_rate_per_settlement_line_decides_the_irsi_tranche():
    """Works on a home over two years old bear 10 % VAT (CGI art. 279-0 bis), goods 20 %: the IRSI thresholds
    are excluding tax, line by line (1 815 € of works = 1 650 € excl. tax: tranche 2, not 1 512,50 €)."""
    items = [SettlementItem("Plâtres et peintures", "building", Decimal("1815"), Decimal("0"))]
    settlement = compute_settlement(items=items, deductible=Decimal("0"), ceiling=None, new_for_old_covered=False,
                                    event="water", several_insurers=True)
    (line,) = settlement.lines
    assert line.vat_rate == Decimal("0.10") and line.replacement_value_excl_tax == Decimal("1650.00")
    assert settlement.irsi_tranche.startswith("Tranche 2")
    tv = compute_settlement(items=[SettlementItem("Téléviseur", "electronics", Decimal("1200"), Decimal("0"))],
                            deductible=Decimal("0"), ceiling=None, new_for_old_covered=False)
    assert tv.lines[0].vat_rate == Decimal("0.20") and tv.lines[0].replacement_value_excl_tax == Decimal("1000.00")
    assert settlement.as_dict()["lines"][0]["vat_rate"] == "0.10"
