"""Tariff files: validation with clear errors, and the choice of the version in force at a date."""

import re
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from abri.pricing import (
    NoTariffInForce,
    Quote,
    TariffFileError,
    available_tariffs,
    clear_tariff_cache,
    load_tariff,
    quote,
    tariff_by_version,
    tariff_in_force,
)
from abri.pricing.tariff import DEFAULT_TARIFFS_DIR, TARIFFS_DIR_ENV
from tests.pricing.factories import make_request

SHIPPED = DEFAULT_TARIFFS_DIR / "2026-01.toml"


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_tariff_cache()
    yield
    clear_tariff_cache()


def shipped_text() -> str:
    return SHIPPED.read_text(encoding="utf-8")


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path, text: str) -> list[str]:
    with pytest.raises(TariffFileError) as caught:
        load_tariff(write(tmp_path, "bad.toml", text))
    assert str(tmp_path / "bad.toml") in str(caught.value)
    return caught.value.problems


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def test_shipped_tariff_loads():
    tariff = load_tariff(SHIPPED)
    assert tariff.version == "2026-01"
    assert tariff.effective_from == date(2026, 1, 1)
    assert list(tariff.formulas) == ["essentielle", "confort", "integrale"]
    assert set(tariff.options) == {"valuables", "new_for_old", "garden", "pool", "outbuildings", "legal",
                                   "assistance", "alarm"}


def test_numbers_are_read_as_exact_decimals_not_floats():
    tariff = load_tariff(SHIPPED)
    assert tariff.zone_factors[5] == Decimal("1.45")
    assert isinstance(tariff.ground_floor_factor, Decimal)


def test_invalid_toml_syntax(tmp_path):
    [problem] = problems_of(tmp_path, "[tariff\nversion = 1")
    assert problem.startswith("not valid TOML:")


def test_missing_file_is_reported_with_its_path(tmp_path):
    with pytest.raises(TariffFileError, match="cannot be read"):
        load_tariff(tmp_path / "nowhere.toml")


def test_missing_tables_are_listed(tmp_path):
    problems = problems_of(tmp_path, '[tariff]\nversion = "x"\neffective_from = 2026-01-01\n')
    for table in ("base_premiums", "rooms", "zones", "floor", "deductibles", "claims", "contents", "taxes",
                  "payment_frequencies", "guarantees", "formulas"):
        assert f"{table}: missing table" in problems


def test_every_defect_is_reported_with_its_location(tmp_path):
    text = shipped_text()
    text = replace_once(text, "apartment = 95.00", "apartment = -95.00")
    text = replace_once(text, "effective_from = 2026-01-01", 'effective_from = "1st of January"')
    text = replace_once(text, 'tax_class = "fire"', 'tax_class = "smoke"')
    text = replace_once(text, "5 = 1.45", '5 = "high"')
    problems = problems_of(tmp_path, text)
    assert "base_premiums.tenant.apartment: must be greater than 0, got -95.00" in problems
    assert any(p.startswith("tariff.effective_from: must be a TOML date") for p in problems)
    assert ("guarantees.fire.tax_class: must be one of fire, legal_protection, other ([taxes.insurance_tax]), "
            "got 'smoke'") in problems
    assert "zones.5: must be a number, got 'high'" in problems


def test_absurdly_large_or_precise_numbers_are_refused(tmp_path):
    text = replace_once(shipped_text(), "5 = 1.45", "5 = 1e999999")
    text = replace_once(text, "4 = 1.20", "4 = 1.200000000001")
    problems = problems_of(tmp_path, text)
    assert any(p.startswith("zones.5: must be at most 1,000,000,000") for p in problems)
    assert any(p.startswith("zones.4: must be at most 1,000,000,000 with at most 8 decimal places") for p in problems)


def test_unknown_guarantee_in_a_formula(tmp_path):
    text = replace_once(shipped_text(), '"water",\n              "theft"', '"water",\n              "flood"')
    assert any(p.startswith("formulas.confort.guarantees: unknown code(s) flood") for p in problems_of(tmp_path, text))


def test_option_offered_in_an_unknown_formula(tmp_path):
    text = replace_once(shipped_text(), 'available_in = ["confort"]', 'available_in = ["premium"]')
    assert any(p.startswith("options.new_for_old.available_in: unknown code(s) premium")
               for p in problems_of(tmp_path, text))


def test_rating_tables_must_keep_the_engine_monotonic(tmp_path):
    text = replace_once(shipped_text(), "500 = 0.85", "500 = 1.50")
    assert ("deductibles: factors must be non-increasing (a higher deductible must never cost more)"
            in problems_of(tmp_path, text))
    text = replace_once(shipped_text(), "factors = [1.00, 1.10, 1.25]", "factors = [1.00, 0.90, 1.25]")
    assert any(p.startswith("claims.factors: factors must be non-decreasing") for p in problems_of(tmp_path, text))


