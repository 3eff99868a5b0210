"""The renewal notice (avis d'échéance) and the unpaid-premium letters of L113-3 as PDFs (bytes only; the
services in abri.dunning.services file them). Laid out by abri.documents.layout, in French, dates in words."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.core.formats import day as core_day
from abri.documents.layout import (
    Heading,
    Letter,
    Notice,
    Table,
    Text,
    recipient_lines,
    references,
    render_letter,
)
from abri.documents.layout import money as _money


def day_in_words(day: date) -> str:
    """« 15 décembre 2026 »."""
    return core_day(day)


def _letter(*, customer, contract, title: str, number: str, blocks: list, keywords: list[str]) -> bytes:
    today = day_in_words(timezone.localdate())
    return render_letter(Letter(
        title=title, subject=title, keywords=keywords, recipient=recipient_lines(customer),
        references=references((_("Client n°"), customer.customer_number), (_("Contrat n°"), contract.number),
                              (_("Référence"), number), (_("Date"), today)),
        blocks=blocks, signature=[_("Le service Cotisations"), _("Le %(date)s") % {"date": today}]))


def renewal_notice_pdf(*, customer, contract, due_date: date, period_end: date, old_premium: Decimal,
                       new_premium: Decimal, schedule: list[tuple[date, Decimal]], refusal_deadline: date,
                       in_time: bool, method_label: str, number: str) -> bytes:
    """L113-15-1: the avis d'échéance — the new premium, its instalments, and the deadline to refuse the renewal."""
    with override("fr"):
        blocks = [
            Text(_("Votre contrat d'assurance habitation n° %(number)s (%(address)s) sera reconduit le %(due)s pour "
                   "un an, jusqu'au %(end)s.") % {"number": contract.number, "address": contract.property.full_address,
                                                  "due": day_in_words(due_date), "end": day_in_words(period_end)}),
            Heading(_("Votre cotisation")),
            Text(_("Cotisation annuelle toutes taxes comprises à partir du %(due)s : %(new)s (année en cours : "
                   "%(old)s).") % {"due": day_in_words(due_date), "new": _money(new_premium),
                                   "old": _money(old_premium)}),
            Table(columns=[_("Échéance"), _("Montant")],
                  rows=[[day_in_words(day), amount] for day, amount in schedule],
                  total=[_("Total de l'année"), sum((a for _d, a in schedule), Decimal("0.00"))],
                  widths=[0.6, 0.4]),
            Text(_("Mode de paiement : %(method)s.") % {"method": method_label}),
        ]
        if in_time:
            deadline = _("Vous pouvez refuser la reconduction de votre contrat jusqu'au %(deadline)s inclus, par "
                         "lettre, par e-mail ou en ligne (« Résilier votre contrat ») ; il prendra alors fin le "
                         "%(end)s à 24 h.") % {"deadline": day_in_words(refusal_deadline),
                                               "end": day_in_words(due_date - timedelta(days=1))}
        else:
            deadline = _("Cet avis vous est adressé moins de quinze jours avant la date limite de résiliation : vous "
                         "disposez de vingt jours à compter de son envoi, soit jusqu'au %(deadline)s inclus, pour "
                         "refuser la reconduction de votre contrat.") % {"deadline": day_in_words(refusal_deadline)}
        blocks.append(Notice(_("Date limite pour refuser la reconduction"), [
            deadline,
            _("Article L113-15-1 du Code des assurances : si cet avis ne vous était pas parvenu à temps, vous pourriez "
              "résilier votre contrat à tout moment à compter de sa reconduction, sans pénalité ; la résiliation "
              "prendrait effet le lendemain de votre demande."),
        ]))
        blocks.append(Text(_("Après un an de contrat, vous pouvez aussi le résilier à tout moment (loi Hamon, article "
                             "L113-15-2), avec effet un mois après notre réception de votre demande."), small=True))
        return _letter(customer=customer, contract=contract, title=_("Avis d'échéance"), number=number,
                       blocks=blocks, keywords=[_("avis d'échéance"), contract.number, str(due_date.year)])


