"""The billing letters as PDFs (the bytes only; services file them): the yearly premium statement (receipt).

Laid out by abri.documents.layout: letterhead, addressee, references, premiums per contract in a table
(amounts in euros, right-aligned) with the year's total.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from abri.core.formats import day as day_in_words
from abri.documents.layout import (
    Heading,
    Letter,
    Table,
    Text,
    insurer,
    recipient_lines,
    references,
    render_letter,
)


def yearly_statement_pdf(*, customer, year: int, rows: list[dict], total: Decimal, title: str) -> bytes:
    """The « attestation annuelle de cotisations »: premiums paid per contract in `year`, refunds deducted."""
    with override("fr"):
        table_rows = []
        for row in rows:
            detail = ngettext("%(count)s échéance payée", "%(count)s échéances payées", row["count"]) % {
                "count": row["count"]}
            table_rows.append([row["contract"], detail, row["paid"], row["refunded"], row["net"]])
        blocks = [
            Text(_("%(insurer)s atteste que %(name)s (client n° %(number)s) a payé, du 1er janvier au 31 décembre "
                   "%(year)s, les cotisations d'assurance suivantes, toutes taxes comprises :") % {
                "insurer": insurer().name, "name": customer.full_name, "number": customer.customer_number,
                "year": year}),
            Heading(_("Cotisations payées en %(year)s") % {"year": year}),
        ]
        if table_rows:
            blocks.append(Table(
                columns=[_("Contrat"), _("Détail"), _("Payé"), _("Remboursé"), _("Net")], rows=table_rows,
                total=[_("Total %(year)s") % {"year": year}, "", sum((r["paid"] for r in rows), Decimal("0.00")),
                       sum((r["refunded"] for r in rows), Decimal("0.00")), total],
                widths=[0.24, 0.25, 0.17, 0.17, 0.17]))
        else:
            blocks.append(Text(_("Aucune cotisation payée sur cette année.")))
        blocks += [
            Text(_("Les cotisations d'assurance sont exonérées de TVA (article 261 C 2° du Code général des impôts) ; "
                   "elles supportent la taxe spéciale sur les conventions d'assurance (articles 991 et suivants du "
                   "CGI), comprise dans les montants ci-dessus."), small=True),
            Text(_("Attestation délivrée pour servir et valoir ce que de droit, notamment pour la déclaration des "
                   "revenus fonciers d'un propriétaire bailleur.")),
        ]
        today = day_in_words(timezone.localdate())
        letter = Letter(
            title=title, subject=_("Attestation annuelle de cotisations"),
            keywords=["attestation", "cotisations", str(year)],
            recipient=recipient_lines(customer),
            references=references(
                (_("Client n°"), customer.customer_number),
                (_("Attestation n°"), f"COT-{year}-{customer.customer_number}"),
                (_("Année"), str(year)), (_("Date"), today),
            ),
            blocks=blocks,
            signature=[_("Le service Cotisations"), _("Établie le %(date)s") % {"date": today}],
        )
        return render_letter(letter)
