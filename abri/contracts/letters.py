"""The contract letters as PDFs (the bytes only; services file them): amendment, termination acknowledgement.

Laid out by abri.documents.layout: letterhead, addressee, references, tables of guarantees and amounts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.contracts.choices import PaymentFrequency
from abri.contracts.rules import refund_due_by
from abri.contracts.templatetags.contract_labels import formula_label, option_labels
from abri.core.formats import day as day_in_words
from abri.documents.layout import (
    Bullets,
    Heading,
    Letter,
    Notice,
    Table,
    Text,
    money,
    recipient_lines,
    references,
    render_letter,
)


def _day(value: date) -> str:
    return day_in_words(value)


def _amount(value) -> Decimal:
    return Decimal(str(value or 0))


def _guarantee_rows(contract) -> list[list]:
    """Each guarantee of the contract with its ceiling and deductible; sub-limits as « dont … » rows."""
    rows = []
    for guarantee in contract.guarantees.all():
        label = guarantee.get_code_display() + (_(" (option)") if guarantee.is_option else "")
        rows.append([label, guarantee.ceiling if guarantee.ceiling is not None else _("Selon conditions générales"),
                     guarantee.deductible])
        rows += [[_("   dont %(label)s") % {"label": sub_label}, amount, ""]
                 for sub_label, amount in guarantee.sub_limit_rows]
    return rows


def amendment_pdf(*, amendment) -> bytes:
    """The amendment (avenant): what changes (before / after), the guarantees now in force, the premium and
    what is due or refunded until the next due date."""
    contract, customer = amendment.contract, amendment.customer
    before, after = amendment.before, amendment.after
    with override("fr"):
        title = _("Avenant %(number)s au contrat %(contract)s") % {"number": amendment.number,
                                                                   "contract": contract.number}

        def capital(choices: dict):
            value = choices.get("contents_capital")
            return _amount(value) if value else _("Au plafond de la formule")

        frequencies = dict(PaymentFrequency.choices)
        changes = [
            [_("Formule"), formula_label(before.get("formula")), formula_label(after.get("formula"))],
            [_("Options"), option_labels(before.get("options")) or _("Aucune"),
             option_labels(after.get("options")) or _("Aucune")],
            [_("Franchise générale"), _amount(before.get("deductible")), _amount(after.get("deductible"))],
            [_("Capital mobilier"), capital(before), capital(after)],
            [_("Fractionnement"), str(frequencies.get(before.get("payment_frequency"), "")),
             str(frequencies.get(after.get("payment_frequency"), ""))],
        ]
        changes = [row for row in changes if row[1] != row[2]] or changes
        quote = after.get("quote") or {}
        breakdown = after.get("breakdown") or []
        total_label = _("Cotisation annuelle TTC après l'avenant")
        if breakdown:  # each cover → price before tax → each tax and contribution → total (they add up)
            premium = [[row["label"], _amount(row["amount"])] for row in breakdown if row["kind"] != "total"]
            total_label = next((row["label"] for row in breakdown if row["kind"] == "total"), total_label)
        else:  # amendments signed before the breakdown was recorded
            premium = [
                [_("Cotisation hors taxes"), _amount(quote.get("net_premium"))],
                [_("Taxes et contributions"), _amount(quote.get("taxes"))],
                *([[_("Frais de fractionnement"), _amount(quote["instalment_surcharge"])]]
                  if quote and _amount(quote.get("instalment_surcharge")) else []),
            ] if quote else []
        prorata = amendment.prorata_amount
        if prorata > 0:
            prorata_text = _("Montant dû jusqu'à la prochaine échéance (prorata) : %(amount)s, seul montant à payer "
                             "pour la période en cours.") % {"amount": money(prorata)}
        elif prorata < 0:  # a refund is a positive amount « remboursés », never « -6,65 € »
            prorata_text = _("Jusqu'à la prochaine échéance (prorata) : %(amount)s remboursés.") % {
                "amount": money(-prorata)}
        else:
            prorata_text = _("Aucun montant dû ni remboursé jusqu'à la prochaine échéance.")
        def due(amount) -> Decimal | str:
            value = _amount(amount)
            return value if value >= 0 else _("%(amount)s remboursés") % {"amount": money(-value)}

        schedule = [[row.get("label", ""), _day(date.fromisoformat(row["due_date"])), due(row["amount"])]
                    for row in after.get("schedule", [])]
        blocks = [
            Text(_("Madame, Monsieur,")),
            Text(_("À votre demande, votre contrat d'assurance habitation n° %(contract)s est modifié à compter du "
                   "%(date)s. Le présent avenant fait partie de votre contrat ; les autres conditions restent "
                   "inchangées.") % {"contract": contract.number, "date": _day(amendment.effective_date)}),
            Text(contract.property.full_address, label=_("Logement assuré :")),
            Heading(_("Ce qui change")),
            Table(columns=[_("Votre contrat"), _("Avant"), _("Après")], rows=changes, widths=[0.36, 0.32, 0.32]),
            Heading(_("Votre cotisation")),
            Text(_("Votre cotisation annuelle passe de %(before)s à %(after)s, toutes taxes comprises.") % {
                "before": money(amendment.old_total_annual), "after": money(amendment.new_total_annual)}),
            Table(columns=[_("Détail"), _("Montant")], rows=premium,
                  total=[total_label, _amount(amendment.new_total_annual)],
                  widths=[0.75, 0.25]),
            Text(f"{prorata_text} {_('Tarif %(version)s.') % {'version': amendment.tariff_version}}"),
        ]
        if schedule:
            blocks += [Heading(_("Vos prochaines échéances")),
                       Table(columns=[_("Échéance"), _("Date"), _("Montant")], rows=schedule,
                             widths=[0.5, 0.28, 0.22])]
        blocks += [
            Heading(_("Vos garanties à compter du %(date)s") % {"date": _day(amendment.effective_date)}),
            Table(columns=[_("Garantie"), _("Plafond"), _("Franchise")], rows=_guarantee_rows(contract),
                  widths=[0.52, 0.26, 0.22]),
        ]
        letter = Letter(
            title=title, subject=_("Avenant à votre contrat d'assurance habitation"),
            keywords=["avenant", contract.number, amendment.number],
            recipient=recipient_lines(customer, fallback_address=_address_lines(contract.property)),
            references=references(
                (_("Client n°"), customer.customer_number), (_("Contrat n°"), contract.number),
                (_("Avenant n°"), amendment.number),
                (_("Date"), _day(timezone.localtime(amendment.created_at).date())),
            ),
            blocks=[*blocks, Text(_("Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."))],
            signature=[_("Le service Contrats"), _("Document signé électroniquement")],
        )
        return render_letter(letter)


def termination_acknowledgement_pdf(*, termination) -> bytes:
    """The acknowledgement of a termination request: when the cover ends, on what basis, what is refunded."""
    contract, customer = termination.contract, termination.customer
    with override("fr"):
        title = _("Accusé de réception de résiliation %(number)s") % {"number": termination.number}
        received = timezone.localtime(termination.created_at)
        facts = [
            [_("Demande reçue le"), _("%(date)s à %(time)s") % {"date": _day(received.date()),
                                                                 "time": received.strftime("%H h %M")}],
            [_("Motif"), " ".join(part for part in (termination.get_reason_display() + ".", termination.reason_text)
                                  if part)],
            [_("Fin des garanties"), _("le %(date)s à 24 h. %(rule)s") % {"date": _day(termination.effective_date),
                                                                          "rule": termination.rule}],
        ]
        if termination.new_insurer:
            facts.append([_("Nouvel assureur"), _("%(insurer)s, contrat n° %(policy)s.") % {
                "insurer": termination.new_insurer, "policy": termination.new_policy_number}])
        if termination.refund_amount > 0:
            amounts = Table(columns=[_("Cotisation non utilisée"), _("Remboursée au plus tard le"), _("Montant")],
                            rows=[[_("Du lendemain de la fin des garanties à l'échéance"),
                                   _day(refund_due_by(termination.effective_date)), termination.refund_amount]],
                            widths=[0.46, 0.32, 0.22])
        else:
            amounts = Text(_("Aucune cotisation non utilisée à rembourser."))
        letter = Letter(
            title=title, subject=_("Résiliation de votre contrat d'assurance habitation"),
            keywords=["résiliation", contract.number, termination.number],
            recipient=recipient_lines(customer, fallback_address=_address_lines(contract.property)),
            references=references(
                (_("Client n°"), customer.customer_number), (_("Contrat n°"), contract.number),
                (_("Demande n°"), termination.number), (_("Date"), _day(timezone.localdate())),
            ),
            blocks=[
                Text(_("Madame, Monsieur,")),
                Text(_("Nous avons bien reçu votre demande de résiliation de votre contrat d'assurance habitation "
                       "n° %(contract)s pour le logement situé %(address)s.") % {
                    "contract": contract.number, "address": contract.property.full_address}),
                Heading(_("Votre demande")),
                Table(columns=[_("Élément"), _("Détail")], rows=facts, widths=[0.3, 0.7]),
                Heading(_("Votre remboursement")),
                amounts,
                Notice(_("Jusqu'à la fin des garanties"), [
                    _("Vos garanties restent acquises jusqu'au %(date)s à 24 h : déclarez-nous tout sinistre survenu "
                      "d'ici là.") % {"date": _day(termination.effective_date)},
                    _("Pensez à assurer votre nouveau logement dès votre emménagement."),
                ]),
                Bullets([_("Vos documents restent disponibles dans votre espace client."),
                         _("Un sinistre en cours continue d'être suivi jusqu'à son règlement.")]),
                Text(_("Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.")),
            ],
            signature=[_("Le service Contrats"), _("Document signé électroniquement")],
        )
        return render_letter(letter)


def _address_lines(home) -> list[str]:
    line = getattr(home, "address_line", "")
    city = " ".join(part for part in (getattr(home, "postcode", ""), getattr(home, "city", "")) if part)
    return [part for part in (line, city) if part] or [home.full_address]
