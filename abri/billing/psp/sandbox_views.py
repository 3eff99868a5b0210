"""The sandbox PSP's hosted payment page and 3-D Secure challenge (served under /paiements/sandbox/).

This module stands for the PSP's own website: it is the ONLY code in Abri that receives a card number.
It checks the number against the test cards, keeps the last 4 digits and the brand in the sandbox's own
SandboxIntent (never the number, the expiry or the CVC), and tells Abri the outcome like a PSP does: a
signed webhook and a redirect to the return URL. Abri's own views and the API only ever see the
payment's status, last 4 digits and brand. Only served when ABRI_PSP=sandbox; no login (a PSP does not
know Abri's session): the intent token in the URL is a 192-bit secret.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from stdnum import luhn

from abri.billing.psp.choices import SandboxStatus
from abri.billing.psp.models import SandboxIntent
from abri.billing.psp.sandbox import TEST_CARDS, deliver_event
from abri.core.money import format_eur


class SandboxCardForm(forms.Form):
    """The card form of the sandbox's hosted page (shape checks only: the test cards decide the outcome)."""

    number = forms.CharField(label=gettext_lazy("Numéro de carte"), max_length=23,
                             help_text=gettext_lazy("16 chiffres, espaces permis"),
                             widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}))
    expiry = forms.CharField(label=gettext_lazy("Date d'expiration"), max_length=7,
                             help_text=gettext_lazy("MM/AA, par exemple 12/30"),
                             widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "inputmode": "numeric"}))
    cvc = forms.CharField(label=gettext_lazy("Cryptogramme (3 chiffres au dos)"), max_length=4,
                          widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}))
    holder = forms.CharField(label=gettext_lazy("Titulaire de la carte"), max_length=100,
                             widget=forms.TextInput(attrs={"autocomplete": "cc-name"}))

    def clean_number(self) -> str:
        number = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not number.isdigit() or not 13 <= len(number) <= 19 or not luhn.is_valid(number):
            raise forms.ValidationError(_("Ce numéro de carte n'est pas valide : vérifiez les chiffres."))
        if number not in TEST_CARDS:
            raise forms.ValidationError(_("Environnement de test : utilisez une des cartes de test indiquées."))
        return number

    def clean_expiry(self):
        match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", self.cleaned_data["expiry"])
        if not match or not 1 <= int(match[1]) <= 12:
            raise forms.ValidationError(_("Indiquez la date d'expiration au format MM/AA, par exemple 12/30."))
        month, year = int(match[1]), int(match[2]) % 100 + 2000
        today = timezone.localdate()
        if (year, month) < (today.year, today.month):
            raise forms.ValidationError(_("Cette carte est expirée."))
        return f"{month:02d}/{year % 100:02d}"

    def clean_cvc(self) -> str:
        cvc = self.cleaned_data["cvc"].strip()
        if not re.fullmatch(r"\d{3}", cvc):
            raise forms.ValidationError(_("Le cryptogramme compte 3 chiffres."))
        return cvc


def _intent(token: str) -> SandboxIntent:
    if settings.ABRI_PSP != "sandbox":
        raise Http404
    intent = SandboxIntent.objects.filter(token=token).first()
    if intent is None:
        raise Http404
    return intent


def _finish(intent: SandboxIntent, status: str, *, failure: str = "", **fields) -> None:
    """Change the sandbox's state once (conditional update: a second tab cannot pay the same intent twice)."""
    with transaction.atomic():
        changed = SandboxIntent.objects.filter(
            pk=intent.pk, status__in=[SandboxStatus.REQUIRES_PAYMENT_METHOD, SandboxStatus.REQUIRES_ACTION],
        ).update(status=status, failure_code=failure, **fields)
    if changed:
        intent.refresh_from_db()
        deliver_event(intent, {SandboxStatus.REQUIRES_ACTION: "payment.requires_action",
                               SandboxStatus.SUCCEEDED: "payment.succeeded",
                               SandboxStatus.FAILED: "payment.failed",
                               SandboxStatus.CANCELLED: "payment.cancelled"}[status])


def _context(intent: SandboxIntent, **extra) -> dict:
    return {"intent": intent, "amount": format_eur(intent.amount_cents / 100), **extra}


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_pay(request, token: str):
    """The hosted payment page: test cards only; success, 3-D Secure or declined, then back to Abri."""
    intent = _intent(token)
    if intent.status == SandboxStatus.REQUIRES_ACTION:
        return redirect("billing:sandbox_3ds", token=intent.token)
    if intent.status != SandboxStatus.REQUIRES_PAYMENT_METHOD:
        return render(request, "billing/sandbox/done.html", _context(intent), status=409)
    if request.method == "POST" and "cancel" in request.POST:
        _finish(intent, SandboxStatus.CANCELLED)
        return redirect(intent.return_url)
    form = SandboxCardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        outcome, brand = TEST_CARDS[number]
        card = {"card_last4": number[-4:], "card_brand": brand}
        if outcome == "requires_action":
            _finish(intent, SandboxStatus.REQUIRES_ACTION, **card)
            return redirect("billing:sandbox_3ds", token=intent.token)
        if outcome == "declined":
            _finish(intent, SandboxStatus.FAILED, failure="card_declined", **card)
        else:
            _finish(intent, SandboxStatus.SUCCEEDED, **card)
        intent.refresh_from_db()
        if intent.status == SandboxStatus.REQUIRES_PAYMENT_METHOD:  # unreachable; keeps the intent honest
            raise Http404
        return redirect(intent.return_url)
    if request.method == "POST":
        # Nothing typed is lost, but the CVC is never sent back to the browser (PCI DSS 3.2).
        data = request.POST.copy()
        data["cvc"] = ""
        errors = form.errors
        form = SandboxCardForm(data)
        form._errors = errors
    return render(request, "billing/sandbox/pay.html", _context(intent, form=form, test_cards=[
        ("4242 4242 4242 4242", _("paiement accepté")),
        ("4000 0027 6000 3184", _("authentification 3-D Secure demandée")),
        ("4000 0000 0000 0002", _("paiement refusé par la banque")),
    ]), status=422 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_3ds(request, token: str):
    """The 3-D Secure challenge of the card's bank (sandbox): approve or refuse, then back to Abri."""
    intent = _intent(token)
    if intent.status != SandboxStatus.REQUIRES_ACTION:
        if intent.status == SandboxStatus.REQUIRES_PAYMENT_METHOD:
            return redirect("billing:sandbox_pay", token=intent.token)
        return render(request, "billing/sandbox/done.html", _context(intent), status=409)
    if request.method == "POST":
        if request.POST.get("decision") == "approve":
            _finish(intent, SandboxStatus.SUCCEEDED)
        else:
            _finish(intent, SandboxStatus.FAILED, failure="authentication_failed")
        return redirect(intent.return_url)
    return render(request, "billing/sandbox/3ds.html", _context(intent))
