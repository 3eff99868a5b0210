"""Customer certificate pages, mounted at /documents/attestations/."""

from django.urls import path

from abri.certificates import views

app_name = "certificates"
urlpatterns = [
    path("", views.certificate_page, name="page"),
    path("<str:number>/telecharger/", views.certificate_download, name="download"),
]
