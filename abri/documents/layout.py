"""One layout for every letter Abri issues: amendments, acknowledgements, termination letters, receipts.

An A4 letter as an insurer sends it: the letterhead (the insurer's name, address and customer service,
from settings), the addressee where a window envelope shows it, a reference block (customer, contract,
document number, date), a title, the body (paragraphs, boxed notices, tables whose amounts are right-aligned
French euros), a signature, and on every page the insurer's legal mentions and « Page 1 sur 2 ».

It is a tagged PDF (ADR 0006, RGAA 13.3) drawn with ReportLab's platypus: /H1 title, /H2 sections, /P
paragraphs, /L lists, /Table with /TH header cells; the rules, backgrounds and the running header and
footer are artifacts, except the legal mentions, tagged once (on the last page, so that they are read
last). Metadata: /Title (shown by the reader), /Author (the insurer), /Subject, /Lang fr-FR. Signing
(documents.signing.pdf_sign) comes after, as an incremental update.

`draw_letterhead` and `draw_footer` draw the same header and footer on any tagged canvas, for documents
drawn by hand (certificates) rather than with `render_letter`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Spacer, TableStyle

from abri.core.money import format_eur
from abri.documents.tagging import DEFAULT_LANG, LayoutTable, Node, TaggedCanvas, TaggedParagraph, Tagger

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = RIGHT = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
FOOTER_HEIGHT = 27 * mm  # keep the body above this line: the legal mentions and the page number sit below
LATER_PAGES_TOP = 24 * mm  # height of the running header on pages 2 and after
BRAND = colors.HexColor("#1d4e89")
BRAND_LIGHT = colors.HexColor("#e8eef6")
GREY = colors.HexColor("#55595f")
RULE = colors.HexColor("#c5ccd6")
ZEBRA = colors.HexColor("#f5f7fa")
FONT, BOLD = "Helvetica", "Helvetica-Bold"


# --- The insurer, from settings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Insurer:
    """Who signs the letters, with the mentions French law asks on an insurer's documents."""

    name: str
    legal_form: str
    address: str
    rcs: str
    orias: str
    regulator: str
    phone: str
    email: str
    website: str

    @property
    def legal_mentions(self) -> list[str]:
        """The footer: identity (form, capital, seat, register) then the supervisor (Code des assurances)."""
        identity = " — ".join(part for part in (self.name, self.legal_form, self.address, self.rcs,
                                                 _("ORIAS n° %(orias)s") % {"orias": self.orias} if self.orias else "")
                              if part)
        return [identity, self.regulator] if self.regulator else [identity]

    @property
    def contact(self) -> str:
        return " · ".join(part for part in (self.phone, self.email, self.website) if part)


def insurer() -> Insurer:
    """The insurer as configured (ABRI_INSURER_* settings, read at each call so that a test can override them)."""
    return Insurer(
        name=settings.ABRI_INSURER_NAME, legal_form=settings.ABRI_INSURER_LEGAL_FORM,
        address=settings.ABRI_INSURER_ADDRESS, rcs=settings.ABRI_INSURER_RCS, orias=settings.ABRI_INSURER_ORIAS,
        regulator=settings.ABRI_INSURER_REGULATOR, phone=settings.ABRI_INSURER_PHONE,
        email=settings.ABRI_INSURER_EMAIL, website=settings.ABRI_INSURER_WEBSITE or settings.ABRI_BASE_URL,
    )


def money(value) -> str:
    """« 1 234,56 € » for a PDF: format_eur with no-break spaces (the standard fonts have no narrow one)."""
    return format_eur(value).replace("\u202f", "\u00a0")


def pdf_text(text) -> str:
    """Text the standard PDF fonts (WinAnsi) can draw: narrow no-break space → no-break space."""
    return str(text).replace("\u202f", "\u00a0")


# --- What a letter is made of -------------------------------------------------------------------------------


@dataclass
class Heading:
    """A section title (/H2)."""

    text: str


