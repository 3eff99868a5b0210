"""Helpers for certificate tests: render a PDF page to an image and read its barcodes like a scanner."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def page_barcodes(pdf_bytes: bytes, dpi: int = 150) -> dict:
    """Render page 1 with pdftoppm (poppler) and decode every barcode with zxing-cpp: {format name: text}."""
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: apt-get install -y poppler-utils (done by .ci/run)")
    with tempfile.TemporaryDirectory() as tmp:
        pdf_path = Path(tmp) / "certificate.pdf"
        pdf_path.write_bytes(pdf_bytes)
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", "1", str(pdf_path), str(Path(tmp) / "page")],
            check=True, timeout=60,
        )
        with Image.open(Path(tmp) / "page.png") as image:
            results = zxingcpp.read_barcodes(image.convert("L"), text_mode=zxingcpp.TextMode.Plain)
    return {str(r.format).split(".")[-1].replace(" ", ""): r.text for r in results}
