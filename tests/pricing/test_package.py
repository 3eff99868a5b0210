"""The engine stays pure Python: importing it never imports Django."""

import ast
import dataclasses
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import abri.pricing
from abri.pricing import QuoteRequest, quote

PACKAGE = Path(abri.pricing.__file__).parent


def test_importing_the_engine_does_not_import_django():
    code = ("import sys, abri.pricing, abri.pricing.engine, abri.pricing.advice, abri.pricing.coverage\n"
            "from datetime import date\n"
            "from abri.pricing import QuoteRequest, quote, advise, formula_coverage\n"
            "r = QuoteRequest(kind='apartment', occupant_status='tenant', rooms=2, surface_m2=40, risk_zone=3,"
            " formula='confort', effective_date=date(2026, 3, 1), floor=2)\n"
            "print(quote(r).net_premium); advise(r); formula_coverage()\n"
            "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
            "assert not loaded, loaded\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=PACKAGE.parent.parent)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "95.00"


def test_no_module_of_the_engine_imports_django():
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name == "django" or name.startswith("django.") for name in names), path


def test_public_api_is_exported():
    for name in ("quote", "validate", "advise", "prorata", "load_tariff", "tariff_in_force", "formula_coverage",
                 "QuoteRequest", "Quote", "QuoteLine", "Referral", "TariffValidationError", "TariffFileError"):
        assert name in abri.pricing.__all__
        assert hasattr(abri.pricing, name)


def test_requests_and_quotes_are_immutable_and_hashable_requests():
    request = QuoteRequest(kind="apartment", occupant_status="tenant", rooms=2, surface_m2=40, risk_zone=3,
                           formula="confort", effective_date=date(2026, 3, 1), floor=2, options=["legal"])
    assert request.options == frozenset({"legal"})
    assert hash(request) == hash(dataclasses.replace(request, options={"legal"}))
    result = quote(request)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total_annual = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.rooms = 3
