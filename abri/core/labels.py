"""What a person reads instead of a code: one registry, one function (`label_for`), one filter (`|label`).

Core imports no app of the project (ADR 0007), so each app registers the labels of its codes from
`AppConfig.ready()`: `register_labels("option", lambda: {...})`. Templates write `{{ code|label:"option" }}`
(a list gives « Objets de valeur, Jardin »), Python writes `label_for("option", code)`.

Kinds registered: guarantee, formula, option, payment_frequency (contracts); claim_event, risk_flag,
item_category, circumstance (the question), water_source (claims); audit_action and model (here, below).
An unknown kind or code shows the code itself, so the journey scan (tests/core/test_demo_words.py) finds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

_PROVIDERS: dict[str, Callable[[], Mapping[str, str]]] = {}


def register_labels(kind: str, provider: Callable[[], Mapping[str, str]]) -> None:
    """Register (or replace) the labels of `kind`; `provider` is called at each lookup (translations)."""
    _PROVIDERS[kind] = provider


def label_for(kind: str, code) -> str:
    """The label of `code` in `kind`, or `code` when nobody registered it; yes/no for a boolean."""
    if isinstance(code, bool):
        return gettext("Oui") if code else gettext("Non")
    if code is None or code == "":
        return ""
    if kind == "audit_action":
        return audit_action_label(str(code))
    if kind == "model":
        return model_label(str(code))
    provider = _PROVIDERS.get(kind)
    if provider is None:
        return str(code)
    return str(provider().get(code, code))


def labels_of(kind: str) -> Mapping[str, str]:
    """Every label of `kind` (code → label), empty when nobody registered it."""
    provider = _PROVIDERS.get(kind)
    return provider() if provider is not None else {}


def labels_for(kind: str, codes: Iterable) -> str:
    """['valuables', 'garden'] -> 'Objets de valeur, Jardin' (nothing -> '')."""
    return ", ".join(label_for(kind, code) for code in codes or [])


# Models that moved to another app: audit rows written before keep the old label (the log is append-only).
MOVED_MODELS = {"documents.certificate": "certificates.certificate",
                "documents.verificationlog": "certificates.verificationlog"}


def model_label(label: str) -> str:
    """'certificates.certificate' -> 'attestation' (the model's verbose name)."""
    from django.apps import apps

    try:
        return str(apps.get_model(MOVED_MODELS.get(label, label))._meta.verbose_name)
    except (LookupError, ValueError):
        return label


# Audit actions are written by many apps as "<domain>.<event>"; the back-office shows them in words.
AUDIT_DOMAINS = {
    "account": _("Compte"), "auth": _("Connexion"), "backoffice": _("Back-office"), "billing": _("Paiements"),
    "certificate": _("Attestation"), "claim": _("Sinistre"), "contract": _("Contrat"), "customer": _("Client"),
    "document": _("Document"), "staff": _("Personnel"), "tariff": _("Tarif"),
}
AUDIT_ACTIONS = {
    "account.contact_changed": _("Coordonnées modifiées"),
    "auth.activated": _("Espace client activé"),
    "auth.activation_letter_issued": _("Courrier d'activation émis"),
    "auth.activation_refused": _("Activation refusée"),
    "auth.activation_send_refused": _("Envoi du code d'activation refusé"),
    "auth.activation_started": _("Activation commencée"),
    "auth.api_token_ended": _("Connexion de l'application terminée"),
    "auth.api_token_expired_idle": _("Connexion de l'application expirée (inactivité)"),
    "auth.api_tokens_revoked": _("Connexions de l'application révoquées"),
    "auth.device_revoked": _("Appareil de confiance retiré"),
    "auth.device_trusted": _("Appareil de confiance ajouté"),
    "auth.ip_throttled": _("Trop de tentatives depuis une adresse IP"),
    "auth.locked": _("Compte bloqué"),
    "auth.login": _("Connexion"),
    "auth.login_failed": _("Connexion échouée"),
    "auth.logout": _("Déconnexion"),
    "auth.mfa_enrolled": _("Application d'authentification ajoutée"),
    "auth.number_reminder_sent": _("Rappel du numéro client envoyé"),
    "auth.pin_change_refused": _("Changement de code secret refusé"),
    "auth.pin_reset_started_by_advisor": _("Réinitialisation du code secret par un conseiller"),
    "auth.recovery_codes_regenerated": _("Codes de secours régénérés"),
    "auth.recovery_completed": _("Identifiants récupérés"),
    "auth.recovery_refused": _("Récupération des identifiants refusée"),
    "auth.recovery_started": _("Récupération des identifiants commencée"),
    "auth.second_factor_failed": _("Code de vérification erroné"),
    "auth.second_factor_sent": _("Code de vérification envoyé"),
    "auth.session_ended": _("Session terminée"),
    "auth.sessions_ended": _("Sessions terminées"),
    "auth.staff_password_changed": _("Mot de passe du personnel modifié"),
    "auth.step_up": _("Identité confirmée pour une opération sensible"),
    "auth.unlocked_by_advisor": _("Compte débloqué par un conseiller"),
    "backoffice.claim_viewed": _("Sinistre consulté"),
    "backoffice.contract_viewed": _("Contrat consulté"),
    "backoffice.documents_viewed": _("Documents consultés"),
    "backoffice.evidence_viewed": _("Justificatif consulté"),
    "billing.calendar_feed_created": _("Calendrier des échéances partagé"),
    "billing.calendar_feed_revoked": _("Partage du calendrier révoqué"),
    "billing.yearly_statement": _("Relevé annuel téléchargé"),
    "certificate.issued": _("Attestation délivrée"),
    "certificate.revoked": _("Attestation révoquée"),
    "claim.assigned": _("Sinistre attribué"),
    "claim.bank_details_set": _("Coordonnées bancaires enregistrées"),
    "claim.draft_started": _("Déclaration commencée"),
    "claim.evidence_added": _("Justificatif ajouté"),
    "claim.message": _("Message sur un sinistre"),
    "claim.submitted": _("Sinistre déclaré"),
    "claim.transition": _("Sinistre : nouvelle étape"),
    "contract.amended": _("Avenant signé"),
    "contract.created": _("Contrat créé"),
    "contract.moved": _("Déménagement"),
    "contract.renewed": _("Contrat renouvelé"),
    "contract.simulation_saved": _("Simulation enregistrée"),
    "customer.created": _("Client créé"),
    "document.download": _("Document téléchargé"),
    "staff.account.saved": _("Compte du personnel enregistré"),
    "staff.auth.demo_code_sent": _("Code de démonstration envoyé"),
    "staff.auth.login": _("Connexion au back-office"),
    "staff.auth.login_failed": _("Connexion au back-office échouée"),
    "staff.auth.logout": _("Déconnexion du back-office"),
    "staff.auth.password_ok": _("Mot de passe vérifié"),
    "staff.auth.recovery_code_used": _("Code de secours utilisé"),
    "staff.auth.recovery_codes_issued": _("Codes de secours émis"),
    "staff.auth.throttled": _("Trop de tentatives de connexion au back-office"),
    "staff.auth.totp_enrolled": _("Application d'authentification confirmée"),
    "staff.auth.totp_failed": _("Code de vérification du back-office erroné"),
    "staff.auth.totp_provisioned": _("Application d'authentification à confirmer"),
    "staff.customer.search": _("Recherche de client"),
    "staff.customer.viewed": _("Fiche client consultée"),
    "staff.document.download": _("Document téléchargé par le personnel"),
    "tariff.uploaded": _("Tarif chargé"),
}


def audit_action_label(action: str) -> str:
    """'certificate.issued' -> 'Attestation délivrée'; an action built at run time ('contract.terminated')
    gives its domain and the label of its status when an app registered it (kind 'status:<domain>')."""
    if action in AUDIT_ACTIONS:
        return str(AUDIT_ACTIONS[action])
    domain, _dot, rest = action.partition(".")
    status = label_for(f"status:{domain}", rest.removeprefix("termination_"))
    if domain in AUDIT_DOMAINS and status != rest.removeprefix("termination_"):
        return f"{AUDIT_DOMAINS[domain]} : {status}"
    return str(AUDIT_DOMAINS.get(domain, action)) + (f" ({rest.replace('_', ' ')})" if domain in AUDIT_DOMAINS else "")
