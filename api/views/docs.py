"""The API documentation page, served without any CDN.

With ``drf-spectacular-sidecar`` installed (and ``drf_spectacular_sidecar``
in ``INSTALLED_APPS``) the page is Swagger UI from local static files;
without it, a plain HTML rendering of the same schema.
"""

from __future__ import annotations

import json

from django.apps import apps
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.response import Response

SIDECAR = {"SWAGGER_UI_DIST": "SIDECAR", "SWAGGER_UI_FAVICON_HREF": "SIDECAR"}
METHODS = ("get", "post", "put", "patch", "delete")


class DocsView(SpectacularSwaggerSplitView):
    """The split view loads Swagger UI's set-up script from ``?script=``
    rather than inline: the Content-Security-Policy refuses inline script."""

    url_name = "api:schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if apps.is_installed("drf_spectacular_sidecar"):
            with patched_settings(SIDECAR):
                return super().get(request, *args, **kwargs)
        schema = SchemaGenerator().get_schema(request=request, public=True)
        return Response(
            {
                "title": schema["info"]["title"],
                "version": schema["info"]["version"],
                "description": schema["info"].get("description", ""),
                "schema_url": self._get_schema_url(request),
                "operations": _operations(schema),
                "components": [
                    {"name": name, "json": json.dumps(body, indent=2)}
                    for name, body in schema["components"]["schemas"].items()
                ],
            },
            template_name="api/docs.html",
        )


def _operations(schema: dict) -> list[dict]:
    operations = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "location": parameter["in"],
                            "required": parameter.get("required", False),
                            "schema": json.dumps(parameter.get("schema", {})),
                            "description": parameter.get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "request": _ref_name(
                        body.get("application/json", {}).get("schema", {})
                    ),
                    "responses": [
                        {
                            "status": status,
                            "description": response.get("description", ""),
                            "schema": _ref_name(
                                response.get("content", {})
                                .get("application/json", {})
                                .get("schema", {})
                            ),
                        }
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    return operations


def _ref_name(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema:
        return json.dumps(schema)
    return ""
