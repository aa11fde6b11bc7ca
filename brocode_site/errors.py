"""The one JSON error shape of the API: ``{"error", "code", "fields"?}``."""

from django.http import JsonResponse

# Default sentence and code for a status when nothing more specific is known.
STATUS_ERRORS = {
    400: ("The request is invalid.", "bad_request"),
    401: ("Authentication credentials were not provided.", "not_authenticated"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("The requested resource was not found.", "not_found"),
    405: ("The method is not allowed for this resource.", "method_not_allowed"),
    406: ("The requested response format is not available.", "not_acceptable"),
    409: ("The request conflicts with the current state.", "conflict"),
    304: ("Not modified.", "not_modified"),
    412: ("The precondition given in the request failed.", "precondition_failed"),
    413: ("The request body is too large.", "request_too_large"),
    415: ("The request body must be JSON.", "unsupported_media_type"),
    429: ("Too many requests.", "throttled"),
    500: ("The server failed to handle the request.", "server_error"),
    503: ("The service is temporarily unavailable.", "service_unavailable"),
}


def error_body(message: str, code: str, fields: dict | None = None) -> dict:
    body = {"error": message, "code": code}
    if fields:
        body["fields"] = fields
    return body


def error_response(
    status: int,
    message: str | None = None,
    code: str | None = None,
    fields: dict | None = None,
) -> JsonResponse:
    """Build a JSON error response, filling message and code from the status."""
    default_message, default_code = STATUS_ERRORS.get(
        status, ("The request failed.", "error")
    )
    return JsonResponse(
        error_body(message or default_message, code or default_code, fields),
        status=status,
    )


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")
