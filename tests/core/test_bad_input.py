"""Bad input never gives a 500: an over-sized body is a 413 (problem+json in the API, a French page
elsewhere), and garbage in any query parameter a page reads is a 404, a form error or a redirect."""

import inspect
import re

import pytest
from django.test import Client

from abri.accounts.stepup import step_up_mark_fresh
from abri.backoffice.billing import RunForm
from abri.backoffice.documents import VerificationFilterForm
from abri.backoffice.forms import CustomerSearchForm
from abri.billing.forms import PaymentFilterForm
from abri.claims.forms import QueueFilterForm
from abri.contracts.forms import ChangeForm
from abri.documents.forms import DocumentSearchForm
from tests.backoffice.conftest import staff_client
from tests.conftest import logged_in_client
from tests.core.site_walk import callbacks, make_world, pages

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
SIX_MB = 6 * 1024 * 1024
GARBAGE = ["abc", "-1", "99999999999999999999", "NaN", "\x00", "A" * 5000, "é💥²２", "2024-02-30"]


def _fields(*form_classes) -> tuple[str, ...]:
    return tuple(name for form_class in form_classes for name in form_class.base_fields)


# Every page whose view reads request.GET: (parameters read one by one, fields of the forms bound to the
# query string). test_every_view_reading_the_query_string_is_swept fails when a view starts reading the
# query string without being listed here.
QUERY_PARAMETERS = {
    "accounts:login": (["next"], ()),
    "accounts:step_up": (["next"], ()),
    "accounts:keep_alive": (["next"], ()),
    "accounts:totp_enrol": (["nouveau"], ()),
    "billing:list": (["page"], _fields(PaymentFilterForm)),
    "billing:export": ([], _fields(PaymentFilterForm)),
    "claims:evidence_file": (["vignette", "apercu"], ()),
    "claims:detail": (["suivi", "etape", "version"], ()),  # read by htmx requests (tests/claims/test_live_timeline.py)
    "contracts:change": (["prix_affiche", "formula"], _fields(ChangeForm)),
    "contracts:simulations": (["comparer"], ()),
    "contracts:amendment_confirm": (["simulation", "idempotency_key"], _fields(ChangeForm)),
    "contracts:conditions": (["q"], ()),
    "documents:list": (["page"], _fields(DocumentSearchForm)),
    "documents:download": (["apercu"], ()),
    "documents:history": (["page"], ()),
    "backoffice:index": (["page", "q"], _fields(CustomerSearchForm)),
    "backoffice:login": (["next"], ()),
    "backoffice_billing:runs": (["page"], _fields(RunForm)),
    "backoffice_billing:rejected": (["page"], ()),
    "backoffice:verify": (["next"], ()),
    "backoffice:enrol": (["next"], ()),
    "backoffice_claims:list": (["page"], _fields(QueueFilterForm)),
    "backoffice_claims:evidence": (["vignette"], ()),
    "backoffice_contracts:list": (["q", "status", "page"], ()),
    "backoffice_contracts:detail": (["formula"], _fields(ChangeForm)),
    "backoffice_contracts:change": (["formula"], _fields(ChangeForm)),
    "backoffice_documents:customer": (["page", "q"], _fields(DocumentSearchForm)),
    "backoffice_documents:verifications": (["page"], _fields(VerificationFilterForm)),
    "backoffice_payments:unmatched": (["page"], ()),
}
_READS_QUERY = re.compile(r"request\.GET|_safe_next\(|_change_form\(|_next_url\(")


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def test_a_six_megabyte_login_body_is_a_413_problem_not_a_traceback():
    body = b'{"customer_number": "' + b"A" * SIX_MB + b'", "pin": "246810"}'
    response = Client(raise_request_exception=False).post("/api/v1/auth/login", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Requête trop volumineuse"
    assert "Traceback" not in response.content.decode()


def test_a_six_megabyte_form_is_a_french_413_page():
    response = Client(raise_request_exception=False).post("/connexion/", {"customer_number": "A" * SIX_MB})
    assert response.status_code == 413
    html = response.content.decode()
    assert "Envoi trop volumineux" in html and "5 Mo" in html


def test_amendment_with_a_simulation_that_is_not_a_number_is_404(world):
    client = logged_in_client(world.customer)
    step_up_mark_fresh(client)
    client.raise_request_exception = False
    for value in ["abc", "²", "1.5", "99999999999999999999"]:
        response = client.get(f"/contrats/{world.contract.number}/avenant/", {"simulation": value})
        assert response.status_code == 404, value


def test_comparing_simulations_with_unicode_digits_is_not_a_500(world):
    client = logged_in_client(world.customer)
    client.raise_request_exception = False
    response = client.get(f"/contrats/{world.contract.number}/simulations/", {"comparer": ["²", "٣"]})
    assert response.status_code == 200
    assert "Choisissez de 2 à 4 simulations" in response.content.decode()


def test_every_view_reading_the_query_string_is_swept():
    unlisted = []
    for name, callback in callbacks().items():
        if name.startswith(("api:", "admin:", "verify:")) or name in QUERY_PARAMETERS:
            continue
        try:
            source = inspect.getsource(inspect.unwrap(callback))
        except (OSError, TypeError):
            continue
        if _READS_QUERY.search(source):
            unlisted.append(name)
    assert not unlisted, f"views reading the query string but not swept: {unlisted}"


def _sweep(client, urls: dict[str, str], failures: list[str]) -> int:
    sent = 0
    for name, url in urls.items():
        single, form_fields = QUERY_PARAMETERS[name]
        for value in GARBAGE:
            # One by one, then all together (a form validates each of its fields on its own).
            queries = [{p: value} for p in single] + [dict.fromkeys([*single, *form_fields], value)]
            for query in queries:
                response = client.get(url, query)
                if response.status_code == 405:  # a POST-only view: the same values as its form data
                    response = client.post(url, query)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {name} {url} {sorted(query)}={value[:20]!r}")
    return sent


def test_garbage_in_every_query_parameter_never_gives_a_500(world):
    customer = logged_in_client(world.customer)
    step_up_mark_fresh(customer)
    staff = staff_client(world.staff)
    for client in (customer, staff):
        client.raise_request_exception = False
    walked = {audience: {} for audience in ("customer", "staff")}
    for audience, name, url in pages(world):
        if name in QUERY_PARAMETERS:
            walked[audience][name] = url
    failures: list[str] = []
    sent = _sweep(customer, walked["customer"], failures) + _sweep(staff, walked["staff"], failures)
    assert not failures, "\n".join(failures[:40])
    assert set(walked["customer"]) | set(walked["staff"]) == set(QUERY_PARAMETERS)
    assert sent > 400


def test_a_nul_character_in_a_query_or_a_form_is_refused_before_the_database(world):
    """PostgreSQL refuses U+0000 in text (DataError, a 500): pages refuse it first, with a French 400."""
    staff = staff_client(world.staff)
    response = staff.get("/backoffice/contrats/", {"q": "MRH\x00"})
    assert response.status_code == 400
    assert "Requête refusée" in response.content.decode()
    assert Client().post("/connexion/", {"customer_number": "A\x00", "pin": "1"}).status_code == 400
    assert staff.get("/backoffice/contrats/", {"q": "MRH"}).status_code == 200
