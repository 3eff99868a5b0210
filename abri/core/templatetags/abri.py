"""Template filters: money and dates for a person (abri.core.formats), labels instead of codes (abri.core.labels)."""

from django import template

from abri.core import formats
from abri.core.labels import label_for, labels_for
from abri.core.money import format_eur

register = template.Library()


@register.filter
def eur(value) -> str:
    """1234.5 -> '1 234,50 €' (English: '€1,234.50')."""
    if value is None or value == "":
        return ""
    return format_eur(value)


@register.filter
def eur_abs(value) -> str:
    """-18.93 -> '18,93 €': a refund is said in words (« 18,93 € remboursés »), never as a negative amount."""
    if value is None or value == "":
        return ""
    return format_eur(abs(value))


@register.filter
def day(value) -> str:
    """A date in words: '1er décembre 2026' (English: '1 December 2026')."""
    return formats.day(value)


@register.filter
def clock(value) -> str:
    """A time of day: '07 h 30' (English: '07:30')."""
    return formats.clock(value)


@register.filter
def when(value, precision: str = "") -> str:
    """A moment in words: '30 novembre 2026 à 07 h 30'; `|when:"s"` adds the seconds (audit trails)."""
    return formats.when(value, seconds=precision == "s")


# WCAG 1.3.5 / RGAA 11.13: fields about the person say their purpose, so browsers and assistive tools can
# fill them in. Keyed by the field names the portal's forms use for the customer's own details.
AUTOCOMPLETE_BY_NAME = {
    "email": "email",
    "phone": "tel",
    "address_line": "street-address",
    "postcode": "postal-code",
    "city": "address-level2",
}


def _a11y_attrs(field, error_id: str) -> dict:
    ids = []
    if field.help_text:
        ids.append(f"{field.id_for_label}-help")
    attrs = {}
    if field.errors:
        ids.append(f"{field.id_for_label}-error")
        attrs["aria-invalid"] = "true"
    if error_id:  # an error shown elsewhere (a form-level message) that is about this field
        ids.append(error_id)
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    purpose = AUTOCOMPLETE_BY_NAME.get(field.name)
    if purpose and "autocomplete" not in field.field.widget.attrs:
        attrs["autocomplete"] = purpose
    return attrs


@register.filter
def a11y(field, error_id: str = ""):
    """Render a bound field's widget with aria-describedby (help, errors), aria-invalid and autocomplete."""
    return field.as_widget(attrs=_a11y_attrs(field, error_id))


@register.filter
def a11y_cleared(field, error_id: str = ""):
    """Like a11y, but without the value typed: a wrong one-time code is cleared for the next try."""
    if not error_id and not field.errors:
        return a11y(field)
    widget = field.field.widget
    attrs = {**widget.attrs, **_a11y_attrs(field, error_id), "id": field.auto_id}
    return widget.render(field.html_name, "", attrs=attrs)


@register.filter
def field_anchor(field) -> str:
    """The id an error-summary link should target: the field, or the first input of a radio/checkbox group.

    Django gives radio and checkbox groups no id_for_label (their <label>s point at each option), so a link
    built from it would be "#" and lead nowhere (RGAA 11.10).
    """
    return field.id_for_label or f"{field.auto_id}_0"


@register.filter
def has_errors(form) -> bool:
    """True for a bound form or formset that failed validation (used to prefix the page title)."""
    if form is None or not getattr(form, "is_bound", False):
        return False
    if hasattr(form, "total_error_count"):
        return form.total_error_count() > 0
    return bool(form.errors)


@register.filter
def label(code, kind: str) -> str:
    """The label a person reads for a code: `{{ code|label:"option" }}` -> 'Objets de valeur'; a list gives
    'Objets de valeur, Jardin'; True/False give Oui/Non (kinds: abri.core.labels)."""
    if isinstance(code, list | tuple | set):
        return labels_for(kind, code)
    return label_for(kind, code)


@register.filter
def guarantee_label(code: str) -> str:
    """'water' -> 'Dégâts des eaux' (the same as |label:"guarantee")."""
    return label_for("guarantee", code)


@register.simple_tag(takes_context=True)
def field_widget(context, field):
    """The widget of partials/field.html: `error_id` (a form-level error about this field) and
    `clear_on_error` (drop a wrong one-time code) come from the include, when it gives them."""
    error_id = context.get("error_id") or ""
    if context.get("clear_on_error"):
        return a11y_cleared(field, error_id)
    return a11y(field, error_id)


# RGAA 8.7: content that exists only in French (general conditions, document titles, the pricing engine's
# advice) is marked lang="fr" when the interface is in another language, so that a screen reader reads it
# with a French voice; the interface's own words inside it are marked back with lang_ui.
@register.simple_tag
def lang_fr() -> str:
    """' lang="fr"' when the interface is not in French, else nothing (French is the page's language)."""
    from django.utils.html import mark_safe
    from django.utils.translation import get_language

    return "" if (get_language() or "fr").startswith("fr") else mark_safe(' lang="fr"')


@register.simple_tag
def lang_ui() -> str:
    """' lang="<interface language>"' inside a lang_fr block when the interface is not in French."""
    from django.utils.html import format_html
    from django.utils.translation import get_language

    language = get_language() or "fr"
    return "" if language.startswith("fr") else format_html(' lang="{}"', language)


ICON_SPRITE = "vendor/icons/lucide-sprite.svg"


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    """A decorative icon from the vendored Lucide sprite: hidden from screen readers, the text beside it speaks."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    classes = f"icon {css_class}".strip()
    return format_html('<svg class="{}" aria-hidden="true" focusable="false" width="20" height="20"><use href="{}#i-{}"></use></svg>',
                       classes, static(ICON_SPRITE), name)