@dataclass
class Text:
    """A paragraph; `label` is printed in bold before it (« Date d'effet : … »)."""

    text: str
    label: str = ""
    small: bool = False


@dataclass
class Bullets:
    """A list (/L)."""

    items: list[str]


@dataclass
class Notice:
    """An important notice in a shaded box with a title (a /Div with its /H3 and /P)."""

    title: str
    lines: list[str]


@dataclass
class Table:
    """A data table: the first row names the columns (/TH); Decimal cells are amounts (euros, right-aligned);
    `total` is a last row in bold; `widths` are fractions of the text width."""

    columns: list[str]
    rows: list[list]
    total: list | None = None
    widths: list[float] | None = None
    caption: str = ""


@dataclass
class Letter:
    """A letter: title, addressee, references (label, value), body blocks, signature."""

    title: str
    references: list[tuple[str, str]]
    blocks: list
    recipient: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    subject: str = ""
    keywords: list[str] = field(default_factory=list)


# --- Styles --------------------------------------------------------------------------------------------------

_BODY = ParagraphStyle("abri-body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=5)
_SMALL = ParagraphStyle("abri-small", parent=_BODY, fontSize=8.5, leading=11, textColor=GREY)
_TITLE = ParagraphStyle("abri-title", fontName=BOLD, fontSize=15, leading=19, textColor=BRAND, spaceAfter=8)
_H2 = ParagraphStyle("abri-h2", fontName=BOLD, fontSize=11, leading=14, textColor=BRAND, spaceBefore=8,
                     spaceAfter=4)
_H3 = ParagraphStyle("abri-h3", fontName=BOLD, fontSize=10, leading=13, spaceAfter=2)
_BULLET = ParagraphStyle("abri-bullet", parent=_BODY, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=2)
_CELL = ParagraphStyle("abri-cell", fontName=FONT, fontSize=9.5, leading=12)
_CELL_RIGHT = ParagraphStyle("abri-cell-right", parent=_CELL, alignment=TA_RIGHT)
_HEAD = ParagraphStyle("abri-head", parent=_CELL, fontName=BOLD, textColor=BRAND)
_HEAD_RIGHT = ParagraphStyle("abri-head-right", parent=_HEAD, alignment=TA_RIGHT)
_SIGNATURE = ParagraphStyle("abri-signature", parent=_BODY, leftIndent=CONTENT_WIDTH / 2, spaceAfter=0)


def _para(text: str, style, node: Node) -> TaggedParagraph:
    return TaggedParagraph(text, style, node=node)


def _flowables(block) -> list:
    if isinstance(block, Heading):
        return [_para(escape(pdf_text(block.text)), _H2, Node("H2"))]
    if isinstance(block, Text):
        text = escape(pdf_text(block.text))
        if block.label:
            text = f"<b>{escape(pdf_text(block.label))}</b> {text}"
        return [_para(text, _SMALL if block.small else _BODY, Node("P"))]
    if isinstance(block, Bullets):
        items = []
        listing = Node("L")
        for item in block.items:
            entry = Node("LI", listing)
            items.append(TaggedParagraph(escape(pdf_text(item)), _BULLET, bulletText="•", node=Node("LBody", entry)))
        return [*items, Spacer(1, 2 * mm)]
    if isinstance(block, Notice):
        box = Node("Div")
        rows = [[_para(escape(pdf_text(block.title)), _H3, Node("H3", box))]]
        rows += [[_para(escape(pdf_text(line)), _BODY, Node("P", box))] for line in block.lines]
        table = LayoutTable(rows, colWidths=[CONTENT_WIDTH])
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), BRAND_LIGHT), ("LINEBEFORE", (0, 0), (0, -1), 3, BRAND),
            ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, 0), 6), ("BOTTOMPADDING", (0, -1), (-1, -1), 4),
        ]))
        return [Spacer(1, 2 * mm), table, Spacer(1, 3 * mm)]
    if isinstance(block, Table):
        return [_data_table(block), Spacer(1, 3 * mm)]
    raise TypeError(f"not a letter block: {block!r}")


