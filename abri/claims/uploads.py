"""Evidence files: verified by content, re-encoded, stripped for display, scanned when configured.

Nothing is ever served as uploaded: images are decoded and re-encoded as JPEG without metadata
(capture time and GPS are kept apart as evidence fields), PDFs are rebuilt page by page (which
drops scripts and auto-actions).
"""

from __future__ import annotations

import hashlib
import io
import socket
import struct
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF photos from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - optional at run time, installed by default
    HEIF = False

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 30
MAX_PIXELS = 50_000_000
DISPLAY_MAX_SIDE = 2000  # enough to see damage on any screen; decoding a 12 MP JPEG at 1/2 scale is fast
THUMB_SIDE = 360
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic",
                 "HEIC": "image/heic", "MPO": "image/jpeg"}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses anything twice as large before decoding


class UploadRejected(Exception):
    """A file that cannot be accepted, with the French message to show beside the field."""


@dataclass
class ProcessedUpload:
    """A verified, re-encoded upload ready to store."""

    content: bytes
    extension: str
    content_type: str
    thumbnail: bytes | None
    sha256: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    gps_latitude: Decimal | None = None
    gps_longitude: Decimal | None = None


def _exif_datetime(exif) -> datetime | None:
    raw = None
    try:
        raw = exif.get_ifd(0x8769).get(0x9003) or exif.get(0x0132)  # DateTimeOriginal, DateTime
    except Exception:  # noqa: BLE001 - malformed EXIF is simply ignored
        return None
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 - zone set below
    except ValueError:
        return None
    return naive.replace(tzinfo=ZoneInfo("Europe/Paris"))  # EXIF has no zone: the home's zone


def _gps_coordinate(values, ref) -> Decimal | None:
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if ref in ("S", "W"):
        value = -value
    if not -180 <= value <= 180:
        return None
    return Decimal(f"{value:.6f}")


def _exif_gps(exif) -> tuple[Decimal | None, Decimal | None]:
    try:
        gps = exif.get_ifd(0x8825)
    except Exception:  # noqa: BLE001
        return None, None
    if not gps or 2 not in gps or 4 not in gps:
        return None, None
    return _gps_coordinate(gps.get(2), gps.get(1)), _gps_coordinate(gps.get(4), gps.get(3))


def process_image(data: bytes) -> ProcessedUpload:
    """Decode, check size, re-encode as JPEG without metadata, and make a thumbnail."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = (probe.format or "").upper()
            width, height = probe.size
            if fmt not in IMAGE_FORMATS:
                raise UploadRejected(_("Ce format d'image n'est pas accepté (JPEG, PNG, HEIC ou WebP)."))
            if width * height > MAX_PIXELS:
                raise UploadRejected(_("Cette image est trop grande (plus de 50 mégapixels)."))
            probe.verify()
        image = Image.open(io.BytesIO(data))
        exif = image.getexif()
        taken_at = _exif_datetime(exif)
        latitude, longitude = _exif_gps(exif)
        if fmt in {"JPEG", "MPO"} and max(width, height) > DISPLAY_MAX_SIDE:
            # Let libjpeg decode at 1/2, 1/4… scale directly (DCT scaling) instead of decoding 12 MP.
            ratio = DISPLAY_MAX_SIDE / max(width, height)
            image.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise UploadRejected(_("Cette image est trop grande (plus de 50 mégapixels).")) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(_("Ce fichier n'est pas une image lisible : il est peut-être abîmé.")) from exc
    image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=False)  # no exif= argument: metadata stripped
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), reducing_gap=2.0)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=80)
    content = out.getvalue()
    return ProcessedUpload(
        content=content, extension=".jpg", content_type="image/jpeg", thumbnail=thumb_out.getvalue(),
        sha256=hashlib.sha256(data).hexdigest(), width=image.width, height=image.height, taken_at=taken_at,
        gps_latitude=latitude, gps_longitude=longitude,
    )


def process_pdf(data: bytes) -> ProcessedUpload:
    """Rebuild a PDF page by page (drops JavaScript, auto-actions, attachments)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF-"):
        raise UploadRejected(_("Ce fichier n'est pas un PDF valide."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UploadRejected(_("Ce PDF est protégé par un mot de passe : envoyez une version non protégée."))
        writer = PdfWriter()
        for page in reader.pages:
            writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
    except UploadRejected:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise UploadRejected(_("Ce PDF est illisible : il est peut-être abîmé.")) from exc
    return ProcessedUpload(content=out.getvalue(), extension=".pdf", content_type="application/pdf",
                           thumbnail=None, sha256=hashlib.sha256(data).hexdigest())


def process_upload(data: bytes) -> ProcessedUpload:
    """Check the size, recognise the content (never trust the name or the declared type), re-encode."""
    if len(data) == 0:
        raise UploadRejected(_("Ce fichier est vide."))
    if len(data) > MAX_BYTES:
        raise UploadRejected(_("Ce fichier dépasse 20 Mo."))
    if data.startswith(b"%PDF-"):
        return process_pdf(data)
    return process_image(data)


def scan_for_malware(data: bytes) -> str | None:
    """ClamAV (clamd INSTREAM) when ABRI_CLAMAV_SOCKET is set: 'clean' or 'infected'; None when not configured."""
    path = getattr(settings, "ABRI_CLAMAV_SOCKET", "")
    if not path:
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(path)
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), 65536):
            chunk = data[start:start + 65536]
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = sock.recv(4096).decode(errors="replace")
    return "infected" if "FOUND" in reply else "clean"
