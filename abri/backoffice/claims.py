"""Back-office pages for claims handlers: the queue and the claim workflow, each action through a service.

One module per feature in the back-office (ADR 0007): views and URLs, mounted at /backoffice/sinistres/.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abri.backoffice.decorators import staff_required
from abri.claims import services
from abri.claims.forms import (
    ExpertForm,
    MessageForm,
    QueueFilterForm,
    RefusalForm,
    ReportForm,
    SettlementForm,
    SettlementItemFormSet,
    VisitForm,
)
from abri.claims.models import Evidence
from abri.claims.rules import SettlementItem
from abri.claims.selectors import claim_for_staff, claims_queue
from abri.claims.uploads import MAX_BYTES, UploadRejected
from abri.core.downloads import download_response
from abri.core.services import audit_record

VIEW = "claims.view_claim"
CHANGE = "claims.change_claim"


@staff_required(VIEW)
def queue(request):
    """The handler's queue with filters (event, status, age, amount, deadline risk, mine)."""
    form = QueueFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {"event": d.get("event") or "", "status": d.get("status") or "",
                   "older_than_days": int(d["age"]) if d.get("age") else None,
                   "min_amount": d.get("min_amount"), "deadline_risk": bool(d.get("deadline_risk")),
                   "handler": request.user if d.get("mine") else None}
    page = Paginator(claims_queue(**filters), 30).get_page(request.GET.get("page"))
    return render(request, "claims/staff/queue.html", {"form": form, "page": page, "active_menu": "claims"})


def _handlers():
    return get_user_model().objects.filter(is_staff=True, is_active=True, staff_role__in=["claims_handler",
                                                                                         "administrator"])


def _settlement_initial(claim):
    if claim.settlement.get("lines"):
        return [{"label": li["label"], "category": li["category"], "replacement_value": li["replacement_value"],
                 "age_years": 0} for li in claim.settlement["lines"]]
    return [{"label": i["label"], "category": i.get("category", "other"), "replacement_value": i["amount"],
             "age_years": i.get("age_years", 0)} for i in claim.items]


def _context(request, claim, **extra):
    audit_record(actor=request.user, action="backoffice.claim_viewed", target=claim, customer=claim.customer)
    context = {
        "claim": claim, "active_menu": "claims", "handlers": _handlers(),
        "expert_form": ExpertForm(initial={"expert_name": claim.expert_name}), "visit_form": VisitForm(),
        "report_form": ReportForm(), "refusal_form": RefusalForm(), "message_form": MessageForm(),
        "settlement_formset": SettlementItemFormSet(prefix="s", initial=_settlement_initial(claim)),
        "settlement_form": SettlementForm(), "preview": None,
        "coverage": services.coverage_for_event(contract=claim.contract, event=claim.event_type),
        "can_change": request.user.has_perm(CHANGE),
    }
    context.update(extra)
    return context


def _invalid(request, claim, **forms):
    """The claim page again with the invalid form, its French messages beside the fields (422)."""
    return render(request, "claims/staff/detail.html", _context(request, claim, **forms), status=422)


@staff_required(VIEW)
def detail(request, number: str):
    """One claim with its timeline, evidence, messages and the actions its step allows."""
    claim = claim_for_staff(number=number)
    return render(request, "claims/staff/detail.html", _context(request, claim))


def _run(request, claim, action):
    try:
        action()
        messages.success(request, _("Action enregistrée."))
    except services.ClaimError as exc:
        messages.error(request, str(exc))
    except UploadRejected as exc:
        messages.error(request, str(exc))
    return redirect("backoffice_claims:detail", number=claim.number)


@require_POST
@staff_required(CHANGE)
def assign(request, number: str):
    claim = claim_for_staff(number=number)
    handler_id = request.POST.get("handler") or request.user.pk
    handler = get_object_or_404(_handlers(), pk=handler_id)
    return _run(request, claim, lambda: services.claim_assign(claim=claim, handler=handler, actor=request.user))


@require_POST
@staff_required(CHANGE)
def transition(request, number: str):
    claim = claim_for_staff(number=number)
    target = request.POST.get("to", "")
    if target == "closed":
        return _run(request, claim, lambda: services.claim_close(claim=claim, actor=request.user))
    if target == "under_review":
        return _run(request, claim, lambda: services.claim_transition(claim=claim, to_status=target,
                                                                      actor=request.user))
    raise Http404


@require_POST
@staff_required(CHANGE)
def appoint_expert(request, number: str):
    claim = claim_for_staff(number=number)
    form = ExpertForm(request.POST)
    if not form.is_valid():
        return _invalid(request, claim, expert_form=form)
    return _run(request, claim, lambda: services.claim_appoint_expert(
        claim=claim, expert_name=form.cleaned_data["expert_name"], actor=request.user))


