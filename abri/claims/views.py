"""Claim pages: the declaration wizard (saved at every step), the claim space and its live timeline."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from abri.accounts.stepup import step_up_is_fresh
from abri.claims import services
from abri.claims.choices import ClaimStatus
from abri.claims.forms import EvidenceUploadForm, MessageForm
from abri.claims.rules import ITEM_CATEGORY_LABELS
from abri.claims.selectors import (
    claim_documents_besides_evidence,
    claim_get,
    claims_for_customer,
    draft_get,
    drafts_for_customer,
    evidence_get,
)
from abri.claims.uploads import MAX_BYTES, MAX_FILES, UploadRejected
from abri.claims.wizard import STEP_NAMES, STEPS, step_form, step_next, step_previous, step_values
from abri.contracts.models import Contract
from abri.core.decorators import customer_required
from abri.core.downloads import download_response

PENDING_KEY = "abri_pending_claim_post"


def keep_post_when_logged_out(view):
    """A step posted after the session expired is kept, and restored once the customer logs in again."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if (not user.is_authenticated or not getattr(user, "is_customer", False)) and request.method == "POST":
            # The IBAN is not kept in clear in the session: it is typed again after the login.
            data = {k: v for k, v in request.POST.lists() if k not in {"csrfmiddlewaretoken", "iban"}}
            request.session[PENDING_KEY] = {"path": request.path, "data": data}
            return redirect_to_login(request.path)
        return customer_required(view)(request, *args, **kwargs)

    return wrapper


def _pending_post(request):
    """The data a customer posted before their session expired, for this very page (once)."""
    pending = request.session.get(PENDING_KEY)
    if pending and pending.get("path") == request.path:
        del request.session[PENDING_KEY]
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for key, values in pending["data"].items():
            query.setlist(key, values)
        return query
    return None


def _active_contracts(customer):
    return list(Contract.objects.for_customer(customer).in_force()
                .select_related("property").prefetch_related("guarantees").order_by("start_date", "id"))


@customer_required
def claim_list(request):
    """Sinistres: declarations in progress, open and past claims."""
    return render(request, "claims/list.html", {
        "claims": claims_for_customer(customer=request.customer),
        "drafts": drafts_for_customer(customer=request.customer),
        "active_menu": "claims",
    })


@customer_required
def declare_start(request):
    """Start a declaration (or resume one in progress)."""
    if request.method == "POST":
        try:
            draft = services.draft_start(customer=request.customer)
        except services.DraftRateLimited as exc:
            messages.error(request, str(exc))
            return render(request, "claims/declare_start.html", {
                "drafts": drafts_for_customer(customer=request.customer), "active_menu": "claims",
            }, status=429)
        contracts = _active_contracts(request.customer)
        if len(contracts) == 1:
            services.draft_save_step(customer=request.customer, draft=draft, step="home",
                                     values={"contract": contracts[0].number}, next_step="event")
            return redirect("claims:declare_step", key=draft.key, step="event")
        return redirect("claims:declare_step", key=draft.key, step="home")
    return render(request, "claims/declare_start.html", {
        "drafts": drafts_for_customer(customer=request.customer), "active_menu": "claims",
    })


def _summary_context(draft, contracts):
    data = draft.data
    contract = next((c for c in contracts if c.number == data.get("home", {}).get("contract")), None)
    event = data.get("event", {}).get("event")
    from abri.claims.choices import ClaimEvent

    when = data.get("when", {})
    learned_on = services.draft_learned_on(data=data)
    context = {"contract": contract, "event": event, "coverage": None, "deadline": None, "late": False,
               "occurred_on": date.fromisoformat(when["occurred_date"]) if when.get("occurred_date") else None,
               "learned_on": learned_on if when.get("learned_date") else None,
               "event_label": ClaimEvent(event).label if event in ClaimEvent.values else ""}
    if contract and event:
        context["coverage"] = services.coverage_for_event(contract=contract, event=event)
        if context["coverage"] is not None:
            context["deductible"] = services.deductible_for_event(contract=contract, event=event,
                                                                  guarantee=context["coverage"])
        deadline = services.draft_deadline(data=data)
        if deadline is not None:
            from django.utils import timezone

            context["deadline"] = deadline
            context["late"] = bool(deadline.due and timezone.localdate() > deadline.due)
    items = data.get("items", {}).get("items", [])
    from decimal import Decimal

    context["items"] = [{**i, "category_label": ITEM_CATEGORY_LABELS.get(i.get("category"), "")} for i in items]
    context["items_total"] = sum((Decimal(i["amount"]) for i in items), Decimal("0"))
    return context


