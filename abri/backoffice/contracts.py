"""Back-office pages for contracts: any contract with its amendments and terminations, a change on the
customer's behalf (audited), termination requests, and tariff versions for administrators.

One module per feature in the back-office (ADR 0007): views and URLs, mounted at /backoffice/contrats/.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abri import pricing
from abri.backoffice.decorators import staff_required
from abri.contracts import services
from abri.contracts.choices import TERMINATION_OPEN, CapitalRequestStatus, ContractStatus
from abri.contracts.forms import ChangeForm
from abri.contracts.models import CapitalRequest, Contract, TerminationRequest
from abri.contracts.pricing import contract_choices, quote_change
from abri.contracts.tariff_admin import tariff_upload
from abri.core.formats import day as day_in_words
from abri.core.services import audit_record
from abri.dunning import services as dunning

VIEW = "contracts.view_contract"
CHANGE = "contracts.change_contract"


@staff_required(VIEW)
def contract_list(request):
    """Contracts by number, customer or status; termination requests first when asked."""
    q = (request.GET.get("q") or "").strip()[:60]
    status = request.GET.get("status", "")
    qs = Contract.objects.select_related("customer", "property").order_by("-id")
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(customer__customer_number__iexact=q.upper().replace(" ", ""))
                       | Q(customer__last_name__iexact=q))
    if status in ContractStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    terminations = TerminationRequest.objects.select_related("contract", "customer").filter(status__in=TERMINATION_OPEN)[:20]
    capital_requests = CapitalRequest.objects.select_related("contract", "customer").filter(
        status=CapitalRequestStatus.PENDING)[:20]
    return render(request, "contracts/staff/list.html", {"page": page, "q": q, "status": status,
                                                         "statuses": ContractStatus.choices,
                                                         "capital_requests": capital_requests,
                                                         "terminations": terminations, "active_menu": "contracts"})


@staff_required(VIEW)
def contract_detail(request, number: str):
    """One contract, its amendments and terminations, and a change on the customer's behalf."""
    contract = get_object_or_404(Contract.objects.select_related("customer", "property")
                                 .prefetch_related("guarantees", "amendments", "terminations", "capital_requests"),
                                 number=number)
    audit_record(actor=request.user, action="backoffice.contract_viewed", target=contract, customer=contract.customer)
    form = ChangeForm(request.GET if "formula" in request.GET else None, initial=contract_choices(contract))
    result = quote_change(contract=contract, choices=form.choices()) if form.is_bound and form.is_valid() else None
    return render(request, "contracts/staff/detail.html", {
        "contract": contract, "form": form, "result": result, "active_menu": "contracts",
        "can_change": request.user.has_perm(CHANGE), "idempotency_key": uuid.uuid4().hex,
        "non_payment_termination_from": dunning.termination_possible_from(contract),
    })


@require_POST
@staff_required(CHANGE)
def contract_terminate_unpaid(request, number: str):
    """Terminate a suspended contract for non-payment (L113-3, from 10 days after the suspension): a staff
    decision, audited with the advisor as actor; the letter goes to the customer's documents."""
    contract = get_object_or_404(Contract.objects.select_related("customer", "property"), number=number)
    try:
        if dunning.dunning_terminate(contract=contract, actor=request.user):
            messages.success(request, _("Contrat résilié pour non-paiement ; le client est prévenu."))
        else:
            messages.error(request, _("Ce contrat a été modifié entre-temps."))
    except dunning.DunningError as exc:
        messages.error(request, str(exc))
    return redirect("backoffice_contracts:detail", number=number)


@require_POST
@staff_required(CHANGE)
def contract_change(request, number: str):
    """Apply a change on the customer's behalf (audited with the advisor as actor)."""
    contract = get_object_or_404(Contract.objects.select_related("customer"), number=number)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vérifiez les choix."))
        return redirect("backoffice_contracts:detail", number=number)
    try:
        amendment = services.amendment_apply(
            customer=contract.customer, contract=contract, choices=form.choices(),
            expected_version=int(request.POST.get("version", "0") or 0),
            idempotency_key=(request.POST.get("idempotency_key") or uuid.uuid4().hex)[:64], actor=request.user,
        )
        messages.success(request, _("Avenant %(n)s appliqué pour le client.") % {"n": amendment.number})
    except (services.ContractError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("backoffice_contracts:detail", number=number)


@staff_required(VIEW)
def tariffs(request):
    """Tariff versions; administrators upload a new one (it applies to new quotes from its date)."""
    error_lines = []
    if request.method == "POST":
        if not request.user.is_superuser and request.user.staff_role != "administrator":
            return render(request, "backoffice/forbidden.html", status=403)
        upload = request.FILES.get("tariff")
        if upload is None:
            error_lines = [_("Choisissez un fichier de tarif (.toml).")]
        else:
            try:
                tariff = tariff_upload(content=upload.read(), actor=request.user)
                messages.success(request, _("Tarif %(v)s ajouté : il s'applique aux nouveaux devis à partir du %(d)s.")
                                 % {"v": tariff.version, "d": day_in_words(tariff.effective_from)})
                return redirect("backoffice_contracts:tariffs")
            except pricing.TariffFileError as exc:
                error_lines = exc.problems
    return render(request, "contracts/staff/tariffs.html", {
        "tariffs": pricing.available_tariffs(), "errors": error_lines, "active_menu": "contracts",
        "can_upload": request.user.is_superuser or request.user.staff_role == "administrator",
    })


app_name = "backoffice_contracts"
urlpatterns = [
    path("", contract_list, name="list"),
    path("tarifs/", tariffs, name="tariffs"),
    path("<str:number>/", contract_detail, name="detail"),
    path("<str:number>/modifier/", contract_change, name="change"),
    path("<str:number>/resilier-impaye/", contract_terminate_unpaid, name="terminate_unpaid"),
]
