from django.urls import path

from abri.billing import views
from abri.billing.psp import sandbox_views

app_name = "billing"
urlpatterns = [
    path("", views.payment_list, name="list"),
    path("export.<str:fmt>", views.payment_export, name="export"),
    path("attestation/<int:year>.pdf", views.yearly_statement, name="statement"),
    path("payer/<int:item_id>/", views.pay_now, name="pay"),
    path("prelevement/", views.mandate_edit, name="mandate"),
    path("prelevement/<int:mandate_id>/revoquer/", views.mandate_revoke, name="mandate_revoke"),
    path("prelevement/<int:mandate_id>/mandat.pdf", views.mandate_pdf, name="mandate_pdf"),
    path("payer/<int:item_id>/carte/", views.card_start, name="card_start"),
    path("carte/<int:payment_id>/retour/", views.card_return, name="card_return"),
    # The sandbox PSP's own pages (ABRI_PSP=sandbox only): the one place a card number is typed.
    path("sandbox/<str:token>/", sandbox_views.sandbox_pay, name="sandbox_pay"),
    path("sandbox/<str:token>/3ds/", sandbox_views.sandbox_3ds, name="sandbox_3ds"),
    path("avis-echeance/<int:item_id>.pdf", views.invoice_download, {"kind": "notice"}, name="invoice_notice"),
    path("quittance/<int:item_id>.pdf", views.invoice_download, {"kind": "receipt"}, name="invoice_receipt"),
    path("avoir/<int:item_id>.pdf", views.invoice_download, {"kind": "refund"}, name="invoice_refund"),
    path("calendrier/", views.calendar_create, name="calendar_create"),
    path("calendrier/revoquer/", views.calendar_revoke, name="calendar_revoke"),
    # The token is a secret in the path: log redaction must mask /paiements/calendrier/<token>.ics.
    path("calendrier/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