def test_zones_must_be_numbered_without_gaps(tmp_path):
    text = replace_once(shipped_text(), "4 = 1.20\n", "")
    assert "zones: zones must be numbered 1, 2, 3, … without gaps" in problems_of(tmp_path, text)


def test_default_deductible_must_be_offered(tmp_path):
    text = replace_once(shipped_text(), "default_deductible = 0", "default_deductible = 75")
    assert "formulas.integrale.default_deductible: 75 is not in [deductibles]" in problems_of(tmp_path, text)


def test_unsupported_currency(tmp_path):
    text = replace_once(shipped_text(), 'currency = "EUR"', 'currency = "USD"')
    assert "tariff.currency: only EUR is supported, got 'USD'" in problems_of(tmp_path, text)


def next_version(text: str, version: str, effective: str, tenant_apartment: str) -> str:
    text = replace_once(text, 'version = "2026-01"', f'version = "{version}"')
    text = replace_once(text, "effective_from = 2026-01-01", f"effective_from = {effective}")
    return replace_once(text, "apartment = 95.00", f"apartment = {tenant_apartment}")


@pytest.fixture
def two_versions(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "2026-01.toml")
    write(tmp_path, "2027-01.toml", next_version(shipped_text(), "2027-01", "2027-01-01", "99.00"))
    return tmp_path


def test_tariff_in_force_is_the_latest_effective_on_the_date(two_versions):
    assert [t.version for t in available_tariffs(two_versions)] == ["2026-01", "2027-01"]
    assert tariff_in_force(date(2026, 1, 1), two_versions).version == "2026-01"
    assert tariff_in_force(date(2026, 12, 31), two_versions).version == "2026-01"
    assert tariff_in_force(date(2027, 1, 1), two_versions).version == "2027-01"
    assert tariff_in_force(date(2030, 5, 1), two_versions).version == "2027-01"
    with pytest.raises(NoTariffInForce):
        tariff_in_force(date(2025, 12, 31), two_versions)


def test_tariff_by_version(two_versions):
    assert tariff_by_version("2027-01", two_versions).base_premiums[("tenant", "apartment")] == Decimal("99.00")
    with pytest.raises(NoTariffInForce, match="unknown tariff version '1999'"):
        tariff_by_version("1999", two_versions)


def test_quote_uses_the_tariff_in_force_at_the_effective_date(two_versions, monkeypatch):
    monkeypatch.setenv(TARIFFS_DIR_ENV, str(two_versions))
    clear_tariff_cache()
    before = quote(make_request(effective_date=date(2026, 12, 31)))
    after = quote(make_request(effective_date=date(2027, 1, 1)))
    assert isinstance(before, Quote) and isinstance(after, Quote)
    assert (before.tariff_version, before.net_premium) == ("2026-01", Decimal("95.00"))
    assert (after.tariff_version, after.net_premium) == ("2027-01", Decimal("99.00"))
    # An explicit tariff wins: an amendment priced with the contract's own version.
    kept = quote(make_request(effective_date=date(2027, 6, 1)), tariff_by_version("2026-01"))
    assert kept.tariff_version == "2026-01"


def test_an_insurer_replaces_the_tariff_by_pointing_to_its_directory(tmp_path, monkeypatch):
    write(tmp_path, "insurer.toml", next_version(shipped_text(), "ACME-2026", "2026-02-01", "120.00"))
    monkeypatch.setenv(TARIFFS_DIR_ENV, str(tmp_path))
    clear_tariff_cache()
    result = quote(make_request(effective_date=date(2026, 3, 1)))
    assert (result.tariff_version, result.net_premium) == ("ACME-2026", Decimal("120.00"))


def test_directory_with_two_files_of_the_same_version_or_date(tmp_path):
    shutil.copy(SHIPPED, tmp_path / "a.toml")
    shutil.copy(SHIPPED, tmp_path / "b.toml")
    with pytest.raises(TariffFileError) as caught:
        available_tariffs(tmp_path)
    assert any(re.match(r"version 2026-01 is defined twice", p) for p in caught.value.problems)
    assert any("take effect on the same date 2026-01-01" in p for p in caught.value.problems)


def test_empty_directory(tmp_path):
    with pytest.raises(TariffFileError, match=r"no tariff file \(\*\.toml\)"):
        available_tariffs(tmp_path)


def test_surface_rating_with_an_uneven_area_per_room(tmp_path):
    # 2 000 m² / 33 m² per rated room = 60.6: rated as 61 rooms.
    tariff = load_tariff(write(tmp_path, "t.toml", replace_once(shipped_text(), "m2_per_rated_room = 40",
                                                                "m2_per_rated_room = 33")))
    result = quote(make_request(kind="house", floor=None, rooms=30, surface_m2=2000), tariff)
    assert dict(result.factors)["rooms"] == Decimal("6.90")  # 1 + 0.10 × (61 − 2)
