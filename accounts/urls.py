from django.urls import path

from . import views

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="login"),
    path("auth/logout", views.LogoutView.as_view(), name="logout"),
    path("auth/logout-all", views.LogoutAllView.as_view(), name="logout-all"),
    path("auth/me", views.MeView.as_view(), name="me"),
    path("auth/sessions", views.SessionListView.as_view(), name="session-list"),
    path(
        "auth/sessions/<str:session_id>",
        views.SessionDetailView.as_view(),
        name="session-detail",
    ),
    path("users", views.UserListView.as_view(), name="user-list"),
    path("users/<str:user_id>", views.UserDetailView.as_view(), name="user-detail"),
]
