"""Customer certificate pages, mounted at /documents/attestations/."""

from django.urls import path

from abri.documents import certificate_views

app_name = "certificates"
urlpatterns = [
    path("", certificate_views.certificate_page, name="page"),
    path("<str:number>/telecharger/", certificate_views.certificate_download, name="download"),
]
