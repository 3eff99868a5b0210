import io
import threading
import time
from datetime import datetime

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from abri.claims import uploads
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
    with pytest.raises(UploadRejected, match=r"trop grande \(60 mégapixels\) : envoyez une photo de moins de 32 mégapixels"):
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


# --- Hostile PDFs -----------------------------------------------------------------------------
def _name(value):
    return NameObject(value)


def _stream(writer, data: bytes, **entries):
    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[_name("/" + key)] = value
    return writer._add_object(stream)


def _javascript(writer, code: str):
    return writer._add_object(DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name("/JavaScript"),
                                                _name("/JS"): TextStringObject(code)}))


def _numbers(*values):
    return ArrayObject(NumberObject(v) for v in values)


def hostile_pdf() -> bytes:
    """One page of text, with every way a PDF can act: open action, page actions, JavaScript, Launch and
    javascript: links, a form field with a keystroke script, an embedded executable, a JavaScript name
    tree, XFA, and a script hidden in the page's resources."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    font = writer._add_object(DictionaryObject({_name("/Type"): _name("/Font"), _name("/Subtype"): _name("/Type1"),
                                                _name("/BaseFont"): _name("/Helvetica")}))
    page[_name("/Resources")] = DictionaryObject({
        _name("/Font"): DictionaryObject({_name("/F1"): font}),
        _name("/Properties"): DictionaryObject({_name("/MC0"): DictionaryObject({
            _name("/A"): _javascript(writer, "app.alert('resources')")})}),
    })
    page[_name("/Contents")] = _stream(writer, b"BT /F1 24 Tf 72 700 Td (Facture vitre 320 euros) Tj ET")
    page[_name("/AA")] = DictionaryObject({_name("/O"): _javascript(writer, "app.alert('page open')"),
                                           _name("/C"): _javascript(writer, "app.alert('page close')")})
    launch = writer._add_object(DictionaryObject({
        _name("/S"): _name("/Launch"), _name("/F"): TextStringObject("C:\\Windows\\System32\\calc.exe"),
        _name("/Win"): DictionaryObject({_name("/F"): TextStringObject("cmd.exe")})}))
    uri = writer._add_object(DictionaryObject({_name("/S"): _name("/URI"),
                                               _name("/URI"): TextStringObject("javascript:alert(document.cookie)")}))
    links = [writer._add_object(DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Link"), _name("/Rect"): _numbers(72, 600, 300, 630),
        _name("/A"): action})) for action in (_javascript(writer, "app.alert('link')"), launch, uri)]
    appearance = _stream(writer, b"BT /F1 12 Tf 2 4 Td (Dupont Alice) Tj ET", Type=_name("/XObject"),
                         Subtype=_name("/Form"), BBox=_numbers(0, 0, 200, 20),
                         Resources=DictionaryObject({_name("/Font"): DictionaryObject({_name("/F1"): font})}))
    field = writer._add_object(DictionaryObject({
        _name("/Type"): _name("/Annot"), _name("/Subtype"): _name("/Widget"), _name("/FT"): _name("/Tx"),
        _name("/T"): TextStringObject("nom"), _name("/Rect"): _numbers(72, 500, 272, 520),
        _name("/AP"): DictionaryObject({_name("/N"): appearance}),
        _name("/AA"): DictionaryObject({_name("/K"): _javascript(writer, "app.alert('keystroke')")}),
    }))
    page[_name("/Annots")] = ArrayObject([*links, field])
    executable = _stream(writer, b"MZ\x90\x00 payload", Type=_name("/EmbeddedFile"))
    filespec = writer._add_object(DictionaryObject({
        _name("/Type"): _name("/Filespec"), _name("/F"): TextStringObject("facture.exe"),
        _name("/EF"): DictionaryObject({_name("/F"): executable})}))
    root = writer._root_object
    root[_name("/OpenAction")] = _javascript(writer, "app.alert('open')")
    root[_name("/Names")] = writer._add_object(DictionaryObject({
        _name("/JavaScript"): DictionaryObject({_name("/Names"): ArrayObject([
            TextStringObject("init"), _javascript(writer, "app.alert('names')")])}),
        _name("/EmbeddedFiles"): DictionaryObject({_name("/Names"): ArrayObject([
            TextStringObject("facture.exe"), filespec])}),
    }))
    xfa = _stream(writer, b"<xdp:xdp><script>xfa.host.messageBox('xfa')</script></xdp:xdp>")
    root[_name("/AcroForm")] = writer._add_object(DictionaryObject({_name("/Fields"): ArrayObject([field]),
                                                                    _name("/XFA"): xfa}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


FORBIDDEN_PDF_NAMES = ["/JavaScript", "/JS", "/Launch", "/OpenAction", "/AA", "/EmbeddedFile", "/EmbeddedFiles",
                       "/XFA", "/URI", "/Annots", "/AcroForm", "/Names", "/Filespec"]


def _all_pdf_objects(reader):
    """Every object reachable from the trailer (names, dictionaries, arrays, streams)."""
    seen, stack, found = set(), [reader.trailer], []
    while stack:
        obj = stack.pop()
        if hasattr(obj, "idnum"):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        found.append(obj)
        if isinstance(obj, DictionaryObject):
            found.extend(obj.keys())
            stack.extend(obj.raw_get(key) for key in obj)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def test_hostile_pdf_is_stored_without_any_script_action_link_attachment_or_form():
    hostile = hostile_pdf()
    for marker in (b"/OpenAction", b"/AA", b"/Launch", b"/EmbeddedFile", b"/XFA", b"/JavaScript"):
        assert marker in hostile  # the fixture really carries each attack
    stored = process_upload(hostile).content
    for name in FORBIDDEN_PDF_NAMES:
        assert name.encode() not in stored, name
    for text in (b"app.alert", b"calc.exe", b"cmd.exe", b"javascript:", b"facture.exe", b"MZ", b"xfa.host"):
        assert text not in stored, text
    reader = PdfReader(io.BytesIO(stored))
    objects = _all_pdf_objects(reader)
    assert not [o for o in objects if isinstance(o, NameObject) and o in FORBIDDEN_PDF_NAMES]
    assert not [o for o in objects if isinstance(o, StreamObject) and b"alert" in o.get_data()]
    page = reader.pages[0]
    assert "/AA" not in page and "/Annots" not in page
    assert set(reader.trailer["/Root"].keys()) == {"/Type", "/Pages"}


def test_hostile_pdf_keeps_its_text_and_the_filled_field_as_drawn():
    text = PdfReader(io.BytesIO(process_upload(hostile_pdf()).content)).pages[0].extract_text()
    assert "Facture vitre 320 euros" in text
    assert "Dupont Alice" in text  # the field's value is painted into the page, the field is gone


def test_pdf_with_inherited_resources_and_rotation_keeps_them():
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(render_text_pdf(title="Devis", lines=["Plombier 180 euros"]))).pages[0])
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    stored = PdfReader(io.BytesIO(process_upload(out.getvalue()).content))
    assert stored.pages[0].rotation == 90
    assert "Plombier 180 euros" in stored.pages[0].extract_text()


# --- Memory -----------------------------------------------------------------------------------
def _png(width, height, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_tiny_png_of_49_megapixels_is_refused_before_decoding():
    data = _png(7000, 7000)  # ~150 KB that would decode to ~200 MB
    started = time.perf_counter()
    with pytest.raises(UploadRejected) as refused:
        process_upload(data)
    assert str(refused.value) == ("Cette image est trop grande (49 mégapixels) : envoyez une photo de moins de "
                                  "32 mégapixels.")
    assert time.perf_counter() - started < 1  # refused on the header, not after decoding


def test_large_photo_is_downscaled_and_turned_as_the_phone_held_it():
    image = Image.new("RGB", (4000, 3000), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # taken in portrait
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    result = process_upload(buffer.getvalue())
    assert (result.width, result.height) == (1500, 2000)
    assert not Image.open(io.BytesIO(result.content)).getexif()


def test_palette_and_large_png_are_reduced_without_error():
    assert process_upload(_png(4100, 300, "P")).width == 2000
    assert process_upload(_png(5000, 5000, "1")).width == 2000


def test_parallel_uploads_decode_one_image_at_a_time_per_process(monkeypatch):
    running, peak, threads = [0], [0], set()
    lock = threading.Lock()
    original = uploads._reduced

    def watched(image):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            threads.add(threading.current_thread().name)
        time.sleep(0.05)
        try:
            return original(image)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(uploads, "_reduced", watched)
    data = _png(2500, 2500)
    workers = [threading.Thread(target=process_upload, args=(data,)) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert peak[0] == 1
    assert all(name.startswith("abri-image") for name in threads)
