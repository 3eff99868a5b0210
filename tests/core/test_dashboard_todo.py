"""Dashboard hierarchy: « À faire » (what needs the customer's action) comes before the widgets, with the action
itself; when nothing is due it says so. Empty lists (claims, documents) say what comes there and what to do next."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from abri.billing.models import ScheduleItem
from abri.notifications.services import notification_create
from tests.claims.factories import make_claim


def _dashboard(client):
    response = client.get("/tableau-de-bord/")
    assert response.status_code == 200
    return response.content.decode()


def _todo(html):
    start = html.index('aria-labelledby="w-todo"')
    return html[start:html.index("</section>", start)]


@pytest.mark.django_db
def test_todo_comes_first_with_overdue_payment_offer_to_answer_and_unread_messages(alice_client, alice, alice_contract,
                                                                                  bob, bob_contract):
    overdue = ScheduleItem.objects.create(customer=alice, contract=alice_contract, amount=Decimal("45.00"),
                                          due_date=timezone.localdate() - dt.timedelta(days=6), status="failed")
    claim = make_claim(contract=alice_contract, status="offer_made")
    make_claim(contract=alice_contract, status="expert_appointed")  # nothing to do for the customer: not listed
    make_claim(contract=bob_contract, status="offer_made")  # Bob's: never on Alice's page
    notification_create(customer=alice, title="Votre attestation est prête")
    html = _dashboard(alice_client)
    todo = _todo(html)
    # First on the page, before the guarantees, payments and claims widgets.
    assert html.index("À faire") < html.index("Mes garanties en cours") < html.index("Prochains paiements")
    assert "1 paiement en retard" in todo and "Prélèvement rejeté" in todo and "45,00\xa0€" in todo
    assert f'href="/paiements/payer/{overdue.pk}/"' in todo
    assert "Une proposition d&#x27;indemnisation attend votre réponse" in todo or \
        "Une proposition d'indemnisation attend votre réponse" in todo
    assert f'href="/sinistres/{claim.number}/"' in todo and "Voir la proposition et répondre" in todo
    assert todo.count("Voir la proposition et répondre") == 1
    assert "1 message non lu" in todo and "Lire mes messages" in todo
    assert "Rien à faire" not in todo


@pytest.mark.django_db
def test_todo_says_when_nothing_is_due(alice_client, alice_contract):
    make_claim(contract=alice_contract, status="under_review")
    todo = _todo(_dashboard(alice_client))
    assert "Rien à faire pour l" in todo
    assert "Aucun paiement en retard, aucune réponse attendue de votre part." in todo
    assert "Payer maintenant" not in todo


@pytest.mark.django_db
def test_empty_claims_and_documents_say_what_comes_there_and_offer_the_next_step(alice_client, alice_contract):
    html = alice_client.get("/sinistres/").content.decode()
    assert "Vous n&#x27;avez déclaré aucun sinistre." in html or "Vous n'avez déclaré aucun sinistre." in html
    assert "déclarez-le ici en quelques minutes" in html
    main = html[html.index("<main"):]
    assert main.count('href="/sinistres/declarer/"') == 2  # the page's button and the empty state's next step
    html = alice_client.get("/documents/").content.decode()
    assert "Aucun document pour le moment." in html
    assert "seront rangés ici dès leur émission" in html
    assert '<a class="button" href="/documents/attestations/">Obtenir une attestation</a>' in html
    dashboard = _dashboard(alice_client)
    assert "Aucun sinistre en cours." in dashboard and "Déclarer un sinistre" in dashboard
