"""Template filters: money in French format."""

from django import template

from abri.core.money import format_eur

register = template.Library()


@register.filter
def eur(value) -> str:
    """1234.5 -> '1 234,50 €'."""
    if value is None or value == "":
        return ""
    return format_eur(value)


@register.filter
def a11y(field):
    """Render a bound field's widget with aria-describedby (help, error) and aria-invalid."""
    ids = []
    if field.help_text:
        ids.append(f"{field.id_for_label}-help")
    attrs = {}
    if field.errors:
        ids.append(f"{field.id_for_label}-error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    return field.as_widget(attrs=attrs)


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
def guarantee_label(code: str) -> str:
    """'water' -> 'Dégâts des eaux'."""
    from abri.contracts.choices import GuaranteeCode

    return dict(GuaranteeCode.choices).get(code, code)