def _cell(value, *, style, node: Node) -> TaggedParagraph:
    text = money(value) if isinstance(value, Decimal) else escape(pdf_text(value if value is not None else ""))
    return _para(text, style, node)


def _data_table(block: Table) -> LayoutTable:
    rows = [*block.rows, *([block.total] if block.total else [])]
    amounts = {index for row in rows for index, value in enumerate(row) if isinstance(value, Decimal)}
    table_node = Node("Table")
    data = []
    last = len(rows)
    for index, row in enumerate([block.columns, *rows]):
        row_node = Node("TR", table_node)
        bold = index == 0 or (block.total is not None and index == last)
        data.append([_cell(value, style=(_HEAD_RIGHT if column in amounts else _HEAD) if bold
                           else (_CELL_RIGHT if column in amounts else _CELL),
                           node=Node("TH" if index == 0 else "TD", row_node))
                     for column, value in enumerate(row)])
    widths = block.widths or [1 / len(block.columns)] * len(block.columns)
    table = LayoutTable(data, colWidths=[CONTENT_WIDTH * w for w in widths], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), BRAND_LIGHT), ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4), ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
    ]
    style += [("BACKGROUND", (0, row), (-1, row), ZEBRA) for row in range(2, len(data), 2)]
    if block.total:
        style += [("LINEABOVE", (0, -1), (-1, -1), 1, BRAND), ("BACKGROUND", (0, -1), (-1, -1), BRAND_LIGHT)]
    table.setStyle(TableStyle(style))
    return table


# --- Header and footer, for any tagged canvas ----------------------------------------------------------------


def _logo(pdf, x: float, y: float, size: float) -> None:
    """The mark beside the insurer's name: a roof over a door, in the brand colour (decoration)."""
    pdf.saveState()
    pdf.setFillColor(BRAND)
    path = pdf.beginPath()
    path.moveTo(x, y + size * 0.55)
    path.lineTo(x + size / 2, y + size)
    path.lineTo(x + size, y + size * 0.55)
    path.lineTo(x + size * 0.86, y + size * 0.55)
    path.lineTo(x + size * 0.86, y)
    path.lineTo(x + size * 0.14, y)
    path.lineTo(x + size * 0.14, y + size * 0.55)
    path.close()
    pdf.drawPath(path, stroke=0, fill=1)
    pdf.setFillColor(colors.white)
    pdf.rect(x + size * 0.40, y, size * 0.20, size * 0.34, stroke=0, fill=1)
    pdf.restoreState()


def wrap_words(pdf, text: str, font: str, size: float, width: float) -> list[str]:
    """`text` cut into lines that fit `width`, at ordinary spaces only: « 14 000,00 € » (no-break spaces) stays whole."""
    words, lines, current = [w for w in text.split(" ") if w], [], ""
    for word in words:
        candidate = f"{current} {word}".strip(" ")
        if current and pdf.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    lines.append(current)
    return lines


def draw_letterhead(pdf, tagger: Tagger, *, who: Insurer | None = None, top: float = PAGE_HEIGHT - 14 * mm) -> float:
    """The insurer's letterhead at the top of a first page (logo, name, address, customer service), tagged
    as one /P; returns the height (y) below which the page is free."""
    who = who or insurer()
    with tagger.artifact():
        _logo(pdf, LEFT, top - 11 * mm, 11 * mm)
    with tagger.tag("P"):
        pdf.setFillColor(BRAND)
        pdf.setFont(BOLD, 15)
        pdf.drawString(LEFT + 14 * mm, top - 5.5 * mm, pdf_text(who.name))
        pdf.setFillColor(GREY)
        pdf.setFont(FONT, 8)
        pdf.drawString(LEFT + 14 * mm, top - 10 * mm, pdf_text(who.address))
        right = PAGE_WIDTH - RIGHT
        pdf.setFont(BOLD, 8)
        pdf.drawRightString(right, top - 3 * mm, _("Service clients"))
        pdf.setFont(FONT, 8)
        for index, line in enumerate(part for part in (who.phone, who.email, who.website) if part):
            pdf.drawRightString(right, top - (7 + 3.6 * index) * mm, pdf_text(line))
        pdf.setFillColor(colors.black)
    with tagger.artifact():
        pdf.setStrokeColor(BRAND)
        pdf.setLineWidth(1.2)
        pdf.line(LEFT, top - 17 * mm, PAGE_WIDTH - RIGHT, top - 17 * mm)
    return top - 20 * mm


