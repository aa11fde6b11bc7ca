from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from brocode_site import clock

from .models import Session, User


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    # Passwords are checked exactly as typed, spaces included.
    password = serializers.CharField(trim_whitespace=False)


class UserSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role"]


class UserCreateSerializer(serializers.Serializer):
    username = serializers.CharField(
        max_length=150, validators=[UnicodeUsernameValidator()]
    )
    password = serializers.CharField(trim_whitespace=False, max_length=4096)
    name = serializers.CharField(max_length=150, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=User.Role.choices, default=User.Role.USER)

    def validate(self, data):
        candidate = User(username=data["username"], name=data["name"])
        try:
            password_validation.validate_password(data["password"], user=candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {"password": list(error.messages)}
            ) from error
        return data


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(read_only=True)
    createdAt = serializers.DateTimeField(source="created_at")  # noqa: N815
    lastSeenAt = serializers.DateTimeField(source="last_seen_at")  # noqa: N815
    expiresAt = serializers.DateTimeField(source="expires_at")  # noqa: N815
    userAgent = serializers.CharField(source="user_agent")  # noqa: N815
    current = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "id",
            "createdAt",
            "lastSeenAt",
            "expiresAt",
            "ip",
            "userAgent",
            "current",
        ]

    def get_current(self, session) -> bool:
        return session.pk == self.context.get("current_session_id")


def login_body(token: str, session: Session, user: User) -> dict:
    return {
        "token": token,
        "tokenType": "Bearer",
        "expiresAt": clock.isoformat(session.expires_at),
        "user": UserSerializer(user).data,
    }


class LoginResponseSerializer(serializers.Serializer):
    """The body of a successful login."""

    token = serializers.CharField()
    tokenType = serializers.ChoiceField(choices=["Bearer"])  # noqa: N815
    expiresAt = serializers.DateTimeField()  # noqa: N815
    user = UserSerializer()


class SessionListSerializer(serializers.Serializer):
    sessions = SessionSerializer(many=True)
