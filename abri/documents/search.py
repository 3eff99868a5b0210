"""Full-text search in one customer's vault, the same on SQLite and PostgreSQL.

Driven by the customer, not by the word (see DESIGN.md, « Measured facts »): the query starts
from the customer's own rows through the (customer, -issued_on) index — a few hundred documents
at most — and matches terms only inside those rows, on the normalised `search_text` column
(accent-free, stemmed words separated by single spaces). Ranking (BM25 over that small set) is
done in Python. The cost therefore follows the size of one vault, never the posting list of a
word over the whole table, which is what made global FTS5 plans take seconds at 10⁶ documents.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import override

from abri.documents import normalise
from abri.documents.models import Document

PER_PAGE = 20
MAX_QUERY_LENGTH = 200
MAX_CLAUSES = 12
PREFIX_MIN_LENGTH = 3  # a term of 3+ letters also finds longer words: « attest » → « attestation »
SNIPPET_CHARS = 220
ORDER_RELEVANCE = "relevance"
ORDER_DATE = "date"
ORDERS = (ORDER_RELEVANCE, ORDER_DATE)

# BM25 parameters (Robertson & Zaragoza): the usual values.
K1 = 1.2
B = 0.75
PREFIX_WEIGHT = 0.5
TITLE_BOOST = 1.5

_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class SearchFilters:
    """The optional filters of a vault search; all combinable."""

    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    category: str = ""
    contract: Any = None  # a Contract (or its id), already known to belong to the customer
    property: Any = None  # a Property (or its id)

    @classmethod
    def from_mapping(cls, data: dict | None) -> SearchFilters:
        """Build from a form's cleaned_data (unknown keys ignored, empty values mean « no filter »)."""
        data = data or {}
        names = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in names and v not in (None, "")})


@dataclass
class Hit:
    """One document found, with its highlighted title and body excerpt (safe HTML)."""

    document: Document
    score: float = 0.0
    title_html: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308 — empty
    snippet_html: SafeString = field(default_factory=lambda: mark_safe(""))  # noqa: S308 — empty


@dataclass
class SearchResults:
    """One page of results: `page.object_list` holds Hit objects."""

    page: Page
    total: int
    clauses: list[tuple[str, ...]]
    order: str

    @property
    def hits(self) -> list[Hit]:
        return list(self.page.object_list)


def parse_query(query: str) -> list[tuple[str, ...]]:
    """Split a typed query into clauses: one term each, or several for a "quoted phrase".

    Everything that is not a word — FTS operators (* ^ : - + ( ) NEAR AND OR NOT), SQL fragments'
    punctuation, stray quotes — is dropped: the query is only ever a list of normalised words, and
    those words are matched with LIKE patterns made only of [a-z0-9 ], never with MATCH syntax.
    """
    query = (query or "")[:MAX_QUERY_LENGTH]
    clauses: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()

    def add(clause: tuple[str, ...]) -> None:
        if clause and clause not in seen and len(clauses) < MAX_CLAUSES:
            seen.add(clause)
            clauses.append(clause)

    def words(text: str) -> list[str]:
        kept = " ".join(w for w in text.split() if w not in normalise.OPERATOR_WORDS)
        return normalise.terms(kept)

    for index, part in enumerate(_PHRASE.split(query.replace("«", '"').replace("»", '"'))):
        if index % 2:  # inside quotes
            add(tuple(words(part)))
        else:
            for term in words(part.replace('"', " ")):
                add((term,))
    return clauses


def _pattern(clause: tuple[str, ...]) -> str:
    """The LIKE needle matched against ' ' + search_text + ' ' for one clause."""
    needle = " " + " ".join(clause)
    return needle if len(clause[-1]) >= PREFIX_MIN_LENGTH else needle + " "


def _filtered(customer, filters: SearchFilters):
    """The customer's documents with the filters applied; the customer column always leads."""
    qs = Document.objects.for_customer(customer)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.date_from:
        qs = qs.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(issued_on__lte=filters.date_to)
    if filters.amount_min is not None:
        qs = qs.filter(amount__gte=filters.amount_min)
    if filters.amount_max is not None:
        qs = qs.filter(amount__lte=filters.amount_max)
    if filters.category:
        qs = qs.filter(guarantee_category=filters.category)
    if filters.contract:
        qs = qs.filter(contract=filters.contract)
    if filters.property:
        qs = qs.filter(property=filters.property)
    return qs


