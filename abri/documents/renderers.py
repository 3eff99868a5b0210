"""Registry of document renderers: how the vault's task turns stored arguments into a file.

A feature app registers its renderer by name in its `AppConfig.ready()` (a registry, ADR 0007: the vault
never imports the apps above it); `document_file(renderer=…, renderer_args=…)` names it, and the
`document_render` task calls it outside any transaction. Arguments are JSON (they travel with the task).
"""

from __future__ import annotations

from collections.abc import Callable

from abri.documents.rendering import render_text_pdf

Renderer = Callable[..., bytes]
_RENDERERS: dict[str, Renderer] = {}

TEXT = "documents.text"


def renderer_register(name: str, renderer: Renderer) -> None:
    """Make `renderer(**renderer_args) -> bytes` available to the vault's task under `name`."""
    _RENDERERS[name] = renderer


def renderer_get(name: str) -> Renderer:
    """The renderer registered under `name` (KeyError when no app registered it)."""
    return _RENDERERS[name]


def _text_pdf(*, title: str, lines: list[str]) -> bytes:
    return render_text_pdf(title=title, lines=lines)


renderer_register(TEXT, _text_pdf)
