"""A camt.053 statement reconciled by RF reference and amount (bank_statement_import): exact, partial, over,
unknown, a 3-decimal amount, imported twice; and the back-office queue of what could not be reconciled."""

import datetime as dt
import html as htmllib
from decimal import Decimal

import pytest
from django.core.management import call_command

from abri.accounts.roles import ensure_staff_groups
from abri.billing.models import BankTransaction, ScheduleItem
from abri.billing.services import creditor_reference
from abri.notifications.models import Notification
from tests.backoffice.conftest import make_staff, staff_client
from tests.billing.conftest import add_item
from tests.billing.sepa_helpers import bank_file


@pytest.fixture
def staff_groups(db):
    return ensure_staff_groups()


@pytest.fixture
def statement(tmp_path, alice_contract, frozen):
    c = alice_contract
    items = {
        "exact": add_item(c, dt.date(2026, 6, 10), "45.00", method="transfer"),
        "partial": add_item(c, dt.date(2026, 7, 15), "45.00", method="transfer"),
        "over": add_item(c, dt.date(2026, 8, 15), "45.00", method="transfer"),
    }
    rf = {key: creditor_reference(item=item) for key, item in items.items()}
    spaced = " ".join(rf["partial"][i:i + 4] for i in range(0, len(rf["partial"]), 4))  # as typed in a bank app
    path = tmp_path / "camt053.xml"
    path.write_bytes(bank_file("camt053_statement.xml", rf_exact=rf["exact"], rf_partial_spaced=spaced,
                               rf_over=rf["over"]))
    return path, items


@pytest.mark.django_db
def test_a_statement_is_reconciled_exact_partial_over_unknown_and_invalid(statement, alice, alice_client, capsys):
    path, items = statement
    call_command("bank_statement_import", str(path))
    out = capsys.readouterr().out
    for line in ("Rapproché : payé : 1", "Rapproché : paiement partiel : 1", "Rapproché : trop-perçu : 1",
                 "À traiter : référence inconnue : 1", "À traiter : montant invalide : 1"):
        assert line in out
    for item in items.values():
        item.refresh_from_db()
    assert items["exact"].status == "paid" and items["exact"].paid_at.date() == dt.date(2026, 6, 15)
    assert items["partial"].status == "upcoming" and items["partial"].amount_received == Decimal("20.00")
    assert items["over"].status == "paid"
    credit = ScheduleItem.objects.get(customer=alice, kind="regularisation")
    assert credit.amount == Decimal("-15.00") and credit.status == "upcoming"
    invalid = BankTransaction.objects.get(entry_reference="E-0005")
    assert invalid.status == "invalid" and "plus de deux décimales" in invalid.remittance
    assert not BankTransaction.objects.filter(entry_reference__in=["E-0006", "E-0007"]).exists()  # debit, pending
    page = htmllib.unescape(alice_client.get("/paiements/").content.decode())
    assert "Partiellement payé — reste 25,00\u00a0€" in page
    assert "Trop-perçu sur votre virement du 15 juin 2026" in page
    pay = htmllib.unescape(alice_client.get(f"/paiements/payer/{items['partial'].pk}/").content.decode())
    assert "Vous avez déjà versé 20,00\u00a0€ : il reste 25,00\u00a0€ à régler." in pay
    titles = sorted(Notification.objects.filter(customer=alice).values_list("title", flat=True))
    assert titles == ["Virement reçu", "Virement reçu", "Virement reçu : paiement partiel"]


@pytest.mark.django_db
def test_the_same_statement_imported_twice_credits_nothing_twice(statement, alice, capsys):
    path, items = statement
    call_command("bank_statement_import", str(path))
    call_command("bank_statement_import", str(path))
    assert "Déjà importé(s), ignoré(s) : 5" in capsys.readouterr().out
    assert BankTransaction.objects.count() == 5
    items["partial"].refresh_from_db()
    assert items["partial"].amount_received == Decimal("20.00") and items["partial"].status == "upcoming"
    assert ScheduleItem.objects.filter(customer=alice, kind="regularisation").count() == 1
    assert Notification.objects.filter(customer=alice).count() == 3


