from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction

# Fields that a cached copy of a user depends on.
AUTH_FIELDS = frozenset(
    {"username", "name", "role", "is_active", "is_staff", "is_superuser", "password"}
)


def username_key(username: str) -> str:
    """Return the form in which usernames are compared: case-folded."""
    return username.casefold()


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Update the rows; a change of an auth field also reaches the cache.

        ``update()`` sends no signals, so it invalidates the cached copies of
        the users itself, and deactivation revokes their sessions, as saving
        each user would.
        """
        if not AUTH_FIELDS.intersection(kwargs):
            return super().update(**kwargs)
        user_ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        if kwargs.get("is_active") is False:
            revoke_sessions_of(user_ids)
        transaction.on_commit(lambda: _invalidate_users(user_ids))
        return count


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


def revoke_sessions_of(user_ids) -> None:
    """Revoke every active session of the users."""
    Session.objects.filter(user_id__in=user_ids).revoke()


def _invalidate_users(user_ids) -> None:
    from .cache import invalidate_user

    for user_id in user_ids:
        invalidate_user(user_id)


class User(AbstractUser):
    """A member of BroCode Spot: Django's user plus a display name and a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        USER = "user", "User"
        GUEST = "guest", "Guest"

    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.USER)

    # The username case-folded in Python, unique, so that usernames differ
    # in more than case on every database: SQLite's LOWER() folds ASCII only.
    username_key = models.CharField(max_length=150, unique=True, editable=False)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def clean(self):
        super().clean()
        same_name = User.objects.filter(username_key=username_key(self.username))
        if same_name.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"username": "A user with that username already exists."}
            )

    def save(self, *args, **kwargs):
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
        super().save(*args, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class SessionQuerySet(models.QuerySet):
    def active(self, now):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def revoke(self) -> int:
        """Revoke the sessions not yet revoked; return how many were revoked.

        The database is written first. The cached copies are replaced by
        revoked markers after the transaction commits, so no request can
        refill them.
        """
        from brocode_site import clock

        from .cache import mark_revoked

        with transaction.atomic():
            pending = self.filter(revoked_at__isnull=True)
            token_hashes = list(pending.values_list("token_hash", flat=True))
            count = pending.update(revoked_at=clock.now())
            transaction.on_commit(lambda: mark_revoked(token_hashes))
        return count


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
