"""Owner scoping by construction: every model with a customer foreign key is read through its owner."""

import pytest
from django.apps import apps
from django.http import Http404

from abri.accounts.models import Customer
from abri.contracts.models import Contract
from abri.core.errors import NotYours, ensure_owner
from abri.core.models import AuditLog
from abri.core.querysets import CustomerOwnedQuerySet

# Models that keep a foreign key to Customer but stay unscoped, each with its reason. Empty today: even the
# audit log and the outbox (whose rows may have no customer) are scoped.
UNSCOPED = {}


def _customer_foreign_keys():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.many_to_one and field.related_model is Customer:
                yield model, field


def test_the_walk_sees_the_customer_owned_models():
    labels = {model._meta.label for model, _ in _customer_foreign_keys()}
    assert {"contracts.Contract", "claims.Claim", "claims.ClaimDraft", "documents.Document",
            "billing.ScheduleItem", "notifications.Notification", "core.AuditLog"} <= labels


def test_every_customer_owned_model_is_scoped_by_its_default_manager():
    unscoped = []
    for model, field in _customer_foreign_keys():
        if model._meta.label in UNSCOPED:
            continue
        if field.name != "customer":
            unscoped.append(f"{model._meta.label}.{field.name}: the owner's foreign key must be named `customer`")
        elif not isinstance(model._default_manager.all(), CustomerOwnedQuerySet):
            unscoped.append(f"{model._meta.label}: default manager's queryset is not a CustomerOwnedQuerySet")
    assert not unscoped, "\n".join(unscoped)


def test_another_customers_contract_is_not_yours_and_answers_404(alice, bob_contract):
    with pytest.raises(NotYours):
        Contract.objects.get_for_customer(alice, number=bob_contract.number)
    with pytest.raises(Http404):  # a view or the API answers 404, never 403
        ensure_owner(bob_contract, alice)
    assert Contract.objects.get_for_customer(bob_contract.customer, number=bob_contract.number) == bob_contract


def test_rows_without_a_customer_are_nobodys(db):
    AuditLog.objects.create(action="login_failed")  # no customer: must never show in anyone's history
    assert not AuditLog.objects.for_customer(None).exists()
