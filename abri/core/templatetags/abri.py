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
def guarantee_label(code: str) -> str:
    """'water' -> 'Dégâts des eaux'."""
    from abri.contracts.choices import GuaranteeCode

    return dict(GuaranteeCode.choices).get(code, code)
