"""Assistance: how to reach the insurer (the assistant and tickets come with the support issue)."""

from django.shortcuts import render

from abri.core.decorators import customer_required


@customer_required
def help_home(request):
    """Assistance home page."""
    return render(request, "support/home.html", {"active_menu": "help"})
