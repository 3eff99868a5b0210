"""Reminders, the renewal notice (L113-15-1) and the unpaid-premium procedure (L113-3), run by the worker with a
frozen clock: what is sent, filed and shown, in French, once — even run twice or by two workers."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from freezegun import freeze_time

from abri.billing.models import BillingNotice, ScheduleItem
from abri.contracts.models import Contract, ContractEvent, ContractRenewal
from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.services import pdf_text
from abri.dunning import services as dunning
from abri.notifications.models import Notification, OutboxMessage
from tests.conftest import logged_in_client
from tests.contracts.factories import make_contract

DUE = dt.date(2026, 11, 5)


def words(text: str) -> str:
    """Whitespace (no-break spaces of amounts, PDF line breaks) as single spaces."""
    return " ".join(text.split())


def pdf_words(document: Document) -> str:
    with document.file.open("rb") as handle:
        return words(pdf_text(handle.read()))


def run(at: str) -> dict:
    with freeze_time(at):
        return dunning.dunning_run()


@pytest.fixture
def urls_loaded():
    from django.urls import get_resolver

    assert get_resolver().url_patterns  # the API's schemas before dates are faked (pydantic rejects FakeDate)


@pytest.fixture
def unpaid(alice, urls_loaded):
    with freeze_time("2026-10-01 09:00:00"):
        contract = make_contract(customer=alice, main_due_date=dt.date(2027, 6, 1), start_date=dt.date(2025, 6, 1))
    item = ScheduleItem.objects.create(customer=alice, contract=contract, due_date=DUE, amount=Decimal("52.40"),
                                       method="transfer", reference=f"{contract.number}-20261105")
    return contract, item


def _titles(customer):
    return [words(n.title) for n in Notification.objects.filter(customer=customer).order_by("id")]


def test_reminder_seven_days_before_for_a_transfer_payer_once(unpaid, alice):
    contract, item = unpaid
    assert run("2026-10-28 09:00:00")["reminders"] == 0  # 8 days before
    assert run("2026-10-29 09:00:00")["reminders"] == 1
    assert run("2026-10-29 10:00:00")["reminders"] == 0  # the next hour: already reminded
    assert _titles(alice) == ["Votre cotisation de 52,40 € est due le 5 novembre 2026"]
    email = OutboxMessage.objects.get(customer=alice, channel="email")
    assert words(email.subject) == "Votre cotisation de 52,40 € est due le 5 novembre 2026"
    assert "Réglez-la par virement" in email.body
    assert AuditLog.objects.filter(action="billing.reminder_sent").count() == 1


def test_no_reminder_for_direct_debit_payers(alice, urls_loaded):
    with freeze_time("2026-10-01 09:00:00"):
        contract = make_contract(customer=alice, main_due_date=dt.date(2027, 6, 1))
    ScheduleItem.objects.create(customer=alice, contract=contract, due_date=DUE, amount=Decimal("52.40"),
                                method="direct_debit")
    assert run("2026-10-30 09:00:00")["reminders"] == 0


def test_the_l113_3_timeline_notice_suspension_payment_resumption(unpaid, alice, settings, tmp_path):
    """L113-3: due 5/11 → notice 15/11 by registered mail → suspended 15/12 → paid 20/12 → back 21/12 at noon."""
    contract, item = unpaid
    assert run("2026-11-14 09:00:00")["formal_notices"] == 0  # due + 9 days
    counts = run("2026-11-15 09:00:00")
    assert counts["formal_notices"] == 1 and counts["formal_notices_sent"] == 1
    notice = BillingNotice.objects.get(kind="formal_notice")
    assert notice.sent_on == dt.date(2026, 11, 15) and notice.proof_id.startswith("LR-")
    letter = pdf_words(notice.document)
    assert "Mise en demeure" in letter
    assert "votre cotisation de 52,40 € due le 5 novembre 2026" in letter
    assert "Vos garanties seront suspendues le 15 décembre 2026" in letter
    assert "pourra être résilié à partir du 25 décembre 2026" in letter
    receipt = json.loads((settings.MEDIA_ROOT / "registered-mail" / f"formal_notice_{item.pk}.json").read_text())
    assert receipt["proof_id"] == notice.proof_id and "Alice Durand" in " ".join(receipt["recipient"])
    assert "Sans paiement, vos garanties seront suspendues le 15 décembre 2026" in words(
        Notification.objects.filter(customer=alice).latest("id").body)
    assert any("suspendues le 15 décembre 2026" in words(m.body)
               for m in OutboxMessage.objects.filter(customer=alice, channel="sms"))

    # The customer sees what happens and what to do.
    html = words(logged_in_client(alice).get("/paiements/").content.decode())
    assert ("Votre cotisation de 52,40 € due le 5 novembre 2026 est impayée. Sans paiement, vos garanties seront "
            "suspendues le 15 décembre 2026.") in html
    assert f'href="/paiements/payer/{item.pk}/">Payer maintenant' in html

    assert run("2026-12-14 09:00:00")["suspensions"] == 0
    assert run("2026-12-15 09:00:00")["suspensions"] == 1
    contract.refresh_from_db()
    assert contract.status == "suspended" and contract.get_status_display() == "Garanties suspendues"
    assert ContractEvent.objects.filter(contract=contract, to_status="suspended").count() == 1
    suspension = BillingNotice.objects.get(kind="suspension")
    assert "sont suspendues depuis le 15 décembre 2026" in pdf_words(suspension.document)
    with freeze_time("2026-12-16 09:00:00"):
        page = words(logged_in_client(alice).get("/tableau-de-bord/").content.decode())
    assert "Garanties suspendues depuis le 15 décembre 2026" in page and "Payer maintenant" in page

    # Paid on 20 December at 15:00: the cover resumes on 21 December at noon, not before.
    with freeze_time("2026-12-20 14:00:00"):
        from django.utils import timezone
        ScheduleItem.objects.filter(pk=item.pk).update(status="paid", paid_at=timezone.now())
        page = words(logged_in_client(alice).get("/paiements/").content.decode())
    assert "reprendront le 21 décembre 2026 à midi" in page
    assert run("2026-12-21 10:59:00")["resumptions"] == 0  # 11:59 in Paris
    contract.refresh_from_db()
    assert contract.status == "suspended"
    assert run("2026-12-21 11:00:00")["resumptions"] == 1  # 12:00 in Paris
    contract.refresh_from_db()
    assert contract.status == "active"
    resumption = BillingNotice.objects.get(kind="resumption")
    assert "ont repris effet le 21 décembre 2026 à midi" in pdf_words(resumption.document)
    assert run("2026-12-21 12:00:00") == {k: 0 for k in counts}  # nothing left to do
    assert list(AuditLog.objects.filter(action__startswith="billing.").exclude(action="billing.reminder_sent")
                .values_list("action", flat=True).order_by("id")) == [
        "billing.formal_notice_written", "billing.formal_notice_sent", "billing.cover_suspended",
        "billing.cover_resumed"]


def test_paid_before_the_suspension_date_nothing_is_suspended(unpaid):
    contract, item = unpaid
    run("2026-11-15 09:00:00")
    ScheduleItem.objects.filter(pk=item.pk).update(status="paid")
    assert run("2026-12-16 09:00:00")["suspensions"] == 0
    contract.refresh_from_db()
    assert contract.status == "active"


def test_every_step_once_when_the_worker_runs_twice_each_hour(unpaid, alice):
    """Each day of the timeline run twice: one notice, one letter, one suspension, one of each document."""
    contract, item = unpaid
    for day in ["2026-10-29", "2026-11-15", "2026-12-15"]:
        run(f"{day} 09:00:00")
        run(f"{day} 09:00:01")
    assert BillingNotice.objects.filter(kind="formal_notice").count() == 1
    assert BillingNotice.objects.filter(kind="suspension").count() == 1
    assert Document.objects.filter(customer=alice).count() == 2
    assert ContractEvent.objects.filter(contract=contract, to_status="suspended").count() == 1
    assert OutboxMessage.objects.filter(customer=alice, channel="sms", body__contains="Sans paiement").count() == 1


def test_two_workers_reading_before_either_writes_send_one_notice(unpaid, alice, monkeypatch, settings):
    """Two workers see the same unpaid premium (stale read): the unique key lets one write the notice; the
    other's stored PDF is removed; the letter is sent once (conditional update on the attempts)."""
    contract, item = unpaid
    monkeypatch.setattr(dunning, "_done", lambda key: False)  # as if both read before either wrote
    with freeze_time("2026-11-15 09:00:00"):
        items = list(dunning.unpaid_premiums())
        monkeypatch.setattr(dunning, "unpaid_premiums", lambda: _Stale(items))
        assert dunning.formal_notices_prepare() == 1
        assert dunning.formal_notices_prepare() == 0
        notice = BillingNotice.objects.get(kind="formal_notice")
        stale = BillingNotice.objects.get(pk=notice.pk)  # the second worker's copy, read before the sending
        assert dunning.formal_notice_dispatch(notice_id=notice.pk) is True
        assert dunning.formal_notice_dispatch(notice_id=stale.pk) is False
    assert Document.objects.filter(customer=alice).count() == 1
    stored = [p for p in settings.MEDIA_ROOT.rglob("*.pdf") if "registered-mail" not in p.parts]
    assert len(stored) == 1  # the losing worker's PDF is removed
    assert Notification.objects.filter(customer=alice, title__contains="Mise en demeure").count() == 1


