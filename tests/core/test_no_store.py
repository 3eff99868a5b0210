"""No personal page in a cache: every page answered to a logged-in customer or staff member, and every
identity page (login, second factor, recovery), says `Cache-Control: no-store, private`."""

import pytest
from django.test import Client

from abri.accounts.stepup import step_up_mark_fresh
from tests.backoffice.conftest import staff_client
from tests.conftest import logged_in_client
from tests.core.site_walk import customer_pages, make_world, staff_pages

pytestmark = pytest.mark.django_db


def _directives(response) -> set[str]:
    return {d.strip().split("=")[0].lower() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def test_every_customer_page_is_no_store_private(world):
    client = logged_in_client(world.customer)
    step_up_mark_fresh(client)
    walked, failures = [], []
    for name, url in customer_pages(world):
        response = client.get(url)
        walked.append((name, response.status_code))
        if not {"no-store", "private"} <= _directives(response):
            failures.append(f"{name} {url} {response.status_code}: {response.get('Cache-Control')!r}")
    assert not failures, "\n".join(failures)
    # The walk reached real pages, not only redirects and 404s.
    ok = {name for name, status in walked if status == 200}
    assert {"dashboard", "contracts:detail", "claims:detail", "claims:declare_step", "documents:list",
            "documents:download", "billing:list", "accounts:security"} <= ok, walked


def test_every_staff_page_is_no_store_private(world):
    client = staff_client(world.staff)
    failures, ok = [], set()
    for name, url in staff_pages(world):
        response = client.get(url)
        if response.status_code == 200:
            ok.add(name)
        if not {"no-store", "private"} <= _directives(response):
            failures.append(f"{name} {url} {response.status_code}: {response.get('Cache-Control')!r}")
    assert not failures, "\n".join(failures)
    assert {"backoffice:index", "backoffice:customer", "backoffice_claims:detail", "backoffice_contracts:detail",
            "backoffice_documents:customer"} <= ok, ok


def test_a_file_the_view_let_a_browser_cache_is_no_store_for_its_owner(world):
    """The evidence thumbnail used to say `private, max-age=3600`: kept an hour on a shared computer."""
    from abri.claims import services
    from tests.claims.test_uploads import jpeg_with_exif

    evidence = services.evidence_add(customer=world.customer, data=jpeg_with_exif(), filename="a.jpg",
                                     draft=world.draft)
    response = logged_in_client(world.customer).get(f"/sinistres/fichiers/{evidence.key}/?vignette=1")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_identity_pages_are_no_store_before_login():
    client = Client()
    for url in ["/connexion/", "/connexion/verification/", "/activation/", "/identifiants-oublies/",
                "/identifiants-oublies/code-secret/", "/identifiants-oublies/lien/INCONNU/",
                "/identifiants-oublies/numero-client/", "/backoffice/connexion/"]:
        response = client.get(url)
        assert {"no-store", "private"} <= _directives(response), (url, response.get("Cache-Control"))


def test_public_pages_keep_their_own_cache_policy(world):
    """Static files and the public verification are the same for everyone: not forced to no-store."""
    client = logged_in_client(world.customer)
    pem = client.get("/verifier/ac.pem")
    assert "public" in _directives(pem) and "no-store" not in _directives(pem)
    assert client.get("/verifier/")["Cache-Control"] == "no-store"  # its own, unchanged
