"""PDF rendering with ReportLab: plain, fast, accessible text PDFs."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas


def render_text_pdf(*, title: str, lines: list[str], insurer: str = "Abri Assurances") -> bytes:
    """A one- or multi-page A4 PDF with a title and lines of text (extractable by pypdf)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor(insurer)
    pdf.setSubject(title)
    pdf.setLang("fr-FR") if hasattr(pdf, "setLang") else None
    width, height = A4

    def header():
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(20 * mm, height - 15 * mm, insurer)
        pdf.setFont("Helvetica-Bold", 15)
        pdf.drawString(20 * mm, height - 28 * mm, title[:90])
        pdf.setFont("Helvetica", 10)

    header()
    y = height - 40 * mm
    for line in lines:
        for chunk in _wrap(line, 95):
            if y < 20 * mm:
                pdf.showPage()
                header()
                y = height - 40 * mm
            pdf.drawString(20 * mm, y, chunk)
            y -= 5.2 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines
