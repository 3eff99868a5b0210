"""Public certificate verification, mounted at /verifier/ (no account needed)."""

from django.urls import path

from abri.documents import verification

app_name = "verify"
urlpatterns = [
    path("", verification.verify_page, name="page"),
    path("certificat.pem", verification.verify_certificate_pem, name="certificate_pem"),
    path("ac.pem", verification.verify_ca_pem, name="ca_pem"),
]
