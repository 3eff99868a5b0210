"""Display labels that core templates need but that belong to a higher app (ADR 0007).

Core imports no app of the project, so an app registers its labels here from `AppConfig.ready()`:
`register_labels("guarantee", lambda: dict(GuaranteeCode.choices))`. The `{{ code|guarantee_label }}`
filter of core's template library then reads them. An unknown kind or code shows the code itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

_PROVIDERS: dict[str, Callable[[], Mapping[str, str]]] = {}


def register_labels(kind: str, provider: Callable[[], Mapping[str, str]]) -> None:
    """Register (or replace) the labels of `kind`; `provider` is called at each lookup (translations)."""
    _PROVIDERS[kind] = provider


def label_for(kind: str, code: str) -> str:
    """The label of `code` in `kind`, or `code` when nobody registered it."""
    provider = _PROVIDERS.get(kind)
    if provider is None:
        return code
    return provider().get(code, code)


def labels_of(kind: str) -> Mapping[str, str]:
    """Every label of `kind` (code → label), empty when nobody registered it."""
    provider = _PROVIDERS.get(kind)
    return provider() if provider is not None else {}
