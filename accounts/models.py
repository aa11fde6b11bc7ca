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


class SessionQuerySet(models.QuerySet):
    def active(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class Session(models.Model):
    """A login: one bearer token, stored only as a keyed hash.

    The database row is the source of truth. The cache holds only a copy
    that speeds up the check of each request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=512, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "token session"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self):
        return f"Session {self.pk} of {self.user_id}"

    def status(self, now) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"
