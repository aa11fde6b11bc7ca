"""The project's URLs plus the baseline views under ``/api/bench/``.

The baselines sit under ``/api/`` so that they pass through the same
middleware as the API paths they are compared with.
"""

from django.urls import path

from brocode_site.urls import (  # noqa: F401 - Django reads the handlers here
    handler400,
    handler403,
    handler404,
    handler500,
)
from brocode_site.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [
    path("api/bench/json/django", views.django_json, name="bench-json-django"),
    path("api/bench/json/drf", views.DrfJsonView.as_view(), name="bench-json-drf"),
    path(
        "api/bench/json/drf-throttled",
        views.DrfThrottledJsonView.as_view(),
        name="bench-json-drf-throttled",
    ),
    path(
        "api/bench/me/drf-token",
        views.DrfTokenMeView.as_view(),
        name="bench-me-drf-token",
    ),
    path(
        "api/bench/me/no-auth",
        views.NoAuthMeView.as_view(),
        name="bench-me-no-auth",
    ),
    *project_urlpatterns,
]
