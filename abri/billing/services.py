"""Writes for billing: the calendar feed's secret link, the yearly premium statement, payment references."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from abri.accounts.models import Customer
from abri.billing.letters import yearly_statement_pdf
from abri.billing.models import CalendarFeed, ScheduleItem
from abri.billing.selectors import yearly_premiums
from abri.core.money import format_eur
from abri.core.services import audit_record
from abri.documents.choices import DocumentKind
from abri.documents.models import Document
from abri.documents.services import document_file


def calendar_token_hash(token: str) -> str:
    """SHA-256 of a calendar token: 256 random bits need no slow hash, and the database never holds the link."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, customer, actor=None) -> tuple[CalendarFeed, str]:
    """A new secret calendar link (the previous one stops working); the token is returned once, never stored."""
    now = timezone.now()
    CalendarFeed.objects.for_customer(customer).filter(revoked_at=None).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(customer=customer, token_hash=calendar_token_hash(token))
    audit_record(actor=actor or customer.user, action="billing.calendar_feed_created", target=feed, customer=customer)
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, customer, actor=None) -> int:
    """Revoke the customer's calendar links: every calendar subscribed with them gets a 404 from now on."""
    revoked = CalendarFeed.objects.for_customer(customer).filter(revoked_at=None).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor or customer.user, action="billing.calendar_feed_revoked", customer=customer,
                     data={"count": revoked})
    return revoked


def calendar_feed_used(*, feed: CalendarFeed) -> None:
    """Note when a calendar last fetched the feed (shown on /paiements/, so a forgotten link can be spotted)."""
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())


def creditor_reference(*, item: ScheduleItem) -> str:
    """The ISO 11649 structured creditor reference (RF…) that identifies this amount on a bank transfer."""
    base = f"{item.customer.customer_number}{item.pk:010d}"
    reference = f"RF{mod_97_10.calc_check_digits(base + 'RF')}{base}"
    return iso11649.validate(reference)


def insurer_bank_details() -> dict[str, str]:
    """The insurer's account for transfers (configured; the demo value is a well-known example IBAN)."""
    from schwifty import IBAN

    iban = IBAN(settings.ABRI_INSURER_IBAN)
    return {"iban": iban.formatted, "bic": str(settings.ABRI_INSURER_BIC or iban.bic or ""),
            "holder": settings.ABRI_INSURER_NAME}


def _pdf_eur(value) -> str:
    """« 1 234,56 € » with ordinary spaces: the PDF's standard fonts have no narrow no-break space."""
    return format_eur(value).replace("\u202f", " ").replace("\u00a0", " ")


def yearly_statement(*, customer, year: int):
    """The « attestation annuelle de cotisations » for a year: rendered, signed, filed in the customer's documents.

    Asked again with the same total (nothing paid or refunded since), the filed one is served, not filed twice.
    Filed through the vault's front door (rendered and signed by its task): returns (document, the PDF's
    bytes, or None while it is « en préparation »).
    """
    rows = yearly_premiums(customer=customer, year=year)
    total = sum((row["net"] for row in rows), Decimal("0.00"))
    title = yearly_statement_title(year)
    existing = (Document.objects.for_customer(customer).filter(kind=DocumentKind.RECEIPT, title=title)
                .order_by("-created_at", "-id").first())
    if existing is None or existing.amount != total:
        with transaction.atomic():
            existing = document_file(customer=customer, kind=DocumentKind.RECEIPT, title=title,
                                     renderer=YEARLY_STATEMENT_RENDERER,
                                     renderer_args={"customer_id": customer.pk, "year": year},
                                     amount=total, filename=f"attestation-cotisations-{year}.pdf", sign=True,
                                     actor=customer.user, audit_data={"year": year})
            audit_record(actor=customer.user, action="billing.yearly_statement", target=existing, customer=customer,
                         data={"year": year})
        existing.refresh_from_db(fields=["file", "size_bytes"])
    if existing.is_pending:
        return existing, None
    with existing.file.open("rb") as handle:
        return existing, handle.read()


YEARLY_STATEMENT_RENDERER = "billing.yearly_statement"


def yearly_statement_render(*, customer_id: int, year: int) -> bytes:
    """The vault's renderer for the yearly statement (`document_file`): the letter from the year's premiums."""
    customer = Customer.objects.get(pk=customer_id)
    rows = yearly_premiums(customer=customer, year=year)
    total = sum((row["net"] for row in rows), Decimal("0.00"))
    return yearly_statement_pdf(customer=customer, year=year, rows=rows, total=total,
                                title=yearly_statement_title(year))


def yearly_statement_title(year: int) -> str:
    """The statement's title, also the key under which it is filed (one per year): in the site's language,
    whatever the language of the request, so that asking in English finds the statement filed in French."""
    with override(settings.LANGUAGE_CODE):
        return _("Attestation annuelle de cotisations %(year)s") % {"year": year}
