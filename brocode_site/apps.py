import logging

from django.apps import AppConfig
from django.conf import settings

logger = logging.getLogger(__name__)


class SiteConfig(AppConfig):
    name = "brocode_site"
    verbose_name = "BroCode Spot"

    def ready(self):
        from . import schema  # noqa: F401 - registers the bearer scheme

        if settings.CACHE_BACKEND_NAME == "redis":
            logger.info(
                "Cache backend: Redis through django-redis, key prefix %r. "
                "Sessions, counters, presence and event state are shared by "
                "every server process.",
                settings.REDIS_KEY_PREFIX,
            )
        else:
            logger.warning(
                "Cache backend: LocMem, because REDIS_URL is not set. It serves "
                "a single process only: run one server process, or set "
                "REDIS_URL to share throttle counters, presence and event state."
            )
