"""RGAA 13.3: every kind of PDF Abri draws itself is a tagged PDF — a structure tree (headings, paragraphs,
tables, lists, figures with alternative text) over marked content, /Lang fr-FR, a title shown by the reader —
and the PAdES signature, applied after the tagging, still validates."""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from abri.certificates.rules import school_years_offered
from abri.certificates.services import certificate_issue
from abri.claims.services import acknowledgement_issue
from abri.contracts.pricing import contract_choices
from abri.contracts.services import amendment_apply, termination_request
from abri.documents.models import Document
from abri.documents.rendering import render_text_pdf
from tests.claims.factories import make_claim

pytestmark = pytest.mark.django_db


def _pdfinfo(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


def _structure(reader: PdfReader) -> list[tuple[str, DictionaryObject]]:
    """(role, element) for every structure element, in reading order."""
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, DictionaryObject) and node.get("/Type") == "/StructElem":
            found.append((str(node["/S"])[1:], node))
            kids = node.get("/K", [])
            for kid in kids if isinstance(kids, ArrayObject) else [kids]:
                if isinstance(kid, IndirectObject) or (isinstance(kid, DictionaryObject) and "/S" in kid):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def assert_tagged(pdf: bytes, tmp_path: Path, *, title: str, roles: set[str]) -> list[tuple[str, DictionaryObject]]:
    info = _pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert title in info["Title"]
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr-FR"
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712 - the title, not the file name
    assert title in reader.metadata.title
    elements = _structure(reader)
    assert elements[0][0] == "Document"
    assert roles <= {role for role, _ in elements}
    # Every marked-content sequence of every page belongs to one element (parent tree), none is orphaned.
    parent_tree = dict(zip(*[iter(root["/StructTreeRoot"]["/ParentTree"]["/Nums"])] * 2, strict=True))
    for index, page in enumerate(reader.pages):
        assert page["/StructParents"] == index
        content = page.get_contents().get_data().decode("latin-1")
        mcids = [int(n) for n in re.findall(r"<</MCID (\d+)>> BDC", content)]
        assert mcids == list(range(len(parent_tree[index])))
        # Nothing drawn outside a tag: text only inside marked content (BDC … EMC) or an artifact.
        depth = 0
        for token in re.findall(r"\bBDC\b|\bBMC\b|\bEMC\b|\bBT\b.*?\bET\b", content, flags=re.S):
            if token in ("BDC", "BMC"):
                depth += 1
            elif token == "EMC":
                depth -= 1
            elif re.search(r"\bT[jJ]\b", token):
                assert depth > 0, token
        assert depth == 0
    return elements


def _signature_status(pdf: bytes):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    ca = load_cert_from_pemder(str(Path(settings.VAR_DIR) / "pki" / "demo-ca.pem"))
    (signature,) = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[ca]))


