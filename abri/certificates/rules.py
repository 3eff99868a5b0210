"""Certificate rules: kinds and eligibility, numbering, validity periods (no I/O, no rendering)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from abri.certificates.choices import CertificateKind
from abri.contracts.choices import GuaranteeCode, OccupantStatus
from abri.contracts.models import Contract
from abri.contracts.rules import next_main_due_date
from abri.core.formats import day as day_in_words

# Crockford's base 32: no I, L, O, U, so a number read aloud or retyped is not mistaken.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RE = re.compile(r"^ATT-(\d{4})-([0-9A-HJKMNP-TV-Z]{8})$")
TEMPORARY_MAX_DAYS = 30
SCHOOL_YEAR_RE = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")
KIND_CODES = {
    CertificateKind.TENANT: "LOCATAIRE",
    CertificateKind.LENDER: "PRETEUR",
    CertificateKind.TEMPORARY: "TEMPORAIRE",
    CertificateKind.SCHOOL: "SCOLAIRE",
}
LIABILITY_CODES = {GuaranteeCode.LIABILITY, GuaranteeCode.TENANT_LIABILITY}
OWNER_STATUSES = {OccupantStatus.OWNER, OccupantStatus.NON_OCCUPYING_OWNER}



# --- Eligibility: a certificate states only what the contract covers -----------------------------


def certificate_kind_refusal(*, contract: Contract, kind: str, guarantee_codes: set[str] | None = None) -> str:
    """Why this kind of certificate cannot be issued for this contract (French), or "" when it can.

    - tenant's certificate for the landlord (loi n° 89-462, art. 7 g): a tenant's contract with tenant's liability;
    - lender's certificate: an owner, co-owner or non-occupying owner whose contract insures the building;
    - school certificate: private liability (« vie privée ») of the household — not a non-occupying owner's contract;
    - temporary certificate: any contract in force (it lists the contract's guarantees).
    """
    codes = guarantee_codes if guarantee_codes is not None else {g.code for g in contract.guarantees.all()}
    status = contract.property.occupant_status
    if kind == CertificateKind.TENANT:
        if status != OccupantStatus.TENANT:
            return _("Réservée aux locataires : elle prouve au bailleur l'assurance des risques locatifs (loi "
                     "n° 89-462 du 6 juillet 1989, art. 7 g). Ce contrat (%(status)s) ne comporte pas la "
                     "responsabilité civile locative.") % {"status": contract.property.get_occupant_status_display()}
        if GuaranteeCode.TENANT_LIABILITY not in codes:
            return _("Ce contrat ne comporte pas la responsabilité civile locative que demande le bailleur.")
    elif kind == CertificateKind.LENDER:
        if status not in OWNER_STATUSES:
            return _("Réservée aux propriétaires qui assurent le bâtiment : un contrat de locataire assure ses "
                     "biens et sa responsabilité, pas les murs que finance un prêt.")
        if not contract.building_capital or GuaranteeCode.FIRE not in codes:
            return _("Ce contrat n'assure pas le bâtiment : l'organisme prêteur demande une garantie du bâtiment "
                     "en valeur de reconstruction.")
    elif kind == CertificateKind.SCHOOL:
        if status == OccupantStatus.NON_OCCUPYING_OWNER:
            return _("Un contrat de propriétaire non occupant couvre la responsabilité du propriétaire du logement, "
                     "pas la vie privée de la famille : demandez-la au contrat de votre résidence.")
        if GuaranteeCode.LIABILITY not in codes:
            return _("Ce contrat ne comporte pas la responsabilité civile vie privée.")
    return ""


@dataclass(frozen=True)
class KindEligibility:
    """One kind of certificate for one contract: whether it applies, and why not."""

    kind: str
    label: str
    reason: str

    @property
    def eligible(self) -> bool:
        return not self.reason


def certificate_kinds_for(*, contract: Contract) -> list[KindEligibility]:
    """Every kind of certificate for this contract, in the usual order, with the reason of those that do not apply."""
    codes = {g.code for g in contract.guarantees.all()}
    return [
        KindEligibility(kind=value, label=str(label),
                        reason=certificate_kind_refusal(contract=contract, kind=value, guarantee_codes=codes))
        for value, label in CertificateKind.choices
    ]


# --- Numbers ------------------------------------------------------------------------------------


def certificate_number_generate(*, year: int) -> str:
    """A new random number, ATT-<year>-XXXXXXXX (40 random bits: not guessable, rate-limited anyway)."""
    return f"ATT-{year}-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def certificate_number_normalize(raw: str) -> str:
    """Forgive case, spaces and look-alike letters: ' att 2026 abcd-efgh ' → 'ATT-2026-ABCDEFGH'."""
    compact = re.sub(r"[\s.\-_/]", "", (raw or "").upper())
    if compact.startswith("ATT") and len(compact) == 15 and compact[3:7].isdigit():
        body = compact[7:].translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
        return f"ATT-{compact[3:7]}-{body}"
    return (raw or "").strip().upper()[:40]


def certificate_number_is_valid(number: str) -> bool:
    """True when a (normalised) number has the right shape."""
    return bool(NUMBER_RE.match(number))


# --- Validity periods -----------------------------------------------------------------------------


def school_year_parse(raw: str) -> tuple[int, int] | None:
    """'2026-2027' → (2026, 2027); None when malformed."""
    match = SCHOOL_YEAR_RE.match((raw or "").strip())
    if not match:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    return (first, second) if second == first + 1 else None


def school_years_offered(today: dt.date) -> list[str]:
    """The current school year and the next one (a school asks for the coming year from June)."""
    first = today.year if today.month >= 9 else today.year - 1
    return [f"{first}-{first + 1}", f"{first + 1}-{first + 2}"]


def current_period(contract: Contract) -> tuple[dt.date, dt.date]:
    """The contract's current insurance year: from the last due date to the day before the next one.

    Both ends are days covered (cover ends at 24:00 on the last one), as the contract's end date is.
    """
    due = next_main_due_date(contract.main_due_date, timezone.localdate())
    try:
        start = due.replace(year=due.year - 1)
    except ValueError:  # 29 February
        start = due.replace(year=due.year - 1, day=28)
    start = max(start, contract.start_date)
    end = due - dt.timedelta(days=1)
    if contract.end_date:
        end = min(end, contract.end_date)
    return start, max(start, end)


def certificate_validity(
    *, contract: Contract, kind: str, today: dt.date, valid_from, valid_until, school_year: str
) -> tuple[dt.date, dt.date]:
    errors: dict[str, list[str]] = {}
    period_start, period_end = current_period(contract)
    if kind in (CertificateKind.TENANT, CertificateKind.LENDER):
        return period_start, period_end
    if kind == CertificateKind.TEMPORARY:
        if valid_from is None:
            errors["valid_from"] = [_("Indiquez la date de début.")]
        if valid_until is None:
            errors["valid_until"] = [_("Indiquez la date de fin.")]
        if errors:
            raise ValidationError(errors)
        if valid_from < today:
            errors["valid_from"] = [_("La date de début ne peut pas être passée.")]
        elif valid_from < contract.start_date:
            errors["valid_from"] = [_("Le contrat ne commence que le %(date)s.") % {"date": fr_date(contract.start_date)}]
        if valid_until < valid_from:
            errors["valid_until"] = [_("La date de fin doit suivre la date de début.")]
        elif (valid_until - valid_from).days + 1 > TEMPORARY_MAX_DAYS:
            errors["valid_until"] = [
                _("Une attestation temporaire couvre au plus %(days)s jours.") % {"days": TEMPORARY_MAX_DAYS}
            ]
        elif contract.end_date and valid_until > contract.end_date:
            errors["valid_until"] = [
                _("Le contrat prend fin le %(date)s.") % {"date": fr_date(contract.end_date)}
            ]
        if errors:
            raise ValidationError(errors)
        return valid_from, valid_until
    if kind == CertificateKind.SCHOOL:
        years = school_year_parse(school_year)
        if years is None:
            raise ValidationError({"school_year": [_("Indiquez l'année scolaire sous la forme 2026-2027.")]})
        if f"{years[0]}-{years[1]}" not in school_years_offered(today):
            raise ValidationError(
                {"school_year": [_("Choisissez l'année scolaire en cours ou la suivante.")]}
            )
        start = max(dt.date(years[0], 9, 1), contract.start_date)
        end = dt.date(years[1], 8, 31)
        if contract.end_date:
            end = min(end, contract.end_date)
        if end < start:
            raise ValidationError({"school_year": [_("Le contrat ne couvre pas cette année scolaire.")]})
        return start, end
    raise ValidationError({"kind": [_("Choisissez un type d'attestation.")]})


def fr_date(value: dt.date, *, language: str | None = None) -> str:
    """A date as printed on certificates and in their messages, in words: « 1er décembre 2026 ».

    Certificates render under `override("fr")`; stored messages pass `language="fr"`.
    """
    return day_in_words(value, language=language)
