"""``GET /api/health``: the state of the cache and the database."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.response import Response

from . import clock
from .cache import warn_unreachable
from .schema import errors

logger = logging.getLogger(__name__)

HEALTH_KEY = "health:probe"


def cache_is_ok() -> bool:
    try:
        cache.set(HEALTH_KEY, 1, timeout=5)
        return cache.get(HEALTH_KEY) == 1
    except Exception as error:  # noqa: BLE001 - any failure means "not ok"
        warn_unreachable(logger, "running the health check", error)
        return False


def database_is_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except DatabaseError as error:
        logger.warning("Health check: the database is unreachable (%s).", error)
        return False


class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "degraded"])
    service = serializers.CharField()
    timestamp = serializers.DateTimeField()
    cache = inline_serializer(
        "HealthCache",
        {
            "backend": serializers.ChoiceField(choices=["redis", "locmem"]),
            "ok": serializers.BooleanField(),
        },
    )
    database = inline_serializer("HealthDatabase", {"ok": serializers.BooleanField()})


@extend_schema(
    operation_id="health",
    responses={**errors(), 200: HealthSerializer, 503: HealthSerializer},
    description="200 when the database responds (status degraded when the "
    "cache does not); 503 with the same body when the database does not respond.",
)
@never_cache
@api_view(["GET", "HEAD"])
@authentication_classes([])
@permission_classes([])
@throttle_classes([])
def health(request):
    cache_ok = cache_is_ok()
    database_ok = database_is_ok()
    body = {
        "status": "ok" if cache_ok and database_ok else "degraded",
        "service": "brocode-backend",
        "timestamp": clock.isoformat(clock.now()),
        "cache": {"backend": settings.CACHE_BACKEND_NAME, "ok": cache_ok},
        "database": {"ok": database_ok},
    }
    return Response(body, status=200 if database_ok else 503)
