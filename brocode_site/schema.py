"""OpenAPI documentation pieces shared by the apps (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny

from .errors import STATUS_ERRORS


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The token returned by POST /api/auth/login.",
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx and 5xx response."""

    error = serializers.CharField(help_text="One sentence for a person.")
    code = serializers.CharField(help_text="A snake_case code for programs.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per invalid field, on validation errors.",
    )
    retryAfterSeconds = serializers.IntegerField(  # noqa: N815
        required=False, help_text="Seconds to wait, on 429."
    )


# Errors that any API request can get.
COMMON_ERRORS = (405, 413, 415, 429, 500)


def errors(*statuses: int) -> dict:
    """Return the ``responses`` entries of the given error statuses."""
    return {
        status: OpenApiResponse(ErrorSerializer, description=STATUS_ERRORS[status][0])
        for status in (*statuses, *COMMON_ERRORS)
    }


class SchemaView(SpectacularAPIView):
    """``GET /api/schema/``: YAML, or JSON with ``?format=json``."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    content_negotiation_class = DefaultContentNegotiation


class SwaggerView(SpectacularSwaggerView):
    """``GET /api/docs/``: Swagger UI from the drf-spectacular-sidecar package."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    content_negotiation_class = DefaultContentNegotiation
