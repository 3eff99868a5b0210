"""Back-office reads. The back-office has no models: these read other apps' data, always scoped
to one customer once the customer is chosen, and say so in their names."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_
from typing import Any

import pyotp
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from abri.accounts.mfa import ISSUER, VALID_WINDOW, _secret
from abri.accounts.models import Customer, TotpDevice
from abri.billing.selectors import schedule_for_customer
from abri.claims.models import Claim, ClaimStep
from abri.claims.selectors import claims_for_customer
from abri.contracts.models import Contract
from abri.contracts.selectors import contracts_for_customer
from abri.core.models import AuditLog
from abri.documents.models import Document
from abri.documents.selectors import documents_for_customer

SEARCH_LIMIT = 500
NAME_CANDIDATES_LIMIT = 20_000
MAX_PREFIX_VARIANTS = 192  # index ranges per search; SQLite's expression depth limit is 1000
CLAIMS_SHOWN = 20
SCHEDULE_SHOWN = 24
DOCUMENTS_SHOWN = 50
AUDIT_SHOWN = 50

# Accented letters met in French (and common European) names, by their base letter.
ACCENTS = {
    "a": "àâäáã", "e": "éèêë", "i": "îïíì", "o": "ôöóò", "u": "ùûüú", "c": "ç", "y": "ÿý", "n": "ñ",
}
LIGATURES = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"}


# --- TOTP helpers for the staff login ---------------------------------------------------------

def _device_secret(device: TotpDevice) -> str:
    # accounts.mfa keeps the decryption private; the back-office needs the secret only to show it
    # during enrolment (unconfirmed device) and, in demo mode, to write the usable code to the outbox.
    return _secret(device)


def staff_enrolment_uri(*, user) -> tuple[str, str] | None:
    """(secret, otpauth URI) of the user's authenticator being enrolled; None once confirmed."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return None
    secret = _device_secret(device)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.email or user.username, issuer_name=ISSUER)


def staff_demo_totp_code(*, user) -> str | None:
    """Demo mode only: the code an authenticator would show that totp_verify still accepts.

    A code is accepted once per 30-second step; when the current step was just used (two logins
    within 30 s, common in browser tests) the next step's code, inside the drift window, is given.
    """
    if not settings.ABRI_DEMO:
        return None
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        return None
    now_step = int(timezone.now().timestamp()) // 30
    totp = pyotp.TOTP(_device_secret(device))
    for step in range(now_step, now_step + VALID_WINDOW + 1):
        if step > device.last_used_step:
            return totp.at(step * 30)
    return None


# --- Customer search --------------------------------------------------------------------------

