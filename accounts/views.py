from django.contrib.auth.signals import user_logged_out
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from brocode_site.api import ApiView
from brocode_site.schema import errors

from . import selectors, services
from .models import User
from .permissions import IsAdmin
from .serializers import (
    LoginResponseSerializer,
    LoginSerializer,
    SessionListSerializer,
    SessionSerializer,
    UserCreateSerializer,
    UserSerializer,
    login_body,
)
from .throttling import LoginBlocked, LoginThrottle, client_ip


class InvalidCredentials(APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = "Invalid username or password."
    default_code = "invalid_credentials"


class LoginView(ApiView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        operation_id="auth_login",
        request=LoginSerializer,
        responses={200: LoginResponseSerializer, **errors(400, 401)},
        description="Log in and get a bearer token. A blocked login gets 429.",
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        password = serializer.validated_data["password"]

        attempt = request.login_attempt
        user = services.check_credentials(username, password)
        if user is None:
            attempt.record_failure()
            raise InvalidCredentials()
        attempt.record_success()

        token, session = services.start_session(
            user, client_ip(request), request.META.get("HTTP_USER_AGENT", "")
        )
        return Response(login_body(token, session, user))

    def throttled(self, request, wait):
        raise LoginBlocked(wait)


class LogoutView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: OpenApiResponse(description="Logged out."), **errors(401)},
    )
    def post(self, request):
        services.logout(request.auth.session_id)
        user_logged_out.send(sender=User, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout_all",
        request=None,
        responses={
            204: OpenApiResponse(description="Every session of the caller ended."),
            **errors(401),
        },
    )
    def post(self, request):
        services.logout_all(request.user)
        user_logged_out.send(sender=User, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_me", responses={200: UserSerializer, **errors(401)}
    )
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class SessionListView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_sessions_list",
        responses={200: SessionListSerializer, **errors(401)},
    )
    def get(self, request):
        sessions = selectors.active_sessions(request.user)
        context = {"current_session_id": request.auth.session_id}
        data = SessionSerializer(sessions, many=True, context=context).data
        return Response({"sessions": data})


class SessionDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_sessions_delete",
        responses={204: OpenApiResponse(description="Revoked."), **errors(401, 404)},
    )
    def delete(self, request, session_id):
        if not services.revoke_own_session(request.user, session_id):
            raise NotFound(f"No active session {session_id} of yours.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserListView(ApiView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="users_list",
        responses={200: UserSerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        return Response(UserSerializer(selectors.all_users(), many=True).data)

    @extend_schema(
        operation_id="users_create",
        request=UserCreateSerializer,
        responses={201: UserSerializer, **errors(400, 401, 403, 409)},
    )
    def post(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.create_user(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class UserDetailView(ApiView):
    permission_classes = [IsAdmin]

    @extend_schema(
        operation_id="users_delete",
        responses={
            204: OpenApiResponse(description="Deleted with their orders and spots."),
            **errors(400, 401, 403, 404),
        },
    )
    def delete(self, request, user_id):
        user = selectors.user_by_id(user_id)
        if user is None:
            raise NotFound(f"No user {user_id}.")
        if user.pk == request.user.pk:
            raise ValidationError({"userId": ["You cannot delete your own user."]})
        services.delete_user(user)
        return Response(status=status.HTTP_204_NO_CONTENT)
