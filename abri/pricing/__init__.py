"""Abri's home-insurance tariff engine: pure Python (no Django), tariff tables as versioned TOML files.

Public API (everything else is internal):

    quote(request, tariff=None) -> Quote | Referral
        Price a QuoteRequest with the tariff in force at request.effective_date (or the given Tariff).
        Raises TariffValidationError (its .errors maps each request field to a French message, ready to
        show beside the form field); returns a Referral (.reason in French) when the file must be studied
        by an advisor (3 claims or more in 36 months).
    validate(request, tariff=None) -> Tariff
        The same checks without pricing; returns the tariff that applies.
    advise(request, tariff=None) -> list[str]
        French advice from the profile (cover gaps, discounts, cheaper variants).
    prorata(old_annual_total, new_annual_total, change_date, next_due_date, days_in_period=None) -> Decimal
        Amount due (> 0) or refunded (< 0) for an amendment until the next main due date.
    formula_coverage(tariff=None) -> tuple[FormulaCoverage, ...]
        What each formula covers (included / option / unavailable), for the comparison page.
    load_tariff(path) -> Tariff                 read and validate one file (TariffFileError lists defects)
    tariff_in_force(on_date) -> Tariff          the version in force on a date (NoTariffInForce if none)
    tariff_by_version(version) -> Tariff        e.g. the version a contract was priced with
    available_tariffs() / clear_tariff_cache()  every version of the directory / re-read the files

Tariff files live in abri/pricing/tariffs/*.toml, or in the directory named by $ABRI_TARIFFS_DIR;
the format is described in docs/pricing.md. Amounts are Decimal euros; every amount of a Quote is
rounded to the cent and its breakdown (Quote.lines) sums exactly to its totals.
"""

from abri.pricing.advice import advise
from abri.pricing.coverage import CoverageItem, FormulaCoverage, formula_coverage
from abri.pricing.engine import format_euros, quote, validate
from abri.pricing.errors import NoTariffInForce, PricingError, TariffFileError, TariffValidationError
from abri.pricing.prorata import prorata
from abri.pricing.tariff import (
    Tariff,
    available_tariffs,
    clear_tariff_cache,
    load_tariff,
    tariff_by_version,
    tariff_in_force,
)
from abri.pricing.types import Quote, QuoteLine, QuoteRequest, Referral

__all__ = [
    "CoverageItem",
    "FormulaCoverage",
    "NoTariffInForce",
    "PricingError",
    "Quote",
    "QuoteLine",
    "QuoteRequest",
    "Referral",
    "Tariff",
    "TariffFileError",
    "TariffValidationError",
    "advise",
    "available_tariffs",
    "clear_tariff_cache",
    "format_euros",
    "formula_coverage",
    "load_tariff",
    "prorata",
    "quote",
    "tariff_by_version",
    "tariff_in_force",
    "validate",
]
