"""Root URLs: French customer paths, public verification, back-office, API, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from abri.backoffice import views as backoffice_views
from abri.core import views as core_views
from abri.portal import views as portal_views

handler400 = "abri.core.views.error_400"
handler404 = "abri.core.views.error_404"
handler500 = "abri.core.views.error_500"

# Django admin: administrators only, signed in through the back-office login (password + TOTP).
admin.site.login = backoffice_views.admin_login_redirect
admin.site.has_permission = backoffice_views.admin_has_permission

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accessibilite/", core_views.accessibility_statement, name="accessibility"),
    path("tableau-de-bord/", portal_views.dashboard, name="dashboard"),
    path("", include("abri.accounts.urls")),
    path("contrats/", include("abri.contracts.urls")),
    path("sinistres/", include("abri.claims.urls")),
    path("paiements/", include("abri.billing.urls")),
    path("documents/attestations/", include("abri.certificates.urls")),
    path("documents/", include("abri.documents.urls")),
    path("notifications/", include("abri.notifications.urls")),
    path("assistance/", include("abri.support.urls")),
    path("verifier/", include("abri.certificates.verify_urls")),
    path("backoffice/sinistres/", include("abri.backoffice.claims")),
    path("backoffice/contrats/", include("abri.backoffice.contracts")),
    path("backoffice/documents/", include("abri.backoffice.documents")),
    path("backoffice/paiements/", include("abri.backoffice.payments")),
    path("backoffice/paiements/", include("abri.backoffice.billing")),
    path("backoffice/", include("abri.backoffice.urls")),
    path("api/v1/", include("abri.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

if settings.ABRI_DEMO:
    urlpatterns += [
        path("demo/outbox/", portal_views.demo_outbox, name="demo_outbox"),
        path("demo/outbox.json", portal_views.demo_outbox_json, name="demo_outbox_json"),
    ]
