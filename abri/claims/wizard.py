"""The declaration wizard's steps: one form per step, shared by the pages and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from abri.claims import services
from abri.claims.forms import (
    BankForm,
    DetailsForm,
    EventForm,
    EvidenceUploadForm,
    HomeForm,
    ItemFormSet,
    ThirdPartyFormSet,
    WhenForm,
)

STEPS = [
    ("home", _("Logement")),
    ("event", _("Événement")),
    ("when", _("Date et lieu")),
    ("details", _("Circonstances")),
    ("items", _("Biens endommagés")),
    ("third_parties", _("Personnes concernées")),
    ("bank", _("Indemnisation")),
    ("evidence", _("Photos et justificatifs")),
    ("summary", _("Récapitulatif")),
]
STEP_NAMES = [s for s, _label in STEPS]

# The public step API, used alike by the pages (claims.views) and the API (api.routers.claim_declaration).
__all__ = ["STEPS", "STEP_NAMES", "step_form", "step_next", "step_previous", "step_values"]


def step_form(step, draft, contracts, data=None, files=None):
    """The form (or formset) of `step`, pre-filled from the draft; bound when `data` is given; None for the summary."""
    saved = draft.data.get(step, {})
    event = draft.data.get("event", {}).get("event", "other")
    if step == "home":
        return HomeForm(data, contracts=contracts, initial=saved)
    if step == "event":
        return EventForm(data, initial=saved)
    if step == "when":
        initial = {"occurred_date": saved.get("occurred_date"), "learned_date": saved.get("learned_date") or None,
                   "occurred_time": saved.get("occurred_time"),
                   "location_mode": saved.get("location", {}).get("mode", "home"),
                   "address": saved.get("location", {}).get("address", ""),
                   "lat": saved.get("location", {}).get("lat"), "lon": saved.get("location", {}).get("lon")}
        return WhenForm(data, initial=initial)
    if step == "details":
        initial = {k: ("yes" if v is True else "no" if v is False else v) for k, v in saved.items()}
        return DetailsForm(data, event=event, initial=initial)
    if step == "items":
        initial = saved.get("items") or []
        extra_rows = max(3 - len(initial), 1)
        formset = ItemFormSet(data, prefix="items", initial=initial)
        formset.extra = extra_rows
        return formset
    if step == "third_parties":
        formset = ThirdPartyFormSet(data, prefix="parties", initial=saved.get("parties") or [])
        formset.extra = 1 if not saved.get("parties") else 0
        return formset
    if step == "bank":
        return BankForm(data, initial={"holder": saved.get("holder", ""), "later": saved.get("later", False)})
    if step == "evidence":
        return EvidenceUploadForm(data, files)
    return None


def step_values(step, form):
    """What a valid `step_form` saves in the draft (an IBAN only encrypted and masked)."""
    if step == "when":
        return form.to_values()
    if step == "details":
        return form.to_values()
    if step == "items":
        rows = []
        for f in form.forms:
            d = f.cleaned_data
            if d.get("label") and d.get("amount") is not None:
                rows.append({"label": d["label"], "category": d.get("category") or "other", "amount": str(d["amount"]),
                             "age_years": str(d.get("age_years") or 0)})
        return {"items": rows}
    if step == "third_parties":
        return {"parties": [f.cleaned_data for f in form.forms if f.cleaned_data.get("name")]}
    if step == "bank":
        d = form.cleaned_data
        if d.get("iban"):
            return {**services.iban_protect(d["iban"]), "holder": d.get("holder", "").strip(), "later": False}
        return {"later": True, "holder": ""}
    return dict(form.cleaned_data)


def step_next(step):
    """The step after `step` (the last one stays the last)."""
    index = STEP_NAMES.index(step)
    return STEP_NAMES[min(index + 1, len(STEP_NAMES) - 1)]


def step_previous(step):
    """The step before `step` (the first one stays the first)."""
    index = STEP_NAMES.index(step)
    return STEP_NAMES[max(index - 1, 0)]


