"""The API: django-ninja under /api/v1/ (routers call the same services as the pages)."""

from ninja import NinjaAPI

from abri.api.routers.auth import router as auth_router

api = NinjaAPI(title="Abri API", version="1", urls_namespace="api")
api.add_router("/auth", auth_router)


@api.get("/ping", auth=None)
def ping(request):
    """Liveness of the API."""
    return {"status": "ok"}