@keep_post_when_logged_out
def declare_step(request, key, step):
    """One step of the wizard: GET shows it with what was saved, POST validates and saves it."""
    if step not in STEP_NAMES:
        raise Http404
    draft = draft_get(customer=request.customer, key=key)
    if draft.submitted_at:
        claim = getattr(draft, "submitted_claim", None)
        if claim:
            return redirect("claims:detail", number=claim.number)
        raise Http404
    contracts = _active_contracts(request.customer)
    restored = _pending_post(request) if request.method == "GET" else None
    data = request.POST if request.method == "POST" else restored
    form = step_form(step, draft, contracts, data, request.FILES if request.method == "POST" else None)
    upload_errors = []
    if request.method == "POST":
        if step == "evidence":
            upload_errors = _handle_evidence_post(request, draft, form)
            if not upload_errors and "continue" in request.POST:
                services.draft_save_step(customer=request.customer, draft=draft, step="evidence", values={"seen": True},
                                         next_step="summary")
                return redirect("claims:declare_step", key=draft.key, step="summary")
            if not upload_errors:
                return redirect("claims:declare_step", key=draft.key, step="evidence")
        elif step == "summary":
            return redirect("claims:declare_step", key=draft.key, step="summary")
        elif step == "bank" and "confirm_pending" in request.POST:
            return _bank_details_confirm(request, draft)
        elif step == "bank" and form.is_valid() and form.cleaned_data.get("iban"):
            return _bank_details_save(request, draft, step_values(step, form))
        elif form.is_valid():
            if step in {"items", "third_parties"} and "add_row" in request.POST:
                values = step_values(step, form)
                services.draft_save_step(customer=request.customer, draft=draft, step=step, values=values,
                                         next_step=step)
                draft.refresh_from_db()
                form = step_form(step, draft, contracts)
                form.extra += 2
            else:
                services.draft_save_step(customer=request.customer, draft=draft, step=step,
                                         values=step_values(step, form), next_step=step_next(step))
                target = request.POST.get("goto")
                if target in STEP_NAMES:
                    return redirect("claims:declare_step", key=draft.key, step=target)
                return redirect("claims:declare_step", key=draft.key, step=step_next(step))
    elif restored is not None and form is not None:
        form.is_valid()  # show what was restored, with any message beside its field
        messages.info(request, _("Votre session avait expiré : ce que vous aviez saisi a été conservé, "
                                 "vérifiez-le puis continuez."))
    context = {
        "draft": draft, "step": step, "steps": STEPS, "step_index": STEP_NAMES.index(step) + 1,
        "step_count": len(STEPS), "step_label": dict(STEPS)[step], "form": form, "previous": step_previous(step),
        "active_menu": "claims", "upload_errors": upload_errors,
        "evidence": draft.evidence.all() if step in {"evidence", "summary"} else [],
        "max_files": MAX_FILES, "max_mb": MAX_BYTES // (1024 * 1024),
        "event": draft.data.get("event", {}).get("event"), "contracts": contracts,
    }
    if step == "bank":
        context["bank_pending"] = draft.data.get(services.BANK_PENDING)
    if step == "summary":
        context.update(_summary_context(draft, contracts))
        # Each missing step with its name, so that the summary links to it (RGAA 11.10).
        context["missing"] = [(name, label) for name, label in STEPS[:4] if name not in draft.data]
    return render(request, "claims/declare_step.html", context)


def _step_up_then_back(request, draft):
    """To the second factor, then back to the bank step, where the IBAN kept (encrypted) waits."""
    back = reverse("claims:declare_step", args=[draft.key, "bank"])
    return redirect(reverse("accounts:step_up") + "?" + urlencode({"next": back}))


def _bank_details_save(request, draft, values):
    """An IBAN given or changed: like any bank-details change, only after a fresh second factor.

    Without one, what was typed is kept in the draft (encrypted) before going to the step-up, so that
    nothing is lost; the customer then confirms it on the same step.
    """
    if not step_up_is_fresh(request):
        services.draft_bank_details_hold(customer=request.customer, draft=draft, values=values)
        messages.info(request, _("Pour enregistrer des coordonnées bancaires, confirmez d'abord votre identité. "
                                 "Votre saisie est conservée."))
        return _step_up_then_back(request, draft)
    services.draft_bank_details_set(customer=request.customer, draft=draft, values=values, next_step=step_next("bank"))
    messages.success(request, _("Vos coordonnées bancaires sont enregistrées."))
    return redirect("claims:declare_step", key=draft.key, step=step_next("bank"))


