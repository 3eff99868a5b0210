"""Vault search: full text of PDFs and metadata, French folding, filters, highlighting, scoping, bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from abri.documents.models import Document
from abri.documents.rendering import render_text_pdf
from abri.documents.search import (
    MAX_QUERY_LENGTH,
    SearchFilters,
    documents_search,
    parse_query,
    search_rows,
    search_text_for,
)
from abri.documents.services import document_added
from tests.contracts.factories import PropertyFactory, make_contract


def vault_document(customer, *, title, body="", kind="other", issued_on=date(2025, 3, 1), amount=None,
                   category="general", contract=None, property=None, django_capture_on_commit_callbacks=None):
    """A document as the portal adds it: a real PDF whose text is extracted by the background task."""
    pdf = render_text_pdf(title=title, lines=[body] if body else [])
    doc = Document(customer=customer, title=title, kind=kind, issued_on=issued_on, amount=amount,
                   guarantee_category=category, contract=contract,
                   property=property or (contract.property if contract else None), size_bytes=len(pdf))
    doc.file.save("doc.pdf", ContentFile(pdf), save=False)
    doc.save()
    if django_capture_on_commit_callbacks is not None:
        with django_capture_on_commit_callbacks(execute=True):
            document_added(document=doc)
    else:  # fast path for filter tests: the same indexing, computed directly
        doc.text = "\n".join([title, body])
        doc.search_text = search_text_for(doc)
        Document.objects.filter(pk=doc.pk).update(text=doc.text, search_text=doc.search_text)
    doc.refresh_from_db()
    return doc


def titles(results) -> list[str]:
    return [hit.document.title for hit in results.hits]


# --- full text --------------------------------------------------------------------------------


def test_finds_a_word_that_appears_only_inside_the_pdf_body(alice, django_capture_on_commit_callbacks):
    doc = vault_document(alice, title="Courrier du 3 mars",
                         body="Votre expert passera constater la moisissure du plafond.",
                         django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    vault_document(alice, title="Autre courrier", body="Rien à voir.")
    assert "moisissure" in doc.text  # extracted from the PDF by the task, not copied from the title
    assert "moisissur" in doc.search_text
    results = documents_search(customer=alice, query="moisissure")
    assert titles(results) == ["Courrier du 3 mars"]
    assert "<mark>moisissure</mark>" in results.hits[0].snippet_html


@pytest.mark.parametrize("query", ["dégâts", "dégât", "degat", "DEGATS", "Dégâts des eaux", "eau"])
def test_accents_case_and_plural_are_ignored(alice, query):
    vault_document(alice, title="Constat", body="Déclaration de dégâts des eaux dans la cuisine")
    vault_document(alice, title="Facture", body="Remplacement d'une vitre")
    assert titles(documents_search(customer=alice, query=query)) == ["Constat"]


def test_feminine_and_plural_forms_match(alice):
    vault_document(alice, title="Lettre", body="Les garanties assurées par votre contrat")
    assert titles(documents_search(customer=alice, query="garantie assurée")) == ["Lettre"]


def test_all_words_must_match(alice):
    vault_document(alice, title="A", body="incendie cuisine")
    vault_document(alice, title="B", body="incendie garage")
    assert titles(documents_search(customer=alice, query="incendie garage")) == ["B"]


def test_word_prefix_finds_longer_words(alice):
    vault_document(alice, title="Papier", body="attestation d'assurance habitation")
    assert titles(documents_search(customer=alice, query="attest")) == ["Papier"]


def test_quoted_phrase_matches_consecutive_words_only(alice):
    vault_document(alice, title="Suite", body="vol de bijoux")
    vault_document(alice, title="Pas suite", body="bijoux retrouvés, pas de vol")
    assert titles(documents_search(customer=alice, query='"vol de bijoux"')) == ["Suite"]
    assert sorted(titles(documents_search(customer=alice, query="vol bijoux"))) == ["Pas suite", "Suite"]


def test_metadata_is_searchable_title_type_contract_and_city(alice):
    prop = PropertyFactory(customer=alice, city="Villeurbanne", postcode="69100")
    contract = make_contract(customer=alice, property=prop)
    vault_document(alice, title="Document X", kind="due_notice", contract=contract, category="water")
    vault_document(alice, title="Document Y")
    for query in ["avis d'échéance", "villeurbanne", contract.number, "Dégâts des eaux", "document x"]:
        assert titles(documents_search(customer=alice, query=query)) == ["Document X"], query


def test_relevance_ranks_more_occurrences_and_title_matches_first(alice):
    vault_document(alice, title="Peu", body="fuite " + "texte " * 30, issued_on=date(2025, 5, 1))
    vault_document(alice, title="Fuite sous l'évier", body="fuite fuite fuite", issued_on=date(2024, 1, 1))
    results = documents_search(customer=alice, query="fuite")
    assert titles(results) == ["Fuite sous l'évier", "Peu"]
    assert results.hits[0].score > results.hits[1].score
    by_date = documents_search(customer=alice, query="fuite", order="date")
    assert titles(by_date) == ["Peu", "Fuite sous l'évier"]


def test_results_are_paginated(alice):
    for i in range(25):
        vault_document(alice, title=f"Quittance {i:02d}", body="quittance mensuelle", issued_on=date(2025, 1, i + 1))
    first = documents_search(customer=alice, query="quittance", order="date", page=1)
    second = documents_search(customer=alice, query="quittance", order="date", page=2)
    assert first.total == 25 and len(first.hits) == 20 and len(second.hits) == 5
    assert set(titles(first)).isdisjoint(titles(second))
    assert titles(second)[-1] == "Quittance 00"
    assert len(documents_search(customer=alice, query="quittance", page="abc").hits) == 20


# --- highlighting ---------------------------------------------------------------------------


def test_highlighting_escapes_document_text(alice):
    vault_document(alice, title="<script>alert(1)</script> inondation", body="<img src=x onerror=alert(1)> inondation")
    hit = documents_search(customer=alice, query="inondation").hits[0]
    assert "<script>" not in hit.title_html and "&lt;script&gt;" in hit.title_html
    assert "<img" not in hit.snippet_html and "&lt;img" in hit.snippet_html
    assert "<mark>inondation</mark>" in hit.title_html


def test_highlighting_marks_the_words_as_written(alice):
    vault_document(alice, title="Rapport", body="Les DÉGÂTS constatés sont importants")
    hit = documents_search(customer=alice, query="degat").hits[0]
    assert "<mark>DÉGÂTS</mark>" in hit.snippet_html


def test_page_shows_highlight_safely(alice, alice_client):
    vault_document(alice, title="<b>gras</b> fissure", body="fissure au plafond")
    html = alice_client.get("/documents/", {"q": "fissure"}).content.decode()
    assert "&lt;b&gt;gras&lt;/b&gt;" in html and "<b>gras</b>" not in html
    assert "<mark>fissure</mark>" in html


# --- filters --------------------------------------------------------------------------------


@pytest.fixture
def filtered_vault(alice):
    home = make_contract(customer=alice)
    flat = make_contract(customer=alice, property=PropertyFactory(customer=alice, city="Nantes", postcode="44000"))
    docs = {
        "water_invoice": vault_document(alice, title="Facture plombier", body="réparation fuite", kind="invoice",
                                        issued_on=date(2025, 2, 10), amount=Decimal("350.00"), category="water",
                                        contract=home),
        "fire_invoice": vault_document(alice, title="Facture électricien", body="réparation incendie",
                                       kind="invoice", issued_on=date(2025, 6, 1), amount=Decimal("1200.00"),
                                       category="fire", contract=flat),
        "water_letter": vault_document(alice, title="Courrier fuite", body="réparation prise en charge",
                                       kind="claim_letter", issued_on=date(2024, 11, 5), amount=Decimal("80.00"),
                                       category="water", contract=flat),
        "notice": vault_document(alice, title="Avis d'échéance", body="cotisation annuelle", kind="due_notice",
                                 issued_on=date(2025, 1, 1), amount=Decimal("180.00"), contract=home),
    }
    return home, flat, docs


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "invoice"}, {"Facture plombier", "Facture électricien"}),
        ({"category": "water"}, {"Facture plombier", "Courrier fuite"}),
        ({"date_from": date(2025, 1, 1)}, {"Facture plombier", "Facture électricien", "Avis d'échéance"}),
        ({"date_to": date(2024, 12, 31)}, {"Courrier fuite"}),
        ({"date_from": date(2025, 1, 1), "date_to": date(2025, 3, 1)}, {"Facture plombier", "Avis d'échéance"}),
        ({"amount_min": Decimal("200")}, {"Facture plombier", "Facture électricien"}),
        ({"amount_max": Decimal("180")}, {"Courrier fuite", "Avis d'échéance"}),
        ({"amount_min": Decimal("100"), "amount_max": Decimal("400")}, {"Facture plombier", "Avis d'échéance"}),
        ({"kind": "invoice", "category": "water"}, {"Facture plombier"}),
        ({"kind": "invoice", "date_from": date(2025, 3, 1), "amount_min": Decimal("1000")}, {"Facture électricien"}),
    ],
)
def test_each_filter_and_combinations(alice, filtered_vault, filters, expected):
    assert set(titles(documents_search(customer=alice, filters=filters))) == expected


def test_contract_and_property_filters(alice, filtered_vault):
    home, flat, _docs = filtered_vault
    assert set(titles(documents_search(customer=alice, filters={"contract": home}))) == {
        "Facture plombier", "Avis d'échéance"}
    assert set(titles(documents_search(customer=alice, filters={"property": flat.property}))) == {
        "Facture électricien", "Courrier fuite"}
    assert titles(documents_search(customer=alice, filters={"contract": flat, "category": "water"})) == [
        "Courrier fuite"]


def test_filters_combine_with_words(alice, filtered_vault):
    assert set(titles(documents_search(customer=alice, query="réparation"))) == {
        "Facture plombier", "Facture électricien", "Courrier fuite"}
    assert titles(documents_search(customer=alice, query="réparation",
                                   filters=SearchFilters(category="water", kind="invoice"))) == ["Facture plombier"]
    assert titles(documents_search(customer=alice, query="fuite", filters={"date_to": date(2024, 12, 31)})) == [
        "Courrier fuite"]


def test_page_filters_by_query_string(alice, alice_client, filtered_vault):
    home, _flat, _docs = filtered_vault
    response = alice_client.get("/documents/", {"q": "réparation", "category": "water", "contract": home.pk,
                                                "date_from": "01/01/2025", "amount_max": "400,00"})
    assert response.status_code == 200
    assert [h.document.title for h in response.context["page"]] == ["Facture plombier"]


# --- scoping ----------------------------------------------------------------------------------


def test_bob_never_finds_alices_documents(alice, bob, bob_client):
    vault_document(alice, title="Secret d'Alice", body="bijoux volés coffre")
    vault_document(bob, title="Courrier de Bob", body="vitre cassée")
    for query in ["bijoux", "alice", "", "coffre OR 1=1", "' OR '1'='1", "*"]:
        assert "Secret d'Alice" not in titles(documents_search(customer=bob, query=query))
        html = bob_client.get("/documents/", {"q": query}).content.decode()
        assert "Secret d" not in html


def test_bob_cannot_filter_on_alices_contract(alice, bob, bob_client):
    contract = make_contract(customer=alice)
    vault_document(alice, title="Secret d'Alice", contract=contract)
    response = bob_client.get("/documents/", {"contract": contract.pk})
    assert response.status_code == 200
    assert "Choisissez un de vos contrats dans la liste." in response.content.decode()
    assert "Secret d" not in response.content.decode()


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        'fuite" OR "1"="1', "fuite AND NOT vol", "fuite NEAR/3 vol", "fui*", "^fuite", "title:fuite", "(fuite",
        "'; DROP TABLE documents_document; --", "% _ \\", '"""', "«fuite»", "\x00fuite", "-fuite +vol",
    ],
)
def test_operators_and_sql_fragments_are_plain_words(alice, alice_client, query):
    vault_document(alice, title="Fuite", body="fuite d'eau")
    results = documents_search(customer=alice, query=query)
    assert results.total in (0, 1)
    # A NUL character is refused (French 400) before any view: PostgreSQL would refuse it in text.
    assert alice_client.get("/documents/", {"q": query}).status_code == (400 if "\x00" in query else 200)
    assert Document.objects.filter(customer=alice).count() == 1


