"""/paiements/: the last twelve months as a server-drawn SVG chart, with the same figures as a sentence and a
table (never the chart alone), no inline style (strict CSP); and an empty state with a next step."""

import datetime as dt
import re

import pytest
from freezegun import freeze_time

from abri.core.money import format_eur


def _page(client, query=""):
    response = client.get(f"/paiements/{query}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_chart_sums_the_last_twelve_months_in_a_sentence_a_table_and_bars(alice_client, history):
    html = _page(alice_client)
    # Frozen on 15 June 2026: July 2025 to June 2026. Paid: 529,35 (Jan) + 12,30 (Mar); received: 300 (Feb) + 8 (Apr).
    # The 2025 premium (January 2025) is older than twelve months; failed, upcoming and cancelled lines are not money moved.
    summary = re.search(r'<p id="chart-summary"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert (f"Sur les 12 derniers mois, vous avez payé {format_eur('541.65')} et reçu {format_eur('308.00')}"
            in summary.replace("&#x27;", "'"))
    assert f"janvier 2026 ({format_eur('529.35')})" in summary
    table = html[html.index('id="chart-table-caption"'):]
    table = table[:table.index("</table>")]
    assert "<th scope=\"row\">juillet 2025</th>" in table and "<th scope=\"row\">juin 2026</th>" in table
    assert "janvier 2025" not in table
    assert f'<th scope="row">janvier 2026</th><td class="amount">{format_eur("529.35")}</td>' in table
    assert f'<th scope="row">février 2026</th><td class="amount">{format_eur("0")}</td><td class="amount">{format_eur("300.00")}</td>' in table
    svg = html[html.index('<svg class="payment-chart"'):html.index("</svg>", html.index('<svg class="payment-chart"'))]
    assert svg.count('class="bar-paid"') == 2 and svg.count('class="bar-received"') == 2
    # The tallest bar (January) fills the drawing's height; the others are drawn to scale.
    heights = [int(h) for h in re.findall(r'class="bar-paid"[^>]* height="(\d+)"', svg)]
    assert max(heights) == 170 - 22 - 26 and min(heights) == round(122 * 12.30 / 529.35)
    assert "style=" not in html and "<style" not in html


@pytest.mark.django_db
def test_chart_summary_says_nothing_was_received_rather_than_zero(alice_client, alice_contract):
    from tests.billing.conftest import add_item

    with freeze_time("2026-06-15 10:00:00"):
        add_item(alice_contract, dt.date(2026, 5, 15), "45.00", "paid")
        html = _page(alice_client)
    assert f"vous avez payé {format_eur('45.00')} ; aucun remboursement ni indemnité reçu." in html
    assert f"mai 2026 ({format_eur('45.00')})" in html


@pytest.mark.django_db
def test_chart_is_not_drawn_over_a_filtered_list(alice_client, history):
    assert 'class="payment-chart"' not in _page(alice_client, "?year=2025")


@pytest.mark.django_db
def test_a_customer_without_any_payment_gets_an_empty_state_with_a_next_step(alice_client, alice_contract):
    html = _page(alice_client)
    assert "Aucun paiement pour l'instant" in html
    assert "Filtrer les paiements" not in html  # nothing to filter yet
    assert "apparaîtront ici dès la première échéance" in html
    assert 'href="/contrats/"' in html and "Voir mes contrats et leur mode de paiement" in html
    assert 'class="payment-chart"' not in html
