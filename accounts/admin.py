from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from brocode_site import clock

from . import services
from .models import Session, User


class SessionStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("revoked", "Revoked"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        now = clock.now()
        if self.value() == "active":
            return queryset.active(now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "user",
        "ip",
        "user_agent",
        "created_at",
        "last_seen_at",
        "expires_at",
        "status",
    )
    list_filter = (SessionStatusFilter, "created_at")
    search_fields = ("user__username", "ip", "user_agent")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "created_at",
        "last_seen_at",
        "expires_at",
        "ip",
        "user_agent",
        "revoked_at",
    )
    exclude = ("token_hash",)
    actions = ["revoke"]

    @admin.display(description="status")
    def status(self, session):
        return session.status(clock.now())

    @admin.action(description="Revoke selected sessions")
    def revoke(self, request, queryset):
        count = services.revoke_sessions(queryset)
        self.message_user(request, f"Revoked {count} session(s).", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SessionInline(admin.TabularInline):
    model = Session
    fields = (
        "ip",
        "user_agent",
        "created_at",
        "last_seen_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "role", "is_active", "is_staff", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "name", "email")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("BroCode", {"fields": ("name", "role")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("BroCode", {"fields": ("name", "role")}),
    )
    inlines = [SessionInline]
