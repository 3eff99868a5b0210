import pytest

from tests.conftest import PIN


@pytest.mark.django_db
def test_login_with_number_and_pin_reaches_dashboard(client, alice):
    response = client.post("/connexion/", {"customer_number": alice.customer_number.lower(), "pin": PIN})
    assert response.status_code == 302
    assert response["Location"] == "/tableau-de-bord/"
    assert client.get("/tableau-de-bord/").status_code == 200


@pytest.mark.django_db
def test_wrong_pin_gives_one_generic_message(client, alice):
    response = client.post("/connexion/", {"customer_number": alice.customer_number, "pin": "999999"})
    assert response.status_code == 200
    assert "Numéro client ou code secret incorrect." in response.content.decode()


@pytest.mark.django_db
def test_malformed_number_gets_message_beside_field(client):
    response = client.post("/connexion/", {"customer_number": "ABC", "pin": "12"})
    html = response.content.decode()
    assert "Ce numéro client n&#x27;est pas valide" in html
    assert 'aria-invalid="true"' in html
    assert 'value="ABC"' in html  # what was typed is kept


@pytest.mark.django_db
def test_pages_require_login(client):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")
