"""General conditions (shared text per version, articles with anchors, linked definitions) and the
customer's particular conditions, shown together with what is specific to them highlighted."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from abri.contracts.models import Contract

DIRECTORY = Path(__file__).resolve().parent / "conditions"
TERM = re.compile(r"\[\[([a-z-]+)\]\]([a-zé]*)")


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=8)
def load_general_conditions(version: str = "2026-01") -> dict:
    """The general conditions of a version, as read from their data file."""
    path = DIRECTORY / f"general-{version}.toml"
    if not path.exists():
        path = sorted(DIRECTORY.glob("general-*.toml"))[-1]
    with path.open("rb") as handle:
        return tomllib.load(handle)


@dataclass
class Paragraph:
    html: SafeString
    matches: bool = False


@dataclass
class Article:
    id: str
    title: str
    paragraphs: list[Paragraph]
    specific: bool = False
    matches: int = 0
    exclusions: list[Paragraph] = field(default_factory=list)  # shown in very apparent characters (L112-4)


@dataclass
class Definition:
    key: str
    term: str
    text: str
    used_in: list[str] = field(default_factory=list)


@dataclass
class ConditionsDocument:
    title: str
    version: str
    articles: list[Article]
    definitions: list[Definition]
    query: str = ""
    match_count: int = 0


def _render(text: str, article_id: str, index: int, terms: dict, used: dict, query_fold: str) -> Paragraph:
    pieces, position = [], 0
    for n, match in enumerate(TERM.finditer(text)):
        pieces.append(escape(text[position:match.start()]))
        key, suffix = match.group(1), match.group(2)
        label = terms.get(key, key.replace("-", " ")) + suffix
        anchor = f"ref-{article_id}-{index}-{n}"
        used.setdefault(key, []).append(anchor)
        pieces.append(f'<a class="term" id="{anchor}" href="#def-{key}">{escape(label)}</a>')
        position = match.end()
    pieces.append(escape(text[position:]))
    html = "".join(pieces)
    plain = TERM.sub(lambda m: terms.get(m.group(1), m.group(1)) + m.group(2), text)
    matches = bool(query_fold) and query_fold in _fold(plain)
    if matches:
        html = _mark(html, query_fold)
    return Paragraph(mark_safe(html), matches)  # noqa: S308 - every piece above is escaped


def _mark(html: str, query_fold: str) -> str:
    """Wrap occurrences of the query (accent-insensitive) in <mark>, outside of tags."""
    out, i = [], 0
    parts = re.split(r"(<[^>]+>)", html)
    for part in parts:
        if part.startswith("<"):
            out.append(part)
            continue
        folded = _fold(part)
        i, chunk = 0, []
        while True:
            j = folded.find(query_fold, i)
            if j < 0 or len(folded) != len(part):
                chunk.append(part[i:])
                break
            chunk.append(part[i:j] + "<mark>" + part[j:j + len(query_fold)] + "</mark>")
            i = j + len(query_fold)
        out.append("".join(chunk))
    return "".join(out)


def conditions_for(*, contract: Contract, query: str = "") -> ConditionsDocument:
    """The general conditions of the contract's version, annotated for this contract and this search."""
    data = load_general_conditions(contract.tariff_version)
    definitions = data.get("definitions", {})
    terms = {key: key.replace("-", " ").replace("vetuste", "vétusté").replace("echeance", "échéance")
             .replace("assure", "assuré").replace("dependance", "dépendance") for key in definitions}
    codes = {g.code for g in contract.guarantees.all()}
    query_fold = _fold(query.strip())[:100] if len(query.strip()) >= 2 else ""
    used: dict[str, list[str]] = {}
    articles = []
    total = 0
    for article in data.get("articles", []):
        paragraphs = [_render(text, article["id"], i, terms, used, query_fold)
                      for i, text in enumerate(article.get("paragraphs", []))]
        offset = len(paragraphs)
        exclusions = [_render(text, article["id"], offset + i, terms, used, query_fold)
                      for i, text in enumerate(article.get("exclusions", []))]
        matches = sum(1 for p in paragraphs + exclusions if p.matches)
        total += matches
        articles.append(Article(id=article["id"], title=article["title"], paragraphs=paragraphs,
                                specific=article.get("guarantee") in codes, matches=matches, exclusions=exclusions))
    defs = [Definition(key=k, term=terms[k], text=v, used_in=used.get(k, [])) for k, v in sorted(definitions.items())]
    return ConditionsDocument(title=data.get("title", ""), version=data.get("version", ""), articles=articles,
                              definitions=defs, query=query, match_count=total)


