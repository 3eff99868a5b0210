"""Who reaches the back-office: staff with both factors and the right permission, never customers."""

import pytest
from django.test import Client

from tests.accounts.factories import StaffFactory
from tests.backoffice.conftest import staff_client

STAFF_LOGIN = "/backoffice/connexion/"


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_staff_login():
    response = Client().get("/backoffice/")
    assert response.status_code == 302
    assert response["Location"].startswith(STAFF_LOGIN + "?next=/backoffice/")


@pytest.mark.django_db
def test_customer_never_enters_the_backoffice(alice_client, alice, bob):
    for url in ["/backoffice/", f"/backoffice/clients/{bob.customer_number}/",
                f"/backoffice/clients/{alice.customer_number}/"]:
        response = alice_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(STAFF_LOGIN), url
    response = alice_client.post(f"/backoffice/clients/{alice.customer_number}/deverrouiller/")
    assert response.status_code == 302 and response["Location"].startswith(STAFF_LOGIN)


@pytest.mark.django_db
def test_customer_with_a_forged_staff_marker_is_still_refused(alice):
    client = staff_client(alice.user)  # session marked as if both staff factors had passed
    assert client.get("/backoffice/")["Location"].startswith(STAFF_LOGIN)


@pytest.mark.django_db
def test_staff_never_reaches_customer_pages(advisor_client):
    for url in ["/tableau-de-bord/", "/contrats/", "/sinistres/", "/paiements/", "/documents/",
                "/mon-compte/"]:
        response = advisor_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/connexion/"), url


@pytest.mark.django_db
def test_password_alone_is_not_a_staff_session(advisor):
    client = Client()
    client.force_login(advisor, backend="abri.accounts.backends.StaffEmailBackend")  # no TOTP marker
    assert client.get("/backoffice/")["Location"].startswith(STAFF_LOGIN)


@pytest.mark.django_db
def test_staff_without_permission_gets_403(db, alice):
    nobody = StaffFactory(staff_role="")
    client = staff_client(nobody)
    for url in ["/backoffice/", f"/backoffice/clients/{alice.customer_number}/"]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_claims_handler_sees_the_customer_but_cannot_act_on_the_access(claims_handler, alice):
    client = staff_client(claims_handler)
    page = client.get(f"/backoffice/clients/{alice.customer_number}/")
    assert page.status_code == 200
    assert "Déverrouiller l'accès" not in page.content.decode()
    assert client.post(f"/backoffice/clients/{alice.customer_number}/deverrouiller/").status_code == 403
    assert client.post(f"/backoffice/clients/{alice.customer_number}/reinitialiser-code/").status_code == 403


@pytest.mark.django_db
def test_inactive_staff_loses_access(advisor):
    client = staff_client(advisor)
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])
    assert client.get("/backoffice/").status_code == 302


@pytest.mark.django_db
def test_django_admin_is_for_administrators_through_the_staff_login(advisor, staff_groups):
    assert Client().get("/admin/")["Location"].startswith("/admin/login/")
    assert Client().get("/admin/login/?next=/admin/")["Location"].startswith(STAFF_LOGIN)
    assert staff_client(advisor).get("/admin/login/?next=/admin/").status_code == 403
    admin = StaffFactory(staff_role="administrator", is_superuser=True)
    assert staff_client(admin).get("/admin/").status_code == 200


@pytest.mark.django_db
def test_staff_pages_are_not_cached(advisor_client):
    assert "no-store" in advisor_client.get("/backoffice/")["Cache-Control"]
