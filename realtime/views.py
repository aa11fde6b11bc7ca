import json
import logging
import re
from contextlib import contextmanager

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from brocode_site.api import ApiView
from brocode_site.cache import CACHE_ERRORS
from brocode_site.exceptions import (
    PayloadTooLarge,
    PreconditionFailed,
    ServiceUnavailable,
)
from brocode_site.schema import errors
from catalog.models import Spot

from .events import ANY_VERSION, VersionMismatch, event_store
from .presence import presence_store
from .serializers import (
    EVENT_KEY_PATTERN,
    ActiveQuerySerializer,
    EventStateSerializer,
    EventStateWriteSerializer,
    HeartbeatSerializer,
    PresenceEntrySerializer,
    PresenceListSerializer,
    event_state_body,
    presence_body,
)

logger = logging.getLogger(__name__)

# One entity tag: "3", W/"3" or a bare 3.
VERSION_TAG = re.compile(r'(?:W/)?(?:"(\d{1,18})"|(\d{1,18}))')


@contextmanager
def cache_required(action: str):
    """Turn an unreachable cache into 503 ``cache_unavailable``."""
    try:
        yield
    except CACHE_ERRORS as error:
        logger.warning(
            "Realtime %s failed: the cache is unreachable (%s).", action, error
        )
        raise ServiceUnavailable() from error


def require_spot(spot_id: str) -> None:
    if not Spot.objects.filter(pk=spot_id).exists():
        raise NotFound(f"No spot {spot_id!r}.")


def user_fields(user) -> dict:
    return {
        "userId": str(user.pk),
        "username": user.username,
        "name": user.name,
        "role": user.role,
    }


class HeartbeatView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="presence_heartbeat",
        request=HeartbeatSerializer,
        responses={200: PresenceEntrySerializer, **errors(400, 401, 404, 503)},
    )
    def post(self, request):
        serializer = HeartbeatSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spot_id = serializer.validated_data.get("spotId")
        if spot_id:
            require_spot(spot_id)

        with cache_required("heartbeat"):
            entry = presence_store().heartbeat(
                user_fields(request.user), spot_id, serializer.validated_data["status"]
            )
        return Response(presence_body(entry))


class LeaveView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="presence_leave",
        request=None,
        responses={204: OpenApiResponse(description="Left."), **errors(401, 503)},
    )
    def post(self, request):
        with cache_required("leave"):
            presence_store().leave(str(request.user.pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActiveView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="presence_active",
        parameters=[ActiveQuerySerializer],
        responses={200: PresenceListSerializer, **errors(400, 401, 404, 503)},
    )
    def get(self, request):
        query = ActiveQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        spot_id = query.validated_data.get("spotId") or None
        if spot_id:
            require_spot(spot_id)

        with cache_required("presence listing"):
            entries = presence_store().active(spot_id)
        users = [presence_body(entry) for entry in entries]
        return Response({"users": users, "count": len(users)})


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='Write only if the current version is this one, like "3".',
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Return 304 if the current ETag is this one.",
)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request) -> str | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    header = header.strip()
    if header == ANY_VERSION:
        return ANY_VERSION
    match = VERSION_TAG.fullmatch(header)
    if match is None:
        raise ValidationError(
            {"If-Match": ['Must be a version in quotes, like "3", or *.']}
        )
    return str(int(match.group(1) or match.group(2)))


class EventStateView(ApiView):
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not EVENT_KEY_PATTERN.fullmatch(kwargs["event_key"]):
            raise ValidationError(
                {
                    "eventKey": [
                        "Must be 1 to 128 characters of A-Z, a-z, 0-9, '.', '_', "
                        "':' and '-'."
                    ]
                }
            )

    @extend_schema(
        operation_id="events_state_retrieve",
        parameters=[IF_NONE_MATCH_PARAMETER],
        responses={
            200: EventStateSerializer,
            304: OpenApiResponse(description="Not modified."),
            **errors(400, 401, 404, 503),
        },
    )
    def get(self, request, event_key):
        with cache_required("event state read"):
            state = event_store().read(event_key)
        if state is None:
            raise NotFound(f"No event state {event_key!r}, or it has expired.")

        tag = etag(state.version)
        if_none_match = request.headers.get("If-None-Match", "")
        tags = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
        if tag in tags or "*" in tags:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        body = event_state_body(state, json.loads(state.state_json))
        return Response(body, headers={"ETag": tag})

    @extend_schema(
        operation_id="events_state_write",
        request=EventStateWriteSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: EventStateSerializer, **errors(400, 401, 412, 503)},
    )
    def put(self, request, event_key):
        serializer = EventStateWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = serializer.validated_data["state"]
        ttl_seconds = serializer.validated_data.get(
            "ttlSeconds", settings.EVENT_STATE_DEFAULT_TTL_SECONDS
        )
        state_json = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        try:
            size = len(state_json.encode("utf-8"))
        except UnicodeEncodeError as error:
            raise ValidationError(
                {"state": ["Must not contain lone surrogates such as \\ud800."]}
            ) from error
        if size > settings.EVENT_STATE_MAX_BYTES:
            raise PayloadTooLarge(
                f"The state is {size} bytes of JSON; the limit is "
                f"{settings.EVENT_STATE_MAX_BYTES}.",
                code="state_too_large",
            )
        expected = expected_version(request)

        try:
            with cache_required("event state write"):
                state = event_store().write(
                    event_key, state_json, ttl_seconds, expected
                )
        except VersionMismatch as mismatch:
            raise PreconditionFailed(
                f"If-Match names version {expected}, but the current version is "
                f"{mismatch.current or 'none (absent)'}."
            ) from mismatch
        return Response(
            event_state_body(state, value), headers={"ETag": etag(state.version)}
        )

    @extend_schema(
        operation_id="events_state_write_post",
        request=EventStateWriteSerializer,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: EventStateSerializer, **errors(400, 401, 412, 503)},
    )
    def post(self, request, event_key):
        return self.put(request, event_key)

    @extend_schema(
        operation_id="events_state_delete",
        responses={
            204: OpenApiResponse(description="Deleted."),
            **errors(400, 401, 503),
        },
    )
    def delete(self, request, event_key):
        with cache_required("event state delete"):
            event_store().delete(event_key)
        return Response(status=status.HTTP_204_NO_CONTENT)
