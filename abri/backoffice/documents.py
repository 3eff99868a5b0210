"""Back-office document pages: a customer's vault (search, filters, audited downloads), certificates
issued or revoked on the customer's behalf (audited with the staff member as actor), and the log of
public verifications. Thin: search, issue, revoke and the reads are the documents services/selectors.

One module per feature in the back-office (ADR 0007): views and URLs, mounted at /backoffice/documents/.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from abri.backoffice.decorators import staff_required
from abri.backoffice.selectors import customer_get_for_staff
from abri.certificates.choices import VerificationOutcome
from abri.certificates.forms import CertificateRequestForm
from abri.certificates.selectors import (
    certificate_get,
    certificates_for_customer,
    contracts_certifiable,
    verification_logs,
)
from abri.certificates.services import certificate_issue, certificate_revoke
from abri.core.services import audit_record
from abri.documents.forms import DATE_FORMATS, DocumentSearchForm
from abri.documents.search import ORDER_RELEVANCE, documents_search

VIEW = "documents.view_document"
ISSUE = "documents.add_document"  # administrators hold every permission
ISSUE_PREFIX = "issue"
REVOKE_PREFIX = "revoke"
CERTIFICATES_SHOWN = 50
LOGS_PER_PAGE = 50


class RevokeForm(forms.Form):
    """Why a certificate is revoked (kept in the audit log and on the certificate)."""

    reason = forms.CharField(
        label=gettext_lazy("Motif de la révocation"), max_length=200,
        error_messages={"required": gettext_lazy("Indiquez le motif de la révocation."),
                        "max_length": gettext_lazy("Le motif est limité à 200 caractères.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class VerificationFilterForm(forms.Form):
    """Filters of the verification log: number (part of it), outcome, since a date."""

    numero = forms.CharField(label=gettext_lazy("Numéro (ou partie)"), required=False, max_length=40,
                             error_messages={"max_length": gettext_lazy("40 caractères au plus.")},
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    resultat = forms.ChoiceField(
        label=gettext_lazy("Résultat"), required=False,
        choices=[("", gettext_lazy("Tous les résultats")), *VerificationOutcome.choices],
        error_messages={"invalid_choice": gettext_lazy("Choisissez un résultat dans la liste.")},
    )
    depuis = forms.DateField(
        label=gettext_lazy("Depuis le"), required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Saisissez une date valide, par exemple 31/12/2025.")},
    )

    def since(self) -> dt.datetime | None:
        day = self.cleaned_data.get("depuis")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _page_url(customer) -> str:
    return reverse("backoffice_documents:customer", args=[customer.customer_number])


def _render_customer_page(request, customer, *, issue_form=None, revoke_form=None, revoke_number="", status=200):
    """The customer's documents page: search and results, certificates, the issue form."""
    search_form = DocumentSearchForm(request.GET or None, customer=customer)
    search_form.fields["q"].label = _("Rechercher dans les documents du client")
    results = None
    if not request.GET or search_form.is_valid():
        cleaned = search_form.cleaned_data if search_form.is_bound else {}
        results = documents_search(
            customer=customer,
            query=cleaned.get("q", ""),
            filters=search_form.search_filters() if search_form.is_bound else None,
            order=cleaned.get("order") or ORDER_RELEVANCE,
            page=request.GET.get("page", 1),
        )
    can_issue = request.user.has_perm(ISSUE)
    contracts = list(contracts_certifiable(customer=customer)) if can_issue else []
    if can_issue and issue_form is None:
        issue_form = CertificateRequestForm(contracts=contracts, prefix=ISSUE_PREFIX)
    today = timezone.localdate()
    certificates = [(c, c.status_on(today)) for c in certificates_for_customer(customer=customer)[:CERTIFICATES_SHOWN]]
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return render(request, "documents/staff/customer.html", {
        "customer": customer,
        "form": search_form,
        "results": results,
        "page": results.page if results else None,
        "querystring": urlencode(params),
        "searching": bool(search_form.is_bound and (search_form.data.get("q") or search_form.has_filters())),
        "filters_open": search_form.is_bound and search_form.has_filters(),
        "certificates": certificates,
        "can_issue": can_issue,
        "contracts": contracts,
        "issue_form": issue_form,
        "revoke_form": revoke_form or RevokeForm(prefix=REVOKE_PREFIX),
        "revoke_number": revoke_number,
        "active_menu": "search",
    }, status=status)


