"""Contracts move through one function: allowed transitions, the timeline, termination states, and the hourly
end of contracts run by two workers at once."""

import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from abri.contracts import services
from abri.contracts.choices import ContractStatus, TerminationStatus
from abri.contracts.models import Contract, ContractEvent, TerminationRequest
from abri.contracts.services import (
    ContractError,
    contract_transition,
    contracts_end_due,
    termination_request,
    termination_transition,
)
from abri.core.models import AuditLog
from tests.contracts.factories import make_contract


def _in_force_contract(customer):
    return make_contract(customer=customer, start_date=timezone.localdate() - timedelta(days=400),
                         main_due_date=timezone.localdate() + timedelta(days=100))


def _ending_contract(customer, *, ended_days_ago=2):
    """A contract whose termination was requested and whose last covered day has passed."""
    contract = _in_force_contract(customer)
    contract_transition(contract=contract, to_status=ContractStatus.TERMINATION_REQUESTED, actor=None,
                        end_date=timezone.localdate() - timedelta(days=ended_days_ago))
    return contract


def test_contract_transition_refuses_a_move_not_in_the_table(alice):
    contract = _in_force_contract(alice)
    with pytest.raises(ContractError, match="Passage impossible de « En cours » à « Résilié »"):
        contract_transition(contract=contract, to_status=ContractStatus.TERMINATED, actor=None)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert not ContractEvent.objects.filter(contract=contract).exists()


def test_a_terminated_contract_never_comes_back(alice):
    contract = _ending_contract(alice)
    contract_transition(contract=contract, to_status=ContractStatus.TERMINATED, actor=None)
    for status in ContractStatus.values:
        with pytest.raises(ContractError):
            contract_transition(contract=contract, to_status=status, actor=None)
    assert ContractEvent.objects.filter(contract=contract).count() == 2


def test_contract_transition_writes_timeline_row_audit_and_version(alice):
    contract = _in_force_contract(alice)
    version = contract.version
    end = timezone.localdate() + timedelta(days=30)
    contract_transition(contract=contract, to_status=ContractStatus.TERMINATION_REQUESTED, actor=alice.user,
                        end_date=end, note="Vente")
    contract.refresh_from_db()
    assert (contract.status, contract.end_date, contract.version) == (
        ContractStatus.TERMINATION_REQUESTED, end, version + 1)
    event = ContractEvent.objects.get(contract=contract)
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        ContractStatus.ACTIVE, ContractStatus.TERMINATION_REQUESTED, "Vente", alice.user)
    audit = AuditLog.objects.get(action="contract.termination_requested", target_id=str(contract.pk))
    assert audit.data["from"] == "active" and audit.data["to"] == "termination_requested"


def test_a_stale_copy_cannot_transition_twice(alice):
    """The write is conditional on the status read: a second writer holding an old copy changes nothing."""
    contract = _ending_contract(alice)
    stale = Contract.objects.get(pk=contract.pk)
    contract_transition(contract=contract, to_status=ContractStatus.TERMINATED, actor=None)
    with pytest.raises(ContractError):
        contract_transition(contract=stale, to_status=ContractStatus.TERMINATED, actor=None)
    assert ContractEvent.objects.filter(contract=contract, to_status=ContractStatus.TERMINATED).count() == 1


def test_termination_request_is_a_timeline_row_then_acknowledged_then_processed(
        alice, django_capture_on_commit_callbacks):
    contract = _in_force_contract(alice)
    with django_capture_on_commit_callbacks(execute=True):
        termination = termination_request(customer=alice, contract=contract, reason="other", reason_text="Prix",
                                          new_insurer="Mutuelle", new_policy_number="N-1", idempotency_key="sm-0001")
    termination.refresh_from_db()
    assert termination.document_id is not None
    assert termination.status == TerminationStatus.ACKNOWLEDGED
    event = ContractEvent.objects.get(contract=contract)
    assert event.to_status == ContractStatus.TERMINATION_REQUESTED and termination.number in event.note
    assert AuditLog.objects.filter(action="contract.termination_acknowledged").count() == 1

    assert contracts_end_due(today=termination.effective_date + timedelta(days=1)) == 1
    termination.refresh_from_db()
    contract.refresh_from_db()
    assert termination.status == TerminationStatus.PROCESSED
    assert contract.status == ContractStatus.TERMINATED
    assert list(ContractEvent.objects.filter(contract=contract).values_list("to_status", flat=True)) == [
        ContractStatus.TERMINATION_REQUESTED, ContractStatus.TERMINATED]


def test_a_processed_termination_cannot_be_acknowledged_again(alice):
    contract = _in_force_contract(alice)
    termination = termination_request(customer=alice, contract=contract, reason="other", idempotency_key="sm-2",
                                      new_insurer="Mutuelle", new_policy_number="N-2")
    termination_transition(termination=termination, to_status=TerminationStatus.PROCESSED)
    with pytest.raises(ContractError, match="Passage impossible de « Traitée » à « Accusé de réception envoyé »"):
        termination_transition(termination=termination, to_status=TerminationStatus.ACKNOWLEDGED)


