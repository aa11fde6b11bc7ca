from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = "Realtime"

    def ready(self):
        from . import signals  # noqa: F401 - drops presence on logout and deletion
