"""`abri.core.downloads.download_response`: the one builder of every file the site hands out."""

import io
import re

import pytest

from abri.core.downloads import PDF_PREVIEW_CSP, SANDBOX_CSP, content_disposition, download_response


def test_attachment_says_nosniff_no_store_and_a_sandbox_policy():
    response = download_response(content=b"a;b\n", filename="export.csv", content_type="text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Security-Policy"] == SANDBOX_CSP
    assert response["Content-Type"] == "text/csv"
    assert response.content == b"a;b\n"


def test_inline_image_from_an_open_file_is_sandboxed():
    response = download_response(file=io.BytesIO(b"\xff\xd8jpeg"), filename="photo.jpg", content_type="image/jpeg",
                                 inline=True)
    assert response["Content-Disposition"] == 'inline; filename="photo.jpg"'
    assert "sandbox" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"


def test_inline_pdf_runs_nothing_but_is_not_sandboxed_so_chromium_shows_it():
    response = download_response(content=b"%PDF-1.7", filename="cg.pdf", content_type="application/pdf", inline=True)
    assert response["Content-Disposition"].startswith("inline;")
    assert response["Content-Security-Policy"] == PDF_PREVIEW_CSP
    assert "script-src" not in PDF_PREVIEW_CSP and "default-src 'none'" in PDF_PREVIEW_CSP
    assert response["X-Content-Type-Options"] == "nosniff"


def test_non_ascii_filename_has_an_ascii_fallback_and_a_utf8_name():
    header = content_disposition("Avis d'échéance — 2026.pdf")
    assert header == ("attachment; filename=\"Avis d'echeance 2026.pdf\"; "
                      "filename*=UTF-8''Avis%20d%27%C3%A9ch%C3%A9ance%20%E2%80%94%202026.pdf")
    assert header.isascii()


def test_header_injection_in_a_filename_is_neutralised():
    response = download_response(content=b"x", filename='a"\r\nX: y.pdf', content_type="application/pdf")
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert not response.has_header("X")
    # The quoted fallback holds no quote of its own: nothing can close it early.
    fallback = re.fullmatch(r'attachment; filename="([^"]*)"(; filename\*=UTF-8\'\'(\S+))?', header)
    assert fallback is not None, header
    assert fallback.group(1) == "a_X_ y.pdf"
    assert fallback.group(3) == "a%22X%3A%20y.pdf"  # the real name, percent-encoded


@pytest.mark.parametrize("name", ["../../etc/passwd", "..\\..\\boot.ini", "", "\r\n", "ééé"])
def test_path_separators_and_empty_names_never_reach_the_header(name):
    header = content_disposition(name)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert "/" not in fallback and "\\" not in fallback and fallback
    assert "%2F" not in header and "%5C" not in header


def test_public_file_may_leave_caching_to_its_view():
    response = download_response(content=b"pem", filename="ac.pem", content_type="application/x-pem-file",
                                 inline=True, cache_control=None)
    assert not response.has_header("Cache-Control")


def test_exactly_one_source():
    with pytest.raises(TypeError):
        download_response(filename="x", content_type="text/plain")
    with pytest.raises(TypeError):
        download_response(content=b"x", file=io.BytesIO(b"x"), filename="x", content_type="text/plain")
