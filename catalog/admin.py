from django.contrib import admin

from .models import CatalogItem, Spot


@admin.register(CatalogItem)
class CatalogItemAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "category", "price", "created_at")
    list_filter = ("category",)
    search_fields = ("id", "name")
    ordering = ("category", "created_at")


@admin.register(Spot)
class SpotAdmin(admin.ModelAdmin):
    list_display = ("id", "location", "date", "host")
    list_filter = ("date", "host")
    search_fields = ("id", "location", "description", "host__username")
    date_hierarchy = "date"
    autocomplete_fields = ("host",)
