"""The declaration wizard through its pages: drafts, evidence, idempotent submission, authorization."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from abri.accounts.stepup import step_up_mark_fresh
from abri.claims.models import Claim, ClaimDraft, Evidence
from abri.documents.models import Document
from abri.notifications.models import Notification, OutboxMessage
from tests.conftest import logged_in_client


def photo(name="degats.jpg", color=(120, 40, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def start(client):
    response = client.post("/sinistres/declarer/")
    assert response.status_code == 302
    return ClaimDraft.objects.latest("created_at"), response["Location"]


def fill_until_evidence(client, draft, event="water"):
    base = f"/sinistres/declarer/{draft.key}"
    today = timezone.localdate()
    assert client.post(f"{base}/event/", {"event": event}).status_code == 302
    assert client.post(f"{base}/when/", {"occurred_date": (today - timedelta(days=1)).isoformat(),
                                         "occurred_time": "22:30", "location_mode": "home"}).status_code == 302
    details = {"description": "Fuite sous l'évier, parquet gondolé <script>alert(1)</script>",
               "neighbour_involved": "no", "water_source": "leak"}
    assert client.post(f"{base}/details/", details).status_code == 302
    items = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-0-label": "Parquet",
             "items-0-category": "building", "items-0-amount": "1200,50", "items-0-age_years": "4",
             "items-1-label": "", "items-1-amount": ""}
    assert client.post(f"{base}/items/", items).status_code == 302
    assert client.post(f"{base}/third_parties/", {"parties-TOTAL_FORMS": "1", "parties-INITIAL_FORMS": "0"}).status_code == 302
    step_up_mark_fresh(client)  # bank details ask for the second factor (tests/claims/test_bank_details.py)
    assert client.post(f"{base}/bank/", {"iban": "FR14 2004 1010 0505 0001 3M02 606", "holder": "Alice Durand"}).status_code == 302


@pytest.mark.django_db
def test_single_home_skips_choice_and_full_declaration_submits_once(alice_client, alice, alice_contract,
                                                                   django_capture_on_commit_callbacks):
    draft, location = start(alice_client)
    assert location.endswith("/event/")  # one home: chosen automatically
    fill_until_evidence(alice_client, draft)
    base = f"/sinistres/declarer/{draft.key}"
    response = alice_client.post(f"{base}/evidence/", {"kind": "photo", "files": [photo(), photo("b.jpg")],
                                                       "upload": "1"})
    assert response.status_code == 302
    assert Evidence.objects.filter(draft=draft).count() == 2
    summary = alice_client.get(f"{base}/summary/").content.decode()
    assert "Dégâts des eaux" in summary and "Franchise" in summary
    assert "au plus tard le" in summary
    assert "FR14" not in summary and "compte se terminant par 2606" in summary
    with django_capture_on_commit_callbacks(execute=True):
        first = alice_client.post(f"{base}/envoyer/")
        second = alice_client.post(f"{base}/envoyer/")  # double click / retry
    assert Claim.objects.filter(customer=alice).count() == 1
    claim = Claim.objects.get(customer=alice)
    assert first["Location"] == second["Location"] == f"/sinistres/{claim.number}/"
    assert claim.estimated_amount == 1200.50
    assert "<script>" not in claim.description
    assert claim.iban_last4 == "2606" and "FR14" not in claim.iban_encrypted
    assert claim.evidence.count() == 2
    assert Document.objects.filter(claim=claim, kind="claim_letter").exists()  # acknowledgement PDF
    assert Notification.objects.filter(customer=alice, title__contains=claim.number).exists()
    assert OutboxMessage.objects.filter(customer=alice, channel="sms").exists()
    page = alice_client.get(f"/sinistres/{claim.number}/").content.decode()
    assert "Déclaration reçue" in page and "Ce dont nous avons besoin" in page


@pytest.mark.django_db
def test_several_homes_choose_first(alice_client, alice, alice_contract):
    from tests.contracts.factories import make_contract

    make_contract(customer=alice)
    draft, location = start(alice_client)
    assert location.endswith("/home/")
    page = alice_client.get(f"/sinistres/declarer/{draft.key}/home/").content.decode()
    assert alice_contract.number in page
    response = alice_client.post(f"/sinistres/declarer/{draft.key}/home/", {"contract": "MRH-OF-SOMEONE-ELSE"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    ok = alice_client.post(f"/sinistres/declarer/{draft.key}/home/", {"contract": alice_contract.number})
    assert ok["Location"].endswith("/event/")


@pytest.mark.django_db
def test_bad_input_gets_french_messages_and_keeps_what_was_typed(alice_client, alice_contract):
    draft, _ = start(alice_client)
    base = f"/sinistres/declarer/{draft.key}"
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    html = alice_client.post(f"{base}/when/", {"occurred_date": future, "location_mode": "home"}).content.decode()
    assert "ne peut pas être dans le futur" in html
    items = {"items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "items-0-label": "Vélo", "items-0-amount": "-5",
             "items-1-label": "Montre", "items-1-amount": "1000000000000"}
    html = alice_client.post(f"{base}/items/", items).content.decode()
    assert "Le montant doit être positif." in html
    assert "Ce montant semble trop élevé" in html or "Assurez-vous" in html
    assert 'value="Vélo"' in html
    html = alice_client.post(f"{base}/bank/", {"iban": "FR00 1234", "holder": "A"}).content.decode()
    assert "Cet IBAN n&#x27;est pas valide" in html


@pytest.mark.django_db
def test_upload_rejections_keep_the_rest(alice_client, alice_contract):
    draft, _ = start(alice_client)
    fake = SimpleUploadedFile("photo.jpg", b"MZ this is an executable", content_type="image/jpeg")
    response = alice_client.post(f"/sinistres/declarer/{draft.key}/evidence/",
                                 {"files": [fake, photo()], "upload": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas une image lisible" in html
    assert Evidence.objects.filter(draft=draft).count() == 1


@pytest.mark.django_db
def test_javascript_upload_is_idempotent_on_its_token(alice_client, alice_contract):
    draft, _ = start(alice_client)
    url = f"/sinistres/declarer/{draft.key}/fichiers/"
    first = alice_client.post(url, {"file": photo()}, HTTP_X_UPLOAD_TOKEN="abc123", HTTP_HX_REQUEST="true")
    retry = alice_client.post(url, {"file": photo()}, HTTP_X_UPLOAD_TOKEN="abc123", HTTP_HX_REQUEST="true")
    assert first.status_code == retry.status_code == 201
    assert Evidence.objects.filter(draft=draft).count() == 1
    key = Evidence.objects.get(draft=draft).key
    # An HTML fragment (ADR 0009): the line for the file's progress item, and the file added to the list
    # of received files out of band, with its « Retirer » button; the « Aucun fichier » line removed.
    html = first.content.decode()
    assert html.startswith("Reçu : « degats.jpg »")
    assert '<div hx-swap-oob="beforeend:#evidence-list"><li class="evidence-item">' in html
    assert f'name="remove" value="{key}"' in html and f"/sinistres/fichiers/{key}/?vignette=1" in html
    assert '<div id="evidence-empty" hx-swap-oob="delete"></div>' in html
    assert retry.content.decode().startswith("Reçu : « degats.jpg »")
    bad = alice_client.post(url, {"file": SimpleUploadedFile("x.jpg", b"nope")}, HTTP_X_UPLOAD_TOKEN="t2")
    assert bad.status_code == 422
    assert bad.content.decode().strip() == "x.jpg : Ce fichier n&#x27;est pas une image lisible : il est peut-être abîmé."
    assert alice_client.post(url, {}).content.decode().strip() == "Aucun fichier reçu : réessayez."
    # The step page lists the file with the same markup, and the empty line has the id the fragment removes.
    page = alice_client.get(f"/sinistres/declarer/{draft.key}/evidence/").content.decode()
    assert f'name="remove" value="{key}"' in page
    empty = start(alice_client)[0]
    assert 'id="evidence-empty"' in alice_client.get(f"/sinistres/declarer/{empty.key}/evidence/").content.decode()


@pytest.mark.django_db
def test_files_beyond_the_maximum_are_refused(alice_client, alice_contract, monkeypatch):
    from abri.claims import services

    monkeypatch.setattr(services, "MAX_FILES", 2)  # the rule is the same at 30; 2 keeps the test fast
    draft, _ = start(alice_client)
    url = f"/sinistres/declarer/{draft.key}/fichiers/"
    assert alice_client.post(url, {"file": photo()}).status_code == 201
    assert alice_client.post(url, {"file": photo()}).status_code == 201
    third = alice_client.post(url, {"file": photo()})
    assert third.status_code == 422 and "maximum" in third.content.decode()


@pytest.mark.django_db
def test_draft_resumes_from_another_device(alice, alice_contract):
    phone = logged_in_client(alice)
    draft, _ = start(phone)
    phone.post(f"/sinistres/declarer/{draft.key}/event/", {"event": "theft"})
    laptop = logged_in_client(alice)
    listing = laptop.get("/sinistres/").content.decode()
    assert f"/sinistres/declarer/{draft.key}/when/" in listing
    page = laptop.get(f"/sinistres/declarer/{draft.key}/event/").content.decode()
    assert re.search(r'value="theft"[^>]*checked', page)


@pytest.mark.django_db
def test_expired_session_keeps_the_posted_step(client, alice, alice_contract):
    logged = logged_in_client(alice)
    draft, _ = start(logged)
    url = f"/sinistres/declarer/{draft.key}/when/"
    response = client.post(url, {"occurred_date": "2026-11-20", "occurred_time": "21:15", "location_mode": "typed",
                                 "address": "3 place Bellecour, Lyon"})
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    client.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    html = client.get(url).content.decode()
    assert "3 place Bellecour, Lyon" in html
    assert "Votre session avait expiré" in html


@pytest.mark.django_db
def test_bob_never_sees_alice_claim_photo_or_draft(alice, alice_client, alice_contract, bob_client, bob_contract):
    draft, _ = start(alice_client)
    assert alice_client.post(f"/sinistres/declarer/{draft.key}/fichiers/", {"file": photo()}).status_code == 201
    key = Evidence.objects.get(draft=draft).key
    fill_until_evidence(alice_client, draft)
    alice_client.post(f"/sinistres/declarer/{draft.key}/envoyer/")
    claim = Claim.objects.get(customer=alice)
    for url in [f"/sinistres/declarer/{draft.key}/event/", f"/sinistres/fichiers/{key}/",
                f"/sinistres/{claim.number}/"]:
        assert bob_client.get(url).status_code == 404, url
        assert bob_client.get(url, HTTP_HX_REQUEST="true").status_code == 404, url
    assert bob_client.post(f"/sinistres/declarer/{draft.key}/fichiers/", {"file": photo()}).status_code == 404
    assert bob_client.post(f"/sinistres/{claim.number}/messages/", {"body": "hello"}).status_code == 404
    assert bob_client.post(f"/sinistres/{claim.number}/accepter/").status_code == 404
    assert claim.number not in bob_client.get("/sinistres/").content.decode()


@pytest.mark.django_db
def test_claims_list_query_count_is_constant(alice_client, alice_contract):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.claims.factories import make_claim

    make_claim(contract=alice_contract)
    with CaptureQueriesContext(connection) as few:
        alice_client.get("/sinistres/")
    for _ in range(100):
        make_claim(contract=alice_contract)
    with CaptureQueriesContext(connection) as many:
        response = alice_client.get("/sinistres/")
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_idle_expired_session_keeps_the_posted_step(alice, alice_contract):
    import time

    from abri.accounts.auth_flow import SESSION_SEEN_AT

    client = logged_in_client(alice)
    draft, _ = start(client)
    client.post(f"/sinistres/declarer/{draft.key}/event/", {"event": "water"})
    session = client.session
    session[SESSION_SEEN_AT] = time.time() - 3600  # idle for an hour: the session has expired
    session.save()
    url = f"/sinistres/declarer/{draft.key}/details/"
    response = client.post(url, {"description": "Le plafond de la cuisine s'effondre", "neighbour_involved": "yes"})
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")
    client.force_login(alice.user, backend="abri.accounts.backends.CustomerPinBackend")
    html = client.get(url).content.decode()
    assert "Le plafond de la cuisine s&#x27;effondre" in html
    assert "Votre session avait expiré" in html


@pytest.mark.django_db
def test_photos_sent_for_a_claim_appear_in_the_documents(alice, alice_client, alice_contract,
                                                         django_capture_on_commit_callbacks):
    draft, _ = start(alice_client)
    alice_client.post(f"/sinistres/declarer/{draft.key}/fichiers/", {"file": photo("cuisine.jpg")})
    fill_until_evidence(alice_client, draft)
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(f"/sinistres/declarer/{draft.key}/envoyer/")
    claim = Claim.objects.get(customer=alice)
    document = Document.objects.get(customer=alice, claim=claim, kind="photo")
    assert "cuisine.jpg" in document.title and document.mime_type == "image/jpeg"
    preview = alice_client.get(f"/documents/{document.pk}/telecharger/?apercu=1")
    assert preview.status_code == 200 and preview["Content-Type"] == "image/jpeg"
    later = alice_client.post(f"/sinistres/{claim.number}/documents/",
                              {"files": [photo("salon.jpg")], "kind": "photo"})
    assert later.status_code == 302
    assert Document.objects.filter(customer=alice, kind="photo", title__contains="salon.jpg").exists()


@pytest.mark.django_db
def test_deadline_shown_and_recorded_from_the_day_the_loss_was_discovered_l113_2(alice, alice_client, alice_contract):
    """L113-2 4°: back from three weeks away, the customer has 5 working days from the discovery, not the event."""
    from abri.claims.services import draft_submit

    draft, _location = start(alice_client)
    base = f"/sinistres/declarer/{draft.key}"
    today = timezone.localdate()
    occurred, learned = today - timedelta(days=21), today - timedelta(days=1)
    assert alice_client.post(f"{base}/event/", {"event": "water"}).status_code == 302
    page = alice_client.get(f"{base}/when/").content.decode()
    assert "Date à laquelle vous l&#x27;avez découvert" in page
    assert alice_client.post(f"{base}/when/", {"occurred_date": occurred.isoformat(), "learned_date": learned.isoformat(),
                                               "location_mode": "home"}).status_code == 302
    details = {"description": "Fuite découverte au retour de vacances", "neighbour_involved": "no", "water_source": "leak"}
    assert alice_client.post(f"{base}/details/", details).status_code == 302
    summary = alice_client.get(f"{base}/summary/").content.decode()
    assert "5 jours ouvrés après la découverte du sinistre" in summary
    assert "Découvert le" in summary
    assert "hors délai" not in summary.lower()
    claim = draft_submit(customer=alice, draft=ClaimDraft.objects.get(pk=draft.pk))
    assert claim.learned_on == learned
    assert claim.is_late is False and claim.declaration_deadline > learned


@pytest.mark.django_db
def test_discovery_date_before_the_event_or_in_the_future_is_refused_in_french(alice_client, alice_contract):
    draft, _location = start(alice_client)
    base = f"/sinistres/declarer/{draft.key}"
    today = timezone.localdate()
    assert alice_client.post(f"{base}/event/", {"event": "water"}).status_code == 302
    html = alice_client.post(f"{base}/when/", {"occurred_date": (today - timedelta(days=3)).isoformat(),
                                               "learned_date": (today - timedelta(days=5)).isoformat(),
                                               "location_mode": "home"}).content.decode()
    assert "La date de découverte ne peut pas précéder la date du sinistre." in html
    assert (today - timedelta(days=5)).isoformat() in html  # what was typed is kept
    html = alice_client.post(f"{base}/when/", {"occurred_date": (today - timedelta(days=3)).isoformat(),
                                               "learned_date": (today + timedelta(days=2)).isoformat(),
                                               "location_mode": "home"}).content.decode()
    assert "La date de découverte ne peut pas être dans le futur." in html
