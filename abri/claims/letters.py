"""The claim letters as PDFs (the bytes only; services file them): the acknowledgement of a declaration.

Laid out by abri.documents.layout: letterhead, addressee, references, the declaration and the damaged
items as tables (amounts in euros, right-aligned), what to do now.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from abri.claims.rules import ITEM_CATEGORY_LABELS
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


def _moment(value) -> str:
    local = timezone.localtime(value)
    return _("%(date)s à %(time)s") % {"date": day_in_words(local.date()), "time": local.strftime("%H h %M")}


def claim_acknowledgement_pdf(*, claim) -> bytes:
    """The acknowledgement of receipt of a claim: what was declared, the damaged items, what to do now."""
    contract, customer = claim.contract, claim.customer
    home = claim.property or contract.property
    with override("fr"):
        title = _("Accusé de réception du sinistre %(number)s") % {"number": claim.number}
        declaration = [
            [_("Événement"), claim.get_event_type_display()],
            [_("Survenu le"), _moment(claim.occurred_at)],
            [_("Déclaration reçue le"), _moment(claim.declared_at)],
            [_("Lieu"), claim.location_address or home.full_address],
        ]
        blocks = [
            Text(_("Madame, Monsieur,")),
            Text(_("Nous avons bien reçu la déclaration de votre sinistre et vous en remercions. Votre dossier porte "
                   "le numéro %(number)s : rappelez-le dans vos échanges avec nous.") % {"number": claim.number}),
            Heading(_("Votre déclaration")),
            Table(columns=[_("Élément"), _("Ce que vous nous avez indiqué")], rows=declaration, widths=[0.3, 0.7]),
        ]
        if claim.description:
            blocks.append(Text(claim.description, label=_("Circonstances :")))
        items = [[item.get("label", ""), str(ITEM_CATEGORY_LABELS.get(item.get("category"), "")),
                  Decimal(str(item.get("amount") or 0))] for item in claim.items or []]
        if items:
            blocks += [
                Heading(_("Biens endommagés déclarés")),
                Table(columns=[_("Bien"), _("Catégorie"), _("Montant estimé")], rows=items,
                      total=[_("Total estimé"), "", sum((row[2] for row in items), Decimal("0.00"))],
                      widths=[0.5, 0.28, 0.22]),
                Text(_("Ces montants sont ceux que vous avez estimés : l'indemnité sera calculée selon les garanties, "
                       "plafonds et franchises de votre contrat."), small=True),
            ]
        elif claim.estimated_amount:
            blocks.append(Text(_("%(amount)s (votre estimation)") % {"amount": money(claim.estimated_amount)},
                               label=_("Montant estimé des dommages :")))
        blocks += [
            Notice(_("Ce que vous devez faire maintenant"), [
                _("Ne faites pas réparer avant notre accord, sauf pour faire cesser les dommages (mesures "
                  "conservatoires)."),
                _("Conservez les biens endommagés et les justificatifs : ils pourront être demandés par l'expert."),
            ]),
            Heading(_("La suite")),
            Bullets([
                _("Un gestionnaire étudie votre dossier ; vous suivez chaque étape dans votre espace client."),
                _("Si une expertise est nécessaire, l'expert vous contactera pour convenir d'un rendez-vous."),
            ]),
            Text(_("Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.")),
        ]
        letter = Letter(
            title=title, subject=_("Déclaration de sinistre"), keywords=["sinistre", contract.number, claim.number],
            recipient=recipient_lines(customer, fallback_address=[home.full_address]),
            references=references(
                (_("Client n°"), customer.customer_number), (_("Contrat n°"), contract.number),
                (_("Sinistre n°"), claim.number), (_("Date"), day_in_words(timezone.localdate())),
            ),
            blocks=blocks,
            signature=[_("Le service Sinistres")],
        )
        return render_letter(letter)
