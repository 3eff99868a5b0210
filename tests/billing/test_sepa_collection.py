"""The pain.008 collection file (sepa_collection), FRST then RCUR, one run per due date, and the returned
debits imported from pain.002 and camt.054 (sepa_returns_import), each once."""

import datetime as dt
import html as htmllib
from pathlib import Path

import pytest
from django.core.management import call_command
from freezegun import freeze_time
from lxml import etree

from abri.billing.models import Collection, CollectionRun, ScheduleItem, SepaMandate
from abri.billing.sepa import SCHEMA_DIR, SepaError, xsd_validate
from abri.notifications.models import Notification
from tests.billing.conftest import add_item
from tests.billing.sepa_helpers import ALICE_IBAN, BOB_IBAN, bank_file, make_mandate

NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08"}


def _collect(tmp_path, day: dt.date) -> etree._Element:
    out = tmp_path / f"pain008-{day}.xml"
    call_command("sepa_collection", "--due", day.isoformat(), "--out", str(out))
    return etree.fromstring(out.read_bytes())


def _sequences(root) -> dict[str, str]:
    """End-to-end id → sequence type, read from the file."""
    found = {}
    for block in root.iterfind(".//p:PmtInf", NS):
        sequence = block.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS)
        for tx in block.iterfind("p:DrctDbtTxInf", NS):
            found[tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS)] = sequence
    return found


@pytest.fixture
def debits(alice, bob, alice_contract, bob_contract):
    make_mandate(alice, signed=dt.date(2026, 5, 1))
    make_mandate(bob, iban=BOB_IBAN, signed=dt.date(2026, 5, 1))
    return {
        "alice_july": add_item(alice_contract, dt.date(2026, 7, 5), "45.00"),
        "bob_july": add_item(bob_contract, dt.date(2026, 7, 5), "77.77"),
        "alice_transfer": add_item(alice_contract, dt.date(2026, 7, 5), "10.00", method="transfer"),
        "alice_august": add_item(alice_contract, dt.date(2026, 8, 5), "45.00"),
    }


