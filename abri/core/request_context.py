"""Per-request metadata (client IP, request id) available to services without passing requests."""

from contextvars import ContextVar

_request_meta: ContextVar[dict] = ContextVar("abri_request_meta", default={})  # noqa: B039


def set_request_meta(meta: dict) -> object:
    """Bind metadata for the current request; returns a token for reset."""
    return _request_meta.set(meta)


def reset_request_meta(token) -> None:
    """Unbind the request metadata."""
    _request_meta.reset(token)


def current_request_meta() -> dict:
    """The current request's metadata ({} outside a request)."""
    return _request_meta.get()
