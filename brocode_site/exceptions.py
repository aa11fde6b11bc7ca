"""DRF exception handler giving the API's one error shape."""

import logging
import math

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from .errors import STATUS_ERRORS, error_body

logger = logging.getLogger(__name__)


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The cache is unreachable. Try again in a few seconds."
    default_code = "cache_unavailable"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since the version you sent."
    default_code = "precondition_failed"


# DRF's own codes that the contract names differently.
CODE_NAMES = {
    "parse_error": "invalid_json",
    "invalid": "validation_error",
    "authentication_failed": "not_authenticated",
}


def _flatten_fields(detail, path: str = "") -> dict:
    """Turn a ValidationError detail into ``{"items[0].quantity": [message]}``.

    DRF nests errors of nested serializers as dicts, and those of lists as
    lists or as dicts keyed by index; both become one flat dict.
    """
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            if key == "non_field_errors":
                child = path
            elif isinstance(key, int) or str(key).isdigit():
                child = f"{path}[{key}]"
            else:
                child = f"{path}.{key}" if path else str(key)
            for name, messages in _flatten_fields(value, child).items():
                fields.setdefault(name, []).extend(messages)
        return fields
    if isinstance(detail, list) and any(isinstance(item, dict) for item in detail):
        return _flatten_fields(dict(enumerate(detail)), path)
    return {path or "non_field_errors": [str(message) for message in _as_list(detail)]}


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def _validation_response(exc: exceptions.ValidationError) -> Response:
    fields = _flatten_fields(exc.detail)
    first_field, messages = next(iter(fields.items()), ("request", ["Invalid."]))
    if first_field == "non_field_errors":
        message = messages[0]
    else:
        message = f"Invalid value for {first_field}: {messages[0]}"
    return Response(
        error_body(message, "validation_error", fields),
        status=status.HTTP_400_BAD_REQUEST,
    )


def api_exception_handler(exc, context):
    """Render every exception raised in a DRF view as the JSON error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()

    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)

    if isinstance(exc, DatabaseError):
        logger.error(
            "Database unavailable while serving a request (%s); returned 503.", exc
        )
        return Response(
            error_body(
                "The database is unavailable. Try again in a few seconds.",
                "database_unavailable",
            ),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    if not isinstance(exc, exceptions.APIException):
        request = context.get("request")
        logger.exception(
            "Unhandled error in %s on %s %s; returned 500.",
            type(context.get("view")).__name__,
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
        )
        message, code = STATUS_ERRORS[500]
        return Response(error_body(message, code), status=500)

    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header

    detail = exc.detail
    if isinstance(detail, (list, dict)):
        message = STATUS_ERRORS.get(exc.status_code, ("The request failed.",))[0]
    else:
        message = str(detail)
    code = getattr(detail, "code", None) or exc.default_code
    body = error_body(message, CODE_NAMES.get(code, code))

    if isinstance(exc, exceptions.Throttled):
        retry_after = max(1, math.ceil(exc.wait or 1))
        headers["Retry-After"] = str(retry_after)
        body["retryAfterSeconds"] = retry_after
        body["error"] = f"Too many requests. Try again in {retry_after} seconds."
        body["code"] = getattr(exc, "throttle_code", "throttled")

    return Response(body, status=exc.status_code, headers=headers)