def normalize_text(text: str) -> str:
    """Lower case, accents and ligatures removed: 'Lefèvre' -> 'lefevre'."""
    if text.isascii():
        return text.lower()
    for ligature, plain in LIGATURES.items():
        text = text.replace(ligature, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _char_variants(char: str) -> list[str]:
    variants = {char, char.upper()}
    for accented in ACCENTS.get(char, ""):
        variants |= {accented, accented.upper()}
    return sorted(variants)


def _prefix_variants(token: str, budget: int = MAX_PREFIX_VARIANTS) -> list[str]:
    """Raw spellings a stored value may start with, for a normalised token (longest affordable prefix).

    Each variant is one index range; a longer prefix means fewer candidate rows to check.
    """
    prefixes = [""]
    for char in token:
        variants = _char_variants(char)
        if len(prefixes) * len(variants) > budget:
            break
        prefixes = [p + v for p in prefixes for v in variants]
    return [p for p in prefixes if p]


def _prefix_range(field: str, prefix: str) -> Q:
    """field starts with prefix, written as a range so that the B-tree index on field is used."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def _tokens(query: str) -> list[str]:
    return [t for t in re.split(r"[\s,;'’\-]+", normalize_text(query)) if t]


@lru_cache(maxsize=16384)
def _name_words(first_name: str, last_name: str) -> tuple[str, ...]:
    # Names repeat a lot (Martin, Bernard…): each distinct name is normalised once per process.
    return tuple(_tokens(f"{first_name} {last_name}"))


def _last_name_candidates(prefixes: list[str]) -> list[tuple[str, str, int]]:
    """(last_name, first_name, id) of customers whose last name starts with one of the prefixes.

    Plain SQL on purpose: the ORM takes ~0.3 ms to compile each range, longer than the ranges take to
    run (one B-tree seek each: SQLite "MULTI-INDEX OR", PostgreSQL "BitmapOr"). No ORDER BY: sorting
    in SQL makes SQLite walk the whole (last_name, first_name) index instead of probing the ranges.
    """
    qn = connection.ops.quote_name
    meta = Customer._meta
    last, first, pk = (qn(meta.get_field(name).column) for name in ("last_name", "first_name", "id"))  # type: ignore[union-attr, arg-type]  # concrete columns
    where = " OR ".join(f"({last} >= %s AND {last} < %s)" for _ in prefixes)
    params: list = []
    for prefix in prefixes:
        params += [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
    sql = f"SELECT {last}, {first}, {pk} FROM {qn(meta.db_table)} WHERE {where} LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, NAME_CANDIDATES_LIMIT])
        return cursor.fetchall()


def _ids_by_name(query: str) -> list[int]:
    """Customers whose last name starts with one of the words (index range), all words matching.

    The index ranges bring the candidates (names starting with the same letters); the accent- and
    case-insensitive match of every word is checked in Python on those rows only.
    """
    tokens = [t for t in _tokens(query) if t.isalpha()]
    if not tokens:
        return []
    budget = max(16, MAX_PREFIX_VARIANTS // len(tokens))
    prefixes = sorted({p for t in tokens for p in _prefix_variants(t, budget)})
    candidates = sorted(_last_name_candidates(prefixes))
    found = []
    for last_name, first_name, pk in candidates:
        words = _name_words(first_name, last_name)
        if all(any(word.startswith(token) for word in words) for token in tokens):
            found.append(pk)
            if len(found) > SEARCH_LIMIT:
                break
    return found


def _ids_by_email(query: str) -> list[int]:
    email = query.strip()
    if " " in email or not ("@" in email or "." in email) or len(email) < 3:
        return []
    anchor = reduce(or_, (_prefix_range("email", v) for v in {email, email.lower()}))
    qs = Customer.objects.filter(anchor).annotate(email_lower=Lower("email")).filter(
        email_lower__startswith=email.lower()
    )
    return list(qs.order_by("id").values_list("id", flat=True)[: SEARCH_LIMIT + 1])


def _ids_by_number(query: str) -> list[int]:
    """Customer number, contract number or claim number: upper case, prefix, unique indexes."""
    compact = re.sub(r"\s+", "", query).upper()
    if len(compact) < 3 or not re.fullmatch(r"[A-Z0-9\-/]+", compact):
        return []
    ids: list[int] = []
    if compact.isalnum():
        ids += Customer.objects.filter(_prefix_range("customer_number", compact)).order_by(
            "customer_number").values_list("id", flat=True)[: SEARCH_LIMIT + 1]
    ids += Contract.objects.filter(_prefix_range("number", compact)).order_by("number").values_list(
        "customer_id", flat=True)[: SEARCH_LIMIT + 1]
    ids += Claim.objects.filter(_prefix_range("number", compact)).order_by("number").values_list(
        "customer_id", flat=True)[: SEARCH_LIMIT + 1]
    return ids


@dataclass(frozen=True)
class CustomerSearch:
    """The customers a staff query matches (capped), as ids in display order (name, then id)."""

    ids: list[int]
    truncated: bool


def customers_search(*, query: str) -> CustomerSearch:
    """Find customers by customer number, name, e-mail, contract or claim number (staff search).

    Each criterion is an indexed lookup (a prefix range on a unique or B-tree index, never a scan
    of the table); the union is capped at SEARCH_LIMIT customers and sorted here: an ORDER BY over
    `id IN (…)` lets PostgreSQL walk the whole name index (350 ms on 100 000 customers, 2 ms this way).
    """
    query = (query or "").strip()[:100]
    ids: list[int] = []
    for finder in (_ids_by_number, _ids_by_email, _ids_by_name):
        ids += finder(query)
    unique = list(dict.fromkeys(ids))
    truncated = len(unique) > SEARCH_LIMIT
    rows = Customer.objects.filter(pk__in=unique[:SEARCH_LIMIT]).values_list("last_name", "first_name", "id")
    return CustomerSearch(ids=[pk for *_, pk in sorted(rows)], truncated=truncated)


def customers_by_ids(*, ids: list[int]) -> list[Customer]:
    """One page of search results, in the order of `ids`."""
    by_id = Customer.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


# --- One customer -----------------------------------------------------------------------------

def customer_get_for_staff(*, customer_number: str) -> Customer:
    """A customer by number for the back-office (404 when unknown)."""
    return get_object_or_404(Customer.objects.select_related("user"), customer_number=customer_number.upper())


@dataclass(frozen=True)
class Customer360:
    """Everything the back-office shows about one customer, read with a fixed number of queries."""

    customer: Customer
    contracts: list
    claims: list
    more_claims: bool
    schedule: list
    documents: list
    more_documents: bool
    audit_entries: list


def _first(queryset, count: int) -> tuple[list[Any], bool]:
    """The first `count` rows and whether there are more (one query, no COUNT)."""
    rows = list(queryset[: count + 1])
    return rows[:count], len(rows) > count


def customer_360(*, customer: Customer, sections: set[str]) -> Customer360:
    """The 360° view of one customer; `sections` lists what the staff member may see."""
    contracts = list(contracts_for_customer(customer=customer)) if "contracts" in sections else []
    claims: list[Any] = []
    more_claims = False
    if "claims" in sections:
        claims, more_claims = _first(
            claims_for_customer(customer=customer).prefetch_related(
                Prefetch("steps", queryset=ClaimStep.objects.order_by("created_at", "id"))
            ),
            CLAIMS_SHOWN,
        )
    schedule = list(schedule_for_customer(customer=customer)[:SCHEDULE_SHOWN]) if "payments" in sections else []
    documents: list[Any] = []
    more_documents = False
    if "documents" in sections:
        documents, more_documents = _first(documents_for_customer(customer=customer), DOCUMENTS_SHOWN)
    audit_entries = list(AuditLog.objects.for_customer(customer)[:AUDIT_SHOWN]) if "audit" in sections else []
    return Customer360(customer=customer, contracts=contracts, claims=claims, more_claims=more_claims,
                       schedule=schedule, documents=documents, more_documents=more_documents,
                       audit_entries=audit_entries)


def document_get_for_staff(*, customer: Customer, pk: int) -> Document:
    """One of this customer's documents (another customer's answers 404)."""
    return Document.objects.get_for_customer(customer, pk=pk)
