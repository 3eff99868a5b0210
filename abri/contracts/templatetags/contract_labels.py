"""Template filters that show a person the label of a contract code, never the code (« Jardin », not « garden »)."""

from django import template

from abri.contracts.choices import Formula
from abri.contracts.forms import OPTION_LABELS

register = template.Library()


@register.filter
def formula_label(code: str | None) -> str:
    """'integrale' -> 'Intégrale' ('' for no formula)."""
    if not code:
        return ""
    return str(dict(Formula.choices).get(code, code))


@register.filter
def option_labels(codes) -> str:
    """['valuables', 'garden'] -> 'Objets de valeur, Jardin' (empty list -> '')."""
    labels = dict(OPTION_LABELS)
    return ", ".join(str(labels.get(code, code)) for code in codes or [])