@staff_required(VIEW)
def customer_documents(request, customer_number: str):
    """A customer's vault for staff: full-text search with the customer's own filters, certificates."""
    customer = customer_get_for_staff(customer_number=customer_number)
    audit_record(actor=request.user, action="backoffice.documents_viewed", target=customer, customer=customer,
                 data={"searched": bool(request.GET.get("q"))})
    return _render_customer_page(request, customer)


@require_POST
@staff_required(ISSUE)
def customer_certificate_issue(request, customer_number: str):
    """Issue a certificate on the customer's behalf (e.g. on the phone); the PDF lands in their vault."""
    customer = customer_get_for_staff(customer_number=customer_number)
    contracts = list(contracts_certifiable(customer=customer))
    form = CertificateRequestForm(request.POST, contracts=contracts, prefix=ISSUE_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        try:
            certificate = certificate_issue(
                customer=customer, contract=form.selected_contract, kind=data["kind"],
                valid_from=data.get("valid_from"), valid_until=data.get("valid_until"),
                child_first_name=data.get("child_first_name", ""), child_last_name=data.get("child_last_name", ""),
                school_year=data.get("school_year", ""), actor=request.user, channel="backoffice",
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Attestation %(number)s délivrée ; elle est rangée dans les documents du client.")
                             % {"number": certificate.number})
            return redirect(_page_url(customer) + "#attestations")
    return _render_customer_page(request, customer, issue_form=form, status=400)


@require_POST
@staff_required(ISSUE)
def customer_certificate_revoke(request, customer_number: str, number: str):
    """Revoke one of the customer's certificates: public verification then answers « révoquée »."""
    customer = customer_get_for_staff(customer_number=customer_number)
    certificate = certificate_get(customer=customer, number=number)
    form = RevokeForm(request.POST, prefix=REVOKE_PREFIX)
    if not form.is_valid():
        return _render_customer_page(request, customer, revoke_form=form, revoke_number=certificate.number, status=400)
    if certificate.revoked_at is not None:
        messages.info(request, _("L'attestation %(number)s était déjà révoquée.") % {"number": certificate.number})
    else:
        certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, _("Attestation %(number)s révoquée.") % {"number": certificate.number})
    return redirect(_page_url(customer) + "#attestations")


@staff_required(VIEW)
def verification_log(request):
    """Public verifications of certificates, newest first, filtered by number, outcome and date."""
    form = VerificationFilterForm(request.GET or None)
    page = None
    if not request.GET or form.is_valid():
        cleaned = form.cleaned_data if form.is_bound else {}
        logs = verification_logs(number=cleaned.get("numero", ""), outcome=cleaned.get("resultat", ""),
                                 since=form.since() if form.is_bound else None)
        page = Paginator(logs, LOGS_PER_PAGE).get_page(request.GET.get("page"))
    params = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return render(request, "documents/staff/verifications.html", {
        "form": form, "page": page, "querystring": urlencode(params), "active_menu": "verifications",
    }, status=200 if page is not None else 400)


app_name = "backoffice_documents"
urlpatterns = [
    path("verifications/", verification_log, name="verifications"),
    path("client/<str:customer_number>/", customer_documents, name="customer"),
    path("client/<str:customer_number>/attestations/", customer_certificate_issue, name="certificate_issue"),
    path("client/<str:customer_number>/attestations/<str:number>/revoquer/", customer_certificate_revoke,
         name="certificate_revoke"),
]
