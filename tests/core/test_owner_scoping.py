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


def test_every_service_refuses_another_customers_object_with_the_one_not_yours_error(alice, bob, bob_contract):
    """Five exception types (ValueError, ContractError, ClaimError, ValidationError, DoesNotExist) became one."""
    from abri.certificates.services import certificate_issue
    from abri.claims import services as claims
    from abri.claims.models import ClaimDraft
    from abri.contracts import services as contracts
    from tests.claims.factories import make_claim

    bob_claim = make_claim(contract=bob_contract, status="offer_made")
    bob_draft = ClaimDraft.objects.create(customer=bob)
    attempts = {
        "simulation_save": lambda: contracts.simulation_save(customer=alice, contract=bob_contract, name="x",
                                                             choices={}),
        "claim_accept_offer": lambda: claims.claim_accept_offer(customer=alice, claim=bob_claim),
        "certificate_issue": lambda: certificate_issue(customer=alice, contract=bob_contract, kind="tenant"),
        "evidence_add": lambda: claims.evidence_add(customer=alice, data=b"x", draft=bob_draft),
        "draft_save_step": lambda: claims.draft_save_step(customer=alice, draft=bob_draft, step="event",
                                                          values={}, next_step="when"),
        "draft_submit": lambda: claims.draft_submit(customer=alice, draft=bob_draft),
        "contract_create": lambda: contracts.contract_create(
            customer=alice, property=bob_contract.property, number="MRH-X", formula="confort",
            annual_premium=1, start_date=bob_contract.start_date, main_due_date=bob_contract.start_date),
    }
    raised = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 — the point is to see which type each service raises
            raised[name] = type(exc).__name__
        else:
            raised[name] = "nothing"
    assert raised == dict.fromkeys(attempts, "NotYours")
    bob_claim.refresh_from_db()
    assert bob_claim.status == "offer_made"
