"""Choices for documents."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    GENERAL_CONDITIONS = "general_conditions", _("Conditions générales")
    PARTICULAR_CONDITIONS = "particular_conditions", _("Conditions particulières")
    CERTIFICATE = "certificate", _("Attestation")
    AMENDMENT = "amendment", _("Avenant")
    DUE_NOTICE = "due_notice", _("Avis d'échéance")
    INVOICE = "invoice", _("Facture")
    RECEIPT = "receipt", _("Quittance")
    CLAIM_LETTER = "claim_letter", _("Courrier sinistre")
    EXPERT_REPORT = "expert_report", _("Rapport d'expertise")
    PHOTO = "photo", _("Photo")
    TERMINATION = "termination", _("Résiliation")
    OTHER = "other", _("Autre")


class GuaranteeCategory(models.TextChoices):
    GENERAL = "general", _("Général")
    WATER = "water", _("Dégâts des eaux")
    THEFT = "theft", _("Vol")
    FIRE = "fire", _("Incendie")
    LIABILITY = "liability", _("Responsabilité civile")
    GLASS = "glass", _("Bris de glace")
    NATURAL_EVENTS = "natural_events", _("Événements naturels")
