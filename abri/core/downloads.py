"""One builder for every file the site hands out (documents, certificates, evidence, exports, PDFs).

Every download says the same things: a safe `Content-Disposition` (RFC 6266: an ASCII fallback and
`filename*=UTF-8''…`), `X-Content-Type-Options: nosniff`, `Cache-Control: no-store, private` and a
Content-Security-Policy of its own that lets the file run nothing.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from abri.core.middleware import NO_STORE  # "no-store, private", as every personal page

# What a file shown by the browser itself may do: nothing (no script, no frame elsewhere, no form).
SANDBOX_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
# Chromium refuses to show a PDF in a sandboxed document: an inline PDF gets the same policy without
# `sandbox` (still no script source, no frame elsewhere), plus `object-src 'self'` for its viewer.
PDF_PREVIEW_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()'+,&@=\[\]-]")
MAX_FILENAME = 150


def _clean(filename: str) -> str:
    """The name without control characters (header injection) nor path separators."""
    name = _CONTROL.sub("", str(filename)).replace("/", "_").replace("\\", "_")
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_FILENAME:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 10 else name[:MAX_FILENAME]
    return name or "fichier"


def _ascii_fallback(name: str) -> str:
    """A plain-ASCII version for old clients: accents dropped, anything else unsafe replaced by `_`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = " ".join(_UNSAFE_ASCII.sub("_", ascii_name).split()).strip(" .")
    return ascii_name if ascii_name.strip("_") else "fichier"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment` (or `inline`) with a quoted ASCII filename and, when it differs, `filename*=UTF-8''…`."""
    name = _clean(filename)
    fallback = _ascii_fallback(name)
    header = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download_response(
    *,
    content: bytes | str | None = None,
    file=None,
    filename: str,
    content_type: str,
    inline: bool = False,
    cache_control: str | None = NO_STORE,
) -> HttpResponse:
    """A file to download (or, `inline=True`, to show) from bytes (`content`) or an open file (`file`).

    `cache_control=None` leaves caching to the view (public, cacheable files such as the 2D-Doc PEM).
    """
    if (content is None) == (file is None):
        raise TypeError("download_response() takes exactly one of content= or file=")
    if file is not None:
        response: HttpResponse = FileResponse(file, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    is_pdf = content_type.split(";")[0].strip().lower() == "application/pdf"
    response["Content-Security-Policy"] = PDF_PREVIEW_CSP if inline and is_pdf else SANDBOX_CSP
    if cache_control:
        response["Cache-Control"] = cache_control
    return response