def draw_footer(pdf, tagger: Tagger, *, page: int, pages: int, tagged: bool = True, who: Insurer | None = None) -> None:
    """The legal mentions and « Page n sur N » at the bottom of a page (below FOOTER_HEIGHT). The mentions are
    tagged when `tagged` (once per document), an artifact otherwise; the page number is always an artifact."""
    who = who or insurer()
    with tagger.artifact():
        pdf.setStrokeColor(RULE)
        pdf.setLineWidth(0.5)
        pdf.line(LEFT, FOOTER_HEIGHT - 6 * mm, PAGE_WIDTH - RIGHT, FOOTER_HEIGHT - 6 * mm)
    y = FOOTER_HEIGHT - 10 * mm
    pdf.setFillColor(GREY)
    with tagger.tag("P") if tagged else tagger.artifact():
        pdf.setFont(FONT, 6.8)
        for mention in who.legal_mentions:
            for line in wrap_words(pdf, pdf_text(mention), FONT, 6.8, CONTENT_WIDTH - 22 * mm):
                pdf.drawString(LEFT, y, line)
                y -= 3 * mm
    with tagger.artifact():
        pdf.setFont(BOLD, 8)
        pdf.drawRightString(PAGE_WIDTH - RIGHT, FOOTER_HEIGHT - 10 * mm,
                            _("Page %(page)s sur %(pages)s") % {"page": page, "pages": pages})
    pdf.setFillColor(colors.black)


# --- The letter ----------------------------------------------------------------------------------------------


class _LetterCanvas(TaggedCanvas):
    """Holds each page until the end, so that the footer can say « Page 1 sur N »; the legal mentions are
    tagged on the last page (read after the body), artifacts on the others."""

    who: Insurer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pending: list[dict] = []

    def showPage(self):  # noqa: N802 - ReportLab's name
        self._pending.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        pages = len(self._pending)
        for state in self._pending:
            self.__dict__.update(state)
            draw_footer(self, self.tagger, page=self._pageNumber, pages=pages, tagged=self._pageNumber == pages,
                        who=self.who)
            TaggedCanvas.showPage(self)
        self.tagger.finish()
        TaggedCanvas.save(self)


def _first_page(letter: Letter, who: Insurer):
    def draw(pdf, doc):
        tagger = pdf.tagger
        y = draw_letterhead(pdf, tagger, who=who)
        # The addressee where a window envelope (DL, window on the right) shows it.
        x_recipient = 110 * mm
        y_block = y - 14 * mm
        if letter.recipient:
            with tagger.tag("P"):
                pdf.setFont(BOLD, 10)
                pdf.drawString(x_recipient, y_block, pdf_text(letter.recipient[0]))
                pdf.setFont(FONT, 10)
                for index, line in enumerate(letter.recipient[1:], start=1):
                    pdf.drawString(x_recipient, y_block - index * 4.8 * mm, pdf_text(line))
        if letter.references:
            with tagger.artifact():
                pdf.setFillColor(GREY)
                pdf.setFont(BOLD, 7.5)
                pdf.drawString(LEFT, y_block + 1 * mm, _("VOS RÉFÉRENCES"))
        references = tagger.node("Div")
        row_y = y_block - 4.5 * mm
        for label, value in letter.references:
            with tagger.tag("P", references):
                pdf.setFillColor(GREY)
                pdf.setFont(FONT, 8.5)
                pdf.drawString(LEFT, row_y, pdf_text(label))
                pdf.setFillColor(colors.black)
                pdf.setFont(BOLD, 9)
                pdf.drawString(LEFT + 27 * mm, row_y, pdf_text(value))
            row_y -= 4.6 * mm
        pdf.setFillColor(colors.black)
    return draw


