"""The writable tariff directory follows corrections of the versions shipped with Abri."""

from abri.contracts import tariff_admin
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR


def test_a_stale_copy_of_a_shipped_version_is_replaced(tmp_path, monkeypatch):
    """A deployment seeded before the 2026-01 tax classes were corrected must not keep pricing with the old file."""
    directory = tmp_path / "tariffs"
    directory.mkdir()
    (directory / "2026-01.toml").write_text("# the file as shipped before the correction\n", encoding="utf-8")
    (directory / "2027-01.toml").write_text("# an insurer's own version\n", encoding="utf-8")
    monkeypatch.setenv("ABRI_TARIFFS_DIR", str(directory))
    tariff_admin.tariffs_dir()
    assert (directory / "2026-01.toml").read_bytes() == (DEFAULT_TARIFFS_DIR / "2026-01.toml").read_bytes()
    assert (directory / "2027-01.toml").read_text(encoding="utf-8") == "# an insurer's own version\n"
