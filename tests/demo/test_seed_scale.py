from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count

from abri.accounts.models import Customer, User
from abri.accounts.numbers import is_valid_customer_number
from abri.billing.models import ScheduleItem
from abri.claims.models import Claim, ClaimStep
from abri.contracts.guarantees import guarantees_for
from abri.contracts.models import Contract, ContractGuarantee, Property
from abri.demo.management.commands.seed_scale import SCALE_PIN
from abri.documents.models import Document
from abri.documents.normalise import search_text
from abri.notifications.models import Notification
from tests.conftest import logged_in_client

N = 60


def _seed(**options):
    call_command("seed_scale", customers=options.pop("customers", N), batch_size=options.pop("batch_size", 25),
                 verbosity=0, **options)


@pytest.mark.django_db
def test_creates_customers_with_the_promised_volumes():
    _seed()
    assert Customer.objects.count() == N
    per_customer = Property.objects.values("customer").annotate(n=Count("id")).values_list("n", flat=True)
    assert len(per_customer) == N and set(per_customer) <= {1, 2}
    assert Contract.objects.count() / N >= 2
    assert ScheduleItem.objects.count() / N >= 24
    assert Counter(Document.objects.values_list("customer", flat=True)) == dict.fromkeys(
        Customer.objects.values_list("id", flat=True), 10)
    assert Claim.objects.exists() and Notification.objects.count() / N >= 2
    # Every claim has its timeline, ending on the claim's current status.
    for claim in Claim.objects.prefetch_related("steps"):
        steps = list(claim.steps.all())
        assert steps and steps[-1].status == claim.status
    assert ClaimStep.objects.count() >= Claim.objects.count()


@pytest.mark.django_db
def test_contracts_carry_the_guarantees_of_their_formula():
    _seed(customers=20)
    for contract in Contract.objects.select_related("property"):
        expected = guarantees_for(formula=contract.formula, options=contract.options,
                                  occupant_status=contract.property.occupant_status, rooms=contract.property.rooms,
                                  deductible=contract.deductible)
        rows = list(ContractGuarantee.objects.filter(contract=contract).order_by("id"))
        assert [(g.code, g.ceiling, g.deductible, g.is_option) for g in rows] == [
            (r["code"], r["ceiling"], r["deductible"], r["is_option"]) for r in expected]
        assert contract.property.customer_id == contract.customer_id


@pytest.mark.django_db
def test_documents_have_realistic_searchable_text():
    _seed(customers=10)
    for doc in Document.objects.all():
        assert 120 <= len(doc.text.split()) <= 220
        assert doc.search_text == search_text(doc.text)
        assert not doc.file
        assert doc.contract.customer_id == doc.customer_id


@pytest.mark.django_db
def test_customer_numbers_are_valid_and_share_one_pin():
    _seed(customers=10)
    users = list(User.objects.filter(customer__isnull=False).select_related("customer"))
    assert all(is_valid_customer_number(u.username) and u.username == u.customer.customer_number for u in users)
    assert all(u.is_customer and not u.is_staff for u in users)
    assert len({u.password for u in users}) == 1
    assert users[0].check_password(SCALE_PIN)


@pytest.mark.django_db
def test_rerun_adds_new_customers_without_touching_the_demo_accounts():
    call_command("seed_demo", verbosity=0)
    demo_documents = Document.objects.filter(customer__customer_number="DEMO0001G").count()
    _seed(customers=30, seed=7)
    _seed(customers=30, seed=7)
    numbers = list(Customer.objects.values_list("customer_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 62
    assert Document.objects.filter(customer__customer_number="DEMO0001G").count() == demo_documents
    assert User.objects.get(username="DEMO0001G").check_password("246810")


@pytest.mark.django_db
def test_documents_per_customer_option():
    _seed(customers=5, documents_per_customer=3)
    assert Document.objects.count() == 15


@pytest.mark.django_db
def test_a_scale_customer_can_open_the_dashboard():
    _seed(customers=3)
    customer = Customer.objects.first()
    response = logged_in_client(customer).get("/tableau-de-bord/")
    assert response.status_code == 200
    assert customer.first_name in response.content.decode()
