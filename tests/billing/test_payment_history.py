"""/paiements/: one history of every euro, French labels and amounts, filters, running balance, owner only."""

import pytest

from abri.billing.selectors import payment_history
from abri.core.money import format_eur


def _page(client, query=""):
    response = client.get(f"/paiements/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_history_shows_every_kind_of_line_with_french_labels_statuses_and_amounts(alice_client, history):
    html = _page(alice_client)
    assert "Cotisation mensuelle — échéance du 15 janvier 2026" in html
    assert "Ajustement de l&#x27;avenant AVT-2026-00000001 (prorata)" in html
    assert "Remboursement de l&#x27;avenant AVT-2026-00000002 (prorata)" in html
    assert f"Indemnité du sinistre {history['claim'].number}" in html
    for status in ("Payé", "Remboursé", "Versé", "Rejeté", "En retard", "À venir", "Annulé"):
        assert status in html
    assert format_eur("-529.35") in html  # « -529,35 € », paid by the customer
    assert "+" + format_eur("300.00") in html  # the indemnity, received
    # Running balance of settled lines: -1234.56 - 529.35 + 300 - 12.30 + 8.00
    assert format_eur("-1468.21") in html
    assert "15 janvier 2026" in html


@pytest.mark.django_db
def test_history_filters_by_year_type_status_and_balance_follows(alice_client, history):
    html = _page(alice_client, "?year=2025")
    assert format_eur("-1234.56") in html and "529,35" not in html
    assert "1 opération" in html
    html = _page(alice_client, "?kind=indemnity")
    assert "Indemnité du sinistre" in html and "Cotisation mensuelle" not in html
    assert html.count(format_eur("300.00")) >= 2  # amount and its own running balance
    html = _page(alice_client, "?status=overdue")
    assert "10 juin 2026" in html and "15 juillet 2026" not in html
    html = _page(alice_client, f"?contract={history['overdue'].contract.number}&year=2026&status=paid")
    assert format_eur("-529.35") in html and "1 234,56" not in html


@pytest.mark.django_db
def test_running_balance_counts_only_settled_lines_in_date_order(history, alice):
    entries = payment_history(customer=alice)
    balances = [(e.date.isoformat(), str(e.balance)) for e in reversed(entries) if e.balance is not None]
    assert balances == [("2025-01-15", "-1234.56"), ("2026-01-15", "-1763.91"), ("2026-02-20", "-1463.91"),
                        ("2026-03-01", "-1476.21"), ("2026-04-01", "-1468.21")]
    assert all(e.balance is None for e in entries if e.status in {"upcoming", "overdue", "failed", "cancelled"})


@pytest.mark.django_db
def test_bob_never_sees_alices_payments_even_filtering_on_his_contract(bob_client, alice_client, history):
    html = _page(bob_client)
    assert "BOB-SECRET-REF" in html
    assert "529,35" not in html and "IND-0001" not in html and "Indemnité du sinistre" not in html
    html = _page(alice_client, f"?contract={history['bob'].contract.number}")
    assert "BOB-SECRET-REF" not in html and "999,99" not in html


@pytest.mark.django_db
def test_history_page_query_count_does_not_grow_with_history(alice_client, history, alice_contract):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.billing.conftest import add_item

    with CaptureQueriesContext(connection) as small:
        _page(alice_client)
    for month in range(1, 13):
        add_item(alice_contract, dt.date(2024, month, 5), "45.00", "paid")
    with CaptureQueriesContext(connection) as large:
        _page(alice_client)
    assert len(large.captured_queries) == len(small.captured_queries)
