"""Template filters that show a person the label of a contract code, never the code (« Jardin », not « garden »).

Kept for the templates that load them; both read the one registry of abri.core.labels (|label:"formula").
"""

from django import template

from abri.core.labels import label_for, labels_for

register = template.Library()


@register.filter
def formula_label(code: str | None) -> str:
    """'integrale' -> 'Intégrale'."""
    return label_for("formula", code)


@register.filter
def option_labels(codes) -> str:
    """['valuables', 'garden'] -> 'Objets de valeur, Jardin' (empty list -> '')."""
    return labels_for("option", codes)