def search_rows(*, customer, filters: SearchFilters | None = None):
    """The rows a search reads: the customer's (filtered) documents through the customer index.

    Only (id, issued_on, search_text, title) — a few hundred short rows — leave the database; the
    words are matched in Python with substring tests on ' ' + search_text + ' ', which costs
    microseconds per row, never in proportion to the rest of the table.
    """
    return (
        _filtered(customer, filters or SearchFilters())
        .order_by()  # the order is decided in Python after ranking: no sort in the database
        .values_list("id", "issued_on", "search_text", "title")
    )


def _fetch_rows(queryset) -> list[tuple]:
    """Plain tuples straight from the cursor (no per-row ORM converters: issued_on only sorts)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _clause_tf(padded: str, clause: tuple[str, ...]) -> float:
    """Occurrences of a clause: whole words count 1, longer words it prefixes count PREFIX_WEIGHT."""
    needle = " " + " ".join(clause)
    exact = padded.count(needle + " ")
    if len(clause[-1]) < PREFIX_MIN_LENGTH:
        return float(exact)
    return exact + PREFIX_WEIGHT * (padded.count(needle) - exact)


def _title_head(padded: str, title: str) -> str:
    """The first words of ' ' + search_text + ' ': the title's terms (search_text_for puts them first).

    As many words as the title has (stop words are dropped, so the window may reach a label word
    or two): cheaper than normalising every title again, and only used for a ranking bonus.
    """
    n = len(title.split()) + 1
    return " ".join(padded.split(" ", n + 1)[: n + 1]) + " "


def _rank(rows, clauses, doc_freq: list[int], total_docs: int) -> dict[int, float]:
    """BM25 of each candidate row (id, issued_on, padded, title) over the customer's own set."""
    if not rows:
        return {}
    lengths = {row[0]: max(1, row[2].count(" ") - 1) for row in rows}
    avg_length = sum(lengths.values()) / len(lengths)
    idf = [math.log(1 + (total_docs - df + 0.5) / (df + 0.5)) for df in doc_freq]
    scores = {}
    for doc_id, _issued_on, padded, title in rows:
        norm = K1 * (1 - B + B * lengths[doc_id] / avg_length)
        head = _title_head(padded, title)
        score = 0.0
        for weight, clause in zip(idf, clauses, strict=True):
            tf = _clause_tf(padded, clause)
            score += weight * tf * (K1 + 1) / (tf + norm)
            if _pattern(clause) in head:
                score += weight * (TITLE_BOOST - 1)
        scores[doc_id] = score
    return scores