def test_contract_page_shows_the_contract_history_in_french(alice, alice_client):
    contract = _in_force_contract(alice)
    termination = termination_request(customer=alice, contract=contract, reason="other", idempotency_key="sm-3",
                                      new_insurer="Mutuelle", new_policy_number="N-3")
    page = alice_client.get(f"/contrats/{contract.number}/").content.decode()
    assert "Historique du contrat" in page
    assert "En cours → <strong>Résiliation demandée</strong>" in page
    assert f"Demande de résiliation {termination.number}" in page


@contextmanager
def _second_worker_runs_between_read_and_write():
    """The first worker reads the due contracts; a second worker ends them all before the first writes."""
    real_transaction = services.transaction
    state = {"done": False}

    class Transaction:
        """The services module's `transaction`, whose first atomic block lets the second worker run first."""

        def __getattr__(self, name):
            return getattr(real_transaction, name)

        def atomic(self, *args, **kwargs):
            if not state["done"]:
                state["done"] = True
                state["second_worker_ended"] = contracts_end_due(today=timezone.localdate())
            return real_transaction.atomic(*args, **kwargs)

    with mock.patch.object(services, "transaction", Transaction()):
        yield state


def test_two_workers_ending_the_same_contract_end_it_once(alice):
    """Two hourly runs overlapping: the contract is ended, its certificates revoked and audited once."""
    contract = _ending_contract(alice)
    with _second_worker_runs_between_read_and_write() as state:
        first_worker_ended = contracts_end_due(today=timezone.localdate())
    assert (state["second_worker_ended"], first_worker_ended) == (1, 0)
    assert ContractEvent.objects.filter(contract=contract, to_status=ContractStatus.TERMINATED).count() == 1
    assert AuditLog.objects.filter(action="contract.terminated", target_id=str(contract.pk)).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks between two connections need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_workers_end_each_contract_once_on_postgresql():
    from tests.accounts.factories import CustomerFactory

    customer = CustomerFactory()
    contracts = [_ending_contract(customer) for _ in range(12)]
    both_listed = threading.Barrier(2, timeout=30)
    real_contract_end = services.contract_end
    local = threading.local()

    def contract_end(**kwargs):
        if not getattr(local, "waited", False):
            local.waited = True
            both_listed.wait()  # both workers have read the same due contracts before either writes
        return real_contract_end(**kwargs)

    results, errors = [], []

    def worker():
        try:
            results.append(contracts_end_due(today=timezone.localdate()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(services, "contract_end", contract_end):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    assert sum(results) == len(contracts)
    pks = [c.pk for c in contracts]
    assert ContractEvent.objects.filter(contract__in=pks, to_status=ContractStatus.TERMINATED).count() == len(pks)
    assert AuditLog.objects.filter(action="contract.terminated").count() == len(pks)
    assert not Contract.objects.filter(pk__in=pks).exclude(status=ContractStatus.TERMINATED).exists()
    assert TerminationRequest.objects.count() == 0


def test_two_workers_renewing_the_same_contract_renew_it_once(alice):
    """The second renewal run happens between the first's read of the contract and its write: one renewal,
    one new schedule, one audit row."""
    from abri.billing.models import ScheduleItem
    from abri.contracts.rules import add_months

    today = timezone.localdate()
    contract = make_contract(customer=alice, start_date=add_months(today, -12), main_due_date=today,
                             payment_frequency="monthly")
    real_quote = services._renewal_quote
    state = {"done": False}

    def quote_then_let_the_other_worker_run(contract, due_date):
        if not state["done"]:
            state["done"] = True
            state["second_worker_renewed"] = services.contracts_renew_due(today=today)
        return real_quote(contract, due_date)

    with mock.patch.object(services, "_renewal_quote", quote_then_let_the_other_worker_run):
        first_worker_renewed = services.contracts_renew_due(today=today)
    assert (state["second_worker_renewed"], first_worker_renewed) == (1, 0)
    contract.refresh_from_db()
    assert contract.main_due_date == add_months(today, 12) and contract.version == 2
    assert AuditLog.objects.filter(action="contract.renewed", target_id=str(contract.pk)).count() == 1
    assert ScheduleItem.objects.filter(contract=contract, status="upcoming", due_date__gte=today).count() == 12


def test_acknowledged_termination_stays_listed_and_timeline_shows_in_the_back_office(
        alice, django_capture_on_commit_callbacks):
    from abri.accounts.roles import ensure_staff_groups
    from tests.backoffice.conftest import make_staff, staff_client

    contract = _in_force_contract(alice)
    with django_capture_on_commit_callbacks(execute=True):
        termination = termination_request(customer=alice, contract=contract, reason="other", idempotency_key="sm-4",
                                          new_insurer="Mutuelle", new_policy_number="N-4")
    termination.refresh_from_db()
    assert termination.status == TerminationStatus.ACKNOWLEDGED
    client = staff_client(make_staff(ensure_staff_groups(), "advisor"))
    listing = client.get("/backoffice/contrats/").content.decode()
    assert "Demandes de résiliation à traiter" in listing and termination.number in listing
    detail = client.get(f"/backoffice/contrats/{contract.number}/").content.decode()
    assert "Historique du contrat" in detail and "Accusé de réception envoyé" in detail
    assert "En cours → Résiliation demandée" in detail
