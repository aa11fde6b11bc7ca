from rest_framework.permissions import BasePermission


class IsAdmin(BasePermission):
    """Allow only authenticated users with the ``admin`` role."""

    message = "This action needs the admin role."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_admin)