def documents_search(
    *,
    customer,
    query: str = "",
    filters: SearchFilters | dict | None = None,
    order: str = ORDER_RELEVANCE,
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """Search one customer's vault (customers and staff alike): filters, relevance or date, one page."""
    if not isinstance(filters, SearchFilters):
        filters = SearchFilters.from_mapping(filters)
    if order not in ORDERS:
        order = ORDER_RELEVANCE
    clauses = parse_query(query)

    if not clauses:
        # No words: the vault itself, newest first, filtered; the database paginates.
        qs = _filtered(customer, filters).select_related("contract", "property").order_by("-issued_on", "-id")
        paginated = Paginator(qs, per_page).get_page(page)
        paginated.object_list = [_hit(doc, clauses) for doc in paginated.object_list]
        return SearchResults(page=paginated, total=paginated.paginator.count, clauses=[], order=ORDER_DATE)

    patterns = [_pattern(clause) for clause in clauses]
    doc_freq = [0] * len(clauses)
    total_docs = 0
    rows = []
    for doc_id, issued_on, text, title in _fetch_rows(search_rows(customer=customer, filters=filters)):
        total_docs += 1
        padded = f" {text} "
        found = [pattern in padded for pattern in patterns]
        for i, hit in enumerate(found):
            doc_freq[i] += hit
        if all(found):
            rows.append((doc_id, issued_on, padded, title))
    scores = _rank(rows, clauses, doc_freq, total_docs)
    if order == ORDER_DATE:
        rows.sort(key=lambda r: (r[1], r[0]), reverse=True)
    else:
        rows.sort(key=lambda r: (scores[r[0]], r[1], r[0]), reverse=True)
    ordered_ids = [r[0] for r in rows]

    paginated = Paginator(ordered_ids, per_page).get_page(page)
    page_ids = list(paginated.object_list)
    documents = Document.objects.for_customer(customer).filter(id__in=page_ids).select_related("contract", "property")
    by_id = {doc.id: doc for doc in documents}
    paginated.object_list = [
        _hit(by_id[doc_id], clauses, scores.get(doc_id, 0.0)) for doc_id in page_ids if doc_id in by_id
    ]
    return SearchResults(page=paginated, total=len(ordered_ids), clauses=clauses, order=order)


def _hit(document: Document, clauses, score: float = 0.0) -> Hit:
    wanted = {t for clause in clauses for t in clause}
    return Hit(
        document=document,
        score=score,
        title_html=highlight(document.title, wanted),
        snippet_html=snippet(document.text, wanted) if wanted else mark_safe(""),  # noqa: S308 — empty
    )


def _matcher(wanted: set[str]):
    """A test for one normalised word: a query term itself, or a longer word it prefixes (3+ letters)."""
    prefixes = tuple(t for t in wanted if len(t) >= PREFIX_MIN_LENGTH)

    def matches(normalised: str) -> bool:
        return bool(normalised) and (normalised in wanted or normalised.startswith(prefixes))

    return matches


def highlight(text: str, wanted: set[str], start: int = 0, end: int | None = None) -> SafeString:
    """The text (or text[start:end]) escaped, with the words matching a query term in <mark>.

    Every piece of document text goes through escape(); only our own <mark> tags are added, so a
    document containing « <script> » shows it as text.
    """
    end = len(text) if end is None else end
    out, cursor = [], start
    if wanted:
        matches = _matcher(wanted)
        for w_start, w_end, normalised in normalise.iter_words(text[start:end]):
            if matches(normalised):
                out.append(escape(text[cursor : start + w_start]))
                out.append("<mark>" + escape(text[start + w_start : start + w_end]) + "</mark>")
                cursor = start + w_end
    out.append(escape(text[cursor:end]))
    return mark_safe("".join(out))  # noqa: S308 — every fragment above is escaped


def snippet(text: str, wanted: set[str], width: int = SNIPPET_CHARS) -> SafeString:
    """An excerpt of the body around the first matching word, highlighted; "" when none matches."""
    if not text:
        return mark_safe("")  # noqa: S308 — empty
    matches = _matcher(wanted)
    w_start = next((start for start, _end, norm in normalise.iter_words(text) if matches(norm)), None)
    if w_start is None:
        return mark_safe("")  # noqa: S308 — empty
    start = max(0, w_start - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < w_start else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", w_start, end)
        end = space if space > w_start else end
    body = highlight(text[start:end], wanted)
    prefix = "… " if start else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(escape(prefix) + body + escape(suffix))  # noqa: S308 — body is escaped


def search_text_for(document: Document) -> str:
    """The normalised words a document is found by: its metadata (French labels) and its body."""
    with override("fr"):
        labels = [str(document.get_kind_display()), str(document.get_guarantee_category_display())]
    contract = document.contract if document.contract_id else None
    prop = document.property if document.property_id else None
    if prop is None and contract is not None:
        prop = getattr(contract, "property", None)
    parts = [document.title, *labels]
    if contract is not None:
        parts.append(contract.number)
    if prop is not None:
        parts.extend([prop.city, prop.postcode])
    parts.append(document.text)
    return normalise.search_text(*parts)


__all__ = [
    "MAX_QUERY_LENGTH",
    "ORDERS",
    "ORDER_DATE",
    "ORDER_RELEVANCE",
    "Hit",
    "SearchFilters",
    "SearchResults",
    "documents_search",
    "highlight",
    "search_rows",
    "parse_query",
    "search_text_for",
    "snippet",
]
