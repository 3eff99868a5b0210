"""PDF rendering with ReportLab: plain letters (a title and paragraphs) in the insurer's layout, tagged."""

from __future__ import annotations

from dataclasses import replace

from abri.documents.layout import Letter, Text, insurer, render_letter


def render_text_pdf(*, title: str, lines: list[str], insurer_name: str | None = None) -> bytes:
    """An A4 letter with the insurer's letterhead and legal mentions, a title and one paragraph per line
    (the demo's schedules, receipts and letters). Tagged (RGAA 13.3): /H1 title, one /P per line even when
    it runs over two pages, running header repeated as an artifact; /Lang fr-FR (see abri.documents.layout)."""
    who = insurer()
    if insurer_name:
        who = replace(who, name=insurer_name)
    return render_letter(Letter(title=title, references=[], blocks=[Text(line) for line in lines if line.strip()]),
                         who=who)
