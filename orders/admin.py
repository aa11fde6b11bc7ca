from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    fields = ("product_id", "name", "quantity", "unit_price", "line_total")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("id", "spot", "user", "total", "line_count", "created_at")
    list_filter = ("spot", "user", "created_at")
    search_fields = ("id", "user__username", "spot__id")
    list_select_related = ("spot", "user")
    date_hierarchy = "created_at"
    readonly_fields = (
        "id",
        "spot",
        "user",
        "total",
        "created_at",
        "created_by",
        "idempotency_key",
    )
    exclude = ("request_fingerprint",)
    inlines = [OrderLineInline]

    @admin.display(description="lines")
    def line_count(self, order):
        return len(order.lines.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lines")

    def has_add_permission(self, request):
        return False
