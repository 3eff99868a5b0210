"""Exceptions of the tariff engine."""

from __future__ import annotations


class PricingError(Exception):
    """Base class of every error raised by abri.pricing."""


class TariffFileError(PricingError, ValueError):
    """A tariff file is unreadable or malformed; `problems` lists every defect found, with its location."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid tariff file {source}:\n{listing}")


class NoTariffInForce(PricingError, LookupError):
    """No tariff version is in force at the requested date (or the version id is unknown)."""


class TariffValidationError(PricingError, ValueError):
    """A quote request is invalid; `errors` maps each request field to a French message for the form."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in self.errors.items()))
