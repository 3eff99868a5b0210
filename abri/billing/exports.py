"""The payment history in the formats of the customer's own accounts: CSV, OFX, QIF, iCalendar.

Pure functions of a list of PaymentEntry (abri.billing.selectors.payment_history): the page and the API
export exactly the same lines.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.billing.choices import HistoryStatus
from abri.core.money import euros, format_eur

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ofx": "application/x-ofx",
    "qif": "application/qif",
    "ics": "text/calendar; charset=utf-8",
}
FORMATS = tuple(CONTENT_TYPES)


def french_amount(value: Decimal) -> str:
    """« -1 234,56 »: French decimals and grouped thousands, so Excel and LibreOffice in French read a number."""
    amount = euros(value)
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{'-' if amount < 0 else ''}{' '.join(groups)},{cents}"


def to_csv(entries) -> bytes:
    """UTF-8 with a BOM (Excel detects the encoding), semicolons (the French list separator), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Date"), _("Échéance"), _("Contrat"), _("Type"), _("Libellé"), _("Montant (€)"), _("Statut"),
                     _("Moyen"), _("Référence"), _("Solde (€)")])
    for e in entries:
        writer.writerow([f"{e.date:%d/%m/%Y}", f"{e.due_date:%d/%m/%Y}", e.contract_number, e.kind_label, e.label,
                         french_amount(e.amount), e.status_label, e.method_label, e.reference,
                         "" if e.balance is None else french_amount(e.balance)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _ofx_text(value: str, limit: int) -> str:
    return escape(value[:limit])


def to_ofx(entries, *, customer) -> bytes:
    """An OFX 2.2 bank statement of the settled lines (GnuCash, HomeBank, ofxtools): one account per customer."""
    settled = sorted((e for e in entries if e.settled and e.balance_effect), key=lambda e: (e.date, e.uid))
    now = timezone.now().astimezone(UTC)
    stamp = f"{now:%Y%m%d%H%M%S}.000[0:UTC]"
    start = settled[0].date if settled else timezone.localdate()
    end = settled[-1].date if settled else timezone.localdate()
    balance = sum((e.balance_effect for e in settled), Decimal("0.00"))
    transactions = "".join(
        "<STMTTRN>"
        f"<TRNTYPE>{'CREDIT' if e.balance_effect > 0 else 'DEBIT'}</TRNTYPE>"
        f"<DTPOSTED>{e.date:%Y%m%d}120000.000[0:UTC]</DTPOSTED>"
        f"<TRNAMT>{euros(e.balance_effect):.2f}</TRNAMT>"
        f"<FITID>{_ofx_text(e.uid, 255)}</FITID>"
        f"<NAME>{_ofx_text(e.kind_label + ' ' + e.contract_number, 32)}</NAME>"
        f"<MEMO>{_ofx_text(e.label + (' — ' + e.reference if e.reference else ''), 255)}</MEMO>"
        "</STMTTRN>"
        for e in settled
    )
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
        f"<DTSERVER>{stamp}</DTSERVER><LANGUAGE>FRA</LANGUAGE></SONRS></SIGNONMSGSRSV1>"
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>0</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>"
        "<STMTRS><CURDEF>EUR</CURDEF>"
        f"<BANKACCTFROM><BANKID>ABRI</BANKID><ACCTID>ABRI-{_ofx_text(customer.customer_number, 20)}</ACCTID>"
        "<ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>"
        f"<BANKTRANLIST><DTSTART>{start:%Y%m%d}000000.000[0:UTC]</DTSTART>"
        f"<DTEND>{end:%Y%m%d}235959.000[0:UTC]</DTEND>{transactions}</BANKTRANLIST>"
        f"<LEDGERBAL><BALAMT>{euros(balance):.2f}</BALAMT><DTASOF>{stamp}</DTASOF></LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    return body.encode("utf-8")


def _qif_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def to_qif(entries) -> bytes:
    """QIF (Quicken Interchange Format) of the settled lines; dates DD/MM/YYYY, as GnuCash asks for French files."""
    lines = ["!Type:Bank"]
    for e in sorted((e for e in entries if e.settled and e.balance_effect), key=lambda e: (e.date, e.uid)):
        lines += [f"D{e.date:%d/%m/%Y}", f"T{euros(e.balance_effect):.2f}", f"P{_qif_line(e.kind_label)}",
                  f"M{_qif_line(e.label)} ({e.contract_number})"]
        if e.reference:
            lines.append(f"N{_qif_line(e.reference)}")
        lines += ["CX", "^"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def upcoming_entries(entries):
    """The lines still to come (due dates of premiums and expected refunds), soonest first."""
    today = timezone.localdate()
    return sorted((e for e in entries if e.status == HistoryStatus.UPCOMING and e.due_date >= today),
                  key=lambda e: (e.due_date, e.uid))


def to_ics(entries) -> bytes:
    """An iCalendar feed: one all-day VEVENT per upcoming due date (a calendar app subscribes to it)."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Abri//Echeances//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _("%(insurer)s — échéances") % {"insurer": settings.ABRI_INSURER_NAME})
    now = datetime.now(UTC)
    for e in upcoming_entries(entries):
        event = Event()
        event.add("uid", f"{e.uid}@abri")
        event.add("dtstamp", now)
        event.add("dtstart", e.due_date)
        event.add("dtend", e.due_date + timedelta(days=1))
        what = _("Remboursement attendu") if e.amount > 0 else _("Échéance")
        event.add("summary", _("%(what)s %(amount)s — contrat %(number)s") % {
            "what": what, "amount": format_eur(abs(e.amount)), "number": e.contract_number})
        event.add("description", _("%(label)s. %(method)s. Référence %(reference)s") % {
            "label": e.label, "method": e.method_label, "reference": e.reference})
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def export(entries, *, fmt: str, customer) -> tuple[bytes, str, str]:
    """(content, content type, file name) for one of FORMATS."""
    day = f"{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        content = to_csv(entries)
    elif fmt == "ofx":
        content = to_ofx(entries, customer=customer)
    elif fmt == "qif":
        content = to_qif(entries)
    elif fmt == "ics":
        content = to_ics(entries)
    else:
        raise ValueError(fmt)
    return content, CONTENT_TYPES[fmt], f"paiements-abri-{day}.{fmt}"
