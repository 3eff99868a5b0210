"""Prices explain themselves: cover lines -> price before tax -> each tax and contribution -> total, adding up
exactly to the cent, on the contract page, the change page, the comparison and the amendment PDF (issue 15,
point 4). Insurance tax (TSCA) by CGI art. 991 and 1001; Cat Nat surcharge by L125-2 (rate of A125-2)."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from freezegun import freeze_time

import abri.urls  # noqa: F401 - schemas built before the clock is frozen
from abri.accounts.stepup import step_up_mark_fresh
from abri.contracts.models import Amendment, Contract
from abri.contracts.pricing import contract_choices
from tests.conftest import logged_in_client

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<tr class="breakdown-(\w+)"><(?:td|th)[^>]*>(?:\+ )?(.*?)</(?:td|th)><td class="amount">'
                 r"(?:<strong>)?(-?[\d\u202f]+,\d\d)\u00a0€")


def _euros(text: str) -> Decimal:
    return Decimal(text.replace("\u202f", "").replace(",", "."))


def _tables(html: str) -> list[list[tuple[str, str, Decimal]]]:
    """Every breakdown table of the page, as (kind, label, amount) rows."""
    return [[(kind, label, _euros(amount)) for kind, label, amount in ROW.findall(table)]
            for table in re.findall(r'<table class="breakdown">(.*?)</table>', html, re.S)]


def _assert_adds_up(rows, total: Decimal | None = None) -> None:
    covers = [amount for kind, _label, amount in rows if kind == "cover"]
    subtotal = next(amount for kind, _label, amount in rows if kind == "subtotal")
    extras = [amount for kind, _label, amount in rows if kind in ("surcharge", "catnat", "tax", "terrorism")]
    final = next(amount for kind, _label, amount in rows if kind == "total")
    assert len(covers) >= 5 and sum(covers) == subtotal, rows
    assert subtotal + sum(extras) == final, rows
    if total is not None:
        assert final == total
    labels = " ".join(label for _kind, label, _amount in rows)
    for words in ("Surprime catastrophes naturelles (20", "Taxe sur les conventions d&#x27;assurance (30",
                  "Taxe sur les conventions d&#x27;assurance (9", "Contribution attentats (FGTI"):
        assert words in labels, labels


@freeze_time("2026-12-01 10:00:00+01:00")
def test_contract_change_and_comparison_pages_explain_the_price_to_the_cent():
    """Before, the per-cover lines (TTC) added up to 222,13 € next to « hors taxes 177 € » and a total of
    228,63 €: nothing summed. Now each page's breakdown sums: covers = price before tax; + each tax = total."""
    call_command("seed_demo")
    contract = Contract.objects.get(number="MRH-2024-000101")
    client = logged_in_client(contract.customer)

    detail = client.get(f"/contrats/{contract.number}/").content.decode()
    [rows] = _tables(detail)
    _assert_adds_up(rows, contract.annual_premium)
    assert any("Frais de fractionnement (3" in label and "12 fois" in label for _k, label, _a in rows)

    change = client.get(f"/contrats/{contract.number}/modifier/",
                        {**contract_choices(contract), "formula": "integrale", "deductible": "0"}).content.decode()
    [rows] = _tables(change)
    _assert_adds_up(rows)
    assert any("13,4" in label and "protection juridique" in label for _k, label, _a in rows)

    comparison = client.get(f"/contrats/{contract.number}/comparer/").content.decode()
    tables = _tables(comparison)
    assert len(tables) == 3
    for rows in tables:
        _assert_adds_up(rows)


@freeze_time("2026-12-01 10:00:00+01:00")
def test_amendment_pdf_explains_the_new_price_and_a_refund_is_a_positive_amount(django_capture_on_commit_callbacks):
    """The signed amendment (avenant, L112-3) lists the new price's lines, adding up; a refund reads
    « 18,93 € remboursés », never « Remboursé : -18,93 € »."""
    from pypdf import PdfReader

    call_command("seed_demo")
    contract = Contract.objects.get(number="MRH-2024-000101")
    client = logged_in_client(contract.customer)
    cheaper = {**contract_choices(contract), "deductible": "500"}
    change = client.get(f"/contrats/{contract.number}/modifier/", cheaper, HTTP_HX_REQUEST="true").content.decode()
    refund = re.search(r"Jusqu'à la prochaine échéance : <strong class=\"amount\">([\d\u202f]+,\d\d)\u00a0€"
                       r"</strong> remboursés", change)
    assert refund, "a refund is said as a positive amount « remboursés »"
    assert "-" not in refund.group(1) and "Remboursé :" not in change

    step_up_mark_fresh(client)
    url = f"/contrats/{contract.number}/avenant/"
    page = client.get(url, cheaper).content.decode()
    assert f"{refund.group(1)}\u00a0€</span> remboursés" in page
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**cheaper, "version": version, "idempotency_key": key, "confirm": "1"})
    amendment = Amendment.objects.get(contract=contract)
    assert amendment.prorata_amount < 0
    amendments = client.get(f"/contrats/{contract.number}/avenants/").content.decode()
    assert f"{refund.group(1)}\u00a0€</span> remboursés" in amendments

    with amendment.document.file.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(handle).pages)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert f"{refund.group(1).replace(chr(0x202f), ' ')} € remboursés" in text
    assert "-" + refund.group(1) not in text
    # The letter's table: each label on its line, its amount (right-aligned cell) on the next.
    lines = re.findall(r"^()([^\n]+?)\n ?(\d[\d ]*,\d\d) €$", text, re.M)
    start = next(i for i, (_plus, label, _a) in enumerate(lines) if label.startswith("Incendie"))
    rows = lines[start:]
    subtotal_at = next(i for i, (_p, label, _a) in enumerate(rows) if label == "Cotisation hors taxes")
    total_at = next(i for i, (_p, label, _a) in enumerate(rows) if label == "Total annuel TTC")

    def euros(amount: str) -> Decimal:
        return Decimal(amount.replace(" ", "").replace(",", "."))

    assert sum(euros(a) for _p, _l, a in rows[:subtotal_at]) == euros(rows[subtotal_at][2])
    assert euros(rows[subtotal_at][2]) + sum(euros(a) for _p, _l, a in rows[subtotal_at + 1:total_at]) \
        == euros(rows[total_at][2]) == amendment.new_total_annual
    assert date(2026, 12, 1) == amendment.effective_date
