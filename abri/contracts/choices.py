"""Choices for homes and contracts."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PropertyKind(models.TextChoices):
    APARTMENT = "apartment", _("Appartement")
    HOUSE = "house", _("Maison")


class OccupantStatus(models.TextChoices):
    TENANT = "tenant", _("Locataire")
    OWNER = "owner", _("Propriétaire occupant")
    NON_OCCUPYING_OWNER = "pno", _("Propriétaire non occupant")


class Residence(models.TextChoices):
    MAIN = "main", _("Résidence principale")
    SECONDARY = "secondary", _("Résidence secondaire")


class Formula(models.TextChoices):
    ESSENTIELLE = "essentielle", _("Essentielle")
    CONFORT = "confort", _("Confort")
    INTEGRALE = "integrale", _("Intégrale")


class ContractStatus(models.TextChoices):
    """Where a contract stands; it moves only through `contracts.services.contract_transition`.

    A contract is created in force (its cover may start on a later day: a move); there is no « pending » state.
    """

    ACTIVE = "active", _("En cours")
    TERMINATION_REQUESTED = "termination_requested", _("Résiliation demandée")
    SUSPENDED = "suspended", _("Garanties suspendues")
    TERMINATED = "terminated", _("Résilié")


#: The one definition of « in force »: covered today or until a requested end date (see `in_force()`).
#: A suspended contract (unpaid premium, L113-3) is not: nothing is covered until the premium is paid, so no
#: certificate, no renewal (it catches up when the cover resumes), no amendment.
CONTRACT_IN_FORCE = (ContractStatus.ACTIVE, ContractStatus.TERMINATION_REQUESTED)

#: The allowed contract transitions (`contract_transition` refuses any other).
#: Active ⇄ suspended (L113-3: 30 days after the formal notice; back at noon the day after payment), and a
#: suspended contract may be terminated by the insurer 10 days after the suspension (dunning.services).
CONTRACT_TRANSITIONS = {
    ContractStatus.ACTIVE: {ContractStatus.TERMINATION_REQUESTED, ContractStatus.SUSPENDED},
    ContractStatus.TERMINATION_REQUESTED: {ContractStatus.TERMINATED},
    ContractStatus.SUSPENDED: {ContractStatus.ACTIVE, ContractStatus.TERMINATED},
    ContractStatus.TERMINATED: set(),
}


class PaymentFrequency(models.TextChoices):
    ANNUAL = "annual", _("Annuelle")
    HALF_YEARLY = "half_yearly", _("Semestrielle")
    QUARTERLY = "quarterly", _("Trimestrielle")
    MONTHLY = "monthly", _("Mensuelle")


class GuaranteeCode(models.TextChoices):
    FIRE = "fire", _("Incendie et explosion")
    STORM = "storm", _("Tempête, grêle, neige")
    NATCAT = "natcat", _("Catastrophes naturelles")
    TECHCAT = "techcat", _("Catastrophes technologiques")
    TERRORISM = "terrorism", _("Attentats et terrorisme")
    LIABILITY = "liability", _("Responsabilité civile vie privée")
    TENANT_LIABILITY = "tenant_liability", _("Responsabilité civile locative")
    WATER = "water", _("Dégâts des eaux")
    THEFT = "theft", _("Vol et vandalisme")
    GLASS = "glass", _("Bris de glace")
    ELECTRICAL = "electrical", _("Dommages électriques")
    ASSISTANCE = "assistance", _("Assistance")
    LEGAL = "legal", _("Protection juridique")
    NEW_FOR_OLD = "new_for_old", _("Rééquipement à neuf")
    VALUABLES = "valuables", _("Objets de valeur")
    GARDEN = "garden", _("Jardin et piscine")
    OUTBUILDINGS = "outbuildings", _("Dépendances")


# Liability sub-limits as stated in the conditions (keys of the tariff file's sub_limits).
SUB_LIMIT_LABELS = {
    "bodily": _("dommages corporels"),
    "material": _("dommages matériels et immatériels"),
}


class TerminationReason(models.TextChoices):
    DUE_DATE = "due_date", _("À l'échéance annuelle")
    HAMON = "hamon", _("Après un an de contrat (loi Hamon)")
    MOVING = "moving", _("Déménagement")
    SALE = "sale", _("Vente du logement")
    OTHER = "other", _("Autre motif")


class TerminationStatus(models.TextChoices):
    """Where a termination request stands; it moves only through `contracts.services.termination_transition`."""

    RECEIVED = "received", _("Demande reçue")
    ACKNOWLEDGED = "acknowledged", _("Accusé de réception envoyé")
    PROCESSED = "processed", _("Traitée")
    CANCELLED = "cancelled", _("Annulée")


#: Termination requests still waiting for the contract's end (shown first in the back office).
TERMINATION_OPEN = (TerminationStatus.RECEIVED, TerminationStatus.ACKNOWLEDGED)

#: Received → acknowledged (the signed acknowledgement is stored) → processed (the contract has ended).
#: A request is processed without an acknowledgement when the contract ends first; cancelled is kept for
#: requests withdrawn before the end date (no path offers it yet).
TERMINATION_TRANSITIONS = {
    TerminationStatus.RECEIVED: {TerminationStatus.ACKNOWLEDGED, TerminationStatus.PROCESSED,
                                 TerminationStatus.CANCELLED},
    TerminationStatus.ACKNOWLEDGED: {TerminationStatus.PROCESSED, TerminationStatus.CANCELLED},
    TerminationStatus.PROCESSED: set(),
    TerminationStatus.CANCELLED: set(),
}


class CapitalRequestStatus(models.TextChoices):
    PENDING = "pending", _("Transmise à un conseiller")
    ANSWERED = "answered", _("Traitée par un conseiller")