def formal_notice_pdf(*, customer, contract, item, suspension_on: date, termination_from: date, number: str) -> bytes:
    """L113-3: the mise en demeure — the unpaid amount, the suspension date and the possible termination."""
    with override("fr"):
        blocks = [
            Text(_("Sauf erreur de notre part, votre cotisation de %(amount)s due le %(due)s au titre de votre contrat "
                   "d'assurance habitation n° %(number)s (%(address)s) n'a pas été payée.") % {
                "amount": _money(item.amount), "due": day_in_words(item.due_date), "number": contract.number,
                "address": contract.property.full_address}),
            Text(_("Par la présente lettre recommandée, nous vous mettons en demeure de la payer.")),
            Notice(_("Ce qui se passera sans paiement"), [
                _("Vos garanties seront suspendues le %(day)s, trente jours après l'envoi de cette lettre.") % {
                    "day": day_in_words(suspension_on)},
                _("Votre contrat pourra être résilié à partir du %(day)s, dix jours après la suspension.") % {
                    "day": day_in_words(termination_from)},
                _("La cotisation reste due même si les garanties sont suspendues ou le contrat résilié."),
            ]),
            Heading(_("Comment payer")),
            Text(_("En ligne, rubrique « Paiements » de votre espace, bouton « Payer maintenant » (carte bancaire ou "
                   "virement avec la référence indiquée). Si vous avez payé entre-temps, ne tenez pas compte de "
                   "cette lettre.")),
            Text(_("Si vos garanties ont été suspendues, elles reprennent effet le lendemain à midi du jour où la "
                   "cotisation est payée (article L113-3 du Code des assurances)."), small=True),
        ]
        return _letter(customer=customer, contract=contract, title=_("Mise en demeure"), number=number,
                       blocks=blocks, keywords=["mise en demeure", contract.number])


def suspension_pdf(*, customer, contract, item, suspended_on: date, termination_from: date, number: str) -> bytes:
    """L113-3: the letter telling that the cover is suspended, and how to have it back."""
    with override("fr"):
        blocks = [
            Text(_("Votre cotisation de %(amount)s due le %(due)s n'a pas été payée malgré notre mise en demeure. Les "
                   "garanties de votre contrat n° %(number)s (%(address)s) sont suspendues depuis le %(day)s : un "
                   "sinistre survenu pendant la suspension ne serait pas couvert.") % {
                "amount": _money(item.amount), "due": day_in_words(item.due_date), "number": contract.number,
                "address": contract.property.full_address, "day": day_in_words(suspended_on)}),
            Notice(_("Pour retrouver vos garanties"), [
                _("Payez votre cotisation dans votre espace, rubrique « Paiements », bouton « Payer maintenant ». "
                  "Vos garanties reprendront effet le lendemain du paiement à midi."),
                _("Sans paiement, votre contrat pourra être résilié à partir du %(day)s.") % {
                    "day": day_in_words(termination_from)},
            ]),
        ]
        return _letter(customer=customer, contract=contract, title=_("Suspension de vos garanties"), number=number,
                       blocks=blocks, keywords=["suspension", contract.number])


def resumption_pdf(*, customer, contract, resumed_at_day: date, number: str) -> bytes:
    """L113-3: the letter confirming that the cover is back."""
    with override("fr"):
        blocks = [Text(_("Nous avons reçu votre paiement. Les garanties de votre contrat n° %(number)s (%(address)s) "
                         "ont repris effet le %(day)s à midi.") % {
            "number": contract.number, "address": contract.property.full_address,
            "day": day_in_words(resumed_at_day)})]
        return _letter(customer=customer, contract=contract, title=_("Remise en vigueur de vos garanties"),
                       number=number, blocks=blocks, keywords=["remise en vigueur", contract.number])


def termination_pdf(*, customer, contract, item, end: date, number: str) -> bytes:
    """L113-3 al. 3: the termination for non-payment."""
    with override("fr"):
        blocks = [
            Text(_("Votre cotisation de %(amount)s due le %(due)s est restée impayée malgré notre mise en demeure et "
                   "la suspension de vos garanties. Conformément à l'article L113-3 du Code des assurances, votre "
                   "contrat n° %(number)s (%(address)s) est résilié ; il prend fin le %(end)s.") % {
                "amount": _money(item.amount), "due": day_in_words(item.due_date), "number": contract.number,
                "address": contract.property.full_address, "end": day_in_words(end)}),
            Text(_("La cotisation due jusqu'à la suspension de vos garanties reste due.")),
        ]
        return _letter(customer=customer, contract=contract, title=_("Résiliation pour non-paiement"), number=number,
                       blocks=blocks, keywords=[_("résiliation"), contract.number])
