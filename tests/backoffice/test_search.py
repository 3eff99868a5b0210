"""Customer search: by customer number, name, e-mail, contract or claim number; paginated; indexed."""

import pytest
from django.db import connection

from abri.backoffice.selectors import customers_search, normalize_text
from abri.core.models import AuditLog
from tests.accounts.factories import CustomerFactory
from tests.claims.factories import make_claim


def numbers(client, query: str) -> list[str]:
    response = client.get("/backoffice/", {"q": query})
    assert response.status_code == 200
    return [c.customer_number for c in response.context["page"].object_list]


@pytest.mark.django_db
def test_search_by_customer_number_full_prefix_and_lower_case(advisor_client, alice, bob):
    assert numbers(advisor_client, alice.customer_number) == [alice.customer_number]
    assert numbers(advisor_client, alice.customer_number.lower()) == [alice.customer_number]
    assert alice.customer_number in numbers(advisor_client, alice.customer_number[:6])


@pytest.mark.django_db
def test_search_by_last_name_ignores_case_and_accents(advisor_client, alice, bob):
    # Bob's last name is « Lefèvre ».
    for query in ["Lefèvre", "lefevre", "LEFEVRE", "lefè", "Lef"]:
        assert numbers(advisor_client, query) == [bob.customer_number], query
    assert numbers(advisor_client, "durand") == [alice.customer_number]


@pytest.mark.django_db
def test_search_by_full_name_in_either_order(advisor_client, alice, db):
    CustomerFactory(first_name="Paul", last_name="Durand")
    assert numbers(advisor_client, "Alice Durand") == [alice.customer_number]
    assert numbers(advisor_client, "durand alice") == [alice.customer_number]
    assert len(numbers(advisor_client, "Durand")) == 2


@pytest.mark.django_db
def test_search_finds_accented_capitals_and_compound_names(advisor_client, db):
    emile = CustomerFactory(first_name="Émile", last_name="Élie-Dubœuf")
    assert numbers(advisor_client, "elie") == [emile.customer_number]
    assert numbers(advisor_client, "elie-duboeuf emile") == [emile.customer_number]


@pytest.mark.django_db
def test_search_by_email_ignores_case(advisor_client, alice, bob):
    assert numbers(advisor_client, alice.email) == [alice.customer_number]
    assert numbers(advisor_client, alice.email.upper()) == [alice.customer_number]


@pytest.mark.django_db
def test_search_by_contract_and_claim_number(advisor_client, alice, bob, alice_contract, bob_contract):
    assert numbers(advisor_client, alice_contract.number) == [alice.customer_number]
    assert numbers(advisor_client, alice_contract.number.lower()) == [alice.customer_number]
    claim = make_claim(contract=bob_contract)
    assert numbers(advisor_client, claim.number) == [bob.customer_number]


@pytest.mark.django_db
def test_results_link_to_the_customer_and_are_paginated(advisor_client, db):
    for n in range(25):
        CustomerFactory(last_name="Martin", first_name=f"Prénom{n:02d}")
    response = advisor_client.get("/backoffice/", {"q": "martin"})
    html = response.content.decode()
    page = response.context["page"]
    assert page.paginator.count == 25 and len(page.object_list) == 20
    assert "25 clients trouvés" in html
    assert f'href="/backoffice/clients/{page.object_list[0].customer_number}/"' in html
    assert 'href="?q=martin&amp;page=2"' in html
    second = advisor_client.get("/backoffice/", {"q": "martin", "page": 2}).context["page"]
    assert len(second.object_list) == 5


@pytest.mark.django_db
def test_no_result_and_too_short_queries_are_explained(advisor_client, alice):
    html = advisor_client.get("/backoffice/", {"q": "zzzzzz"}).content.decode()
    assert "Aucun client ne correspond" in html
    html = advisor_client.get("/backoffice/", {"q": "a"}).content.decode()
    assert "Saisissez au moins 2 caractères." in html
    assert 'value="a"' in html


@pytest.mark.django_db
def test_each_search_is_audited(advisor_client, advisor, alice):
    advisor_client.get("/backoffice/", {"q": "Durand"})
    entry = AuditLog.objects.get(action="staff.customer.search")
    assert entry.actor == advisor
    assert entry.data == {"query": "Durand", "results": 1}


@pytest.mark.django_db
def test_search_results_are_capped(db, monkeypatch):
    from abri.backoffice import selectors

    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 3)
    for _ in range(5):
        CustomerFactory(last_name="Bernard")
    found = customers_search(query="bernard")
    assert found.truncated and len(found.ids) == 3


def test_normalize_text_drops_case_accents_and_ligatures():
    assert normalize_text("Élie-Dubœuf Ç") == "elie-duboeuf c"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_name_search_is_driven_by_the_last_name_index(alice):
    from abri.backoffice.selectors import _ids_by_name  # noqa: PLC2701 - inspecting the plan

    captured = []
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _ids_by_name("lefevre")
    captured = ctx.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        plan = " ".join(str(row) for row in cursor.execute("EXPLAIN QUERY PLAN " + captured).fetchall())
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
    assert "SCAN accounts_customer " not in plan + " "
