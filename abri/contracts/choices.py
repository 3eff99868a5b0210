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
    PENDING = "pending", _("En attente")
    ACTIVE = "active", _("En cours")
    TERMINATION_REQUESTED = "termination_requested", _("Résiliation demandée")
    TERMINATED = "terminated", _("Résilié")


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
    RECEIVED = "received", _("Demande reçue")
    PROCESSED = "processed", _("Traitée")
    CANCELLED = "cancelled", _("Annulée")
