"""Baseline views that the benchmarks compare the API's own paths with."""

from django.http import JsonResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.models import User
from accounts.serializers import UserSerializer
from accounts.views import MeView


def django_json(request):
    """Return a tiny JSON body from a plain Django view: no DRF at all."""
    return JsonResponse({"ok": True})


class DrfJsonView(APIView):
    """Return a tiny JSON body through DRF with no authentication, permission
    or throttle: the least work a DRF view does."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})


class DrfThrottledJsonView(DrfJsonView):
    """The DRF floor plus the project's default rate throttles, which run one
    Lua script in Redis per request."""

    throttle_classes = api_settings.DEFAULT_THROTTLE_CLASSES


class DrfTokenMeView(MeView):
    """``GET /api/auth/me`` checked by DRF's stock ``TokenAuthentication``
    (``Authorization: Token <key>``, one database query per request)."""

    authentication_classes = [TokenAuthentication]


class NoAuthMeView(MeView):
    """``GET /api/auth/me`` without authentication.

    It returns a fixed user built in memory. The project's default throttles
    still apply, so like the authenticated variants it makes one rate-counter
    round trip to Redis.
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        user = User(pk=1, username="brocode", name="Ram", role=User.Role.ADMIN)
        return Response(UserSerializer(user).data)