def _plain(text: str, terms: dict) -> str:
    return TERM.sub(lambda m: terms.get(m.group(1), m.group(1)) + m.group(2), text)


def general_conditions_text(version: str = "2026-01") -> list[str]:
    """The general conditions as plain lines (for search and the PDF's text layer), exclusions marked."""
    data = load_general_conditions(version)
    terms = {key: key for key in data.get("definitions", {})}
    lines = [data.get("title", "")]
    for article in data.get("articles", []):
        lines.append(article["title"])
        lines.extend(_plain(text, terms) for text in article.get("paragraphs", []))
        if article.get("exclusions"):
            lines.append(_("EXCLUSIONS — CE QUI N'EST PAS GARANTI :"))
            lines.extend(_plain(text, terms) for text in article["exclusions"])
    return [line for line in lines if line]


def general_conditions_pdf(version: str = "2026-01", *, insurer: str = "Abri Assurances") -> bytes:
    """The general conditions as an A4 PDF: articles in order, each exclusion in bold inside a bordered box
    (« caractères très apparents », article L112-4 du Code des assurances)."""
    import io
    from xml.sax.saxutils import escape as xml_escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle

    # local import: ReportLab, like the imports above, loads only when a PDF is built (not for the HTML page)
    from abri.documents.tagging import DEFAULT_LANG, LayoutTable, Node, TaggedCanvas
    from abri.documents.tagging import TaggedParagraph as PdfParagraph

    # Tagged while drawn (RGAA 13.3): /H1 title, /H2 per article, /P paragraphs; each exclusion box is a
    # /Div with its /H3 and one /P per exclusion, its border and background are artifacts.
    data = load_general_conditions(version)
    terms = {key: key for key in data.get("definitions", {})}
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5)
    heading = ParagraphStyle("heading", parent=styles["Heading3"], fontName="Helvetica-Bold", fontSize=11)
    excluded = ParagraphStyle("excluded", parent=body, fontName="Helvetica-Bold", fontSize=10.5, leading=13.5)
    title = data.get("title", _("Conditions générales"))
    story = [PdfParagraph(xml_escape(f"{title} (version {data.get('version', version)})"), styles["Title"],
                          node=Node("H1"))]
    for article in data.get("articles", []):
        story.append(PdfParagraph(xml_escape(article["title"]), heading, node=Node("H2")))
        story.extend(PdfParagraph(xml_escape(_plain(text, terms)), body, node=Node("P"))
                     for text in article.get("paragraphs", []))
        if article.get("exclusions"):
            box_node = Node("Div")
            rows = [[PdfParagraph(_("EXCLUSIONS — CE QUI N'EST PAS GARANTI"), excluded, node=Node("H3", box_node))]]
            rows += [[PdfParagraph(xml_escape(_plain(text, terms)), excluded, node=Node("P", box_node))]
                     for text in article["exclusions"]]
            box = LayoutTable(rows, colWidths=[170 * mm])
            box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.5, colors.black),
                                     ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fff3e0")),
                                     ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)]))
            story += [Spacer(1, 2 * mm), box, Spacer(1, 2 * mm)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author=insurer, subject=title, lang=DEFAULT_LANG,
                                 leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    document.build(story, canvasmaker=TaggedCanvas)
    return buffer.getvalue()