def _read(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


@pytest.mark.parametrize("kind", ["tenant", "lender", "school"])
def test_certificate_pdf_is_tagged_with_alt_text_on_both_barcodes_and_its_signature_validates(
    alice, alice_contract, alice_house, tmp_path, kind
):
    school = {"child_first_name": "Léa", "child_last_name": "Durand",
              "school_year": school_years_offered(timezone.localdate())[0]} if kind == "school" else {}
    contract = alice_house if kind == "lender" else alice_contract  # a lender's certificate states a building
    certificate = certificate_issue(customer=alice, contract=contract, kind=kind, **school)
    pdf = _read(certificate.document)

    elements = assert_tagged(pdf, tmp_path, title=certificate.number, roles={"H1", "H2", "P", "Figure"})
    figures = [element for role, element in elements if role == "Figure"]
    alts = [str(figure["/Alt"]) for figure in figures]
    assert len(alts) == 2
    assert "2D-Doc" in alts[0] and certificate.number in alts[0]
    assert "Code QR" in alts[1] and f"/verifier/?numero={certificate.number}" in alts[1]
    assert all(len(figure["/A"]["/BBox"]) == 4 for figure in figures)
    headings = [role for role, _ in elements if role in ("H1", "H2")]
    assert headings[0] == "H1" and headings.count("H1") == 1
    if kind == "lender":  # guarantees, ceilings and deductibles: a data table whose first row names the columns
        table = next(element for role, element in elements if role == "Table")
        rows = [kid.get_object() for kid in table["/K"]]
        assert all(row["/S"] == "/TR" for row in rows) and len(rows) >= 2
        assert {kid.get_object()["/S"] for kid in rows[0]["/K"]} == {"/TH"}
        assert {kid.get_object()["/S"] for kid in rows[1]["/K"]} == {"/TD"}
    else:  # the guarantees are a list
        assert {"L", "LI", "Lbl", "LBody"} <= {role for role, _ in elements}
    status = _signature_status(pdf)
    assert status.intact and status.valid and status.bottom_line


def test_amendment_pdf_is_tagged_and_its_signature_validates(alice, alice_contract, tmp_path,
                                                             django_capture_on_commit_callbacks):
    choices = {**contract_choices(alice_contract), "formula": "integrale", "deductible": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        amendment = amendment_apply(customer=alice, contract=alice_contract, choices=choices,
                                    expected_version=alice_contract.version, idempotency_key="a" * 32)
    amendment.refresh_from_db()
    pdf = _read(amendment.document)

    assert_tagged(pdf, tmp_path, title=f"Avenant {amendment.number}", roles={"H1", "P"})
    assert _signature_status(pdf).bottom_line


def test_termination_acknowledgement_pdf_is_tagged_and_its_signature_validates(
    alice, alice_contract, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        termination = termination_request(customer=alice, contract=alice_contract, reason="hamon",
                                          idempotency_key="t" * 32, new_insurer="Assureur Exemple",
                                          new_policy_number="HAB-123456")
    termination.refresh_from_db()
    pdf = _read(termination.document)

    assert_tagged(pdf, tmp_path, title="Accusé de réception de résiliation", roles={"H1", "P"})
    assert _signature_status(pdf).bottom_line


def test_claim_acknowledgement_pdf_is_tagged(alice, alice_contract, tmp_path):
    document = acknowledgement_issue(claim=make_claim(contract=alice_contract))

    assert_tagged(_read(document), tmp_path, title="Accusé de réception du sinistre", roles={"H1", "P"})


def test_long_letter_keeps_one_paragraph_across_pages_and_repeats_its_header_as_an_artifact(tmp_path):
    """Schedules, receipts and letters of the demo data use the same renderer; a paragraph cut by a page
    break stays one /P, the header repeated on the next page is not read twice."""
    pdf = render_text_pdf(title="Échéancier 2027", lines=[f"Échéance {n} : 80,00 euros. " * 12 for n in range(40)])

    elements = assert_tagged(pdf, tmp_path, title="Échéancier 2027", roles={"H1", "P"})
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert [role for role, _ in elements].count("H1") == 1
    assert "/Artifact BMC" in reader.pages[1].get_contents().get_data().decode("latin-1")
    spanning = [element for role, element in elements if role == "P"
                and any(isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR" for kid in element["/K"])]
    assert spanning  # one element, marked content on two pages


def test_general_conditions_pdf_is_tagged_with_articles_as_headings_and_exclusion_boxes(alice, alice_client, tmp_path):
    response = alice_client.get(f"/contrats/{_contract(alice).number}/conditions/pdf/")
    assert response.status_code == 200

    elements = assert_tagged(response.content, tmp_path, title="Conditions générales", roles={"H1", "H2", "P", "Div", "H3"})
    assert [role for role, _ in elements].count("H2") >= 15  # one per article
    box = next(element for role, element in elements if role == "Div")
    assert [kid.get_object()["/S"] for kid in box["/K"]][:2] == ["/H3", "/P"]
    # the box's border and background are decoration
    assert "/Artifact BMC" in PdfReader(io.BytesIO(response.content)).pages[0].get_contents().get_data().decode("latin-1")


def _contract(customer):
    from tests.contracts.factories import make_contract

    return make_contract(customer=customer)


def test_accessibility_statement_says_new_documents_are_tagged_and_what_remains(client):
    page = client.get("/accessibilite/").content.decode()

    assert "Critère 13.3" in page
    assert "Les documents émis depuis sont des PDF balisés" in page
    assert "alternative textuelle des codes 2D-Doc et QR" in page
    assert "ne sont pas\n    balisés pour l'accessibilité" not in page
