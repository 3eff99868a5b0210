"""Public certificate verification, mounted at /verifier/ (no account needed)."""

from django.urls import path

from abri.certificates import views

app_name = "verify"
urlpatterns = [
    path("", views.verify_page, name="page"),
    path("certificat.pem", views.verify_certificate_pem, name="certificate_pem"),
    path("ac.pem", views.verify_ca_pem, name="ca_pem"),
]
