import pytest
from django.core.management import call_command

from abri.accounts.models import Customer, User
from abri.billing.models import ScheduleItem
from abri.claims.models import Claim
from abri.documents.models import Document


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_realistic():
    call_command("seed_demo")
    call_command("seed_demo")
    camille = Customer.objects.get(customer_number="DEMO0001G")
    assert Customer.objects.filter(customer_number="DEMO0002E").count() == 1
    assert camille.properties.count() == 2
    assert camille.contracts.count() == 2
    assert Claim.objects.filter(customer=camille).count() == 4
    assert Claim.objects.filter(customer=camille).open().count() == 1
    assert Document.objects.filter(customer=camille).count() >= 30
    assert ScheduleItem.objects.filter(customer=camille, status="paid").count() >= 48
    assert camille.user.check_password("246810")
    assert User.objects.filter(email="admin@abri.example", is_staff=True).exists()
    doc = Document.objects.filter(customer=camille).first()
    assert doc.file.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_seed_demo_renewals_carry_their_notice_and_nothing_is_due_for_renewal():
    """The demo contracts were renewed with a notice sent on time (L113-15-1): the renewal job has nothing to
    do, loi Chatel does not apply, and the earliest end offered is Hamon's."""
    from abri.contracts.models import ContractRenewal
    from abri.contracts.services import contracts_renew_due, termination_options

    call_command("seed_demo")
    camille = Customer.objects.get(customer_number="DEMO0001G")
    for contract in camille.contracts.all():
        renewals = ContractRenewal.objects.filter(contract=contract)
        assert renewals.exists() and not renewals.filter(notice_sent_on=None).exists()
        default = next(o for o in termination_options(contract=contract, reason="other") if o["default"])
        assert default["code"] == "hamon"
    assert contracts_renew_due() == 0


@pytest.mark.django_db
def test_demo_owner_house_insures_its_building_and_gets_no_landlord_certificate():
    """MRH-2023-000102 is an owner-occupied 110 m² house: building at rebuild value, no tenant's liability."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from abri.certificates.services import certificate_issue
    from abri.contracts.models import Contract

    call_command("seed_demo")
    house = Contract.objects.get(number="MRH-2023-000102")
    assert house.building_capital == Decimal("209000.00")
    assert house.guarantees.get(code="fire").ceiling == Decimal("229000.00")  # not the 20 000 € contents ceiling
    with pytest.raises(ValidationError):
        certificate_issue(customer=house.customer, contract=house, kind="tenant")
    receipt = Document.objects.filter(contract=house, kind="receipt").first()
    assert "(FGTI)" in receipt.text and "obligatoires de dommages" not in receipt.text


def test_scale_receipts_name_the_terrorism_fund_not_the_fgao():
    """The contribution on a home contract goes to the FGTI (terrorism), not the FGAO (compulsory damage insurance)."""
    from abri.demo.management.commands.seed_scale import PARAGRAPHS
    from abri.documents.choices import DocumentKind

    text = " ".join(PARAGRAPHS[DocumentKind.RECEIPT])
    assert "victimes des actes de terrorisme" in text and "(FGTI)" in text
    assert "assurances obligatoires de dommages" not in text