class _Stale(list):
    """A queryset stand-in that always yields the same rows (what a worker read before the other wrote)."""

    def filter(self, *args, **kwargs):
        return self

    exclude = select_related = filter


def test_suspension_claimed_once_by_two_workers(unpaid, monkeypatch):
    contract, item = unpaid
    run("2026-11-15 09:00:00")
    with freeze_time("2026-12-15 09:00:00"):
        assert dunning.suspensions_apply() == 1
        contract.refresh_from_db()
        Contract.objects.filter(pk=contract.pk).update(status="active")  # a stale second worker
        assert dunning.suspensions_apply() == 0  # the step's key is taken: no second transition
    assert ContractEvent.objects.filter(contract=contract, to_status="suspended").count() == 1


def test_termination_is_a_staff_decision_from_ten_days_after_the_suspension(unpaid, alice):
    """L113-3 al. 3: not before notice + 40 days; the worker does not terminate unless configured to."""
    contract, item = unpaid
    later = ScheduleItem.objects.create(customer=alice, contract=contract, due_date=dt.date(2027, 1, 5),
                                        amount=Decimal("52.40"), method="transfer")
    run("2026-11-15 09:00:00")
    run("2026-12-15 09:00:00")
    assert run("2026-12-26 09:00:00")["terminations"] == 0
    contract.refresh_from_db()
    with freeze_time("2026-12-24 09:00:00"), pytest.raises(dunning.DunningError) as refused:
        dunning.dunning_terminate(contract=contract)
    assert str(refused.value) == "La résiliation pour non-paiement est possible à partir du 25 décembre 2026."
    with freeze_time("2026-12-26 09:00:00"):
        assert dunning.dunning_terminate(contract=contract) is True
    contract.refresh_from_db()
    assert contract.status == "terminated" and contract.end_date == dt.date(2026, 12, 26)
    later.refresh_from_db()
    item.refresh_from_db()
    assert (later.status, item.status) == ("cancelled", "upcoming")  # after the end: not owed; before: still due
    assert "votre contrat n° " + contract.number in pdf_words(BillingNotice.objects.get(kind="termination").document)


