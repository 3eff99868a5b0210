import pytest
from django.test import Client, override_settings
from django.utils import timezone

from abri.core.models import AuditLog, WorkerHeartbeat
from abri.core.services import audit_record


@pytest.mark.django_db
def test_unknown_url_gives_french_404(client):
    response = client.get("/cette-page-nexiste-pas/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_server_error_gives_french_500_with_reference(settings):
    from django.urls import path

    from abri import urls as root

    def boom(request):
        raise RuntimeError("secret-internal-detail")

    root.urlpatterns.append(path("__boom__", boom))
    try:
        client = Client(raise_request_exception=False)
        response = client.get("/__boom__")
    finally:
        root.urlpatterns.pop()
    html = response.content.decode()
    assert response.status_code == 500
    assert "Une erreur est survenue" in html
    assert response["X-Request-ID"] in html
    assert "secret-internal-detail" not in html


@pytest.mark.django_db
def test_healthz_reports_database_and_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "worker": "absent"}
    WorkerHeartbeat.objects.create(name="w", beat_at=timezone.now())
    assert client.get("/healthz").json()["checks"]["worker"] == "ok"


@pytest.mark.django_db
def test_audit_log_is_append_only(alice):
    entry = audit_record(action="test.event", target=alice, data={"pin": "123456", "note": "ok"})
    assert entry.data == {"note": "ok"}  # secrets never stored
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditLog.objects.update(action="x")


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/connexion/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "geolocation" in response["Permissions-Policy"]