@pytest.mark.django_db
def test_the_collection_file_is_valid_against_the_xsd_it_declares_with_frst_then_rcur(tmp_path, debits, frozen):
    root = _collect(tmp_path, dt.date(2026, 7, 5))
    assert etree.QName(root).namespace == NS["p"]
    # Checked here with the XSD shipped by sepaxml, independently of the code that wrote the file.
    schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "pain.008.001.08.xsd")))
    assert schema.validate(root), schema.error_log
    assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) == "122.77"
    assert root.findtext(".//p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == "FR72ZZZ123456"
    july = debits["alice_july"]
    e2e = f"ABRI-20260705-{july.pk}"
    assert _sequences(root) == {e2e: "FRST", f"ABRI-20260705-{debits['bob_july'].pk}": "FRST"}
    tx = root.xpath(f"//p:DrctDbtTxInf[p:PmtId/p:EndToEndId='{e2e}']", namespaces=NS)[0]
    assert tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == ALICE_IBAN
    assert tx.findtext("p:InstdAmt", namespaces=NS) == "45.00"
    bob_tx = root.xpath(f"//p:DrctDbtTxInf[p:PmtId/p:EndToEndId='ABRI-20260705-{debits['bob_july'].pk}']",
                        namespaces=NS)[0]
    assert bob_tx.findtext("p:Dbtr/p:Nm", namespaces=NS) == "Bob Lefevre"  # « Lefèvre » in the SEPA character set
    assert root.findtext(".//p:GrpHdr/p:InitgPty/p:Nm", namespaces=NS) == "Abri Assurances (demo)"
    assert tx.findtext(".//p:MndtId", namespaces=NS) == SepaMandate.objects.get(customer=july.customer).reference
    july.refresh_from_db()
    debits["alice_transfer"].refresh_from_db()
    assert july.status == "paid" and debits["alice_transfer"].status == "upcoming"
    # the next month, the same mandates are recurring
    august = _collect(tmp_path, dt.date(2026, 8, 5))
    assert _sequences(august) == {f"ABRI-20260805-{debits['alice_august'].pk}": "RCUR"}


@pytest.mark.django_db
def test_the_same_due_date_twice_collects_nothing_twice(tmp_path, debits, frozen, capsys):
    first = (tmp_path / "a.xml")
    call_command("sepa_collection", "--due", "2026-07-05", "--out", str(first))
    add_item(debits["alice_july"].contract, dt.date(2026, 7, 5), "5.00")  # added after the run
    second = (tmp_path / "b.xml")
    call_command("sepa_collection", "--due", "2026-07-05", "--out", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert CollectionRun.objects.count() == 1 and Collection.objects.count() == 2
    assert "déjà constituée" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_mandate_signed_less_than_14_days_before_is_not_collected(tmp_path, alice, alice_contract, frozen, capsys):
    make_mandate(alice, signed=dt.date(2026, 6, 25))
    item = add_item(alice_contract, dt.date(2026, 7, 5), "45.00")
    call_command("sepa_collection", "--due", "2026-07-05", "--out", str(tmp_path / "none.xml"))
    assert not (tmp_path / "none.xml").exists() and not CollectionRun.objects.exists()
    item.refresh_from_db()
    assert item.status == "upcoming"
    out = capsys.readouterr().out
    assert "Aucun prélèvement à remettre pour le 05/07/2026" in out
    assert "pré-notification impossible à temps" in out


@pytest.mark.django_db
def test_a_past_due_date_is_refused_in_french(tmp_path, debits, frozen):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="est passé : une banque n'accepte pas"):
        call_command("sepa_collection", "--due", "2026-06-01", "--out", str(tmp_path / "x.xml"))
    with pytest.raises(CommandError, match="Date invalide « 2026-13-01 »"):
        call_command("sepa_collection", "--due", "2026-13-01", "--out", str(tmp_path / "x.xml"))


def test_the_validator_rejects_a_file_that_breaks_the_xsd(tmp_path):
    bad = (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08">'
           b"<CstmrDrctDbtInitn><GrpHdr><MsgId>X</MsgId></GrpHdr></CstmrDrctDbtInitn></Document>")
    with pytest.raises(SepaError, match="pain.008.001.08 XSD"):
        xsd_validate(bad)


def _page(client) -> str:
    return htmllib.unescape(client.get("/paiements/").content.decode())


@pytest.mark.django_db
def test_a_pain002_rejection_imported_twice_rejects_the_debit_once(tmp_path, alice_client, alice, debits, frozen,
                                                                  capsys):
    _collect(tmp_path, dt.date(2026, 7, 5))
    item = debits["alice_july"]
    run = CollectionRun.objects.get()
    report = tmp_path / "pain002.xml"
    report.write_bytes(bank_file("pain002_rejects.xml", msg_id=run.message_id, e2e=f"ABRI-20260705-{item.pk}",
                                 reason="AM04"))
    with freeze_time("2026-07-03 09:00:00"):
        call_command("sepa_returns_import", str(report))
        call_command("sepa_returns_import", str(report))
    out = capsys.readouterr().out
    assert "1 prélèvement(s) rejeté(s) enregistré(s), 0 déjà connu(s)" in out
    assert "0 prélèvement(s) rejeté(s) enregistré(s), 1 déjà connu(s)" in out
    item.refresh_from_db()
    assert item.status == "failed" and item.rejection_reason == "AM04" and item.paid_at is None
    debits["bob_july"].refresh_from_db()
    assert debits["bob_july"].status == "paid"
    notices = Notification.objects.filter(customer=alice)
    assert notices.count() == 1
    notice = notices.get()
    assert notice.title == "Prélèvement rejeté : provision insuffisante"
    assert "45,00\u00a0€ du 5 juillet 2026" in notice.body and notice.url == f"/paiements/payer/{item.pk}/"
    with freeze_time("2026-07-03 09:00:00"):
        page = _page(alice_client)
        assert "Rejeté — provision insuffisante" in page
        assert f"/paiements/payer/{item.pk}/" in page
        assert alice_client.get(f"/paiements/payer/{item.pk}/").status_code == 200
    # the mandate stays (insufficient funds is not a closed account) and the first debit did not go through
    mandate = SepaMandate.objects.get(customer=alice)
    assert mandate.status == "active" and mandate.last_collected_on is None
    august = _collect(tmp_path, dt.date(2026, 8, 5))
    assert _sequences(august) == {f"ABRI-20260805-{debits['alice_august'].pk}": "FRST"}


@pytest.mark.django_db
def test_a_camt054_return_for_a_closed_account_ends_the_mandate(tmp_path, alice_client, alice, debits, frozen):
    _collect(tmp_path, dt.date(2026, 7, 5))
    item = debits["alice_july"]
    notice = tmp_path / "camt054.xml"
    notice.write_bytes(bank_file("camt054_returns.xml", e2e=f"ABRI-20260705-{item.pk}", reason="AC04"))
    call_command("sepa_returns_import", str(notice))
    call_command("sepa_returns_import", str(notice))
    item.refresh_from_db()
    debits["alice_august"].refresh_from_db()
    assert item.status == "failed" and item.rejection_reason == "AC04"
    assert SepaMandate.objects.get(customer=alice).status == "account_closed"
    assert debits["alice_august"].method == "transfer"  # nothing left to collect it
    assert Notification.objects.filter(customer=alice).count() == 1
    assert "Rejeté — compte clôturé" in _page(alice_client)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "words"), [("MD01", "pas de mandat"), ("MS02", "refus du débiteur"),
                                             ("ZZ99", "motif bancaire ZZ99")])
def test_each_return_reason_is_shown_in_french(tmp_path, alice_client, debits, frozen, code, words):
    _collect(tmp_path, dt.date(2026, 7, 5))
    report = tmp_path / "pain002.xml"
    report.write_bytes(bank_file("pain002_rejects.xml", msg_id="X", e2e=f"ABRI-20260705-{debits['alice_july'].pk}",
                                 reason=code))
    call_command("sepa_returns_import", str(report))
    assert f"Rejeté — {words}" in _page(alice_client)


@pytest.mark.django_db
def test_an_unknown_file_is_refused_with_a_clear_message(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "x.xml"
    path.write_bytes(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.052.001.08'/>")
    with pytest.raises(CommandError, match="ni un pain.002 ni un camt.054"):
        call_command("sepa_returns_import", str(path))
    path.write_bytes(b"<not xml")
    with pytest.raises(CommandError, match="pas un XML lisible"):
        call_command("sepa_returns_import", str(path))
    assert not ScheduleItem.objects.exists()
    assert Path(path).exists()
