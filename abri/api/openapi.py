"""The NinjaAPI subclass: the OpenAPI document also lists the problem+json errors each operation may answer."""

from ninja import NinjaAPI

PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "Erreur au format RFC 9457 (application/problem+json).",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "URI du type d'erreur (about:blank : voir le statut)."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "422 seulement : champs invalides.",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
        "reference": {"type": "string", "description": "500 seulement : référence à donner au support."},
    },
    "required": ["type", "title", "status", "detail"],
}
_DESCRIPTIONS = {
    401: "Non authentifié (en-tête WWW-Authenticate).",
    403: "Authentifié mais non autorisé (connexion non client, contrôle CSRF de la session).",
    404: "Introuvable, ou appartenant à un autre client.",
    422: "Paramètres ou corps invalides.",
    429: "Trop de requêtes (en-tête Retry-After).",
    500: "Erreur interne, avec une référence.",
}


def _problem_response(status: int) -> dict:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class AbriNinjaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the problem+json answers (for clients and fuzzers)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                statuses = [500]
                if operation.get("security"):
                    statuses += [401, 403, 429]
                parameters = operation.get("parameters", [])
                if parameters or "requestBody" in operation:
                    statuses.append(422)
                if any(p.get("in") == "path" for p in parameters):
                    statuses.append(404)
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    # Every error of this API is problem+json (abri.api.problems), even one a router
                    # declared with a plain JSON schema.
                    content = response.get("content", {}) if int(status) >= 400 else {}
                    if "application/json" in content and "application/problem+json" not in content:
                        content["application/problem+json"] = content.pop("application/json")
                for status in sorted(statuses):
                    responses.setdefault(status, _problem_response(status))
        return schema