def test_worker_terminates_when_configured(unpaid, settings):
    settings.ABRI_DUNNING_AUTO_TERMINATE = True
    contract, item = unpaid
    run("2026-11-15 09:00:00")
    run("2026-12-15 09:00:00")
    assert run("2026-12-24 09:00:00")["terminations"] == 0
    assert run("2026-12-25 09:00:00")["terminations"] == 1
    contract.refresh_from_db()
    assert contract.status == "terminated"


def test_registered_mail_failure_is_retried_and_the_clock_runs_from_the_real_sending(unpaid, settings):
    """L113-3: the 30 days run from the day the letter was really sent, not the day it was written."""
    contract, item = unpaid
    settings.ABRI_REGISTERED_MAIL_BACKEND = "abri.dunning.registered_mail.HttpRegisteredMail"
    settings.ABRI_REGISTERED_MAIL_URL = ""  # not configured: refused without any network
    assert run("2026-11-15 09:00:00")["formal_notices_sent"] == 0
    notice = BillingNotice.objects.get(kind="formal_notice")
    assert notice.sent_on is None and "ABRI_REGISTERED_MAIL_URL" in notice.last_error
    settings.ABRI_REGISTERED_MAIL_BACKEND = "abri.dunning.registered_mail.OutboxRegisteredMail"
    assert run("2026-11-17 09:00:00")["formal_notices_sent"] == 1
    notice.refresh_from_db()
    assert notice.sent_on == dt.date(2026, 11, 17)
    assert run("2026-12-16 09:00:00")["suspensions"] == 0
    assert run("2026-12-17 09:00:00")["suspensions"] == 1


def test_bob_never_sees_alices_unpaid_premium(unpaid, bob):
    run("2026-11-15 09:00:00")
    with freeze_time("2026-11-20 09:00:00"):
        html = logged_in_client(bob).get("/paiements/").content.decode()
    assert "52,40" not in html and "impayée" not in html


