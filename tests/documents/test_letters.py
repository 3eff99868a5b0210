"""Issue 15 point 8: amendments, termination acknowledgements, claim acknowledgements and premium statements
share one insurer's layout (abri/documents/layout.py): the letterhead and legal mentions come from settings,
a title, a reference block, tables with amounts in French euros, « Page 1 sur N », tagged PDF metadata, and
the PAdES signature still validates."""

import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from abri.billing.services import yearly_statement
from abri.claims.services import acknowledgement_issue
from abri.contracts.pricing import contract_choices
from abri.contracts.services import amendment_apply, termination_request
from abri.documents.layout import Letter, Table, Text, render_letter
from tests.billing.conftest import add_item
from tests.claims.factories import make_claim
from tests.documents.test_tagged_pdfs import _read, _signature_status, assert_tagged

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "documents"


@pytest.fixture
def insurer_settings(settings):
    """Another insurer's identity: every letter must print it, not the demo's."""
    settings.ABRI_INSURER_NAME = "Mutuelle du Levant"
    settings.ABRI_INSURER_LEGAL_FORM = "Société d'assurance mutuelle à cotisations variables"
    settings.ABRI_INSURER_ADDRESS = "8 quai Saint-Vincent, 69001 Lyon"
    settings.ABRI_INSURER_RCS = "RCS Lyon 775 000 001"
    settings.ABRI_INSURER_PHONE = "01 99 00 55 66"
    settings.ABRI_INSURER_EMAIL = "service@levant.example"
    return settings


def _text(pdf: bytes) -> list[str]:
    """The text of each page, spaces (no-break ones included) folded to one."""
    return [re.sub(r"\s+", " ", page.extract_text().replace("\u00a0", " ").replace("\u202f", " "))
            for page in PdfReader(io.BytesIO(pdf)).pages]


def _assert_letter(pdf: bytes, tmp_path, *, title: str, references: list[str]) -> str:
    pages = _text(pdf)
    text = " ".join(pages)
    # Letterhead and legal mentions from settings.
    assert pages[0].startswith("Mutuelle du Levant")
    assert "8 quai Saint-Vincent, 69001 Lyon" in pages[0] and "01 99 00 55 66" in pages[0]
    assert ("Mutuelle du Levant — Société d'assurance mutuelle à cotisations variables — 8 quai Saint-Vincent, "
            "69001 Lyon — RCS Lyon 775 000 001") in text
    assert "soumise au contrôle de l'Autorité de contrôle prudentiel et de résolution (ACPR)" in text
    assert "Abri Assurances" not in text
    # Title, reference block, page numbers on every page.
    assert title in pages[0]
    assert "VOS RÉFÉRENCES" in pages[0]
    for reference in references:
        assert reference in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} sur {len(pages)}" in page
    # Metadata: title shown by the reader, author the insurer, tagged, fr-FR.
    assert_tagged(pdf, tmp_path, title=title, roles={"H1", "P", "Table", "TH", "TD"})
    assert PdfReader(io.BytesIO(pdf)).metadata.author == "Mutuelle du Levant"
    return text


def _sample(pdf: bytes, name: str, tmp_path) -> None:
    """Keep page 1 as a small PNG in docs/screenshots/documents/ when ABRI_WRITE_SAMPLES is set."""
    import os
    import subprocess

    if not os.environ.get("ABRI_WRITE_SAMPLES"):
        return
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    SAMPLES.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", "1", "-l", "1", str(source),
                    str(SAMPLES / name)], check=True)
    from PIL import Image

    image = Image.open(SAMPLES / f"{name}.png")
    image.quantize(colors=32).save(SAMPLES / f"{name}.png", optimize=True)  # a small file in the repository


