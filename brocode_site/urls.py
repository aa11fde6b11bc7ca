from django.contrib import admin
from django.urls import include, path

from . import health, schema, views

api_patterns = [
    path("health", health.health, name="health"),
    path("schema/", schema.SchemaView.as_view(), name="schema"),
    path("docs/", schema.SwaggerView.as_view(url_name="schema"), name="docs"),
    path("", include("accounts.urls")),
    path("", include("catalog.urls")),
    path("", include("orders.urls")),
    path("", include("realtime.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.page_not_found
handler500 = views.server_error
