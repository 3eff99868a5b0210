"""PDF rendering with ReportLab: plain, fast, tagged (accessible) text PDFs."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from abri.documents.tagging import DEFAULT_LANG, Tagger


def render_text_pdf(*, title: str, lines: list[str], insurer: str = "Abri Assurances") -> bytes:
    """A one- or multi-page A4 PDF with a title and lines of text (extractable by pypdf).

    The PDF is tagged (RGAA 13.3): the insurer's name and the title are a paragraph and a /H1 on the
    first page (repeated on the next pages as artifacts), each line is one /P even when it runs over two
    pages; /Lang fr-FR, a /Title shown by the reader (see abri.documents.tagging).
    """
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1, lang=DEFAULT_LANG)
    pdf.setTitle(title)
    pdf.setAuthor(insurer)
    pdf.setSubject(title)
    tagger = Tagger(pdf)
    width, height = A4

    def header(first: bool):
        with tagger.tag("P") if first else tagger.artifact():
            pdf.setFont("Helvetica-Bold", 11)
            pdf.drawString(20 * mm, height - 15 * mm, insurer)
        with tagger.tag("H1") if first else tagger.artifact():
            pdf.setFont("Helvetica-Bold", 15)
            pdf.drawString(20 * mm, height - 28 * mm, title[:90])
        pdf.setFont("Helvetica", 10)

    header(first=True)
    y = height - 40 * mm
    for line in lines:
        paragraph = tagger.node("P")
        for chunk in _wrap(line, 95):
            if y < 20 * mm:
                pdf.showPage()
                header(first=False)
                y = height - 40 * mm
            with tagger.mark(paragraph):
                pdf.drawString(20 * mm, y, chunk)
            y -= 5.2 * mm
    tagger.finish()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    # Break only at ordinary spaces: the no-break spaces of « 14 000,00 € » keep an amount on one line.
    words, lines, current = [w for w in text.split(" ") if w], [], ""
    for word in words:
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip(" ")
    lines.append(current)
    return lines
