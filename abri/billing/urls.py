from django.urls import path

from abri.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.payment_list, name="list"),
    path("export.<str:fmt>", views.payment_export, name="export"),
    path("attestation/<int:year>.pdf", views.yearly_statement, name="statement"),
    path("payer/<int:item_id>/", views.pay_now, name="pay"),
    path("avis-echeance/<int:item_id>.pdf", views.invoice_download, {"kind": "notice"}, name="invoice_notice"),
    path("quittance/<int:item_id>.pdf", views.invoice_download, {"kind": "receipt"}, name="invoice_receipt"),
    path("avoir/<int:item_id>.pdf", views.invoice_download, {"kind": "refund"}, name="invoice_refund"),
    path("calendrier/", views.calendar_create, name="calendar_create"),
    path("calendrier/revoquer/", views.calendar_revoke, name="calendar_revoke"),
    # The token is a secret in the path: log redaction must mask /paiements/calendrier/<token>.ics.
    path("calendrier/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
