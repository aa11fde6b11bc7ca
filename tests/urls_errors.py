"""A URLconf with views that exist only to drive the error handlers."""

from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from brocode_site.urls import urlpatterns as site_urlpatterns


@api_view(["POST"])
@permission_classes([AllowAny])
def echo(request):
    return Response({"received": request.data})


@api_view(["GET"])
@permission_classes([AllowAny])
def explode(request):
    raise RuntimeError("secret internal detail")


def plain_explode(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/test/echo", echo),
    path("api/test/explode", explode),
    path("api/test/plain-explode", plain_explode),
    path("", include(site_urlpatterns)),
]
