"""The general conditions say what the Code des assurances requires them to say, on the page the customer reads
(/contrats/<numéro>/conditions/) and in the PDF: one test per mandatory clause."""

import html
import io
import re

import pytest

from tests.contracts.factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(alice, alice_client):
    contract = make_contract(customer=alice)
    response = alice_client.get(f"/contrats/{contract.number}/conditions/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _article(page: str, article_id: str) -> str:
    match = re.search(rf'<section id="art-{article_id}".*?</section>', page, re.S)
    assert match, f"article {article_id} missing"
    return re.sub(r"<[^>]+>", "", match.group(0))


def test_general_conditions_state_prescription_and_its_interruptions(page):
    """L114-1 (two years, and from when), L114-2 (causes of interruption), R112-1 (the conditions must state them)."""
    text = _article(page, "prescription")
    assert "prescrites par deux ans à compter de l'événement qui y donne naissance" in text
    assert "du jour où l'assureur en a eu connaissance" in text  # L114-1 1°
    assert "du jour où ce tiers a exercé une action en justice" in text  # recourse of a third party
    for cause in ("reconnaissance par le débiteur", "article 2240 du Code civil", "demande en justice, même en référé",
                  "acte d'exécution forcée", "désignation d'experts à la suite d'un sinistre",
                  "lettre recommandée", "envoi recommandé électronique", "paiement de la cotisation",
                  "règlement de l'indemnité"):
        assert cause in text, cause
    assert "ni modifier la durée de la prescription" in text  # L114-3


def test_general_conditions_name_the_supervisor_and_its_address(page):
    """L112-4: the conditions state the name and address of the authority that supervises the insurer."""
    text = _article(page, "autorite-controle")
    assert "Autorité de contrôle prudentiel et de résolution (ACPR)" in text
    assert "4 place de Budapest, CS 92459, 75436 Paris Cedex 09" in text


def test_general_conditions_show_exclusions_in_very_apparent_characters(page):
    """L112-4: exclusions are valid only in very apparent characters: bold, framed apart from the other text."""
    boxes = re.findall(r'<div class="exclusions" role="note".*?</div>', page, re.S)
    assert len(boxes) >= 2  # fire's own exclusion and the general exclusions
    general = next(box for box in boxes if "faute dolosive" in box)
    for item in re.findall(r"<li[^>]*>(.*?)</li>", general, re.S):
        assert item.startswith("<strong>") and item.endswith("</strong>")
    assert "guerre étrangère" in general and "rayonnements ionisants" in general
    fire = _article(page, "incendie")
    assert "fumeurs" in fire
    assert not re.search(r"<p[^>]*>[^<]*fumeurs", page)  # no longer hidden in an ordinary paragraph
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "abri/static/abri/abri.css").read_text()
    rule = re.search(r"\.exclusions \{([^}]*)\}", css).group(1)
    assert "border" in rule and "font-weight: 700" in rule


def test_general_conditions_pdf_shows_exclusions_in_bold(alice, alice_client):
    """L112-4 in the PDF too: every exclusion is set in a bold font, the ordinary text is not."""
    from pypdf import PdfReader

    contract = make_contract(customer=alice)
    response = alice_client.get(f"/contrats/{contract.number}/conditions/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    fonts: dict[str, set] = {}

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            fonts.setdefault(str(font.get("/BaseFont")), set()).add(text)

    reader = PdfReader(io.BytesIO(response.content))
    full = ""
    for pdf_page in reader.pages:
        full += pdf_page.extract_text(visitor_text=visit)
    bold = " ".join(fonts.get("/Helvetica-Bold", set()))
    regular = " ".join(fonts.get("/Helvetica", set()))
    assert "fumeurs" in bold and "faute dolosive" in bold and "EXCLUSIONS" in bold
    assert "prescrites par deux ans" in regular and "prescrites par deux ans" not in bold
    assert "4 place de Budapest" in full


def test_general_conditions_carry_the_standard_catnat_clause(page):
    """Annex I to A125-1 (clause type Cat Nat), with the legal deductibles: 380 €, 1 520 € for drought/subsidence."""
    text = _article(page, "catastrophes-naturelles")
    for heading in ("Objet de la garantie.", "Mise en jeu de la garantie.", "Étendue de la garantie.", "Franchise.",
                    "Obligation de l'assuré.", "Obligation de l'assureur."):
        assert heading in text, heading
    assert "intensité anormale d'un agent naturel" in text
    assert "arrêté interministériel" in text and "trente jours" in text
    assert "fixé à 380 €" in text
    assert "sécheresse et/ou à la réhydratation des sols" in text and "fixé à 1 520 €" in text
    assert "vingt et un jours" in text


def test_general_conditions_cover_terrorism(page):
    """L126-2: direct material damage by an attack or act of terrorism is covered, within the fire guarantee's limits."""
    text = _article(page, "attentats")
    assert "L126-2" in text and "attentat ou un acte de terrorisme" in text
    assert "y compris ceux de contamination" in text and "frais de décontamination" in text


def test_general_conditions_cover_technological_catastrophes_without_deductible(page):
    """L128-2: technological catastrophes are repaired in full (réparation intégrale), no deductible."""
    text = _article(page, "catastrophes-technologiques")
    assert "réparation intégrale, sans franchise" in text and "L128-2" in text


def test_general_conditions_name_the_complaints_service_and_the_mediator(page):
    """Complaints (ACPR recommendation 2022-R-01): service, 10 working days, 2 months; then the insurance mediator."""
    text = _article(page, "reclamations-mediation")
    assert "service Réclamations" in text
    assert "dix jours ouvrables" in text and "deux mois" in text
    assert "La Médiation de l'Assurance, TSA 50110, 75441 Paris Cedex 09, www.mediation-assurance.org" in text


def test_general_conditions_state_the_two_month_legal_notice_and_the_shorter_contractual_one(page):
    """L113-12: the law gives two months' notice before the due date; the contract's one month is an improvement."""
    text = _article(page, "resiliation")
    assert "article L113-12" in text and "préavis de deux mois" in text
    assert "réduit ce préavis à un mois, ce qui vous est plus favorable" in text
    assert "dans les trois mois qui suivent l'événement" in text  # L113-16


def test_bob_gets_404_on_alice_conditions_pdf(alice, bob_client):
    contract = make_contract(customer=alice)
    assert bob_client.get(f"/contrats/{contract.number}/conditions/pdf/").status_code == 404
