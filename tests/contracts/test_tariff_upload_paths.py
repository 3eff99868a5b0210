"""A tariff upload writes <version>.toml inside the tariff directory and nowhere else."""

import json
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abri import pricing
from abri.accounts.roles import ensure_staff_groups
from abri.contracts.tariff_admin import tariff_upload, tariffs_dir
from abri.core.models import AuditLog
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR
from tests.backoffice.conftest import make_staff, staff_client

pytestmark = pytest.mark.django_db
URL = "/backoffice/contrats/tarifs/"
SHIPPED = (DEFAULT_TARIFFS_DIR / "2026-01.toml").read_text()
VERSION_ERROR = "« version » doit avoir la forme année-mois"


@pytest.fixture(autouse=True)
def _own_tariff_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ABRI_TARIFFS_DIR", str(tmp_path / "area" / "tariffs"))
    pricing.clear_tariff_cache()
    yield
    pricing.clear_tariff_cache()


@pytest.fixture
def admin_client(db):
    return staff_client(make_staff(ensure_staff_groups(), "administrator", is_superuser=True))


def with_version(version: str) -> bytes:
    # json.dumps gives a valid TOML basic string (\u0000, \n, quotes and backslashes escaped).
    return SHIPPED.replace('version = "2026-01"', f"version = {json.dumps(version)}").replace(
        "effective_from = 2026-01-01", "effective_from = 2027-01-01").encode()


def every_file(root) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file() or path.is_symlink()}


@pytest.mark.parametrize("version", [
    "../../x", "../../../x", "2027-01/../../../x", "2027-01\x00", "2027-01\n", "2027-01-Évian", "2027-1",
    "2027-01-" + "a" * 21,
])
def test_administrator_cannot_write_outside_the_tariff_folder(admin_client, tmp_path, version):
    tariffs_dir()
    before = every_file(tmp_path)
    response = admin_client.post(URL, {"tariff": SimpleUploadedFile("t.toml", with_version(version))})

    assert response.status_code == 200
    html = response.content.decode()
    beside_field = re.search(r'<ul class="error" id="tariff-error">(.*?)</ul>', html, re.S).group(1)
    assert VERSION_ERROR in beside_field
    assert 'aria-describedby="tariff-error"' in html
    assert every_file(tmp_path) == before  # nothing written, nothing left behind
    assert [t.version for t in pricing.available_tariffs()] == ["2026-01"]
    assert not AuditLog.objects.filter(action="tariff.uploaded").exists()


def test_an_absolute_path_as_version_is_refused(admin_client, tmp_path):
    target = tmp_path / "elsewhere"
    response = admin_client.post(URL, {"tariff": SimpleUploadedFile("t.toml", with_version(str(target)))})

    assert VERSION_ERROR in response.content.decode()
    assert not (tmp_path / "elsewhere.toml").exists()


def test_a_symlink_planted_under_the_version_name_is_never_followed_nor_replaced(admin, tmp_path):
    directory = tariffs_dir()
    outside = tmp_path / "outside.toml"
    outside.write_text(SHIPPED.replace('version = "2026-01"', 'version = "2026-02"'))
    (directory / "2027-01.toml").symlink_to(outside)
    pricing.clear_tariff_cache()

    with pytest.raises(pricing.TariffFileError, match="existe déjà"):
        tariff_upload(content=with_version("2027-01"), actor=admin)
    assert (directory / "2027-01.toml").is_symlink()
    assert 'version = "2026-02"' in outside.read_text()  # untouched
    assert not [p for p in os.listdir(directory) if p.endswith(".part")]


def test_a_tariff_folder_reached_through_a_symlink_still_takes_new_versions(admin, tmp_path, monkeypatch):
    real = tmp_path / "real-tariffs"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    monkeypatch.setenv("ABRI_TARIFFS_DIR", str(tmp_path / "link"))
    pricing.clear_tariff_cache()

    tariff = tariff_upload(content=with_version("2027-01-b"), actor=admin)

    assert tariff.version == "2027-01-b"
    assert (real / "2027-01-b.toml").is_file()
    assert [t.version for t in pricing.available_tariffs()] == ["2026-01", "2027-01-b"]


@pytest.fixture
def admin(db):
    return make_staff(ensure_staff_groups(), "administrator", is_superuser=True)
