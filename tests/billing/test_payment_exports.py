"""Exports for the customer's own accounts: CSV (Excel/LibreOffice), OFX (ofxtools), QIF, iCalendar; owner only."""

import csv
import io
from decimal import Decimal

import pytest
from icalendar import Calendar
from ofxtools.Parser import OFXTree


def _download(client, fmt, query=""):
    response = client.get(f"/paiements/export.{fmt}{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


@pytest.mark.django_db
def test_csv_has_a_bom_semicolons_and_french_decimals_read_back_by_the_csv_module(alice_client, history):
    content = _download(alice_client, "csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Date", "Échéance", "Contrat", "Type", "Libellé", "Montant (€)"]
    by_amount = {row[5]: row for row in rows[1:]}
    assert by_amount["-1 234,56"][0] == "15/01/2025"
    assert by_amount["-1 234,56"][6] == "Payé"
    assert by_amount["-1 234,56"][9] == "-1 234,56"  # first settled line: balance = amount
    assert by_amount["300,00"][3] == "Indemnité de sinistre"
    assert by_amount["8,00"][6] == "Remboursé"
    assert len(rows) == 1 + 10


@pytest.mark.django_db
def test_csv_export_keeps_the_pages_filters(alice_client, history):
    rows = list(csv.reader(io.StringIO(_download(alice_client, "csv", "?year=2025").decode("utf-8-sig")), delimiter=";"))
    assert [row[5] for row in rows[1:]] == ["-1 234,56"]


@pytest.mark.django_db
def test_ofx_is_parsed_by_ofxtools_with_the_settled_lines_and_balance(alice_client, history):
    tree = OFXTree()
    tree.parse(io.BytesIO(_download(alice_client, "ofx")))
    ofx = tree.convert()
    statement = ofx.statements[0]
    assert statement.curdef == "EUR"
    amounts = sorted(t.trnamt for t in statement.transactions)
    assert amounts == sorted(Decimal(a) for a in ["-1234.56", "-529.35", "300.00", "-12.30", "8.00"])
    assert statement.balance.balamt == Decimal("-1468.21")
    assert len({t.fitid for t in statement.transactions}) == 5
    assert any(t.trntype == "CREDIT" and t.trnamt == Decimal("300.00") for t in statement.transactions)


@pytest.mark.django_db
def test_qif_has_one_record_per_settled_line(alice_client, history):
    text = _download(alice_client, "qif").decode()
    assert text.startswith("!Type:Bank\n")
    records = [r for r in text.split("^\n") if r.strip()]
    assert len(records) == 5
    assert "D15/01/2025\nT-1234.56\nPCotisation\n" in text
    assert "T300.00\nPIndemnité de sinistre\n" in text


@pytest.mark.django_db
def test_ics_has_one_vevent_per_upcoming_due_date(alice_client, history):
    calendar = Calendar.from_ical(_download(alice_client, "ics"))
    events = list(calendar.walk("VEVENT"))
    assert [str(e.decoded("dtstart")) for e in events] == ["2026-07-15", "2026-08-15"]
    assert "45,00" in str(events[0]["summary"]) and history["next"].contract.number in str(events[0]["summary"])
    assert len({str(e["uid"]) for e in events}) == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "ofx", "qif", "ics"])
def test_bob_never_exports_alices_payments(bob_client, history, fmt):
    content = _download(bob_client, fmt, f"?contract={history['next'].contract.number}").decode("utf-8-sig")
    assert "529" not in content and "1234" not in content and "1 234" not in content
    assert history["next"].contract.number not in content


@pytest.mark.django_db
def test_unknown_export_format_is_a_404(alice_client, history):
    assert alice_client.get("/paiements/export.xlsx").status_code == 404


@pytest.mark.django_db
def test_exports_need_a_login(client, history):
    response = client.get("/paiements/export.csv")
    assert response.status_code == 302 and "/connexion/" in response["Location"]
