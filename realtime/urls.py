from django.urls import path

from . import views

urlpatterns = [
    path(
        "presence/heartbeat", views.HeartbeatView.as_view(), name="presence-heartbeat"
    ),
    path("presence/leave", views.LeaveView.as_view(), name="presence-leave"),
    path("presence/active", views.ActiveView.as_view(), name="presence-active"),
    path(
        "events/state/<str:event_key>",
        views.EventStateView.as_view(),
        name="event-state",
    ),
]
