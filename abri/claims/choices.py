"""Choices for claims."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClaimEvent(models.TextChoices):
    WATER = "water", _("Dégât des eaux")
    THEFT = "theft", _("Vol ou cambriolage")
    FIRE = "fire", _("Incendie")
    STORM = "storm", _("Tempête, grêle, neige")
    GLASS = "glass", _("Bris de glace")
    ELECTRICAL = "electrical", _("Dommage électrique")
    NATCAT = "natcat", _("Catastrophe naturelle")
    SUBSIDENCE = "subsidence", _("Sécheresse : fissures dues au retrait-gonflement des argiles (catastrophe naturelle)")
    TECHCAT = "techcat", _("Catastrophe technologique (accident industriel)")
    VANDALISM = "vandalism", _("Vandalisme")
    LIABILITY = "liability", _("Dommage causé à un tiers")
    OTHER = "other", _("Autre")


class ClaimStatus(models.TextChoices):
    RECEIVED = "received", _("Déclaration reçue")
    UNDER_REVIEW = "under_review", _("En cours d'analyse")
    EXPERT_APPOINTED = "expert_appointed", _("Expert missionné")
    VISIT_PLANNED = "visit_planned", _("Visite planifiée")
    REPORT_RECEIVED = "report_received", _("Rapport d'expertise reçu")
    OFFER_MADE = "offer_made", _("Proposition d'indemnisation")
    ACCEPTED = "accepted", _("Proposition acceptée")
    PAID = "paid", _("Indemnité versée")
    CLOSED = "closed", _("Dossier clos")
    REFUSED = "refused", _("Refusé")


OPEN_STATUSES = [
    ClaimStatus.RECEIVED,
    ClaimStatus.UNDER_REVIEW,
    ClaimStatus.EXPERT_APPOINTED,
    ClaimStatus.VISIT_PLANNED,
    ClaimStatus.REPORT_RECEIVED,
    ClaimStatus.OFFER_MADE,
    ClaimStatus.ACCEPTED,
]


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    INVOICE = "invoice", _("Facture")
    POLICE_REPORT = "police_report", _("Dépôt de plainte")
    JOINT_REPORT = "joint_report", _("Constat amiable dégât des eaux")
    ESTIMATE = "estimate", _("Devis")
    EXPERT_REPORT = "expert_report", _("Rapport d'expertise")
    OTHER = "other", _("Autre document")


# What a customer may call a file they send; the expert's report is filed by a claims handler only.
CUSTOMER_EVIDENCE_KINDS = (EvidenceKind.PHOTO, EvidenceKind.INVOICE, EvidenceKind.POLICE_REPORT,
                           EvidenceKind.JOINT_REPORT, EvidenceKind.ESTIMATE, EvidenceKind.OTHER)


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Non analysé")
    CLEAN = "clean", _("Sain")
    INFECTED = "infected", _("Refusé (virus)")


class VisitSlot(models.TextChoices):
    MORNING = "morning", _("Matin (8 h – 12 h)")
    AFTERNOON = "afternoon", _("Après-midi (14 h – 18 h)")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("À fournir")
    RECEIVED = "received", _("Reçu")
