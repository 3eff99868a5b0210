import io
from datetime import datetime

import pytest
from PIL import Image

from abri.claims.uploads import UploadRejected, process_upload
from abri.documents.rendering import render_text_pdf


def jpeg_with_exif(width=800, height=600) -> bytes:
    image = Image.new("RGB", (width, height), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0132] = "2026:11:25 22:41:07"
    gps = {1: "N", 2: (45.0, 45.0, 36.0), 3: "E", 4: (4.0, 50.0, 24.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def test_photo_is_reencoded_without_metadata_but_evidence_kept():
    result = process_upload(jpeg_with_exif())
    assert result.content_type == "image/jpeg"
    reencoded = Image.open(io.BytesIO(result.content))
    assert not reencoded.getexif()  # stripped for display
    assert result.taken_at.replace(tzinfo=None) == datetime(2026, 11, 25, 22, 41, 7)
    assert float(result.gps_latitude) == pytest.approx(45.76, abs=0.001)
    assert float(result.gps_longitude) == pytest.approx(4.84, abs=0.001)
    assert result.thumbnail and Image.open(io.BytesIO(result.thumbnail)).width <= 360


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, fmt)
    assert process_upload(buffer.getvalue()).content_type == "image/jpeg"


def test_heic_is_accepted():
    pillow_heif = pytest.importorskip("pillow_heif")
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (10, 120, 200))).save(buffer, format="HEIF")
    assert process_upload(buffer.getvalue()).width == 64


def test_text_renamed_to_jpg_is_refused():
    with pytest.raises(UploadRejected, match="pas une image"):
        process_upload(b"<script>alert(1)</script> this is not an image")


def test_corrupt_image_is_refused():
    data = jpeg_with_exif()
    with pytest.raises(UploadRejected):
        process_upload(data[: len(data) // 3])


def test_decompression_bomb_is_refused():
    buffer = io.BytesIO()
    Image.new("1", (10000, 6000)).save(buffer, "PNG")  # 60 megapixels, tiny file
    with pytest.raises(UploadRejected, match="50 mégapixels"):
        process_upload(buffer.getvalue())


def test_oversized_file_is_refused():
    with pytest.raises(UploadRejected, match="20 Mo"):
        process_upload(b"\xff" * (20 * 1024 * 1024 + 1))


def test_pdf_is_rebuilt():
    pdf = render_text_pdf(title="Facture", lines=["Remplacement vitre 320 euros"])
    result = process_upload(pdf)
    assert result.content_type == "application/pdf" and result.content.startswith(b"%PDF-")
    with pytest.raises(UploadRejected):
        process_upload(b"%PDF-1.7 garbage")