def _later_pages(letter: Letter, who: Insurer):
    def draw(pdf, doc):
        with pdf.tagger.artifact():
            pdf.setFillColor(GREY)
            pdf.setFont(BOLD, 8.5)
            pdf.drawString(LEFT, PAGE_HEIGHT - 13 * mm, pdf_text(who.name))
            pdf.setFont(FONT, 8.5)
            pdf.drawRightString(PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 13 * mm, pdf_text(letter.title)[:90])
            pdf.setStrokeColor(RULE)
            pdf.setLineWidth(0.5)
            pdf.line(LEFT, PAGE_HEIGHT - 16 * mm, PAGE_WIDTH - RIGHT, PAGE_HEIGHT - 16 * mm)
            pdf.setFillColor(colors.black)
    return draw


def first_page_body_top(letter: Letter) -> float:
    """Where the body starts on page 1: below the letterhead, the addressee and the references."""
    if not (letter.recipient or letter.references):
        return PAGE_HEIGHT - 14 * mm - 20 * mm - 4 * mm
    lines = max(len(letter.recipient) * 4.8 * mm, (len(letter.references) + 1) * 4.6 * mm)
    return PAGE_HEIGHT - 14 * mm - 20 * mm - 14 * mm - lines - 8 * mm


def render_letter(letter: Letter, *, who: Insurer | None = None) -> bytes:
    """The letter as a tagged A4 PDF (see the module docstring)."""
    who = who or insurer()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=A4, title=pdf_text(letter.title), author=who.name, subject=letter.subject or letter.title,
        creator="Abri", keywords=letter.keywords, lang=DEFAULT_LANG, pageCompression=1,
        leftMargin=LEFT, rightMargin=RIGHT, topMargin=LATER_PAGES_TOP, bottomMargin=FOOTER_HEIGHT,
    )
    top = first_page_body_top(letter)
    first = Frame(LEFT, FOOTER_HEIGHT, CONTENT_WIDTH, top - FOOTER_HEIGHT, id="first", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)
    later = Frame(LEFT, FOOTER_HEIGHT, CONTENT_WIDTH, PAGE_HEIGHT - LATER_PAGES_TOP - FOOTER_HEIGHT, id="later",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([
        PageTemplate(id="first", frames=[first], onPage=_first_page(letter, who), autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[later], onPage=_later_pages(letter, who)),
    ])
    story: list = [_para(escape(pdf_text(letter.title)), _TITLE, Node("H1"))]
    for block in letter.blocks:
        story += _flowables(block)
    if letter.signature:
        signature = [Spacer(1, 4 * mm)]
        signature += [_para(escape(pdf_text(line)), _SIGNATURE if index else ParagraphStyle(
            "abri-signature-first", parent=_SIGNATURE, fontName=BOLD), Node("P"))
            for index, line in enumerate(letter.signature)]
        story.append(KeepTogether(signature))

    class Canvas(_LetterCanvas):
        pass

    Canvas.who = who
    doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()


def references(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    """The reference block's rows, without the empty ones."""
    return [(label, value) for label, value in pairs if value]


def recipient_lines(customer, *, fallback_address: Sequence[str] = ()) -> list[str]:
    """The addressee: civility and name, then the postal address (the insured home when none is on file)."""
    civility = customer.get_civility_display() if getattr(customer, "civility", "") else ""
    name = f"{civility} {customer.full_name}".strip()
    if customer.address_line and customer.city:
        return [name, customer.address_line, f"{customer.postcode} {customer.city}".strip()]
    return [name, *fallback_address]
