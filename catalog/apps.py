from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog and spots"

    def ready(self):
        from . import signals  # noqa: F401 - connects the invalidation handlers
