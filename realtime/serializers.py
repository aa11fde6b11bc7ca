import re

from django.conf import settings
from rest_framework import serializers

from brocode_site import clock
from brocode_site.fields import StringField
from orders.serializers import JSONIntegerField

from .presence import STATUSES

EVENT_KEY_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class HeartbeatSerializer(serializers.Serializer):
    spotId = StringField(  # noqa: N815
        max_length=64, required=False, allow_null=True
    )
    status = serializers.ChoiceField(choices=STATUSES, default="online")


class ActiveQuerySerializer(serializers.Serializer):
    spotId = StringField(  # noqa: N815
        max_length=64, required=False, allow_blank=True
    )


class EventStateWriteSerializer(serializers.Serializer):
    state = serializers.JSONField(allow_null=True)
    ttlSeconds = JSONIntegerField(min_value=1, required=False)  # noqa: N815

    def validate_ttlSeconds(self, value):  # noqa: N802 - JSON name
        maximum = settings.EVENT_STATE_MAX_TTL_SECONDS
        if value > maximum:
            raise serializers.ValidationError(
                f"Ensure this value is less than or equal to {maximum}."
            )
        return value


def presence_body(entry) -> dict:
    return {
        **entry.user,
        "spotId": entry.spot_id,
        "status": entry.status,
        "updatedAt": clock.isoformat_ms(entry.updated_ms),
        "expiresAt": clock.isoformat_ms(entry.expires_ms),
    }


def event_state_body(state, value) -> dict:
    return {
        "eventKey": state.event_key,
        "state": value,
        "updatedAt": clock.isoformat_ms(state.updated_ms),
        "expiresAt": clock.isoformat_ms(state.expires_ms),
        "ttlSeconds": state.ttl_seconds,
        "version": state.version,
    }


class PresenceEntrySerializer(serializers.Serializer):
    """One user's presence, as heartbeat and listing return it."""

    userId = serializers.CharField()  # noqa: N815
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    spotId = serializers.CharField(allow_null=True)  # noqa: N815
    status = serializers.ChoiceField(choices=STATUSES)
    updatedAt = serializers.DateTimeField()  # noqa: N815
    expiresAt = serializers.DateTimeField()  # noqa: N815


class PresenceListSerializer(serializers.Serializer):
    users = PresenceEntrySerializer(many=True)
    count = serializers.IntegerField()


class EventStateSerializer(serializers.Serializer):
    """Event state as reads and writes return it; ETag is its version."""

    eventKey = serializers.CharField()  # noqa: N815
    state = serializers.JSONField(allow_null=True)
    updatedAt = serializers.DateTimeField()  # noqa: N815
    expiresAt = serializers.DateTimeField()  # noqa: N815
    ttlSeconds = serializers.IntegerField()  # noqa: N815
    version = serializers.IntegerField()