def _bank_details_confirm(request, draft):
    """« Enregistrer cet IBAN » after the step-up: the IBAN kept in the draft becomes the indemnity account."""
    pending = draft.data.get(services.BANK_PENDING)
    if not pending:
        return redirect("claims:declare_step", key=draft.key, step="bank")
    if not step_up_is_fresh(request):
        return _step_up_then_back(request, draft)
    return _bank_details_save(request, draft, pending)


def _handle_evidence_post(request, draft, form) -> list[str]:
    """Files posted without JavaScript (several at once); each accepted or refused with its own message."""
    errors = []
    kind = request.POST.get("kind") or "photo"
    for upload in request.FILES.getlist("files"):
        if upload.size > MAX_BYTES:
            errors.append(_("« %(name)s » : ce fichier dépasse 20 Mo.") % {"name": upload.name[:80]})
            continue
        try:
            services.evidence_add(customer=request.customer, data=upload.read(), filename=upload.name, kind=kind,
                                  draft=draft)
        except UploadRejected as exc:
            errors.append(f"« {upload.name[:80]} » : {exc}")
    if "remove" in request.POST:
        services.evidence_remove(customer=request.customer, draft=draft, evidence_key=request.POST["remove"])
    return errors


@require_POST
@keep_post_when_logged_out
def evidence_upload(request, key):
    """One file per request, sent by htmx with progress and retry (ADR 0009); idempotent on X-Upload-Token.

    The answer is HTML like every partial: the line « Reçu : … » for the file's progress item, and the file
    added to the list of received files out of band; a refused file is a 413/422/429 fragment saying why.
    Without JavaScript the files are posted with the step itself (declare_step).
    """
    draft = draft_get(customer=request.customer, key=key)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BYTES + 64 * 1024:
        return _upload_refused(request, "", _("Ce fichier dépasse 20 Mo."), status=413)
    upload = request.FILES.get("file")
    if upload is None:
        return _upload_refused(request, "", _("Aucun fichier reçu : réessayez."), status=422)
    name = upload.name[:80]
    try:
        evidence = services.evidence_add(
            customer=request.customer, data=upload.read(), filename=upload.name,
            kind=request.POST.get("kind") or "photo", draft=draft,
            client_token=request.headers.get("X-Upload-Token", "")[:64],
        )
    except services.UploadRateLimited as exc:
        return _upload_refused(request, name, str(exc), status=429, headers={"Retry-After": "3600"})
    except UploadRejected as exc:
        return _upload_refused(request, name, str(exc), status=422)
    return render(request, "claims/partials/upload_result.html", {"evidence": evidence}, status=201)


def _upload_refused(request, name, error, *, status, headers=None):
    response = render(request, "claims/partials/upload_result.html", {"name": name, "error": error}, status=status)
    for header, value in (headers or {}).items():
        response[header] = value
    return response


@customer_required
def evidence_file(request, key):
    """A customer's own evidence file (re-encoded copy), or its thumbnail."""
    evidence = evidence_get(customer=request.customer, key=key)
    field = evidence.thumbnail if request.GET.get("vignette") and evidence.thumbnail else evidence.file
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # A photo of the home: shown inline, never cached (`download_response` says no-store, private).
    return download_response(
        file=handle, filename=field.name.rsplit("/", 1)[-1],
        content_type="image/jpeg" if field is evidence.thumbnail else evidence.content_type,
        inline=evidence.content_type != "application/pdf" or bool(request.GET.get("apercu")),
    )


@require_POST
@keep_post_when_logged_out
def declare_submit(request, key):
    """Submit the declaration: idempotent, returns the claim number at once."""
    draft = draft_get(customer=request.customer, key=key)
    try:
        claim = services.draft_submit(customer=request.customer, draft=draft)
    except services.ClaimError as exc:
        messages.error(request, str(exc))
        return redirect("claims:declare_step", key=draft.key, step="summary")
    messages.success(request, _("Votre déclaration est enregistrée sous le numéro %(number)s. "
                                "Un accusé de réception est dans vos documents.") % {"number": claim.number})
    return redirect("claims:detail", number=claim.number)


@require_POST
@customer_required
def draft_delete(request, key):
    """Abandon a declaration in progress."""
    draft = draft_get(customer=request.customer, key=key)
    if draft.submitted_at is None:
        draft.evidence.all().delete()
        draft.delete()
        messages.info(request, _("La déclaration en cours a été supprimée."))
    return redirect("claims:list")


def _claim_context(request, claim):
    return {
        "claim": claim, "next_step": services.next_step_for(claim), "active_menu": "claims",
        "message_form": MessageForm(), "upload_form": EvidenceUploadForm(),
        "statuses": ClaimStatus, "settlement": claim.settlement or None,
        "mediator": settings.ABRI_MEDIATOR_ADDRESS, "claim_documents": claim_documents_besides_evidence(claim=claim),
    }


