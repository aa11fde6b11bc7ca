import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404

from .errors import error_response, is_api_path

logger = logging.getLogger(__name__)


class ApiErrorMiddleware:
    """Keep every error under ``/api/`` in the JSON error shape.

    It rejects bodies over ``MAX_REQUEST_BODY_BYTES`` with 413 before they are
    read, turns exceptions that reach Django (also with ``DEBUG`` on) into JSON,
    and replaces any non-JSON error page, such as Django's 404 or CSRF page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path_info):
            return self.get_response(request)

        if self._declared_length(request) > settings.MAX_REQUEST_BODY_BYTES:
            return self._too_large()

        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type:
            return error_response(response.status_code)
        return response

    def process_exception(self, request, exception):
        if not is_api_path(request.path_info):
            return None
        if isinstance(exception, Http404):
            return error_response(404)
        if isinstance(exception, RequestDataTooBig):
            return self._too_large()
        if isinstance(exception, DatabaseError):
            logger.error(
                "Database unavailable on %s %s (%s); returned 503.",
                request.method,
                request.path,
                exception,
            )
            return error_response(
                503,
                "The database is unavailable. Try again in a few seconds.",
                "database_unavailable",
            )
        logger.exception(
            "Unhandled error on %s %s; returned 500.", request.method, request.path
        )
        return error_response(500)

    @staticmethod
    def _declared_length(request) -> int:
        try:
            return int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return 0

    @staticmethod
    def _too_large():
        limit = settings.MAX_REQUEST_BODY_BYTES
        return error_response(
            413,
            f"The request body is larger than the limit of {limit} bytes.",
            "request_too_large",
        )
