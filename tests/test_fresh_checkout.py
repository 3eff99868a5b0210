"""A fresh checkout works before any collectstatic: `make test` and the first page render don't need it."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage


@pytest.mark.django_db
def test_pages_render_with_plain_static_names_when_nothing_was_collected(client, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static-never-collected"  # no manifest, no files
    assert staticfiles_storage.url("abri/abri.css") == "/static/abri/abri.css"
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert 'href="/static/abri/abri.css"' in response.content.decode()


def test_a_missing_static_file_still_answers_its_plain_url(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty"
    assert staticfiles_storage.url("abri/nothing-here.js") == "/static/abri/nothing-here.js"