@customer_required
def claim_detail(request, number: str):
    """The claim space: live timeline, what we need, settlement, messages, documents, payments.

    The live block polls the same URL with htmx (ADR 0009), which then answers the block only: `suivi`
    (auto|pause) says whether it keeps polling every 20 s, `etape` the step the page shows (a new one is
    announced out of band) and `version` the digest of the timeline it shows (unchanged → 204).
    """
    claim = claim_get(customer=request.customer, number=number)
    context = _claim_context(request, claim)
    if request.htmx:
        return _claim_live(request, claim, context)
    context["live"] = _live_state(request, claim, context, auto=True, first=True)
    return render(request, "claims/detail.html", context)


def _timeline_version(context) -> str:
    """A digest of the timeline as shown (the CSRF token, different at every render, set aside)."""
    html = render_to_string("claims/partials/timeline.html", {**context, "csrf_token": "-"})
    return hashlib.sha256(html.encode()).hexdigest()[:16]


def _live_state(request, claim, context, *, auto: bool, first: bool = False, version: str = "") -> dict:
    query = {"suivi": "auto" if auto else "pause", "etape": claim.status}
    return {
        "trigger": "every 20s, visibilitychange from:document" if auto else "", "auto": auto,
        # In the whole page the pause button waits, hidden, for JavaScript (page.js shows it when htmx runs).
        "needs_js": first,
        "query": urlencode({**query, "version": version or _timeline_version(context)}),
        "toggle_query": urlencode({**query, "suivi": "pause" if auto else "auto"}),
        "new_step": claim.get_status_display() if request.GET.get("etape", claim.status) != claim.status else "",
    }


def _claim_live(request, claim, context):
    """The live block: the timeline, the pause/resume button, and polling unless paused (WCAG 2.2.2)."""
    auto = request.GET.get("suivi") != "pause"
    version = _timeline_version(context)
    if auto and request.GET.get("version") == version:
        return HttpResponse(status=204)  # nothing new: htmx swaps nothing
    context["live"] = _live_state(request, claim, context, auto=auto, version=version)
    return render(request, "claims/partials/live.html", context)


@require_POST
@customer_required
def claim_message(request, number: str):
    """Post a message to the claims handler."""
    claim = claim_get(customer=request.customer, number=number)
    form = MessageForm(request.POST)
    if form.is_valid():
        services.claim_message_post(claim=claim, author=request.user, body=form.cleaned_data["body"],
                                    from_customer=True)
        messages.success(request, _("Votre message a été envoyé à votre gestionnaire."))
        return redirect(reverse("claims:detail", args=[claim.number]) + "#messages")
    context = _claim_context(request, claim)
    context["message_form"] = form
    return render(request, "claims/detail.html", context, status=422)


@require_POST
@customer_required
def claim_add_evidence(request, number: str):
    """Add documents later to a submitted claim; each gets a « reçu » confirmation."""
    claim = claim_get(customer=request.customer, number=number)
    received, errors = [], []
    for upload in request.FILES.getlist("files"):
        if upload.size > MAX_BYTES:
            errors.append(_("« %(name)s » : ce fichier dépasse 20 Mo.") % {"name": upload.name[:80]})
            continue
        try:
            services.evidence_add(customer=request.customer, data=upload.read(), filename=upload.name,
                                  kind=request.POST.get("kind") or "photo", claim=claim)
            received.append(upload.name[:80])
        except UploadRejected as exc:
            errors.append(f"« {upload.name[:80]} » : {exc}")
    if received:
        services.fast_track_evaluate(claim=claim)  # an invoice may complete a simple claim
    for name in received:
        messages.success(request, _("Reçu : « %(name)s »") % {"name": name})
    for error in errors:
        messages.error(request, error)
    if not received and not errors:
        messages.error(request, _("Choisissez au moins un fichier."))
    return redirect(reverse("claims:detail", args=[claim.number]) + "#documents")


@require_POST
@customer_required
def claim_accept(request, number: str):
    """Accept the indemnity offer (double clicks are harmless)."""
    claim = claim_get(customer=request.customer, number=number)
    try:
        services.claim_accept_offer(customer=request.customer, claim=claim)
        messages.success(request, _("Merci : vous avez accepté la proposition. Le paiement suit sous 21 jours au plus."))
    except services.ClaimError as exc:
        messages.error(request, str(exc))
    return redirect("claims:detail", number=claim.number)

