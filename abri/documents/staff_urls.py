"""Back-office document pages, mounted at /backoffice/documents/."""

from django.urls import path

from abri.documents import staff_views as views

app_name = "backoffice_documents"
urlpatterns = [
    path("verifications/", views.verification_log, name="verifications"),
    path("client/<str:customer_number>/", views.customer_documents, name="customer"),
    path("client/<str:customer_number>/attestations/", views.customer_certificate_issue, name="certificate_issue"),
    path("client/<str:customer_number>/attestations/<str:number>/revoquer/", views.customer_certificate_revoke,
         name="certificate_revoke"),
]