@require_POST
@staff_required(CHANGE)
def plan_visit(request, number: str):
    claim = claim_for_staff(number=number)
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _invalid(request, claim, visit_form=form)
    return _run(request, claim, lambda: services.claim_plan_visit(
        claim=claim, visit_date=form.cleaned_data["visit_date"], slot=form.cleaned_data["slot"], actor=request.user))


@require_POST
@staff_required(CHANGE)
def upload_report(request, number: str):
    claim = claim_for_staff(number=number)
    form = ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _invalid(request, claim, report_form=form)
    upload = form.cleaned_data["report"]
    if upload.size > MAX_BYTES:
        messages.error(request, _("Ce fichier dépasse 20 Mo."))
        return redirect("backoffice_claims:detail", number=claim.number)
    return _run(request, claim, lambda: services.claim_add_report(claim=claim, data=upload.read(),
                                                                  filename=upload.name, actor=request.user))


@require_POST
@staff_required(CHANGE)
def settlement(request, number: str):
    """Compute the settlement (preview) or send it as the offer."""
    claim = claim_for_staff(number=number)
    formset = SettlementItemFormSet(request.POST, prefix="s")
    form = SettlementForm(request.POST)
    if not (formset.is_valid() and form.is_valid()):
        return _invalid(request, claim, settlement_formset=formset, settlement_form=form)
    items = [
        SettlementItem(f.cleaned_data["label"] or _("Bien"), f.cleaned_data.get("category") or "other",
                       f.cleaned_data["replacement_value"], f.cleaned_data.get("age_years") or Decimal("0"),
                       bool(f.cleaned_data.get("has_invoice_for_new")))
        for f in formset.forms if f.cleaned_data.get("replacement_value")
    ]
    capitals = {"declared_capital": form.cleaned_data.get("declared_capital"),
                "required_capital": form.cleaned_data.get("required_capital"),
                "building_required_capital": form.cleaned_data.get("building_required_capital")}
    if "send" in request.POST:
        return _run(request, claim, lambda: services.claim_make_offer(claim=claim, items=items, actor=request.user,
                                                                      **capitals))
    preview = services.claim_settlement_preview(claim=claim, items=items, **capitals) if items else None
    return render(request, "claims/staff/detail.html",
                  _context(request, claim, settlement_formset=formset, settlement_form=form, preview=preview))


@require_POST
@staff_required(CHANGE)
def record_payment(request, number: str):
    claim = claim_for_staff(number=number)
    return _run(request, claim, lambda: services.claim_record_payment(claim=claim, actor=request.user))


@require_POST
@staff_required(CHANGE)
def refuse(request, number: str):
    claim = claim_for_staff(number=number)
    form = RefusalForm(request.POST)
    if not form.is_valid():
        return _invalid(request, claim, refusal_form=form)
    return _run(request, claim, lambda: services.claim_refuse(claim=claim, reason=form.cleaned_data["reason"],
                                                              actor=request.user))


@require_POST
@staff_required(CHANGE)
def message(request, number: str):
    claim = claim_for_staff(number=number)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _invalid(request, claim, message_form=form)
    return _run(request, claim, lambda: services.claim_message_post(
        claim=claim, author=request.user, body=form.cleaned_data["body"], from_customer=False))


@staff_required(VIEW)
def evidence_file(request, number: str, key):
    """A claim's file for staff (audited)."""
    claim = claim_for_staff(number=number)
    evidence = get_object_or_404(Evidence.objects.filter(claim=claim), key=key)
    field = evidence.thumbnail if request.GET.get("vignette") and evidence.thumbnail else evidence.file
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    if not request.GET.get("vignette"):
        audit_record(actor=request.user, action="backoffice.evidence_viewed", target=claim, customer=claim.customer,
                     data={"evidence": str(evidence.key)})
    return download_response(
        file=handle, filename=field.name.rsplit("/", 1)[-1],
        content_type="image/jpeg" if field is evidence.thumbnail else evidence.content_type, inline=True,
    )


app_name = "backoffice_claims"
urlpatterns = [
    path("", queue, name="list"),
    path("<str:number>/", detail, name="detail"),
    path("<str:number>/attribuer/", assign, name="assign"),
    path("<str:number>/etape/", transition, name="transition"),
    path("<str:number>/expert/", appoint_expert, name="expert"),
    path("<str:number>/visite/", plan_visit, name="visit"),
    path("<str:number>/rapport/", upload_report, name="report"),
    path("<str:number>/indemnisation/", settlement, name="settlement"),
    path("<str:number>/paiement/", record_payment, name="payment"),
    path("<str:number>/refus/", refuse, name="refuse"),
    path("<str:number>/message/", message, name="message"),
    path("<str:number>/fichiers/<uuid:key>/", evidence_file, name="evidence"),
]