# --- Renewal notice (L113-15-1) ----------------------------------------------------------------------------------
@pytest.fixture
def renewing(alice, urls_loaded):
    with freeze_time("2026-10-01 09:00:00"):
        return make_contract(customer=alice, main_due_date=dt.date(2027, 4, 1), start_date=dt.date(2024, 4, 1),
                             annual_premium=Decimal("240.00"), payment_frequency="annual")


def test_renewal_notice_sent_in_time_with_the_deadline_in_words(renewing, alice):
    """L113-15-1: due 1 April 2027, deadline to refuse 1 March, sent from 15 January (latest 14 February)."""
    assert run("2027-01-14 09:00:00")["renewal_notices"] == 0
    assert run("2027-01-15 09:00:00")["renewal_notices"] == 1
    assert run("2027-01-15 10:00:00")["renewal_notices"] == 0
    notice = BillingNotice.objects.get(kind="renewal_notice")
    assert notice.document.kind == "due_notice"
    letter = pdf_words(notice.document)
    assert "sera reconduit le 1er avril 2027 pour un an, jusqu'au 31 mars 2028" in letter
    assert "jusqu'au 1er mars 2027 inclus" in letter and "240,00 €" in letter
    assert "€" in letter and "L113-15-1" in letter
    assert ContractRenewal.objects.get(contract=renewing, due_date=dt.date(2027, 4, 1)).notice_sent_on == \
        dt.date(2027, 1, 15)
    assert "Avis d'échéance" in _titles(alice)[0]
    from abri.contracts.services import termination_options
    with freeze_time("2027-02-01 09:00:00"):
        bases = termination_options(contract=renewing, reason="due_date")
    assert "chatel" not in {b["code"] for b in bases}


def test_late_renewal_notice_states_the_20_days_and_opens_the_chatel_basis(alice, urls_loaded):
    """L113-15-1: a notice sent on 20 February for a 1 April due date is late: 20 days, until 12 March."""
    with freeze_time("2027-02-20 09:00:00"):
        contract = make_contract(customer=alice, main_due_date=dt.date(2027, 4, 1), start_date=dt.date(2026, 4, 1))
    assert run("2027-02-20 09:00:00")["renewal_notices"] == 1
    letter = pdf_words(BillingNotice.objects.get(kind="renewal_notice").document)
    assert "vingt jours à compter de son envoi, soit jusqu'au 12 mars 2027 inclus" in letter
    from abri.contracts.services import termination_options
    with freeze_time("2027-03-01 09:00:00"):
        bases = termination_options(contract=contract, reason="due_date")
    assert "chatel" in {b["code"] for b in bases}


def test_two_workers_send_one_renewal_notice(renewing, alice, monkeypatch, settings):
    monkeypatch.setattr(dunning, "_done", lambda key: False)  # both read « not sent yet »
    with freeze_time("2027-01-20 09:00:00"):
        assert dunning.renewal_notice_send(contract=renewing) is True
        assert dunning.renewal_notice_send(contract=renewing) is False
    assert Document.objects.filter(customer=alice, kind="due_notice").count() == 1
    assert len(list(settings.MEDIA_ROOT.rglob("*.pdf"))) == 1
    assert Notification.objects.filter(customer=alice).count() == 1


def test_a_second_worker_sending_while_the_first_waits_on_the_provider_notifies_once(unpaid, alice, monkeypatch):
    """Worker A hands the letter to a slow provider; worker B claims the next attempt and sends it too (same
    idempotency key: the provider gives the same proof). Only the first to mark it sent notifies and audits."""
    from abri.dunning.registered_mail import OutboxRegisteredMail

    run("2026-11-10 09:00:00")
    with freeze_time("2026-11-15 09:00:00"):
        assert dunning.formal_notices_prepare() == 1
        notice = BillingNotice.objects.get(kind="formal_notice")
        real_send = OutboxRegisteredMail.send
        nested, calls = [], []

        def slow_send(adapter, letter):
            calls.append(letter.idempotency_key)
            proof = real_send(adapter, letter)
            if len(calls) == 1:  # while A waits, B runs a whole dispatch
                nested.append(dunning.formal_notice_dispatch(notice_id=notice.pk))
            return proof

        monkeypatch.setattr(OutboxRegisteredMail, "send", slow_send)
        assert dunning.formal_notice_dispatch(notice_id=notice.pk) is False  # A: B marked it first
    assert nested == [True] and len(calls) == 2
    assert Notification.objects.filter(customer=alice, title__contains="Mise en demeure").count() == 1
    assert AuditLog.objects.filter(action="billing.formal_notice_sent").count() == 1


