from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A member of BroCode Spot: Django's user plus a display name and a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        USER = "user", "User"
        GUEST = "guest", "Guest"

    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_username_ci_unique",
                violation_error_message="A user with that username already exists.",
            ),
        ]

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
