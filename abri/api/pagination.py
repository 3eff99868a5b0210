"""Page-number pagination with bounded inputs (a huge page number is a 422, never a database error)."""

from __future__ import annotations

import math
from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_PAGE = 10_000
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class PageNumber(PaginationBase):
    """`?page=1&page_size=20` → {items, count, page, page_size, pages}."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Numéro de page, à partir de 1.")
        page_size: int = Field(
            DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Éléments par page (100 au plus)."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Nombre total d'éléments.")
        page: int
        page_size: int
        pages: int = Field(description="Nombre de pages.")

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict[str, Any]:
        count = self._items_count(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
            "pages": max(1, math.ceil(count / pagination.page_size)),
        }
