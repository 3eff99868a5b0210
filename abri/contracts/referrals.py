"""Requests the portal cannot price online, kept and referred to an advisor (a contents capital above the ceiling)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from abri.contracts.choices import CapitalRequestStatus
from abri.contracts.models import CapitalRequest, Contract
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.notifications.services import notification_create


class CapitalRequestError(Exception):
    """The request cannot be kept (nothing above the ceiling to refer)."""


def capital_request_submit(*, customer, contract: Contract, requested_capital: Decimal, online_ceiling: Decimal,
                           choices: dict) -> CapitalRequest:
    """Keep a contents capital asked above the online ceiling and tell the customer it went to an advisor.

    The same pending request asked twice (a double click, a reload) is kept once.
    """
    if contract.customer_id != customer.pk:
        raise CapitalRequestError(_("Ce contrat n'est pas le vôtre."))
    if requested_capital <= online_ceiling:
        raise CapitalRequestError(_("Ce capital peut être choisi en ligne : calculez le prix sur la page."))
    with transaction.atomic():
        existing = CapitalRequest.objects.for_customer(customer).filter(
            contract=contract, requested_capital=requested_capital, status=CapitalRequestStatus.PENDING).first()
        if existing is not None:
            return existing
        request = CapitalRequest.objects.create(customer=customer, contract=contract,
                                                requested_capital=requested_capital, online_ceiling=online_ceiling,
                                                choices=choices)
        audit_record(actor=customer.user, action="contract.capital_requested", target=contract, customer=customer,
                     data={"requested_capital": str(requested_capital), "online_ceiling": str(online_ceiling)})
        notification_create(
            customer=customer, category="contract", email=True,
            title=_("Demande transmise à un conseiller"),
            body=_("Votre demande d'un capital mobilier de %(capital)s sur le contrat %(number)s dépasse le plafond "
                   "proposé en ligne (%(ceiling)s) : elle est transmise à un conseiller, qui étudie votre demande et "
                   "vous recontacte. Votre contrat reste inchangé d'ici là.") % {
                "capital": format_eur(requested_capital), "number": contract.number,
                "ceiling": format_eur(online_ceiling)},
            url=f"/contrats/{contract.number}/",
        )
    return request
