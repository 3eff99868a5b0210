"""Back-office document pages: a customer's vault searched by staff, certificates issued and revoked on
the customer's behalf (audited), the verification log, and the customer-side links to certificates."""

import pytest
from django.contrib.auth.models import Group, Permission

from abri.accounts.roles import ensure_staff_groups
from abri.certificates.models import Certificate, VerificationLog
from abri.certificates.services import certificate_issue
from abri.certificates.verification import certificate_verify
from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.search import search_text_for
from abri.documents.services import document_added
from tests.accounts.factories import StaffFactory
from tests.backoffice.conftest import make_staff, staff_client
from tests.documents.factories import make_document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashing_and_generous_rate_limit(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ABRI_VERIFY_RATE_LIMIT = 100_000  # the shared cache counts every run's verifications


@pytest.fixture
def groups():
    return ensure_staff_groups()


@pytest.fixture
def advisor(groups):
    return make_staff(groups, "advisor", first_name="Inès", last_name="Moreau")


@pytest.fixture
def advisor_client(advisor):
    return staff_client(advisor)


def indexed_document(**kwargs) -> Document:
    """make_document, with its search words computed as the vault does."""
    doc = make_document(**kwargs)
    doc.search_text = search_text_for(doc)
    doc.save(update_fields=["search_text"])
    return doc


def page_url(customer) -> str:
    return f"/backoffice/documents/client/{customer.customer_number}/"


def issue_url(customer) -> str:
    return page_url(customer) + "attestations/"


def revoke_url(customer, number) -> str:
    return page_url(customer) + f"attestations/{number}/revoquer/"


VERIFICATIONS = "/backoffice/documents/verifications/"


# --- Search ---------------------------------------------------------------------------------------

def test_staff_search_finds_a_word_that_is_only_inside_the_customers_pdf(advisor_client, alice, bob,
                                                                         django_capture_on_commit_callbacks):
    doc = make_document(customer=alice, title="Courrier expert", kind="claim_letter",
                        text="Constat de moisissure sous la baignoire")
    other = make_document(customer=bob, title="Courrier voisin", kind="claim_letter",
                          text="Constat de moisissure chez Bob")
    # The word is only in the PDF file: the background extraction must find it (tasks run at once in tests).
    Document.objects.filter(pk__in=[doc.pk, other.pk]).update(text="", search_text="")
    with django_capture_on_commit_callbacks(execute=True):
        document_added(document=doc)
        document_added(document=other)
    assert "moisissure" in Document.objects.get(pk=doc.pk).text

    response = advisor_client.get(page_url(alice), {"q": "moisissures"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 document trouvé" in html
    assert f"/backoffice/clients/{alice.customer_number}/documents/{doc.pk}/" in html
    assert "<mark>moisissure</mark>" in html
    assert f"/documents/{other.pk}/" not in html  # another customer's document is never searched


def test_staff_search_filters_by_kind_and_shows_field_errors_without_failing(advisor_client, alice):
    indexed_document(customer=alice, title="Quittance mars", kind="receipt", text="quittance loyer assurance")
    indexed_document(customer=alice, title="Appel annuel", kind="due_notice", text="échéance assurance")

    html = advisor_client.get(page_url(alice), {"q": "assurance", "kind": "receipt"}).content.decode()
    assert "1 document trouvé" in html and "Quittance mars" in html and "Appel annuel" not in html

    bad = advisor_client.get(page_url(alice), {"q": "assurance", "amount_min": "abc"})
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "Saisissez un montant en euros" in body and 'value="abc"' in body


def test_another_customers_contract_is_an_invalid_filter(advisor_client, alice, bob_contract):
    html = advisor_client.get(page_url(alice), {"contract": bob_contract.pk}).content.decode()
    assert "Choisissez un de vos contrats dans la liste." in html


def test_unknown_customer_answers_404(advisor_client):
    assert advisor_client.get("/backoffice/documents/client/C00000000/").status_code == 404


def test_staff_download_from_the_results_is_audited_with_the_staff_member(advisor_client, advisor, alice):
    doc = make_document(customer=alice, title="Conditions particulières")
    html = advisor_client.get(page_url(alice)).content.decode()
    link = f"/backoffice/clients/{alice.customer_number}/documents/{doc.pk}/"
    assert link in html

    response = advisor_client.get(link)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    entry = AuditLog.objects.get(action="staff.document.download")
    assert entry.actor == advisor and entry.customer == alice and entry.target_id == str(doc.pk)


# --- Access ---------------------------------------------------------------------------------------

def test_a_customer_is_sent_to_the_staff_login(alice_client, alice, alice_contract):
    for response in (alice_client.get(page_url(alice)), alice_client.get(VERIFICATIONS),
                     alice_client.post(issue_url(alice), {"issue-contract": alice_contract.number,
                                                          "issue-kind": "tenant"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/backoffice/connexion/")
    assert not Certificate.objects.exists()


def test_staff_without_the_permission_gets_403(groups, alice, alice_contract):
    nobody = staff_client(StaffFactory(staff_role="advisor"))  # no group, no permission
    assert nobody.get(page_url(alice)).status_code == 403
    assert nobody.get(VERIFICATIONS).status_code == 403

    viewer_group = Group.objects.create(name="Lecture documents")
    viewer_group.permissions.add(Permission.objects.get(codename="view_document"))
    viewer = StaffFactory(staff_role="advisor")
    viewer.groups.add(viewer_group)
    client = staff_client(viewer)
    page = client.get(page_url(alice))
    assert page.status_code == 200 and "Délivrer une attestation pour le client" not in page.content.decode()
    assert client.post(issue_url(alice), {"issue-contract": alice_contract.number,
                                          "issue-kind": "tenant"}).status_code == 403
    assert not Certificate.objects.exists()


def test_advisors_and_administrators_may_issue_certificates(groups):
    advisor = make_staff(groups, "advisor")
    admin = make_staff(groups, "administrator")
    assert advisor.has_perm("documents.add_document") and advisor.has_perm("documents.view_document")
    assert admin.has_perm("documents.add_document")


# --- Issue and revoke -----------------------------------------------------------------------------

def test_issue_on_behalf_creates_certificate_and_vault_document_audited_with_the_staff_member(
        advisor_client, advisor, alice, alice_contract):
    response = advisor_client.post(issue_url(alice), {"issue-contract": alice_contract.number,
                                                      "issue-kind": "tenant"})

    assert response.status_code == 302 and response["Location"].endswith("#attestations")
    certificate = Certificate.objects.get(customer=alice)
    assert certificate.contract == alice_contract and certificate.kind == "tenant"
    document = certificate.document
    assert document.customer == alice and document.kind == "certificate"
    assert document.file.open("rb").read(4) == b"%PDF"
    entry = AuditLog.objects.get(action="certificate.issued")
    assert entry.actor == advisor and entry.customer == alice
    assert entry.data["channel"] == "backoffice" and entry.data["number"] == certificate.number

    page = advisor_client.get(response["Location"]).content.decode()
    assert certificate.number in page and "Valide" in page
    # The customer finds it in their own vault and certificate list.
    from tests.conftest import logged_in_client
    customer = logged_in_client(alice)
    assert certificate.number in customer.get("/documents/attestations/").content.decode()
    assert certificate.number in customer.get("/documents/").content.decode()


def test_issue_with_missing_fields_shows_errors_beside_them_and_keeps_input(advisor_client, alice, alice_contract):
    response = advisor_client.post(issue_url(alice), {"issue-contract": alice_contract.number,
                                                      "issue-kind": "school", "issue-child_first_name": "Léa"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le nom de l&#x27;enfant." in html
    assert 'value="Léa"' in html
    assert not Certificate.objects.exists()


def test_issue_for_another_customers_contract_is_refused(advisor_client, alice, alice_contract, bob_contract):
    response = advisor_client.post(issue_url(alice), {"issue-contract": bob_contract.number,
                                                      "issue-kind": "tenant"})
    assert response.status_code == 400
    assert not Certificate.objects.exists()


def test_revoke_makes_public_verification_answer_revoked_and_is_audited(advisor_client, advisor, alice,
                                                                        alice_contract, client):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    assert "Valide" in client.get("/verifier/", {"numero": certificate.number}).content.decode()

    response = advisor_client.post(revoke_url(alice, certificate.number), {"revoke-reason": "Déménagement"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revocation_reason == "Déménagement"
    entry = AuditLog.objects.get(action="certificate.revoked")
    assert entry.actor == advisor and entry.customer == alice
    assert "révoquée" in client.get("/verifier/", {"numero": certificate.number}).content.decode()
    page = advisor_client.get(page_url(alice)).content.decode()
    assert "Déménagement" in page and f"Révoquer {certificate.number}" not in page


def test_revoke_needs_a_reason_shown_beside_the_field(advisor_client, alice, alice_contract):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")

    response = advisor_client.post(revoke_url(alice, certificate.number), {"revoke-reason": "  "})

    assert response.status_code == 400
    assert "Indiquez le motif de la révocation." in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


def test_revoking_another_customers_certificate_answers_404(advisor_client, alice, bob, bob_contract):
    certificate = certificate_issue(customer=bob, contract=bob_contract, kind="tenant")

    response = advisor_client.post(revoke_url(alice, certificate.number), {"revoke-reason": "Erreur"})

    assert response.status_code == 404
    certificate.refresh_from_db()
    assert certificate.revoked_at is None


# --- Verification log -----------------------------------------------------------------------------

def test_verification_log_lists_attempts_and_filters_by_outcome_and_number(advisor_client, alice, alice_contract):
    certificate = certificate_issue(customer=alice, contract=alice_contract, kind="tenant")
    certificate_verify(raw_number=certificate.number, ip="203.0.113.7")
    certificate_verify(raw_number="ATT-2026-ZZZZZZZZ", ip="203.0.113.8")
    certificate_verify(raw_number="n'importe quoi", ip="203.0.113.9")
    assert VerificationLog.objects.count() == 3

    html = advisor_client.get(VERIFICATIONS).content.decode()
    assert "3 vérifications" in html
    for text in (certificate.number, "ATT-2026-ZZZZZZZZ", "203.0.113.9"):
        assert text in html

    valid = advisor_client.get(VERIFICATIONS, {"resultat": "valid"}).content.decode()
    assert "1 vérification" in valid and certificate.number in valid and "ZZZZZZZZ" not in valid

    unknown = advisor_client.get(VERIFICATIONS, {"numero": "zzzz"}).content.decode()
    assert "1 vérification" in unknown and "ATT-2026-ZZZZZZZZ" in unknown and certificate.number not in unknown


def test_verification_log_bad_filter_shows_the_error_not_a_500(advisor_client):
    response = advisor_client.get(VERIFICATIONS, {"resultat": "nope", "depuis": "32/13/2026"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choisissez un résultat dans la liste." in html and "Saisissez une date valide" in html


# --- Links ----------------------------------------------------------------------------------------

def test_staff_pages_link_to_each_other(advisor_client, alice):
    detail = advisor_client.get(f"/backoffice/clients/{alice.customer_number}/").content.decode()
    assert page_url(alice) in detail
    assert VERIFICATIONS in advisor_client.get(page_url(alice)).content.decode()


def test_customer_pages_link_to_the_certificates_page(alice_client, alice_contract):
    for url in ("/documents/", f"/contrats/{alice_contract.number}/", "/tableau-de-bord/"):
        html = alice_client.get(url).content.decode()
        assert 'href="/documents/attestations/"' in html, url
    assert "Obtenir une attestation" in alice_client.get("/documents/").content.decode()


# --- In a real browser (Chromium + axe-core), skipped visibly without Chromium ------------------------

@pytest.fixture(scope="module")
def bo_browser():
    """Chromium for this module only (the package-scoped one of tests/browser is stopped by then)."""
    import os

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _skip_reason

    if _skip_reason():
        pytest.skip(_skip_reason())
    from playwright.sync_api import Error, sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        try:
            manager = sync_playwright().start()
        except Error as exc:
            pytest.skip(f"Playwright already running in this process: {exc}")
        browser = manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        manager.stop()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_browser_advisor_searches_issues_and_revokes_then_reads_the_log(bo_browser, live_server, viewport,
                                                                         alice, alice_contract, groups, settings):
    from tests.browser.conftest import DESKTOP, PHONE, _new_page, assert_stylesheet_loaded, axe_check

    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    indexed_document(customer=alice, title="Rapport d'expertise", kind="claim_letter", text="fuite sous l'évier")
    session = staff_client(make_staff(groups, "advisor")).cookies[settings.SESSION_COOKIE_NAME].value
    context, page = _new_page(bo_browser, **(PHONE if viewport == "phone" else DESKTOP))
    try:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page.goto(f"{live_server.url}{page_url(alice)}")
        assert_stylesheet_loaded(page)
        axe_check(page)

        page.get_by_label("Rechercher dans les documents du client").fill("fuite")
        page.get_by_role("button", name="Rechercher", exact=True).click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_role("heading", name="1 document trouvé").count() == 1
        axe_check(page)

        page.get_by_label("Attestation locative (pour le bailleur)").check()
        page.get_by_role("button", name="Délivrer l'attestation").click()
        page.wait_for_load_state("domcontentloaded")
        number = Certificate.objects.get(customer=alice).number
        assert number in page.locator(".flash").inner_text()
        axe_check(page)

        page.get_by_label("Motif de la révocation").fill("Erreur de contrat")
        page.get_by_role("button", name=f"Révoquer {number}").click()
        page.wait_for_load_state("domcontentloaded")
        assert Certificate.objects.get(number=number).revoked_at is not None
        axe_check(page)

        nav = page.get_by_role("navigation", name="Menu du back-office")
        assert nav.get_by_role("link", name="Vérifications", exact=True).count() == 1
        page.get_by_role("link", name="Journal des vérifications").click()
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_role("heading", level=1).inner_text() == "Journal des vérifications d'attestations"
        axe_check(page)
        assert page.js_errors == [] and page.csp_violations == []
    finally:
        context.close()
