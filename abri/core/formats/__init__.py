"""One way to write a date, a time and an amount for a person, in French and in English (issue 15 point 3).

Pages use the `day`, `when` and `eur` filters of core's template library; Python code that writes text a
person reads (e-mails, SMS, PDFs, timeline notes, notifications) calls `day()`, `when()` and
`abri.core.money.format_eur()`. The active language decides:

- French: « 1er décembre 2026 », « 30 novembre 2026 à 07 h 30 », « 1 234,56 € » (narrow no-break space
  between thousands, no-break space before €);
- English: « 1 December 2026 », « 30 November 2026 at 07:30 », « €1,234.56 ».

The `fr`/`en` sub-packages are Django format modules (FORMAT_MODULE_PATH): `|date:"DATE_FORMAT"` and
`date_format()` give the same words.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, override


def _french(language: str | None = None) -> bool:
    return (language or get_language() or "fr").startswith("fr")


def day(value: date | datetime | None, *, language: str | None = None) -> str:
    """A date in words: « 1er décembre 2026 » / « 1 December 2026 » (a datetime: its Paris date).

    `language="fr"` for documents that are French whatever the reader's interface language (PDFs).
    """
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    with override(language or get_language() or "fr"):
        text = date_format(value, "DATE_FORMAT")
    if _french(language) and value.day == 1:
        text = "1er" + text[1:]
    return text


def when(value: datetime | date | None, *, seconds: bool = False, language: str | None = None) -> str:
    """A moment in words: « 30 novembre 2026 à 07 h 30 » / « 30 November 2026 at 07:30 » (Paris time)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return day(value, language=language)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    if _french(language):
        clock = f"{local:%H} h {local:%M}" + (f" min {local:%S} s" if seconds else "")
        return f"{day(local, language=language)} à {clock}"
    clock = f"{local:%H:%M}" + (f":{local:%S}" if seconds else "")
    return f"{day(local, language=language)} at {clock}"


def clock(value: time | str | None) -> str:
    """A time of day: « 07 h 30 » / « 07:30 » (accepts '07:30' as stored in a draft)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = time.fromisoformat(value)
        except ValueError:
            return value
    return f"{value:%H} h {value:%M}" if _french() else f"{value:%H:%M}"
