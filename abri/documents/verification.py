"""Public verification of numbered documents other than certificates (invoices…), on the /verifier/ page.

The page belongs to the certificates app; the apps whose documents carry a verifiable number register a
verifier here at start-up (a registry, ADR 0007: certificates import no sibling app). A verifier claims the
numbers of its shape (by prefix) and says whether one was really issued, with the minimum a third party may
learn: what it is, its amount, its date — no name, no address.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DocumentCheck:
    """The answer for a number: authentic or not, and what may be shown."""

    number: str
    authentic: bool
    kind_label: str = ""
    amount: Decimal | None = None
    issued_on: date | None = None
    due_date: date | None = None


Verifier = Callable[[str], DocumentCheck]
_VERIFIERS: dict[str, Verifier] = {}


def register_document_verifier(prefix: str, verifier: Verifier) -> None:
    """Numbers starting with `prefix` (« FA ») are checked by `verifier(normalised number)`."""
    _VERIFIERS[prefix.upper()] = verifier


def document_number_normalize(raw: str) -> str:
    """Upper case, spaces and stray separators removed around the dashes: ' fa-2026-0000012-k7qm ' → 'FA-2026-…'."""
    return re.sub(r"\s+", "", (raw or "").upper())[:40]


def document_verify(raw_number: str) -> DocumentCheck | None:
    """The check of a number claimed by a registered verifier; None when none claims it (a certificate's)."""
    number = document_number_normalize(raw_number)
    for prefix, verifier in _VERIFIERS.items():
        if number.startswith(prefix + "-"):
            return verifier(number)
    return None