def test_amendment_is_a_letter_with_the_changes_guarantees_and_premium_in_tables(
    alice, alice_contract, insurer_settings, tmp_path, django_capture_on_commit_callbacks
):
    choices = {**contract_choices(alice_contract), "formula": "integrale", "deductible": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        amendment = amendment_apply(customer=alice, contract=alice_contract, choices=choices,
                                    expected_version=alice_contract.version, idempotency_key="l" * 32)
    amendment.refresh_from_db()
    pdf = _read(amendment.document)
    _sample(pdf, "avenant", tmp_path)

    text = _assert_letter(pdf, tmp_path, title=f"Avenant {amendment.number} au contrat {alice_contract.number}",
                          references=[f"Client n° {alice.customer_number}", f"Contrat n° {alice_contract.number}",
                                      f"Avenant n° {amendment.number}"])
    assert "Ce qui change Votre contrat Avant Après Formule Confort Intégrale Franchise générale 150,00 € 0,00 €" in text
    assert "Garantie Plafond Franchise" in text and "Dégâts des eaux" in text
    new_total = f"{amendment.new_total_annual:.2f}".replace(".", ",")
    old_total = f"{amendment.old_total_annual:.2f}".replace(".", ",")
    assert f"Votre cotisation annuelle passe de {old_total} € à {new_total} €, toutes taxes comprises." in text
    # The breakdown adds up: before tax + taxes + instalment fees = the new annual premium.
    quote = amendment.after["quote"]
    assert (Decimal(quote["net_premium"]) + Decimal(quote["taxes"]) + Decimal(quote["instalment_surcharge"])
            == amendment.new_total_annual)
    # The letter's premium table is the price breakdown (issue 15 point 4): each cover, the price before tax,
    # each tax and contribution, the total.
    assert f"Cotisation hors taxes {quote['net_premium'].replace('.', ',')} €" in text
    assert f"Total annuel TTC {new_total} €" in text
    assert "integrale" not in text and " euros" not in text  # labels and French amounts, not codes
    assert _signature_status(pdf).bottom_line


def test_termination_acknowledgement_is_a_letter_with_its_refund_in_a_table(
    alice, alice_contract, insurer_settings, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        termination = termination_request(customer=alice, contract=alice_contract, reason="hamon",
                                          idempotency_key="m" * 32, new_insurer="Assureur Exemple",
                                          new_policy_number="HAB-123456")
    termination.refresh_from_db()
    pdf = _read(termination.document)
    _sample(pdf, "accuse-resiliation", tmp_path)

    text = _assert_letter(pdf, tmp_path, title=f"Accusé de réception de résiliation {termination.number}",
                          references=[f"Contrat n° {alice_contract.number}", f"Demande n° {termination.number}"])
    assert "Nouvel assureur Assureur Exemple, contrat n° HAB-123456." in text
    assert "Motif Après un an de contrat (loi Hamon)." in text
    if termination.refund_amount > 0:
        refund = f"{termination.refund_amount:.2f}".replace(".", ",")
        assert f"{refund} €" in text
    assert _signature_status(pdf).bottom_line


def test_claim_acknowledgement_is_a_letter_with_the_damaged_items_and_their_total(
    alice, alice_contract, insurer_settings, tmp_path
):
    claim = make_claim(contract=alice_contract, items=[
        {"label": "Parquet du séjour", "category": "building", "amount": "1250.00", "age_years": "4"},
        {"label": "Canapé", "category": "furniture", "amount": "13750.50", "age_years": "2"},
    ])
    document = acknowledgement_issue(claim=claim)
    pdf = _read(document)
    _sample(pdf, "accuse-sinistre", tmp_path)

    text = _assert_letter(pdf, tmp_path, title=f"Accusé de réception du sinistre {claim.number}",
                          references=[f"Sinistre n° {claim.number}", f"Contrat n° {alice_contract.number}"])
    assert "Parquet du séjour" in text and "1 250,00 €" in text
    assert "Total estimé 15 000,50 €" in text
    assert "Ne faites pas réparer avant notre accord" in text
    assert "Circonstances : Fuite sous l'évier" in text


def test_yearly_statement_is_a_letter_with_premiums_per_contract_and_the_total(
    alice, alice_contract, insurer_settings, tmp_path
):
    add_item(alice_contract, date(2025, 1, 15), "1234.56", "paid")
    add_item(alice_contract, date(2025, 4, 1), "-8.00", "paid", reference="PRO-AVT-2025-00000002", method="transfer")
    _document, pdf = yearly_statement(customer=alice, year=2025)
    _sample(pdf, "attestation-cotisations", tmp_path)

    text = _assert_letter(pdf, tmp_path, title="Attestation annuelle de cotisations 2025",
                          references=[f"Client n° {alice.customer_number}", "Année 2025"])
    assert "Contrat Détail Payé Remboursé Net" in text
    assert "1 234,56 €" in text and "Total 2025" in text
    assert "Mutuelle du Levant atteste que" in text
    assert _signature_status(pdf).bottom_line


def test_long_letter_numbers_every_page_and_repeats_the_table_header(insurer_settings, tmp_path):
    rows = [[f"Échéance {n}", "5 janvier 2027", Decimal("19.05")] for n in range(70)]
    pdf = render_letter(Letter(title="Échéancier 2027", references=[("Client n°", "DEMO0001G")],
                               blocks=[Text("Votre échéancier."), Table(columns=["Échéance", "Date", "Montant"],
                                                                        rows=rows, total=["Total", "", Decimal("1333.50")])]))
    pages = _text(pdf)

    assert len(pages) >= 2
    assert [f"Page {n} sur {len(pages)}" in page for n, page in enumerate(pages, start=1)] == [True] * len(pages)
    assert pages[1].count("Échéance Date Montant") == 1  # the header row again on the next page
    assert "Total 1 333,50 €" in pages[-1]
    # The legal mentions are read once (tagged on the last page), artifacts on the others.
    elements = assert_tagged(pdf, tmp_path, title="Échéancier 2027", roles={"H1", "Table", "TH"})
    mentions = [element for role, element in elements if role == "P" and "/K" in element]
    assert mentions


def test_letterhead_and_footer_can_be_drawn_on_a_hand_drawn_page(insurer_settings, tmp_path):
    """Certificates are drawn by hand on a canvas: the same letterhead and footer apply there, tagged."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from abri.documents.layout import draw_footer, draw_letterhead
    from abri.documents.tagging import Tagger

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, lang="fr-FR")
    pdf.setTitle("Attestation d'assurance habitation")
    tagger = Tagger(pdf)
    y = draw_letterhead(pdf, tagger)
    with tagger.tag("H1"):
        pdf.drawString(60, y - 20, "Attestation d'assurance habitation")
    draw_footer(pdf, tagger, page=1, pages=1)
    tagger.finish()
    pdf.save()

    (page,) = _text(buffer.getvalue())
    assert page.startswith("Mutuelle du Levant") and "RCS Lyon 775 000 001" in page and "Page 1 sur 1" in page
    assert y < A4[1] - 30 * 2.83  # the body starts below the letterhead
    assert_tagged(buffer.getvalue(), tmp_path, title="Attestation d'assurance habitation", roles={"H1", "P"})