def test_advisor_terminates_for_non_payment_from_the_back_office(unpaid, alice):
    """L113-3 al. 3 as a staff decision: refused before notice + 40 days with the date in words, then done,
    audited with the advisor; a claims handler cannot."""
    from abri.accounts.roles import ensure_staff_groups
    from tests.backoffice.conftest import make_staff, staff_client

    contract, item = unpaid
    run("2026-11-15 09:00:00")
    run("2026-12-15 09:00:00")
    groups = ensure_staff_groups()
    advisor = make_staff(groups, "advisor")
    url = f"/backoffice/contrats/{contract.number}/resilier-impaye/"
    with freeze_time("2026-12-20 09:00:00"):
        client = staff_client(advisor)
        page = words(client.get(f"/backoffice/contrats/{contract.number}/").content.decode())
        assert "Résiliation pour non-paiement possible à partir du 25 décembre 2026" in page
        assert staff_client(make_staff(groups, "claims_handler")).post(url).status_code == 403
        refused = words(client.post(url, follow=True).content.decode())
        assert "La résiliation pour non-paiement est possible à partir du 25 décembre 2026." in refused
    contract.refresh_from_db()
    assert contract.status == "suspended"
    with freeze_time("2026-12-26 09:00:00"):
        assert staff_client(advisor).post(url).status_code == 302
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert AuditLog.objects.filter(action="billing.terminated_for_non_payment", actor=advisor).count() == 1
    assert Notification.objects.filter(customer=alice, title__contains="résilié pour non-paiement").count() == 1


def test_the_worker_runs_the_dunning_steps_hourly(unpaid, monkeypatch):
    from abri.portal.management.commands import worker

    monkeypatch.setattr(worker, "_last_hourly", [])
    with freeze_time("2026-11-15 09:00:00"):
        worker.heartbeat_once("test-worker")
    notice = BillingNotice.objects.get(kind="formal_notice")
    assert notice.sent_on == dt.date(2026, 11, 15)


def test_pages_query_count_does_not_grow_with_unpaid_premiums(unpaid, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contract, item = unpaid

    def count(url):
        with freeze_time("2026-12-01 09:00:00"), CaptureQueriesContext(connection) as ctx:
            assert logged_in_client(alice).get(url).status_code == 200
        return len(ctx.captured_queries)

    run("2026-11-15 09:00:00")
    small = (count("/paiements/"), count("/tableau-de-bord/"))
    for day in range(6, 14):
        ScheduleItem.objects.create(customer=alice, contract=contract, due_date=dt.date(2026, 10, day),
                                    amount=Decimal("52.40"), method="transfer")
    run("2026-11-24 09:00:00")
    assert BillingNotice.objects.filter(kind="formal_notice").count() == 9
    assert (count("/paiements/"), count("/tableau-de-bord/")) == small


def test_the_renewal_notice_is_filed_through_the_vaults_front_door_indexed_and_audited(
        renewing, alice, django_capture_on_commit_callbacks):
    with freeze_time("2027-01-20 09:00:00"), django_capture_on_commit_callbacks(execute=True):
        assert dunning.renewal_notice_send(contract=renewing) is True
    document = Document.objects.get(customer=alice, kind="due_notice")
    assert document.contract == renewing and document.property == renewing.property
    annual = AuditLog.objects.get(action="billing.renewal_notice_sent").data["annual"]
    assert document.amount == Decimal(annual) and document.size_bytes > 0
    filed = AuditLog.objects.get(action="document.filed", target_id=str(document.pk))
    assert filed.actor_label == "system" and filed.data["kind"] == "due_notice"
    # indexed from the letter's own text (the vault's extraction), not only its title
    assert "date limit refus reconduction" in document.search_text


def test_a_step_failing_after_its_letter_was_filed_leaves_no_document_and_no_file(renewing, alice, monkeypatch,
                                                                                   settings):
    def broken(**kwargs):
        raise RuntimeError("the notification service is down")

    monkeypatch.setattr(dunning, "notification_create", broken)
    with freeze_time("2027-01-20 09:00:00"), pytest.raises(RuntimeError):
        dunning.renewal_notice_send(contract=renewing)
    assert not Document.objects.exists() and not BillingNotice.objects.exists()
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf"))  # the file stored with the rolled-back row is removed
    monkeypatch.undo()
    with freeze_time("2027-01-20 10:00:00"):
        assert dunning.renewal_notice_send(contract=renewing) is True  # the next run does the step
    assert len(list(settings.MEDIA_ROOT.rglob("*.pdf"))) == 1
