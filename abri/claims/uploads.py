"""Evidence files: verified by content, re-encoded, stripped for display, scanned when configured.

Nothing is ever served as uploaded: images are decoded and re-encoded as JPEG without metadata
(capture time and GPS are kept apart as evidence fields), PDFs are rebuilt page by page (which
drops scripts and auto-actions).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import io
import socket
import struct
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

try:  # HEIC/HEIF photos from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - optional at run time, installed by default
    HEIF = False

MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 30
# Pixel bounds, checked on the header before anything is decoded (Pillow keeps RGB as 4 bytes a pixel).
# - Baseline JPEG, what phone cameras save: up to 210 MP declared (200 MP modes are 16320×12240),
#   since libjpeg decodes them at 1/2, 1/4 or 1/8 scale: never more than ~4 MP in memory.
# - HEIC/HEIF, the iPhone's format, is decoded at full size (≈ 7 bytes a pixel with libheif's own
#   buffers): 52 MP keeps every phone photo (iPhone « HEIF Max » 8064×6048 = 48.8 MP; 50 MP sensors
#   8160×6144 = 50.1 MP).
# - PNG, WebP and progressive JPEG (also no scaled decoding: every coefficient is kept) are screenshots
#   and exports, not camera output: 32 MP (≈ 128 MB decoded) is far above a screen (a 12.9" tablet is
#   5.6 MP) and keeps a worker under 300 MB while decoding one (bench/bench_upload_memory.py).
MAX_SOURCE_PIXELS = 210_000_000
MAX_DECODED_PIXELS = 52_000_000
MAX_OTHER_PIXELS = 32_000_000
DISPLAY_MAX_SIDE = 2000  # enough to see damage on any screen; decoding a 12 MP JPEG at 1/2 scale is fast
THUMB_SIDE = 360
# Decoding is the one step whose memory grows with what a customer sends: each process decodes one
# image at a time, so a gunicorn worker peaks at its base size plus the largest image allowed above,
# however many uploads arrive together (bench/bench_upload_memory.py measures it).
DECODE_WORKERS = 1
DECODE_WAIT_SECONDS = 45
WORKING_MODES = {"RGB", "RGBA", "L", "LA", "CMYK"}  # resampled as they are
EXIF_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
                  4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
                  7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}  # as ImageOps.exif_transpose
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic",
                 "HEIC": "image/heic", "MPO": "image/jpeg"}
# Pillow's own guard (warning above, refusal at twice this) stays behind ours.
Image.MAX_IMAGE_PIXELS = MAX_SOURCE_PIXELS
# Pixels are allocated in blocks of this size. Above glibc's largest mmap threshold (32 MB), each
# block is mapped on its own and given back to the system when the image is freed; with Pillow's
# 16 MB default, a freed block stays in the malloc arena of the thread that decoded it, and a worker
# with 4 threads kept ~4 × 200 MB after a burst of large photos.
Image.core.set_block_size(64 * 1024 * 1024)


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


# One thread decodes for the whole process: at most one image's pixels are in memory at a time (the
# machine's other cores serve the other gunicorn workers), and the malloc arena of that one thread is
# reused from one photo to the next instead of each request thread keeping the largest image it met.
_image_pool = ThreadPoolExecutor(max_workers=DECODE_WORKERS, thread_name_prefix="abri-image")


def _malloc_trim_loader():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to give back this way
        return None


_malloc_trim = _malloc_trim_loader()


def _give_memory_back() -> None:
    """Return the freed image memory to the system (glibc keeps it in each thread's arena otherwise)."""
    if _malloc_trim is not None:
        _malloc_trim(0)


def _too_large(pixels: int | None, limit: int) -> UploadRejected:
    if pixels is None:
        return UploadRejected(_("Cette image est trop grande : envoyez une photo de moins de %(limit)s "
                                "mégapixels.") % {"limit": f"{limit / 1e6:.0f}"})
    return UploadRejected(
        _("Cette image est trop grande (%(size)s mégapixels) : envoyez une photo de moins de %(limit)s "
          "mégapixels.") % {"size": f"{pixels / 1e6:.0f}", "limit": f"{limit / 1e6:.0f}"}
    )


def _reduced(image):
    """The decoded image box-averaged by a whole factor towards DISPLAY_MAX_SIDE, band by band.

    Working band by band keeps the extra memory to one band (a palette or 16-bit image is converted
    per band), and the full-size pixels can be released as soon as this returns.
    """
    width, height = image.size
    factor = max(1, max(width, height) // DISPLAY_MAX_SIDE)
    target = image.mode if image.mode in WORKING_MODES else ("RGBA" if image.has_transparency_data else "RGB")
    if factor == 1 and target == image.mode:
        return image
    reduced = Image.new(target, (-(-width // factor), -(-height // factor)))
    step = factor * 32
    for top in range(0, height, step):
        band = image.crop((0, top, width, min(height, top + step)))
        if band.mode != target:
            band = band.convert(target)
        reduced.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    return reduced


def process_image(data: bytes) -> ProcessedUpload:
    """Check the header, then decode and re-encode on the image pool, within the memory budget."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = (probe.format or "").upper()
            if fmt not in IMAGE_FORMATS:
                raise UploadRejected(_("Ce format d'image n'est pas accepté (JPEG, PNG, HEIC ou WebP)."))
            source_pixels = probe.size[0] * probe.size[1]
            if source_pixels > MAX_SOURCE_PIXELS:
                raise _too_large(source_pixels, MAX_SOURCE_PIXELS)
            probe.verify()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_large(None, MAX_DECODED_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(_("Ce fichier n'est pas une image lisible : il est peut-être abîmé.")) from exc
    future = _image_pool.submit(_reencode_image_and_trim, data, fmt)
    try:
        return future.result(timeout=DECODE_WAIT_SECONDS)
    except FutureTimeout:
        if future.cancel():  # still queued: let the customer retry rather than hold the request
            raise UploadRejected(_("Beaucoup de photos sont en cours de traitement : réessayez dans une "
                                   "minute.")) from None
        return future.result()


def _reencode_image_and_trim(data: bytes, fmt: str) -> ProcessedUpload:
    try:
        return _reencode_image(data, fmt)
    finally:
        _give_memory_back()


def _reencode_image(data: bytes, fmt: str) -> ProcessedUpload:
    """Decode (scaled for JPEG), reduce, rotate as EXIF says, re-encode as JPEG without metadata; thumbnail."""
    try:
        image = Image.open(io.BytesIO(data))
        source_width, source_height = image.size
        source_pixels = source_width * source_height
        if fmt in {"JPEG", "MPO"} and max(source_width, source_height) > DISPLAY_MAX_SIDE:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale directly (DCT scaling): never the full 12 or 200 MP.
            ratio = DISPLAY_MAX_SIDE / max(source_width, source_height)
            image.draft(image.mode if image.mode == "CMYK" else "RGB",
                        (max(1, int(source_width * ratio)), max(1, int(source_height * ratio))))
        width, height = image.size
        progressive = fmt in {"JPEG", "MPO"} and bool(image.info.get("progressive"))
        decoded = source_pixels if progressive else width * height  # progressive: no scaled decoding
        limit = MAX_OTHER_PIXELS if progressive or fmt in {"PNG", "WEBP"} else MAX_DECODED_PIXELS
        if decoded > limit:
            raise _too_large(decoded, limit)
        image.load()
        exif = image.getexif()  # after load(): a PNG's eXIf chunk may follow its pixels, so reading it decodes
        # Reduce first, so that the full-size pixels are released at once and every later step
        # (resampling, rotation, colour conversion) works on the small copy.
        image = _reduced(image)
        image.thumbnail((DISPLAY_MAX_SIDE, DISPLAY_MAX_SIDE), reducing_gap=None)
        rotation = EXIF_TRANSPOSE.get(exif.get(0x0112))
        if rotation is not None:
            image = image.transpose(rotation)
        if image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=False)  # no exif= argument: metadata stripped
        ratio = min(1.0, THUMB_SIDE / max(image.size))
        thumb = image.resize((max(1, round(image.width * ratio)), max(1, round(image.height * ratio))),
                             Image.Resampling.BICUBIC, reducing_gap=2.0)
        thumb_out = io.BytesIO()
        thumb.save(thumb_out, "JPEG", quality=80)
        taken_at = _exif_datetime(exif)
        latitude, longitude = _exif_gps(exif)
    except UploadRejected:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_large(None, MAX_DECODED_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UploadRejected(_("Ce fichier n'est pas une image lisible : il est peut-être abîmé.")) from exc
    return ProcessedUpload(
        content=out.getvalue(), extension=".jpg", content_type="image/jpeg", thumbnail=thumb_out.getvalue(),
        sha256=hashlib.sha256(data).hexdigest(), width=image.width, height=image.height, taken_at=taken_at,
        gps_latitude=latitude, gps_longitude=longitude,
    )


# --- PDF -------------------------------------------------------------------------------------
# A PDF is rebuilt from what is drawn on its pages and nothing else: a fresh catalog (no /OpenAction,
# /Names — JavaScript and embedded-file trees —, /AcroForm and its XFA, outlines or metadata), fresh
# page dictionaries (no /AA, no /Annots), and a copy of each page's resources and content streams from
# which every action, file specification and script key is dropped on the way. The visible appearance
# of annotations (a filled-in form field, a stamp, a drawn signature) is kept by painting it into the
# page, as printing does; the annotation itself, and any action it carried, is not copied.
PDF_DROPPED_KEYS = frozenset({
    "/A", "/AA", "/JS", "/JavaScript", "/OpenAction", "/Launch", "/URI", "/Names", "/AcroForm", "/XFA",
    "/EF", "/EmbeddedFile", "/EmbeddedFiles", "/FS", "/Annots", "/Next", "/Parent", "/P", "/Metadata",
    "/PieceInfo", "/Outlines", "/Dests", "/Dest", "/RichMedia", "/RichMediaContent", "/Length",
})
PDF_DROPPED_STREAM_KEYS = frozenset({"/F", "/FFilter", "/FDecodeParms"})  # stream data read from an external file
PDF_DROPPED_NAMES = frozenset({
    "/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/XFA", "/Filespec",
})
PDF_ACTION_TYPES = frozenset({
    "/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/ResetForm", "/GoTo", "/GoToR", "/GoToE",
    "/GoToDp", "/Rendition", "/Sound", "/Movie", "/RichMediaExecute", "/Hide", "/Named", "/SetOCGState", "/Trans",
    "/GoTo3DView", "/Thread",
})
PDF_DROPPED_TYPES = frozenset({"/Action", "/Filespec", "/EmbeddedFile", "/Annot", "/Catalog", "/Page", "/Pages",
                               "/Outlines", "/Metadata"})
PDF_MAX_DEPTH = 64
PDF_MAX_OBJECTS = 200_000
PDF_MAX_ANNOTATIONS = 500


class _PdfTooComplex(Exception):
    pass


def _resolved(dictionary, key):
    """dictionary[key] with indirect references followed, or None."""
    value = dictionary.get(key)
    return value.get_object() if value is not None else None


class _PdfCleaner:
    """Copies objects from the uploaded PDF into a new one, leaving out anything that can act."""

    def __init__(self, writer):
        self.writer = writer
        self.copied: dict[tuple[int, int], object] = {}
        self.visited = 0

    @staticmethod
    def dangerous(obj) -> bool:
        from pypdf.generic import DictionaryObject

        if not isinstance(obj, DictionaryObject):
            return False
        return _resolved(obj, "/S") in PDF_ACTION_TYPES or _resolved(obj, "/Type") in PDF_DROPPED_TYPES

    def copy(self, obj, depth: int = 0):
        from pypdf.generic import (
            ArrayObject,
            DecodedStreamObject,
            DictionaryObject,
            EncodedStreamObject,
            IndirectObject,
            NameObject,
            NullObject,
            StreamObject,
        )

        self.visited += 1
        if depth > PDF_MAX_DEPTH or self.visited > PDF_MAX_OBJECTS:
            raise _PdfTooComplex
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in self.copied:
                return self.copied[key]
            target = obj.get_object()
            if target is None or isinstance(target, NullObject) or self.dangerous(target):
                self.copied[key] = NullObject()
                return self.copied[key]
            reference = self.writer._add_object(NullObject())  # reserved first: a cycle finds it
            self.copied[key] = reference
            self.writer._replace_object(reference, self.copy(target, depth + 1))
            return reference
        if self.dangerous(obj):
            return NullObject()
        if isinstance(obj, StreamObject):
            stream = EncodedStreamObject() if isinstance(obj, EncodedStreamObject) else DecodedStreamObject()
            for key, value in obj.items():
                if key not in PDF_DROPPED_KEYS and key not in PDF_DROPPED_STREAM_KEYS:
                    stream[NameObject(key)] = self.copy(value, depth + 1)
            stream._data = obj._data  # the bytes as encoded (images, fonts, content): never decoded here
            return stream
        if isinstance(obj, DictionaryObject):
            result = DictionaryObject()
            for key, value in obj.items():
                if key not in PDF_DROPPED_KEYS:
                    result[NameObject(key)] = self.copy(value, depth + 1)
            return result
        if isinstance(obj, ArrayObject):
            return ArrayObject(self.copy(item, depth + 1) for item in obj)
        if isinstance(obj, NameObject) and obj in PDF_DROPPED_NAMES:
            return NullObject()
        return obj  # numbers, strings, booleans, other names, null


def _numbers(value, count: int) -> list[float] | None:
    try:
        numbers = [float(v.get_object()) for v in value.get_object()]
    except (TypeError, ValueError, AttributeError):
        return None
    return numbers if len(numbers) == count else None


def _appearance_placement(annotation, appearance) -> str | None:
    """The `cm` operands that paint an annotation's appearance stream over its /Rect (PDF 32000 §12.5.5)."""
    rect = _numbers(_resolved(annotation, "/Rect"), 4)
    bbox = _numbers(_resolved(appearance, "/BBox"), 4)
    matrix = _numbers(_resolved(appearance, "/Matrix"), 6) or [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    if rect is None or bbox is None:
        return None
    a, b, c, d, e, f = matrix
    corners = [(x * a + y * c + e, x * b + y * d + f) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    rx0, ry0, rx1, ry1 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    if width <= 0 or height <= 0 or rx1 <= rx0 or ry1 <= ry0:
        return None
    sx, sy = (rx1 - rx0) / width, (ry1 - ry0) / height
    return f"{sx:.6f} 0 0 {sy:.6f} {rx0 - sx * min(xs):.4f} {ry0 - sy * min(ys):.4f}"


def _flattened_annotations(page, cleaner, xobjects, prefix: str) -> bytes:
    """Paint each visible annotation's normal appearance into the page; return the drawing operators."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    annotations = _resolved(page, "/Annots")
    if not isinstance(annotations, ArrayObject):
        return b""
    operators = []
    for index, item in enumerate(list(annotations)[:PDF_MAX_ANNOTATIONS]):
        annotation = item.get_object()
        if not isinstance(annotation, DictionaryObject) or _resolved(annotation, "/Subtype") in {"/Popup", "/Link"}:
            continue
        flags = _resolved(annotation, "/F")
        if isinstance(flags, int) and flags & (2 | 32):  # Hidden, NoView
            continue
        appearances = _resolved(annotation, "/AP")
        if not isinstance(appearances, DictionaryObject) or "/N" not in appearances:
            continue
        reference = appearances.raw_get("/N")
        normal = reference.get_object()
        if isinstance(normal, DictionaryObject) and not isinstance(normal, StreamObject):
            state = _resolved(annotation, "/AS")
            if state is None or state not in normal:
                continue
            reference = normal.raw_get(state)
            normal = reference.get_object()
        if not isinstance(normal, StreamObject):
            continue
        placement = _appearance_placement(annotation, normal)
        if placement is None:
            continue
        copied = cleaner.copy(reference)
        form = copied.get_object()
        if not isinstance(form, StreamObject):
            continue
        form[NameObject("/Type")] = NameObject("/XObject")
        form[NameObject("/Subtype")] = NameObject("/Form")
        name = f"/{prefix}{index}"
        xobjects[NameObject(name)] = copied
        operators.append(f"q {placement} cm {name} Do Q\n")
    return "".join(operators).encode("ascii")


def _rebuilt_pdf(reader) -> bytes:
    """A new PDF with each page's drawing only (see above)."""
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, RectangleObject

    writer = PdfWriter()
    cleaner = _PdfCleaner(writer)
    for number, page in enumerate(reader.pages):
        mediabox = RectangleObject([float(v) for v in page.mediabox])
        new_page = writer.add_blank_page(width=float(mediabox.width), height=float(mediabox.height))
        new_page[NameObject("/MediaBox")] = mediabox
        for key in ("/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
            box = _numbers(page[key], 4) if key in page else None
            if box is not None:
                new_page[NameObject(key)] = RectangleObject(box)
        rotation = _resolved(page, "/Rotate")
        if isinstance(rotation, int) and rotation % 90 == 0:
            new_page[NameObject("/Rotate")] = NumberObject(rotation % 360)
        resources = page.raw_get("/Resources") if "/Resources" in page else DictionaryObject()
        resources = cleaner.copy(resources).get_object()
        resources = DictionaryObject(resources) if isinstance(resources, DictionaryObject) else DictionaryObject()
        xobjects = _resolved(resources, "/XObject")
        xobjects = DictionaryObject(xobjects) if isinstance(xobjects, DictionaryObject) else DictionaryObject()
        painted = _flattened_annotations(page, cleaner, xobjects, prefix=f"AbriAnnot{number}x")
        if xobjects:
            resources[NameObject("/XObject")] = xobjects
        new_page[NameObject("/Resources")] = resources
        contents = ArrayObject()
        if "/Contents" in page:
            original = cleaner.copy(page.raw_get("/Contents"))
            streams = original.get_object()
            parts = list(streams) if isinstance(streams, ArrayObject) else [original]
            if painted:
                contents.append(writer._add_object(_content_stream(b"q\n")))
            contents.extend(parts)
        if painted:
            contents.append(writer._add_object(_content_stream(b"\nQ\n" + painted if len(contents) else painted)))
        if contents:
            new_page[NameObject("/Contents")] = contents
        elif "/Contents" in new_page:
            del new_page["/Contents"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content_stream(data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def process_pdf(data: bytes) -> ProcessedUpload:
    """Rebuild a PDF from its pages' drawing only: no script, action, annotation, attachment or form survives."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        raise UploadRejected(_("Ce fichier n'est pas un PDF valide."))
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UploadRejected(_("Ce PDF est protégé par un mot de passe : envoyez une version non protégée."))
        content = _rebuilt_pdf(reader)
    except UploadRejected:
        raise
    except _PdfTooComplex as exc:
        raise UploadRejected(_("Ce PDF est trop complexe pour être accepté : envoyez-le imprimé en PDF ou "
                               "en photo.")) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise UploadRejected(_("Ce PDF est illisible : il est peut-être abîmé.")) from exc
    return ProcessedUpload(content=content, extension=".pdf", content_type="application/pdf",
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