def test_fts_operators_do_not_become_terms():
    assert parse_query("fuite AND vol OR NOT NEAR") == [("fuit",), ("vol",)]
    assert parse_query('"dégâts des eaux" cuisine') == [("degat", "eau"), ("cuisin",)]
    assert parse_query("% _ ' ; --") == []


def test_overlong_query_gets_a_french_message_and_keeps_the_text(alice, alice_client):
    query = "fuite " * 1000  # 6 000 characters
    response = alice_client.get("/documents/", {"q": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"limitée à {MAX_QUERY_LENGTH} caractères" in html
    assert response.context["form"]["q"].value() == query  # what was typed is kept in the field
    assert response.context["results"] is None


def test_dates_in_the_wrong_order_get_a_message_beside_the_field(alice, alice_client):
    response = alice_client.get("/documents/", {"date_from": "2025-06-01", "date_to": "2025-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_date_to-error"' in html
    assert "La date de fin doit être égale ou postérieure à la date de début (1er juin 2025)." in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"amount_min": "abc"}, "amount_min", "Saisissez un montant en euros"),
        ({"amount_max": "12,5,0"}, "amount_max", "Saisissez un montant en euros"),
        ({"amount_min": "-5"}, "amount_min", "Saisissez un montant positif"),
        ({"amount_min": "1e400"}, "amount_min", "Saisissez un montant en euros"),
        ({"amount_min": "500", "amount_max": "100"}, "amount_max", "supérieur ou égal au montant minimum"),
        ({"date_from": "31/02/2025"}, "date_from", "Saisissez une date valide"),
        ({"kind": "<script>"}, "kind", "Choisissez un type de document"),
        ({"contract": "abc"}, "contract", "Choisissez un de vos contrats"),
        ({"property": "99999999999999999999999"}, "property", "Choisissez un de vos biens"),
        ({"category": "x" * 500}, "category", "Choisissez une garantie"),
        ({"order": "rank; DROP"}, "order", "Choisissez un tri"),
    ],
)
def test_bad_filter_values_get_french_messages(alice, alice_client, params, field, message):
    response = alice_client.get("/documents/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert message in html
    assert 'class="error-summary"' in html


def test_amounts_accept_french_formats(alice, alice_client):
    vault_document(alice, title="Grosse facture", amount=Decimal("1234.50"))
    response = alice_client.get("/documents/", {"amount_min": "1 234,50 €"})
    assert [h.document.title for h in response.context["page"]] == ["Grosse facture"]


# --- the plan: the customer index leads -------------------------------------------------------


def _explain(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute("ANALYZE documents_document")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_plan_uses_the_customer_index(alice, bob):
    # Enough other customers' rows for PostgreSQL's planner to prefer an index over a scan.
    from tests.accounts.factories import CustomerFactory

    others = [CustomerFactory() for _ in range(20)]
    Document.objects.bulk_create(
        Document(customer=c, title="x", kind="other", search_text="fuit cuisin " * 20) for c in others for _ in range(60)
    )
    vault_document(alice, title="Fuite", body="fuite cuisine")
    for filters in [None, SearchFilters(kind="other"),
                    SearchFilters(amount_min=Decimal(1), date_from=date(2020, 1, 1), category="water")]:
        plan = _explain(search_rows(customer=alice, filters=filters))
        if connection.vendor == "sqlite":
            assert "USING INDEX" in plan and "customer_id=?" in plan, plan
            assert "SCAN documents_document" not in plan.replace("USING INDEX", ""), plan
        else:
            assert "customer" in plan and "Seq Scan" not in plan, plan


def test_search_runs_a_fixed_number_of_queries(alice):
    for i in range(30):
        vault_document(alice, title=f"Relevé {i}", body="relevé de compte")
    with CaptureQueriesContext(connection) as ctx:
        results = documents_search(customer=alice, query="relevé compte", order="relevance")
        [hit.document.contract for hit in results.hits]
    assert len(ctx.captured_queries) == 2  # the customer's rows, then the page's documents


# --- API: GET /api/v1/documents/search ------------------------------------------------------

_TEST_URLCONF = "tests.documents.test_search"


def _router_is_registered() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("api:document_search")
    except NoReverseMatch:
        return False
    return True


def _test_api_urls():
    """The search router mounted on its own API, until abri/api/main.py registers it."""
    from django.urls import path
    from ninja import NinjaAPI

    from abri.api.problems import install_problem_handlers
    from abri.api.routers.document_search import router
    from abri.api.security import customer_auth

    test_api = NinjaAPI(title="document search (tests)", urls_namespace="api", auth=customer_auth)
    install_problem_handlers(test_api)
    test_api.add_router("/documents", router)
    return [path("api/v1/", test_api.urls)]


urlpatterns: list = []  # filled lazily: this module doubles as the fallback URLconf


@pytest.fixture
def document_api(settings):
    """The API's URLs: the real /api/v1/ once the router is registered, else a test mount of it."""
    if not _router_is_registered():
        if not urlpatterns:
            urlpatterns.extend(_test_api_urls())
        settings.ROOT_URLCONF = _TEST_URLCONF
    return "/api/v1/documents"


@pytest.fixture
def alice_bearer(alice):
    from django.test import Client

    from abri.accounts.tokens import token_issue

    return Client(headers={"Authorization": f"Bearer {token_issue(user=alice.user)}"})


@pytest.fixture
def bob_bearer(bob):
    from django.test import Client

    from abri.accounts.tokens import token_issue

    return Client(headers={"Authorization": f"Bearer {token_issue(user=bob.user)}"})


def test_api_search_returns_highlighted_hits(alice, alice_bearer, document_api):
    doc = vault_document(alice, title="Rapport <b>expert</b>", body="Humidité constatée dans la chambre",
                         amount=Decimal("99.90"), category="water")
    response = alice_bearer.get(f"{document_api}/search", {"q": "humidite", "category": "water"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1 and body["page"] == 1 and body["order"] == "relevance"
    hit = body["results"][0]
    assert hit["id"] == doc.pk and hit["amount"] == "99.90" and hit["kind_label"] == "Autre"
    assert "<mark>Humidité</mark>" in hit["snippet_html"] and "&lt;b&gt;" in hit["title_html"]
    assert hit["download_url"].endswith(f"/{doc.pk}/download")


def test_api_search_never_returns_another_customers_documents(alice, bob, bob_bearer, document_api):
    vault_document(alice, title="Secret d'Alice", body="coffre bijoux")
    body = bob_bearer.get(f"{document_api}/search", {"q": "coffre"}).json()
    assert body["count"] == 0 and body["results"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x" * 5000}, "q"), ({"date_from": "2025-06-01", "date_to": "2025-01-01"}, "date_to"),
     ({"amount_min": "beaucoup"}, "amount_min"), ({"contract": "999999"}, "contract")],
)
def test_api_search_bad_input_is_a_french_problem(alice, alice_bearer, document_api, params, field):
    response = alice_bearer.get(f"{document_api}/search", params)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [["query", field]]
    assert errors[0]["msg"]


def test_api_search_needs_authentication(alice, client, document_api):
    assert client.get(f"{document_api}/search", {"q": "x"}).status_code == 401


# --- background extraction and reindexing ----------------------------------------------------


def test_document_added_extracts_text_only_once_committed(alice, django_capture_on_commit_callbacks):
    pdf = render_text_pdf(title="Avenant", lines=["Ajout de la garantie piscine"])
    doc = Document(customer=alice, title="Avenant", kind="amendment", size_bytes=len(pdf))
    doc.file.save("a.pdf", ContentFile(pdf), save=False)
    doc.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document_added(document=doc)
    doc.refresh_from_db()
    assert doc.search_text == "" and len(callbacks) == 1  # nothing runs inside the transaction
    callbacks[0]()
    doc.refresh_from_db()
    assert "piscine" in doc.text and "piscin" in doc.search_text.split()
    assert titles(documents_search(customer=alice, query="piscines")) == ["Avenant"]


def test_unreadable_pdf_is_still_found_by_its_metadata(alice, django_capture_on_commit_callbacks):
    doc = Document(customer=alice, title="Scan illisible", kind="claim_letter")
    doc.file.save("x.pdf", ContentFile(b"%PDF-1.4 this is not really a PDF"), save=False)
    doc.save()
    with django_capture_on_commit_callbacks(execute=True):
        document_added(document=doc)
    doc.refresh_from_db()
    assert doc.text == ""
    assert titles(documents_search(customer=alice, query="courrier sinistre illisible")) == ["Scan illisible"]


def test_reindex_documents_fills_search_text_in_batches(alice, bob):
    from django.core.management import call_command

    Document.objects.bulk_create(
        [Document(customer=alice, title=f"Quittance n°{i}", kind="receipt", text="loyer réglé") for i in range(5)]
        + [Document(customer=bob, title="Relevé", kind="other", text="électricité")]
    )
    assert documents_search(customer=alice, query="quittance").total == 0
    call_command("reindex_documents", batch_size=2, verbosity=0)
    assert documents_search(customer=alice, query="loyers réglés").total == 5
    assert titles(documents_search(customer=bob, query="electricite")) == ["Relevé"]


def test_reindex_documents_can_extract_pdf_text_again(alice):
    from django.core.management import call_command

    pdf = render_text_pdf(title="Ancien", lines=["Clause de véranda"])
    doc = Document(customer=alice, title="Ancien", kind="other")
    doc.file.save("o.pdf", ContentFile(pdf), save=False)
    doc.save()
    call_command("reindex_documents", "--extract", "--customer", alice.customer_number, verbosity=0)
    doc.refresh_from_db()
    assert "véranda" in doc.text
    assert titles(documents_search(customer=alice, query="veranda")) == ["Ancien"]