@pytest.mark.django_db
def test_the_rest_of_a_partial_payment_completes_it(tmp_path, statement):
    path, items = statement
    call_command("bank_statement_import", str(path))
    rest = tmp_path / "rest.xml"
    rest.write_bytes(bank_file("camt053_statement.xml", rf_exact="NONE", rf_over="NONE",
                               rf_partial_spaced=creditor_reference(item=items["partial"]))
                     .replace(b"E-000", b"F-000").replace(b"<Amt Ccy=\"EUR\">20.00", b"<Amt Ccy=\"EUR\">25.00"))
    call_command("bank_statement_import", str(rest))
    items["partial"].refresh_from_db()
    assert items["partial"].status == "paid" and items["partial"].amount_received == Decimal("45.00")


@pytest.mark.django_db
def test_a_forged_or_other_customers_reference_is_not_credited(tmp_path, bob_contract, statement):
    _path, items = statement
    bob_item = add_item(bob_contract, dt.date(2026, 7, 1), "45.00", method="transfer")
    forged = creditor_reference(item=bob_item).replace(bob_item.customer.customer_number,
                                                       items["exact"].customer.customer_number)
    path = tmp_path / "forged.xml"
    path.write_bytes(bank_file("camt053_statement.xml", rf_exact=forged, rf_over="RF00", rf_partial_spaced=""))
    call_command("bank_statement_import", str(path))
    assert BankTransaction.objects.get(entry_reference="E-0001").status == "unmatched"
    bob_item.refresh_from_db()
    items["exact"].refresh_from_db()
    assert bob_item.status == "upcoming" and items["exact"].status == "upcoming"


@pytest.mark.django_db
def test_the_unmatched_queue_is_visible_in_the_back_office_and_can_be_emptied(statement, staff_groups):
    path, _items = statement
    call_command("bank_statement_import", str(path))
    advisor = make_staff(staff_groups, "advisor")
    page = htmllib.unescape(staff_client(advisor).get("/backoffice/paiements/virements-a-traiter/").content.decode())
    assert "2 virements à traiter" in page and "JEAN INCONNU" in page and "33,33\u00a0€" in page
    assert "12.345" in page and "plus de deux décimales" in page
    assert staff_client(advisor).post(  # advisors see the queue; only who may change it takes a line out
        f"/backoffice/paiements/virements-a-traiter/{BankTransaction.objects.get(entry_reference='E-0004').pk}/traite/"
    ).status_code == 403
    admin = make_staff(staff_groups, "administrator")
    row = BankTransaction.objects.get(entry_reference="E-0004")
    client = staff_client(admin)
    assert client.post(f"/backoffice/paiements/virements-a-traiter/{row.pk}/traite/").status_code == 302
    page = htmllib.unescape(client.get("/backoffice/paiements/virements-a-traiter/").content.decode())
    assert "1 virement à traiter" in page and "JEAN INCONNU" not in page


@pytest.mark.django_db
def test_a_statement_with_an_external_entity_reads_nothing_from_the_server(tmp_path):
    """A bank file is untrusted input: no entity is resolved (no file read, no network)."""
    path = tmp_path / "xxe.xml"
    path.write_bytes(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
                     b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><Stmt>'
                     b"<Id>S</Id><Ntry><NtryRef>X-1</NtryRef><Amt Ccy='EUR'>10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                     b"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-06-15</Dt></BookgDt><NtryDtls><TxDtls><RmtInf>"
                     b"<Ustrd>&x;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>")
    call_command("bank_statement_import", str(path))
    row = BankTransaction.objects.get(entry_reference="X-1")
    assert row.status == "unmatched"
    assert row.remittance == ""
