"""The certificate page's partial update speaks htmx (ADR 0009, issue 10 point 6): the form posts to the same URL;
issued, the answer is HTML (the list out of band, one sentence for the status region, the download link in
HX-Trigger); refused, the form section with its errors (422); without JavaScript the PDF downloads as before."""

import json

import pytest

from abri.certificates.models import Certificate

pytestmark = pytest.mark.django_db
URL = "/documents/attestations/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver" + URL}


def test_page_form_posts_with_htmx_to_its_own_url_and_no_script_fetches(alice_client, alice_contract):
    html = alice_client.get(URL).content.decode()
    assert f'hx-post="{URL}"' in html and 'hx-target="#new-certificate"' in html
    # The status region exists from page load (filled out of band), outside the swapped section.
    assert html.index('id="certificate-status"') < html.index('id="new-certificate"')
    with open("abri/static/abri/certificates.js", encoding="utf-8") as handle:
        script = handle.read()
    assert "fetch(" not in script and "DOMParser" not in script and "XMLHttpRequest" not in script


def test_htmx_issue_answers_the_list_out_of_band_and_the_download_link(alice_client, alice_contract, alice):
    response = alice_client.post(URL, {"contract": alice_contract.number, "kind": "tenant"}, **HTMX)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    certificate = Certificate.objects.get(customer=alice)
    download = f"/documents/attestations/{certificate.number}/telecharger/"
    assert json.loads(response["HX-Trigger"]) == {"certificate-issued": {"url": download}}
    assert response["HX-Reswap"] == "none"  # the form stays as typed, the focus on its button
    html = response.content.decode()
    assert '<section aria-labelledby="issued-title" id="issued" hx-swap-oob="outerHTML">' in html
    assert f"<th scope=\"row\">{certificate.number}</th>" in html and "Valide" in html
    assert '<div id="certificate-status" hx-swap-oob="innerHTML">' in html
    assert (f"Attestation {certificate.number} délivrée : son téléchargement a commencé. Elle est ajoutée à la "
            "liste des attestations délivrées.") in html
    assert f'href="{download}"' in html  # also a link, should the download be blocked
    assert "<html" not in html and "<h1" not in html  # a fragment, not the page


def test_htmx_refusal_is_the_form_section_with_its_errors_in_a_422(alice_client, alice_contract):
    response = alice_client.post(URL, {"contract": alice_contract.number, "kind": "school", "child_first_name": "Léa"},
                                 **HTMX)

    assert response.status_code == 422  # htmx swaps 422 (ADR 0009), never a 400 or an error page
    html = response.content.decode()
    assert html.lstrip().startswith('<section aria-labelledby="new-certificate-title" class="card" id="new-certificate">')
    assert "error-summary" in html and 'value="Léa"' in html  # nothing typed is lost
    assert "<html" not in html and 'id="issued"' not in html
    assert not Certificate.objects.exists()


def test_without_javascript_the_same_post_still_downloads_the_pdf(alice_client, alice_contract):
    response = alice_client.post(URL, {"contract": alice_contract.number, "kind": "tenant"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    refused = alice_client.post(URL, {"contract": alice_contract.number, "kind": "school"})
    assert refused.status_code == 400 and "<h1>Mes attestations d'assurance</h1>" in refused.content.decode()


@pytest.fixture
def queue_not_running(settings):
    """The task queue has not signed the PDF yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_htmx_issue_still_being_signed_says_so_and_lists_it_as_in_preparation(alice_client, alice_contract, alice,
                                                                              queue_not_running):
    response = alice_client.post(URL, {"contract": alice_contract.number, "kind": "tenant"}, **HTMX)
    html = response.content.decode()
    number = Certificate.objects.get(customer=alice).number
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert f"Votre attestation {number} est en préparation" in html and "En préparation" in html


def test_without_javascript_an_issue_still_being_signed_redirects_with_a_message(alice_client, alice_contract, alice,
                                                                                 queue_not_running):
    response = alice_client.post(URL, {"contract": alice_contract.number, "kind": "tenant"}, follow=True)
    number = Certificate.objects.get(customer=alice).number
    assert response.redirect_chain == [(URL, 302)]
    assert f"Votre attestation {number} est en préparation" in response.content.decode()
